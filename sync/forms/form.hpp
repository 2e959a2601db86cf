// Form definitions: the complaint and survey forms a parent fills in, and the named lists
// (schools, districts, townships, communities) that picker fields choose from.
//
// Forms are data, not code: regions word their rules differently and survey questions change
// every term, so both live in TOML files (docs/forms.md is the reference for the format). The
// loaders here check everything a typo could break before the kiosk shows a single screen:
//
//   1. Every table has only the keys the format defines (a misspelt "requried" is an error, not
//      a silently optional field).
//   2. Ids are unique: field ids within a form, option ids within a field, item ids within a list.
//   3. Every label, help, description and title has both "zh-CN" and "en", non-empty.
//   4. A `show_if` condition refers to an earlier choice field and only to values that field
//      can take, so the order of the screens always answers the condition before it is needed.
//   5. A picker names a list that exists; a `filter_by` picker's items all have a parent that is
//      one of the filter field's values.
//   6. The worst-case canonical payload of the form (every field answered at its longest) fits in
//      kMaxPayloadBytes, so no parent can ever type an answer that cannot be sealed.
// A Form that loaded is therefore safe for the validator, the screens and the payload builder to
// use without re-checking any of this.
#pragma once

#include "crypto/result.hpp"
#include "sync/forms/config_error.hpp"
#include "sync/forms/localized_text.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::forms {

/// Largest canonical payload the envelope can seal: one byte less than the largest padding
/// bucket (the same value as crypto::kMaxPayloadBytes in crypto/envelope.hpp).
inline constexpr std::size_t kMaxPayloadBytes = (1u << 20) - 1;
/// Bounds for a text field's max_length, in Unicode code points.
inline constexpr std::size_t kMinTextLength = 1;
inline constexpr std::size_t kMaxTextLength = 20000;
/// A scale is always five points: 1 (worst, the sad face) .. 5 (best, the happy face).
inline constexpr int kScaleMin = 1;
inline constexpr int kScaleMax = 5;

enum class FormKind { Complaint, Survey };
std::string_view formKindName(FormKind kind); // "complaint" | "survey"

enum class FieldType { Single, Multiple, Text, Phone, Date, Time, Scale, Picker };
std::string_view fieldTypeName(FieldType type); // "single", "multiple", ...
std::optional<FieldType> fieldTypeFromName(std::string_view name);

/// A choice of a single or multiple field.
struct Option {
    std::string id; // [a-z0-9_]+, unique within the field
    LocalizedText label;
    std::optional<LocalizedText> description; // a longer explanation shown under the label
    std::string icon;                         // icon name for the UI; empty for none
};

/// One entry of a named list (a school, a district, ...).
struct ListItem {
    std::string id; // [a-z0-9_]+, unique within the list
    LocalizedText label;
    std::string parent; // id of the item this one belongs to (a township's district); may be empty
};

struct NamedList {
    std::string name; // [a-z0-9_]+
    LocalizedText title;
    std::vector<ListItem> items;

    const ListItem* find(std::string_view id) const;
};

/// The lists file: every list a picker may name.
struct ListSet {
    std::string file; // where it was loaded from, for messages
    std::optional<LocalizedText> description;
    std::map<std::string, NamedList, std::less<>> lists;

    const NamedList* find(std::string_view name) const;
};

/// `show_if = { field = "category", in = ["a", "b"] }`: the field is shown only when the earlier
/// field `field` is shown and its answer is one of `in` (for a multiple field: any selected
/// choice is one of `in`).
struct Condition {
    std::string field;
    std::vector<std::string> in;
};

struct Field {
    std::string id; // [a-z0-9_]+, unique within the form
    FieldType type = FieldType::Text;
    LocalizedText label;
    std::optional<LocalizedText> help;
    bool required = false; // only while the field is shown
    std::optional<Condition> showIf;
    int line = 0; // where the field starts in its file, for messages about it

    // single, multiple
    std::vector<Option> options;
    std::string defaultChoice; // single only: preselected option id; empty for none
    // multiple
    std::size_t minSelections = 0; // 0: no minimum beyond `required`
    std::size_t maxSelections = 0; // 0: no maximum beyond the number of options
    // text
    std::size_t maxLength = 0; // in code points
    bool multiline = false;
    // scale
    std::optional<LocalizedText> lowLabel;  // label under 1
    std::optional<LocalizedText> highLabel; // label under 5
    // picker: a copy of the named list, so the form is self-contained for validation
    std::string list;
    std::string filterBy; // id of an earlier single/picker field; empty when unfiltered
    std::vector<ListItem> items;

    bool isChoice() const {
        return type == FieldType::Single || type == FieldType::Multiple ||
               type == FieldType::Picker;
    }
    const Option* findOption(std::string_view optionId) const;
    const ListItem* findItem(std::string_view itemId) const;
    /// True when `value` is something this field can ever take (option id or list item id).
    bool hasValue(std::string_view value) const;
    /// Position of option `optionId` in `options`, or options.size() when absent.
    std::size_t optionIndex(std::string_view optionId) const;
};

struct Form {
    std::string file; // where it was loaded from, for messages
    std::string id;   // [a-z0-9_-]{1,64}: goes into the envelope header
    std::int64_t version = 0;
    FormKind kind = FormKind::Complaint;
    LocalizedText title;
    std::vector<Field> fields; // in screen order

    const Field* find(std::string_view fieldId) const;
    /// Index of the field in `fields`, or fields.size() when absent.
    std::size_t indexOf(std::string_view fieldId) const;
};

/// Loads the lists file. See the invariants at the top of this file.
Result<ListSet, ConfigError> loadLists(const std::filesystem::path& path);
/// Parses lists from text; `file` is only used in error messages.
Result<ListSet, ConfigError> parseLists(std::string_view toml, std::string_view file);

/// Loads one form; picker fields are resolved against `lists`.
Result<Form, ConfigError> loadForm(const std::filesystem::path& path, const ListSet& lists);
/// Parses a form from text; `file` is only used in error messages.
Result<Form, ConfigError> parseForm(std::string_view toml, std::string_view file,
                                    const ListSet& lists);

/// Upper bound, in bytes, of the canonical payload (canonical_payload.hpp) for any valid answers
/// to `form` with a form id, version and locale of the given shape. Used by the loader's
/// invariant 6 and by tests.
std::size_t worstCasePayloadBytes(const Form& form);

} // namespace minsheng::forms
