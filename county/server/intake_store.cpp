// The intake store's SQL: opening with explicit modes, migrations, and the batch transaction
// that carries invariants 2-6 of intake_schema.hpp.
#include "county/server/intake_store.hpp"

#include "county/server/intake_schema.hpp"
#include "sync/store/sqlite_store.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>

namespace minsheng::server {
namespace {

using sync::sqlite::exec;
using sync::sqlite::Stmt;
using sync::sqlite::Transaction;
using Code = StoreError::Code;

constexpr std::string_view kStoreName = "intake store";

/// The last failure on `db` while `doing` (e.g. "storing a batch in") the store `file`.
Failure<StoreError> storeError(sqlite3* db, const std::filesystem::path& file,
                               std::string_view doing) {
    return {sync::sqlite::storeErrorFromSqlite(db, file, db ? sqlite3_extended_errcode(db) : 0,
                                               kStoreName, doing, "")};
}

struct StoredRow {
    crypto::Hash256 hash{};
    crypto::Hash256 previousHash{};
    std::int64_t receivedAt = 0;
    crypto::Ed25519Signature ackSignature{};
};

} // namespace

namespace detail {

/// The statements of the batch path, prepared once on the store's connection (m_mutex held
/// for every use). A statement is reset, its bindings cleared, when its Use ends, so no cached
/// SELECT keeps a read transaction open. One that fails to prepare (a fault while reading the
/// schema) is not kept: its Use owns it and step() reports the failure.
class IntakeStatements {
public:
    explicit IntakeStatements(sqlite3* db) : m_db(db) {}

    class Use {
    public:
        Use(Stmt& cached) : m_stmt(&cached) {}
        explicit Use(std::unique_ptr<Stmt> failed) : m_owned(std::move(failed)) {
            m_stmt = m_owned.get();
        }
        ~Use() {
            if (!m_owned)
                m_stmt->reset();
        }
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;
        Stmt* operator->() const { return m_stmt; }
        Stmt& operator*() const { return *m_stmt; }

    private:
        std::unique_ptr<Stmt> m_owned;
        Stmt* m_stmt = nullptr;
    };

    Use get(const char* sql) {
        if (auto it = m_cache.find(std::string_view(sql)); it != m_cache.end())
            return Use(*it->second);
        auto stmt = std::make_unique<Stmt>(m_db, sql);
        if (!stmt->ok())
            return Use(std::move(stmt));
        Stmt& kept = *stmt;
        m_cache.emplace(sql, std::move(stmt));
        return Use(kept);
    }

    /// Runs a statement that returns no rows (SAVEPOINT, RELEASE); SQLITE_OK or the error.
    int run(const char* sql) {
        auto s = get(sql);
        const int rc = s->step();
        return rc == SQLITE_DONE ? SQLITE_OK : (rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
    }

private:
    sqlite3* m_db;
    std::map<std::string, std::unique_ptr<Stmt>, std::less<>> m_cache;
};

} // namespace detail

namespace {

using Statements = detail::IntakeStatements;

/// The stored envelopes of (kiosk, sequence - 1 .. sequence + 1), read with one range look-up
/// on the (kiosk_id, sequence) index: the envelope itself and its chain neighbours.
struct StoredNeighbours {
    std::optional<StoredRow> before, at, after;
};

/// `failed` set on SQL errors.
StoredNeighbours findNeighbours(Statements& sql, const std::string& kiosk, std::uint64_t seq,
                                bool& failed) {
    auto s = sql.get("SELECT sequence, envelope_hash, previous_hash, received_at, ack_signature "
                     "FROM envelopes WHERE kiosk_id = ?1 AND sequence BETWEEN ?2 AND ?3");
    const auto at = static_cast<std::int64_t>(seq);
    s->bindText(1, kiosk).bind(2, at - 1).bind(3, at + 1);
    StoredNeighbours out;
    int rc;
    while ((rc = s->step()) == SQLITE_ROW) {
        StoredRow r;
        if (!s->array(1, r.hash) || !s->array(2, r.previousHash) || !s->array(4, r.ackSignature)) {
            failed = true;
            return out;
        }
        r.receivedAt = s->i64(3);
        const std::int64_t found = s->i64(0);
        (found < at ? out.before : found == at ? out.at : out.after) = r;
    }
    if (rc != SQLITE_DONE)
        failed = true;
    return out;
}

/// Records an alarm once per (kind, kiosk, sequence, offered envelope) (invariant 9). `added` is
/// set when a new row was written (a resend of the same evidence adds none).
bool insertAlarm(Statements& sql, sqlite3* db, const char* kind, const CheckedEnvelope& e,
                 const std::optional<crypto::Hash256>& storedHash, std::int64_t now, bool& added) {
    auto s =
        sql.get("INSERT OR IGNORE INTO alarms (kind, kiosk_id, sequence, stored_hash, "
                "offered_hash, offered_json, detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s->bindText(1, kind)
        .bindText(2, e.envelope->header.kioskId)
        .bind(3, static_cast<std::int64_t>(e.envelope->header.sequence))
        .bindBlob(5, e.hash)
        .bindText(6, e.json)
        .bind(7, now);
    if (storedHash)
        s->bindBlob(4, *storedHash);
    else
        s->bindNull(4);
    if (s->step() != SQLITE_DONE)
        return false;
    added = sqlite3_changes(db) > 0;
    return true;
}

/// True when a stored envelope carries `tag`; `failed` set on SQL errors.
bool tagStored(Statements& sql, const crypto::Hash256& tag, bool& failed) {
    auto s = sql.get("SELECT 1 FROM envelopes WHERE receipt_tag = ?1 LIMIT 1");
    s->bindBlob(1, tag);
    const int rc = s->step();
    failed = failed || (rc != SQLITE_ROW && rc != SQLITE_DONE);
    return rc == SQLITE_ROW;
}

/// The bytes `kioskId` added on Unix day `day` (invariant 11); nullopt on SQL errors.
std::optional<std::uint64_t> usageOn(Statements& sql, const std::string& kioskId,
                                     std::int64_t day) {
    auto s = sql.get("SELECT bytes FROM kiosk_usage WHERE kiosk_id = ?1 AND day = ?2");
    s->bindText(1, kioskId).bind(2, day);
    const int rc = s->step();
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return std::nullopt;
    return static_cast<std::uint64_t>(s->i64(0));
}

bool setUsage(Statements& sql, const std::string& kioskId, std::int64_t day, std::uint64_t bytes) {
    auto s =
        sql.get("INSERT OR REPLACE INTO kiosk_usage (kiosk_id, day, bytes) VALUES (?1, ?2, ?3)");
    s->bindText(1, kioskId).bind(2, day).bind(3, static_cast<std::int64_t>(bytes));
    return s->step() == SQLITE_DONE;
}

/// Records the kiosk's last authenticated contact (insert the row if it is the first).
bool touchKiosk(Statements& sql, const std::string& kioskId, std::int64_t now) {
    {
        auto ins = sql.get("INSERT OR IGNORE INTO kiosk_state (kiosk_id) VALUES (?1)");
        ins->bindText(1, kioskId);
        if (ins->step() != SQLITE_DONE)
            return false;
    }
    auto upd = sql.get("UPDATE kiosk_state SET last_contact = ?2 WHERE kiosk_id = ?1");
    upd->bindText(1, kioskId).bind(2, now);
    return upd->step() == SQLITE_DONE;
}

} // namespace

std::string_view storeOutcomeErrorName(StoreOutcome outcome) {
    switch (outcome) {
    case StoreOutcome::Fork:
        return "fork";
    case StoreOutcome::ChainBreak:
        return "chain-break";
    case StoreOutcome::TagReused:
        return "tag-reused";
    case StoreOutcome::OverQuota:
        return "over-quota";
    case StoreOutcome::Stored:
    case StoreOutcome::Duplicate:
        break;
    }
    return "";
}

Result<std::unique_ptr<IntakeStore>, StoreError>
IntakeStore::open(const std::filesystem::path& file, const crypto::Ed25519SecretKey& signingKey,
                  const IntakeStoreOptions& options) {
    auto errors = [&file](sqlite3* db, int rc) {
        return sync::sqlite::storeErrorFromSqlite(db, file, rc, kStoreName, "opening", "");
    };
    sync::sqlite::OpenSpec spec;
    spec.file = file;
    // The server creates its store on first start; there is nothing to lose in an empty one.
    spec.create = true;
    spec.vfsName = options.vfsName;
    // Handler threads share the one connection behind m_mutex; staff pulls may hold a read
    // snapshot while a batch waits for the write lock.
    spec.serialized = true;
    spec.busyTimeout = std::chrono::milliseconds(10000);
    auto db = sync::sqlite::openDatabase(spec, errors);
    if (!db)
        return fail(db.error());
    sync::sqlite::MigrationPlan plan;
    plan.steps = schema::kMigrations;
    plan.creating = true; // a new, empty file is a store at version 0
    plan.tooNew = [&file](int found, int known) {
        return StoreError{Code::SchemaTooNew,
                          file.string() + " was written by a newer Minsheng (intake schema " +
                              std::to_string(found) + "; this program knows up to " +
                              std::to_string(known) +
                              "). It was left untouched; upgrade this server."};
    };
    if (auto m = sync::sqlite::migrate(db->get(), plan, errors); !m)
        return fail(m.error());
    return std::unique_ptr<IntakeStore>(
        new IntakeStore(db->release(), file, signingKey, options.maxKioskBytesPerDay));
}

IntakeStore::IntakeStore(sqlite3* db, std::filesystem::path file,
                         const crypto::Ed25519SecretKey& key, std::uint64_t maxKioskBytesPerDay)
    : m_db(db), m_statements(std::make_unique<detail::IntakeStatements>(db)),
      m_file(std::move(file)), m_key(key), m_maxKioskBytesPerDay(maxKioskBytesPerDay) {
    m_committer = std::thread([this] { commitLoop(); });
}

IntakeStore::~IntakeStore() {
    {
        std::lock_guard lock(m_groupMutex);
        m_stopping = true; // the commit thread still answers every batch already waiting
    }
    m_groupWork.notify_all();
    if (m_committer.joinable())
        m_committer.join();
    m_statements.reset(); // a connection with statements left would not close
    sqlite3_close(m_db);
}

/// What storeInGroup writes for a new envelope besides the envelope itself, signed before the
/// batch joins a group (invariants 3 and 6): the acknowledgement's signature over (kiosk,
/// sequence, hash, received_at) and, when the envelope carries a receipt tag, the signed
/// "received" case status in wire form. Neither leaves the server unless the COMMIT that
/// stores the envelope returned; for a duplicate or a refused envelope they are dropped.
struct IntakeStore::PresignedEnvelope {
    crypto::Ed25519Signature ackSignature{};
    std::string caseStatusJson; // empty when the envelope has no receipt tag
};

struct IntakeStore::PendingBatch {
    const std::string* kioskId;
    std::span<const CheckedEnvelope> envelopes;
    std::vector<PresignedEnvelope> presigned; // one per envelope
    std::int64_t now;
    BatchDone done;
};

void IntakeStore::storeBatchAsync(const std::string& kioskId,
                                  std::span<const CheckedEnvelope> envelopes, std::int64_t now,
                                  BatchDone done) {
    auto batch =
        std::make_unique<PendingBatch>(PendingBatch{&kioskId, envelopes, {}, now, std::move(done)});
    // Signing needs no lock: done here, in the caller's thread, in parallel with the group
    // being committed.
    batch->presigned.reserve(envelopes.size());
    for (const CheckedEnvelope& e : envelopes) {
        const auto& h = e.envelope->header;
        PresignedEnvelope& p = batch->presigned.emplace_back();
        p.ackSignature =
            crypto::signAcknowledgement({h.kioskId, h.sequence, e.hash, now, {}}, m_key).signature;
        if (h.receiptTag) {
            crypto::CaseStatusRecord rec;
            rec.receiptTag = *h.receiptTag;
            rec.status = crypto::CaseStatus::Received;
            rec.receivedAt = now;
            rec.updatedAt = now;
            p.caseStatusJson =
                sync::caseStatusToJson(crypto::signCaseStatus(std::move(rec), m_key)).dump();
        }
    }
    {
        std::lock_guard lock(m_groupMutex);
        m_waiting.push_back(std::move(batch));
    }
    m_groupWork.notify_one();
}

IntakeStore::BatchResult IntakeStore::storeBatch(const std::string& kioskId,
                                                 std::span<const CheckedEnvelope> envelopes,
                                                 std::int64_t now) {
    std::mutex m;
    std::condition_variable answered;
    std::optional<BatchResult> result;
    storeBatchAsync(kioskId, envelopes, now, [&](BatchResult r) {
        std::lock_guard lock(m);
        result = std::move(r);
        answered.notify_one();
    });
    std::unique_lock lock(m);
    answered.wait(lock, [&] { return result.has_value(); });
    return std::move(*result);
}

void IntakeStore::commitLoop() {
    std::unique_lock lock(m_groupMutex);
    for (;;) {
        m_groupWork.wait(lock, [&] { return m_stopping || !m_waiting.empty(); });
        if (m_waiting.empty())
            return; // stopping, and every batch answered
        // Every batch that queued while the previous COMMIT ran goes into this group.
        auto group = std::exchange(m_waiting, {});
        lock.unlock();
        std::vector<BatchResult> results;
        try {
            results = commitGroup(group); // the Transaction rolls back if this throws
        } catch (const std::exception& e) {
            results.assign(
                group.size(),
                BatchResult(fail(StoreError{
                    Code::Io, "storing a batch in " + m_file.string() + " failed (" + e.what() +
                                  "); nothing of it was stored. Send it again."})));
        }
        for (std::size_t i = 0; i < group.size(); ++i)
            group[i]->done(std::move(results[i]));
        group.clear();
        lock.lock();
    }
}

std::vector<IntakeStore::BatchResult>
IntakeStore::commitGroup(const std::vector<std::unique_ptr<PendingBatch>>& group) {
    std::vector<BatchResult> results;
    const auto failAll = [&](const Failure<StoreError>& e) {
        return std::vector<BatchResult>(group.size(), BatchResult(e));
    };
    std::lock_guard lock(m_mutex);
    Transaction tx(m_db);
    if (tx.begin() != SQLITE_OK)
        return failAll(storeError(m_db, m_file, "storing a batch in"));
    for (const auto& batch : group) {
        if (m_statements->run("SAVEPOINT batch") != SQLITE_OK)
            return failAll(storeError(m_db, m_file, "storing a batch in"));
        auto stored = storeInGroup(*batch);
        // A failed batch leaves nothing behind; the group's other batches are unaffected.
        const bool undone = stored || exec(m_db, "ROLLBACK TO batch") == SQLITE_OK;
        if (!undone || m_statements->run("RELEASE batch") != SQLITE_OK ||
            sqlite3_get_autocommit(m_db))
            // SQLite rolled the whole transaction back (an I/O error, a full disk): nothing of
            // the group is stored, whatever the earlier batches were told so far.
            return failAll(storeError(m_db, m_file, "storing a batch in"));
        results.push_back(std::move(stored));
    }
    // The durability point of every batch in the group (WAL, synchronous=FULL): no answer
    // leaves before this returns.
    if (tx.commit() != SQLITE_OK)
        return failAll(storeError(m_db, m_file, "committing a batch to"));
    return results;
}

Result<std::vector<EnvelopeOutcome>, StoreError>
IntakeStore::storeInGroup(const PendingBatch& batch) {
    const std::string& kioskId = *batch.kioskId;
    const std::int64_t now = batch.now;
    Statements& sql = *m_statements;
    std::vector<EnvelopeOutcome> outcomes;
    bool failed = false;
    // Invariant 11: today's bytes for this kiosk, counted as rows are added, written back with
    // the batch.
    const std::int64_t day = now / 86400;
    const auto usedBefore = usageOn(sql, kioskId, day);
    if (!usedBefore)
        return storeError(m_db, m_file, "reading kiosk usage in");
    std::uint64_t used = *usedBefore;
    const auto fits = [&](std::size_t bytes) {
        return used + bytes <= m_maxKioskBytesPerDay;
    };
    const auto overQuota = [&](const crypto::EnvelopeHeader& h) {
        EnvelopeOutcome out;
        out.outcome = StoreOutcome::OverQuota;
        out.message = "kiosk " + h.kioskId + " has sent its " +
                      std::to_string(m_maxKioskBytesPerDay >> 20) + " MiB for today; sequence " +
                      std::to_string(h.sequence) + " stays in the outbox until tomorrow (UTC)";
        return out;
    };
    // An alarm's evidence counts against the budget too; past it, the kiosk is still told
    // about its fork or chain break, but the evidence row is not kept.
    const auto recordAlarm = [&](const char* kind, const CheckedEnvelope& e,
                                 const std::optional<crypto::Hash256>& stored) {
        if (!fits(e.json.size()))
            return true;
        bool added = false;
        if (!insertAlarm(sql, m_db, kind, e, stored, now, added))
            return false;
        if (added)
            used += e.json.size();
        return true;
    };
    for (std::size_t i = 0; i < batch.envelopes.size(); ++i) {
        const CheckedEnvelope& e = batch.envelopes[i];
        const PresignedEnvelope& presigned = batch.presigned[i];
        const auto& h = e.envelope->header;
        EnvelopeOutcome out;
        const StoredNeighbours stored = findNeighbours(sql, h.kioskId, h.sequence, failed);
        if (failed)
            return storeError(m_db, m_file, "looking up envelopes in");
        if (const auto& existing = stored.at) {
            if (crypto::constantTimeEqual(existing->hash, e.hash)) {
                out.outcome = StoreOutcome::Duplicate;
                out.ack = {h.kioskId, h.sequence, existing->hash, existing->receivedAt,
                           existing->ackSignature};
            } else {
                // Invariant 2: the stored envelope stays; the offered one is kept as evidence.
                if (!recordAlarm("fork", e, existing->hash))
                    return storeError(m_db, m_file, "recording a fork in");
                out.outcome = StoreOutcome::Fork;
                out.message = "sequence " + std::to_string(h.sequence) + " of kiosk " + h.kioskId +
                              " is already stored with another envelope hash";
            }
            outcomes.push_back(std::move(out));
            continue;
        }
        // Invariant 4: chain links to stored neighbours.
        std::optional<std::string> breakMessage;
        std::optional<crypto::Hash256> conflicting;
        if (const auto& before = stored.before;
            before && !crypto::constantTimeEqual(before->hash, h.previousHash)) {
            breakMessage = "the previous hash does not match the stored envelope " +
                           std::to_string(h.sequence - 1);
            conflicting = before->hash;
        } else if (const auto& after = stored.after;
                   after && !crypto::constantTimeEqual(after->previousHash, e.hash)) {
            breakMessage = "the stored envelope " + std::to_string(h.sequence + 1) +
                           " does not chain to this one";
            conflicting = after->hash;
        }
        if (failed)
            return storeError(m_db, m_file, "looking up envelopes in");
        if (breakMessage) {
            if (!recordAlarm("chain-break", e, conflicting))
                return storeError(m_db, m_file, "recording a chain break in");
            out.outcome = StoreOutcome::ChainBreak;
            out.message = *breakMessage;
            outcomes.push_back(std::move(out));
            continue;
        }
        // Invariant 10: one stored envelope per receipt tag.
        if (h.receiptTag && tagStored(sql, *h.receiptTag, failed)) {
            out.outcome = StoreOutcome::TagReused;
            out.message = "sequence " + std::to_string(h.sequence) +
                          " carries a receipt tag that another stored report already has";
            outcomes.push_back(std::move(out));
            continue;
        }
        if (failed)
            return storeError(m_db, m_file, "looking up receipt tags in");
        if (!fits(e.json.size())) {
            outcomes.push_back(overQuota(h));
            continue;
        }
        // Invariants 3 and 6: envelope, acknowledgement and first case status in the batch's
        // savepoint; a failed INSERT rolls the whole batch back (commitGroup).
        {
            auto ins = sql.get("INSERT INTO envelopes (kiosk_id, sequence, previous_hash, "
                               "envelope_hash, kind, receipt_tag, envelope_json, received_at, "
                               "ack_signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
            ins->bindText(1, h.kioskId)
                .bind(2, static_cast<std::int64_t>(h.sequence))
                .bindBlob(3, h.previousHash)
                .bindBlob(4, e.hash)
                .bindText(7, e.json)
                .bind(8, now)
                .bindBlob(9, presigned.ackSignature);
            if (h.receiptTag)
                ins->bindBlob(6, *h.receiptTag);
            else
                ins->bindNull(6);
            if (crypto::headerCarriesMetadata(h)) // schema invariant 12
                ins->bind(5, static_cast<int>(h.kind));
            else
                ins->bindNull(5);
            if (ins->step() != SQLITE_DONE)
                return storeError(m_db, m_file, "storing an envelope in");
        }
        if (h.receiptTag) {
            // The tag is new (invariant 10), so this is the case's first status.
            auto st = sql.get("INSERT OR IGNORE INTO case_status (receipt_tag, status_json, "
                              "stored_at) VALUES (?1, ?2, ?3)");
            st->bindBlob(1, *h.receiptTag).bindText(2, presigned.caseStatusJson).bind(3, now);
            if (st->step() != SQLITE_DONE)
                return storeError(m_db, m_file, "storing an envelope in");
        }
        used += e.json.size();
        out.outcome = StoreOutcome::Stored;
        out.ack = {h.kioskId, h.sequence, e.hash, now, presigned.ackSignature};
        outcomes.push_back(std::move(out));
    }
    if (used != *usedBefore && !setUsage(sql, kioskId, day, used))
        return storeError(m_db, m_file, "recording kiosk usage in");
    if (!touchKiosk(sql, kioskId, now))
        return storeError(m_db, m_file, "recording kiosk contact in");
    return outcomes;
}

Result<Ok, StoreError> IntakeStore::recordHeartbeat(const std::string& kioskId,
                                                    const std::string& heartbeatJson,
                                                    std::int64_t now) {
    std::lock_guard lock(m_mutex);
    Transaction tx(m_db);
    if (tx.begin() != SQLITE_OK || !touchKiosk(*m_statements, kioskId, now))
        return storeError(m_db, m_file, "recording a heartbeat in");
    Stmt s(m_db, "UPDATE kiosk_state SET last_heartbeat = ?2, last_heartbeat_at = ?3 "
                 "WHERE kiosk_id = ?1");
    s.bindText(1, kioskId).bindText(2, heartbeatJson).bind(3, now);
    if (s.step() != SQLITE_DONE || tx.commit() != SQLITE_OK)
        return storeError(m_db, m_file, "recording a heartbeat in");
    return Ok{};
}

Result<std::optional<std::string>, StoreError> IntakeStore::caseStatus(const crypto::Hash256& tag) {
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "SELECT status_json FROM case_status WHERE receipt_tag = ?1");
    s.bindBlob(1, tag);
    const int rc = s.step();
    if (rc == SQLITE_DONE)
        return std::optional<std::string>();
    if (rc != SQLITE_ROW)
        return storeError(m_db, m_file, "looking up a case status in");
    return std::optional<std::string>(s.text(0));
}

Result<std::optional<std::int64_t>, StoreError>
IntakeStore::complaintReceivedAt(const crypto::Hash256& tag) {
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "SELECT MIN(received_at) FROM envelopes WHERE receipt_tag = ?1");
    s.bindBlob(1, tag);
    if (s.step() != SQLITE_ROW)
        return storeError(m_db, m_file, "looking up a complaint in");
    if (s.isNull(0))
        return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(s.i64(0));
}

Result<Ok, StoreError> IntakeStore::replaceCaseStatus(const crypto::Hash256& tag,
                                                      const std::string& statusJson,
                                                      std::int64_t now) {
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "INSERT OR REPLACE INTO case_status (receipt_tag, status_json, stored_at) "
                 "VALUES (?1, ?2, ?3)");
    s.bindBlob(1, tag).bindText(2, statusJson).bind(3, now);
    if (s.step() != SQLITE_DONE)
        return storeError(m_db, m_file, "storing a case status in");
    return Ok{};
}

Result<std::vector<PulledEnvelope>, StoreError>
IntakeStore::pull(std::int64_t after, std::size_t limit, std::size_t maxBytes) {
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "SELECT cursor, envelope_json, kiosk_id, sequence, envelope_hash, received_at, "
                 "ack_signature FROM envelopes WHERE cursor > ?1 ORDER BY cursor LIMIT ?2");
    s.bind(1, after).bind(2, static_cast<std::int64_t>(limit));
    std::vector<PulledEnvelope> out;
    std::size_t bytes = 0;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        PulledEnvelope p;
        p.cursor = s.i64(0);
        p.envelopeJson = s.text(1);
        if (!out.empty() && bytes + p.envelopeJson.size() > maxBytes)
            return out;
        p.ack.kioskId = s.text(2);
        p.ack.sequence = static_cast<std::uint64_t>(s.i64(3));
        p.ack.receivedAt = s.i64(5);
        if (!s.array(4, p.ack.envelopeHash) || !s.array(6, p.ack.signature))
            return fail(StoreError{Code::Corrupt,
                                   m_file.string() + " holds a damaged envelope row (cursor " +
                                       std::to_string(p.cursor) +
                                       "). Keep the file and restore it from a backup."});
        bytes += p.envelopeJson.size();
        out.push_back(std::move(p));
    }
    if (rc != SQLITE_DONE)
        return storeError(m_db, m_file, "reading envelopes from");
    return out;
}

Result<std::map<std::string, std::int64_t>, StoreError> IntakeStore::lastContacts() {
    std::lock_guard lock(m_mutex);
    std::map<std::string, std::int64_t> out;
    Stmt s(m_db, "SELECT kiosk_id, last_contact FROM kiosk_state WHERE last_contact IS NOT NULL");
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out[s.text(0)] = s.i64(1);
    if (rc != SQLITE_DONE)
        return storeError(m_db, m_file, "reading kiosk state from");
    return out;
}

Result<std::map<std::string, KioskActivity>, StoreError> IntakeStore::kioskActivity() {
    std::lock_guard lock(m_mutex);
    std::map<std::string, KioskActivity> out;
    {
        Stmt s(m_db, "SELECT kiosk_id, last_contact, last_heartbeat FROM kiosk_state");
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            auto& a = out[s.text(0)];
            if (!s.isNull(1))
                a.lastContact = s.i64(1);
            if (!s.isNull(2))
                a.lastHeartbeatJson = s.text(2);
        }
        if (rc != SQLITE_DONE)
            return storeError(m_db, m_file, "reading kiosk state from");
    }
    {
        Stmt s(m_db, "SELECT kiosk_id, MAX(sequence) FROM envelopes GROUP BY kiosk_id");
        int rc;
        while ((rc = s.step()) == SQLITE_ROW)
            out[s.text(0)].lastSequence = static_cast<std::uint64_t>(s.i64(1));
        if (rc != SQLITE_DONE)
            return storeError(m_db, m_file, "reading kiosk state from");
    }
    {
        // Gaps: runs of sequences missing below the highest stored one (invariant 4). Each
        // stored envelope whose predecessor is missing ends a gap that starts after the
        // highest stored sequence below it. (SQLCipher 3.4 bundles SQLite 3.15: no window
        // functions, no UPSERT; both lookups use the (kiosk_id, sequence) index.)
        Stmt s(m_db, "SELECT e.kiosk_id, IFNULL((SELECT MAX(p.sequence) FROM envelopes p "
                     "WHERE p.kiosk_id = e.kiosk_id AND p.sequence < e.sequence), 0) + 1, "
                     "e.sequence - 1 FROM envelopes e WHERE e.sequence > 1 AND NOT EXISTS "
                     "(SELECT 1 FROM envelopes q WHERE q.kiosk_id = e.kiosk_id AND "
                     "q.sequence = e.sequence - 1) ORDER BY e.kiosk_id, e.sequence");
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            auto& gaps = out[s.text(0)].gaps;
            if (gaps.size() < 1000)
                gaps.emplace_back(static_cast<std::uint64_t>(s.i64(1)),
                                  static_cast<std::uint64_t>(s.i64(2)));
        }
        if (rc != SQLITE_DONE)
            return storeError(m_db, m_file, "reading kiosk state from");
    }
    {
        Stmt s(m_db, "SELECT kiosk_id, kind, COUNT(*) FROM alarms GROUP BY kiosk_id, kind");
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            auto& a = out[s.text(0)];
            (s.text(1) == "fork" ? a.forks : a.chainBreaks) = static_cast<std::uint64_t>(s.i64(2));
        }
        if (rc != SQLITE_DONE)
            return storeError(m_db, m_file, "reading kiosk state from");
    }
    return out;
}

// ---- configuration bundles ------------------------------------------------------------------

Result<IntakeStore::BundleOutcome, StoreError>
IntakeStore::storeConfigBundle(std::uint64_t configVersion, const std::vector<std::string>& targets,
                               const std::string& bundleJson, std::int64_t now) {
    std::string targetText;
    if (!targets.empty()) {
        targetText = " ";
        for (const auto& t : targets)
            targetText += t + " ";
    }
    std::lock_guard lock(m_mutex);
    Transaction tx(m_db);
    if (tx.begin() != SQLITE_OK)
        return storeError(m_db, m_file, "storing a configuration bundle in");
    Stmt q(m_db, "SELECT bundle_json FROM config_bundles WHERE config_version = ?1");
    q.bind(1, static_cast<std::int64_t>(configVersion));
    const int rc = q.step();
    if (rc == SQLITE_ROW)
        return q.text(0) == bundleJson ? BundleOutcome::AlreadyStored : BundleOutcome::Conflict;
    if (rc != SQLITE_DONE)
        return storeError(m_db, m_file, "storing a configuration bundle in");
    Stmt s(m_db, "INSERT INTO config_bundles (config_version, targets, bundle_json, stored_at) "
                 "VALUES (?1, ?2, ?3, ?4)");
    s.bind(1, static_cast<std::int64_t>(configVersion))
        .bindText(2, targetText)
        .bindText(3, bundleJson)
        .bind(4, now);
    if (s.step() != SQLITE_DONE || tx.commit() != SQLITE_OK)
        return storeError(m_db, m_file, "storing a configuration bundle in");
    return BundleOutcome::Stored;
}

Result<std::optional<std::string>, StoreError>
IntakeStore::latestConfigBundle(const std::string& kioskId) {
    std::lock_guard lock(m_mutex);
    Stmt s(m_db, "SELECT bundle_json FROM config_bundles "
                 "WHERE targets = '' OR instr(targets, ' ' || ?1 || ' ') > 0 "
                 "ORDER BY config_version DESC LIMIT 1");
    s.bindText(1, kioskId);
    const int rc = s.step();
    if (rc == SQLITE_DONE)
        return std::optional<std::string>();
    if (rc != SQLITE_ROW)
        return storeError(m_db, m_file, "reading a configuration bundle from");
    return std::optional<std::string>(s.text(0));
}

} // namespace minsheng::server
