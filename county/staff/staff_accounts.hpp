// Staff accounts in the case ledger: who may work cases, with which role, and how they prove it.
//
// Storage: table staff_users (ledger_schema.hpp invariant 10). A password is kept only as its
// Argon2id string from crypto_pwhash_str (libsodium's interactive limits: 2 passes over 64 MiB),
// which carries its own random salt and parameters; the password itself stays in SecretBytes
// while it is hashed or checked and is never written anywhere. Accounts are disabled, never
// deleted, and keep their name, because history and the audit log name their actor by id.
//
// Lock-out: after kFreeFailures wrong passwords in a row an account is locked for a delay that
// doubles with every further failure (30 s, 1 min, 2 min, … up to 1 hour). During the delay every
// attempt is refused as Locked without looking at the password, and does not count. A correct
// password after the delay resets the count. A disabled account is told apart from a wrong
// password only when the password was right. The rule is the pure function lockoutDelaySeconds();
// the clock is injected, so tests move time instead of waiting.
//
// Every change to an account appends an audit row (audit_log.hpp) in the same transaction.
#pragma once

#include "county/staff/ledger.hpp"
#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::staff {

enum class StaffRole {
    Clerk,      // 经办人: works the cases assigned or open to them
    Supervisor, // 督办/审核: also assigns, extends deadlines, reopens, manages accounts
    Auditor,    // 审计: reads cases and the audit log, changes nothing
};
std::string_view staffRoleName(StaffRole role);    // "clerk" | "supervisor" | "auditor"
std::string_view staffRoleChinese(StaffRole role); // "经办人" | "主管" | "审计员"
std::optional<StaffRole> parseStaffRole(std::string_view text); // English or Chinese name

struct StaffUser {
    std::int64_t id = 0;
    std::string name;
    StaffRole role = StaffRole::Clerk;
    bool disabled = false;
    int failedLogins = 0;
    std::int64_t lockedUntil = 0; // Unix seconds; 0 = not locked
    std::int64_t createdAt = 0;
};

/// Wrong passwords in a row that cost nothing.
inline constexpr int kFreeFailures = 3;
/// The delay imposed after `failures` wrong passwords in a row: 0 up to kFreeFailures, then
/// 30 s doubling with each further failure, at most 3600 s.
std::int64_t lockoutDelaySeconds(int failures);

/// The lock-out state after one more login attempt at `now`.
struct LoginState {
    int failedLogins = 0;
    std::int64_t lockedUntil = 0;
};
LoginState afterFailedLogin(LoginState state, std::int64_t now);

/// An Argon2id string (crypto_pwhash_str, interactive limits). Throws only when libsodium cannot
/// allocate the 64 MiB it needs (start-up class failure: the machine is out of memory).
std::string hashPasswordArgon2id(const crypto::SecretBytes& password);
/// Constant-time check of `password` against a stored Argon2id string.
[[nodiscard]] bool verifyPasswordArgon2id(const std::string& storedHash,
                                          const crypto::SecretBytes& password);

struct AccountError {
    enum class Code {
        InvalidName,   // empty, too long, or characters other than letters, digits, . _ -
        WeakPassword,  // shorter than kMinPasswordChars
        NameTaken,     // add: an account of this name exists
        NoSuchUser,    // no account of this name
        WrongPassword, // authenticate: unknown user or wrong password (not told apart)
        Locked,        // authenticate: too many wrong passwords; retry after lockedUntil
        Disabled,      // authenticate / act: the account is disabled
        Storage,       // the ledger failed
    };
    Code code;
    std::string message; // Chinese first, then English; names the account, never the password
    std::int64_t lockedUntil = 0; // Locked
};

inline constexpr std::size_t kMinPasswordChars = 10; // Unicode characters
inline constexpr std::size_t kMaxPasswordBytes = 1024;

/// Names are what staff type after --user: 1-64 of letters (any script), digits, '.', '_', '-'.
[[nodiscard]] bool isValidStaffName(std::string_view name);

using Clock = std::function<std::int64_t()>; // Unix seconds

class StaffAccounts {
public:
    /// `ledger` and `clock` must outlive this object.
    StaffAccounts(Ledger& ledger, Clock clock) : m_ledger(ledger), m_clock(std::move(clock)) {}

    /// `by` is the account making the change (nullopt: the office's operator at the command
    /// line, before any supervisor exists); it goes into the audit log.
    [[nodiscard]] Result<StaffUser, AccountError> add(const std::string& name, StaffRole role,
                                                      const crypto::SecretBytes& password,
                                                      std::optional<std::int64_t> by);
    [[nodiscard]] Result<std::vector<StaffUser>, AccountError> list();
    [[nodiscard]] Result<StaffUser, AccountError> find(const std::string& name);
    [[nodiscard]] Result<StaffUser, AccountError> findById(std::int64_t id);
    /// Whether any account exists (an office with none works unattributed, case_workflow.hpp).
    [[nodiscard]] Result<bool, AccountError> any();
    [[nodiscard]] Result<Ok, AccountError> setDisabled(const std::string& name, bool disabled,
                                                       std::optional<std::int64_t> by);
    /// Sets a new password and clears the lock-out.
    [[nodiscard]] Result<Ok, AccountError> setPassword(const std::string& name,
                                                       const crypto::SecretBytes& password,
                                                       std::optional<std::int64_t> by);
    /// Checks a login. Unknown names cost the same Argon2id work as known ones and get the same
    /// answer as a wrong password. Records failures and the lock-out.
    [[nodiscard]] Result<StaffUser, AccountError> authenticate(const std::string& name,
                                                               const crypto::SecretBytes& password);

private:
    Ledger& m_ledger;
    Clock m_clock;
};

} // namespace minsheng::staff
