// Forms described for people and programs, and example answers.
//
// describeForm() is what `minsheng-kiosk forms --json` prints: test scripts and the automation
// interface use it to learn field ids, types, options and conditions without parsing TOML.
// exampleAnswers() gives a valid answer set for any loaded form, for smoke tests and for showing
// an operator what a submission looks like.
#pragma once

#include "sync/forms/form.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace minsheng::forms {

/// {"id","version","kind","title":{"zh-CN","en"},"fields":[{"id","type","label","required",
///  "help"?,"show_if"?:{"field","in"},"options"?:[{"id","label","description"?,"icon"?}],
///  "default"?,"min_selections"?,"max_selections"?,"max_length"?,"multiline"?,"low_label"?,
///  "high_label"?,"list"?,"filter_by"?,"items"?:[{"id","label","parent"?}]}]}
/// Keys marked ? appear only when the field type has them and they are set.
nlohmann::json describeForm(const Form& form);

/// A plain-text listing in `locale` ("zh-CN" or "en"): one block per field with its id, type,
/// label, whether required, its condition and its options.
std::string describeFormText(const Form& form, std::string_view locale);

/// A valid answers object for `form` (validateAnswers accepts it after parseAnswersJson):
/// walks the fields in order and answers every field that is shown by then: the default or
/// first option of single fields (so the first complaint category, with all its conditional
/// fields, and anonymous = yes), the first choices of multiple fields, the first item of a picker
/// that fits its filter, sample text cut to max_length, a sample phone, date and time, and 4 on
/// scales. `lists` is accepted for symmetry with loadForm; pickers use the form's own copy.
nlohmann::json exampleAnswers(const Form& form, const ListSet& lists);

} // namespace minsheng::forms
