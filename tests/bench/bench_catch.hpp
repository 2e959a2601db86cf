// Runs a benchmark written as a hidden Catch2 test case (one that drives the UI harness, whose
// checks are Catch assertions) under the shared benchmark command line of bench_report.hpp.
//
// Include this header first, in the benchmark's only translation unit, and do not link
// minsheng_catch_main: it compiles Catch's runner here. The test case records its figures on
// `bench::report()`; main is
//
//   int main(int argc, char** argv) {
//       bench::Report report("minsheng-bench-ui", "...");
//       report.option("--rounds", "N", "...", g_rounds);
//       return bench::runCatchBench(report, argc, argv, "[.bench]");
//   }
//
// Under --json Catch's own output goes to stderr so stdout holds only the JSON object.
#pragma once

#define CATCH_CONFIG_RUNNER
#include "tests/bench/bench_report.hpp"

#include <catch2/catch.hpp>

#include <vector>

namespace minsheng::bench {

namespace detail {
inline Report*& activeReport() {
    static Report* report = nullptr; // set once by runCatchBench before any test case runs
    return report;
}
} // namespace detail

// The report of the running benchmark; only valid inside a test case run by runCatchBench.
inline Report& report() {
    return *detail::activeReport();
}

// Parses the command line (`--help` exits here without measuring), runs the test cases matching
// `tag`, and prints the report. Returns the process exit status.
inline int runCatchBench(Report& report, int argc, char** argv, const char* tag) {
    if (auto rc = report.parse(argc, argv))
        return *rc;
    detail::activeReport() = &report;
    std::vector<const char*> args{argv[0], tag};
    if (report.json()) {
        args.push_back("--out");
        args.push_back("/dev/stderr");
    }
    Catch::Session session;
    if (session.applyCommandLine(static_cast<int>(args.size()), args.data()) != 0)
        return 2;
    const int failures = session.run();
    return report.finish(failures == 0 ? 0 : 1);
}

} // namespace minsheng::bench
