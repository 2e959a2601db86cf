// Handwriting and read-aloud end to end: the real minsheng-kiosk under Xvfb. A stroke is drawn
// on the pad with real X11 mouse press, moves and release (xdotool), and the recognised
// candidate is tapped into the field; the speaker button is tapped where there is no audio
// device (this machine has none) and the kiosk carries on.
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace minsheng::test::ui;
using minsheng::test::TempDir;
using nlohmann::json;

namespace {

/// The handwriting candidates on screen, in order (`hw:<index>`).
std::vector<std::string> candidates(Kiosk& k) {
    std::vector<std::string> out;
    for (const auto& [id, label] : k.widgetsWithPrefix("hw:"))
        out.push_back(label);
    return out;
}

/// A horizontal stroke across the middle of the pad: press, eight moves, release, each X
/// event followed by a frame (the dump) as a finger on a touchscreen would give them.
void drawYi(const XServer& x, Kiosk& k) {
    const json d = k.dump();
    const json pad = k.widget("hw.pad");
    const int x0 = d["window"]["x"].get<int>() + pad["x"].get<int>();
    const int y0 = d["window"]["y"].get<int>() + pad["y"].get<int>();
    const int w = pad["w"].get<int>();
    const int h = pad["h"].get<int>();
    auto xdo = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "xdotool");
        REQUIRE(runWithDisplay(x.display(), args) == 0);
        k.dump();
    };
    const int y = y0 + h / 2;
    xdo({"mousemove", std::to_string(x0 + w * 15 / 100), std::to_string(y)});
    xdo({"mousedown", "1"});
    for (int i = 1; i <= 8; ++i)
        xdo({"mousemove", std::to_string(x0 + w * (15 + i * 9) / 100), std::to_string(y)});
    xdo({"mouseup", "1"});
}

} // namespace

TEST_CASE("handwriting: a stroke drawn on the pad offers 一, and tapping it types it",
          "[ui][handwriting]") {
    KioskTestRun run("minsheng-ui-hw");
    Kiosk& k = run.kiosk;
    k.openDescription();
    k.click("key:handwriting");
    const json pad = k.widget("hw.pad");
    CHECK(pad["h"].get<int>() >= 64);
    CHECK(candidates(k).empty());
    CHECK_FALSE(k.widget("hw.clear")["enabled"].get<bool>());
    drawYi(run.x, k);
    // The release reaches the window as an X event of its own; give it a few frames.
    auto found = candidates(k);
    for (int frames = 0; frames < 20 && found.empty(); ++frames)
        found = candidates(k);
    INFO(k.dump()["widgets"].dump());
    REQUIRE_FALSE(found.empty());
    std::size_t at = 0;
    while (at < found.size() && found[at] != "一")
        ++at;
    REQUIRE(at < 3);
    const json d = k.dump();
    for (const auto& w : d["widgets"]) {
        const std::string id = w["id"];
        if (id.rfind("hw", 0) == 0 || id == "key:handwriting" || id == "speak")
            CHECK(w["h"].get<int>() >= 64);
    }
    k.screenshot(screenshotDir() / "handwriting-pad.png");
    k.click("hw:" + std::to_string(at));
    CHECK(candidates(k).empty());
    CHECK(k.dump()["answers"].get<int>() >= 1);
    CHECK(k.labelsContain("一"));
    // Back to the keyboard, and the pad's ink went with the choice.
    k.click("key:handwriting");
    k.widget("key:a");
    k.quit();
}

TEST_CASE("read-aloud: the speaker button on a machine without audio is silent and harmless",
          "[ui][speech]") {
    KioskTestRun run("minsheng-ui-speak");
    Kiosk& k = run.kiosk;
    CHECK(k.widget("speak")["h"].get<int>() >= 64);
    k.click("speak"); // on: reads Home
    k.click("home.report");
    k.waitScreen("category"); // a new screen is read; the tap interrupted the last one
    k.widget("speak");
    k.click("speak"); // off
    k.click("speak"); // on again
    CHECK(k.dump()["ok"] == true);
    k.quit();
}
