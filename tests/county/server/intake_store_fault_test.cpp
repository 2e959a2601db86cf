// Write failures in the intake store: every write, fsync and truncate of a stored batch failed in
// turn through FaultVfs (the outbox's fault test, for the server). Afterwards the store reopens
// intact, holds every envelope acknowledged before, and holds the failed batch either wholly (only
// where an fsync of the commit failed, so the outcome was uncertain) or not at all: never an
// envelope without its first case status, never half a batch.
#include "county/server/intake_store.hpp"
#include "sync/wire/envelope_json.hpp"
#include "tests/support/fault_vfs.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>
#include <sqlite3.h>

namespace fs = std::filesystem;
using namespace minsheng;
using namespace minsheng::server;
using minsheng::test::FaultVfs;
using minsheng::test::TempDir;
using Code = StoreError::Code;

namespace {

struct Scenario {
    const char* name;
    int writeError;
    bool sticky;
};

constexpr const char* kKioskId = "k1";

/// A kiosk's chain of complaints, each with a receipt tag, as the handler hands them over.
struct Chain {
    crypto::Ed25519KeyPair kiosk = crypto::Ed25519KeyPair::generate();
    std::vector<crypto::Envelope> envelopes;
    std::vector<CheckedEnvelope> checked;

    explicit Chain(int count) {
        crypto::Hash256 previous{};
        for (int i = 1; i <= count; ++i) {
            crypto::EnvelopeHeader h;
            h.kind = crypto::EnvelopeKind::Complaint;
            h.kioskId = kKioskId;
            h.sequence = static_cast<std::uint64_t>(i);
            h.previousHash = previous;
            h.createdAt = 1795428300;
            h.formId = "complaint";
            crypto::Hash256 tag{};
            randombytes_buf(tag.data(), tag.size());
            h.receiptTag = tag;
            crypto::Bytes sealed(crypto_box_SEALBYTES + crypto::kMinPaddingBucket);
            randombytes_buf(sealed.data(), sealed.size());
            envelopes.push_back(crypto::signEnvelope(h, sealed, kiosk.secretKey));
            previous = crypto::envelopeHash(envelopes.back());
        }
        for (const auto& e : envelopes)
            checked.push_back({&e, crypto::envelopeHash(e), sync::envelopeToJson(e)});
    }
    std::span<const CheckedEnvelope> batch(std::size_t from, std::size_t count) const {
        return std::span<const CheckedEnvelope>(checked).subspan(from, count);
    }
};

std::string integrityReport(const fs::path& file) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::string report;
    sqlite3_exec(
        db, "PRAGMA integrity_check",
        [](void* out, int, char** values, char**) {
            *static_cast<std::string*>(out) += values[0] ? values[0] : "";
            return 0;
        },
        &report, nullptr);
    sqlite3_close(db);
    return report;
}

/// The store after a failure, reopened through the plain VFS.
void checkRecovered(const fs::path& file, const crypto::Ed25519SecretKey& signingKey,
                    const Chain& chain, bool mayHoldFailedBatch) {
    CHECK(integrityReport(file) == "ok");
    auto store = IntakeStore::open(file, signingKey);
    if (!store)
        FAIL("reopen after failure: " << store.error().message);
    auto pulled = (*store)->pull(0, 100, 1u << 24);
    REQUIRE(pulled);
    const bool heldFailedBatch = pulled->size() == 4;
    if (heldFailedBatch)
        REQUIRE(mayHoldFailedBatch);
    else
        REQUIRE(pulled->size() == 2); // none of the failed batch, not some of it
    for (std::size_t i = 0; i < pulled->size(); ++i)
        CHECK(pulled->at(i).ack.envelopeHash == chain.checked[i].hash);
    // Invariant 6 of intake_schema.hpp: an envelope and its first case status stand or fall
    // together.
    for (std::size_t i = 0; i < chain.envelopes.size(); ++i) {
        const auto& tag = *chain.envelopes[i].header.receiptTag;
        auto status = (*store)->caseStatus(tag);
        REQUIRE(status);
        CHECK(status->has_value() == (i < pulled->size()));
    }
    // The failed batch can be stored now (or is recognised as already stored).
    auto again = (*store)->storeBatch(kKioskId, chain.batch(2, 2), 2000);
    if (!again)
        FAIL("store after recovery: " << again.error().message);
    for (const auto& o : *again)
        CHECK(o.outcome == (heldFailedBatch ? StoreOutcome::Duplicate : StoreOutcome::Stored));
    auto activity = (*store)->kioskActivity();
    REQUIRE(activity);
    CHECK(activity->at(kKioskId).lastSequence == 4);
    CHECK(activity->at(kKioskId).gaps.empty());
}

} // namespace

TEST_CASE("every write of a stored batch failed in turn leaves a consistent intake store",
          "[server][store][fault]") {
    FaultVfs::install();
    auto scenario = GENERATE(Scenario{"disk full once", SQLITE_FULL, false},
                             Scenario{"I/O error once", SQLITE_IOERR_WRITE, false},
                             Scenario{"disk stays full", SQLITE_FULL, true},
                             Scenario{"I/O errors persist", SQLITE_IOERR_WRITE, true});
    INFO(scenario.name);
    const auto signer = crypto::Ed25519KeyPair::generate();
    const Chain chain(4);

    std::uint64_t n = 1;
    int failures = 0;
    for (;; ++n) {
        INFO("failing counted call " << n);
        TempDir dir("intake-fault");
        const fs::path file = dir / "intake.db";
        FaultVfs::Op op = FaultVfs::Op::None;
        {
            IntakeStoreOptions options;
            options.vfsName = FaultVfs::kName;
            auto store = IntakeStore::open(file, signer.secretKey, options);
            if (!store)
                FAIL(store.error().message);
            auto first = (*store)->storeBatch(kKioskId, chain.batch(0, 2), 1000);
            REQUIRE(first);
            FaultVfs::arm(n, scenario.writeError, scenario.sticky);
            auto r = (*store)->storeBatch(kKioskId, chain.batch(2, 2), 1001);
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
                auto pulled = (*store)->pull(0, 100, 1u << 24);
                REQUIRE(pulled);
                CHECK(pulled->size() == 2);
            }
            FaultVfs::disarm();
        }
        const bool uncertain = scenario.sticky && op == FaultVfs::Op::Sync;
        checkRecovered(file, signer.secretKey, chain, uncertain);
        REQUIRE(n < 500); // a batch is a few dozen writes; this bounds a runaway loop
    }
    CHECK(failures >= 2); // at least the WAL write and its fsync were exercised
    CHECK(n == static_cast<std::uint64_t>(failures) + 1);
}
