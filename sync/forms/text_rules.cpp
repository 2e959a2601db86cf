#include "sync/forms/text_rules.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace minsheng::forms {

namespace {

bool allDigits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return !s.empty();
}

int number(std::string_view digits) {
    int v = 0;
    for (char c : digits)
        v = v * 10 + (c - '0');
    return v;
}

} // namespace

bool isHanCharacter(char32_t cp) {
    return (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF) || cp == U'〇';
}

std::size_t hanCharacterCount(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<std::uint8_t>(s[i]);
        const std::size_t len = b0 < 0x80    ? 1
                                : b0 >= 0xF0 ? 4
                                : b0 >= 0xE0 ? 3
                                : b0 >= 0xC0 ? 2
                                             : 1;
        char32_t cp = len == 1 ? b0 : b0 & (0x7F >> len);
        for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
            cp = (cp << 6) | (static_cast<std::uint8_t>(s[i + k]) & 0x3F);
        n += isHanCharacter(cp) ? 1 : 0;
        i += len;
    }
    return n;
}

std::string checkPinnedReading(std::string_view text, std::string_view reading) {
    std::size_t syllables = 0;
    std::size_t at = 0;
    while (at < reading.size()) {
        const std::size_t end = std::min(reading.find(' ', at), reading.size());
        const std::string_view s = reading.substr(at, end - at);
        at = end + 1;
        if (s.empty())
            continue;
        bool letters = s.size() >= 2;
        for (std::size_t k = 0; k + 1 < s.size(); ++k)
            letters = letters && s[k] >= 'a' && s[k] <= 'z';
        if (!letters || s.back() < '1' || s.back() > '5') {
            return "\"" + std::string(s) +
                   "\" is not a syllable: lower-case pinyin (v for ü) and a tone number 1-5";
        }
        ++syllables;
    }
    const std::size_t characters = hanCharacterCount(text);
    if (syllables != characters) {
        return std::to_string(syllables) + " syllables for " + std::to_string(characters) +
               " Chinese characters; give one syllable per character";
    }
    return {};
}

TextCheck checkText(std::string_view s, bool multiline) {
    TextCheck result;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<std::uint8_t>(s[i]);
        std::uint32_t cp = 0;
        std::size_t len = 0;
        if (b0 < 0x80) {
            cp = b0;
            len = 1;
        } else if (b0 >= 0xC2 && b0 <= 0xDF) {
            cp = b0 & 0x1F;
            len = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            cp = b0 & 0x0F;
            len = 3;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            cp = b0 & 0x07;
            len = 4;
        } else {
            result.problem = TextProblem::InvalidUtf8; // continuation byte, C0/C1, F5..FF
            return result;
        }
        if (i + len > s.size()) {
            result.problem = TextProblem::InvalidUtf8;
            return result;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<std::uint8_t>(s[i + k]);
            if ((b & 0xC0) != 0x80) {
                result.problem = TextProblem::InvalidUtf8;
                return result;
            }
            cp = (cp << 6) | (b & 0x3F);
        }
        // Overlong encodings, UTF-16 surrogates and code points past U+10FFFF.
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            result.problem = TextProblem::InvalidUtf8;
            return result;
        }
        const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
        if (control && !(multiline && cp == '\n')) {
            result.problem = TextProblem::ControlCharacter;
            return result;
        }
        ++result.codePoints;
        i += len;
    }
    return result;
}

bool isValidPhone(std::string_view s) {
    if (s.size() == 11 && s[0] == '1' && allDigits(s))
        return true;
    const auto dash = s.find('-');
    if (dash == std::string_view::npos)
        return false;
    const auto area = s.substr(0, dash);
    const auto local = s.substr(dash + 1);
    return (area.size() == 3 || area.size() == 4) && area[0] == '0' && allDigits(area) &&
           (local.size() == 7 || local.size() == 8) && allDigits(local);
}

bool isValidDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !allDigits(s.substr(0, 4)) ||
        !allDigits(s.substr(5, 2)) || !allDigits(s.substr(8, 2)))
        return false;
    const int y = number(s.substr(0, 4));
    if (y < 1900 || y > 2199)
        return false;
    const std::chrono::year_month_day ymd{
        std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(number(s.substr(5, 2)))},
        std::chrono::day{static_cast<unsigned>(number(s.substr(8, 2)))}};
    return ymd.ok();
}

bool isValidTime(std::string_view s) {
    if (s.size() != 5 || s[2] != ':' || !allDigits(s.substr(0, 2)) || !allDigits(s.substr(3, 2)))
        return false;
    return number(s.substr(0, 2)) < 24 && number(s.substr(3, 2)) < 60;
}

} // namespace minsheng::forms
