// minsheng-bench-pinyin: what the pinyin keyboard costs.
//
//   keystroke → candidates latency p50/p99 of PinyinInputMethod (in process, the build's
//     deployed data) over a corpus of typical report phrases typed letter by letter, and the
//     same through the input-method helper as the window uses it (HelperInputMethod talking to
//     `minsheng-kiosk ime-helper`: one round trip over the socket per key)
//   the helper: start (spawn until ready) and a session wipe (end the used helper, start the next)
//   engine start (first open) and a session reset
//   the touch window under Xvfb with and without the input method ([input] pinyin): start to
//     first frame, start-up atlas build time, atlas size and glyphs, peak RSS; the pause of an
//     atlas rebuild for a character outside the start-up set
//
// Not part of ctest except a smoke run with --rounds 1; run build/tests/bench/minsheng-bench-pinyin
// [--json] [--rounds N]. JSON names: keys, key_p50_ms, key_p99_ms, key_max_ms, key_cpu_p99_ms,
// helper_key_p50_ms, helper_key_p99_ms, helper_key_max_ms, engine_open_ms, reset_p50_ms,
// helper_start_ms, wipe_p50_ms, wipe_max_ms, first_frame_ms, first_frame_no_ime_ms, atlas_build_ms,
// atlas_build_no_ime_ms, peak_rss_mb, peak_rss_no_ime_mb, peak_rss_after_rebuild_mb, glyphs,
// atlas_rebuild_ms.
#include "tests/bench/bench_catch.hpp"

#include "kiosk/core/ime_client.hpp"
#include "kiosk/core/pinyin_input_method.hpp"
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

using namespace minsheng::test::ui;
using namespace minsheng::kiosk;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

int g_rounds = 20; // set from --rounds before the test case runs

// Typical report phrases, as a parent would type them: pinyin without tones, one phrase at a
// time, committed with the first candidate.
const char* const kCorpus[] = {
    "woyaotousu",        "youchangbuke",   "zaizhijiaoshi",
    "xiaowaipeixun",     "peixunjigou",    "zhoumoshangke",
    "shuangjian",        "yiduiyi",        "gaoduanjiazheng",
    "zhongchousijiao",   "tuifeinan",      "yushoufei",
    "jigoupaolule",      "zuoyetaiduo",    "meitianzuoyechaoguoyigexiaoshi",
    "kehoufuwu",         "luanshoufei",    "laoshianshibuke",
    "juminlouli",        "xiaoquyouren",   "xingqiliuxiawu",
    "hanjiabuke",        "shujiabanban",   "yinxingbianyi",
    "huanmajia",         "xiaoyuanqiling", "womenbuganshuo",
    "qingbangwomenchuli"};

class Sink final : public TextTarget {
public:
    void insert(std::string_view s) override { n += s.size(); }
    void backspace() override {}
    bool multiline() const override { return false; }
    std::size_t n = 0;
};

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

/// CPU time of this thread: on a loaded machine the wall time of a keystroke includes the
/// time other processes had the core, its CPU time only the engine's own work.
double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double pct(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))];
}

struct WindowFigures {
    double socketMs = 0;
    json stats;
};

struct KeyFigures {
    std::vector<double> key;
    std::vector<double> keyCpu; // this thread's CPU time (in process: the engine's own work)
    std::vector<double> resets;
    std::size_t letters = 0;
};

/// Types the corpus `rounds` times, committing each phrase with space; `endOfRound` runs after
/// each round (timed as a reset).
KeyFigures typeCorpus(InputMethod& ime, int rounds, const std::function<void()>& endOfRound) {
    KeyFigures f;
    Sink sink;
    for (int r = 0; r < rounds; ++r) {
        for (const char* phrase : kCorpus) {
            for (const char* c = phrase; *c; ++c) {
                const auto a = Clock::now();
                const double cpu = threadCpuMs();
                ime.feed(ImeKey{ImeKey::Kind::Text, std::string_view(c, 1)}, sink);
                f.key.push_back(ms(Clock::now() - a)); // includes fetching up to 90 candidates
                f.keyCpu.push_back(threadCpuMs() - cpu);
                ++f.letters;
            }
            REQUIRE(ime.candidateCount() > 0);
            ime.feed(ImeKey{ImeKey::Kind::Space, {}}, sink);
        }
        const auto a = Clock::now();
        endOfRound();
        f.resets.push_back(ms(Clock::now() - a));
    }
    return f;
}

WindowFigures runWindow(bool pinyin) {
    minsheng::test::TempDir tmp("minsheng-bench-pinyin");
    Site site(tmp.path(), pinyin ? "" : "\n[input]\npinyin = false\n");
    XServer x;
    const auto t0 = Clock::now();
    Kiosk k(x, site.config, tmp.path());
    WindowFigures f;
    f.socketMs = ms(Clock::now() - t0);
    f.stats = k.cmd("stats");
    if (pinyin) {
        // A character outside the start-up set: 侒 is offered for "an" (see pinyin_ui_test).
        k.cmd("tap home.report");
        k.cmd("tap list.next");
        k.cmd("tap category:other");
        for (int guard = 0; guard < 30 && k.dump()["field"] != "description"; ++guard)
            k.cmd("tap next");
        k.cmd("type an");
        json grown = k.cmd("stats");
        for (int page = 0; page < 10 && grown["atlas_rebuilds"] == 0; ++page) {
            k.cmd("tap cand.next"); // page on until a character outside the atlas is shown
            grown = k.cmd("stats");
        }
        f.stats["atlas_rebuild_ms"] = grown["atlas_rebuild_ms"];
        f.stats["atlas_rebuilds"] = grown["atlas_rebuilds"];
        f.stats["glyphs_after"] = grown["glyphs"];
        f.stats["peak_rss_kb_after_rebuild"] = grown["peak_rss_kb"];
    }
    k.quit();
    return f;
}

} // namespace

TEST_CASE("pinyin keyboard figures", "[.bench]") {
    const int rounds = g_rounds;
    const auto t0 = Clock::now();
    auto opened = PinyinInputMethod::open(minsheng::test::binaryDir() / "rime");
    const double openMs = ms(Clock::now() - t0);
    REQUIRE(opened.ok());
    PinyinInputMethod& ime = **opened;
    const KeyFigures inProcess = typeCorpus(ime, rounds, [&] { ime.reset(); });
    opened.value().reset();

    // Through the helper, as the window runs it.
    const auto s0 = Clock::now();
    auto client = std::make_shared<ImeHelperClient>(
        execImeHelper({minsheng::test::binary("minsheng-kiosk").string(), "ime-helper",
                       "--rime-data", (minsheng::test::binaryDir() / "rime").string()}));
    REQUIRE(client->ready().ok());
    const double helperStartMs = ms(Clock::now() - s0);
    HelperInputMethod viaHelper(client);
    // Each round is a session: the wipe ends the helper and starts the next, whose start-up
    // (the ready wait) the next round's first key absorbs unless the kiosk was idle meanwhile,
    // as it is after a real wipe. Wait for it here so keys measure a ready helper.
    const KeyFigures helper = typeCorpus(viaHelper, rounds, [&] {
        viaHelper.endSession();
        REQUIRE(client->ready().ok());
    });
    std::vector<double> wipes;
    for (int i = 0; i < 5; ++i) {
        Sink sink;
        viaHelper.feed(ImeKey{ImeKey::Kind::Text, "a"}, sink);
        const auto a = Clock::now();
        viaHelper.endSession(); // what the UI thread pays at a wipe
        wipes.push_back(ms(Clock::now() - a));
        REQUIRE(client->ready().ok());
    }
    const WindowFigures with = runWindow(true);
    const WindowFigures without = runWindow(false);
    auto mb = [](const json& s) {
        return s["peak_rss_kb"].get<double>() / 1024.0;
    };
    std::fprintf(minsheng::bench::report().text(),
                 "minsheng-bench-pinyin (librime 1.8.5, luna_pinyin_simp + minsheng_pinyin)\n");
    std::fprintf(minsheng::bench::report().text(),
                 "  keystroke → candidates, in process: %zu keys, p50 %.2f ms, p99 %.2f ms, max "
                 "%.2f ms\n",
                 inProcess.letters, pct(inProcess.key, 0.5), pct(inProcess.key, 0.99),
                 pct(inProcess.key, 1.0));
    std::fprintf(
        minsheng::bench::report().text(),
        "  keystroke → candidates, through the helper: %zu keys, p50 %.2f ms, p99 %.2f ms, "
        "max %.2f ms\n",
        helper.letters, pct(helper.key, 0.5), pct(helper.key, 0.99), pct(helper.key, 1.0));
    std::fprintf(minsheng::bench::report().text(),
                 "  keystroke CPU time in process (this thread): p50 %.2f ms, p99 %.2f ms, max "
                 "%.2f ms\n",
                 pct(inProcess.keyCpu, 0.5), pct(inProcess.keyCpu, 0.99),
                 pct(inProcess.keyCpu, 1.0));
    std::fprintf(minsheng::bench::report().text(),
                 "  engine start (first open): %.0f ms; session reset p50 %.2f ms\n", openMs,
                 pct(inProcess.resets, 0.5));
    std::fprintf(minsheng::bench::report().text(),
                 "  helper start (spawn until ready): %.0f ms; wipe (end the used helper, spawn "
                 "the next) p50 %.2f ms, max %.2f ms\n",
                 helperStartMs, pct(wipes, 0.5), pct(wipes, 1.0));
    std::fprintf(minsheng::bench::report().text(),
                 "  window (Xvfb 1920x1080, llvmpipe)      with IME   without IME\n");
    std::fprintf(minsheng::bench::report().text(),
                 "    start → automation socket   %8.0f ms  %8.0f ms\n", with.socketMs,
                 without.socketMs);
    std::fprintf(
        minsheng::bench::report().text(), "    start → first frame         %8.0f ms  %8.0f ms\n",
        with.stats["first_frame_ms"].get<double>(), without.stats["first_frame_ms"].get<double>());
    std::fprintf(
        minsheng::bench::report().text(), "    start-up atlas build        %8.0f ms  %8.0f ms\n",
        with.stats["atlas_build_ms"].get<double>(), without.stats["atlas_build_ms"].get<double>());
    std::fprintf(minsheng::bench::report().text(),
                 "    peak RSS at start-up        %8.1f MB  %8.1f MB   (target ≤ 150)\n",
                 mb(with.stats), mb(without.stats));
    std::fprintf(minsheng::bench::report().text(), "    peak RSS after an atlas rebuild %.1f MB\n",
                 with.stats["peak_rss_kb_after_rebuild"].get<double>() / 1024.0);
    std::fprintf(minsheng::bench::report().text(),
                 "  atlas %d x %d: %d glyphs (%d common at %.0f px, the rest at %.0f px)\n",
                 with.stats["atlas"][0].get<int>(), with.stats["atlas"][1].get<int>(),
                 with.stats["glyphs"].get<int>(), with.stats["common_glyphs"].get<int>(),
                 with.stats["common_px"].get<double>(), with.stats["font_px"].get<double>());
    std::fprintf(minsheng::bench::report().text(),
                 "  atlas rebuild for characters outside it: %.0f ms (%d rebuild(s), %d → %d "
                 "glyphs)\n",
                 with.stats["atlas_rebuild_ms"].get<double>(),
                 with.stats["atlas_rebuilds"].get<int>(), with.stats["glyphs"].get<int>(),
                 with.stats["glyphs_after"].get<int>());
    auto& report = minsheng::bench::report();
    report.figure("keys", static_cast<double>(inProcess.letters));
    report.figure("key_p50_ms", pct(inProcess.key, 0.5));
    report.figure("key_p99_ms", pct(inProcess.key, 0.99));
    report.figure("key_max_ms", pct(inProcess.key, 1.0));
    report.figure("key_cpu_p99_ms", pct(inProcess.keyCpu, 0.99));
    report.figure("helper_key_p50_ms", pct(helper.key, 0.5));
    report.figure("helper_key_p99_ms", pct(helper.key, 0.99));
    report.figure("helper_key_max_ms", pct(helper.key, 1.0));
    report.figure("helper_start_ms", helperStartMs);
    report.figure("wipe_p50_ms", pct(wipes, 0.5));
    report.figure("wipe_max_ms", pct(wipes, 1.0));
    report.figure("engine_open_ms", openMs);
    report.figure("reset_p50_ms", pct(inProcess.resets, 0.5));
    report.figure("first_frame_ms", with.stats["first_frame_ms"].get<double>());
    report.figure("first_frame_no_ime_ms", without.stats["first_frame_ms"].get<double>());
    report.figure("atlas_build_ms", with.stats["atlas_build_ms"].get<double>());
    report.figure("atlas_build_no_ime_ms", without.stats["atlas_build_ms"].get<double>());
    report.figure("peak_rss_mb", mb(with.stats));
    report.figure("peak_rss_no_ime_mb", mb(without.stats));
    report.figure("peak_rss_after_rebuild_mb",
                  with.stats["peak_rss_kb_after_rebuild"].get<double>() / 1024.0);
    report.figure("glyphs", with.stats["glyphs"].get<double>());
    report.figure("atlas_rebuild_ms", with.stats["atlas_rebuild_ms"].get<double>());
}

int main(int argc, char** argv) {
    minsheng::bench::Report report("minsheng-bench-pinyin",
                                   "pinyin keyboard latency and the window with and without it");
    report.option("--rounds", "N", "rounds over the phrase corpus", g_rounds);
    return minsheng::bench::runCatchBench(report, argc, argv, "[.bench]");
}
