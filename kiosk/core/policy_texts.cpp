#include "kiosk/core/policy_texts.hpp"

#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/toml_reader.hpp"

namespace minsheng::kiosk {

Result<std::vector<PolicyPage>, ConfigError> parsePolicyPages(std::string_view text,
                                                              std::string_view file) {
    auto parsed = forms::parseToml(text, file);
    if (!parsed)
        return fail(std::move(parsed.error()));
    forms::TomlReader r{std::string(file)};
    const toml::table& root = parsed.value();
    r.checkKeys(root, {"pages"}, "the policy file");
    const toml::array* pages = r.array(root, "pages", true, "the policy file");
    std::vector<PolicyPage> out;
    if (pages) {
        if (pages->empty() || pages->size() > 50)
            r.failAt(*pages, "the policy file needs 1-50 [[pages]]");
        for (const toml::node& n : *pages) {
            const toml::table* t = n.as_table();
            if (!t) {
                r.failAt(n, "each of [[pages]] must be a table");
                break;
            }
            r.checkKeys(*t, {"title", "body", "source"}, "[[pages]]");
            PolicyPage p;
            p.title = r.localized(*t, "title", true, "[[pages]]").value_or(LocalizedText{});
            p.body = r.localized(*t, "body", true, "[[pages]]").value_or(LocalizedText{});
            p.source = r.localized(*t, "source", true, "[[pages]]").value_or(LocalizedText{});
            out.push_back(std::move(p));
        }
    }
    if (!r.ok())
        return fail(r.takeError());
    return out;
}

Result<std::vector<PolicyPage>, ConfigError> loadPolicyPages(const std::filesystem::path& path) {
    auto text = forms::readConfigFile(path);
    if (!text)
        return fail(std::move(text.error()));
    return parsePolicyPages(text.value(), path.string());
}

} // namespace minsheng::kiosk
