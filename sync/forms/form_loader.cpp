// Loading and checking form and list files. The invariants are listed in form.hpp; the file
// format is described in docs/forms.md.
#include "sync/forms/form.hpp"
#include "sync/forms/toml_reader.hpp"

#include <algorithm>
#include <set>

namespace minsheng::forms {

// ---- Model helpers ----------------------------------------------------------------------------

std::string_view formKindName(FormKind kind) {
    return kind == FormKind::Complaint ? "complaint" : "survey";
}

namespace {
constexpr std::pair<FieldType, std::string_view> kFieldTypeNames[] = {
    {FieldType::Single, "single"}, {FieldType::Multiple, "multiple"}, {FieldType::Text, "text"},
    {FieldType::Phone, "phone"},   {FieldType::Date, "date"},         {FieldType::Time, "time"},
    {FieldType::Scale, "scale"},   {FieldType::Picker, "picker"},
};
} // namespace

std::string_view fieldTypeName(FieldType type) {
    for (auto [t, name] : kFieldTypeNames)
        if (t == type)
            return name;
    return "?";
}

std::optional<FieldType> fieldTypeFromName(std::string_view name) {
    for (auto [t, n] : kFieldTypeNames)
        if (n == name)
            return t;
    return std::nullopt;
}

const ListItem* NamedList::find(std::string_view id) const {
    for (const auto& item : items)
        if (item.id == id)
            return &item;
    return nullptr;
}

const NamedList* ListSet::find(std::string_view name) const {
    auto it = lists.find(name);
    return it == lists.end() ? nullptr : &it->second;
}

const Option* Field::findOption(std::string_view optionId) const {
    const std::size_t i = optionIndex(optionId);
    return i < options.size() ? &options[i] : nullptr;
}

std::size_t Field::optionIndex(std::string_view optionId) const {
    for (std::size_t i = 0; i < options.size(); ++i)
        if (options[i].id == optionId)
            return i;
    return options.size();
}

const ListItem* Field::findItem(std::string_view itemId) const {
    for (const auto& item : items)
        if (item.id == itemId)
            return &item;
    return nullptr;
}

bool Field::hasValue(std::string_view value) const {
    return type == FieldType::Picker ? findItem(value) != nullptr : findOption(value) != nullptr;
}

const Field* Form::find(std::string_view fieldId) const {
    const std::size_t i = indexOf(fieldId);
    return i < fields.size() ? &fields[i] : nullptr;
}

std::size_t Form::indexOf(std::string_view fieldId) const {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (fields[i].id == fieldId)
            return i;
    return fields.size();
}

// ---- Worst-case payload size ------------------------------------------------------------------

std::size_t worstCasePayloadBytes(const Form& form) {
    // Mirrors the writer in canonical_payload.cpp, rounding every part up. Outside "answers":
    // {"answers":{...},"created":"YYYY-MM-DDTHH:MMZ","form":"<id>","form_version":<int64>,
    //  "locale":"<at most 5>"} is well under 128 bytes plus the form id.
    std::size_t total = 128 + form.id.size();
    for (const auto& f : form.fields) {
        std::size_t value = 0;
        switch (f.type) {
        case FieldType::Single:
            for (const auto& o : f.options)
                value = std::max(value, o.id.size() + 2);
            break;
        case FieldType::Picker:
            for (const auto& i : f.items)
                value = std::max(value, i.id.size() + 2);
            break;
        case FieldType::Multiple:
            value = 2; // [ ]
            for (const auto& o : f.options)
                value += o.id.size() + 3; // "id",
            break;
        case FieldType::Text:
            // Per code point: at most 4 bytes of UTF-8; the only escapes a valid text can need
            // (\" \\ \n) are 2 bytes. Other control characters are rejected by the validator.
            value = 2 + 4 * f.maxLength;
            break;
        case FieldType::Phone:
            value = 2 + 13; // 0571-12345678
            break;
        case FieldType::Date:
            value = 2 + 10;
            break;
        case FieldType::Time:
            value = 2 + 5;
            break;
        case FieldType::Scale:
            value = 1;
            break;
        }
        total += f.id.size() + 4 + value; // "id":value,
    }
    return total;
}

// ---- Lists ------------------------------------------------------------------------------------

Result<ListSet, ConfigError> parseLists(std::string_view text, std::string_view file) {
    auto parsed = parseToml(text, file);
    if (!parsed)
        return fail(std::move(parsed.error()));
    const toml::table& root = parsed.value();
    TomlReader r{std::string(file)};
    ListSet set;
    set.file = std::string(file);

    r.checkKeys(root, {"description", "lists"}, "the lists file");
    set.description = r.localized(root, "description", false, "the lists file");
    const toml::table* lists = r.table(root, "lists", true, "the lists file");
    if (!r.ok())
        return fail(r.takeError());
    if (lists->empty())
        r.failAt(*lists, "[lists] defines no list");
    for (auto&& [key, node] : *lists) {
        const std::string name(key.str());
        const std::string what = "list \"" + name + "\"";
        if (!isIdentifier(name)) {
            r.failAt(key.source(), what + ": list names use only a-z, 0-9 and _");
            break;
        }
        if (!node.is_table()) {
            r.failAt(node, what + " must be a table ([lists." + name + "])");
            break;
        }
        const toml::table& lt = *node.as_table();
        NamedList list;
        list.name = name;
        r.checkKeys(lt, {"title", "items"}, what);
        if (auto title = r.localized(lt, "title", true, what))
            list.title = *title;
        const toml::array* items = r.array(lt, "items", true, what);
        if (!r.ok())
            break;
        if (items->empty()) {
            r.failAt(*items, what + " has no items");
            break;
        }
        std::set<std::string, std::less<>> seen;
        for (const toml::node& itemNode : *items) {
            if (!itemNode.is_table()) {
                r.failAt(itemNode,
                         what + ": every item must be a table ([[lists." + name + ".items]])");
                break;
            }
            const toml::table& it = *itemNode.as_table();
            ListItem item;
            r.checkKeys(it, {"id", "label", "parent"}, what + " item");
            auto id = r.identifier(it, "id", true, what + " item");
            auto label = r.localized(it, "label", true, what + " item \"" + id.value_or("") + "\"");
            auto parent = r.identifier(it, "parent", false, what + " item");
            if (!r.ok())
                break;
            if (!seen.insert(*id).second) {
                r.failAt(*it.get("id"), what + ": duplicate item id \"" + *id + "\"");
                break;
            }
            item.id = *id;
            item.label = *label;
            item.parent = parent.value_or("");
            list.items.push_back(std::move(item));
        }
        if (!r.ok())
            break;
        set.lists.emplace(name, std::move(list));
    }
    if (!r.ok())
        return fail(r.takeError());
    return set;
}

Result<ListSet, ConfigError> loadLists(const std::filesystem::path& path) {
    auto text = readConfigFile(path);
    if (!text)
        return fail(std::move(text.error()));
    return parseLists(text.value(), path.string());
}

// ---- Forms ------------------------------------------------------------------------------------

namespace {

/// Reads options = [ { id, label, description?, icon? }, ... ] into `field`.
void readOptions(TomlReader& r, const toml::table& ft, Field& field, const std::string& what) {
    const toml::array* options = r.array(ft, "options", true, what);
    if (!r.ok())
        return;
    if (options->empty()) {
        r.failAt(*options, what + ": \"options\" is empty; a choice needs at least one option");
        return;
    }
    std::set<std::string, std::less<>> seen;
    for (const toml::node& on : *options) {
        if (!on.is_table()) {
            r.failAt(on, what + ": every option must be a table ([[fields.options]])");
            return;
        }
        const toml::table& ot = *on.as_table();
        const std::string optWhat = what + " option";
        r.checkKeys(ot, {"id", "label", "description", "icon"}, optWhat);
        auto id = r.identifier(ot, "id", true, optWhat);
        const std::string named = optWhat + " \"" + id.value_or("") + "\"";
        auto label = r.localized(ot, "label", true, named);
        auto description = r.localized(ot, "description", false, named);
        auto icon = r.string(ot, "icon", false, named);
        if (!r.ok())
            return;
        if (icon && (icon->empty() || icon->size() > 64 ||
                     icon->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") !=
                         std::string::npos)) {
            r.failAt(*ot.get("icon"), named + ": icon names use only a-z, 0-9, _ and -");
            return;
        }
        if (!seen.insert(*id).second) {
            r.failAt(*ot.get("id"), what + ": duplicate option id \"" + *id + "\"");
            return;
        }
        field.options.push_back(Option{*id, *label, description, icon.value_or("")});
    }
}

/// Reads show_if = { field = "...", in = [...] } and checks it against the fields before it.
void readCondition(TomlReader& r, const toml::table& ft, Field& field, const Form& form,
                   const std::set<std::string, std::less<>>& allIds, const std::string& what) {
    const toml::table* ct = r.table(ft, "show_if", false, what);
    if (!ct || !r.ok())
        return;
    const std::string cwhat = what + " show_if";
    r.checkKeys(*ct, {"field", "in"}, cwhat);
    auto target = r.string(*ct, "field", true, cwhat);
    const toml::array* values = r.array(*ct, "in", true, cwhat);
    if (!r.ok())
        return;
    const Field* ref = form.find(*target);
    if (!ref) {
        // The screens ask fields in order, so a condition on a later field could never be
        // decided when this field's turn comes.
        r.failAt(*ct->get("field"),
                 cwhat + ": \"" + *target + "\" " +
                     (allIds.contains(*target) || *target == field.id
                          ? "comes later in the form; a condition may only refer to an earlier "
                            "field"
                          : "is not a field of this form"));
        return;
    }
    if (!ref->isChoice()) {
        r.failAt(*ct->get("field"), cwhat + ": \"" + *target + "\" is a " +
                                        std::string(fieldTypeName(ref->type)) +
                                        " field; conditions can only test single, multiple or "
                                        "picker fields");
        return;
    }
    if (values->empty()) {
        r.failAt(*values, cwhat + ": \"in\" is empty, so the field could never be shown");
        return;
    }
    Condition c;
    c.field = *target;
    for (const toml::node& v : *values) {
        if (!v.is_string()) {
            r.failAt(v, cwhat + ": \"in\" must list option ids as strings");
            return;
        }
        const std::string value = v.as_string()->get();
        if (!ref->hasValue(value)) {
            r.failAt(v,
                     cwhat + ": \"" + value + "\" is not an option of field \"" + ref->id + "\"");
            return;
        }
        if (std::find(c.in.begin(), c.in.end(), value) != c.in.end()) {
            r.failAt(v, cwhat + ": \"" + value + "\" is listed twice");
            return;
        }
        c.in.push_back(value);
    }
    field.showIf = std::move(c);
}

void readTypeSpecific(TomlReader& r, const toml::table& ft, Field& field, const Form& form,
                      const ListSet& lists, const std::string& what) {
    switch (field.type) {
    case FieldType::Single: {
        readOptions(r, ft, field, what);
        auto def = r.string(ft, "default", false, what);
        if (def && r.ok()) {
            if (!field.findOption(*def)) {
                r.failAt(*ft.get("default"), what + ": default \"" + *def + "\" is not an option");
                return;
            }
            field.defaultChoice = *def;
        }
        break;
    }
    case FieldType::Multiple: {
        readOptions(r, ft, field, what);
        const auto n = static_cast<std::int64_t>(field.options.size());
        auto minSel = r.integer(ft, "min_selections", false, 0, std::max<std::int64_t>(n, 0), what);
        auto maxSel = r.integer(ft, "max_selections", false, 1, std::max<std::int64_t>(n, 1), what);
        if (!r.ok())
            return;
        if (minSel && maxSel && *minSel > *maxSel) {
            r.failAt(*ft.get("min_selections"),
                     what + ": min_selections is larger than max_selections");
            return;
        }
        field.minSelections = static_cast<std::size_t>(minSel.value_or(0));
        field.maxSelections = static_cast<std::size_t>(maxSel.value_or(0));
        break;
    }
    case FieldType::Text: {
        auto maxLength = r.integer(ft, "max_length", true, kMinTextLength, kMaxTextLength, what);
        auto multiline = r.boolean(ft, "multiline", false, what);
        if (r.ok()) {
            field.maxLength = static_cast<std::size_t>(*maxLength);
            field.multiline = multiline.value_or(false);
        }
        break;
    }
    case FieldType::Scale: {
        field.lowLabel = r.localized(ft, "low_label", false, what);
        field.highLabel = r.localized(ft, "high_label", false, what);
        break;
    }
    case FieldType::Picker: {
        auto listName = r.string(ft, "list", true, what);
        auto filterBy = r.string(ft, "filter_by", false, what);
        if (!r.ok())
            return;
        const NamedList* list = lists.find(*listName);
        if (!list) {
            r.failAt(*ft.get("list"),
                     what + ": no list named \"" + *listName + "\" in " + lists.file);
            return;
        }
        field.list = *listName;
        field.items = list->items;
        if (filterBy) {
            const Field* parent = form.find(*filterBy);
            const toml::node& at = *ft.get("filter_by");
            if (!parent) {
                r.failAt(at,
                         what + ": filter_by \"" + *filterBy + "\" is not a field before this one");
                return;
            }
            if (parent->type != FieldType::Single && parent->type != FieldType::Picker) {
                r.failAt(at, what + ": filter_by \"" + *filterBy +
                                 "\" must be a single or picker field");
                return;
            }
            for (const auto& item : list->items) {
                if (!parent->hasValue(item.parent)) {
                    r.failAt(at, what + ": list \"" + *listName + "\" item \"" + item.id +
                                     "\" has parent \"" + item.parent +
                                     "\", which is not a value of field \"" + *filterBy + "\"");
                    return;
                }
            }
            field.filterBy = *filterBy;
        }
        break;
    }
    case FieldType::Phone:
    case FieldType::Date:
    case FieldType::Time:
        break;
    }
}

std::span<const std::string_view> allowedFieldKeys(FieldType type) {
    // Each list repeats the common keys: id, type, label, help, required, show_if.
    static constexpr std::string_view kSingle[] = {"id",       "type",    "label",   "help",
                                                   "required", "show_if", "options", "default"};
    static constexpr std::string_view kMultiple[] = {"id",      "type",           "label",
                                                     "help",    "required",       "show_if",
                                                     "options", "min_selections", "max_selections"};
    static constexpr std::string_view kText[] = {"id",       "type",    "label",      "help",
                                                 "required", "show_if", "max_length", "multiline"};
    static constexpr std::string_view kScale[] = {"id",       "type",    "label",     "help",
                                                  "required", "show_if", "low_label", "high_label"};
    static constexpr std::string_view kPicker[] = {"id",       "type",    "label", "help",
                                                   "required", "show_if", "list",  "filter_by"};
    static constexpr std::string_view kPlain[] = {"id",   "type",     "label",
                                                  "help", "required", "show_if"};
    switch (type) {
    case FieldType::Single:
        return kSingle;
    case FieldType::Multiple:
        return kMultiple;
    case FieldType::Text:
        return kText;
    case FieldType::Scale:
        return kScale;
    case FieldType::Picker:
        return kPicker;
    case FieldType::Phone:
    case FieldType::Date:
    case FieldType::Time:
        break;
    }
    return kPlain;
}

} // namespace

Result<Form, ConfigError> parseForm(std::string_view text, std::string_view file,
                                    const ListSet& lists) {
    auto parsed = parseToml(text, file);
    if (!parsed)
        return fail(std::move(parsed.error()));
    const toml::table& root = parsed.value();
    TomlReader r{std::string(file)};
    Form form;
    form.file = std::string(file);

    r.checkKeys(root, {"id", "version", "kind", "title", "fields"}, "the form");
    auto id = r.string(root, "id", true, "the form");
    auto version = r.integer(root, "version", true, 1, INT32_MAX, "the form");
    auto kind = r.string(root, "kind", true, "the form");
    auto title = r.localized(root, "title", true, "the form");
    const toml::array* fields = r.array(root, "fields", true, "the form");
    if (!r.ok())
        return fail(r.takeError());
    // Form ids go into the envelope header, which allows [a-z0-9_-]{1,64}.
    if (id->empty() || id->size() > 64 ||
        id->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
        r.failAt(*root.get("id"), "the form id \"" + *id + "\" must be 1-64 of a-z, 0-9, _ and -");
    else if (*kind != "complaint" && *kind != "survey")
        r.failAt(*root.get("kind"), "kind \"" + *kind + "\" must be \"complaint\" or \"survey\"");
    else if (fields->empty())
        r.failAt(*fields, "the form has no fields");
    if (!r.ok())
        return fail(r.takeError());
    form.id = *id;
    form.version = *version;
    form.kind = *kind == "complaint" ? FormKind::Complaint : FormKind::Survey;
    form.title = *title;

    // All ids, to tell "refers to a later field" from "refers to no field" in messages.
    std::set<std::string, std::less<>> allIds;
    for (const toml::node& fn : *fields)
        if (const auto* t = fn.as_table(); t && t->get("id") && t->get("id")->is_string())
            allIds.insert(t->get("id")->as_string()->get());
    for (const toml::node& fn : *fields) {
        if (!fn.is_table()) {
            r.failAt(fn, "every field must be a table ([[fields]])");
            break;
        }
        const toml::table& ft = *fn.as_table();
        Field field;
        field.line = static_cast<int>(ft.source().begin.line);
        auto fid = r.identifier(ft, "id", true, "a field");
        const std::string what = "field \"" + fid.value_or("") + "\"";
        auto typeName = r.string(ft, "type", true, what);
        if (!r.ok())
            break;
        if (form.find(*fid)) {
            r.failAt(*ft.get("id"), "duplicate field id \"" + *fid + "\"");
            break;
        }
        auto type = fieldTypeFromName(*typeName);
        if (!type) {
            r.failAt(*ft.get("type"), what + ": unknown type \"" + *typeName +
                                          "\" (types: single, multiple, text, phone, date, time, "
                                          "scale, picker)");
            break;
        }
        field.id = *fid;
        field.type = *type;
        r.checkKeys(ft, allowedFieldKeys(*type), what + " (type " + *typeName + ")");
        if (auto label = r.localized(ft, "label", true, what))
            field.label = *label;
        field.help = r.localized(ft, "help", false, what);
        field.required = r.boolean(ft, "required", false, what).value_or(false);
        readCondition(r, ft, field, form, allIds, what);
        readTypeSpecific(r, ft, field, form, lists, what);
        if (!r.ok())
            break;
        form.fields.push_back(std::move(field));
    }
    if (!r.ok())
        return fail(r.takeError());

    const std::size_t worst = worstCasePayloadBytes(form);
    if (worst > kMaxPayloadBytes) {
        r.failAt(*fields, "the longest possible answers to this form take " +
                              std::to_string(worst) + " bytes, more than the " +
                              std::to_string(kMaxPayloadBytes) +
                              " a sealed submission can hold; lower some max_length values");
        return fail(r.takeError());
    }
    return form;
}

Result<Form, ConfigError> loadForm(const std::filesystem::path& path, const ListSet& lists) {
    auto text = readConfigFile(path);
    if (!text)
        return fail(std::move(text.error()));
    return parseForm(text.value(), path.string(), lists);
}

} // namespace minsheng::forms
