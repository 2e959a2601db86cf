// LocalizedText: every string a parent sees, in Simplified Chinese first and English second.
//
// Forms, lists and validation messages all carry both locales; a configuration file that leaves
// one out is rejected when it is loaded, so the screen never has to guess a fallback.
#pragma once

#include <string>
#include <string_view>

namespace minsheng::forms {

/// The locales the kiosk ships. Locale names are the BCP 47 tags used in configuration files.
inline constexpr std::string_view kLocaleZh = "zh-CN";
inline constexpr std::string_view kLocaleEn = "en";

inline bool isSupportedLocale(std::string_view locale) {
    return locale == kLocaleZh || locale == kLocaleEn;
}

struct LocalizedText {
    std::string zh; // "zh-CN"
    std::string en; // "en"
    /// Optional `reading = "..."`: how read-aloud must say `zh`, tone-numbered pinyin with one
    /// syllable per Chinese character ("nin2 yao4 ..."); empty when the computed reading is used.
    /// The loader checks the syllables' form and count (text_rules.hpp).
    std::string zhReading = {};

    /// The text for `locale`; anything other than "en" gets Chinese, the kiosk's first language.
    const std::string& get(std::string_view locale) const { return locale == kLocaleEn ? en : zh; }

    bool operator==(const LocalizedText&) const = default;
};

} // namespace minsheng::forms
