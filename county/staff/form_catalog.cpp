#include "county/staff/form_catalog.hpp"

#include <algorithm>

namespace minsheng::staff {

namespace fs = std::filesystem;

bool isIdentityField(std::string_view fieldId) {
    return fieldId.rfind("contact_", 0) == 0;
}

FormCatalog FormCatalog::load(const fs::path& formsDir) {
    FormCatalog c;
    auto lists = forms::loadLists(formsDir / "lists.toml");
    if (!lists) {
        c.m_warnings.push_back(lists.error().toString());
        return c;
    }
    c.m_lists = std::move(lists.value());
    for (const char* f : {"complaint.toml", "survey.toml"}) {
        auto form = forms::loadForm(formsDir / f, c.m_lists);
        if (!form) {
            c.m_warnings.push_back(form.error().toString());
            continue;
        }
        std::string id = form->id;
        c.m_forms.emplace(std::move(id), std::move(form.value()));
    }
    return c;
}

const forms::Form* FormCatalog::form(std::string_view formId) const {
    auto it = m_forms.find(formId);
    return it == m_forms.end() ? nullptr : &it->second;
}

std::string FormCatalog::itemLabel(std::string_view list, const std::string& id) const {
    if (id.empty())
        return {};
    if (const auto* l = m_lists.find(list))
        if (const auto* item = l->find(id))
            return item->label.zh;
    return id;
}

std::string FormCatalog::categoryLabel(const std::string& id) const {
    if (id.empty())
        return {};
    if (const auto* f = form("complaint"))
        if (const auto* field = f->find("category"))
            if (const auto* o = field->findOption(id))
                return o->label.zh;
    return id;
}

std::vector<std::pair<std::string, std::string>>
FormCatalog::listItems(std::string_view list) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (const auto* l = m_lists.find(list))
        for (const auto& item : l->items)
            out.emplace_back(item.id, item.label.zh);
    return out;
}

std::vector<std::pair<std::string, std::string>> FormCatalog::categories() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (const auto* f = form("complaint"))
        if (const auto* field = f->find("category"))
            for (const auto& o : field->options)
                out.emplace_back(o.id, o.label.zh);
    return out;
}

std::string FormCatalog::fieldLabel(std::string_view formId, std::string_view fieldId) const {
    if (const auto* f = form(formId))
        if (const auto* field = f->find(fieldId))
            return field->label.zh;
    return std::string(fieldId);
}

std::string FormCatalog::valueText(std::string_view formId, std::string_view fieldId,
                                   const nlohmann::json& value) const {
    const forms::Field* field = nullptr;
    if (const auto* f = form(formId))
        field = f->find(fieldId);
    auto one = [&](const std::string& id) -> std::string {
        if (!field)
            return id;
        if (const auto* o = field->findOption(id))
            return o->label.zh;
        if (const auto* item = field->findItem(id))
            return item->label.zh;
        return id;
    };
    if (value.is_string())
        return one(value.get<std::string>());
    if (value.is_number_integer()) {
        const auto v = value.get<std::int64_t>();
        std::string text = std::to_string(v) + "/5";
        if (field && field->type == forms::FieldType::Scale) {
            if (v == forms::kScaleMin && field->lowLabel)
                text += "（" + field->lowLabel->zh + "）";
            if (v == forms::kScaleMax && field->highLabel)
                text += "（" + field->highLabel->zh + "）";
        }
        return text;
    }
    if (value.is_array()) {
        std::string out;
        for (const auto& v : value)
            if (v.is_string())
                out += (out.empty() ? "" : "、") + one(v.get<std::string>());
        return out;
    }
    return value.dump();
}

std::vector<RenderedAnswer> FormCatalog::render(const Submission& s, bool includeIdentity) const {
    std::vector<RenderedAnswer> out;
    const bool identityAllowed = includeIdentity && s.isComplaint() && !s.anonymous;
    auto keep = [&](const std::string& id) {
        return identityAllowed || !isIdentityField(id);
    };
    std::vector<std::string> done;
    if (const auto* f = form(s.formId)) {
        for (const auto& field : f->fields) {
            auto it = s.answers.find(field.id);
            if (it == s.answers.end() || !keep(field.id))
                continue;
            out.push_back({field.id, field.label.zh, valueText(s.formId, field.id, *it)});
            done.push_back(field.id);
        }
    }
    for (auto it = s.answers.begin(); it != s.answers.end(); ++it) {
        if (std::find(done.begin(), done.end(), it.key()) != done.end() || !keep(it.key()))
            continue;
        out.push_back({it.key(), it.key(), valueText(s.formId, it.key(), it.value())});
    }
    return out;
}

} // namespace minsheng::staff
