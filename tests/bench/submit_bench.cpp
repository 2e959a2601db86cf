// Submit latency benchmark (Foundation issue).
//
// Measures, in one run on one machine:
//   * submit = validate + canonical payload + pad + seal + receipt tag + sign + chain + durable
//     COMMIT into the SQLCipher outbox (synchronous=FULL, WAL), for ~1 KiB and ~64 KiB answers;
//     between submits, untimed, the between-sessions upkeep the kiosk runs on Home (the next
//     seal's ephemeral and shared keys, the WAL checkpoint);
//   * baseline = a plain INSERT of the same number of bytes into an UNKEYED database opened
//     through the same SQLite library with the same journal and sync settings, one after each
//     submit, so that both see the same disk and the same load;
//   * the ratio submit/baseline (p50 and p99), the figure we track: it factors out the disk;
//   * microseconds per Ed25519 sign and verify, and per seal and open of a 1 KiB payload.
// Prints figures; asserts nothing about time. Usage: minsheng-bench-submit [--json] [--iterations
// N] JSON names: submit_p50_us, submit_p99_us, plain_p50_us, plain_p99_us, ratio_p50, ratio_p99 (1
// KiB answers; the same with a _64k infix for 64 KiB), submit_cpu_p50_us, submit_cpu_p99_us,
// plain_cpu_p50_us, plain_cpu_p99_us (the thread's CPU time, without waits for the disk), sign_us,
// verify_us, seal_1k_us, seal_prepared_1k_us (EnvelopeSealer, keys prepared), open_1k_us.
#include "county/office/county_dir.hpp"
#include "county/office/provisioning.hpp"
#include "crypto/envelope_sealer.hpp"
#include "crypto/secret_arena.hpp"
#include "crypto/sodium.hpp"
#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/submission_desk.hpp"
#include "tests/bench/bench_report.hpp"
#include "tests/support/temp_dir.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

using namespace minsheng;
using Clock = std::chrono::steady_clock;

namespace {

double micros(Clock::duration d) {
    return std::chrono::duration<double, std::micro>(d).count();
}

// CPU time of this thread: what the code costs, without the waits for the disk that dominate
// (and add noise to) the wall time on a shared machine.
double threadCpuMicros() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct Timings {
    std::vector<double> wallUs, cpuUs;
};

struct Summary {
    double p50, p99, mean;
};

Summary summarize(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v)
        sum += x;
    auto at = [&](double q) {
        return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))];
    };
    return {at(0.50), at(0.99), sum / v.size()};
}

// A benchmark-only form with one long text field, so answer size can be chosen freely.
// Four long text fields (the loader caps one field at 20000 characters), so answer size can
// be chosen freely up to ~240 KiB.
std::string benchForm() {
    std::string t = R"(
id = "complaint"
version = 1
kind = "complaint"
title = { zh-CN = "基准", en = "Benchmark" }
)";
    for (int i = 1; i <= 4; ++i)
        t += "\n[[fields]]\nid = \"what" + std::to_string(i) +
             "\"\ntype = \"text\"\nmax_length = 20000\nmultiline = true\nrequired = true\n"
             "label = { zh-CN = \"内容\", en = \"Text\" }\n";
    return t;
}

void die(const std::string& m) {
    std::cerr << "minsheng-bench-submit: " << m << "\n";
    std::exit(2);
}

// The baseline: one row of `bytes` bytes per insert into an unkeyed table, each insert its own
// durable transaction (autocommit).
class PlainTable {
public:
    PlainTable(const std::filesystem::path& file, std::size_t bytes) : m_blob(bytes, 0x5a) {
        if (sqlite3_open(file.c_str(), &m_db) != SQLITE_OK)
            die("cannot open baseline database");
        sqlite3_exec(m_db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB NOT NULL);",
                     nullptr, nullptr, nullptr);
        sqlite3_prepare_v2(m_db, "INSERT INTO t(b) VALUES(?)", -1, &m_insert, nullptr);
    }
    ~PlainTable() {
        sqlite3_finalize(m_insert);
        sqlite3_close(m_db);
    }
    PlainTable(const PlainTable&) = delete;
    PlainTable& operator=(const PlainTable&) = delete;

    void insert(Timings& into) {
        const double c0 = threadCpuMicros();
        auto t0 = Clock::now();
        sqlite3_bind_blob(m_insert, 1, m_blob.data(), static_cast<int>(m_blob.size()),
                          SQLITE_STATIC);
        if (sqlite3_step(m_insert) != SQLITE_DONE)
            die("baseline insert failed");
        sqlite3_reset(m_insert);
        into.wallUs.push_back(micros(Clock::now() - t0));
        into.cpuUs.push_back(threadCpuMicros() - c0);
    }

private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_insert = nullptr;
    std::vector<unsigned char> m_blob;
};

} // namespace

int main(int argc, char** argv) {
    bench::Report report("minsheng-bench-submit",
                         "durable submit into the SQLCipher outbox vs a plain SQLite FULL insert");
    int iterations = 1000;
    report.option("--iterations", "N", "submits per answer size", iterations);
    if (auto rc = report.parse(argc, argv))
        return *rc;
    crypto::initSodium();

    test::TempDir tmp("minsheng-bench");
    county::CountyDir cd(tmp / "county");
    county::InitOptions io;
    io.formsSource = test::sourceDir() / "config/forms";
    io.demo = true; // kiosks provisioned with the shipped example lists
    if (auto r = county::initCountyDir(cd, io); !r)
        die(r.error().message);

    std::fprintf(report.text(), "minsheng submit benchmark: %d submits per size, temp dir %s\n",
                 iterations, tmp.path().c_str());
    std::fprintf(report.text(), "%-30s %10s %10s %10s\n", "", "p50 us", "p99 us", "mean us");

    for (std::size_t answerBytes : {std::size_t{1024}, std::size_t{64 * 1024}}) {
        const std::string kioskId = "bench-" + std::to_string(answerBytes);
        county::ProvisionRequest req{kioskId, "bench", "bench", tmp / kioskId};
        if (auto r = county::provisionKiosk(cd, req); !r)
            die(r.error().message);
        auto config = kiosk::loadKioskConfig(req.bundleDir / "kiosk.toml");
        if (!config)
            die(config.error().toString());
        auto desk = kiosk::SubmissionDesk::open(*config);
        if (!desk)
            die(desk.error().message);
        auto form = kiosk::parseForm(benchForm(), "bench-form.toml", desk->forms().lists);
        if (!form)
            die(form.error().toString());

        // ASCII and Chinese mixed so the text looks like a report; sized in bytes.
        std::string text; // one quarter of the answers, in each of the four fields
        while (4 * (text.size() + 40) < answerBytes)
            text += "培训机构周末上课 tutoring on weekends. ";
        const std::size_t payloadish = 4 * text.size() + 140; // answers + payload framing
        PlainTable plain(tmp / ("baseline-" + std::to_string(answerBytes) + ".db"), payloadish);
        Timings submit, base;
        for (int i = 0; i < iterations; ++i) {
            crypto::SecretArena arena(1u << 20);
            kiosk::Answers answers(&arena);
            for (int f = 1; f <= 4; ++f)
                answers.setText("what" + std::to_string(f), text);
            const double c0 = threadCpuMicros();
            auto t0 = Clock::now();
            auto r = desk->submit(*form, answers, "zh-CN", 1795428300 + i * 60);
            submit.wallUs.push_back(micros(Clock::now() - t0));
            submit.cpuUs.push_back(threadCpuMicros() - c0);
            if (!r)
                die("submit failed");
            // Untimed, as on the kiosk: the Home screen after a submission prepares the next
            // seal's keys and checkpoints the WAL once it holds enough frames (KioskFlow →
            // SubmissionDesk::upkeepBetweenSessions).
            if (auto c = desk->upkeepBetweenSessions(); !c)
                die(c.error().message);
            // Interleaved with the submits, so both see the same disk and the same neighbours.
            plain.insert(base);
        }
        Summary s = summarize(submit.wallUs), b = summarize(base.wallUs);
        Summary sc = summarize(submit.cpuUs), bc = summarize(base.cpuUs);
        std::fprintf(report.text(), "submit, %6zu B answers        %10.1f %10.1f %10.1f\n",
                     answerBytes, s.p50, s.p99, s.mean);
        std::fprintf(report.text(), "plain insert, %6zu B          %10.1f %10.1f %10.1f\n",
                     payloadish, b.p50, b.p99, b.mean);
        std::fprintf(report.text(), "ratio submit/plain            %10.2f %10.2f %10.2f\n",
                     s.p50 / b.p50, s.p99 / b.p99, s.mean / b.mean);
        std::fprintf(report.text(), "  CPU time: submit            %10.1f %10.1f %10.1f\n", sc.p50,
                     sc.p99, sc.mean);
        std::fprintf(report.text(), "  CPU time: plain insert      %10.1f %10.1f %10.1f\n", bc.p50,
                     bc.p99, bc.mean);
        const std::string infix = answerBytes == 1024 ? "" : "_64k";
        report.figure("submit" + infix + "_p50_us", s.p50);
        report.figure("submit" + infix + "_p99_us", s.p99);
        report.figure("plain" + infix + "_p50_us", b.p50);
        report.figure("plain" + infix + "_p99_us", b.p99);
        report.figure("ratio" + infix + "_p50", s.p50 / b.p50);
        report.figure("ratio" + infix + "_p99", s.p99 / b.p99);
        report.figure("submit" + infix + "_cpu_p50_us", sc.p50);
        report.figure("submit" + infix + "_cpu_p99_us", sc.p99);
        report.figure("plain" + infix + "_cpu_p50_us", bc.p50);
        report.figure("plain" + infix + "_cpu_p99_us", bc.p99);
    }

    // Primitive costs, 1 KiB payload.
    auto kiosk = crypto::Ed25519KeyPair::generate();
    auto county = crypto::X25519KeyPair::generate();
    std::string payload(1000, 'x');
    const int n = std::max(iterations, 200);
    crypto::Bytes msg(300, 7);
    auto t0 = Clock::now();
    crypto::Ed25519Signature sig{};
    for (int i = 0; i < n; ++i)
        sig = kiosk.secretKey.signDetached(msg);
    const double signUs = micros(Clock::now() - t0) / n;
    t0 = Clock::now();
    int ok = 0;
    for (int i = 0; i < n; ++i)
        ok += crypto::verifyEd25519(kiosk.publicKey, msg, sig);
    const double verifyUs = micros(Clock::now() - t0) / n;
    t0 = Clock::now();
    crypto::Bytes ct;
    for (int i = 0; i < n; ++i)
        ct = crypto::sealPayloadX25519(county.publicKey, crypto::asBytes(payload));
    const double sealUs = micros(Clock::now() - t0) / n;
    // The kiosk's sealer with its keys prepared beforehand (untimed, as between sessions).
    crypto::EnvelopeSealer sealer(county.publicKey);
    double preparedUs = 0;
    for (int i = 0; i < n; ++i) {
        sealer.prepareNext();
        auto p0 = Clock::now();
        ct = sealer.seal(crypto::EnvelopeKind::Complaint, crypto::asBytes(payload));
        preparedUs += micros(Clock::now() - p0);
        ok += crypto::openPayloadX25519(county, ct).ok();
    }
    preparedUs /= n;
    t0 = Clock::now();
    for (int i = 0; i < n; ++i)
        ok += crypto::openPayloadX25519(county, ct).ok();
    const double openUs = micros(Clock::now() - t0) / n;
    if (ok != 3 * n)
        die("primitive self-check failed");
    std::fprintf(report.text(),
                 "\nper operation (mean over %d): sign %.1f us, verify %.1f us, seal 1 KiB %.1f us "
                 "(%.1f us with the keys prepared beforehand), open 1 KiB %.1f us\n",
                 n, signUs, verifyUs, sealUs, preparedUs, openUs);
    report.figure("sign_us", signUs);
    report.figure("verify_us", verifyUs);
    report.figure("seal_1k_us", sealUs);
    report.figure("seal_prepared_1k_us", preparedUs);
    report.figure("open_1k_us", openUs);
    return report.finish();
}
