// Internal to the kiosk core: strict, position-reporting reading of TOML tables.
//
// The loaders read a table key by key through a TomlReader. The first problem is recorded with
// the position of the nearest node and every later call becomes a no-op returning nothing, so a
// loader can read a whole section and check ok() once instead of after every key. Nothing here
// throws for bad input.
#pragma once

#include "crypto/result.hpp"
#include "sync/forms/config_error.hpp"
#include "sync/forms/localized_text.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace minsheng::forms {

/// Configuration files are small; anything larger is a mistake (a wrong path, a log file).
inline constexpr std::uintmax_t kMaxConfigFileBytes = 4u << 20;

/// Reads the whole file. The error has line 0 (there is no position yet).
Result<std::string, ConfigError> readConfigFile(const std::filesystem::path& path);

/// Parses TOML; a syntax error becomes a ConfigError at toml++'s reported position.
Result<toml::table, ConfigError> parseToml(std::string_view text, std::string_view file);

/// True for [a-z0-9_]{1,64}: field, option, list and item ids.
bool isIdentifier(std::string_view s);

class TomlReader {
public:
    explicit TomlReader(std::string file) : m_file(std::move(file)) {}

    bool ok() const { return !m_error.has_value(); }
    ConfigError takeError() { return std::move(*m_error); }
    const std::string& file() const { return m_file; }

    /// Records a problem at `where` unless one is already recorded (the first one wins).
    void failAt(const toml::source_region& where, std::string message);
    void failAt(const toml::node& where, std::string message) { failAt(where.source(), message); }

    /// Fails on the first key of `table` that is not in `allowed`, naming `what` ("field
    /// \"category\"") and listing what is allowed, because the usual cause is a typo.
    void checkKeys(const toml::table& table, std::span<const std::string_view> allowed,
                   std::string_view what);
    void checkKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                   std::string_view what) {
        checkKeys(table, std::span<const std::string_view>(allowed.begin(), allowed.size()), what);
    }

    /// Typed getters. A missing key fails only when `required`; a present key of the wrong type
    /// always fails. All return nullopt/nullptr after a failure.
    const toml::node* node(const toml::table& t, std::string_view key, bool required,
                           std::string_view what);
    std::optional<std::string> string(const toml::table& t, std::string_view key, bool required,
                                      std::string_view what);
    std::optional<std::int64_t> integer(const toml::table& t, std::string_view key, bool required,
                                        std::int64_t min, std::int64_t max, std::string_view what);
    std::optional<bool> boolean(const toml::table& t, std::string_view key, bool required,
                                std::string_view what);
    const toml::table* table(const toml::table& t, std::string_view key, bool required,
                             std::string_view what);
    const toml::array* array(const toml::table& t, std::string_view key, bool required,
                             std::string_view what);
    /// `{ zh-CN = "...", en = "..." }`, both present, non-empty, nothing else.
    std::optional<LocalizedText> localized(const toml::table& t, std::string_view key,
                                           bool required, std::string_view what);
    /// A string that must be an identifier (isIdentifier).
    std::optional<std::string> identifier(const toml::table& t, std::string_view key, bool required,
                                          std::string_view what);

private:
    std::string m_file;
    std::optional<ConfigError> m_error;
};

} // namespace minsheng::forms
