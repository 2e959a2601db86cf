// Where a staff account's new password comes from: the first line of --password-file F, or the
// terminal, asked twice with echo off (the county passphrase prompt, passphrase_prompt.hpp).
// Unlike the county passphrase there is no environment variable: MINSHENG_PASSPHRASE_FILE names
// the county's passphrase and must never become somebody's password by accident, so while it is
// set the terminal is not asked and --password-file is required. The password lives only in
// SecretBytes.
#pragma once

#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace minsheng::staff {

/// The new password for `accountName`; an error sentence (Chinese first) when the file cannot be
/// read, there is no terminal, or the two entries differ.
[[nodiscard]] Result<crypto::SecretBytes, std::string>
readNewPassword(const std::optional<std::filesystem::path>& file, const std::string& accountName);

} // namespace minsheng::staff
