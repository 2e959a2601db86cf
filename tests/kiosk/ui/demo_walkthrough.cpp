// The scripted walk-through that `scripts/run.sh` plays when there is no display: the same
// harness as the UI tests (an Xvfb of its own, the real kiosk, real X11 clicks), driven in two
// phases so that the county's part happens in between, in plain sight, in the script:
//
//   minsheng-demo-walkthrough "[.submit]"   a complaint and a survey typed by touch; every screen
//                                           saved as a PNG; the receipt code written to a file
//   minsheng-demo-walkthrough "[.lookup]"   the receipt code typed on the pad, the county's status
//                                           and reply shown and saved as a PNG
//
// Settings come from the environment (the script sets them): MINSHENG_DEMO_CONFIG (kiosk.toml
// with automation on), MINSHENG_DEMO_SHOTS (folder for the PNGs), MINSHENG_DEMO_CODE (file of
// the receipt code), MINSHENG_DEMO_WORK (scratch folder for sockets and logs).
// Not a test: ctest does not run it (the UI tests check the same paths).
#include "crypto/receipt_code.hpp"
#include "tests/kiosk/ui/ui_harness.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>

using nlohmann::json;
namespace fs = std::filesystem;
using minsheng::test::ui::Kiosk;
using minsheng::test::ui::XServer;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    INFO("environment variable " << name);
    REQUIRE(v != nullptr);
    return v;
}

struct Demo {
    fs::path config = env("MINSHENG_DEMO_CONFIG");
    fs::path shots = env("MINSHENG_DEMO_SHOTS");
    fs::path codeFile = env("MINSHENG_DEMO_CODE");
    fs::path work = env("MINSHENG_DEMO_WORK");
    Demo() {
        fs::create_directories(shots);
        fs::create_directories(work);
    }
};

void say(const std::string& s) {
    std::cout << "   " << s << std::endl;
}

void shot(Kiosk& k, const fs::path& dir, const std::string& name) {
    k.screenshot(dir / (name + ".png"));
    say("screen " + k.screen() + " -> " + (dir / (name + ".png")).string());
}

} // namespace

TEST_CASE("demo: a parent reports and answers the survey by touch", "[.submit]") {
    Demo demo;
    XServer x;
    Kiosk k(x, demo.config, demo.work);
    shot(k, demo.shots, "01-home");
    k.click("home.report");
    k.waitScreen("category");
    shot(k, demo.shots, "02-category");
    k.click("list.next");
    k.click("category:other");
    int step = 3;
    for (int guard = 0; guard < 30 && k.dump()["screen"] == "field"; ++guard) {
        if (k.dump()["field"] == "description") {
            // Pinyin on the on-screen keys, each word committed with space (its first
            // candidate): 小区 老师 有偿补课 一次五百元.
            for (const char* word : {"xiaoqu", "laoshi", "youchangbuke", "yiciwubaiyuan"}) {
                for (const char* c = word; *c; ++c)
                    k.click("key:" + std::string(1, *c));
                k.click("key:space");
            }
            shot(k, demo.shots, "0" + std::to_string(step++) + "-description");
        }
        k.click("next");
    }
    k.waitScreen("privacy");
    shot(k, demo.shots, "05-privacy");
    k.click("next");
    k.waitScreen("review");
    shot(k, demo.shots, "06-review");
    k.click("submit");
    k.waitScreen("receipt");
    shot(k, demo.shots, "07-receipt");
    std::string code;
    const json receipt = k.dump(); // kept alive while its labels are read
    for (const auto& l : receipt["labels"])
        if (minsheng::crypto::ReceiptCode::parse(l.get<std::string>()).ok())
            code = l;
    REQUIRE(!code.empty());
    std::ofstream(demo.codeFile) << code << "\n";
    say("receipt code " + code);
    k.click("receipt.noted");
    k.click("finish");
    k.waitScreen("home");

    k.click("home.survey");
    for (int guard = 0; guard < 30 && k.dump()["screen"] == "field"; ++guard) {
        const json d = k.dump();
        bool submit = false;
        std::string choice;
        for (const auto& w : d["widgets"]) {
            const std::string id = w["id"];
            submit = submit || id == "submit";
            if (choice.empty() && (id.rfind("option:", 0) == 0 || id == "scale:4"))
                choice = id; // the first choice on every screen
        }
        if (!choice.empty())
            k.click(choice);
        if (guard == 2)
            shot(k, demo.shots, "08-survey-scale");
        k.click(submit ? "submit" : "next");
    }
    k.waitScreen("survey_thanks");
    shot(k, demo.shots, "09-survey-thanks");
    k.click("finish");
    k.quit();
}

TEST_CASE("demo: the parent checks the case at the kiosk", "[.lookup]") {
    Demo demo;
    std::string code;
    std::ifstream(demo.codeFile) >> code;
    REQUIRE(code.size() == 19);
    XServer x;
    Kiosk k(x, demo.config, demo.work);
    k.click("home.lookup");
    k.waitScreen("lookup");
    for (char c : code)
        if (c != '-')
            k.click(std::string("pad:") + c);
    shot(k, demo.shots, "10-lookup");
    k.click("lookup.go");
    k.waitScreen("lookup_result");
    shot(k, demo.shots, "11-lookup-result");
    const json result = k.dump();
    for (const auto& l : result["labels"])
        say("on screen: " + l.get<std::string>());
    k.quit();
}
