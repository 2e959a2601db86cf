// The touch window end to end: the real minsheng-kiosk in an Xvfb of its own, driven with real
// X11 input (xdotool clicks at the rectangles the automation `dump` reports), its results checked
// where they land: the outbox, and the county's decryption of an exported envelope.
#include "crypto/receipt_code.hpp"
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sys/syscall.h>
#include <thread>

using namespace minsheng;
using namespace minsheng::test::ui;
using minsheng::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string firstWidgetWithPrefix(Kiosk& k, const std::string& prefix) {
    const json d = k.dump(); // keep the dump alive while iterating over it
    for (const auto& w : d["widgets"]) {
        const std::string id = w["id"];
        if (id.rfind(prefix, 0) == 0 && w["enabled"] == true)
            return id;
    }
    FAIL("no widget starting with " + prefix);
    return {};
}

/// Taps "next" until `field` is shown; a required choice that refuses "next" gets its first
/// option. Fails after a bounded number of steps.
void advanceTo(Kiosk& k, const std::string& field) {
    for (int guard = 0; guard < 40; ++guard) {
        const json d = k.dump();
        if (d["field"] == field)
            return;
        k.cmd("tap next");
        if (k.dump()["field"] == d["field"]) {
            k.cmd("tap " + firstWidgetWithPrefix(k, "option:"));
            k.cmd("tap next");
        }
    }
    FAIL("never reached field " + field);
}

/// Every widget is inside the window and, except the QR code, at least 64 px high.
void checkTouchTargets(Kiosk& k) {
    const json d = k.dump();
    CHECK(d["missing_glyphs"] == 0);
    const int W = d["window"]["w"], H = d["window"]["h"];
    for (const auto& w : d["widgets"]) {
        INFO(d["screen"] << " " << w.dump());
        CHECK(w["x"].get<int>() >= 0);
        CHECK(w["y"].get<int>() >= 0);
        CHECK(w["x"].get<int>() + w["w"].get<int>() <= W + 1);
        CHECK(w["y"].get<int>() + w["h"].get<int>() <= H + 1);
        if (w["id"] != "receipt.qr")
            CHECK(w["h"].get<int>() >= 64);
    }
}

} // namespace

TEST_CASE("a complaint submitted anonymously by real clicks and typing", "[ui][e2e]") {
    KioskTestRun run("minsheng-ui");
    Kiosk& k = run.kiosk;
    const auto before = run.site.pending();

    k.startOtherReport();
    const std::string marker = "sat 3pm flat 2 tutor 200";
    for (int guard = 0; guard < 30; ++guard) {
        const json d = k.dump();
        if (d["screen"] != "field")
            break;
        if (d["field"] == "description") {
            k.typeByKeys(marker);
            INFO(k.dump()["labels"].dump());
            CHECK(k.labelsContain(marker));
        }
        k.click("next");
    }
    k.waitScreen("privacy");
    k.click("next");
    k.waitScreen("review");
    bool seen = k.labelsContain(marker);
    for (int page = 0; page < 5 && !seen && k.cmd("tap list.next")["ok"] == true; ++page)
        seen = k.labelsContain(marker); // the review is paged on small screens
    CHECK(seen);
    k.click("submit");
    k.waitScreen("receipt");

    const json d = k.dump();
    std::string code;
    for (const auto& l : d["labels"])
        if (crypto::ReceiptCode::parse(l.get<std::string>()).ok())
            code = l;
    INFO(d["labels"].dump());
    REQUIRE(code.size() == 19); // 4-4-4-4 with dashes
    bool qr = false;
    for (const auto& w : d["widgets"])
        qr = qr || w["id"] == "receipt.qr";
    CHECK(qr);
    // Nothing typed is on screen any more; the receipt cannot be left before 我已记下.
    CHECK_FALSE(k.labelsContain(marker));
    CHECK(k.widget("finish")["enabled"] == false);
    k.screenshot(screenshotDir() / "e2e-receipt.png");
    k.click("receipt.noted");
    k.click("finish");
    k.waitScreen("home");
    k.quit();

    CHECK(run.site.pending() == before + 1);
    const auto opened = run.site.exportAndOpen();
    REQUIRE(opened.size() == 1);
    CHECK(opened[0]["status"] == "ok");
    CHECK(opened[0]["kind"] == "complaint");
    CHECK(opened[0]["answers"] ==
          json({{"category", "other"}, {"description", marker}, {"anonymous", "yes"}}));
}

TEST_CASE("a survey submitted by real clicks, the minimum interval is enforced", "[ui][e2e]") {
    KioskTestRun run("minsheng-ui");
    Kiosk& k = run.kiosk;
    k.click("home.survey");
    k.waitScreen("field");
    json expected = json::object();
    for (int guard = 0; guard < 30; ++guard) {
        const json d = k.dump();
        if (d["screen"] != "field")
            break;
        const std::string field = d["field"];
        bool hasScale = false, hasSubmit = false;
        for (const auto& w : d["widgets"]) {
            hasScale = hasScale || w["id"] == "scale:4";
            hasSubmit = hasSubmit || w["id"] == "submit";
        }
        if (hasScale) {
            k.click("scale:4");
            expected[field] = 4;
        } else if (field != "comment") {
            const std::string opt = firstWidgetWithPrefix(k, "option:");
            k.click(opt);
            const std::string value = opt.substr(7);
            if (field == "improvements")
                expected[field] = json::array({value});
            else
                expected[field] = value;
        }
        k.click(hasSubmit ? "submit" : "next");
    }
    k.waitScreen("survey_thanks");
    k.click("finish");
    k.waitScreen("home");
    k.click("home.survey");
    k.waitScreen("survey_wait"); // survey_min_interval_seconds = 30 in the bundle
    k.click("finish");
    k.quit();

    const auto opened = run.site.exportAndOpen();
    REQUIRE(opened.size() == 1);
    CHECK(opened[0]["kind"] == "survey");
    CHECK(opened[0]["answers"] == expected);
}

TEST_CASE("idle reset wipes what was typed and returns home", "[ui][idle]") {
    KioskTestRun run("minsheng-ui", {}, 15); // the configuration's minimum idle timeout
    Kiosk& k = run.kiosk;
    k.openDescription();
    const std::string marker = "qz9 idle marker";
    k.typeByKeys(marker);
    REQUIRE(k.labelsContain(marker));
    // Without input the 还在吗？ overlay comes, then the wipe. Waits are bounds, not timings.
    bool warned = false;
    for (int i = 0; i < 600 && !warned; ++i) {
        const json d = k.dump();
        warned = !d["idle_warning"].is_null();
        if (!warned)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(warned);
    k.screenshot(screenshotDir() / "idle-overlay.png");
    k.waitScreen("home", 60);
    const json d = k.dump();
    CHECK(d["answers"] == 0);
    CHECK(d.dump().find("qz9") == std::string::npos);
    CHECK_FALSE(k.labelsContain(marker));
    k.quit();
    CHECK(run.site.pending() == 0);
}

TEST_CASE("SIGTERM mid-report stops the kiosk cleanly, whichever thread takes it",
          "[ui][signals]") {
    // systemd stops the kiosk with SIGTERM. The kiosk runs threads of its own and of its
    // libraries (librime, the read-aloud worker, Mesa); every one must block the signal so that
    // only the signal thread takes it and the loop wipes the session and exits 0. A thread that
    // did not block it would let the default action kill the process (status 128 + 15).
    TempDir tmp("minsheng-ui");
    Site site(tmp.path());
    XServer x;
    for (int round = 0; round < 3; ++round) {
        Kiosk k(x, site.config, tmp.path());
        k.openDescription();
        k.typeByKeys("sigterm marker");
        INFO("round " << round);
        // The invariant itself, read from the kernel: every thread blocks SIGTERM and SIGINT,
        // but the one waiting for them in sigwait (the kernel unblocks what a thread waits for,
        // for the length of the wait, so it shows them unblocked).
        int threads = 0, waiting = 0;
        for (const auto& task :
             fs::directory_iterator("/proc/" + std::to_string(k.pid()) + "/task")) {
            long call = -1;
            std::ifstream(task.path() / "syscall") >> call;
            if (call == SYS_rt_sigtimedwait) {
                ++waiting;
                continue;
            }
            std::ifstream status(task.path() / "status");
            std::string line;
            while (std::getline(status, line)) {
                if (line.rfind("SigBlk:", 0) == 0) {
                    const unsigned long long blocked = std::stoull(line.substr(7), nullptr, 16);
                    INFO(task.path().string() << " " << line);
                    CHECK((blocked >> (SIGTERM - 1) & 1) == 1);
                    CHECK((blocked >> (SIGINT - 1) & 1) == 1);
                    ++threads;
                }
            }
        }
        CHECK(waiting == 1);
        CHECK(threads > 1);
        CHECK(k.stopWithSignal(SIGTERM) == 0);
    }
    CHECK(site.pending() == 0); // nothing half-typed was ever stored
}

TEST_CASE("every screen renders, and is saved as a screenshot", "[ui][screens]") {
    TempDir tmp("minsheng-ui");
    auto hash = test::runProcess(test::binary("minsheng-kiosk"), {"hash-pin"}, "2468\n");
    REQUIRE(hash.exitCode == 0);
    Site site(tmp.path(), "\n" + hash.out);
    // No forwarder runs here: the look-up below shows the offline state. The answer from the
    // real county, through the real forwarder, is ui_loop_test.cpp's.
    XServer x;
    Kiosk k(x, site.config, tmp.path());
    const fs::path dir = screenshotDir();
    auto shot = [&](const std::string& name) {
        checkTouchTargets(k);
        k.screenshot(dir / (name + ".png"));
    };
    auto tap = [&](const std::string& id) {
        const json r = k.cmd("tap " + id);
        INFO(id << " " << r.dump());
        REQUIRE(r["ok"] == true);
    };
    shot("01-home");
    tap("home.report");
    shot("02-category");
    tap("help");
    shot("03-help");
    tap("category:disguised_tutoring");
    shot("04-single-choice");
    advanceTo(k, "district");
    shot("05-picker");
    tap("next");
    tap("next");
    tap("next");
    REQUIRE(k.dump()["field"] == "address_detail");
    k.cmd("type building 3");
    shot("06-text");
    tap("next");
    shot("07-date");
    advanceTo(k, "description");
    k.cmd("type tutoring every saturday");
    tap("next");
    tap("option:no");
    tap("next");
    REQUIRE(k.dump()["field"] == "contact_name");
    tap("next");
    tap("next"); // phone is required once a name is wanted: refused with a message
    shot("08-phone-required");
    k.cmd("type 13800138000");
    tap("next");
    shot("09-privacy");
    tap("next");
    shot("10-review");
    tap("submit");
    k.waitScreen("receipt");
    shot("11-receipt");
    tap("receipt.noted");
    tap("finish");
    tap("home.lookup");
    k.cmd("type 1234567890123456");
    shot("12-lookup-bad-code");
    tap("lookup.go");
    CHECK(k.labelsContain("号码有误，请核对"));
    tap("start_over");
    tap("home.lookup");
    k.cmd("type " + crypto::ReceiptCode::generate().digits());
    tap("lookup.go");
    k.waitScreen("lookup_result");
    CHECK(k.labelsContain("现在查不了"));
    shot("13-lookup-offline");
    tap("finish");
    tap("home.rules");
    shot("14-rules");
    tap("rules.next");
    tap("finish");
    tap("home.survey");
    shot("15-survey-picker");
    tap(firstWidgetWithPrefix(k, "option:"));
    tap("next");
    tap("option:g3");
    tap("next");
    tap("scale:5");
    shot("16-survey-scale");
    for (int guard = 0; guard < 20 && k.dump()["field"] != "improvements"; ++guard) {
        if (k.dump()["field"] == "still_tutoring")
            tap("option:no");
        else
            tap("scale:3");
        tap("next");
    }
    REQUIRE(k.dump()["field"] == "improvements");
    tap("option:homework_design");
    shot("17-survey-multiple");
    tap("next");
    tap("submit");
    k.waitScreen("survey_thanks");
    shot("18-survey-thanks");
    tap("finish");
    tap("home.survey");
    shot("19-survey-wait");
    tap("finish");
    tap("locale");
    tap("contrast");
    shot("20-home-english-contrast");
    tap("large_text");
    tap("home.report");
    shot("21-category-english-large");
    tap("start_over");
    // Staff mode: a real three-second press on the hidden corner, then the PIN.
    k.longPress("staff.corner", 3.5);
    k.waitScreen("staff_pin");
    k.cmd("type 2468");
    shot("22-staff-pin");
    tap("staff.ok");
    k.waitScreen("staff_health", 30);
    shot("23-staff-health");
    CHECK_FALSE(k.labelsContain("tutoring every saturday"));
    tap("finish");
    k.quit();
}

TEST_CASE("layouts at 1280x800 and portrait 1080x1920", "[ui][screens]") {
    TempDir tmp("minsheng-ui");
    Site site(tmp.path());
    XServer x(1920, 1920);
    for (auto [w, h] : {std::pair{1280, 800}, std::pair{1080, 1920}}) {
        const std::string size = std::to_string(w) + "x" + std::to_string(h);
        Kiosk k(x, site.config, tmp.path(), w, h);
        auto shot = [&](const std::string& name) {
            checkTouchTargets(k);
            k.screenshot(screenshotDir() / (size + "-" + name + ".png"));
        };
        shot("home");
        k.cmd("tap home.report");
        shot("category");
        k.cmd("tap category:homework");
        shot("field");
        advanceTo(k, "description");
        shot("keyboard");
        k.quit();
    }
}

TEST_CASE("bad configuration: refuses to start, naming the file and the fix", "[ui][config]") {
    TempDir tmp("minsheng-ui");
    Site site(tmp.path());
    const std::string good = test::readFile(site.config);
    auto start = [&](const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"--config", site.config.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        // No DISPLAY: every check happens before a window would open.
        return test::runProcess(test::binary("minsheng-kiosk"), args, {}, {{"DISPLAY", ""}});
    };
    SECTION("missing font") {
        test::writeFile(site.config, good + "\n[ui]\nfont = \"/nonexistent/font.ttc\"\n");
        auto r = start();
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains("/nonexistent/font.ttc") &&
                              Catch::Contains("fonts-wqy-microhei"));
    }
    SECTION("missing form file") {
        fs::remove(site.bundle / "forms" / "survey.toml");
        auto r = start();
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains("survey.toml") && Catch::Contains("[forms]"));
    }
    SECTION("unknown category icon") {
        std::string form = test::readFile(site.bundle / "forms" / "complaint.toml");
        const auto pos = form.find("icon = \"refund\"");
        REQUIRE(pos != std::string::npos);
        form.replace(pos, 15, "icon = \"refnud\"");
        test::writeFile(site.bundle / "forms" / "complaint.toml", form);
        auto r = start();
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains("complaint.toml:") && Catch::Contains("refnud") &&
                              Catch::Contains("Use one of"));
    }
    SECTION("automation without automation = true") {
        std::string text = good;
        text.replace(text.find("automation = true"), 17, "automation = false");
        test::writeFile(site.config, text);
        auto r = start({"--automation", (tmp / "a.sock").string()});
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains("automation = true"));
    }
    SECTION("the shipped example values on a kiosk that is not a demonstration") {
        std::string text = good;
        const auto demo = text.find("\ndemo = true\n");
        REQUIRE(demo != std::string::npos);
        text.erase(demo, 13);
        test::writeFile(site.config, text);
        auto r = start({"--check"});
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains(site.config.string() + ": [contact] hotline") &&
                              Catch::Contains("0000-12345678") && Catch::Contains("demo = true"));
    }
    SECTION("the good configuration passes --check") {
        auto r = start({"--check"});
        INFO(r.err);
        CHECK(r.exitCode == 0);
    }
}
