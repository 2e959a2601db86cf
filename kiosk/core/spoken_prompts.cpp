#include "kiosk/core/spoken_prompts.hpp"

#include <set>

namespace minsheng::kiosk {

std::vector<SpokenPrompt> spokenPrompts(const FormSet& forms, const std::vector<PolicyPage>& policy,
                                        const LocaleCatalog& catalog, std::string_view locale) {
    std::vector<SpokenPrompt> out;
    std::set<std::string, std::less<>> seen;
    const bool zh = locale != forms::kLocaleEn;
    const auto add = [&](const LocalizedText& t, std::string origin) {
        const std::string& text = t.get(locale);
        if (seen.insert(text).second)
            out.push_back({text, zh ? t.zhReading : std::string(), std::move(origin)});
    };
    for (const Form* form : {&forms.complaint, &forms.survey}) {
        for (const Field& f : form->fields) {
            const std::string where = form->file + " field " + f.id;
            add(f.label, where);
            for (const Option& o : f.options)
                add(o.label, where + " option " + o.id);
            for (const ListItem& item : f.items)
                add(item.label, where + " item " + item.id);
        }
    }
    for (std::size_t i = 0; i < policy.size(); ++i)
        add(policy[i].title, "policy page " + std::to_string(i + 1));
    for (std::string_view key : kSpokenCatalogKeys) {
        const std::string& text = catalog.get(locale, key);
        if (seen.insert(text).second)
            out.push_back({text, std::string(), "catalogue " + std::string(key)});
    }
    return out;
}

Result<std::vector<SpokenPrompt>, ConfigError> loadSpokenPrompts(const KioskConfig& config,
                                                                 std::string_view locale) {
    auto forms = loadFormSet(config);
    if (!forms)
        return fail(forms.error());
    auto policy = loadPolicyPages(config.uiPolicy);
    if (!policy)
        return fail(policy.error());
    auto catalog = LocaleCatalog::load(config.uiLocaleDir);
    if (!catalog)
        return fail(catalog.error());
    return spokenPrompts(forms.value(), policy.value(), catalog.value(), locale);
}

std::map<std::string, std::string, std::less<>>
pinnedReadings(const std::vector<SpokenPrompt>& prompts) {
    std::map<std::string, std::string, std::less<>> pins;
    for (const SpokenPrompt& p : prompts)
        if (!p.reading.empty())
            pins.emplace(p.text, p.reading);
    return pins;
}

} // namespace minsheng::kiosk
