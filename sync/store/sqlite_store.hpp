// The store discipline shared by the three SQLite stores: the kiosk's outbox (SQLCipher), the
// county's intake store (plain SQLite) and the staff case ledger (SQLCipher). One transaction
// type and one open sequence, so the three cannot drift apart.
//
// Invariants (each store's schema file lists its own on top of these):
//   1. Every write runs inside a Transaction that took the write lock at BEGIN (IMMEDIATE), so
//      two processes never read the same state and then race to change it. A Transaction that
//      was not committed is rolled back when it leaves scope; the destructor never throws and
//      never hides the first error (callers build their StoreError before it runs).
//   2. A mutation is reported done only after COMMIT returned SQLITE_OK. With journal_mode = WAL
//      and synchronous = FULL the commit frame has been fsync'ed by then, so it survives a power
//      cut. A failed COMMIT is reported, never swallowed.
//   3. openDatabase() applies, in this order and on every open: the raw key (SQLCipher, when one
//      is given), cipher_page_size, a first read of page 1 (a wrong key fails here, before any
//      write), a check that the file is writable, journal_mode = WAL, synchronous = FULL,
//      secure_delete, foreign_keys, temp_store = MEMORY, then the store's own pragmas. The
//      reasons are beside each one in sqlite_store.cpp.
//   4. PRAGMA user_version is the number of migration steps applied. migrate() applies the
//      missing steps in order, each in its own IMMEDIATE transaction, and re-reads user_version
//      after taking the write lock, so two processes opening at once never both run a step. A
//      file with a higher number than the program knows is refused (SchemaTooNew) and left
//      untouched; nothing is ever migrated backwards.
//   5. Key material exists only in guarded memory (crypto::SecretBytes); the SQL text that
//      carries it to SQLCipher is built there too and wiped on return.
//   6. Every failure is a StoreError naming the file and saying what to do. The store decides the
//      words (through its ErrorMapper); storeErrorFromSqlite() is the plain mapping for a store
//      without words of its own.
#pragma once

#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"
#include "sync/store/sqlite_statement.hpp"
#include "sync/store/store_error.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace minsheng::sync::sqlite {

/// Turns a failed SQLite call's result code on `db` (null when there is no connection) into the
/// store's error, in the store's words.
using ErrorMapper = std::function<StoreError(sqlite3* db, int rc)>;

/// The plain mapping of invariant 6: SQLITE_FULL/IOERR/CORRUPT/NOTADB/BUSY/CANTOPEN/READONLY/...
/// to StoreError codes. `storeName` ("intake store") and `doing` ("storing a batch in") shape the
/// sentence; `consequence` (" Nothing was stored.") follows it.
StoreError storeErrorFromSqlite(sqlite3* db, const std::filesystem::path& file, int rc,
                                std::string_view storeName, std::string_view doing,
                                std::string_view consequence);

/// Invariant 1. begin() before use; commit() to keep the work; anything else rolls back.
class Transaction {
public:
    enum class Lock {
        Immediate, // take the write lock now: every transaction that writes
        Deferred,  // a read snapshot: several SELECTs that must agree with each other
    };
    explicit Transaction(sqlite3* db) : m_db(db) {}
    ~Transaction() { rollback(); }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// SQLITE_OK, or the code of the failed BEGIN (SQLITE_BUSY after the busy timeout).
    [[nodiscard]] int begin(Lock lock = Lock::Immediate);
    /// SQLITE_OK, or the code of the failed COMMIT (then the transaction is rolled back when this
    /// object leaves scope, if SQLite did not already).
    [[nodiscard]] int commit();
    /// Idempotent; reports nothing. SQLite may already have rolled back on its own after
    /// SQLITE_FULL/IOERR/BUSY, which sqlite3_get_autocommit() tells.
    void rollback() noexcept;
    bool open() const { return m_open; }

private:
    sqlite3* m_db;
    bool m_open = false;
};

/// sqlite3_exec without callbacks.
int exec(sqlite3* db, const char* sql);

/// Why publishCreatedStore() did not publish; the store says it in its own words.
struct PublishFailure {
    bool checkpointIncomplete = false; // TEMP-wal is still there: the last close did not finish
    int sysErrno = 0;                  // link(2) failed with this errno
};

/// The last step of creating a store: a new store is built and closed under a temporary name
/// `temp`, then published under `file` in one step, so a crash leaves either no store or a
/// whole one, never a half-made store under the real name. Refuses when `temp`'s WAL survived
/// its close (the final checkpoint failed, e.g. on a full disk); otherwise fsyncs `temp`, links
/// it to `file` (an existing `file` is kept: another process published first), removes `temp`
/// and fsyncs the folder.
[[nodiscard]] Result<Ok, PublishFailure> publishCreatedStore(const std::filesystem::path& temp,
                                                             const std::filesystem::path& file);

/// How one store opens its file; what differs between the stores.
struct OpenSpec {
    std::filesystem::path file;
    /// SQLITE_OPEN_CREATE. Off for a store that must already exist, so a file that vanished
    /// between a stat() and the open is an error, not a new empty database.
    bool create = false;
    /// A registered SQLite VFS to open through (tests/support/fault_vfs.hpp injects write and
    /// fsync failures this way); empty = SQLite's default.
    std::string vfsName;
    /// Raw 32-byte SQLCipher key; null for an unencrypted store.
    const crypto::SecretBytes* rawKey = nullptr;
    /// How long to wait for another connection's write lock before reporting Busy.
    std::chrono::milliseconds busyTimeout{5000};
    /// SQLITE_OPEN_FULLMUTEX: the connection may be used from several threads (one at a time).
    bool serialized = false;
    /// The store's own pragmas, run after the shared ones (invariant 3).
    std::span<const char* const> extraPragmas;
};

/// Invariant 3. The connection has extended result codes on.
[[nodiscard]] Result<DbPtr, StoreError> openDatabase(const OpenSpec& spec,
                                                     const ErrorMapper& error);

/// One forward migration step; the schema files list them, append-only.
struct MigrationStep {
    int toVersion;            // value of user_version after this step
    std::string_view summary; // for logs
    std::string_view sql;     // one or more statements, run inside one transaction
};

struct MigrationPlan {
    std::span<const MigrationStep> steps;
    /// True while a new store is being built: user_version 0 is expected. When false, a file at
    /// version 0 is not this store and `notThisStore` describes it.
    bool creating = false;
    std::function<StoreError(int found, int known)> tooNew;
    std::function<StoreError()> notThisStore;
};

/// PRAGMA user_version.
[[nodiscard]] Result<int, StoreError> userVersion(sqlite3* db, const ErrorMapper& error);

/// Invariant 4.
[[nodiscard]] Result<Ok, StoreError> migrate(sqlite3* db, const MigrationPlan& plan,
                                             const ErrorMapper& error);

} // namespace minsheng::sync::sqlite
