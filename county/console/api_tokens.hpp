// API tokens: how another county system (a city 12345 platform, a statistics job) calls the
// console's JSON API without a browser session. A token acts as the staff account it was issued
// for, with that account's role; it is sent as `Authorization: Bearer <token>`.
//
// File DIR/keys/console-api.tokens, mode 0600, one line per account that has a token:
//
//   <account name> <BLAKE2b-256 of the token, 64 lower-case hex digits>
//
// Lines starting with '#' and blank lines are ignored. Invariants:
//   1. The token itself is never stored: it is shown once, when issued.
//   2. An account has at most one token; issuing a new one replaces (and so revokes) the old.
//   3. The file is replaced whole (writeFileAtomically), so a crash leaves the old or the new.
//   4. A presented token is compared with every stored hash in constant time.
#pragma once

#include "crypto/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::console {

struct ApiTokenError {
    std::string message; // names the file and the line
};

class ApiTokens {
public:
    /// Reads the file; an absent file is an empty set. Refused when group or others may read
    /// it, or a line is malformed.
    [[nodiscard]] static Result<ApiTokens, ApiTokenError> load(const std::filesystem::path& file);

    /// The account a presented token belongs to, or nullopt.
    std::optional<std::string> accountFor(std::string_view token) const;

    /// A new token for `account` (replacing its old one), written to `file`; returns the token.
    [[nodiscard]] Result<std::string, ApiTokenError> issue(const std::filesystem::path& file,
                                                           const std::string& account);
    /// Removes `account`'s token; false when it had none.
    [[nodiscard]] Result<bool, ApiTokenError> revoke(const std::filesystem::path& file,
                                                     const std::string& account);

    std::size_t size() const { return m_entries.size(); }

private:
    Result<Ok, ApiTokenError> save(const std::filesystem::path& file) const;
    std::vector<std::pair<std::string, std::string>> m_entries; // account, hash (32 raw bytes)
};

} // namespace minsheng::console
