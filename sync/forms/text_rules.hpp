// The formats free-typed answers must have. Shared by the validator and, later, by the screens
// (to grey out the "next" button while a phone number is incomplete), so both agree exactly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace minsheng::forms {

enum class TextProblem {
    None,
    InvalidUtf8,      // not well-formed UTF-8 (overlong forms, surrogates and > U+10FFFF too)
    ControlCharacter, // U+0000-U+001F (except U+000A in multi-line text), U+007F, U+0080-U+009F
};

struct TextCheck {
    TextProblem problem = TextProblem::None;
    std::size_t codePoints = 0; // counted up to the first problem
};

/// Validates UTF-8 and counts code points. Newline is allowed only when `multiline`; carriage
/// return and tab never are (the on-screen keyboard produces neither, so their presence means
/// the text did not come from the keyboard and would only complicate the payload).
TextCheck checkText(std::string_view utf8, bool multiline);

/// A Chinese character as read-aloud counts them: CJK Unified Ideographs (with extensions),
/// compatibility ideographs and 〇.
bool isHanCharacter(char32_t cp);
/// The number of Chinese characters in well-formed UTF-8 `text`.
std::size_t hanCharacterCount(std::string_view utf8);
/// A pinned reading: space-separated syllables, each lower-case letters ("v" for ü) and a tone
/// number 1-5 (5 = neutral), with exactly one syllable per Chinese character of `text`. Returns
/// an explanation when it is not, or an empty string.
std::string checkPinnedReading(std::string_view text, std::string_view reading);

/// Mainland mobile: 11 digits starting with 1 ("13800138000"). Landline: area code of 3-4 digits
/// starting with 0, a hyphen, 7-8 digits ("0571-12345678", "010-1234567").
bool isValidPhone(std::string_view s);

/// YYYY-MM-DD, a real calendar date (2026-02-30 is rejected), year 1900..2199.
bool isValidDate(std::string_view s);

/// HH:MM, 24-hour, 00:00..23:59.
bool isValidTime(std::string_view s);

} // namespace minsheng::forms
