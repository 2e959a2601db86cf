// The canonical payload: agreement with nlohmann's serialisation, independence from insertion
// order, option order, time rounding, the size bound, and parsePayload on the county side.
#include "crypto/secret_arena.hpp"
#include "sync/forms/canonical_payload.hpp"
#include "sync/forms/form_description.hpp"
#include "sync/forms/validation.hpp"
#include "tests/support/form_fixtures.hpp"
#include "tests/support/protocol_vectors.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace minsheng::forms;
using namespace minsheng::forms::test;
using minsheng::crypto::SecretArena;

namespace {

constexpr std::int64_t k2026_03_01_0930 = 1772357400; // 2026-03-01T09:30:00Z

std::string str(const minsheng::crypto::SecretBytes& b) {
    return std::string(b.view());
}

} // namespace

TEST_CASE("canonical payload layout", "[payload]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    a.setChoice("kind", "a");
    a.setText("only_a", "hi");
    a.setInteger("mood", 4);
    a.setChoices("tags", {"t3", "t1"});
    const auto payload = buildCanonicalPayload(form, a, "zh-CN", k2026_03_01_0930 + 59);
    CHECK(str(payload) == R"({"answers":{"kind":"a","mood":4,"only_a":"hi","tags":["t1","t3"]},)"
                          R"("created":"2026-03-01T09:30Z","form":"test","form_version":3,)"
                          R"("locale":"zh-CN"})");
}

TEST_CASE("canonical payload equals nlohmann's dump for tricky strings", "[payload]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const std::vector<std::string> texts = {
        "say \"hi\"",                        // quotes
        "C:\\path\\",                        // backslashes
        "一\n二\n",                          // newlines
        "家长反映：补课😀🏫",                  // Chinese and emoji (4-byte UTF-8)
        "\\\"\n\"\\",                        // all of them together
        "</script>\u2028\u2029\u00e9\u007e", // things other encoders escape; nlohmann does not
    };
    // A form roomy enough for whole strings, multi-line so newlines are allowed.
    auto roomy = parseForm(R"(
id = "roomy"
version = 1
kind = "survey"
title = { zh-CN = "宽", en = "Roomy" }
[[fields]]
id = "text"
type = "text"
max_length = 200
multiline = true
label = { zh-CN = "文", en = "Text" }
)",
                           "roomy.toml", lists);
    REQUIRE(roomy.ok());
    for (const auto& text : texts) {
        INFO(text);
        Answers a(&arena);
        a.setText("text", text);
        REQUIRE(validateAnswers(*roomy, a).empty());
        const std::string s = str(buildCanonicalPayload(*roomy, a, "zh-CN", k2026_03_01_0930));
        CHECK(nlohmann::json::parse(s).dump() == s);
        CHECK(nlohmann::json::parse(s)["answers"]["text"] == text);
    }
}

TEST_CASE("canonical payload is identical whatever the insertion order", "[payload]") {
    SecretArena arena(1 << 20);
    const ListSet lists = shippedLists();
    const Form form = shippedForm("complaint", lists);
    const nlohmann::json example = exampleAnswers(form, lists);
    std::vector<std::string> keys;
    for (const auto& [k, v] : example.items())
        keys.push_back(k);
    REQUIRE(keys.size() > 5);

    auto build = [&](const std::vector<std::string>& order) {
        Answers a(&arena);
        for (const auto& k : order) {
            const auto& v = example[k];
            const Field* f = form.find(k);
            REQUIRE(f);
            if (v.is_number_integer()) {
                a.setInteger(k, v.get<std::int64_t>());
            } else if (v.is_array()) {
                std::vector<std::string> ids = v.get<std::vector<std::string>>();
                std::vector<std::string_view> views(ids.begin(), ids.end());
                std::reverse(views.begin(), views.end());
                a.setChoices(k, views);
            } else if (f->isChoice()) {
                a.setChoice(k, v.get<std::string>());
            } else {
                a.setText(k, v.get<std::string>());
            }
        }
        return str(buildCanonicalPayload(form, a, "zh-CN", k2026_03_01_0930));
    };
    std::vector<std::string> reversed(keys.rbegin(), keys.rend());
    std::vector<std::string> rotated = keys;
    std::rotate(rotated.begin(), rotated.begin() + 3, rotated.end());
    const std::string first = build(keys);
    CHECK(build(reversed) == first);
    CHECK(build(rotated) == first);
    CHECK(nlohmann::json::parse(first)["answers"] == example);
}

TEST_CASE("multiple choices appear in the order the form lists them", "[payload]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    a.setChoice("kind", "b");
    a.setChoices("tags", {"t4", "t2", "t1"});
    const std::string s = str(buildCanonicalPayload(form, a, "zh-CN", 0));
    CHECK(s.find(R"("tags":["t1","t2","t4"])") != std::string::npos);
}

TEST_CASE("empty answers are left out of the payload", "[payload]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    a.setChoice("kind", "b");
    a.setText("notes", "");
    a.setChoices("tags", {});
    const std::string s = str(buildCanonicalPayload(form, a, "zh-CN", 0));
    CHECK(s.find("\"answers\":{\"kind\":\"b\"}") != std::string::npos);
}

TEST_CASE("created time is rounded down to the minute", "[payload]") {
    CHECK(formatPayloadTime(0) == "1970-01-01T00:00Z");
    CHECK(formatPayloadTime(59) == "1970-01-01T00:00Z");
    CHECK(formatPayloadTime(60) == "1970-01-01T00:01Z");
    CHECK(formatPayloadTime(k2026_03_01_0930 + 59) == "2026-03-01T09:30Z");
    CHECK(formatPayloadTime(k2026_03_01_0930 - 1) == "2026-03-01T09:29Z");
    CHECK(formatPayloadTime(-1) == "1969-12-31T23:59Z"); // down, not towards zero
    CHECK(formatPayloadTime(951782400) == "2000-02-29T00:00Z");
    CHECK_THROWS_AS(formatPayloadTime(253402300800), std::invalid_argument); // year 10000
}

TEST_CASE("buildCanonicalPayload refuses what a caller should have validated", "[payload]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    CHECK_THROWS_AS(buildCanonicalPayload(form, a, "zh-CN", 0), std::invalid_argument);
    a.setChoice("kind", "b");
    CHECK_THROWS_AS(buildCanonicalPayload(form, a, "fr", 0), std::invalid_argument);
    CHECK_NOTHROW(buildCanonicalPayload(form, a, "en", 0));
    a.setText("notes", "bad\x01");
    CHECK_THROWS_AS(buildCanonicalPayload(form, a, "en", 0), std::invalid_argument);
}

TEST_CASE("the worst-case bound holds for maximal answers", "[payload]") {
    // Every field at its longest: 4-byte characters and escaped characters in every text, all
    // options of every multiple field, the longest ids. The payload must stay within the bound
    // the loader checked.
    SecretArena arena(4u << 20);
    const ListSet lists = shippedLists();
    for (const char* name : {"complaint", "survey"}) {
        INFO(name);
        const Form form = shippedForm(name, lists);
        for (std::string unit : {"😀", "\"", "\\", "\n"}) {
            Answers a(&arena);
            const nlohmann::json example = exampleAnswers(form, lists);
            auto parsed = parseAnswersJson(form, example.dump(), &arena);
            REQUIRE(parsed.ok());
            a = std::move(parsed.value());
            const auto visible = visibleFields(form, a);
            for (std::size_t i = 0; i < form.fields.size(); ++i) {
                const Field& f = form.fields[i];
                if (!visible[i])
                    continue;
                if (f.type == FieldType::Text) {
                    std::string t;
                    for (std::size_t k = 0; k < f.maxLength; ++k)
                        t += (unit == "\n" && !f.multiline) ? std::string("\"") : unit;
                    a.setText(f.id, t);
                } else if (f.type == FieldType::Multiple && f.maxSelections == 0) {
                    std::vector<std::string_view> all;
                    for (const auto& o : f.options)
                        all.push_back(o.id);
                    a.setChoices(f.id, all);
                }
            }
            REQUIRE(validateAnswers(form, a).empty());
            const auto payload = buildCanonicalPayload(form, a, "zh-CN", k2026_03_01_0930);
            CHECK(payload.size() <= worstCasePayloadBytes(form));
            CHECK(worstCasePayloadBytes(form) <= kMaxPayloadBytes);
        }
    }
}

TEST_CASE("parsePayload reads what buildCanonicalPayload wrote", "[payload]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    a.setChoice("kind", "a");
    a.setText("only_a", "引号\"");
    a.setChoices("tags", {"t2", "t1"});
    a.setInteger("mood", 2);
    const auto payload = buildCanonicalPayload(form, a, "en", k2026_03_01_0930 + 30);
    auto p = parsePayload(payload.view());
    REQUIRE(p.ok());
    CHECK(p->formId == "test");
    CHECK(p->formVersion == 3);
    CHECK(p->locale == "en");
    CHECK(p->created == "2026-03-01T09:30Z");
    CHECK(p->createdAt == k2026_03_01_0930);
    CHECK(p->answers["only_a"] == "引号\"");
    CHECK(p->answers["tags"] == nlohmann::json::array({"t1", "t2"}));
    CHECK(p->answers["mood"] == 2);
}

TEST_CASE("parsePayload rejects malformed and non-canonical payloads", "[payload]") {
    const std::string good = R"({"answers":{"kind":"b"},"created":"2026-03-01T09:30Z",)"
                             R"("form":"test","form_version":3,"locale":"zh-CN"})";
    REQUIRE(parsePayload(good).ok());
    auto rejects = [](const std::string& s) {
        INFO(s);
        auto p = parsePayload(s);
        CHECK_FALSE(p.ok());
        return p.ok() ? std::string() : p.error();
    };
    CHECK(rejects("").find("not JSON") != std::string::npos);
    rejects("[]");
    rejects(good + "\n"); // trailing whitespace
    rejects(R"({"answers":{"kind":"b"}, "created":"2026-03-01T09:30Z","form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})"); // whitespace
    rejects(R"({"created":"2026-03-01T09:30Z","answers":{"kind":"b"},"form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})"); // key order
    rejects(R"({"answers":{"kind":"\u0062"},"created":"2026-03-01T09:30Z","form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})"); // needless escape
    CHECK(rejects(R"({"answers":{},"created":"2026-03-01T09:30Z","extra":1,"form":"test",)"
                  R"("form_version":3,"locale":"zh-CN"})")
              .find("extra") != std::string::npos);
    rejects(R"({"answers":{},"created":"2026-03-01T09:30Z","form":"test","locale":"zh-CN"})");
    rejects(R"({"answers":{},"created":"2026-02-30T09:30Z","form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})"); // no such day
    rejects(R"({"answers":{},"created":"2026-03-01T09:30:00Z","form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})"); // seconds
    rejects(R"({"answers":{},"created":"2026-03-01T09:30Z","form":"test",)"
            R"("form_version":3,"locale":"fr"})");
    rejects(R"({"answers":{},"created":"2026-03-01T09:30Z","form":"test",)"
            R"("form_version":0,"locale":"zh-CN"})");
    rejects(R"({"answers":{"a":{"b":1}},"created":"2026-03-01T09:30Z","form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})"); // nested object
    rejects(R"({"answers":{"a":1.5},"created":"2026-03-01T09:30Z","form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})");
    rejects(R"({"answers":[],"created":"2026-03-01T09:30Z","form":"test",)"
            R"("form_version":3,"locale":"zh-CN"})");
}

namespace {

/// True when `s` is well-formed UTF-8 (what nlohmann's dump() requires of every string).
bool isUtf8(const std::string& s) {
    try {
        (void)nlohmann::json(s).dump();
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

/// The `payload-escapes: …` line of docs/protocol.md section 12.
std::string documentedEscapesPayload() {
    auto v = minsheng::test::protocolVectors();
    REQUIRE(v.count("payload-escapes") == 1);
    return v["payload-escapes"];
}

} // namespace

TEST_CASE("parsePayload refuses numbers out of range and bytes that are not UTF-8, in UTF-8 words",
          "[payload]") {
    const std::string tail = R"(,"created":"2026-03-01T09:30Z","form":"test","form_version":3,)"
                             R"("locale":"zh-CN"})";
    for (const std::string& bad :
         {R"({"answers":{"n":33.3e333})" + tail, R"({"answers":{"n":3590e856600})" + tail,
          std::string(R"([666277.7e77777777)"), R"({"answers":{},"form_version":1e999})" + tail,
          R"({"answers":{"what":")" + std::string("\xff\xfe\xc3") + R"("})" + tail,
          std::string("\xe4\xb8") + "{}"}) {
        INFO(bad);
        auto p = parsePayload(bad);
        REQUIRE_FALSE(p.ok());
        CHECK(isUtf8(p.error()));
    }
}

TEST_CASE("docs/protocol.md's escapes vector: every escaped character, one canonical spelling",
          "[payload][vectors]") {
    const std::string payload = documentedEscapesPayload();
    auto p = parsePayload(payload);
    INFO(payload);
    REQUIRE(p.ok());
    // The text answer holds " \ U+0008 U+0009 U+000A U+000C U+000D U+0000 U+0001 U+001F and a
    // non-ASCII character, as raw bytes once parsed.
    const std::string expected =
        std::string("\"\\\b\t\n\f\r") + std::string(1, '\0') + "\x01\x1f" + "中";
    CHECK(p->answers.at("what").get<std::string>() == expected);
    // The same text spelled any other valid JSON way is refused: \u000a for \n, \/ for /,
    // upper-case hex, a raw control character.
    for (const auto& [from, to] :
         std::vector<std::pair<std::string, std::string>>{{R"(\n)", R"(\u000a)"},
                                                          {R"(\u001f)", R"(\u001F)"},
                                                          {R"(\b)", R"(\u0008)"},
                                                          {R"(中)", R"(\u4e2d)"}}) {
        std::string other = payload;
        const auto at = other.find(from);
        REQUIRE(at != std::string::npos);
        other.replace(at, from.size(), to);
        INFO(other);
        CHECK_FALSE(parsePayload(other).ok());
    }
}
