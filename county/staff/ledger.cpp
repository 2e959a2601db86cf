// Ledger implementation. The SQL schema lives in ledger_schema.hpp; this file opens and keys the
// file, sets the pragmas, runs the transactions and turns SQLite result codes into LedgerError.
#include "county/staff/ledger.hpp"

#include "county/staff/ledger_schema.hpp"
#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace minsheng::staff {

namespace fs = std::filesystem;
using crypto::Hash256;
using crypto::SecretBytes;
using Code = LedgerError::Code;

std::string_view envelopeSourceName(EnvelopeSource source) {
    return source == EnvelopeSource::Network ? "network" : "import";
}

std::string_view alarmKindName(AlarmKind kind) {
    switch (kind) {
    case AlarmKind::Fork:
        return "fork";
    case AlarmKind::ChainBreak:
        return "chain-break";
    case AlarmKind::Rejected:
        return "rejected";
    case AlarmKind::BadAck:
        return "bad-ack";
    case AlarmKind::BadPayload:
        return "bad-payload";
    case AlarmKind::RevokedKiosk:
        return "revoked-kiosk";
    }
    return "rejected";
}

namespace {

std::optional<AlarmKind> alarmKindFromName(std::string_view n) {
    for (auto k : {AlarmKind::Fork, AlarmKind::ChainBreak, AlarmKind::Rejected, AlarmKind::BadAck,
                   AlarmKind::BadPayload, AlarmKind::RevokedKiosk})
        if (alarmKindName(k) == n)
            return k;
    return std::nullopt;
}

// ---- SQLite result code -> LedgerError ------------------------------------------------------

LedgerError sqliteError(sqlite3* db, const fs::path& file, int rc, std::string_view doing) {
    const int primary = rc & 0xff;
    const std::string f = file.string();
    const std::string says =
        std::string(" (SQLite: ") + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + ")";
    const int sysErrno = db ? sqlite3_system_errno(db) : 0;
    const std::string what = std::string(doing) + " " + f;
    switch (primary) {
    case SQLITE_NOTADB:
        return {Code::WrongKeyOrNotALedger,
                f +
                    " cannot be read with this key: the passphrase (or keys/ledger.key) is not "
                    "the one the ledger was created with, or the file is not a Minsheng ledger." +
                    says +
                    " Nothing was changed. Try the passphrase again; never delete the ledger, it "
                    "holds the case history."};
    case SQLITE_CORRUPT:
        return {Code::Corrupt, f + " is damaged" + says +
                                   ". Do not delete it: copy ledger.db and ledger.db-wal to a "
                                   "safe place and restore the ledger from the office backup."};
    case SQLITE_FULL:
        return {Code::DiskFull, "the disk holding " + f + " is full" + says +
                                    ". Nothing was recorded; free space and run the command "
                                    "again."};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return {Code::Busy, f + " is in use by another staff command" + says +
                                ". Nothing was recorded; wait for it to finish and try again."};
    case SQLITE_CONSTRAINT:
        return {Code::Corrupt, f + " refused a change that breaks one of its invariants" + says +
                                   ". Nothing was recorded. Keep the file and report this."};
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return {Code::Unwritable,
                what + " failed: the file or its folder is not writable" + says +
                    (sysErrno ? std::string(", ") + std::strerror(sysErrno) : "") +
                    ". The staff user needs read and write permission on the county folder."};
    case SQLITE_IOERR:
        if (sysErrno == ENOSPC || sysErrno == EDQUOT || sysErrno == EFBIG)
            return {Code::DiskFull, "the disk holding " + f + " is full (" +
                                        std::strerror(sysErrno) +
                                        "). Nothing was recorded; free space and try again."};
        return {Code::Io, what + " failed" + says +
                              (sysErrno ? std::string(", ") + std::strerror(sysErrno) : "") +
                              ". The disk may be failing; check the system log."};
    default:
        return {Code::Io, what + " failed" + says + "."};
    }
}

// ---- Small RAII helpers over the C API ------------------------------------------------------

using sync::StoreError;
using sync::sqlite::DbPtr;
using sync::sqlite::exec;
using sync::sqlite::Stmt;
using sync::sqlite::Transaction;

bool pathExists(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

// ---- The shared store discipline (sync/store/sqlite_store.hpp), in the ledger's words ------

StoreError toStoreError(LedgerError e) {
    using S = StoreError::Code;
    S code = S::Io;
    switch (e.code) {
    case Code::WrongKeyOrNotALedger:
        code = S::WrongKeyOrNotAnOutbox;
        break;
    case Code::Corrupt:
        code = S::Corrupt;
        break;
    case Code::SchemaTooNew:
        code = S::SchemaTooNew;
        break;
    case Code::Missing:
        code = S::Missing;
        break;
    case Code::Unwritable:
        code = S::Unwritable;
        break;
    case Code::DiskFull:
        code = S::DiskFull;
        break;
    case Code::Busy:
        code = S::Busy;
        break;
    case Code::NotFound:
    case Code::Invalid:
        code = S::InvalidInput;
        break;
    case Code::Io:
        code = S::Io;
        break;
    }
    return {code, std::move(e.message)};
}

LedgerError toLedgerError(StoreError e) {
    using S = StoreError::Code;
    Code code = Code::Io;
    switch (e.code) {
    case S::WrongKeyOrNotAnOutbox:
    case S::KioskMismatch:
        code = Code::WrongKeyOrNotALedger;
        break;
    case S::Corrupt:
    case S::AckMismatch:
        code = Code::Corrupt;
        break;
    case S::SchemaTooNew:
        code = Code::SchemaTooNew;
        break;
    case S::Missing:
        code = Code::Missing;
        break;
    case S::Unwritable:
        code = Code::Unwritable;
        break;
    case S::DiskFull:
        code = Code::DiskFull;
        break;
    case S::Busy:
        code = Code::Busy;
        break;
    case S::KeyUnusable:
    case S::InvalidInput:
        code = Code::Invalid;
        break;
    case S::UnknownEnvelope:
        code = Code::NotFound;
        break;
    case S::Io:
        code = Code::Io;
        break;
    }
    return {code, std::move(e.message)};
}

sync::sqlite::ErrorMapper errorsWhile(const fs::path& file, std::string_view doing) {
    return [&file, doing](sqlite3* db, int rc) {
        return toStoreError(sqliteError(db, file, rc, doing));
    };
}

Result<DbPtr, LedgerError> connect(const fs::path& file, const SecretBytes& key, bool create,
                                   const LedgerOpenOptions& options) {
    if (key.size() != 32)
        return fail(LedgerError{Code::Invalid, "the ledger key must be 32 bytes."});
    sync::sqlite::OpenSpec spec;
    spec.file = file;
    spec.create = create;
    spec.vfsName = options.vfsName;
    spec.rawKey = &key;
    // Two staff commands may overlap (a pull and a case set); each holds the lock briefly.
    spec.busyTimeout = std::chrono::milliseconds(10000);
    auto db = sync::sqlite::openDatabase(spec, errorsWhile(file, "opening"));
    if (!db)
        return fail(toLedgerError(std::move(db.error())));
    return std::move(db.value());
}

/// Invariant 8: apply missing steps, each in its own transaction; never go back.
Result<Ok, LedgerError> migrate(sqlite3* db, const fs::path& file, bool creating) {
    sync::sqlite::MigrationPlan plan;
    plan.steps = schema::kMigrations;
    plan.creating = creating;
    plan.tooNew = [&file](int found, int known) {
        return toStoreError(LedgerError{
            Code::SchemaTooNew, file.string() + " was written by a newer Minsheng (ledger schema " +
                                    std::to_string(found) + ", this program knows up to " +
                                    std::to_string(known) +
                                    "). It was left untouched; install the newer software."});
    };
    plan.notThisStore = [&file] {
        return toStoreError(LedgerError{Code::WrongKeyOrNotALedger,
                                        file.string() + " opens with this key but holds no "
                                                        "ledger; it was left untouched. Move it "
                                                        "aside."});
    };
    if (auto m = sync::sqlite::migrate(db, plan, errorsWhile(file, "migrating")); !m)
        return fail(toLedgerError(std::move(m.error())));
    return Ok{};
}

Result<DbPtr, LedgerError> openExisting(const fs::path& file, const SecretBytes& key,
                                        const LedgerOpenOptions& options) {
    auto db = connect(file, key, false, options);
    if (!db)
        return fail(db.error());
    if (auto m = migrate(db->get(), file, false); !m)
        return fail(m.error());
    return std::move(db.value());
}

/// Invariant 9: build under ledger.db.creating, then link() into place.
Result<DbPtr, LedgerError> createNew(const fs::path& file, const SecretBytes& key,
                                     const LedgerOpenOptions& options) {
    fs::path temp = file;
    temp += ".creating";
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        fs::path p = temp;
        p += suffix;
        ::unlink(p.c_str()); // leftovers of a creation that crashed; they hold nothing
    }
    {
        auto db = connect(temp, key, true, options);
        if (!db)
            return fail(db.error());
        if (auto m = migrate(db->get(), temp, true); !m)
            return fail(m.error());
        // The one meta row (invariant 9: part of a complete ledger, so before the link below).
        const auto now = static_cast<std::int64_t>(::time(nullptr));
        const std::string meta =
            "INSERT INTO meta (id, created_at, cursor) VALUES (1, " + std::to_string(now) + ", 0)";
        if (int rc = exec(db->get(), meta.c_str()); rc != SQLITE_OK)
            return fail(sqliteError(db->get(), file, rc, "creating"));
        sqlite3* raw = db->release();
        if (int rc = sqlite3_close(raw); rc != SQLITE_OK) {
            sqlite3_close_v2(raw);
            return fail(sqliteError(nullptr, file, rc, "creating"));
        }
    }
    if (auto published = sync::sqlite::publishCreatedStore(temp, file); !published) {
        if (published.error().checkpointIncomplete)
            return fail(LedgerError{Code::Io, "creating " + file.string() +
                                                  " failed: its first checkpoint did not complete. "
                                                  "Check free space and try again."});
        const int e = published.error().sysErrno;
        return fail(LedgerError{e == ENOSPC ? Code::DiskFull : Code::Unwritable,
                                "creating " + file.string() + " failed (" + std::strerror(e) +
                                    "). Check that the county folder is writable."});
    }
    return openExisting(file, key, options);
}

std::string str(const nlohmann::json& answers, const char* field) {
    auto it = answers.find(field);
    return it != answers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

constexpr const char* kSelectSubmission =
    "SELECT e.id, e.kiosk_id, e.sequence, e.kind, e.form_id, e.form_version, e.locale, "
    "e.created_at, e.answers, e.source, e.recorded_at, a.received_at, "
    "c.receipt_tag, c.category, c.school, c.district, c.township, c.community, c.anonymous, "
    "c.contact_name, c.contact_phone, c.received_at, c.status, c.updated_at, c.reply "
    "FROM envelopes e LEFT JOIN acks a ON a.envelope_id = e.id "
    "LEFT JOIN cases c ON c.envelope_id = e.id ";

Submission readSubmission(const Stmt& s) {
    Submission r;
    r.id = s.i64(0);
    r.kioskId = s.text(1);
    r.sequence = static_cast<std::uint64_t>(s.i64(2));
    r.kind = s.text(3) == "survey" ? crypto::EnvelopeKind::Survey : crypto::EnvelopeKind::Complaint;
    r.formId = s.text(4);
    r.formVersion = s.i64(5);
    r.locale = s.text(6);
    r.createdAt = s.i64(7);
    r.answers = nlohmann::json::parse(s.text(8), nullptr, false);
    if (!r.answers.is_object())
        r.answers = nlohmann::json::object();
    r.source = s.text(9) == "network" ? EnvelopeSource::Network : EnvelopeSource::Import;
    r.recordedAt = s.i64(10);
    r.acknowledged = !s.isNull(11);
    r.receivedAt = r.acknowledged ? s.i64(11) : r.recordedAt;
    if (!s.isNull(12)) {
        r.receiptTag = s.hash(12);
        r.category = s.text(13);
        r.school = s.text(14);
        r.district = s.text(15);
        r.township = s.text(16);
        r.community = s.text(17);
        r.anonymous = s.i64(18) != 0;
        r.contactName = s.optText(19);
        r.contactPhone = s.optText(20);
        r.receivedAt = s.i64(21);
        r.status = static_cast<crypto::CaseStatus>(s.i64(22));
        r.updatedAt = s.i64(23);
        r.reply = s.text(24);
    }
    return r;
}

} // namespace

// ---- Ledger ---------------------------------------------------------------------------------

struct Ledger::Impl {
    DbPtr db;
};

Ledger::Ledger(std::unique_ptr<Impl> impl, fs::path file)
    : m_impl(std::move(impl)), m_file(std::move(file)), m_db(m_impl->db.get()) {}

LedgerError Ledger::sqlError(int rc, std::string_view doing) const {
    return sqliteError(m_db, m_file, rc, doing);
}
Ledger::Ledger(Ledger&&) noexcept = default;
Ledger& Ledger::operator=(Ledger&&) noexcept = default;
Ledger::~Ledger() = default;

Result<Ledger, LedgerError> Ledger::open(const fs::path& file, const SecretBytes& key,
                                         OpenMode mode, const LedgerOpenOptions& options) {
    Result<DbPtr, LedgerError> db = fail(LedgerError{Code::Missing, ""});
    if (pathExists(file)) {
        db = openExisting(file, key, options);
    } else {
        fs::path wal = file;
        wal += "-wal";
        if (pathExists(wal))
            return fail(LedgerError{Code::Missing,
                                    file.string() + " is missing but " + wal.string() +
                                        " is still there: the ledger was moved or deleted. "
                                        "Restore it from the office backup; nothing was created."});
        if (mode == OpenMode::MustExist)
            return fail(LedgerError{Code::Missing, file.string() +
                                                       " does not exist yet: run `minsheng-county "
                                                       "pull` (or `pull --import`) first."});
        db = createNew(file, key, options);
    }
    if (!db)
        return fail(db.error());
    auto impl = std::make_unique<Impl>();
    impl->db = std::move(db.value());
    return Ledger(std::move(impl), file);
}

Result<std::vector<RecordResult>, LedgerError>
Ledger::recordBatch(const std::vector<OpenedSubmission>& items, const std::vector<Alarm>& alarms,
                    std::optional<std::int64_t> cursor, std::int64_t now) {
    sqlite3* db = m_impl->db.get();
    auto err = [&](int rc) {
        return fail(sqliteError(db, m_file, rc, "recording into"));
    };
    Transaction txn(db);
    if (int rc = txn.begin(); rc != SQLITE_OK)
        return err(rc);

    Stmt bySeq(db, "SELECT id, envelope_hash FROM envelopes WHERE kiosk_id = ?1 AND sequence = ?2");
    Stmt insEnv(db, "INSERT INTO envelopes (kiosk_id, sequence, envelope_hash, previous_hash, "
                    "kind, form_id, form_version, locale, created_at, receipt_tag, wire, answers, "
                    "source, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                    "?12, ?13, ?14)");
    Stmt insAck(db,
                "INSERT OR IGNORE INTO acks (envelope_id, ack, received_at) VALUES (?1, ?2, ?3)");
    Stmt insCase(db, "INSERT INTO cases (envelope_id, receipt_tag, category, school, district, "
                     "township, community, anonymous, contact_name, contact_phone, received_at, "
                     "status, updated_at, reply) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                     "?11, 1, ?11, '')");
    Stmt insHist(db, "INSERT INTO status_history (envelope_id, status, reply, set_at, signed) "
                     "VALUES (?1, 1, '', ?2, NULL)");
    Stmt insAlarm(db, "INSERT INTO alarms (kind, kiosk_id, sequence, envelope_hash, source, "
                      "detail, wire, raised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (Stmt* s : {&bySeq, &insEnv, &insAck, &insCase, &insHist, &insAlarm})
        if (s->prepareRc() != SQLITE_OK)
            return err(s->prepareRc());

    auto addAlarm = [&](const Alarm& a) -> int {
        insAlarm.reset();
        insAlarm.bindText(1, alarmKindName(a.kind));
        insAlarm.bindText(2, a.kioskId);
        insAlarm.bind(3, static_cast<std::int64_t>(a.sequence));
        if (a.hash)
            insAlarm.bindBlob(4, *a.hash);
        else
            insAlarm.bindNull(4);
        insAlarm.bindText(5, envelopeSourceName(a.source));
        insAlarm.bindText(6, a.detail);
        if (a.wire.empty())
            insAlarm.bindNull(7);
        else
            insAlarm.bindText(7, a.wire);
        insAlarm.bind(8, a.raisedAt ? a.raisedAt : now);
        int rc = insAlarm.step();
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    };
    // The recorded envelope at (kiosk, seq), if any: {id, hash}.
    auto lookup = [&](const std::string& kiosk, std::uint64_t seq,
                      std::optional<std::pair<std::int64_t, Hash256>>& out) -> int {
        bySeq.reset();
        bySeq.bindText(1, kiosk);
        bySeq.bind(2, static_cast<std::int64_t>(seq));
        int rc = bySeq.step();
        out.reset();
        if (rc == SQLITE_ROW) {
            out.emplace(bySeq.i64(0), bySeq.hash(1));
            return SQLITE_OK;
        }
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    };
    auto attachAck = [&](std::int64_t envelopeId, const OpenedSubmission& s) -> int {
        if (!s.ack)
            return SQLITE_OK;
        insAck.reset();
        insAck.bind(1, envelopeId);
        insAck.bindText(2, s.ackJson);
        insAck.bind(3, s.ack->receivedAt);
        int rc = insAck.step();
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    };

    std::vector<RecordResult> results;
    results.reserve(items.size());
    for (const auto& s : items) {
        const auto& h = s.envelope.header;
        const std::string who = h.kioskId + " #" + std::to_string(h.sequence);
        std::optional<std::pair<std::int64_t, Hash256>> same, before, after;
        int rc = lookup(h.kioskId, h.sequence, same);
        if (rc != SQLITE_OK)
            return err(rc);
        if (same) {
            if (crypto::constantTimeEqual(same->second, s.hash)) {
                if ((rc = attachAck(same->first, s)) != SQLITE_OK)
                    return err(rc);
                results.push_back({RecordOutcome::Duplicate, {}});
                continue;
            }
            Alarm a{AlarmKind::Fork,
                    h.kioskId,
                    h.sequence,
                    s.hash,
                    s.source,
                    who +
                        ": FORK — a second, different envelope with the same kiosk and "
                        "sequence as one already recorded (hash " +
                        crypto::toHex(same->second).substr(0, 16) +
                        "…). It was not recorded. "
                        "The kiosk's key may have been copied: check the kiosk and consider "
                        "`minsheng-county revoke`.",
                    s.wire,
                    now};
            if ((rc = addAlarm(a)) != SQLITE_OK)
                return err(rc);
            results.push_back({RecordOutcome::Fork, a.detail});
            continue;
        }
        // Chain neighbours (invariant 2). Envelopes can arrive out of order (a USB export of
        // older ones after newer ones came over the network), so check both sides.
        std::string breakWhy;
        if (h.sequence > 1) {
            if ((rc = lookup(h.kioskId, h.sequence - 1, before)) != SQLITE_OK)
                return err(rc);
            if (before && !crypto::constantTimeEqual(before->second, h.previousHash))
                breakWhy = "its previous hash is not the hash of the recorded envelope #" +
                           std::to_string(h.sequence - 1);
        } else if (h.previousHash != Hash256{}) {
            breakWhy = "sequence 1 must not name a previous envelope";
        }
        if (breakWhy.empty()) {
            if ((rc = lookup(h.kioskId, h.sequence + 1, after)) != SQLITE_OK)
                return err(rc);
            if (after) {
                Stmt prev(db, "SELECT previous_hash FROM envelopes WHERE id = ?1");
                prev.bind(1, after->first);
                if (prev.step() == SQLITE_ROW && !crypto::constantTimeEqual(prev.hash(0), s.hash))
                    breakWhy = "the recorded envelope #" + std::to_string(h.sequence + 1) +
                               " does not chain to it";
            }
        }
        if (!breakWhy.empty()) {
            Alarm a{AlarmKind::ChainBreak,
                    h.kioskId,
                    h.sequence,
                    s.hash,
                    s.source,
                    who + ": CHAIN BREAK — " + breakWhy +
                        ". It was not recorded: the kiosk's history was altered, or an envelope "
                        "was forged with its key. Keep the files and check the kiosk.",
                    s.wire,
                    now};
            if ((rc = addAlarm(a)) != SQLITE_OK)
                return err(rc);
            results.push_back({RecordOutcome::ChainBreak, a.detail});
            continue;
        }

        // Invariant 6: what an anonymous parent's envelope says about contact is dropped.
        nlohmann::json answers = s.payload.answers;
        // Kind and minute from the opened envelope: a version-2 header carries neither.
        const bool complaint = s.kind == crypto::EnvelopeKind::Complaint;
        const bool realName = complaint && str(answers, "anonymous") == "no";
        if (!realName) {
            answers.erase("contact_name");
            answers.erase("contact_phone");
        }
        insEnv.reset();
        insEnv.bindText(1, h.kioskId);
        insEnv.bind(2, static_cast<std::int64_t>(h.sequence));
        insEnv.bindBlob(3, s.hash);
        insEnv.bindBlob(4, h.previousHash);
        insEnv.bindText(5, complaint ? "complaint" : "survey");
        insEnv.bindText(6, s.payload.formId);
        insEnv.bind(7, s.payload.formVersion);
        insEnv.bindText(8, s.payload.locale);
        insEnv.bind(9, s.payload.createdAt);
        // A version-2 survey carries a random tag that no receipt code maps to: not kept.
        if (complaint && h.receiptTag)
            insEnv.bindBlob(10, *h.receiptTag);
        else
            insEnv.bindNull(10);
        insEnv.bindText(11, s.wire);
        insEnv.bindText(12, answers.dump());
        insEnv.bindText(13, envelopeSourceName(s.source));
        insEnv.bind(14, now);
        if ((rc = insEnv.step()) != SQLITE_DONE)
            return err(rc);
        const std::int64_t id = sqlite3_last_insert_rowid(db);
        if ((rc = attachAck(id, s)) != SQLITE_OK)
            return err(rc);
        if (complaint) {
            const std::int64_t receivedAt = s.ack ? s.ack->receivedAt : now;
            insCase.reset();
            insCase.bind(1, id);
            insCase.bindBlob(2, *h.receiptTag);
            insCase.bindText(3, str(answers, "category"));
            insCase.bindText(4, str(answers, "school"));
            insCase.bindText(5, str(answers, "district"));
            insCase.bindText(6, str(answers, "township"));
            insCase.bindText(7, str(answers, "community"));
            insCase.bind(8, realName ? 0 : 1);
            auto opt = [&](const char* f) {
                std::string v = str(answers, f);
                return realName && !v.empty() ? std::optional<std::string>(v) : std::nullopt;
            };
            insCase.bindOptText(9, opt("contact_name"));
            insCase.bindOptText(10, opt("contact_phone"));
            insCase.bind(11, receivedAt);
            if ((rc = insCase.step()) != SQLITE_DONE)
                return err(rc);
            insHist.reset();
            insHist.bind(1, id);
            insHist.bind(2, receivedAt);
            if ((rc = insHist.step()) != SQLITE_DONE)
                return err(rc);
        }
        results.push_back({RecordOutcome::Recorded, {}});
    }
    for (const auto& a : alarms)
        if (int rc = addAlarm(a); rc != SQLITE_OK)
            return err(rc);
    if (cursor) {
        Stmt c(db, "UPDATE meta SET cursor = max(cursor, ?1) WHERE id = 1");
        c.bind(1, *cursor);
        if (int rc = c.step(); rc != SQLITE_DONE)
            return err(rc);
    }
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return err(rc);
    return results;
}

Result<std::int64_t, LedgerError> Ledger::cursor() {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, "SELECT cursor FROM meta WHERE id = 1");
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc != SQLITE_ROW)
        return fail(sqliteError(db, m_file, rc, "reading"));
    return s.i64(0);
}

Result<LedgerStats, LedgerError> Ledger::stats() {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, "SELECT (SELECT count(*) FROM envelopes WHERE kind = 'complaint'), "
               "(SELECT count(*) FROM envelopes WHERE kind = 'survey'), "
               "(SELECT count(*) FROM alarms), "
               "(SELECT count(*) FROM status_history h WHERE h.signed IS NOT NULL AND NOT EXISTS "
               " (SELECT 1 FROM status_pushes p WHERE p.history_id = h.id)), "
               "(SELECT cursor FROM meta WHERE id = 1)");
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc != SQLITE_ROW)
        return fail(sqliteError(db, m_file, rc, "reading"));
    LedgerStats st;
    st.complaints = static_cast<std::size_t>(s.i64(0));
    st.surveys = static_cast<std::size_t>(s.i64(1));
    st.alarms = static_cast<std::size_t>(s.i64(2));
    st.pendingPushes = static_cast<std::size_t>(s.i64(3));
    st.cursor = s.i64(4);
    return st;
}

Result<std::vector<Submission>, LedgerError> Ledger::submissions() {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, (std::string(kSelectSubmission) + "ORDER BY e.id").c_str());
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(db, m_file, s.prepareRc(), "reading"));
    std::vector<Submission> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(readSubmission(s));
    if (rc != SQLITE_DONE)
        return fail(sqliteError(db, m_file, rc, "reading"));
    return out;
}

Result<Submission, LedgerError> Ledger::caseByTag(const Hash256& tag) {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, (std::string(kSelectSubmission) + "WHERE c.receipt_tag = ?1").c_str());
    s.bindBlob(1, tag);
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_ROW)
        return readSubmission(s);
    if (rc == SQLITE_DONE)
        return fail(LedgerError{Code::NotFound,
                                "no complaint with this receipt code is in the ledger (" +
                                    m_file.string() +
                                    "). If the parent submitted it recently, run `minsheng-county "
                                    "pull` first; otherwise ask them to read the code again."});
    return fail(sqliteError(db, m_file, rc, "reading"));
}

Result<Submission, LedgerError> Ledger::caseByNumber(const std::string& kioskId,
                                                     std::uint64_t sequence) {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, (std::string(kSelectSubmission) +
                "WHERE e.kiosk_id = ?1 AND e.sequence = ?2 AND c.envelope_id IS NOT NULL")
                   .c_str());
    s.bindText(1, kioskId);
    s.bind(2, static_cast<std::int64_t>(sequence));
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_ROW)
        return readSubmission(s);
    if (rc == SQLITE_DONE)
        return fail(
            LedgerError{Code::NotFound, "no complaint " + kioskId + "/" + std::to_string(sequence) +
                                            " in the ledger; see `minsheng-county cases`."});
    return fail(sqliteError(db, m_file, rc, "reading"));
}

Result<Submission, LedgerError> Ledger::submission(std::int64_t id) {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, (std::string(kSelectSubmission) + "WHERE e.id = ?1").c_str());
    s.bind(1, id);
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_ROW)
        return readSubmission(s);
    if (rc == SQLITE_DONE)
        return fail(LedgerError{Code::NotFound, "no submission with id " + std::to_string(id) +
                                                    " in the ledger (" + m_file.string() + ")."});
    return fail(sqliteError(db, m_file, rc, "reading"));
}

Result<std::vector<HistoryEntry>, LedgerError> Ledger::history(std::int64_t caseId) {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, "SELECT h.id, h.status, h.reply, h.set_at, h.signed IS NOT NULL, "
               "EXISTS (SELECT 1 FROM status_pushes p WHERE p.history_id = h.id), "
               "h.actor_id, coalesce(u.name, ''), coalesce(h.result, ''), coalesce(h.unit, ''), "
               "coalesce(h.reason, '') "
               "FROM status_history h LEFT JOIN staff_users u ON u.id = h.actor_id "
               "WHERE h.envelope_id = ?1 ORDER BY h.id");
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(db, m_file, s.prepareRc(), "reading"));
    s.bind(1, caseId);
    std::vector<HistoryEntry> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        HistoryEntry e;
        e.id = s.i64(0);
        e.status = static_cast<crypto::CaseStatus>(s.i64(1));
        e.reply = s.text(2);
        e.setAt = s.i64(3);
        e.signedByStaff = s.i64(4) != 0;
        e.pushed = s.i64(5) != 0;
        if (!s.isNull(6))
            e.actorId = s.i64(6);
        e.actorName = s.text(7);
        e.result = s.text(8);
        e.unit = s.text(9);
        e.reason = s.text(10);
        out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE)
        return fail(sqliteError(db, m_file, rc, "reading"));
    return out;
}

Result<std::vector<Alarm>, LedgerError> Ledger::alarms() {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, "SELECT kind, kiosk_id, sequence, envelope_hash, source, detail, wire, raised_at "
               "FROM alarms ORDER BY id");
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(db, m_file, s.prepareRc(), "reading"));
    std::vector<Alarm> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        Alarm a;
        a.kind = alarmKindFromName(s.text(0)).value_or(AlarmKind::Rejected);
        a.kioskId = s.text(1);
        a.sequence = static_cast<std::uint64_t>(s.i64(2));
        if (!s.isNull(3))
            a.hash = s.hash(3);
        a.source = s.text(4) == "network" ? EnvelopeSource::Network : EnvelopeSource::Import;
        a.detail = s.text(5);
        a.wire = s.text(6);
        a.raisedAt = s.i64(7);
        out.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE)
        return fail(sqliteError(db, m_file, rc, "reading"));
    return out;
}

Result<std::int64_t, LedgerError> Ledger::appendStatus(std::int64_t caseId,
                                                       crypto::CaseStatus status,
                                                       const std::string& reply, std::int64_t setAt,
                                                       const std::string& signedJson) {
    StatusRow row;
    row.caseId = caseId;
    row.status = status;
    row.reply = reply;
    row.setAt = setAt;
    row.signedJson = signedJson;
    return appendStatus(row);
}

Result<std::int64_t, LedgerError> Ledger::appendStatus(const StatusRow& row) {
    Transaction txn(m_db);
    if (int rc = txn.begin(); rc != SQLITE_OK)
        return fail(sqliteError(m_db, m_file, rc, "recording into"));
    auto id = appendStatusInTransaction(row);
    if (!id)
        return id;
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(sqliteError(m_db, m_file, rc, "recording into"));
    return id;
}

Result<std::int64_t, LedgerError> Ledger::appendStatusInTransaction(const StatusRow& row) {
    sqlite3* db = m_db;
    auto err = [&](int rc) {
        return fail(sqliteError(db, m_file, rc, "recording into"));
    };
    auto optional = [](const std::string& v) {
        return v.empty() ? std::nullopt : std::optional<std::string>(v);
    };
    Stmt h(db, "INSERT INTO status_history (envelope_id, status, reply, set_at, signed, actor_id, "
               "result, unit, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    h.bind(1, row.caseId);
    h.bind(2, static_cast<std::int64_t>(row.status));
    h.bindText(3, row.reply);
    h.bind(4, row.setAt);
    h.bindText(5, row.signedJson);
    if (row.actorId)
        h.bind(6, *row.actorId);
    else
        h.bindNull(6);
    h.bindOptText(7, optional(row.result));
    h.bindOptText(8, optional(row.unit));
    h.bindOptText(9, optional(row.reason));
    if (int rc = h.prepareRc() == SQLITE_OK ? h.step() : h.prepareRc(); rc != SQLITE_DONE)
        return err(rc);
    const std::int64_t historyId = sqlite3_last_insert_rowid(db);
    Stmt c(db, "UPDATE cases SET status = ?2, reply = ?3, updated_at = ?4 WHERE envelope_id = ?1");
    c.bind(1, row.caseId);
    c.bind(2, static_cast<std::int64_t>(row.status));
    c.bindText(3, row.reply);
    c.bind(4, row.setAt);
    if (int rc = c.prepareRc() == SQLITE_OK ? c.step() : c.prepareRc(); rc != SQLITE_DONE)
        return err(rc);
    if (sqlite3_changes(db) != 1)
        return fail(LedgerError{Code::NotFound, "no case with id " + std::to_string(row.caseId) +
                                                    " in " + m_file.string() + "."});
    return historyId;
}

Result<std::vector<PendingPush>, LedgerError> Ledger::pendingPushes() {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, "SELECT h.id, e.kiosk_id, e.sequence, c.receipt_tag, h.signed "
               "FROM status_history h JOIN cases c ON c.envelope_id = h.envelope_id "
               "JOIN envelopes e ON e.id = h.envelope_id "
               "WHERE h.signed IS NOT NULL AND NOT EXISTS "
               "(SELECT 1 FROM status_pushes p WHERE p.history_id = h.id) ORDER BY h.id");
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(db, m_file, s.prepareRc(), "reading"));
    std::vector<PendingPush> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back({s.i64(0), s.text(1) + "/" + std::to_string(s.i64(2)), s.hash(3), s.text(4)});
    if (rc != SQLITE_DONE)
        return fail(sqliteError(db, m_file, rc, "reading"));
    return out;
}

Result<Ok, LedgerError> Ledger::markPushed(std::int64_t historyId, std::int64_t at) {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, "INSERT OR IGNORE INTO status_pushes (history_id, pushed_at) VALUES (?1, ?2)");
    s.bind(1, historyId);
    s.bind(2, at);
    if (int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc(); rc != SQLITE_DONE)
        return fail(sqliteError(db, m_file, rc, "recording into"));
    return Ok{};
}

Result<Ok, LedgerError> Ledger::integrityCheck() {
    sqlite3* db = m_impl->db.get();
    Stmt s(db, "PRAGMA integrity_check");
    std::string report;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        report += (report.empty() ? "" : "; ") + s.text(0);
    if (rc != SQLITE_DONE)
        return fail(sqliteError(db, m_file, rc, "checking"));
    if (report != "ok")
        return fail(LedgerError{Code::Corrupt, m_file.string() + " is damaged (integrity_check: " +
                                                   report.substr(0, 300) + ")."});
    return Ok{};
}

} // namespace minsheng::staff
