#include "county/staff/staff_accounts.hpp"

#include "county/staff/audit_log.hpp"
#include "crypto/sodium.hpp"
#include "sync/store/sqlite_store.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <new>

namespace minsheng::staff {

using sync::sqlite::Stmt;
using sync::sqlite::Transaction;
using Code = AccountError::Code;

std::string_view staffRoleName(StaffRole role) {
    switch (role) {
    case StaffRole::Clerk:
        return "clerk";
    case StaffRole::Supervisor:
        return "supervisor";
    case StaffRole::Auditor:
        return "auditor";
    }
    return "clerk";
}

std::string_view staffRoleChinese(StaffRole role) {
    switch (role) {
    case StaffRole::Clerk:
        return "经办人";
    case StaffRole::Supervisor:
        return "主管";
    case StaffRole::Auditor:
        return "审计员";
    }
    return "经办人";
}

std::optional<StaffRole> parseStaffRole(std::string_view text) {
    for (auto r : {StaffRole::Clerk, StaffRole::Supervisor, StaffRole::Auditor})
        if (text == staffRoleName(r) || text == staffRoleChinese(r))
            return r;
    return std::nullopt;
}

std::int64_t lockoutDelaySeconds(int failures) {
    if (failures <= kFreeFailures)
        return 0;
    const int doublings = std::min(failures - kFreeFailures - 1, 7); // 30 s · 2^7 > 3600 s
    return std::min<std::int64_t>(std::int64_t{30} << doublings, 3600);
}

LoginState afterFailedLogin(LoginState state, std::int64_t now) {
    state.failedLogins = std::min(state.failedLogins + 1, 1000000);
    const std::int64_t delay = lockoutDelaySeconds(state.failedLogins);
    state.lockedUntil = delay ? now + delay : 0;
    return state;
}

std::string hashPasswordArgon2id(const crypto::SecretBytes& password) {
    crypto::initSodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, reinterpret_cast<const char*>(password.data()), password.size(),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::bad_alloc(); // the only documented failure: the memory limit
    return out;
}

bool verifyPasswordArgon2id(const std::string& storedHash, const crypto::SecretBytes& password) {
    crypto::initSodium();
    return crypto_pwhash_str_verify(storedHash.c_str(),
                                    reinterpret_cast<const char*>(password.data()),
                                    password.size()) == 0;
}

bool isValidStaffName(std::string_view name) {
    if (name.empty() || name.size() > 64)
        return false;
    for (unsigned char c : name) {
        if (c >= 0x80)
            continue; // any non-ASCII character of a UTF-8 name (Chinese names)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

namespace {

std::size_t utf8Chars(std::span<const std::uint8_t> bytes) {
    return static_cast<std::size_t>(std::count_if(
        bytes.begin(), bytes.end(), [](std::uint8_t b) { return (b & 0xC0) != 0x80; }));
}

std::optional<AccountError> checkPassword(const crypto::SecretBytes& password) {
    if (password.size() > kMaxPasswordBytes)
        return AccountError{Code::WeakPassword, "密码过长 The password is longer than " +
                                                    std::to_string(kMaxPasswordBytes) + " bytes."};
    if (utf8Chars(password.span()) < kMinPasswordChars)
        return AccountError{Code::WeakPassword,
                            "密码太短，至少 " + std::to_string(kMinPasswordChars) +
                                " 个字符 — the password must have at least " +
                                std::to_string(kMinPasswordChars) + " characters."};
    return std::nullopt;
}

AccountError storage(const LedgerError& e) {
    return {Code::Storage, e.message};
}

constexpr const char* kSelectUser = "SELECT id, name, role, disabled, failed_logins, "
                                    "locked_until, created_at, password_hash FROM staff_users ";

StaffUser readUser(const Stmt& s) {
    StaffUser u;
    u.id = s.i64(0);
    u.name = s.text(1);
    u.role = parseStaffRole(s.text(2)).value_or(StaffRole::Auditor);
    u.disabled = s.i64(3) != 0;
    u.failedLogins = static_cast<int>(s.i64(4));
    u.lockedUntil = s.i64(5);
    u.createdAt = s.i64(6);
    return u;
}

AccountError noSuchUser(const std::string& name) {
    return {Code::NoSuchUser,
            "没有此用户 No staff account named \"" + name + "\"; see `minsheng-county user list`."};
}

/// The one account a prepared and bound kSelectUser statement finds; NoSuchUser naming `who`.
Result<StaffUser, AccountError> readOne(Ledger& ledger, Stmt& s, const std::string& who) {
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_ROW)
        return readUser(s);
    if (rc == SQLITE_DONE)
        return fail(noSuchUser(who));
    return fail(storage(ledger.sqlError(rc, "reading")));
}

/// Runs `change` (which returns SQLITE_DONE on success) and its audit row in one transaction.
template <class Change>
Result<Ok, AccountError> inTransaction(Ledger& ledger, const AuditRecord& audit, Change change) {
    sqlite3* db = ledger.connection();
    Transaction txn(db);
    if (int rc = txn.begin(); rc != SQLITE_OK)
        return fail(storage(ledger.sqlError(rc, "recording into")));
    if (int rc = change(db); rc != SQLITE_DONE)
        return fail(storage(ledger.sqlError(rc, "recording into")));
    if (int rc = appendAuditInTransaction(db, audit); rc != SQLITE_DONE)
        return fail(storage(ledger.sqlError(rc, "recording into")));
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(storage(ledger.sqlError(rc, "recording into")));
    return Ok{};
}

} // namespace

Result<StaffUser, AccountError> StaffAccounts::add(const std::string& name, StaffRole role,
                                                   const crypto::SecretBytes& password,
                                                   std::optional<std::int64_t> by) {
    if (!isValidStaffName(name))
        return fail(AccountError{Code::InvalidName,
                                 "用户名无效 \"" + name +
                                     "\" is not a staff name: 1-64 letters, digits, '.', '_' "
                                     "or '-' (Chinese names are fine), no spaces."});
    if (auto weak = checkPassword(password))
        return fail(*weak);
    if (auto existing = find(name); existing)
        return fail(AccountError{Code::NameTaken, "用户已存在 An account named \"" + name +
                                                      "\" already exists (accounts are never "
                                                      "deleted; pick another name)."});
    else if (existing.error().code != Code::NoSuchUser)
        return fail(existing.error());
    const std::string hash = hashPasswordArgon2id(password);
    const std::int64_t now = m_clock();
    std::int64_t newId = 0;
    auto done = inTransaction(
        m_ledger,
        {now, by, "user.add", std::nullopt, name + " " + std::string(staffRoleName(role))},
        [&](sqlite3* db) {
            Stmt s(db, "INSERT INTO staff_users (name, role, password_hash, created_at) "
                       "VALUES (?1, ?2, ?3, ?4)");
            s.bindText(1, name).bindText(2, staffRoleName(role)).bindText(3, hash).bind(4, now);
            int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
            newId = sqlite3_last_insert_rowid(db);
            return rc;
        });
    if (!done)
        return fail(done.error());
    return findById(newId);
}

Result<std::vector<StaffUser>, AccountError> StaffAccounts::list() {
    Stmt s(m_ledger.connection(), (std::string(kSelectUser) + "ORDER BY id").c_str());
    if (s.prepareRc() != SQLITE_OK)
        return fail(storage(m_ledger.sqlError(s.prepareRc(), "reading")));
    std::vector<StaffUser> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(readUser(s));
    if (rc != SQLITE_DONE)
        return fail(storage(m_ledger.sqlError(rc, "reading")));
    return out;
}

Result<StaffUser, AccountError> StaffAccounts::find(const std::string& name) {
    Stmt s(m_ledger.connection(), (std::string(kSelectUser) + "WHERE name = ?1").c_str());
    s.bindText(1, name);
    return readOne(m_ledger, s, name);
}

Result<StaffUser, AccountError> StaffAccounts::findById(std::int64_t id) {
    Stmt s(m_ledger.connection(), (std::string(kSelectUser) + "WHERE id = ?1").c_str());
    s.bind(1, id);
    return readOne(m_ledger, s, "#" + std::to_string(id));
}

Result<bool, AccountError> StaffAccounts::any() {
    Stmt s(m_ledger.connection(), "SELECT EXISTS (SELECT 1 FROM staff_users)");
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc != SQLITE_ROW)
        return fail(storage(m_ledger.sqlError(rc, "reading")));
    return s.i64(0) != 0;
}

Result<Ok, AccountError> StaffAccounts::setDisabled(const std::string& name, bool disabled,
                                                    std::optional<std::int64_t> by) {
    auto user = find(name);
    if (!user)
        return fail(user.error());
    return inTransaction(
        m_ledger, {m_clock(), by, disabled ? "user.disable" : "user.enable", std::nullopt, name},
        [&](sqlite3* db) {
            Stmt s(db, "UPDATE staff_users SET disabled = ?2 WHERE id = ?1");
            s.bind(1, user->id).bind(2, disabled ? 1 : 0);
            return s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
        });
}

Result<Ok, AccountError> StaffAccounts::setPassword(const std::string& name,
                                                    const crypto::SecretBytes& password,
                                                    std::optional<std::int64_t> by) {
    if (auto weak = checkPassword(password))
        return fail(*weak);
    auto user = find(name);
    if (!user)
        return fail(user.error());
    const std::string hash = hashPasswordArgon2id(password);
    return inTransaction(m_ledger, {m_clock(), by, "user.passwd", std::nullopt, name},
                         [&](sqlite3* db) {
                             Stmt s(db, "UPDATE staff_users SET password_hash = ?2, "
                                        "failed_logins = 0, locked_until = 0 WHERE id = ?1");
                             s.bind(1, user->id).bindText(2, hash);
                             return s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
                         });
}

Result<StaffUser, AccountError> StaffAccounts::authenticate(const std::string& name,
                                                            const crypto::SecretBytes& password) {
    const std::int64_t now = m_clock();
    const AccountError wrong{Code::WrongPassword, "用户名或密码错误 Wrong user name or password."};
    Stmt s(m_ledger.connection(), (std::string(kSelectUser) + "WHERE name = ?1").c_str());
    s.bindText(1, name);
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_DONE) {
        // The same Argon2id work as for a real account, so timing does not tell who exists.
        static const std::string decoy =
            hashPasswordArgon2id(crypto::SecretBytes::copyOf(std::string_view("decoy password")));
        (void)verifyPasswordArgon2id(decoy, password);
        return fail(wrong);
    }
    if (rc != SQLITE_ROW)
        return fail(storage(m_ledger.sqlError(rc, "reading")));
    StaffUser user = readUser(s);
    const std::string stored = s.text(7);
    if (user.lockedUntil > now)
        return fail(AccountError{Code::Locked,
                                 "账户已暂时锁定 Too many wrong passwords for \"" + name +
                                     "\": try again in " + std::to_string(user.lockedUntil - now) +
                                     " s.",
                                 user.lockedUntil});
    const bool match = verifyPasswordArgon2id(stored, password);
    if (!match) {
        const LoginState next = afterFailedLogin({user.failedLogins, user.lockedUntil}, now);
        auto recorded = inTransaction(
            m_ledger,
            {now, user.id, "user.login-failed", std::nullopt,
             std::to_string(next.failedLogins) + " in a row"},
            [&](sqlite3* db) {
                Stmt u(db, "UPDATE staff_users SET failed_logins = ?2, locked_until = ?3 "
                           "WHERE id = ?1");
                u.bind(1, user.id).bind(2, next.failedLogins).bind(3, next.lockedUntil);
                return u.prepareRc() == SQLITE_OK ? u.step() : u.prepareRc();
            });
        if (!recorded)
            return fail(recorded.error());
        return fail(wrong);
    }
    // Only someone who knows the password learns that the account is disabled.
    if (user.disabled)
        return fail(AccountError{Code::Disabled, "账户已停用 The account \"" + name +
                                                     "\" is disabled; ask a supervisor."});
    auto recorded =
        inTransaction(m_ledger, {now, user.id, "user.login", std::nullopt, ""}, [&](sqlite3* db) {
            Stmt u(db, "UPDATE staff_users SET failed_logins = 0, locked_until = 0 WHERE id = ?1");
            u.bind(1, user.id);
            return u.prepareRc() == SQLITE_OK ? u.step() : u.prepareRc();
        });
    if (!recorded)
        return fail(recorded.error());
    user.failedLogins = 0;
    user.lockedUntil = 0;
    return user;
}

} // namespace minsheng::staff
