// Outbox implementation. The SQL lives in outbox_schema.hpp; this file opens the file, keys it,
// sets the pragmas, runs the transactions and turns SQLite result codes into StoreError.
#include "kiosk/outbox/outbox.hpp"

#include "kiosk/outbox/outbox_schema.hpp"
#include "sync/store/sqlite_statement.hpp"
#include "sync/store/sqlite_store.hpp"
#include "sync/store/store_key.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace minsheng::outbox {

using sync::kStoreKeyBytes;
using sync::StoreKeySource;
namespace sqlite = sync::sqlite;

namespace fs = std::filesystem;
using crypto::Hash256;
using crypto::SecretBytes;
using Code = StoreError::Code;

namespace {

// ---- What the caller was doing, for the consequence sentence of an error ---------------------

enum class Doing { Opening, Creating, Appending, Acknowledging, Pruning, Reading };

const char* consequenceOf(Doing doing) {
    switch (doing) {
    case Doing::Appending:
        return " The submission was NOT saved.";
    case Doing::Acknowledging:
        return " The acknowledgement was not recorded; the envelope stays pending and will be "
               "sent again.";
    case Doing::Pruning:
        return " Nothing was deleted.";
    case Doing::Creating:
        return " No outbox was created.";
    case Doing::Opening:
    case Doing::Reading:
        return "";
    }
    return "";
}

// ---- SQLite result code -> StoreError --------------------------------------------------------

struct Context {
    sqlite3* db;
    const fs::path& file;
    Doing doing;
};

std::string folderOf(const fs::path& file) {
    fs::path dir = file.parent_path();
    return dir.empty() ? std::string(".") : dir.string();
}

StoreError sqliteError(const Context& ctx, int rc) {
    const int primary = rc & 0xff;
    const std::string file = ctx.file.string();
    const std::string sqliteSays =
        std::string(" (SQLite: ") + (ctx.db ? sqlite3_errmsg(ctx.db) : sqlite3_errstr(rc)) + ")";
    // Only meaningful right after an I/O error; unix VFS reports the errno of the failed call.
    const int sysErrno = ctx.db ? sqlite3_system_errno(ctx.db) : 0;
    const std::string consequence = consequenceOf(ctx.doing);

    switch (primary) {
    case SQLITE_NOTADB:
        return {Code::WrongKeyOrNotAnOutbox,
                file +
                    " cannot be read with this key: either the key is not the one this outbox "
                    "was created with, or the file is not a Minsheng outbox or is damaged at "
                    "its start." +
                    sqliteSays + consequence +
                    " Do not delete or replace the file; it may hold submissions not yet sent. "
                    "Restore the outbox key from the provisioning backup, or contact the county "
                    "office."};
    case SQLITE_CORRUPT:
        return {Code::Corrupt,
                file + " is damaged" + sqliteSays + "." + consequence +
                    " Do not delete or overwrite it: stop the kiosk services, copy " + file +
                    " and any " + file +
                    "-wal beside it to a safe place, and contact the county office; envelopes "
                    "not yet sent may be recoverable from the copy."};
    case SQLITE_FULL:
        return {Code::DiskFull, "the disk holding " + folderOf(ctx.file) + " is full" + sqliteSays +
                                    "." + consequence +
                                    " Free space on that disk (do not delete anything named " +
                                    ctx.file.filename().string() + "*), then try again."};
    case SQLITE_IOERR: {
        if (sysErrno == ENOSPC || sysErrno == EDQUOT || sysErrno == EFBIG)
            return {Code::DiskFull,
                    "the disk holding " + folderOf(ctx.file) +
                        " is full or the file size limit was reached (" + std::strerror(sysErrno) +
                        ")." + consequence +
                        " Free space on that disk or raise the limit (LimitFSIZE=), then try "
                        "again."};
        if (sysErrno == EACCES || sysErrno == EPERM || sysErrno == EROFS)
            break; // permission problem: reported as Unwritable below
        const int ext = rc;
        if ((ext == SQLITE_IOERR_FSYNC || ext == SQLITE_IOERR_DIR_FSYNC) &&
            ctx.doing == Doing::Appending)
            return {Code::Io,
                    "the disk did not confirm writing " + file + sqliteSays +
                        ". The submission may or may not have been saved; the kiosk must not "
                        "show a receipt for it. The disk may be failing: check the system log "
                        "for I/O errors and replace the storage if they continue."};
        return {Code::Io, "reading or writing " + file + " failed" + sqliteSays +
                              (sysErrno ? std::string(", ") + std::strerror(sysErrno) : "") + "." +
                              consequence +
                              " The disk may be failing: check the system log for I/O errors; "
                              "do not delete the file."};
    }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return {Code::Busy, file +
                                " stayed locked by another process (the forwarder, or a second "
                                "kiosk instance) for longer than the busy timeout" +
                                sqliteSays + "." + consequence +
                                " Try again; if it keeps happening, restart the kiosk services."};
    case SQLITE_CONSTRAINT:
        // Only the schema's invariant triggers and CHECKs can raise this; the code never asks for
        // something they forbid, so the file was altered or the code has a bug.
        return {Code::Corrupt, file + " refused a change that breaks one of its invariants" +
                                   sqliteSays + "." + consequence +
                                   " Keep the file and report this to the county office."};
    case SQLITE_NOMEM:
        return {Code::Io, "out of memory while using " + file + "." + consequence +
                              " Restart the kiosk services."};
    default:
        break;
    }
    if (primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY || primary == SQLITE_PERM ||
        primary == SQLITE_AUTH || primary == SQLITE_IOERR)
        return {Code::Unwritable,
                "the folder " + folderOf(ctx.file) + " or the file " + file +
                    " is not writable by this process" + sqliteSays +
                    (sysErrno ? std::string(", ") + std::strerror(sysErrno) : "") + "." +
                    consequence +
                    " The kiosk service user needs read, write and search permission on the "
                    "folder and read and write permission on " +
                    ctx.file.filename().string() +
                    "*; check the owner and mode, and that the disk is not mounted read-only."};
    return {Code::Io, "using " + file + " failed" + sqliteSays + "." + consequence};
}

// ---- Small RAII helpers over the C API ---------------------------------------------------------

using sqlite::DbPtr;
using sqlite::Stmt;
using sqlite::StmtReset;
using sqlite::Transaction;

/// 00:00 UTC of the day holding `t` (Unix seconds; floor, also before 1970).
std::int64_t utcDayStart(std::int64_t t) {
    constexpr std::int64_t kDay = 86400;
    return t - ((t % kDay) + kDay) % kDay;
}

bool validKioskId(std::string_view id) {
    if (id.empty() || id.size() > crypto::kMaxKioskIdLength)
        return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    return true;
}

bool pathExists(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

// ---- Opening: key, pragmas, migrations, identity -----------------------------------------------

/// The outbox's words for a SQLite failure while `doing`.
sqlite::ErrorMapper errorsWhile(const fs::path& file, Doing doing) {
    return [&file, doing](sqlite3* db, int rc) {
        return sqliteError({db, file, doing}, rc);
    };
}

/// Opens and keys the file with the shared discipline (sqlite_store.hpp invariant 3).
Result<DbPtr, StoreError> connect(const fs::path& file, const SecretBytes& key, bool create,
                                  const OpenOptions& options, Doing doing) {
    sqlite::OpenSpec spec;
    spec.file = file;
    // No SQLITE_OPEN_CREATE for an existing store: if the file vanished between our stat() and
    // here, that must be an error, not a silently created empty database.
    spec.create = create;
    spec.vfsName = options.vfsName;
    spec.rawKey = &key;
    // The forwarder and the UI share the file; a writer holds the lock for one short transaction,
    // so waiting a few seconds beats failing a parent's submission.
    spec.busyTimeout = options.busyTimeout;
    return sqlite::openDatabase(spec, errorsWhile(file, doing));
}

/// Schema invariant 7: apply the missing steps, each in its own transaction, never go back.
Result<Ok, StoreError> migrate(sqlite3* db, const fs::path& file, bool creating) {
    sqlite::MigrationPlan plan;
    plan.steps = schema::kMigrations;
    plan.creating = creating;
    plan.tooNew = [&file](int found, int known) {
        return StoreError{
            Code::SchemaTooNew,
            file.string() + " was written by a newer Minsheng (outbox schema version " +
                std::to_string(found) + "; this program knows versions up to " +
                std::to_string(known) +
                "). It was left untouched. Install the newer kiosk software again; an outbox is "
                "never converted back to an older version."};
    };
    plan.notThisStore = [&file] {
        return StoreError{Code::WrongKeyOrNotAnOutbox,
                          file.string() +
                              " opens with this key but holds no outbox schema, so it is not a "
                              "Minsheng outbox (a store is created complete or not at all). It "
                              "was left untouched: move it aside and find the real outbox."};
    };
    return sqlite::migrate(db, plan,
                           errorsWhile(file, creating ? Doing::Creating : Doing::Opening));
}

Result<Ok, StoreError> checkIdentity(sqlite3* db, const fs::path& file,
                                     const std::string& kioskId) {
    Context ctx{db, file, Doing::Opening};
    Stmt s(db, "SELECT kiosk_id FROM meta WHERE id = 1");
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(ctx, s.prepareRc()));
    int rc = s.step();
    if (rc == SQLITE_DONE)
        return fail(StoreError{Code::WrongKeyOrNotAnOutbox,
                               file.string() + " has the outbox schema but no kiosk identity; "
                                               "it was not made by Minsheng. It was left "
                                               "untouched: move it aside and find the real "
                                               "outbox."});
    if (rc != SQLITE_ROW)
        return fail(sqliteError(ctx, rc));
    std::string stored = s.text(0);
    if (stored != kioskId)
        return fail(StoreError{
            Code::KioskMismatch,
            file.string() + " belongs to kiosk '" + stored +
                "', but this kiosk is configured as '" + kioskId +
                "'. Nothing was changed. If the kiosk id in the configuration was edited, set it "
                "back; if this device was re-provisioned, forward or export the old outbox first "
                "and then move it aside."});
    return Ok{};
}

Result<Ok, StoreError> quickCheck(sqlite3* db, const fs::path& file) {
    Context ctx{db, file, Doing::Opening};
    Stmt s(db, "PRAGMA quick_check");
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(ctx, s.prepareRc()));
    std::string report;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        report += (report.empty() ? "" : "; ") + s.text(0);
    if (rc != SQLITE_DONE)
        return fail(sqliteError(ctx, rc));
    if (report != "ok")
        return fail(StoreError{
            Code::Corrupt, file.string() + " is damaged (quick_check: " + report.substr(0, 500) +
                               "). Do not delete or overwrite it: stop the kiosk services, "
                               "copy it and any -wal file beside it to a safe place, and "
                               "contact the county office."});
    return Ok{};
}

Result<DbPtr, StoreError> openExisting(const fs::path& file, const SecretBytes& key,
                                       const std::string& kioskId, const OpenOptions& options) {
    auto db = connect(file, key, false, options, Doing::Opening);
    if (!db)
        return fail(db.error());
    if (auto m = migrate(db->get(), file, false); !m)
        return fail(m.error());
    if (auto id = checkIdentity(db->get(), file, kioskId); !id)
        return fail(id.error());
    if (options.quickCheckOnOpen)
        if (auto q = quickCheck(db->get(), file); !q)
            return fail(q.error());
    return std::move(db.value());
}

/// Schema invariant 8: build the store completely under a temporary name, then link() it into
/// place. link() fails if the name exists, so a store created meanwhile by another process is
/// never replaced, and a crash leaves either no outbox.db or a complete one.
Result<DbPtr, StoreError> createNew(const fs::path& file, const SecretBytes& key,
                                    const std::string& kioskId, const OpenOptions& options) {
    fs::path temp = file;
    temp += ".creating";
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        fs::path p = temp;
        p += suffix;
        ::unlink(p.c_str()); // leftovers of a creation that crashed; they hold no envelopes
    }
    {
        auto db = connect(temp, key, true, options, Doing::Creating);
        if (!db)
            return fail(db.error());
        if (auto m = migrate(db->get(), temp, true); !m)
            return fail(m.error());
        {
            Stmt s(db->get(), "INSERT INTO meta (id, kiosk_id) VALUES (1, ?1)");
            s.bindText(1, kioskId);
            Context ctx{db->get(), file, Doing::Creating};
            if (s.prepareRc() != SQLITE_OK)
                return fail(sqliteError(ctx, s.prepareRc()));
            if (int rc = s.step(); rc != SQLITE_DONE)
                return fail(sqliteError(ctx, rc));
        }
        // Closing the last connection checkpoints the WAL into the file and deletes the WAL.
        sqlite3* raw = db->release();
        if (int rc = sqlite3_close(raw); rc != SQLITE_OK) {
            sqlite3_close_v2(raw);
            return fail(sqliteError({nullptr, file, Doing::Creating}, rc));
        }
    }
    if (auto published = sqlite::publishCreatedStore(temp, file); !published) {
        if (published.error().checkpointIncomplete) // disk full?: nothing is published
            return fail(StoreError{Code::Io, "creating " + file.string() +
                                                 " failed: its first checkpoint did not complete. "
                                                 "No outbox was created. Check free space on the "
                                                 "disk and try again."});
        const int e = published.error().sysErrno;
        return fail(StoreError{e == ENOSPC                   ? Code::DiskFull
                               : (e == EACCES || e == EPERM) ? Code::Unwritable
                                                             : Code::Io,
                               "creating " + file.string() + " failed (" + std::strerror(e) +
                                   "). No outbox was created. Check that " + folderOf(file) +
                                   " is writable and its disk has free space."});
    }
    return openExisting(file, key, kioskId, options);
}

// ---- Reading envelope rows ----------------------------------------------------------------------

constexpr const char* kSelectEnvelope =
    "SELECT e.sequence, e.version, v1.kind, e.kiosk_id, e.previous_hash, v1.created_at, "
    "v1.form_id, e.county_key_id, e.receipt_tag, e.ciphertext, e.signature, e.envelope_hash, "
    "a.ack, a.received_day FROM envelopes e LEFT JOIN acknowledgements a ON a.sequence = "
    "e.sequence LEFT JOIN version1_headers v1 ON v1.sequence = e.sequence ";

template <std::size_t N>
bool copyFixed(std::array<std::uint8_t, N>& out, std::span<const std::uint8_t> in) {
    if (in.size() != N)
        return false;
    std::copy(in.begin(), in.end(), out.begin());
    return true;
}

std::optional<StoredEnvelope> rowToEnvelope(const Stmt& s) {
    StoredEnvelope out;
    auto& h = out.envelope.header;
    h.sequence = static_cast<std::uint64_t>(s.i64(0));
    h.version = static_cast<std::uint8_t>(s.i64(1));
    h.kioskId = s.text(3);
    // Schema invariant 10: the clear fields exist for version-1 envelopes only.
    const bool clearFields = !s.isNull(2);
    if (clearFields != crypto::headerCarriesMetadata(h))
        return std::nullopt;
    if (clearFields) {
        h.kind = static_cast<crypto::EnvelopeKind>(s.i64(2));
        h.createdAt = s.i64(5);
        h.formId = s.text(6);
    }
    bool ok = copyFixed(h.previousHash, s.blob(4)) && copyFixed(h.countyKeyId, s.blob(7)) &&
              copyFixed(out.envelope.signature, s.blob(10)) && copyFixed(out.hash, s.blob(11));
    if (!s.isNull(8)) {
        Hash256 tag{};
        ok = ok && copyFixed(tag, s.blob(8));
        h.receiptTag = tag;
    }
    auto ct = s.blob(9);
    out.envelope.ciphertext.assign(ct.begin(), ct.end());
    if (!s.isNull(12)) {
        auto ack = s.blob(12);
        out.acknowledgement =
            StoredAcknowledgement{crypto::Bytes(ack.begin(), ack.end()), s.i64(13)};
    }
    if (!ok)
        return std::nullopt;
    return out;
}

Result<std::vector<StoredEnvelope>, StoreError> readEnvelopes(Stmt& s, const Context& ctx) {
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(ctx, s.prepareRc()));
    std::vector<StoredEnvelope> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        auto e = rowToEnvelope(s);
        if (!e) // the CHECK constraints make this impossible for an unaltered file
            return fail(sqliteError(ctx, SQLITE_CORRUPT));
        out.push_back(std::move(*e));
    }
    if (rc != SQLITE_DONE)
        return fail(sqliteError(ctx, rc));
    return out;
}

// Records one acknowledgement inside the caller's open write transaction: checks the envelope
// exists and its hash matches, inserts the acknowledgement and advances ack_head. Writes
// nothing for an envelope acknowledged before (AlreadyStored) or on any error.
Result<AckOutcome, StoreError> recordAcknowledgement(sqlite3* db, const fs::path& file,
                                                     const Context& ctx, std::uint64_t sequence,
                                                     const Hash256& envelopeHash,
                                                     std::span<const std::uint8_t> ackBytes,
                                                     std::int64_t receivedAt) {
    if (ackBytes.empty())
        return fail(StoreError{Code::InvalidInput,
                               "an empty acknowledgement cannot be stored; this is a program "
                               "error. The envelope stays pending."});
    const std::int64_t receivedDay = utcDayStart(receivedAt); // schema invariant 9
    {
        Stmt s(db, "SELECT e.envelope_hash, a.sequence IS NOT NULL FROM envelopes e "
                   "LEFT JOIN acknowledgements a ON a.sequence = e.sequence "
                   "WHERE e.sequence = ?1");
        if (s.prepareRc() != SQLITE_OK)
            return fail(sqliteError(ctx, s.prepareRc()));
        s.bind(1, static_cast<std::int64_t>(sequence));
        int rc = s.step();
        if (rc == SQLITE_DONE)
            return fail(StoreError{Code::UnknownEnvelope,
                                   file.string() + " holds no envelope " +
                                       std::to_string(sequence) +
                                       " to acknowledge (never appended, or already pruned)."});
        if (rc != SQLITE_ROW)
            return fail(sqliteError(ctx, rc));
        if (!crypto::constantTimeEqual(s.blob(0), envelopeHash))
            return fail(StoreError{
                Code::AckMismatch,
                "the county acknowledged envelope " + std::to_string(sequence) + " with hash " +
                    crypto::toHex(envelopeHash) + ", but " + file.string() + " holds hash " +
                    crypto::toHex(s.blob(0)) +
                    " for it. The acknowledgement was not recorded and the envelope stays "
                    "pending; report this to the county office (the two sides disagree about "
                    "what was sent)."});
        if (s.i64(1) != 0)
            return AckOutcome::AlreadyStored; // nothing written
    }
    {
        Stmt ins(db, "INSERT INTO acknowledgements (sequence, envelope_hash, ack, received_day) "
                     "VALUES (?1, ?2, ?3, ?4)");
        if (ins.prepareRc() != SQLITE_OK)
            return fail(sqliteError(ctx, ins.prepareRc()));
        ins.bind(1, static_cast<std::int64_t>(sequence));
        ins.bindBlob(2, envelopeHash);
        ins.bindBlob(3, ackBytes);
        ins.bind(4, receivedDay);
        if (int rc = ins.step(); rc != SQLITE_DONE)
            return fail(sqliteError(ctx, rc));
    }
    {
        Stmt upd(db, "UPDATE ack_head SET "
                     "last_sequence = max(coalesce(last_sequence, 0), ?1), "
                     "last_received_at = max(coalesce(last_received_at, ?2), ?2) WHERE id = 1");
        if (upd.prepareRc() != SQLITE_OK)
            return fail(sqliteError(ctx, upd.prepareRc()));
        upd.bind(1, static_cast<std::int64_t>(sequence));
        upd.bind(2, receivedDay);
        if (int rc = upd.step(); rc != SQLITE_DONE)
            return fail(sqliteError(ctx, rc));
    }
    return AckOutcome::Stored;
}

// CheckpointPolicy::Deferred's WAL hook, in place of SQLite's automatic checkpoint (which is
// this same hook with a 1000-frame threshold): note the WAL size, checkpoint only past the bound.
int deferredCheckpointHook(void* watch, sqlite3* db, const char* schema, int frames) {
    static_cast<Outbox::WalWatch*>(watch)->frames = frames;
    if (frames >= kDeferredCheckpointBoundFrames)
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK; // a failed checkpoint is not the commit's failure; the next one retries
}

StoreError closedError() {
    return {Code::InvalidInput, "the outbox was closed or moved from; this is a program error."};
}

} // namespace

// ---- Outbox -------------------------------------------------------------------------------------

Outbox::Outbox(sqlite3* db, fs::path file, std::string kioskId, CheckpointPolicy policy)
    : m_db(db), m_file(std::move(file)), m_kioskId(std::move(kioskId)) {
    if (policy == CheckpointPolicy::Deferred) {
        m_walWatch = std::make_unique<WalWatch>();
        // Replaces SQLite's automatic checkpoint on this connection only; the forwarder's
        // connection keeps its own.
        sqlite3_wal_hook(m_db, deferredCheckpointHook, m_walWatch.get());
    }
}

struct Outbox::AppendStatements {
    explicit AppendStatements(sqlite3* db)
        : tip(db, "SELECT last_sequence, last_hash FROM chain_tip"),
          insert(db, "INSERT INTO envelopes (sequence, version, kiosk_id, previous_hash, "
                     "county_key_id, receipt_tag, ciphertext, signature, envelope_hash) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") {}
    Stmt tip;
    Stmt insert;
};

Outbox::Outbox(Outbox&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_walWatch(std::move(other.m_walWatch)),
      m_appendStatements(std::move(other.m_appendStatements)), m_file(std::move(other.m_file)),
      m_kioskId(std::move(other.m_kioskId)) {}

Outbox& Outbox::operator=(Outbox&& other) noexcept {
    if (this != &other) {
        (void)close();
        m_db = std::exchange(other.m_db, nullptr);
        m_walWatch = std::move(other.m_walWatch);
        m_appendStatements = std::move(other.m_appendStatements);
        m_file = std::move(other.m_file);
        m_kioskId = std::move(other.m_kioskId);
    }
    return *this;
}

Outbox::~Outbox() {
    (void)close();
}

Result<Ok, StoreError> Outbox::close() {
    if (!m_db)
        return Ok{};
    m_appendStatements.reset(); // finalized before the connection closes
    sqlite3* db = std::exchange(m_db, nullptr);
    int rc = sqlite3_close(db);
    if (rc != SQLITE_OK) {
        StoreError e = sqliteError({db, m_file, Doing::Reading}, rc);
        sqlite3_close_v2(db); // releases once the last statement is gone
        return fail(std::move(e));
    }
    return Ok{};
}

Result<Outbox, StoreError> Outbox::open(const fs::path& file, const SecretBytes& key,
                                        std::string kioskId, OpenMode mode,
                                        const OpenOptions& options) {
    if (key.size() != kStoreKeyBytes)
        return fail(StoreError{Code::KeyUnusable, "the key given for " + file.string() + " is " +
                                                      std::to_string(key.size()) +
                                                      " bytes; an outbox key is 32 bytes."});
    if (!validKioskId(kioskId))
        return fail(StoreError{Code::InvalidInput,
                               "'" + kioskId +
                                   "' is not a valid kiosk id (1 to 64 characters a-z, 0-9, "
                                   "'-'); check the kiosk configuration."});
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return fail(StoreError{Code::WrongKeyOrNotAnOutbox,
                                   file.string() + " is not a regular file, so it is not an "
                                                   "outbox. Move it aside."});
        if (st.st_size == 0)
            return fail(StoreError{
                Code::Corrupt,
                file.string() + " is empty. Minsheng never leaves an empty outbox (it creates the "
                                "store complete under another name first), so the file was "
                                "truncated or made by something else. It was left untouched and "
                                "no new outbox was created: restore the file from a backup, or "
                                "move it aside if this kiosk never held submissions."});
        auto db = openExisting(file, key, kioskId, options);
        if (!db)
            return fail(db.error());
        return Outbox(db->release(), file, std::move(kioskId), options.checkpoint);
    }
    int e = errno;
    if (e != ENOENT)
        return fail(StoreError{e == EACCES ? Code::Unwritable : Code::Io,
                               "cannot look at " + file.string() + " (" + std::strerror(e) +
                                   "). Check the permissions of " + folderOf(file) + "."});
    struct stat dst {};
    if (::stat(folderOf(file).c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode))
        return fail(StoreError{Code::Missing, "the data folder " + folderOf(file) +
                                                  " does not exist. Check the kiosk's data "
                                                  "folder setting and that its disk is mounted."});
    if (mode == OpenMode::MustExist)
        return fail(StoreError{
            Code::Missing, file.string() +
                               " does not exist. The kiosk creates it on its first start; if it "
                               "existed before, the data folder was changed, the disk is not "
                               "mounted, or the file was deleted: restore it from a backup rather "
                               "than starting a new outbox."});
    for (const char* suffix : {"-wal", "-journal"}) {
        fs::path side = file;
        side += suffix;
        if (pathExists(side))
            return fail(StoreError{
                Code::Missing,
                file.string() + " is missing but " + side.string() +
                    " is still there: the outbox was moved or deleted while it had unsaved log "
                    "pages. No new outbox was created. Restore " +
                    file.filename().string() + " next to its log, or contact the county office."});
    }
    auto db = createNew(file, key, kioskId, options);
    if (!db)
        return fail(db.error());
    return Outbox(db->release(), file, std::move(kioskId), options.checkpoint);
}

Result<AppendedEnvelope, StoreError> Outbox::append(const EnvelopeDraft& draft,
                                                    const crypto::Ed25519SecretKey& kioskKey) {
    if (!m_db)
        return fail(closedError());
    crypto::EnvelopeHeader header;
    header.version = crypto::kEnvelopeVersion;
    header.kioskId = m_kioskId;
    header.sequence = 1; // placeholder for the well-formedness check; set from the head below
    header.countyKeyId = draft.countyKeyId;
    header.receiptTag = draft.receiptTag;
    if (auto bad = crypto::checkHeaderWellFormed(header, draft.ciphertext.size()))
        return fail(StoreError{Code::InvalidInput,
                               "the submission could not be stored: its envelope would be "
                               "malformed (" +
                                   std::string(crypto::envelopeFailureName(*bad)) +
                                   "). This is a program error; the submission was NOT saved."});

    const Context ctx{m_db, m_file, Doing::Appending};
    if (!m_appendStatements) {
        auto prepared = std::make_unique<AppendStatements>(m_db);
        for (const Stmt* st : {&prepared->tip, &prepared->insert})
            if (st->prepareRc() != SQLITE_OK)
                return fail(sqliteError(ctx, st->prepareRc()));
        m_appendStatements = std::move(prepared);
    }
    // No explicit transaction: the tip is read on its own, and the INSERT is one autocommit
    // statement, so it needs no statement journal (SQLite would otherwise copy, and SQLCipher
    // encrypt, every page it touches a second time) and COMMIT is part of its step. Reading the
    // tip outside the write is safe: trigger envelopes_follow_chain_head re-checks sequence and
    // previous hash against chain_tip inside the INSERT's write transaction (schema invariant 3),
    // so a tip that moved in between makes the INSERT fail and nothing is stored. Only this
    // connection appends, and prune() never moves the tip, so that does not happen in practice.
    {
        Stmt& tip = m_appendStatements->tip;
        const StmtReset done(tip); // a kept statement must not hold its read open
        int rc = tip.step();
        if (rc != SQLITE_ROW)
            return fail(sqliteError(ctx, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc));
        header.sequence = static_cast<std::uint64_t>(tip.i64(0)) + 1;
        if (!copyFixed(header.previousHash, tip.blob(1)))
            return fail(sqliteError(ctx, SQLITE_CORRUPT));
    }
    AppendedEnvelope out;
    out.envelope = crypto::signEnvelope(header, draft.ciphertext, kioskKey);
    out.hash = crypto::envelopeHash(out.envelope);
    const auto& h = out.envelope.header;
    {
        // Schema invariant 9: the header's fields only; a version-2 header has no time or kind.
        Stmt& ins = m_appendStatements->insert;
        const StmtReset done(ins);
        ins.bind(1, static_cast<std::int64_t>(h.sequence));
        ins.bind(2, h.version);
        ins.bindText(3, h.kioskId);
        ins.bindBlob(4, h.previousHash);
        ins.bindBlob(5, h.countyKeyId);
        if (h.receiptTag)
            ins.bindBlob(6, *h.receiptTag);
        else
            ins.bindNull(6);
        ins.bindBlob(7, out.envelope.ciphertext);
        ins.bindBlob(8, out.envelope.signature);
        ins.bindBlob(9, out.hash);
        // The durability point: the new row is the chain's tip (chain_head is not rewritten,
        // schema invariant 4), and with WAL + synchronous=FULL the step returns SQLITE_DONE only
        // after the commit frame was written and the WAL fsync'ed.
        if (int rc = ins.step(); rc != SQLITE_DONE)
            return fail(sqliteError(ctx, rc));
    }
    return out;
}

Result<std::vector<StoredEnvelope>, StoreError> Outbox::pending(std::size_t limit,
                                                                std::uint64_t afterSequence) {
    if (!m_db)
        return fail(closedError());
    Stmt s(m_db, (std::string(kSelectEnvelope) +
                  "WHERE e.sequence > ?1 AND a.sequence IS NULL ORDER BY e.sequence LIMIT ?2")
                     .c_str());
    s.bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(
                  afterSequence, std::numeric_limits<std::int64_t>::max())));
    s.bind(2, static_cast<std::int64_t>(
                  std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
    return readEnvelopes(s, {m_db, m_file, Doing::Reading});
}

Result<StoredEnvelope, StoreError> Outbox::envelope(std::uint64_t sequence) {
    if (!m_db)
        return fail(closedError());
    Stmt s(m_db, (std::string(kSelectEnvelope) + "WHERE e.sequence = ?1").c_str());
    s.bind(1, static_cast<std::int64_t>(sequence));
    auto rows = readEnvelopes(s, {m_db, m_file, Doing::Reading});
    if (!rows)
        return fail(rows.error());
    if (rows->empty())
        return fail(StoreError{Code::UnknownEnvelope,
                               m_file.string() + " holds no envelope " + std::to_string(sequence) +
                                   " (it was never appended, or was acknowledged and pruned)."});
    return std::move(rows->front());
}

Result<std::vector<StoredEnvelope>, StoreError> Outbox::allEnvelopes() {
    if (!m_db)
        return fail(closedError());
    Stmt s(m_db, (std::string(kSelectEnvelope) + "ORDER BY e.sequence").c_str());
    return readEnvelopes(s, {m_db, m_file, Doing::Reading});
}

Result<AckOutcome, StoreError> Outbox::acknowledge(std::uint64_t sequence,
                                                   const Hash256& envelopeHash,
                                                   std::span<const std::uint8_t> ackBytes,
                                                   std::int64_t receivedAt) {
    if (!m_db)
        return fail(closedError());
    const Context ctx{m_db, m_file, Doing::Acknowledging};
    Transaction txn(m_db);
    if (int rc = txn.begin(Transaction::Lock::Immediate); rc != SQLITE_OK)
        return fail(sqliteError(ctx, rc));
    auto outcome =
        recordAcknowledgement(m_db, m_file, ctx, sequence, envelopeHash, ackBytes, receivedAt);
    if (!outcome || *outcome == AckOutcome::AlreadyStored)
        return outcome; // the transaction rolls back: nothing changed
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(sqliteError(ctx, rc));
    return AckOutcome::Stored;
}

AcknowledgedBatch Outbox::acknowledgeAll(std::span<const AcknowledgementToStore> acks) {
    AcknowledgedBatch out;
    if (!m_db) {
        out.error = closedError();
        return out;
    }
    const Context ctx{m_db, m_file, Doing::Acknowledging};
    Transaction txn(m_db);
    if (int rc = txn.begin(Transaction::Lock::Immediate); rc != SQLITE_OK) {
        out.error = sqliteError(ctx, rc);
        return out;
    }
    std::uint64_t stored = 0;
    for (const AcknowledgementToStore& a : acks) {
        // Each record in its own savepoint, so a failure leaves nothing of it behind and the
        // ones before it can still commit.
        if (int rc = sqlite::exec(m_db, "SAVEPOINT ack"); rc != SQLITE_OK) {
            out.error = sqliteError(ctx, rc);
            out.failedSequence = a.sequence;
            break;
        }
        auto outcome = recordAcknowledgement(m_db, m_file, ctx, a.sequence, a.envelopeHash,
                                             a.ackBytes, a.receivedAt);
        if (!outcome) {
            out.error = std::move(outcome.error());
            out.failedSequence = a.sequence;
            sqlite::exec(m_db, "ROLLBACK TO ack");
            sqlite::exec(m_db, "RELEASE ack");
            break;
        }
        if (int rc = sqlite::exec(m_db, "RELEASE ack"); rc != SQLITE_OK) {
            out.error = sqliteError(ctx, rc);
            out.failedSequence = a.sequence;
            return out; // the transaction rolls back: nothing of the batch is recorded
        }
        stored += *outcome == AckOutcome::Stored;
    }
    // If SQLite rolled the whole transaction back (an I/O error, a full disk) nothing is
    // recorded.
    if (stored == 0 || sqlite3_get_autocommit(m_db))
        return out;
    if (int rc = txn.commit(); rc != SQLITE_OK) {
        out.error = sqliteError(ctx, rc);
        return out;
    }
    out.stored = stored;
    return out;
}

Result<std::uint64_t, StoreError> Outbox::prune(std::int64_t now, std::int64_t retentionSeconds) {
    if (!m_db)
        return fail(closedError());
    if (retentionSeconds < 0 || now < std::numeric_limits<std::int64_t>::min() + retentionSeconds)
        return fail(StoreError{Code::InvalidInput,
                               "prune: the retention period must be zero or more seconds. "
                               "Nothing was deleted."});
    const Context ctx{m_db, m_file, Doing::Pruning};
    Transaction txn(m_db);
    if (int rc = txn.begin(Transaction::Lock::Immediate); rc != SQLITE_OK)
        return fail(sqliteError(ctx, rc));
    // Schema invariant 4: chain_head takes over the tip before the newest envelope can go.
    if (int rc = sqlite::exec(m_db, "UPDATE chain_head SET "
                                    "last_sequence = (SELECT last_sequence FROM chain_tip), "
                                    "last_hash = (SELECT last_hash FROM chain_tip) "
                                    "WHERE id = 1 AND last_sequence < "
                                    "(SELECT last_sequence FROM chain_tip)");
        rc != SQLITE_OK)
        return fail(sqliteError(ctx, rc));
    // Invariant 2: the candidate set comes from acknowledgements only; the trigger
    // envelopes_keep_unacknowledged would abort the whole statement otherwise.
    // Days, not seconds (schema invariant 9): an envelope acknowledged on day D goes once a
    // whole retention period has passed since the end of D, never earlier than the period after
    // its acknowledgement.
    Stmt del(m_db, "DELETE FROM envelopes WHERE sequence IN "
                   "(SELECT sequence FROM acknowledgements WHERE received_day + 86400 <= ?1)");
    if (del.prepareRc() != SQLITE_OK)
        return fail(sqliteError(ctx, del.prepareRc()));
    del.bind(1, now - retentionSeconds);
    if (int rc = del.step(); rc != SQLITE_DONE)
        return fail(sqliteError(ctx, rc));
    // Rows of the DELETE itself; the cascaded acknowledgement rows are not counted.
    auto deleted = static_cast<std::uint64_t>(sqlite3_changes(m_db));
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(sqliteError(ctx, rc));
    return deleted;
}

Result<OutboxStats, StoreError> Outbox::stats() {
    if (!m_db)
        return fail(closedError());
    const Context ctx{m_db, m_file, Doing::Reading};
    OutboxStats st;
    Transaction txn(m_db); // one read snapshot for all the numbers
    if (int rc = txn.begin(Transaction::Lock::Deferred); rc != SQLITE_OK)
        return fail(sqliteError(ctx, rc));
    {
        Stmt s(m_db, "SELECT count(*) FROM envelopes e "
                     "WHERE NOT EXISTS (SELECT 1 FROM acknowledgements a "
                     "WHERE a.sequence = e.sequence)");
        if (s.prepareRc() != SQLITE_OK)
            return fail(sqliteError(ctx, s.prepareRc()));
        if (int rc = s.step(); rc != SQLITE_ROW)
            return fail(sqliteError(ctx, rc));
        st.pendingCount = static_cast<std::uint64_t>(s.i64(0));
    }
    {
        Stmt s(m_db, "SELECT (SELECT count(*) FROM acknowledgements), "
                     "(SELECT last_sequence FROM chain_tip), "
                     "last_sequence, last_received_at, "
                     "(SELECT last_hash FROM chain_tip) FROM ack_head WHERE id = 1");
        if (s.prepareRc() != SQLITE_OK)
            return fail(sqliteError(ctx, s.prepareRc()));
        int rc = s.step();
        if (rc != SQLITE_ROW)
            return fail(sqliteError(ctx, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc));
        st.acknowledgedCount = static_cast<std::uint64_t>(s.i64(0));
        st.lastSequence = static_cast<std::uint64_t>(s.i64(1));
        if (!s.isNull(2))
            st.lastAcknowledgedSequence = static_cast<std::uint64_t>(s.i64(2));
        if (!s.isNull(3))
            st.lastAcknowledgedDay = s.i64(3);
        if (auto h = s.blob(4); h.size() == st.lastHash.size())
            std::copy(h.begin(), h.end(), st.lastHash.begin());
    }
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(sqliteError(ctx, rc));
    std::error_code ec;
    auto size = fs::file_size(m_file, ec);
    st.fileBytes = ec ? 0 : size;
    fs::path wal = m_file;
    wal += "-wal";
    size = fs::file_size(wal, ec);
    st.walBytes = ec ? 0 : size;
    return st;
}

Result<CheckpointReport, StoreError> Outbox::checkpoint(int minimumFrames) {
    if (!m_db)
        return fail(closedError());
    CheckpointReport out;
    if (m_walWatch && m_walWatch->frames < minimumFrames) {
        out.walFrames = m_walWatch->frames;
        return out;
    }
    int rc = sqlite3_wal_checkpoint_v2(m_db, "main", SQLITE_CHECKPOINT_PASSIVE, &out.walFrames,
                                       &out.copiedFrames);
    // BUSY: another connection is checkpointing right now; it does the work.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return fail(sqliteError({m_db, m_file, Doing::Reading}, rc));
    return out;
}

Result<Ok, StoreError> Outbox::integrityCheck() {
    if (!m_db)
        return fail(closedError());
    const Context ctx{m_db, m_file, Doing::Reading};
    Stmt s(m_db, "PRAGMA integrity_check");
    if (s.prepareRc() != SQLITE_OK)
        return fail(sqliteError(ctx, s.prepareRc()));
    std::string report;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        report += (report.empty() ? "" : "\n") + s.text(0);
    if (rc != SQLITE_DONE)
        return fail(sqliteError(ctx, rc));
    if (report != "ok")
        return fail(
            StoreError{Code::Corrupt, m_file.string() + " failed its integrity check:\n" + report});
    return Ok{};
}

} // namespace minsheng::outbox
