// The pinyin keyboard end to end: the real minsheng-kiosk under Xvfb, every key and candidate
// tapped with real X11 clicks (xdotool) at the rectangles of the automation `dump`; what was
// committed checked where it lands (the county's decryption of the exported envelope), and the
// font atlas checked to grow for a character it did not start with.
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <stb_image.h>

#include <chrono>
#include <thread>

using namespace minsheng::test::ui;
using minsheng::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// Taps letter keys one by one (the keyboard stays in 中: they compose pinyin).
void tapLetters(Kiosk& k, const std::string& letters) {
    for (char c : letters)
        k.click("key:" + std::string(1, c));
}

/// The candidate bar as it is on screen: labels of the visible `cand:<i>` widgets by index.
std::map<int, std::string> visibleCandidates(Kiosk& k) {
    std::map<int, std::string> out;
    for (const auto& [id, label] : k.widgetsWithPrefix("cand:"))
        out[std::stoi(id.substr(5))] = label;
    return out;
}

/// Taps 中/英 until the keyboard is in 中 (it starts there in a Chinese session).
void ensureChinese(Kiosk& k) {
    if (k.widget("key:lang")["label"] != "中")
        k.click("key:lang");
    REQUIRE(k.widget("key:lang")["label"] == "中");
}

/// The report's description field, its keyboard in 中.
void toDescription(Kiosk& k) {
    k.openDescription();
    ensureChinese(k);
}

/// Taps cand.next until candidate `index` is on screen, then taps it.
void tapCandidate(Kiosk& k, int index) {
    for (int page = 0; page < 30 && !visibleCandidates(k).contains(index); ++page)
        k.click("cand.next");
    REQUIRE(visibleCandidates(k).contains(index));
    k.click("cand:" + std::to_string(index));
}

} // namespace

TEST_CASE("woyaotousu tapped on the keys commits 我要投诉, which reaches the county intact",
          "[ui][pinyin][e2e]") {
    KioskTestRun run("minsheng-ui-pinyin");
    Kiosk& k = run.kiosk;
    toDescription(k);
    tapLetters(k, "woyaotousu");
    const auto cands = visibleCandidates(k);
    int found = -1;
    for (const auto& [i, label] : cands)
        if (label == "我要投诉")
            found = i;
    INFO(k.dump()["widgets"].dump());
    REQUIRE(found >= 0);
    CHECK(k.dump()["missing_glyphs"] == 0);
    k.screenshot(screenshotDir() / "pinyin-candidates.png");
    k.click("cand:" + std::to_string(found));
    CHECK(visibleCandidates(k).empty());
    CHECK(k.labelsContain("我要投诉"));
    // Punctuation from the symbols page, then on to the receipt.
    k.click("key:symbols");
    k.click("key:，");
    k.click("key:symbols");
    tapLetters(k, "tuifei");
    k.click("key:space"); // space commits the first candidate
    CHECK(k.labelsContain("我要投诉，退费"));
    k.click("next");
    for (int guard = 0; guard < 10 && k.dump()["screen"] == "field"; ++guard)
        k.click("next");
    k.submitFromPrivacy();
    k.click("receipt.noted");
    k.click("finish");
    k.waitScreen("home");
    k.quit();
    const auto opened = run.site.exportAndOpen();
    REQUIRE(opened.size() == 1);
    CHECK(opened[0]["status"] == "ok");
    CHECK(opened[0]["answers"]["description"] == "我要投诉，退费");
}

TEST_CASE("the domain words come first: shuangjian → 双减, youchangbuke → 有偿补课",
          "[ui][pinyin]") {
    KioskTestRun run("minsheng-ui-pinyin");
    Kiosk& k = run.kiosk;
    toDescription(k);
    tapLetters(k, "shuangjian");
    CHECK(visibleCandidates(k)[0] == "双减");
    k.click("cand:0");
    tapLetters(k, "youchangbuke");
    CHECK(visibleCandidates(k)[0] == "有偿补课");
    k.click("cand:0");
    CHECK(k.labelsContain("双减有偿补课"));
    // Backspace goes through the composition first, then the field.
    tapLetters(k, "zuoyea");
    k.click("key:backspace");
    CHECK(visibleCandidates(k)[0] == "作业");
    for (int i = 0; i < 5; ++i)
        k.click("key:backspace");
    CHECK(visibleCandidates(k).empty());
    k.click("key:backspace");
    CHECK(k.labelsContain("双减有偿补"));
    CHECK_FALSE(k.labelsContain("双减有偿补课"));
    // 英 types the letters as they are.
    k.click("key:lang");
    tapLetters(k, "ok");
    CHECK(k.labelsContain("双减有偿补ok"));
    k.quit();
}

TEST_CASE("after an idle reset the same pinyin offers nothing learnt from the last person",
          "[ui][pinyin][idle]") {
    KioskTestRun run("minsheng-ui-pinyin", {}, 15); // the configuration's minimum idle timeout
    Kiosk& k = run.kiosk;
    toDescription(k);
    tapLetters(k, "shi");
    const auto before = visibleCandidates(k);
    REQUIRE(before.size() >= 3);
    // The last person picks a character from the third page and builds a phrase of their own.
    k.click("cand.next");
    k.click("cand.next");
    const auto page3 = visibleCandidates(k);
    REQUIRE_FALSE(page3.empty());
    const auto [chosenIndex, chosen] = *page3.rbegin();
    k.click("cand:" + std::to_string(chosenIndex));
    CHECK(k.labelsContain(chosen));
    tapLetters(k, "shi");
    tapCandidate(k, chosenIndex);
    k.waitScreen("home", 120); // the idle wipe (its timing is the flow's, checked elsewhere)
    CHECK(k.dump()["answers"] == 0);
    toDescription(k);
    tapLetters(k, "shi");
    CHECK(visibleCandidates(k) == before);
    CHECK_FALSE(k.labelsContain(chosen + chosen));
    k.quit();
}

TEST_CASE("a character outside the start-up atlas renders once committed", "[ui][pinyin][font]") {
    KioskTestRun run("minsheng-ui-pinyin");
    Kiosk& k = run.kiosk;
    const json before = k.cmd("stats");
    INFO(before.dump());
    CHECK(before["atlas"][0].get<int>() <= 2048);
    CHECK(before["atlas"][1].get<int>() <= 2048);
    CHECK(before["glyphs"].get<int>() >= 8105);
    CHECK(before["atlas_rebuilds"] == 0);
    toDescription(k);
    // 侒 (U+4F92, "an"): neither GB2312 nor among the pinyin engine's first candidates, so not
    // in the start-up set; luna_pinyin_simp offers it further down the list for "an".
    tapLetters(k, "an");
    int index = -1;
    for (int page = 0; page < 30 && index < 0; ++page) {
        for (const auto& [i, label] : visibleCandidates(k))
            if (label == "侒")
                index = i;
        if (index < 0)
            k.click("cand.next");
    }
    REQUIRE(index >= 0);
    const json shown = k.cmd("stats"); // offered as a candidate: the atlas grew already
    CHECK(shown["atlas_rebuilds"].get<int>() >= 1);
    CHECK(shown["glyphs"].get<int>() > before["glyphs"].get<int>());
    CHECK(shown["atlas"][1].get<int>() <= 2048);
    k.click("cand:" + std::to_string(index));
    const json d = k.dump();
    CHECK(d["missing_glyphs"] == 0);
    REQUIRE(k.labelsContain("侒"));
    // The text box starts at the content's left edge, level with the 清除 (clear) button; the
    // character is its only text. Its region must hold dark (text) pixels on the white box.
    const json clear = k.widget("clear");
    const fs::path png = screenshotDir() / "pinyin-atlas-grew.png";
    k.screenshot(png);
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 3);
    REQUIRE(px != nullptr);
    const int y0 = clear["y"].get<int>();
    int dark = 0;
    for (int y = y0 + 8; y < y0 + clear["h"].get<int>() - 4 && y < h; ++y) {
        for (int x = 40; x < 40 + 60 && x < w; ++x) {
            const unsigned char* p = px + (static_cast<std::size_t>(y) * w + x) * 3;
            dark += (p[0] < 110 && p[1] < 110 && p[2] < 110) ? 1 : 0;
        }
    }
    stbi_image_free(px);
    CHECK(dark > 20);
    const json after = k.cmd("stats");
    INFO(after.dump());
    CHECK(after["atlas_rebuild_ms"].get<double>() > 0);
    k.quit();
}

TEST_CASE("the font atlas returns to its start-up glyph set after a session that grew it",
          "[ui][pinyin][font][wipe]") {
    KioskTestRun run("minsheng-ui-atlas-reset");
    Kiosk& k = run.kiosk;
    const int startup = k.cmd("stats")["glyphs"].get<int>();
    toDescription(k);
    // 侒 (U+4F92): not in the start-up set; shown among the candidates for "an".
    tapLetters(k, "an");
    int index = -1;
    for (int page = 0; page < 30 && index < 0; ++page) {
        for (const auto& [i, label] : visibleCandidates(k))
            if (label == "侒")
                index = i;
        if (index < 0)
            k.click("cand.next");
    }
    REQUIRE(index >= 0);
    k.click("cand:" + std::to_string(index));
    REQUIRE(k.labelsContain("侒"));
    const int grown = k.cmd("stats")["glyphs"].get<int>();
    INFO("start-up " << startup << ", grown " << grown);
    CHECK(grown > startup);
    k.click("start_over");
    k.waitScreen("home");
    // Rebaked between frames once the home screen is idle: a few frames at most.
    int afterWipe = grown;
    for (int frame = 0; frame < 50 && afterWipe != startup; ++frame) {
        k.dump();
        afterWipe = k.cmd("stats")["glyphs"].get<int>();
    }
    INFO("after the wipe " << afterWipe);
    CHECK(afterWipe == startup);
    // The start-up set still draws everything the kiosk shows.
    CHECK(k.dump()["missing_glyphs"] == 0);
    // And the next parent can still have the character: it grows again on demand.
    toDescription(k);
    tapLetters(k, "an");
    for (int page = 0; page < 30 && !k.labelsContain("侒"); ++page)
        k.click("cand.next");
    CHECK(k.labelsContain("侒"));
    CHECK(k.cmd("stats")["glyphs"].get<int>() > startup);
    k.quit();
}
