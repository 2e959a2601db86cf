// PinyinReading: Chinese text → tone-numbered pinyin ("我要反映问题" → "wo3 yao4 fan3 ying4 wen4
// ti2"), the input of espeak-ng's cmn-latn-pinyin voice (read_aloud.hpp says why not `cmn`).
//
// Source: terra_pinyin.dict.yaml (Debian's rime-data-terra-pinyin, CC BY-SA 3.0), read at load
// time. Its format, after the YAML header that ends with a line "...":
//
//     TEXT<TAB>READING[<TAB>WEIGHT]        # comments and blank lines are skipped
//
// TEXT is one character or a phrase (up to 7); READING is space-separated syllables with tone
// numbers 1-5 (5 = neutral); WEIGHT is "90%" among the readings of one character, or absent.
// terra_pinyin is a traditional-character table that lists a phrase only where it decides a
// reading (行 hang2 in 銀行), and files many characters' full readings under the traditional
// form only (長 chang2 90% / zhang3 10%, while 长 has just zhang3). So the loader folds every
// traditional entry onto its simplified form with kiosk/core/data/t2s_chars.txt (OpenCC t2s,
// built into the program; scripts/gen-t2s-chars.py):
//   1. A character's reading is the best-weighted reading of its traditional variants (長 for
//      长, 還 for 还) if it has any, else of its own entries; an entry without a weight counts as
//      100% / (number of readings of that character); ties go to the first in the file.
//   2. Phrases are keyed by their simplified form; of several readings of one phrase the
//      best-weighted wins, ties to the first (意度 lists yi4 du4, then yi4 duo4). A winner that
//      equals its characters' own readings is not stored (it decides nothing).
//   3. Conversion takes the longest phrase that matches at each position (forward maximum
//      matching), else the character's reading.
// Digits are read as Chinese numerals: up to 4 digits as a quantity (12 → shi2 er4, 305 → san1
// bai3 ling2 wu3); 5 or more, or a leading 0, digit by digit (phone numbers, codes). Chinese and
// ASCII punctuation become ",", ".", "?" or "!" so the synthesiser pauses; Latin words and
// characters the table does not know are left out (the voice would read Latin letters as pinyin).
#pragma once

#include "crypto/result.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

namespace minsheng::kiosk {

/// Debian's rime-data-terra-pinyin.
inline constexpr const char* kDefaultPinyinDictionary =
    "/usr/share/rime-data/terra_pinyin.dict.yaml";

struct PinyinError {
    std::string message; // names the file
};

class PinyinReading {
public:
    [[nodiscard]] static Result<PinyinReading, PinyinError> load(const std::filesystem::path& dict);
    /// Parses dictionary text as if read from a file (tests).
    [[nodiscard]] static Result<PinyinReading, PinyinError> parse(std::string_view text,
                                                                  std::string_view name);

    /// Tone-numbered pinyin for `text`, syllables separated by one space, pauses as ", " etc.
    std::string toPinyin(std::string_view text) const;
    /// The reading of one character ("" when unknown).
    std::string_view readingOf(char32_t cp) const;

    std::size_t characterCount() const { return m_chars.size(); }
    std::size_t phraseCount() const { return m_phrases.size(); }

private:
    std::unordered_map<char32_t, std::string> m_chars;
    std::unordered_map<std::string, std::string> m_phrases; // simplified UTF-8 → syllables
    std::size_t m_maxPhrase = 1;                            // code points
};

/// Tone-numbered pinyin of a number written in digits ("12" → "shi2 er4"); see above.
std::string numberToPinyin(std::string_view digits);

} // namespace minsheng::kiosk
