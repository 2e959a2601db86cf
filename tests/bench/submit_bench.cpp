// Submit latency benchmark (Foundation issue).
//
// Measures, in one run on one machine:
//   * submit = validate + canonical payload + pad + seal + receipt tag + sign + chain + durable
//     COMMIT into the SQLCipher outbox (synchronous=FULL, WAL), for ~1 KiB and ~64 KiB answers;
//     between submits, untimed, the between-sessions WAL checkpoint the kiosk runs on Home;
//   * baseline = a plain INSERT of the same number of bytes into an UNKEYED database opened
//     through the same SQLite library with the same journal and sync settings;
//   * the ratio submit/baseline (p50 and p99), the figure we track: it factors out the disk;
//   * microseconds per Ed25519 sign and verify, and per seal and open of a 1 KiB payload.
// Prints figures; asserts nothing about time. Usage: minsheng-bench-submit [--json] [--iterations
// N] JSON names: submit_p50_us, submit_p99_us, plain_p50_us, plain_p99_us, ratio_p50, ratio_p99 (1
// KiB answers; the same with a _64k infix for 64 KiB), sign_us, verify_us, seal_1k_us, open_1k_us.
#include "county/office/county_dir.hpp"
#include "county/office/provisioning.hpp"
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
#include <iostream>
#include <string>
#include <vector>

using namespace minsheng;
using Clock = std::chrono::steady_clock;

namespace {

double micros(Clock::duration d) {
    return std::chrono::duration<double, std::micro>(d).count();
}

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

std::vector<double> baselineInserts(const std::filesystem::path& file, std::size_t bytes, int n) {
    sqlite3* db = nullptr;
    if (sqlite3_open(file.c_str(), &db) != SQLITE_OK)
        die("cannot open baseline database");
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB NOT NULL);",
                 nullptr, nullptr, nullptr);
    std::vector<unsigned char> blob(bytes, 0x5a);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO t(b) VALUES(?)", -1, &st, nullptr);
    std::vector<double> out;
    for (int i = 0; i < n; ++i) {
        auto t0 = Clock::now();
        sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("baseline insert failed");
        sqlite3_reset(st);
        out.push_back(micros(Clock::now() - t0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

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
        std::vector<double> submitUs;
        for (int i = 0; i < iterations; ++i) {
            crypto::SecretArena arena(1u << 20);
            kiosk::Answers answers(&arena);
            for (int f = 1; f <= 4; ++f)
                answers.setText("what" + std::to_string(f), text);
            auto t0 = Clock::now();
            auto r = desk->submit(*form, answers, "zh-CN", 1795428300 + i * 60);
            submitUs.push_back(micros(Clock::now() - t0));
            if (!r)
                die("submit failed");
            // Untimed, as on the kiosk: the Home screen after a submission checkpoints the WAL
            // once it holds enough frames (KioskFlow → SubmissionDesk::checkpointStore).
            if (auto c = desk->checkpointStore(); !c)
                die(c.error().message);
        }
        const std::size_t payloadish = 4 * text.size() + 140; // answers + payload framing
        auto base = baselineInserts(tmp / ("baseline-" + std::to_string(answerBytes) + ".db"),
                                    payloadish, iterations);
        Summary s = summarize(submitUs), b = summarize(base);
        std::fprintf(report.text(), "submit, %6zu B answers        %10.1f %10.1f %10.1f\n",
                     answerBytes, s.p50, s.p99, s.mean);
        std::fprintf(report.text(), "plain insert, %6zu B          %10.1f %10.1f %10.1f\n",
                     payloadish, b.p50, b.p99, b.mean);
        std::fprintf(report.text(), "ratio submit/plain            %10.2f %10.2f %10.2f\n",
                     s.p50 / b.p50, s.p99 / b.p99, s.mean / b.mean);
        const std::string infix = answerBytes == 1024 ? "" : "_64k";
        report.figure("submit" + infix + "_p50_us", s.p50);
        report.figure("submit" + infix + "_p99_us", s.p99);
        report.figure("plain" + infix + "_p50_us", b.p50);
        report.figure("plain" + infix + "_p99_us", b.p99);
        report.figure("ratio" + infix + "_p50", s.p50 / b.p50);
        report.figure("ratio" + infix + "_p99", s.p99 / b.p99);
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
    t0 = Clock::now();
    for (int i = 0; i < n; ++i)
        ok += crypto::openPayloadX25519(county, ct).ok();
    const double openUs = micros(Clock::now() - t0) / n;
    if (ok != 2 * n)
        die("primitive self-check failed");
    std::fprintf(
        report.text(),
        "\nper operation (mean over %d): sign %.1f us, verify %.1f us, seal 1 KiB %.1f us, "
        "open 1 KiB %.1f us\n",
        n, signUs, verifyUs, sealUs, openUs);
    report.figure("sign_us", signUs);
    report.figure("verify_us", verifyUs);
    report.figure("seal_1k_us", sealUs);
    report.figure("open_1k_us", openUs);
    return report.finish();
}
