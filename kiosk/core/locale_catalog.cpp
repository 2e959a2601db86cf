#include "kiosk/core/locale_catalog.hpp"

#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/localized_text.hpp"
#include "sync/forms/text_rules.hpp"
#include "sync/forms/toml_reader.hpp"

#include <set>

namespace minsheng::kiosk {

namespace {

std::set<std::string> placeholders(std::string_view s) {
    std::set<std::string> out;
    for (std::size_t i = s.find('{'); i != std::string_view::npos; i = s.find('{', i + 1)) {
        const auto end = s.find('}', i);
        if (end == std::string_view::npos)
            break;
        out.emplace(s.substr(i + 1, end - i - 1));
    }
    return out;
}

/// Flattens nested tables into dotted keys; the first problem is recorded in `r`.
void flatten(forms::TomlReader& r, const toml::table& t, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>& out,
             std::map<std::string, int, std::less<>>& lines) {
    for (auto&& [k, v] : t) {
        const std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const toml::table* sub = v.as_table()) {
            flatten(r, *sub, key, out, lines);
        } else if (const auto* s = v.as_string()) {
            const std::string& text = s->get();
            if (text.empty() || checkText(text, true).problem != TextProblem::None)
                r.failAt(v, "\"" + key + "\" must be non-empty text without control characters");
            out.emplace(key, text);
            lines.emplace(key, static_cast<int>(v.source().begin.line));
        } else {
            r.failAt(v, "\"" + key + "\" must be a string or a table of strings");
        }
    }
}

} // namespace

Result<LocaleCatalog, ConfigError> LocaleCatalog::parse(std::string_view zhText,
                                                        std::string_view zhName,
                                                        std::string_view enText,
                                                        std::string_view enName) {
    LocaleCatalog c;
    std::map<std::string, int, std::less<>> zhLines, enLines;
    for (int i = 0; i < 2; ++i) {
        const std::string_view text = i == 0 ? zhText : enText;
        const std::string_view name = i == 0 ? zhName : enName;
        auto parsed = forms::parseToml(text, name);
        if (!parsed)
            return fail(std::move(parsed.error()));
        forms::TomlReader r{std::string(name)};
        flatten(r, parsed.value(), "", i == 0 ? c.m_zh : c.m_en, i == 0 ? zhLines : enLines);
        if (!r.ok())
            return fail(r.takeError());
    }
    for (const auto& [key, text] : c.m_zh) {
        auto en = c.m_en.find(key);
        if (en == c.m_en.end()) {
            return fail(ConfigError{std::string(enName), 0, 0,
                                    "missing \"" + key + "\" (" + std::string(zhName) + " line " +
                                        std::to_string(zhLines[key]) +
                                        " has it); every locale needs every key"});
        }
        if (placeholders(text) != placeholders(en->second)) {
            return fail(ConfigError{std::string(enName), enLines[key], 0,
                                    "\"" + key + "\" uses other {placeholders} than in " +
                                        std::string(zhName)});
        }
    }
    for (const auto& [key, text] : c.m_en) {
        if (!c.m_zh.contains(key)) {
            return fail(ConfigError{std::string(zhName), 0, 0,
                                    "missing \"" + key + "\" (" + std::string(enName) + " line " +
                                        std::to_string(enLines[key]) +
                                        " has it); every locale needs every key"});
        }
    }
    return c;
}

Result<LocaleCatalog, ConfigError> LocaleCatalog::load(const std::filesystem::path& dir) {
    const auto zhPath = dir / "zh-CN.toml";
    const auto enPath = dir / "en.toml";
    auto zh = forms::readConfigFile(zhPath);
    if (!zh)
        return fail(std::move(zh.error()));
    auto en = forms::readConfigFile(enPath);
    if (!en)
        return fail(std::move(en.error()));
    return parse(zh.value(), zhPath.string(), en.value(), enPath.string());
}

const std::string& LocaleCatalog::get(std::string_view locale, std::string_view key) const {
    const Map& m = locale == kLocaleEn ? m_en : m_zh;
    auto it = m.find(key);
    if (it != m.end())
        return it->second;
    m_missing.assign(key);
    return m_missing;
}

std::vector<std::string> LocaleCatalog::keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : m_zh)
        out.push_back(k);
    return out;
}

void LocaleCatalog::forEachText(const std::function<void(std::string_view)>& fn) const {
    for (const auto& [k, v] : m_zh)
        fn(v);
    for (const auto& [k, v] : m_en)
        fn(v);
}

std::string
LocaleCatalog::format(std::string_view text,
                      std::initializer_list<std::pair<std::string_view, std::string>> args) {
    std::string out;
    out.reserve(text.size() + 16);
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '{') {
            const auto end = text.find('}', i);
            if (end != std::string_view::npos) {
                const auto name = text.substr(i + 1, end - i - 1);
                bool replaced = false;
                for (const auto& [n, v] : args) {
                    if (n == name) {
                        out += v;
                        replaced = true;
                        break;
                    }
                }
                if (replaced) {
                    i = end + 1;
                    continue;
                }
            }
        }
        out += text[i++];
    }
    return out;
}

} // namespace minsheng::kiosk
