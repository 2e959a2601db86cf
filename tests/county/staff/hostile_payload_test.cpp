// A validly signed envelope from an enrolled kiosk whose payload is hostile — bytes that are not
// UTF-8, numbers out of range, JSON that is not a payload — must never lock staff out: `open` and
// `import` refuse it with a reason, and every later `alarms --json` still prints valid JSON.
#include "sync/wire/envelope_json.hpp"
#include "tests/county/server/server_test_support.hpp"
#include "tests/support/run_process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace minsheng;
using json = nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("hostile payloads: open and import refuse them and alarms --json stays readable",
          "[staff][e2e][hostile]") {
    test::TempDir tmp{"minsheng-hostile"};
    test::TestCounty county(tmp.path(), {"k1"});
    test::TestKiosk k1(county, "k1");
    const std::string tail =
        R"(,"created":"2026-11-23T10:05Z","form":"complaint","form_version":1,)"
        R"("locale":"zh-CN"})";
    const std::vector<std::string> payloads = {
        std::string("\xff\xfe{\"answers\":\xc3\x28}"),    // not UTF-8
        R"({"answers":{"what":"a"},"n":33.3e333)" + tail, // number overflow
        std::string(R"([666277.7e77777777)"),             // overflow, truncated
        R"({"answers":{"what":")" + std::string("\xed\xa0\x80") + R"("})" +
            tail,                // a lone surrogate
        std::string(4000, '\0'), // NUL bytes
    };
    const fs::path usb = tmp / "usb";
    fs::create_directories(usb);
    for (const auto& p : payloads) {
        auto e = k1.nextWithPayload(crypto::EnvelopeKind::Complaint, p);
        std::ofstream(usb / sync::envelopeExportFileName(e.header)) << sync::envelopeToJson(e);
    }
    const auto county_ = test::binary("minsheng-county");
    auto open =
        test::runProcess(county_, {"open", "--dir", county.dir.string(), "--json", usb.string()});
    INFO(open.err);
    CHECK(open.exitCode != 134); // not an abort
    CHECK(open.exitCode >= 0);
    std::istringstream lines(open.out);
    std::string line;
    int objects = 0;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        CHECK_NOTHROW(json::parse(line));
        ++objects;
    }
    CHECK(objects == static_cast<int>(payloads.size()));

    auto imported =
        test::runProcess(county_, {"import", "--dir", county.dir.string(), usb.string()});
    INFO(imported.out + imported.err);
    CHECK(imported.exitCode >= 0);
    CHECK(imported.exitCode != 134);
    for (int run = 0; run < 2; ++run) {
        auto alarms = test::runProcess(county_, {"alarms", "--dir", county.dir.string(), "--json"});
        INFO(alarms.err);
        REQUIRE(alarms.exitCode == 0);
        const json j = json::parse(alarms.out);
        CHECK(j.dump().find("k1") != std::string::npos);
    }
    // The staff tool still works for everything else.
    auto cases = test::runProcess(county_, {"cases", "--dir", county.dir.string(), "--json"});
    CHECK(cases.exitCode == 0);
    CHECK_NOTHROW(json::parse(cases.out));
}
