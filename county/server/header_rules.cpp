#include "county/server/header_rules.hpp"

#include "sync/forms/form.hpp"

namespace minsheng::server {

std::optional<HeaderRefusal> HeaderRules::check(const crypto::EnvelopeHeader& h,
                                                std::int64_t now) const {
    if (!crypto::headerCarriesMetadata(h))
        return std::nullopt; // version 2: nothing in the clear to check
    const std::string which = "envelope " + std::to_string(h.sequence) + ": ";
    if (h.createdAt > now + kMaxCreatedAheadSeconds)
        return HeaderRefusal{"bad-created",
                             which + "created is more than a day ahead of the county's clock; "
                                     "check the kiosk's clock (it keeps the envelope)"};
    if (forms) {
        auto it = forms->find(h.formId);
        if (it == forms->end())
            return HeaderRefusal{"unknown-form",
                                 which + "form \"" + h.formId + "\" is not a form of this county"};
        if (it->second != h.kind)
            return HeaderRefusal{"unknown-form",
                                 which + "form \"" + h.formId + "\" is a " +
                                     std::string(crypto::envelopeKindName(it->second)) +
                                     " form, not a " +
                                     std::string(crypto::envelopeKindName(h.kind))};
    }
    return std::nullopt;
}

HeaderRules loadHeaderRules(const county::CountyDir& dir,
                            const std::function<void(const std::string&)>& warn) {
    HeaderRules rules;
    const auto off = [&](const std::string& why) {
        warn("warning: envelope form ids are not checked: " + why);
        return HeaderRules{};
    };
    auto lists = forms::loadLists(dir.formsDir() / "lists.toml");
    if (!lists)
        return off(lists.error().toString());
    std::map<std::string, crypto::EnvelopeKind, std::less<>> known;
    for (const char* file : {"complaint.toml", "survey.toml"}) {
        auto form = forms::loadForm(dir.formsDir() / file, *lists);
        if (!form)
            return off(form.error().toString());
        known[form->id] = form->kind == forms::FormKind::Complaint ? crypto::EnvelopeKind::Complaint
                                                                   : crypto::EnvelopeKind::Survey;
    }
    rules.forms = std::move(known);
    return rules;
}

} // namespace minsheng::server
