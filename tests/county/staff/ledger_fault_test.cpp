// Write failures in the case ledger: every write, fsync and truncate of a recorded batch failed in
// turn through FaultVfs (the outbox's fault test, for the staff side). Afterwards the ledger
// reopens intact, holds everything recorded before, and holds the failed batch either wholly
// (only where an fsync of the commit failed, so the outcome was uncertain) or not at all: never
// some of its submissions, never a cursor without its submissions.
#include "county/staff/ledger.hpp"
#include "tests/county/staff/staff_test_support.hpp"
#include "tests/support/fault_vfs.hpp"

#include <sodium.h>
#include <sqlite3.h>

namespace fs = std::filesystem;
using namespace minsheng;
using namespace minsheng::staff;
using minsheng::test::FaultVfs;
using minsheng::test::TempDir;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;
using Code = LedgerError::Code;

namespace {

struct Scenario {
    const char* name;
    int writeError;
    bool sticky;
};

crypto::SecretBytes randomLedgerKey() {
    crypto::SecretBytes key(32);
    randombytes_buf(key.data(), key.size());
    return key;
}

constexpr std::int64_t kEarlierCursor = 3;
constexpr std::int64_t kFailedCursor = 7;

/// The ledger after a failure, reopened through the plain VFS.
void checkRecovered(const fs::path& file, const crypto::SecretBytes& key,
                    const std::vector<OpenedSubmission>& failedBatch, bool mayHoldFailedBatch) {
    auto ledger = Ledger::open(file, key, Ledger::OpenMode::MustExist);
    if (!ledger)
        FAIL("reopen after failure: " << ledger.error().message);
    auto ic = ledger->integrityCheck();
    if (!ic)
        FAIL(ic.error().message);
    auto st = ledger->stats();
    REQUIRE(st);
    auto cursor = ledger->cursor();
    REQUIRE(cursor);
    const bool heldFailedBatch = st->complaints == 4;
    if (heldFailedBatch) {
        REQUIRE(mayHoldFailedBatch);
        CHECK(*cursor == kFailedCursor);
    } else {
        CHECK(st->complaints == 2); // none of the failed batch, not some of it
        CHECK(*cursor == kEarlierCursor);
    }
    // The failed batch can be recorded now (or is recognised as already there).
    auto again = ledger->recordBatch(failedBatch, {}, kFailedCursor, 2000);
    if (!again)
        FAIL("record after recovery: " << again.error().message);
    for (const auto& r : *again)
        CHECK(r.outcome == (heldFailedBatch ? RecordOutcome::Duplicate : RecordOutcome::Recorded));
    st = ledger->stats();
    REQUIRE(st);
    CHECK(st->complaints == 4);
    CHECK(*ledger->cursor() == kFailedCursor);
}

} // namespace

TEST_CASE("every write of a recorded batch failed in turn leaves a consistent ledger",
          "[staff][ledger][fault]") {
    FaultVfs::install();
    auto scenario = GENERATE(Scenario{"disk full once", SQLITE_FULL, false},
                             Scenario{"I/O error once", SQLITE_IOERR_WRITE, false},
                             Scenario{"disk stays full", SQLITE_FULL, true},
                             Scenario{"I/O errors persist", SQLITE_IOERR_WRITE, true});
    INFO(scenario.name);
    TestCounty c;
    auto l = c.load();
    std::vector<OpenedSubmission> earlier, failedBatch;
    for (int i = 0; i < 2; ++i)
        earlier.push_back(
            opened(c, *l, c.make("k1", complaintAnswers("早先的 " + std::to_string(i))).envelope));
    for (int i = 0; i < 2; ++i)
        failedBatch.push_back(
            opened(c, *l, c.make("k1", complaintAnswers("失败的 " + std::to_string(i))).envelope));

    std::uint64_t n = 1;
    int failures = 0;
    for (;; ++n) {
        INFO("failing counted call " << n);
        TempDir dir("ledger-fault");
        const auto key = randomLedgerKey();
        const fs::path file = dir / kLedgerFileName;
        FaultVfs::Op op = FaultVfs::Op::None;
        {
            LedgerOpenOptions options;
            options.vfsName = FaultVfs::kName;
            auto ledger = Ledger::open(file, key, Ledger::OpenMode::CreateIfMissing, options);
            if (!ledger)
                FAIL(ledger.error().message);
            REQUIRE(ledger->recordBatch(earlier, {}, kEarlierCursor, 1000));
            FaultVfs::arm(n, scenario.writeError, scenario.sticky);
            auto r = ledger->recordBatch(failedBatch, {}, kFailedCursor, 1001);
            const bool fired = FaultVfs::fired();
            op = FaultVfs::firstFailedOp();
            if (!fired) {
                FaultVfs::disarm();
                // n is past the last write of the batch: it succeeded untouched. Done.
                REQUIRE(r);
                CHECK(r->size() == 2);
                break;
            }
            REQUIRE_FALSE(r);
            INFO(r.error().message);
            ++failures;
            if (op == FaultVfs::Op::Write && scenario.writeError == SQLITE_FULL)
                CHECK(r.error().code == Code::DiskFull);
            else
                CHECK(r.error().code == Code::Io);
            CHECK_THAT(r.error().message, Catch::Contains(file.string()));
            if (!scenario.sticky) {
                // The same connection carries on: the failed batch left no trace in it.
                auto st = ledger->stats();
                REQUIRE(st);
                CHECK(st->complaints == 2);
                CHECK(*ledger->cursor() == kEarlierCursor);
            }
            FaultVfs::disarm();
        }
        const bool uncertain = scenario.sticky && op == FaultVfs::Op::Sync;
        checkRecovered(file, key, failedBatch, uncertain);
        REQUIRE(n < 500); // a batch is a few dozen writes; this bounds a runaway loop
    }
    CHECK(failures >= 2); // at least the WAL write and its fsync were exercised
    CHECK(n == static_cast<std::uint64_t>(failures) + 1);
}
