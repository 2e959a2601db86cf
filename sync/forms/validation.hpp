// Checking answers against a form, and reading answers from JSON.
//
// validateAnswers() is the one place that decides whether a submission is acceptable; the
// screens, the automation interface and the payload builder all go through it. Rules, per field
// in form order:
//   - A field is shown when it has no show_if, or when the field its condition names is shown
//     and answered with one of the listed values (any of them, for a multiple field).
//   - An empty text or an empty list of choices is the same as no answer.
//   - A hidden field must have no answer (NotShown): answers to questions the parent was never
//     asked must not reach the county, e.g. after changing the category.
//   - A shown, required field must have an answer (Required).
//   - The answer's kind must match the field type (WrongType); then the type's own rules apply:
//     option ids (NotAnOption), picker filter (NotAnOption), selection counts (TooFew/TooMany),
//     length in code points (TooLong), UTF-8 and control characters, phone, date and time
//     syntax (BadFormat), scale 1..5 (OutOfRange).
//   - Answers to ids that are not fields of the form are Unknown.
#pragma once

#include "crypto/result.hpp"
#include "sync/forms/answers.hpp"
#include "sync/forms/form.hpp"
#include "sync/forms/localized_text.hpp"

#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::forms {

enum class FieldErrorCode {
    BadJson,     // the answers document is not a JSON object (field is "")
    Unknown,     // no such field in the form
    WrongType,   // e.g. a list for a single choice, a string for a scale
    Required,    // shown, required and not answered
    TooLong,     // text longer than max_length code points
    NotAnOption, // not one of the field's options / list items (or not under the filter's value)
    NotShown,    // answered although its condition is false
    BadFormat,   // phone/date/time syntax, invalid UTF-8, a control character, a repeated choice
    OutOfRange,  // scale outside 1..5
    TooFew,      // fewer selections than min_selections
    TooMany,     // more selections than max_selections
};
std::string_view fieldErrorCodeName(FieldErrorCode code); // "bad-json", "unknown", ...

struct FieldError {
    std::string field; // field id; "" for errors about the whole document
    FieldErrorCode code = FieldErrorCode::BadJson;
    LocalizedText message; // names the field by its label; never quotes the answer itself
};

/// Which fields are shown for these answers, indexed like form.fields.
std::vector<bool> visibleFields(const Form& form, const Answers& answers);
bool isFieldVisible(const Form& form, const Answers& answers, std::string_view fieldId);

/// Every problem, unknown ids first, then fields in form order (at most one error per field).
/// Empty when the answers can be submitted.
std::vector<FieldError> validateAnswers(const Form& form, const Answers& answers);

/// Reads `{ "field_id": value, ... }` where value is a string (single, picker, text, phone, date,
/// time), an array of strings (multiple), an integer (scale) or null (no answer). Checks only
/// the shape: unknown ids and value types that do not fit the field; call validateAnswers() for
/// the rest. Malformed JSON gives one FieldError with field "" and the parser's position.
/// The answers allocate from `resource`. (The JSON parser's own temporary strings are on the
/// ordinary heap; the string values of the parsed document are wiped before it is freed.)
Result<Answers, std::vector<FieldError>> parseAnswersJson(const Form& form, std::string_view json,
                                                          std::pmr::memory_resource* resource);

} // namespace minsheng::forms
