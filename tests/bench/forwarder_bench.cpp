// Backlog drain benchmark (forwarder issue): how long one kiosk takes to deliver a backlog of
// queued envelopes to the real county intake server on loopback.
//
// Sets up a county (`minsheng-county init`), provisions a kiosk, appends N envelopes to its
// outbox through SubmissionDesk (complaints and surveys alternately), starts
// `minsheng-county serve` on 127.0.0.1 and times `minsheng-kiosk sync --once` from start to
// exit: batches of 64, two in flight on two kept-alive TLS connections, every acknowledgement
// verified and stored with synchronous=FULL. Prints figures; asserts only that everything was
// delivered. Usage: minsheng-bench-forwarder [--json] [--envelopes N] [--batch-size B]   (default
// 10000, 64) JSON names: envelopes, queue_s (queueing them), drain_s (sync --once start→exit), and
// drain_10000_s (drain_s scaled to 10,000 envelopes, so small runs report the same name).
#include "crypto/sodium.hpp"
#include "tests/bench/bench_report.hpp"
#include "tests/support/e2e_support.hpp"
#include "tests/support/run_process.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

using namespace minsheng;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    bench::Report report("minsheng-bench-forwarder",
                         "backlog drain of one kiosk to the real intake server over loopback TLS");
    int envelopes = 10000;
    int batch = 64;
    report.option("--envelopes", "N", "envelopes queued and drained", envelopes);
    report.option("--batch-size", "B", "envelopes per batch (sync --batch-size)", batch);
    if (auto rc = report.parse(argc, argv))
        return *rc;
    crypto::initSodium();
    try {
        test::E2eSite site;
        test::CountyServer server(site.county, site.tmp.path());
        site.pointKioskAt(server.start());

        const auto t0 = Clock::now();
        site.submitMany(envelopes);
        const double submitSeconds = std::chrono::duration<double>(Clock::now() - t0).count();

        const auto t1 = Clock::now();
        test::Child sync(test::binary("minsheng-kiosk"),
                         {"sync", "--config", site.config.string(), "--once", "--batch-size",
                          std::to_string(batch), "--give-up-after", "600"},
                         site.tmp / "sync.out", site.tmp / "sync.err");
        const auto rc = sync.wait(std::chrono::minutes(30));
        const double drainSeconds = std::chrono::duration<double>(Clock::now() - t1).count();
        if (rc != 0) {
            std::cerr << "sync --once failed:\n" << sync.err();
            return report.finish(1);
        }
        const auto st = site.outboxStats();
        const auto held = site.serverEnvelopes(server.port()).size();
        if (st.pendingCount != 0 || held != static_cast<std::size_t>(envelopes)) {
            std::cerr << "not all delivered: pending " << st.pendingCount << ", server holds "
                      << held << "\n";
            return report.finish(1);
        }
        std::fprintf(report.text(), "backlog drain, one kiosk, loopback, real intake server\n");
        std::fprintf(report.text(), "  envelopes                 %d (batches of %d)\n", envelopes,
                     batch);
        std::fprintf(report.text(), "  queueing them (submit)    %.2f s\n", submitSeconds);
        std::fprintf(report.text(),
                     "  sync --once, start→exit   %.2f s  (%.0f envelopes/s, %.2f ms each)\n",
                     drainSeconds, envelopes / drainSeconds, 1000.0 * drainSeconds / envelopes);
        std::fprintf(report.text(), "  outbox pending after      %llu; server holds %zu\n",
                     static_cast<unsigned long long>(st.pendingCount), held);
        report.figure("envelopes", envelopes);
        report.figure("batch_size", batch);
        report.figure("queue_s", submitSeconds);
        report.figure("drain_s", drainSeconds);
        report.figure("drain_10000_s", drainSeconds * 10000.0 / envelopes);
    } catch (const std::exception& e) {
        std::cerr << "minsheng-bench-forwarder: " << e.what() << "\n";
        return report.finish(2);
    }
    return report.finish();
}
