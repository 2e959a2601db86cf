// Write failures: every write, fsync and truncate of an append failed in turn through FaultVfs
// (Beast's "fail the n-th call"), and a real file-size limit (RLIMIT_FSIZE) in a child process.
#include "kiosk/outbox/outbox.hpp"
#include "tests/kiosk/outbox/outbox_test_support.hpp"
#include "tests/support/fault_vfs.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace minsheng;
using namespace minsheng::sync;
using namespace minsheng::outbox;
using minsheng::test::FaultVfs;
using minsheng::test::TempDir;
using Code = StoreError::Code;

namespace {

constexpr int kEarlier = 3;

struct Scenario {
    const char* name;
    int writeError;
    bool sticky;
};

/// The store after a failure, reopened through the plain VFS: it must be intact and hold the
/// earlier envelopes (plus, only where the outcome was reported as uncertain, the failed one).
void checkRecovered(const fs::path& file, const crypto::SecretBytes& key,
                    const std::vector<crypto::Hash256>& earlier, bool mayHoldFailedOne,
                    const crypto::Ed25519KeyPair& kiosk) {
    auto box = Outbox::open(file, key, test::kTestKioskId, OpenMode::MustExist);
    if (!box)
        FAIL("reopen after failure: " << box.error().message);
    auto ic = box->integrityCheck();
    if (!ic)
        FAIL(ic.error().message);
    auto all = box->allEnvelopes();
    REQUIRE(all);
    if (mayHoldFailedOne)
        REQUIRE((all->size() == earlier.size() || all->size() == earlier.size() + 1));
    else
        REQUIRE(all->size() == earlier.size());
    for (std::size_t i = 0; i < earlier.size(); ++i)
        CHECK(all->at(i).hash == earlier[i]);
    crypto::ChainVerifier v;
    CHECK(test::checkChain(*all, kiosk.publicKey, v) == "");
    auto next = box->append(test::makeDraft(1500), kiosk.secretKey);
    if (!next)
        FAIL("append after recovery: " << next.error().message);
    CHECK(next->envelope.header.sequence == all->size() + 1);
    CHECK(next->envelope.header.previousHash == v.lastHash());
}

} // namespace

TEST_CASE("every write of an append failed in turn leaves a consistent store", "[outbox][fault]") {
    FaultVfs::install();
    auto kiosk = test::testKioskKey();
    auto scenario = GENERATE(Scenario{"disk full once", SQLITE_FULL, false},
                             Scenario{"I/O error once", SQLITE_IOERR_WRITE, false},
                             Scenario{"disk stays full", SQLITE_FULL, true},
                             Scenario{"I/O errors persist", SQLITE_IOERR_WRITE, true});
    // Big and small: a 40 KiB ciphertext spills into overflow pages, so an append has many writes.
    auto size = GENERATE(as<std::size_t>{}, 1200, 40000);
    INFO(scenario.name << ", ciphertext " << size << " bytes");

    std::uint64_t n = 1;
    int failures = 0;
    for (;; ++n) {
        INFO("failing counted call " << n);
        TempDir dir("outbox-fault");
        auto key = test::randomStoreKey();
        const fs::path file = dir / kOutboxFileName;
        std::vector<crypto::Hash256> earlier;
        StoreError::Code code{};
        FaultVfs::Op op = FaultVfs::Op::None;
        {
            OpenOptions options;
            options.vfsName = FaultVfs::kName;
            auto box =
                Outbox::open(file, key, test::kTestKioskId, OpenMode::CreateIfMissing, options);
            if (!box)
                FAIL(box.error().message);
            for (int i = 0; i < kEarlier; ++i) {
                auto a = box->append(test::makeDraft(1200), kiosk.secretKey);
                REQUIRE(a);
                earlier.push_back(a->hash);
            }
            FaultVfs::arm(n, scenario.writeError, scenario.sticky);
            auto r = box->append(test::makeDraft(size), kiosk.secretKey);
            const bool fired = FaultVfs::fired();
            op = FaultVfs::firstFailedOp();
            if (!fired) {
                FaultVfs::disarm();
                // n is past the last write of an append: it succeeded untouched. Done.
                REQUIRE(r);
                CHECK(r->envelope.header.sequence == kEarlier + 1);
                break;
            }
            REQUIRE_FALSE(r);
            code = r.error().code;
            INFO(r.error().message);
            ++failures;
            if (op == FaultVfs::Op::Write && scenario.writeError == SQLITE_FULL) {
                CHECK(code == Code::DiskFull);
                CHECK_THAT(r.error().message, Catch::Contains("NOT saved"));
            } else {
                CHECK(code == Code::Io);
            }
            CHECK_THAT(r.error().message, Catch::Contains(dir.path().string()));
            if (!scenario.sticky) {
                // The same connection carries on: the failed append left no trace in it.
                auto st = box->stats();
                REQUIRE(st);
                CHECK(st->lastSequence == kEarlier);
                auto again = box->append(test::makeDraft(1200), kiosk.secretKey);
                REQUIRE(again);
                CHECK(again->envelope.header.sequence == kEarlier + 1);
                CHECK(again->envelope.header.previousHash == earlier.back());
                earlier.push_back(again->hash);
            }
            // Closing may fail too while the fault persists; the next open must cope.
            (void)box->close();
            FaultVfs::disarm();
        }
        // A failed fsync after the commit record was written is the one case where the disk may
        // keep what the caller was told might not be saved; with the disk still failing the close
        // could not clean it up. Everything else must read exactly as before the failure.
        const bool uncertain = scenario.sticky && op == FaultVfs::Op::Sync;
        checkRecovered(file, key, earlier, uncertain, kiosk);
        REQUIRE(n < 500); // an append is a handful of writes; this bounds a runaway loop
    }
    CHECK(failures >= 2); // at least the WAL write and its fsync were exercised
    CHECK(n == static_cast<std::uint64_t>(failures) + 1);
}

TEST_CASE("a file size limit (RLIMIT_FSIZE) fails appends cleanly", "[outbox][fault]") {
    TempDir dir("outbox-rlimit");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    std::vector<crypto::Hash256> before;
    {
        auto box = Outbox::open(file, key, test::kTestKioskId, OpenMode::CreateIfMissing);
        REQUIRE(box);
        for (int i = 0; i < 2; ++i)
            before.push_back(box->append(test::makeDraft(1200), kiosk.secretKey)->hash);
    }
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::fflush(nullptr);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        // The kernel sends SIGXFSZ when a write crosses the limit; ignored, write() fails with
        // EFBIG instead, which is what a disk quota or full disk looks like to SQLite.
        std::signal(SIGXFSZ, SIG_IGN);
        auto box = Outbox::open(file, key, test::kTestKioskId, OpenMode::MustExist);
        if (!box)
            _exit(10);
        rlimit lim{};
        lim.rlim_cur = 1u << 20; // 1 MiB per file: a few of the 200 KiB envelopes below
        lim.rlim_max = RLIM_INFINITY;
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
            _exit(11);
        std::uint64_t last = 2;
        for (int i = 0; i < 100; ++i) {
            auto r = box->append(test::makeDraft(200 * 1024), kiosk.secretKey);
            if (!r) {
                long report[2] = {static_cast<long>(last), static_cast<long>(r.error().code)};
                (void)!write(fds[1], report, sizeof report);
                _exit(0);
            }
            last = r->envelope.header.sequence;
        }
        _exit(12); // the limit never bit
    }
    close(fds[1]);
    long report[2] = {0, 0};
    auto got = read(fds[0], report, sizeof report);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(got == static_cast<ssize_t>(sizeof report));
    const auto lastOk = static_cast<std::uint64_t>(report[0]);
    const auto code = static_cast<Code>(report[1]);
    INFO("child appended up to " << lastOk << ", then failed with " << storeErrorCodeName(code));
    CHECK((code == Code::DiskFull || code == Code::Io));
    CHECK(lastOk >= 2);

    auto box = Outbox::open(file, key, test::kTestKioskId, OpenMode::MustExist);
    REQUIRE(box);
    REQUIRE(box->integrityCheck());
    auto all = box->allEnvelopes();
    REQUIRE(all);
    CHECK(all->size() == lastOk); // every reported success, and nothing of the failed append
    CHECK(all->at(0).hash == before[0]);
    crypto::ChainVerifier v;
    CHECK(test::checkChain(*all, kiosk.publicKey, v) == "");
    auto next = box->append(test::makeDraft(1200), kiosk.secretKey);
    REQUIRE(next);
    CHECK(next->envelope.header.sequence == lastOk + 1);
}
