// parseStrictJson: what it refuses that nlohmann accepts, that it never throws, and that its work
// grows linearly with the input (an array of n empty objects once cost n² steps).
#include "sync/wire/strict_json.hpp"

#include <catch2/catch.hpp>

using namespace minsheng::sync;

namespace {

std::string arrayOfEmptyObjects(std::size_t n) {
    std::string s = R"({"v":1,"envelopes":[)";
    for (std::size_t i = 0; i < n; ++i)
        s += i ? ",{}" : "{}";
    return s + "]}";
}

} // namespace

TEST_CASE("parseStrictJson refuses duplicates, depth and out-of-range numbers without throwing",
          "[wire][json]") {
    JsonParseError err;
    CHECK(parseStrictJson(R"({"a":1,"b":[1,2,{"c":null}]})", err));
    for (const std::string& bad :
         {std::string(R"({"a":1,"a":2})"), std::string(R"({"v":1e999})"),
          std::string(R"([666277.7e77777777)"), std::string(R"({"v":-1e400})"),
          std::string(40, '[') + std::string(40, ']'), std::string("{\"a\":\"\xff\"}"),
          std::string(R"({"a":)"), std::string()}) {
        INFO(bad);
        JsonParseError e;
        std::optional<nlohmann::json> j;
        REQUIRE_NOTHROW(j = parseStrictJson(bad, e));
        CHECK_FALSE(j);
        CHECK_FALSE(e.message.empty());
        CHECK_NOTHROW(nlohmann::json(e.message).dump()); // UTF-8, fit for an error body
    }
    JsonParseError e;
    CHECK_FALSE(parseStrictJson(R"({"v":1e999})", e));
    CHECK(e.message.find("out of range") != std::string::npos);
    CHECK_FALSE(parseStrictJson(R"({"seq":1,"seq":2})", e));
    CHECK(e.message == "duplicate member \"seq\"");
}

TEST_CASE("parseStrictJson's work is linear in the number of objects", "[wire][json]") {
    std::size_t small = 0;
    std::size_t large = 0;
    JsonParseError e;
    auto a = parseStrictJson(arrayOfEmptyObjects(4096), e, 16, &small);
    auto b = parseStrictJson(arrayOfEmptyObjects(4 * 4096), e, 16, &large);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(b->at("envelopes").size() == 4 * 4096);
    // Four times the objects, about four times the steps (a quadratic pass would be 16×).
    CHECK(large < 5 * small);
    CHECK(large > 3 * small);
}
