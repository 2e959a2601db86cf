// The shared open sequence and transaction of sqlite_store.hpp, with the reason for every pragma.
#include "sync/store/sqlite_store.hpp"

#include "sync/store/store_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace minsheng::sync::sqlite {

namespace fs = std::filesystem;
using Code = StoreError::Code;

StoreError storeErrorFromSqlite(sqlite3* db, const fs::path& file, int rc,
                                std::string_view storeName, std::string_view doing,
                                std::string_view consequence) {
    const int primary = rc & 0xff;
    const std::string f = file.string();
    const std::string says =
        std::string(" (SQLite: ") + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + ")";
    // Only meaningful right after an I/O error; the unix VFS keeps the errno of the failed call.
    const int sysErrno = db ? sqlite3_system_errno(db) : 0;
    const std::string errnoSays = sysErrno ? std::string(", ") + std::strerror(sysErrno) : "";
    const std::string what = std::string(doing) + " " + f;
    const std::string then(consequence);
    fs::path dir = file.parent_path();
    const std::string folder = dir.empty() ? std::string(".") : dir.string();
    switch (primary) {
    case SQLITE_NOTADB:
        return {Code::WrongKeyOrNotAnOutbox,
                f + " cannot be read" + says + ": it is not a Minsheng " + std::string(storeName) +
                    ", or its key is not the one it was created with, or it is damaged at its "
                    "start." +
                    then + " Do not delete or replace it; restore it from a backup."};
    case SQLITE_CORRUPT:
        return {Code::Corrupt, f + " is damaged" + says + "." + then +
                                   " Do not delete it: copy it and any -wal file beside it to a "
                                   "safe place and restore the " +
                                   std::string(storeName) + " from a backup."};
    case SQLITE_FULL:
        return {Code::DiskFull, "the disk holding " + f + " is full" + says + "." + then +
                                    " Free space on that disk, then try again."};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return {Code::Busy, f +
                                " stayed locked by another process for longer than the busy "
                                "timeout" +
                                says + "." + then + " Try again."};
    case SQLITE_CONSTRAINT:
        // Only the schema's invariant triggers and CHECKs raise this for a correct program.
        return {Code::Corrupt, f + " refused a change that breaks one of its invariants" + says +
                                   "." + then + " Keep the file and report this."};
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return {Code::Unwritable, what + " failed: the file or its folder " + folder +
                                      " is not writable by this process" + says + errnoSays + "." +
                                      then +
                                      " Check the owner and mode of both, and that the disk is "
                                      "not mounted read-only."};
    case SQLITE_IOERR:
        if (sysErrno == ENOSPC || sysErrno == EDQUOT || sysErrno == EFBIG)
            return {Code::DiskFull, "the disk holding " + f +
                                        " is full or the file size limit was reached (" +
                                        std::strerror(sysErrno) + ")." + then +
                                        " Free space on that disk, then try again."};
        if (sysErrno == EACCES || sysErrno == EPERM || sysErrno == EROFS)
            return {Code::Unwritable, what + " failed: it is not writable" + says + errnoSays +
                                          "." + then + " Check the owner and mode of " + folder +
                                          " and that the disk is not mounted read-only."};
        return {Code::Io, what + " failed" + says + errnoSays + "." + then +
                              " The disk may be failing: check the system log for I/O errors; "
                              "do not delete the file."};
    case SQLITE_NOMEM:
        return {Code::Io, "out of memory while " + what + "." + then + " Restart the service."};
    default:
        return {Code::Io, what + " failed" + says + "." + then};
    }
}

// ---- Transaction ----------------------------------------------------------------------------

int Transaction::begin(Lock lock) {
    // IMMEDIATE takes the write lock now: a deferred transaction that reads and then writes would
    // fail with SQLITE_BUSY_SNAPSHOT when another process wrote in between.
    int rc = exec(m_db, lock == Lock::Immediate ? "BEGIN IMMEDIATE" : "BEGIN");
    m_open = rc == SQLITE_OK;
    return rc;
}

int Transaction::commit() {
    int rc = exec(m_db, "COMMIT");
    if (rc == SQLITE_OK)
        m_open = false;
    return rc;
}

void Transaction::rollback() noexcept {
    if (m_open && !sqlite3_get_autocommit(m_db)) {
        // ROLLBACK replaces sqlite3_errmsg(); callers build their StoreError (in the return
        // expression) before this runs, so the first error is what they report.
        exec(m_db, "ROLLBACK");
    }
    m_open = false;
}

int exec(sqlite3* db, const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

namespace {

void fsyncPath(const std::filesystem::path& p, bool directory) {
    int fd =
        ::open(p.empty() ? "." : p.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

Result<Ok, PublishFailure> publishCreatedStore(const std::filesystem::path& temp,
                                               const std::filesystem::path& file) {
    std::filesystem::path tempWal = temp;
    tempWal += "-wal";
    struct stat st {};
    if (::lstat(tempWal.c_str(), &st) == 0)
        return fail(PublishFailure{true, 0});
    fsyncPath(temp, false);
    if (::link(temp.c_str(), file.c_str()) != 0 && errno != EEXIST) {
        const int e = errno;
        ::unlink(temp.c_str());
        return fail(PublishFailure{false, e});
    }
    ::unlink(temp.c_str());
    fsyncPath(file.parent_path(), true);
    return Ok{};
}

// ---- Opening --------------------------------------------------------------------------------

namespace {

/// Hands SQLCipher the raw key as the string x'<64 hex digits>' (its raw-key syntax, which skips
/// PBKDF2: the key is 256 random bits already, and a KDF would cost ~50 ms per open for nothing).
/// The string is built in guarded memory and wiped when this returns; SQLCipher keeps its own
/// copy in its own locked, wiped memory (invariant 5).
int applyRawKey(sqlite3* db, const crypto::SecretBytes& key) {
    crypto::SecretBytes text(2 + 2 * key.size() + 1 + 1);
    char* p = reinterpret_cast<char*>(text.data());
    p[0] = 'x';
    p[1] = '\'';
    sodium_bin2hex(p + 2, 2 * key.size() + 1, key.data(), key.size()); // writes a NUL
    p[2 + 2 * key.size()] = '\'';
    return sqlite3_key_v2(db, "main", text.data(), static_cast<int>(2 + 2 * key.size() + 1));
}

} // namespace

Result<DbPtr, StoreError> openDatabase(const OpenSpec& spec, const ErrorMapper& error) {
    if (spec.rawKey && spec.rawKey->size() != kStoreKeyBytes)
        return fail(StoreError{Code::KeyUnusable, "the key given for " + spec.file.string() +
                                                      " is " + std::to_string(spec.rawKey->size()) +
                                                      " bytes; a store key is 32 bytes."});
    // A new store file is made 0600 before SQLite opens it, whatever the process umask: SQLite
    // would create it 0644 & ~umask, and it gives the -wal and -shm files the mode of the
    // database file, so all three stay private to the owner. An existing file keeps its mode.
    if (spec.create && spec.vfsName.empty()) {
        const int fd = ::open(spec.file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0)
            ::close(fd); // a failure is left to sqlite3_open_v2, which reports it in its words
    }
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | (spec.create ? SQLITE_OPEN_CREATE : 0) |
                (spec.serialized ? SQLITE_OPEN_FULLMUTEX : 0);
    int rc = sqlite3_open_v2(spec.file.c_str(), &raw, flags,
                             spec.vfsName.empty() ? nullptr : spec.vfsName.c_str());
    DbPtr db(raw);
    if (rc != SQLITE_OK)
        return fail(error(db.get(), rc));
    // Extended codes tell a failed fsync (outcome unknown) from a failed write (not saved).
    sqlite3_extended_result_codes(db.get(), 1);
    // Writers hold the lock for one short transaction; waiting beats failing the caller.
    sqlite3_busy_timeout(db.get(), static_cast<int>(spec.busyTimeout.count()));

    if (spec.rawKey) {
        if ((rc = applyRawKey(db.get(), *spec.rawKey)) != SQLITE_OK)
            return fail(error(db.get(), rc));
        // Must follow the key and precede the first read or write: it fixes how the file is
        // split into pages. 4096 matches the file system block and SQLCipher 4's default, so
        // every page write is one block write; SQLCipher 3.4's default of 1024 would have to be
        // given forever.
        if ((rc = exec(db.get(), "PRAGMA cipher_page_size = 4096")) != SQLITE_OK)
            return fail(error(db.get(), rc));
    }
    // The first statement that reads page 1: a wrong key or a foreign file fails here (NOTADB),
    // before anything is written.
    if ((rc = exec(db.get(), "SELECT count(*) FROM sqlite_master")) != SQLITE_OK)
        return fail(error(db.get(), rc));
    // SQLite silently falls back to read-only when the file is not writable; a store that cannot
    // take a write must say so now, not at the first write.
    if (sqlite3_db_readonly(db.get(), "main") == 1)
        return fail(error(db.get(), SQLITE_READONLY));
    // WAL: readers and the writer do not block each other, a commit is one sequential append plus
    // one fsync, and a crash mid-commit leaves the previous state intact. Persistent in the file.
    {
        Stmt s(db.get(), "PRAGMA journal_mode = WAL");
        rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
        if (rc != SQLITE_ROW)
            return fail(error(db.get(), rc));
        if (s.text(0) != "wal") // e.g. the folder does not allow creating the -wal/-shm files
            return fail(error(db.get(), SQLITE_CANTOPEN));
    }
    static constexpr const char* kSharedPragmas[] = {
        // FULL: fsync the WAL at every commit, so a reported commit survives a power cut (the
        // outbox shows a receipt, the intake store sends an acknowledgement, the ledger moves its
        // pull cursor: none of them may be undone). NORMAL only survives a process crash.
        "PRAGMA synchronous = FULL",
        // Deleted content (pruned envelopes, replaced statuses) is overwritten with zeros instead
        // of lingering in free pages.
        "PRAGMA secure_delete = ON",
        // Off by default per connection in SQLite; the schemas' REFERENCES depend on it.
        "PRAGMA foreign_keys = ON",
        // Sorts and temporary b-trees stay in memory and never land in a temporary file.
        "PRAGMA temp_store = MEMORY",
    };
    for (const char* pragma : kSharedPragmas)
        if ((rc = exec(db.get(), pragma)) != SQLITE_OK)
            return fail(error(db.get(), rc));
    for (const char* pragma : spec.extraPragmas)
        if ((rc = exec(db.get(), pragma)) != SQLITE_OK)
            return fail(error(db.get(), rc));
    return db;
}

// ---- Migrations -----------------------------------------------------------------------------

Result<int, StoreError> userVersion(sqlite3* db, const ErrorMapper& error) {
    Stmt s(db, "PRAGMA user_version");
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc != SQLITE_ROW)
        return fail(error(db, rc));
    return static_cast<int>(s.i64(0));
}

Result<Ok, StoreError> migrate(sqlite3* db, const MigrationPlan& plan, const ErrorMapper& error) {
    const int known = plan.steps.empty() ? 0 : plan.steps.back().toVersion;
    auto version = userVersion(db, error);
    if (!version)
        return fail(version.error());
    if (*version > known)
        return fail(plan.tooNew(*version, known));
    if (*version == 0 && !plan.creating)
        return fail(plan.notThisStore());
    for (const auto& step : plan.steps) {
        if (step.toVersion <= *version)
            continue;
        Transaction txn(db);
        if (int rc = txn.begin(); rc != SQLITE_OK)
            return fail(error(db, rc));
        // Another process may have migrated while this one waited for the lock (invariant 4).
        auto now = userVersion(db, error);
        if (!now)
            return fail(now.error());
        if (*now > known)
            return fail(plan.tooNew(*now, known));
        if (*now >= step.toVersion)
            continue;
        std::string sql(step.sql);
        sql += "\nPRAGMA user_version = " + std::to_string(step.toVersion) + ";";
        if (int rc = exec(db, sql.c_str()); rc != SQLITE_OK)
            return fail(error(db, rc));
        if (int rc = txn.commit(); rc != SQLITE_OK)
            return fail(error(db, rc));
    }
    return Ok{};
}

} // namespace minsheng::sync::sqlite
