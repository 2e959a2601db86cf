// LocaleCatalog: the touch window's own strings (buttons, headings, notices), in every shipped
// locale. Form and list text comes from the forms; everything else a parent reads comes from
// here, so wording is edited in config/locale/*.toml and never in code.
//
// File format (config/locale/zh-CN.toml, config/locale/en.toml): TOML tables of strings; a key
// is the dotted path, e.g. [home] report = "..." is "home.report". Placeholders are written
// {name} and filled by format().
//
// Invariants checked by load(), so a screen never shows a bare key:
//   1. Every shipped locale has a file, and every file has exactly the same set of keys.
//   2. Every value is a non-empty string of valid UTF-8 without control characters other
//      than newline.
//   3. Every value names the same placeholders in every locale.
// The test tests/kiosk/locale_catalog_test.cpp also checks that every key the code uses
// (every tr("...") in kiosk/) is in the catalogue.
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/config_error.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::kiosk {

class LocaleCatalog {
public:
    /// Reads <dir>/zh-CN.toml and <dir>/en.toml.
    static Result<LocaleCatalog, ConfigError> load(const std::filesystem::path& dir);
    /// The same from text; the names are only used in messages.
    static Result<LocaleCatalog, ConfigError> parse(std::string_view zhText,
                                                    std::string_view zhName,
                                                    std::string_view enText,
                                                    std::string_view enName);

    /// The text for `key`; the key itself when it is missing (a bug the catalogue test catches).
    const std::string& get(std::string_view locale, std::string_view key) const;
    bool has(std::string_view key) const { return m_zh.find(key) != m_zh.end(); }
    /// Every key, sorted.
    std::vector<std::string> keys() const;
    /// Calls `fn` with every string of every locale (the font's glyph set is built from these).
    void forEachText(const std::function<void(std::string_view)>& fn) const;

    /// Replaces {name} placeholders; unknown placeholders are left as written.
    static std::string format(std::string_view text,
                              std::initializer_list<std::pair<std::string_view, std::string>> args);

private:
    using Map = std::map<std::string, std::string, std::less<>>;
    Map m_zh;
    Map m_en;
    mutable std::string m_missing;
};

} // namespace minsheng::kiosk
