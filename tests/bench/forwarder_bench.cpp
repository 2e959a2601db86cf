// Backlog drain benchmark (forwarder issue): how long one kiosk takes to deliver a backlog of
// queued envelopes to the real county intake server on loopback.
//
// Sets up a county (`minsheng-county init`), provisions a kiosk, appends N envelopes to its
// outbox through SubmissionDesk (complaints and surveys alternately), starts
// `minsheng-county serve` on 127.0.0.1 and times `minsheng-kiosk sync --once` from start to
// exit: batches of 64 over one kept-alive TLS connection, every acknowledgement verified and
// stored with synchronous=FULL. Prints figures; asserts only that everything was delivered.
// Usage: minsheng-bench-forwarder [--envelopes N] [--batch-size B]   (default 10000, 64)
#include "crypto/sodium.hpp"
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
    crypto::initSodium();
    int envelopes = 10000;
    int batch = 64;
    for (int i = 1; i + 1 < argc; i += 2)
        if (std::strcmp(argv[i], "--envelopes") == 0)
            envelopes = std::atoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--batch-size") == 0)
            batch = std::atoi(argv[i + 1]);
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
            return 1;
        }
        const auto st = site.outboxStats();
        const auto held = site.serverEnvelopes(server.port()).size();
        if (st.pendingCount != 0 || held != static_cast<std::size_t>(envelopes)) {
            std::cerr << "not all delivered: pending " << st.pendingCount << ", server holds "
                      << held << "\n";
            return 1;
        }
        std::printf("backlog drain, one kiosk, loopback, real intake server\n");
        std::printf("  envelopes                 %d (batches of %d)\n", envelopes, batch);
        std::printf("  queueing them (submit)    %.2f s\n", submitSeconds);
        std::printf("  sync --once, start→exit   %.2f s  (%.0f envelopes/s, %.2f ms each)\n",
                    drainSeconds, envelopes / drainSeconds, 1000.0 * drainSeconds / envelopes);
        std::printf("  outbox pending after      %llu; server holds %zu\n",
                    static_cast<unsigned long long>(st.pendingCount), held);
    } catch (const std::exception& e) {
        std::cerr << "minsheng-bench-forwarder: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
