// Small RAII helpers over SQLite's C API, shared by the kiosk's outbox (kiosk/outbox), the
// county's case ledger (county/staff) and the intake server's store (county/server). All three are
// the same SQLCipher library; only the outbox and the ledger are keyed.
//
// Invariants the callers rely on:
//   1. Every bound value is copied (SQLITE_TRANSIENT): a caller may bind a temporary. The copy
//      costs microseconds against the fsync of every commit, and removes a class of
//      use-after-free bugs.
//   2. A zero-length blob is bound as a zero-length blob, never as NULL (an empty span's data()
//      may be null, which SQLite would store as NULL and a later NOT NULL or length check would
//      then misread).
//   3. A Stmt that failed to prepare reports it through prepareRc(); step() on it returns
//      SQLITE_MISUSE instead of crashing, so error paths stay typed.
#pragma once

#include "crypto/sodium.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace minsheng::sync::sqlite {

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) { m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr); }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    int prepareRc() const { return m_rc; }
    bool ok() const { return m_rc == SQLITE_OK && m_stmt != nullptr; }

    // Binders return the statement, so that a row's values can be bound in one expression.
    Stmt& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    Stmt& bindBlob(int i, std::span<const std::uint8_t> b) {
        static const std::uint8_t empty = 0; // invariant 2
        sqlite3_bind_blob(m_stmt, i, b.empty() ? &empty : b.data(), static_cast<int>(b.size()),
                          SQLITE_TRANSIENT);
        return *this;
    }
    Stmt& bindText(int i, std::string_view t) {
        static const char empty = 0;
        sqlite3_bind_text(m_stmt, i, t.empty() ? &empty : t.data(), static_cast<int>(t.size()),
                          SQLITE_TRANSIENT);
        return *this;
    }
    Stmt& bindOptText(int i, const std::optional<std::string>& t) {
        return t ? bindText(i, *t) : bindNull(i);
    }
    Stmt& bindNull(int i) {
        sqlite3_bind_null(m_stmt, i);
        return *this;
    }

    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return m_stmt ? sqlite3_step(m_stmt) : SQLITE_MISUSE; }
    void reset() {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }

    bool isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
    std::int64_t i64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    /// Valid until the next step(), reset() or destruction.
    std::span<const std::uint8_t> blob(int c) const {
        auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, c));
        return {p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c))};
    }
    /// A 32-byte column as a hash; zeros when the column is not exactly 32 bytes (callers that
    /// must tell the difference check blob(c).size() first).
    crypto::Hash256 hash(int c) const {
        crypto::Hash256 h{};
        auto b = blob(c);
        if (b.size() == h.size())
            std::copy(b.begin(), b.end(), h.begin());
        return h;
    }
    /// Copies a column of exactly N bytes into `out`; false (and `out` untouched) otherwise.
    template <std::size_t N>
    bool array(int c, std::array<std::uint8_t, N>& out) const {
        auto b = blob(c);
        if (b.size() != N || b.data() == nullptr)
            return false;
        std::copy(b.begin(), b.end(), out.begin());
        return true;
    }
    std::string text(int c) const {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c)))
                 : std::string();
    }
    std::optional<std::string> optText(int c) const {
        return isNull(c) ? std::nullopt : std::optional<std::string>(text(c));
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
    int m_rc = SQLITE_OK;
};

/// Resets a kept (cached) statement when the scope ends, on every path out of it: a statement
/// left mid-step would hold its read transaction open (blocking checkpoints) and keep copies of
/// its bound values.
class StmtReset {
public:
    explicit StmtReset(Stmt& stmt) : m_stmt(stmt) {}
    ~StmtReset() { m_stmt.reset(); }
    StmtReset(const StmtReset&) = delete;
    StmtReset& operator=(const StmtReset&) = delete;

private:
    Stmt& m_stmt;
};

} // namespace minsheng::sync::sqlite
