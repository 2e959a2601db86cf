// Where the county's passphrase comes from: a file named by --passphrase-file or the
// MINSHENG_PASSPHRASE_FILE environment variable (for services and tests), else a prompt on the
// terminal with echo off. The passphrase only ever lives in SecretBytes.
#pragma once

#include "crypto/key_file.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace minsheng::county {

/// nullopt when no file is configured and there is no terminal to ask.
std::optional<crypto::SecretBytes> readPassphrase(const std::optional<std::filesystem::path>& file,
                                                  const std::string& prompt);

/// A PassphraseSource for crypto::readKeyFile that asks once and remembers the answer (the
/// county's secret key files share one passphrase).
crypto::PassphraseSource cachedPassphraseSource(std::optional<std::filesystem::path> file);

} // namespace minsheng::county
