#include "sync/forms/form_description.hpp"
#include "sync/forms/answers.hpp"
#include "sync/forms/validation.hpp"

#include <memory_resource>

namespace minsheng::forms {

namespace {

nlohmann::json localized(const LocalizedText& t) {
    return {{std::string(kLocaleZh), t.zh}, {std::string(kLocaleEn), t.en}};
}

/// The first `n` code points of valid UTF-8 text.
std::string firstCodePoints(std::string_view s, std::size_t n) {
    std::size_t i = 0;
    for (std::size_t count = 0; i < s.size() && count < n; ++count) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
            ++i;
    }
    return std::string(s.substr(0, i));
}

} // namespace

nlohmann::json describeForm(const Form& form) {
    nlohmann::json fields = nlohmann::json::array();
    for (const Field& f : form.fields) {
        nlohmann::json j = {{"id", f.id},
                            {"type", std::string(fieldTypeName(f.type))},
                            {"label", localized(f.label)},
                            {"required", f.required}};
        if (f.help)
            j["help"] = localized(*f.help);
        if (f.showIf)
            j["show_if"] = {{"field", f.showIf->field}, {"in", f.showIf->in}};
        if (f.type == FieldType::Single || f.type == FieldType::Multiple) {
            nlohmann::json options = nlohmann::json::array();
            for (const Option& o : f.options) {
                nlohmann::json oj = {{"id", o.id}, {"label", localized(o.label)}};
                if (o.description)
                    oj["description"] = localized(*o.description);
                if (!o.icon.empty())
                    oj["icon"] = o.icon;
                options.push_back(std::move(oj));
            }
            j["options"] = std::move(options);
        }
        if (!f.defaultChoice.empty())
            j["default"] = f.defaultChoice;
        if (f.type == FieldType::Multiple) {
            if (f.minSelections > 0)
                j["min_selections"] = f.minSelections;
            if (f.maxSelections > 0)
                j["max_selections"] = f.maxSelections;
        }
        if (f.type == FieldType::Text) {
            j["max_length"] = f.maxLength;
            j["multiline"] = f.multiline;
        }
        if (f.lowLabel)
            j["low_label"] = localized(*f.lowLabel);
        if (f.highLabel)
            j["high_label"] = localized(*f.highLabel);
        if (f.type == FieldType::Picker) {
            j["list"] = f.list;
            if (!f.filterBy.empty())
                j["filter_by"] = f.filterBy;
            nlohmann::json items = nlohmann::json::array();
            for (const ListItem& item : f.items) {
                nlohmann::json ij = {{"id", item.id}, {"label", localized(item.label)}};
                if (!item.parent.empty())
                    ij["parent"] = item.parent;
                items.push_back(std::move(ij));
            }
            j["items"] = std::move(items);
        }
        fields.push_back(std::move(j));
    }
    return {{"id", form.id},
            {"version", form.version},
            {"kind", std::string(formKindName(form.kind))},
            {"title", localized(form.title)},
            {"fields", std::move(fields)}};
}

std::string describeFormText(const Form& form, std::string_view locale) {
    const bool zh = locale != kLocaleEn;
    std::string out;
    out += form.title.get(locale) + " (" + form.id + ", " + (zh ? "版本 " : "version ") +
           std::to_string(form.version) + ")\n";
    int n = 0;
    for (const Field& f : form.fields) {
        out += "\n" + std::to_string(++n) + ". " + f.label.get(locale) + "\n";
        out += "   id: " + f.id + "   " + (zh ? "类型: " : "type: ") +
               std::string(fieldTypeName(f.type));
        out += f.required ? (zh ? "   必填" : "   required") : (zh ? "   选填" : "   optional");
        out += "\n";
        if (f.help)
            out += "   " + f.help->get(locale) + "\n";
        if (f.showIf) {
            const Field* ref = form.find(f.showIf->field);
            out += zh ? "   仅当“" : "   shown only when \"";
            out += ref ? ref->label.get(locale) : f.showIf->field;
            out += zh ? "”选择以下之一时显示: " : "\" is one of: ";
            for (std::size_t i = 0; i < f.showIf->in.size(); ++i)
                out += (i ? ", " : "") + f.showIf->in[i];
            out += "\n";
        }
        switch (f.type) {
        case FieldType::Text:
            out += std::string(zh ? "   最多 " : "   at most ") + std::to_string(f.maxLength) +
                   (zh ? " 个字" : " characters") +
                   (f.multiline ? (zh ? "，可换行" : ", multi-line") : "") + "\n";
            break;
        case FieldType::Multiple:
            if (f.minSelections > 0) {
                out += std::string(zh ? "   至少选 " : "   choose at least ") +
                       std::to_string(f.minSelections) + "\n";
            }
            if (f.maxSelections > 0) {
                out += std::string(zh ? "   最多选 " : "   choose at most ") +
                       std::to_string(f.maxSelections) + "\n";
            }
            break;
        case FieldType::Scale:
            out += "   1-5";
            if (f.lowLabel && f.highLabel)
                out += ": 1 = " + f.lowLabel->get(locale) + ", 5 = " + f.highLabel->get(locale);
            out += "\n";
            break;
        case FieldType::Picker:
            out += std::string(zh ? "   列表: " : "   list: ") + f.list;
            if (!f.filterBy.empty()) {
                out +=
                    std::string(zh ? "，按 " : ", filtered by ") + f.filterBy + (zh ? " 筛选" : "");
            }
            out += " (" + std::to_string(f.items.size()) + ")\n";
            break;
        default:
            break;
        }
        for (const Option& o : f.options) {
            out += "   - " + o.id + ": " + o.label.get(locale);
            if (o.id == f.defaultChoice)
                out += zh ? "（默认）" : " (default)";
            out += "\n";
        }
    }
    return out;
}

nlohmann::json exampleAnswers(const Form& form, [[maybe_unused]] const ListSet& lists) {
    // Example answers are not secret, so an ordinary heap resource is fine here.
    std::pmr::monotonic_buffer_resource memory;
    Answers answers(&memory);
    nlohmann::json out = nlohmann::json::object();
    static constexpr std::string_view kSample =
        "这是一段示例文字，用于检查表单。This is sample text for checking the form.";
    for (const Field& f : form.fields) {
        if (!isFieldVisible(form, answers, f.id))
            continue;
        switch (f.type) {
        case FieldType::Single: {
            const std::string& choice =
                f.defaultChoice.empty() ? f.options.front().id : f.defaultChoice;
            answers.setChoice(f.id, choice);
            out[f.id] = choice;
            break;
        }
        case FieldType::Multiple: {
            const std::size_t n = std::max<std::size_t>(f.minSelections, 1);
            std::vector<std::string_view> ids;
            nlohmann::json list = nlohmann::json::array();
            for (std::size_t i = 0; i < n && i < f.options.size(); ++i) {
                ids.push_back(f.options[i].id);
                list.push_back(f.options[i].id);
            }
            answers.setChoices(f.id, ids);
            out[f.id] = std::move(list);
            break;
        }
        case FieldType::Picker: {
            const Answer* parent = f.filterBy.empty() ? nullptr : answers.get(f.filterBy);
            if (!f.filterBy.empty() && !parent)
                break; // the filter field was not shown; a picker under it cannot be answered
            for (const ListItem& item : f.items) {
                if (!parent || item.parent == parent->text()) {
                    answers.setChoice(f.id, item.id);
                    out[f.id] = item.id;
                    break;
                }
            }
            break;
        }
        case FieldType::Text: {
            const std::string text = firstCodePoints(kSample, f.maxLength);
            answers.setText(f.id, text);
            out[f.id] = text;
            break;
        }
        case FieldType::Phone:
            answers.setText(f.id, "13800138000");
            out[f.id] = "13800138000";
            break;
        case FieldType::Date:
            answers.setText(f.id, "2026-03-02");
            out[f.id] = "2026-03-02";
            break;
        case FieldType::Time:
            answers.setText(f.id, "19:30");
            out[f.id] = "19:30";
            break;
        case FieldType::Scale:
            answers.setInteger(f.id, 4);
            out[f.id] = 4;
            break;
        }
    }
    return out;
}

} // namespace minsheng::forms
