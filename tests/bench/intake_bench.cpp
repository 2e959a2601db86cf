// Intake server benchmark (county issue).
//
// Starts the real `minsheng-county serve` on 127.0.0.1 and measures, in one run:
//   * intake throughput: envelopes per second verified (Ed25519) and durably stored
//     (SQLite WAL, synchronous=FULL, acknowledged after COMMIT) with N = 1, 4, 16 concurrent
//     kiosks, each on its own kept-alive TLS connection, batches of 1, 16 and 64 envelopes (64:
//     the most a kiosk's forwarder sends in one request);
//   * the raw libsodium Ed25519 verify rate of the same envelopes on one core in this process:
//     the ratio intake/verify is the figure we track (it factors out the machine). It is sampled
//     before every configuration and after the last (0.1 s or more each) and the median is
//     reported, so that a moment of load from other programs on a shared machine does not set
//     the baseline;
//   * the cost of a request (GET /healthz) on a new TLS connection vs on a reused one.
// Envelopes are signed, and each kiosk's TLS connection is set up, before the clock starts (a
// new connection's cost is the healthz figure); the kiosks then start together. Prints figures;
// asserts nothing about time.
// Usage: minsheng-bench-intake [--json] [--envelopes N]   (per configuration; default 2048)
// JSON names: verify_per_s (raw, one core), stored_per_s and stored_vs_verify_pct (the best
// configuration), stored_k<kiosks>_b<batch>_per_s for each configuration, healthz_new_us,
// healthz_reused_us.
#include "crypto/envelope.hpp"
#include "tests/bench/bench_report.hpp"
#include "tests/county/server/server_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <latch>
#include <string>
#include <thread>
#include <vector>

using namespace minsheng;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

} // namespace

int main(int argc, char** argv) {
    bench::Report report("minsheng-bench-intake",
                         "intake server throughput (verified + durably stored) vs raw verify");
    std::size_t perConfig = 2048;
    report.option("--envelopes", "N", "envelopes per configuration (at least 16)", perConfig);
    if (auto rc = report.parse(argc, argv))
        return *rc;
    perConfig = std::max<std::size_t>(16, perConfig);
    crypto::initSodium();

    bool allOk = true;
    test::TempDir tmp("minsheng-bench-intake");
    std::vector<std::string> ids;
    for (int i = 0; i < 16; ++i)
        ids.push_back("bench-" + std::to_string(i));
    test::TestCounty county(tmp.path(), ids);
    // Rate limits off: one address and a few kiosks send far more than a county's kiosks would.
    test::ServerProcess server(county.dir, tmp / "server.log", {"--posts-per-minute", "1e9"});
    std::vector<test::TestKiosk> kiosks;
    for (const auto& id : ids)
        kiosks.emplace_back(county, id);

    // Raw verify rate, one core: sampled now and around every configuration (median below).
    {
        std::vector<crypto::Envelope> sample;
        for (int i = 0; i < 64; ++i)
            sample.push_back(kiosks[0].make(1, {}));
        const auto pub = kiosks[0].key().publicKey();
        std::vector<double> verifyRates;
        std::size_t ok = 0, verified = 0;
        const auto sampleVerifyRate = [&] {
            const auto t0 = Clock::now();
            std::size_t n = 0;
            while (n < 2000 || Clock::now() - t0 < std::chrono::milliseconds(100)) {
                ok += crypto::verifyEnvelope(sample[n % sample.size()], pub).ok();
                ++n;
            }
            verified += n;
            verifyRates.push_back(static_cast<double>(n) / seconds(Clock::now() - t0));
        };
        const auto medianVerifyRate = [&] {
            auto sorted = verifyRates;
            std::sort(sorted.begin(), sorted.end());
            const std::size_t m = sorted.size() / 2;
            return sorted.size() % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
        };
        sampleVerifyRate();
        double best = 0;
        struct Row {
            std::size_t kiosks, batch, stored;
            double perSecond;
            bool failed;
        };
        std::vector<Row> rows;

        for (std::size_t batch : {std::size_t{1}, std::size_t{16}, std::size_t{64}}) {
            for (std::size_t nk : {std::size_t{1}, std::size_t{4}, std::size_t{16}}) {
                const std::size_t each = std::max<std::size_t>(batch, perConfig / nk);
                std::vector<std::vector<std::string>> bodies(nk);
                for (std::size_t k = 0; k < nk; ++k) {
                    std::vector<crypto::Envelope> pending;
                    for (std::size_t i = 0; i < each; ++i) {
                        pending.push_back(kiosks[k].next());
                        if (pending.size() == batch) {
                            bodies[k].push_back(test::batchJson(pending));
                            pending.clear();
                        }
                    }
                }
                std::atomic<std::size_t> stored{0};
                std::atomic<bool> failed{false};
                std::vector<std::unique_ptr<test::TestClient>> clients;
                for (std::size_t k = 0; k < nk; ++k) {
                    clients.push_back(
                        std::make_unique<test::TestClient>(server.port(), county.caFile()));
                    if (auto e = clients.back()->connect()) {
                        std::fprintf(stderr, "connect: %s\n", e->c_str());
                        failed = true;
                    }
                }
                sampleVerifyRate();
                std::latch start(static_cast<std::ptrdiff_t>(nk) + 1);
                std::vector<std::thread> threads;
                for (std::size_t k = 0; k < nk; ++k)
                    threads.emplace_back([&, k] {
                        test::TestClient& c = *clients[k];
                        start.arrive_and_wait();
                        for (const auto& body : bodies[k]) {
                            auto r = c.request("POST", "/v1/envelopes", body);
                            if (r.status != 200) {
                                failed = true;
                                return;
                            }
                            std::size_t pos = 0, n = 0;
                            while ((pos = r.body.find("\"stored\"", pos)) != std::string::npos) {
                                ++n;
                                ++pos;
                            }
                            stored += n;
                        }
                    });
                start.arrive_and_wait();
                const auto t1 = Clock::now();
                for (auto& t : threads)
                    t.join();
                const double wall = seconds(Clock::now() - t1);
                const double perSecond = static_cast<double>(stored) / wall;
                rows.push_back({nk, batch, stored.load(), perSecond, failed.load()});
                if (failed)
                    allOk = false;
                report.figure("stored_k" + std::to_string(nk) + "_b" + std::to_string(batch) +
                                  "_per_s",
                              perSecond);
                best = std::max(best, perSecond);
            }
        }
        sampleVerifyRate();
        const double rate = medianVerifyRate();
        report.figure("verify_per_s", rate);
        std::fprintf(report.text(),
                     "ed25519 envelope verify (1 KiB ciphertext, 1 core): %.0f /s, median of %zu "
                     "samples from %.0f to %.0f /s (%zu of %zu ok)\n",
                     rate, verifyRates.size(),
                     *std::min_element(verifyRates.begin(), verifyRates.end()),
                     *std::max_element(verifyRates.begin(), verifyRates.end()), ok, verified);
        std::fprintf(report.text(), "hardware threads: %u; server threads: default\n\n",
                     std::thread::hardware_concurrency());
        std::fprintf(report.text(), "%-8s %-6s %12s %14s %10s\n", "kiosks", "batch", "envelopes",
                     "stored/s", "vs verify");
        for (const Row& r : rows)
            std::fprintf(report.text(), "%-8zu %-6zu %12zu %14.0f %9.1f%%%s\n", r.kiosks, r.batch,
                         r.stored, r.perSecond, 100.0 * r.perSecond / rate,
                         r.failed ? "  (FAILED requests)" : "");
        report.figure("stored_per_s", best);
        report.figure("stored_vs_verify_pct", 100.0 * best / rate);
    }

    // TLS: a request on a new connection vs on a kept-alive one.
    {
        const int n = static_cast<int>(std::max<std::size_t>(50, perConfig / 16));
        auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            test::TestClient c(server.port(), county.caFile());
            c.request("GET", "/healthz");
        }
        const double fresh = seconds(Clock::now() - t0) / n * 1e6;
        test::TestClient c(server.port(), county.caFile());
        c.request("GET", "/healthz");
        t0 = Clock::now();
        for (int i = 0; i < n; ++i)
            c.request("GET", "/healthz");
        const double reused = seconds(Clock::now() - t0) / n * 1e6;
        std::fprintf(report.text(),
                     "\nGET /healthz over TLS: new connection %.0f us/request, reused %.0f "
                     "us/request (handshake share %.0f%%)\n",
                     fresh, reused, 100.0 * (fresh - reused) / fresh);
        report.figure("healthz_new_us", fresh);
        report.figure("healthz_reused_us", reused);
    }
    const int rc = server.stop();
    std::fprintf(report.text(), "server stopped with exit status %d\n", rc);
    return report.finish(rc == 0 && allOk ? 0 : 1);
}
