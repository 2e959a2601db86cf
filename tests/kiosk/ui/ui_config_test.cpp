// Configuration updates end to end, with no stand-ins: the county publishes a new hotline and a
// new school with `minsheng-county config publish`, the real intake server stores the signed
// bundle, the real forwarder fetches it after a heartbeat, verifies it and hands it over, and the
// real kiosk window applies it on its home screen — never during a parent's session: a report
// started before the publish keeps the old configuration until it ends.
#include "crypto/key_file.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/e2e_support.hpp"
#include "tests/support/run_process.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <thread>

using namespace minsheng;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void replaceIn(const fs::path& file, const std::string& from, const std::string& to) {
    std::string text = readAll(file);
    const auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
    std::ofstream(file) << text;
}

/// Polls `done` every 100 ms, up to `limit` tries: a bound on a failure, not a measurement.
template <class Done>
bool waitFor(Done done, int limit = 1200) {
    for (int i = 0; i < limit; ++i) {
        if (done())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

} // namespace

TEST_CASE("a published hotline and school reach the kiosk between sessions, never during one",
          "[ui][e2e][config]") {
    test::E2eSite site;
    test::CountyServer server(site.county, site.tmp.path());
    const std::uint16_t port = server.start();
    site.pointKioskAt(port);
    replaceIn(site.config, "automation = false", "automation = true");
    const std::string url = "https://127.0.0.1:" + std::to_string(port);
    test::Child forwarder(test::binary("minsheng-kiosk"),
                          {"sync", "--config", site.config.string(), "--poll-ms", "200",
                           "--upload-delay-minutes", "0", "--heartbeat-seconds", "1"},
                          site.tmp / "forwarder.out", site.tmp / "forwarder.err");
    test::ui::XServer x;
    test::ui::Kiosk k(x, site.config, site.tmp.path());
    const std::string oldHotline = "0000-12345678";
    const std::string newHotline = "0571-88886666";
    CHECK(k.labelsContain(oldHotline));

    // The county's edit: a new hotline and a new school (the rest of the shipped demo lists stay:
    // the test site is a demonstration county).
    const fs::path countyToml = site.county / "county.toml";
    replaceIn(countyToml, oldHotline, newHotline);
    replaceIn(site.county / "forms" / "lists.toml", "[[lists.schools.items]]",
              "[[lists.schools.items]]\nid = \"xinqiao_xiaoxue\"\nlabel = { zh-CN = \"新桥小学\", "
              "en = \"Xinqiao Primary School\" }\nparent = \"chengguan\"\n\n"
              "[[lists.schools.items]]");

    // A parent is in the middle of a report when the county publishes.
    k.startOtherReport();
    const std::string screenInSession = k.screen();
    REQUIRE(screenInSession == "field");
    auto r =
        test::runProcess(test::binary("minsheng-county"),
                         {"config", "publish", "--dir", site.county.string(), "--server", url});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);

    // The forwarder fetches and verifies it with a heartbeat and hands it to the kiosk...
    const fs::path incoming = site.bundle / "data" / "config" / "incoming.json";
    INFO(forwarder.err());
    REQUIRE(waitFor([&] { return fs::exists(incoming); }));
    // ...which does not take it while the parent is still at it: more steps of the report, each
    // a round trip through the window's loop, and the configuration stays the old one.
    for (int i = 0; i < 3; ++i) {
        k.click("next");
        CHECK(k.dump()["config_version"] == 0);
    }
    CHECK(fs::exists(incoming));

    // The session ends: the kiosk switches on the home screen.
    k.click("start_over");
    k.waitScreen("home");
    REQUIRE(waitFor([&] { return k.dump()["config_version"] == 1; }, 600));
    CHECK(k.labelsContain(newHotline));
    CHECK_FALSE(k.labelsContain(oldHotline));
    CHECK_FALSE(fs::exists(incoming));

    // The survey offers the new school.
    k.click("home.survey");
    k.waitScreen("field");
    CHECK(k.dump()["field"] == "school");
    CHECK(k.labelsContain("新桥小学"));
    k.click("start_over");
    k.waitScreen("home");

    // The county sees the version the kiosk runs in its heartbeat.
    REQUIRE(waitFor(
        [&] {
            auto kiosks = test::runProcess(
                test::binary("minsheng-county"),
                {"kiosks", "--dir", site.county.string(), "--server", url, "--json"});
            if (kiosks.exitCode != 0)
                return false;
            auto j = json::parse(kiosks.out, nullptr, false);
            return j.is_array() && !j.empty() && j[0].contains("fleet") &&
                   j[0]["fleet"].value("config_version", json(0)) == 1;
        },
        300));

    // A bundle with a form that fails validation, signed by the county (as a tool that skipped
    // the check would) and sent with --resend: the kiosk refuses it, keeps running version 1 and
    // says why in its heartbeat.
    auto key = crypto::readEd25519SecretKey(site.county / "keys" / "county-signing.key",
                                            crypto::KeyKind::CountySigningSecret, {});
    REQUIRE(key.ok());
    crypto::ConfigBundle bad;
    bad.configVersion = 2;
    bad.notBefore = 0;
    bad.files = {{"survey.toml",
                  readAll(site.county / "forms" / "survey.toml") + "\n[[fields]]\nid = \"\"\n"}};
    bad = crypto::signConfigBundle(bad, *key);
    std::ofstream(site.county / "published" / "2.json") << sync::configBundleToJson(bad).dump();
    r = test::runProcess(
        test::binary("minsheng-county"),
        {"config", "publish", "--dir", site.county.string(), "--server", url, "--resend", "2"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE(waitFor(
        [&] {
            auto kiosks = test::runProcess(
                test::binary("minsheng-county"),
                {"kiosks", "--dir", site.county.string(), "--server", url, "--json"});
            auto j = json::parse(kiosks.out, nullptr, false);
            return j.is_array() && !j.empty() && j[0].contains("fleet") &&
                   j[0]["fleet"].value("config_failure", std::string()).find("version 2") !=
                       std::string::npos;
        },
        600));
    CHECK(k.dump()["config_version"] == 1);
    CHECK(k.labelsContain(newHotline));

    // And `config publish` itself refuses a form that fails validation, naming the file.
    replaceIn(site.county / "forms" / "survey.toml", "list = \"schools\"",
              "list = \"no_such_list\"");
    r = test::runProcess(test::binary("minsheng-county"),
                         {"config", "publish", "--dir", site.county.string(), "--server", url});
    CHECK(r.exitCode != 0);
    CHECK_THAT(r.err, Catch::Contains("survey.toml"));
    CHECK_FALSE(fs::exists(site.county / "published" / "3.json"));
    k.quit();
}
