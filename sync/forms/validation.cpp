#include "sync/forms/validation.hpp"
#include "sync/forms/text_rules.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>

namespace minsheng::forms {

std::string_view fieldErrorCodeName(FieldErrorCode code) {
    switch (code) {
    case FieldErrorCode::BadJson:
        return "bad-json";
    case FieldErrorCode::Unknown:
        return "unknown";
    case FieldErrorCode::WrongType:
        return "wrong-type";
    case FieldErrorCode::Required:
        return "required";
    case FieldErrorCode::TooLong:
        return "too-long";
    case FieldErrorCode::NotAnOption:
        return "not-an-option";
    case FieldErrorCode::NotShown:
        return "not-shown";
    case FieldErrorCode::BadFormat:
        return "bad-format";
    case FieldErrorCode::OutOfRange:
        return "out-of-range";
    case FieldErrorCode::TooFew:
        return "too-few";
    case FieldErrorCode::TooMany:
        return "too-many";
    }
    return "?";
}

namespace {

/// “label” in Chinese quotation marks, "label" in English ones.
FieldError error(const Field& f, FieldErrorCode code, const std::string& zhBody,
                 const std::string& enBody) {
    return FieldError{
        f.id, code,
        LocalizedText{"“" + f.label.zh + "”" + zhBody, "\"" + f.label.en + "\" " + enBody}};
}

std::string_view expectedKindText(FieldType t) {
    switch (t) {
    case FieldType::Single:
    case FieldType::Picker:
        return "one choice id (a string)";
    case FieldType::Multiple:
        return "a list of choice ids";
    case FieldType::Scale:
        return "an integer from 1 to 5";
    default:
        return "a string";
    }
}

AnswerKind expectedKind(FieldType t) {
    switch (t) {
    case FieldType::Single:
    case FieldType::Picker:
        return AnswerKind::Choice;
    case FieldType::Multiple:
        return AnswerKind::Choices;
    case FieldType::Scale:
        return AnswerKind::Integer;
    default:
        return AnswerKind::Text;
    }
}

bool answered(const Answer* a) {
    return a && !a->isEmpty();
}

/// Does answer `a` to field `ref` satisfy a condition listing `values`?
bool matches(const Field& ref, const Answer& a, const std::vector<std::string>& values) {
    auto listed = [&](std::string_view v) {
        return std::find(values.begin(), values.end(), v) != values.end();
    };
    if (a.kind() != expectedKind(ref.type))
        return false;
    if (a.kind() == AnswerKind::Choices) {
        return std::any_of(
            a.choices().begin(), a.choices().end(), [&](const auto& c) { return listed(c); });
    }
    return listed(a.text());
}

std::optional<FieldError> checkText(const Field& f, std::string_view text) {
    const bool multiline = f.type == FieldType::Text && f.multiline;
    const TextCheck check = forms::checkText(text, multiline);
    if (check.problem == TextProblem::InvalidUtf8) {
        return error(f, FieldErrorCode::BadFormat, "里有无法识别的字符，请删掉后重新输入。",
                     "contains bytes that are not valid UTF-8 text.");
    }
    if (check.problem == TextProblem::ControlCharacter) {
        return error(f, FieldErrorCode::BadFormat,
                     multiline ? "里有不能使用的特殊控制字符（只允许换行）。"
                               : "里有不能使用的特殊控制字符（不能换行）。",
                     multiline ? "contains a control character (only line breaks are allowed)."
                               : "contains a control character (line breaks are not allowed "
                                 "here).");
    }
    switch (f.type) {
    case FieldType::Text:
        if (check.codePoints > f.maxLength) {
            return error(f, FieldErrorCode::TooLong,
                         "最多可以写 " + std::to_string(f.maxLength) + " 个字，现在有 " +
                             std::to_string(check.codePoints) + " 个字。",
                         "allows at most " + std::to_string(f.maxLength) +
                             " characters; this answer has " + std::to_string(check.codePoints) +
                             ".");
        }
        break;
    case FieldType::Phone:
        if (!isValidPhone(text)) {
            return error(f, FieldErrorCode::BadFormat,
                         "的号码格式不对：手机号是以 1 开头的 11 位数字，座机号请写成“区号-号码”，"
                         "如 0571-12345678。",
                         "is not a valid phone number: a mobile number has 11 digits starting "
                         "with 1; a landline is written area code-number, e.g. 0571-12345678.");
        }
        break;
    case FieldType::Date:
        if (!isValidDate(text)) {
            return error(f, FieldErrorCode::BadFormat,
                         "的日期不对：请写成“年-月-日”，如 2026-03-01，并且必须是日历上有的日子。",
                         "is not a valid date: write year-month-day, e.g. 2026-03-01, and it "
                         "must exist in the calendar.");
        }
        break;
    case FieldType::Time:
        if (!isValidTime(text)) {
            return error(f, FieldErrorCode::BadFormat,
                         "的时间不对：请写成“时:分”（24小时制），如 19:30。",
                         "is not a valid time: write hours:minutes on a 24-hour clock, e.g. "
                         "19:30.");
        }
        break;
    default:
        break;
    }
    return std::nullopt;
}

std::optional<FieldError> checkField(const Form& form, const Field& f, const Answer& a,
                                     const Answers& answers, const std::vector<bool>& visible) {
    if (a.kind() != expectedKind(f.type)) {
        return error(f, FieldErrorCode::WrongType, "的答案类型不对。",
                     "needs " + std::string(expectedKindText(f.type)) + ", not " +
                         std::string(answerKindName(a.kind())) + ".");
    }
    const auto notAnOption = [&] {
        return error(f, FieldErrorCode::NotAnOption, "的选择不在可选范围内，请重新选择。",
                     "has a choice that is not one of its options; please choose again.");
    };
    switch (f.type) {
    case FieldType::Single:
        if (!f.findOption(a.text()))
            return notAnOption();
        break;
    case FieldType::Picker: {
        const ListItem* item = f.findItem(a.text());
        if (!item)
            return notAnOption();
        if (!f.filterBy.empty()) {
            const std::size_t pi = form.indexOf(f.filterBy);
            const Field& parent = form.fields[pi];
            const Answer* pa = answers.get(f.filterBy);
            if (!visible[pi] || !answered(pa) || pa->kind() != AnswerKind::Choice) {
                return error(f, FieldErrorCode::NotAnOption,
                             "：请先选择“" + parent.label.zh + "”。",
                             "depends on \"" + parent.label.en + "\"; please answer that first.");
            }
            if (item->parent != pa->text()) {
                return error(f, FieldErrorCode::NotAnOption,
                             "的选择不属于所选的“" + parent.label.zh + "”，请重新选择。",
                             "has a choice that does not belong to the chosen \"" +
                                 parent.label.en + "\"; please choose again.");
            }
        }
        break;
    }
    case FieldType::Multiple: {
        const auto& cs = a.choices();
        for (std::size_t i = 0; i < cs.size(); ++i) {
            if (!f.findOption(cs[i]))
                return notAnOption();
            if (std::find(cs.begin(), cs.begin() + static_cast<std::ptrdiff_t>(i), cs[i]) !=
                cs.begin() + static_cast<std::ptrdiff_t>(i)) {
                return error(f, FieldErrorCode::BadFormat, "中同一项被选了两次。",
                             "has the same choice twice.");
            }
        }
        if (f.minSelections > 0 && cs.size() < f.minSelections) {
            return error(f, FieldErrorCode::TooFew,
                         "至少要选 " + std::to_string(f.minSelections) + " 项。",
                         "needs at least " + std::to_string(f.minSelections) + " choices.");
        }
        if (f.maxSelections > 0 && cs.size() > f.maxSelections) {
            return error(f, FieldErrorCode::TooMany,
                         "最多只能选 " + std::to_string(f.maxSelections) + " 项。",
                         "allows at most " + std::to_string(f.maxSelections) + " choices.");
        }
        break;
    }
    case FieldType::Scale:
        if (a.integer() < kScaleMin || a.integer() > kScaleMax) {
            return error(f, FieldErrorCode::OutOfRange, "请在 1 到 5 之间选择。",
                         "must be between 1 and 5.");
        }
        break;
    case FieldType::Text:
    case FieldType::Phone:
    case FieldType::Date:
    case FieldType::Time:
        return checkText(f, a.text());
    }
    return std::nullopt;
}

} // namespace

std::vector<bool> visibleFields(const Form& form, const Answers& answers) {
    std::vector<bool> visible(form.fields.size(), false);
    for (std::size_t i = 0; i < form.fields.size(); ++i) {
        const Field& f = form.fields[i];
        if (!f.showIf) {
            visible[i] = true;
            continue;
        }
        // The loader guarantees the condition names an earlier field, so its visibility is
        // already known.
        const std::size_t ri = form.indexOf(f.showIf->field);
        const Answer* a = answers.get(f.showIf->field);
        visible[i] = ri < i && visible[ri] && a && matches(form.fields[ri], *a, f.showIf->in);
    }
    return visible;
}

bool isFieldVisible(const Form& form, const Answers& answers, std::string_view fieldId) {
    const std::size_t i = form.indexOf(fieldId);
    return i < form.fields.size() && visibleFields(form, answers)[i];
}

std::vector<FieldError> validateAnswers(const Form& form, const Answers& answers) {
    std::vector<FieldError> errors;
    for (const auto& [id, answer] : answers) {
        if (!form.find(id)) {
            const std::string name(id);
            errors.push_back(FieldError{name, FieldErrorCode::Unknown,
                                        LocalizedText{"表单中没有“" + name + "”这一项。",
                                                      "The form has no field \"" + name + "\"."}});
        }
    }
    const std::vector<bool> visible = visibleFields(form, answers);
    for (std::size_t i = 0; i < form.fields.size(); ++i) {
        const Field& f = form.fields[i];
        const Answer* a = answers.get(f.id);
        if (!visible[i]) {
            if (answered(a)) {
                errors.push_back(error(f, FieldErrorCode::NotShown,
                                       "这一项与前面的选择无关，不应填写。",
                                       "does not apply to the answers given before it and must "
                                       "be left empty."));
            }
            continue;
        }
        if (!answered(a)) {
            if (f.required) {
                errors.push_back(
                    error(f, FieldErrorCode::Required, "必须填写。", "must be answered."));
            }
            continue;
        }
        if (auto e = checkField(form, f, *a, answers, visible))
            errors.push_back(std::move(*e));
    }
    return errors;
}

namespace {

/// Overwrites every string in a parsed document before it is freed; the parser's own buffers
/// are beyond reach, but the document is the copy that lives longest.
void wipeStrings(nlohmann::json& j) {
    if (j.is_string()) {
        auto& s = j.get_ref<std::string&>();
        sodium_memzero(s.data(), s.size());
    } else if (j.is_structured()) {
        for (auto& v : j)
            wipeStrings(v);
    }
}

struct WipeOnExit {
    nlohmann::json& j;
    ~WipeOnExit() { wipeStrings(j); }
};

} // namespace

Result<Answers, std::vector<FieldError>> parseAnswersJson(const Form& form, std::string_view json,
                                                          std::pmr::memory_resource* resource) {
    nlohmann::json doc;
    WipeOnExit wipe{doc};
    try {
        doc = nlohmann::json::parse(json.begin(), json.end());
    } catch (const nlohmann::json::parse_error& e) {
        // The byte position, not nlohmann's message: that quotes the offending bytes, which need
        // not be UTF-8 and would make this message unprintable as JSON.
        std::size_t line = 1;
        std::size_t column = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < json.size(); ++i) {
            if (json[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        const std::string l = std::to_string(line);
        const std::string c = std::to_string(column);
        return fail(std::vector<FieldError>{FieldError{
            "", FieldErrorCode::BadJson,
            LocalizedText{"答案不是有效的 JSON：第 " + l + " 行第 " + c + " 列有语法错误。",
                          "The answers are not valid JSON: syntax error at line " + l +
                              ", column " + c + "."}}});
    } catch (const nlohmann::json::exception&) {
        // out_of_range.406: a number that does not fit a double, such as 1e999.
        return fail(std::vector<FieldError>{
            FieldError{"", FieldErrorCode::BadJson,
                       LocalizedText{"答案里有一个超出范围的数字。",
                                     "The answers contain a number out of range."}}});
    }
    if (!doc.is_object()) {
        return fail(std::vector<FieldError>{
            FieldError{"", FieldErrorCode::BadJson,
                       LocalizedText{"答案必须是一个 JSON 对象 { \"字段\": 答案 }。",
                                     "The answers must be a JSON object { \"field\": answer }."}}});
    }

    Answers answers(resource);
    std::vector<FieldError> errors;
    for (auto& [key, value] : doc.items()) {
        const Field* f = form.find(key);
        if (!f) {
            errors.push_back(FieldError{key, FieldErrorCode::Unknown,
                                        LocalizedText{"表单中没有“" + key + "”这一项。",
                                                      "The form has no field \"" + key + "\"."}});
            continue;
        }
        if (value.is_null())
            continue;
        const auto wrongType = [&] {
            errors.push_back(error(*f, FieldErrorCode::WrongType, "的答案类型不对。",
                                   "needs " + std::string(expectedKindText(f->type)) + "."));
        };
        switch (expectedKind(f->type)) {
        case AnswerKind::Choice:
            if (!value.is_string()) {
                wrongType();
                break;
            }
            answers.setChoice(key, value.get_ref<const std::string&>());
            break;
        case AnswerKind::Text:
            if (!value.is_string()) {
                wrongType();
                break;
            }
            answers.setText(key, value.get_ref<const std::string&>());
            break;
        case AnswerKind::Integer:
            if (!value.is_number_integer()) {
                wrongType();
                break;
            }
            if (value.is_number_unsigned() &&
                value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
                errors.push_back(error(*f, FieldErrorCode::OutOfRange, "请在 1 到 5 之间选择。",
                                       "must be between 1 and 5."));
                break;
            }
            answers.setInteger(key, value.get<std::int64_t>());
            break;
        case AnswerKind::Choices: {
            if (!value.is_array() || !std::all_of(value.begin(), value.end(),
                                                  [](const auto& v) { return v.is_string(); })) {
                wrongType();
                break;
            }
            std::vector<std::string_view> ids;
            for (const auto& v : value)
                ids.push_back(v.template get_ref<const std::string&>());
            answers.setChoices(key, ids);
            break;
        }
        }
    }
    if (!errors.empty())
        return fail(std::move(errors));
    return answers;
}

} // namespace minsheng::forms
