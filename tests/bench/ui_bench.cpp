// minsheng-bench-ui: what the touch window costs, under Xvfb with Mesa's llvmpipe.
//
//   idle CPU on the home screen over MINSHENG_BENCH_IDLE_SECONDS (default 60; target ≤ 1 %)
//   frame time p50/p95 during a scripted report at 1920×1080 (target p95 ≤ 33 ms)
//   time from start to the first frame (target ≤ 1 s) and to the automation socket
//   peak RSS (target ≤ 150 MB), font atlas size
//
// Not part of ctest (the test case is hidden); run build/tests/bench/minsheng-bench-ui.
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace minsheng::test::ui;
using nlohmann::json;

namespace {

double cpuSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15; ++i) {
        rest >> field;
        if (i == 14)
            utime = std::stol(field);
        else if (i == 15)
            stime = std::stol(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

} // namespace

TEST_CASE("touch window figures", "[.bench]") {
    const char* env = std::getenv("MINSHENG_BENCH_IDLE_SECONDS");
    const double idleSeconds = env ? std::atof(env) : 60.0;
    minsheng::test::TempDir tmp("minsheng-bench-ui");
    Site site(tmp.path());
    XServer x;
    const auto t0 = std::chrono::steady_clock::now();
    Kiosk k(x, site.config, tmp.path());
    const double socketMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const json first = k.cmd("stats");

    // Idle: the home screen, no input.
    const double c0 = cpuSeconds(k.pid());
    std::this_thread::sleep_for(std::chrono::duration<double>(idleSeconds));
    const double c1 = cpuSeconds(k.pid());
    const json afterIdle = k.cmd("stats");

    // A scripted report, one key at a time, as a parent would type it.
    k.cmd("stats reset");
    auto tap = [&](const std::string& id) {
        REQUIRE(k.cmd("tap " + id)["ok"] == true);
    };
    tap("home.report");
    tap("list.next");
    tap("category:other");
    for (int guard = 0; guard < 30 && k.dump()["field"] != "description"; ++guard) {
        if (k.dump()["field"] == "address_detail")
            for (char c : std::string("building 3 unit 2"))
                k.cmd(std::string("type ") + c);
        tap("next");
    }
    for (char c : std::string("weekend tutoring in flat 301 by a school teacher"))
        tap(c == ' ' ? std::string("key:space") : "key:" + std::string(1, c));
    tap("next");
    tap("next");
    tap("next");
    tap("submit");
    k.waitScreen("receipt");
    const json report = k.cmd("stats");
    k.quit();

    std::printf("minsheng-bench-ui (Xvfb 1920x1080, LIBGL_ALWAYS_SOFTWARE=1, llvmpipe)\n");
    std::printf("  start → automation socket:     %8.0f ms\n", socketMs);
    std::printf("  start → first frame presented: %8.0f ms   (target ≤ 1000)\n",
                first["first_frame_ms"].get<double>());
    std::printf("  idle CPU on home, %.0f s:        %8.2f %% of one core   (target ≤ 1)\n",
                idleSeconds, 100.0 * (c1 - c0) / idleSeconds);
    std::printf("  frames drawn while idle:       %8d\n",
                afterIdle["frames"].get<int>() - first["frames"].get<int>());
    std::printf("  report: frames %d, frame time p50 %.1f ms, p95 %.1f ms   (target p95 ≤ 33)\n",
                report["frame_samples"].get<int>(), report["frame_ms_p50"].get<double>(),
                report["frame_ms_p95"].get<double>());
    std::printf("  peak RSS:                      %8.1f MB   (target ≤ 150)\n",
                report["peak_rss_kb"].get<double>() / 1024.0);
    std::printf("  font atlas:                    %d x %d, %d glyphs at %.0f px\n",
                report["atlas"][0].get<int>(), report["atlas"][1].get<int>(),
                report["glyphs"].get<int>(), report["font_px"].get<double>());
}
