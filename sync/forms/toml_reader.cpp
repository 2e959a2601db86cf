#include "sync/forms/toml_reader.hpp"

#include "sync/forms/text_rules.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

namespace minsheng::forms {

namespace fs = std::filesystem;

Result<std::string, ConfigError> readConfigFile(const fs::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec)
        return fail(ConfigError{name, 0, 0, "cannot read file: " + ec.message()});
    if (size > kMaxConfigFileBytes) {
        return fail(ConfigError{name, 0, 0,
                                "file is " + std::to_string(size) + " bytes; the limit is " +
                                    std::to_string(kMaxConfigFileBytes)});
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(ConfigError{name, 0, 0, "cannot open file"});
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return fail(ConfigError{name, 0, 0, "read error"});
    return text.str();
}

Result<toml::table, ConfigError> parseToml(std::string_view text, std::string_view file) {
    try {
        return toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        return fail(ConfigError{std::string(file), static_cast<int>(where.line),
                                static_cast<int>(where.column),
                                "TOML syntax error: " + std::string(e.description())});
    }
}

bool isIdentifier(std::string_view s) {
    if (s.empty() || s.size() > 64)
        return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

void TomlReader::failAt(const toml::source_region& where, std::string message) {
    if (m_error)
        return;
    // The root table of a document has no position; point at the top of the file instead of
    // printing ":0:".
    const int line = where.begin.line > 0 ? static_cast<int>(where.begin.line) : 1;
    const int column = where.begin.column > 0 ? static_cast<int>(where.begin.column) : 1;
    m_error = ConfigError{m_file, line, column, std::move(message)};
}

void TomlReader::checkKeys(const toml::table& table, std::span<const std::string_view> allowed,
                           std::string_view what) {
    if (!ok())
        return;
    for (auto&& [key, value] : table) {
        bool known = false;
        for (auto a : allowed)
            known = known || key.str() == a;
        if (!known) {
            std::string list;
            for (auto a : allowed) {
                list += list.empty() ? "" : ", ";
                list += a;
            }
            failAt(key.source(), "unknown key \"" + std::string(key.str()) + "\" in " +
                                     std::string(what) + " (allowed: " + list + ")");
            return;
        }
    }
}

const toml::node* TomlReader::node(const toml::table& t, std::string_view key, bool required,
                                   std::string_view what) {
    if (!ok())
        return nullptr;
    const toml::node* n = t.get(key);
    if (!n && required) {
        failAt(t.source(),
               std::string(what) + ": missing required key \"" + std::string(key) + "\"");
    }
    return n;
}

std::optional<std::string> TomlReader::string(const toml::table& t, std::string_view key,
                                              bool required, std::string_view what) {
    const toml::node* n = node(t, key, required, what);
    if (!n)
        return std::nullopt;
    if (!n->is_string()) {
        failAt(*n, std::string(what) + ": \"" + std::string(key) + "\" must be a string");
        return std::nullopt;
    }
    return n->as_string()->get();
}

std::optional<std::int64_t> TomlReader::integer(const toml::table& t, std::string_view key,
                                                bool required, std::int64_t min, std::int64_t max,
                                                std::string_view what) {
    const toml::node* n = node(t, key, required, what);
    if (!n)
        return std::nullopt;
    if (!n->is_integer()) {
        failAt(*n, std::string(what) + ": \"" + std::string(key) + "\" must be an integer");
        return std::nullopt;
    }
    const std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
        failAt(*n, std::string(what) + ": \"" + std::string(key) + "\" is " + std::to_string(v) +
                       "; it must be between " + std::to_string(min) + " and " +
                       std::to_string(max));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> TomlReader::boolean(const toml::table& t, std::string_view key, bool required,
                                        std::string_view what) {
    const toml::node* n = node(t, key, required, what);
    if (!n)
        return std::nullopt;
    if (!n->is_boolean()) {
        failAt(*n, std::string(what) + ": \"" + std::string(key) +
                       "\" must be true or false (without quotes)");
        return std::nullopt;
    }
    return n->as_boolean()->get();
}

const toml::table* TomlReader::table(const toml::table& t, std::string_view key, bool required,
                                     std::string_view what) {
    const toml::node* n = node(t, key, required, what);
    if (!n)
        return nullptr;
    if (!n->is_table()) {
        failAt(*n, std::string(what) + ": \"" + std::string(key) + "\" must be a table");
        return nullptr;
    }
    return n->as_table();
}

const toml::array* TomlReader::array(const toml::table& t, std::string_view key, bool required,
                                     std::string_view what) {
    const toml::node* n = node(t, key, required, what);
    if (!n)
        return nullptr;
    if (!n->is_array()) {
        failAt(*n, std::string(what) + ": \"" + std::string(key) + "\" must be an array");
        return nullptr;
    }
    return n->as_array();
}

std::optional<LocalizedText> TomlReader::localized(const toml::table& t, std::string_view key,
                                                   bool required, std::string_view what) {
    const toml::node* n = node(t, key, required, what);
    if (!n)
        return std::nullopt;
    const std::string context = std::string(what) + " " + std::string(key);
    if (!n->is_table()) {
        failAt(*n, context + " must be a table { zh-CN = \"...\", en = \"...\" }");
        return std::nullopt;
    }
    const toml::table& lt = *n->as_table();
    checkKeys(lt, {"zh-CN", "en", "reading"}, context);
    LocalizedText text;
    for (auto [locale, out] : {std::pair{kLocaleZh, &text.zh}, std::pair{kLocaleEn, &text.en}}) {
        const toml::node* v = lt.get(locale);
        if (!ok())
            return std::nullopt;
        if (!v) {
            failAt(lt.source(), context + ": missing the \"" + std::string(locale) + "\" text");
            return std::nullopt;
        }
        if (!v->is_string() || v->as_string()->get().empty()) {
            failAt(*v, context + ": the \"" + std::string(locale) +
                           "\" text must be a non-empty string");
            return std::nullopt;
        }
        *out = v->as_string()->get();
    }
    if (const toml::node* v = lt.get("reading")) {
        const std::string problem = v->is_string()
                                        ? checkPinnedReading(text.zh, v->as_string()->get())
                                        : std::string("must be a string of tone-numbered pinyin");
        if (!problem.empty()) {
            failAt(*v, context + ": reading: " + problem);
            return std::nullopt;
        }
        text.zhReading = v->as_string()->get();
    }
    return text;
}

std::optional<std::string> TomlReader::identifier(const toml::table& t, std::string_view key,
                                                  bool required, std::string_view what) {
    auto s = string(t, key, required, what);
    if (s && !isIdentifier(*s)) {
        failAt(*t.get(key), std::string(what) + ": \"" + std::string(key) + "\" is \"" + *s +
                                "\"; ids use only a-z, 0-9 and _ (at most 64)");
        return std::nullopt;
    }
    return s;
}

} // namespace minsheng::forms
