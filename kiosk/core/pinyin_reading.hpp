// PinyinReading: Chinese text → tone-numbered pinyin ("我要反映问题" → "wo3 yao4 fan3 ying4 wen4
// ti2"), the input of espeak-ng's cmn-latn-pinyin voice (read_aloud.hpp says why not `cmn`).
//
// Sources, all mainland (普通话审音表) readings except where rule 3 filters:
//   1. Characters: Unihan's kMandarin, first value (the customary zh-Hans reading), and the set
//      of every kXHC1983 reading (现代汉语词典), built into the program from
//      kiosk/core/data/mandarin_chars.txt (scripts/gen-mandarin-chars.py, Debian unicode-data).
//   2. The project's own list, kiosk/core/data/mandarin_phrases.txt (built in): polyphones in
//      words (银行 yin2 hang2), neutral tones (什么 shen2 me5) and single-character overrides of
//      rule 1 (地 di4). It wins over everything else.
//   3. terra_pinyin.dict.yaml (Debian's rime-data-terra-pinyin, CC BY-SA 3.0), read at load
//      time: its phrases, folded onto simplified text with kiosk/core/data/t2s_chars.txt
//      (OpenCC t2s, built in), decide a polyphone only where the syllable it gives is one of the
//      character's 现代汉语词典 readings; a Taiwan reading (突 tu2, 成绩 ji1) falls back to rule 1.
//      Of several readings of one phrase the best-weighted wins, ties to the first.
//   4. Segmentation: each run of characters is split into words by maximum probability over
//      rime-essay's word counts (Debian's rime-essay, LGPL-3, folded to simplified) plus the own
//      list's words, so a rare phrase never takes a character from a longer common word (…的信息
//      is 的 + 信息, not 的信 + 息). A word is read by rules 2 and 3, else character by character.
// Tone changes, applied to the citation tones within a run between punctuation:
//   - 一 yi1 becomes yi2 before a 4th (or neutral) tone and yi4 before 1st/2nd/3rd; it stays yi1
//     at the end of a run, at the end of a longer word (统一), after 第 or a numeral and before
//     a numeral other than 百/千/万 (counting).
//   - 不 bu4 becomes bu2 before a 4th tone.
//   - The own list's 一 and 不 are final (一年级 yi1 nian2 ji2, an ordinal).
//   - Third-tone sandhi: a 3rd tone before a 3rd tone in the same word becomes 2nd.
// A configuration can pin a prompt's reading (toPinyin's `pinned`): one syllable per Chinese
// character, spoken as written (no tone changes applied).
//
// Digits are read as Chinese numerals (a lone 1 before a character as 一, with its tone change;
// a lone 2 before a measure word as liang3; "+" between digits as jia1): up to 4 digits as a
// quantity (12 → shi2 er4, 305 → san1 bai3 ling2 wu3); 5 or more, or a leading 0, digit by digit
// (phone numbers, codes). Chinese and ASCII punctuation become ",", ".", "?" or "!" so the
// synthesiser pauses; Latin words and characters the table does not know are left out (the voice
// would read Latin letters as pinyin).
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/word_cost_table.hpp"

#include <cstddef>
#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace minsheng::kiosk {

/// Debian's rime-data-terra-pinyin.
inline constexpr const char* kDefaultPinyinDictionary =
    "/usr/share/rime-data/terra_pinyin.dict.yaml";
/// Debian's rime-essay: the word counts segmentation uses (rule 4).
inline constexpr const char* kDefaultWordList = "/usr/share/rime-data/essay.txt";

struct PinyinError {
    std::string message; // names the file
};

class PinyinReading {
public:
    [[nodiscard]] static Result<PinyinReading, PinyinError>
    load(const std::filesystem::path& dict,
         const std::filesystem::path& wordList = kDefaultWordList);
    /// Parses dictionary and word-list text as if read from files (tests); `name` is the
    /// dictionary's, for messages. An empty word list segments every character on its own.
    [[nodiscard]] static Result<PinyinReading, PinyinError>
    parse(std::string_view text, std::string_view name, std::string_view wordList = {});

    /// Tone-numbered pinyin for `text`, syllables separated by one space, pauses as ", " etc.
    std::string toPinyin(std::string_view text) const;
    /// The same with a pinned reading: `pinned` holds one syllable per Chinese character of
    /// `text` (hanCount), which replace the computed ones; digits and punctuation are read as
    /// usual. A pinned reading of the wrong length is ignored (configurations are checked when
    /// loaded).
    std::string toPinyin(std::string_view text, std::string_view pinned) const;
    /// The reading of one character ("" when unknown).
    std::string_view readingOf(char32_t cp) const;

    std::size_t characterCount() const { return m_chars.size(); }
    /// Words whose reading is decided by rule 2 or 3.
    std::size_t phraseCount() const { return m_phrases.size(); }

private:
    static constexpr std::size_t kMaxWord = 6;         // code points
    static constexpr double kOwnPhraseCount = 20000.0; // an own-list word: a common word

    /// Rules 1-3 from the built-in tables and terra_pinyin's text.
    [[nodiscard]] static Result<PinyinReading, PinyinError> parseDictionary(std::string_view text,
                                                                            std::string_view name);
    /// Rule 4's costs from rime-essay's lines; false when the stream fails.
    [[nodiscard]] bool addWordList(std::istream& list);
    /// Word lengths of the best segmentation of a run of Chinese characters (rule 4).
    std::vector<std::size_t> segment(const std::vector<char32_t>& run) const;
    /// A run's syllables after the tone changes.
    std::string readRun(const std::vector<char32_t>& run) const;

    /// Every character's reading, rule 1's or rule 2's override, sorted by code point.
    std::vector<std::pair<char32_t, std::string>> m_chars;
    struct PhraseReading {
        std::string syllables;
        bool own = false; // from the own list (rule 2), else terra_pinyin (rule 3)
    };
    std::unordered_map<std::string, PhraseReading> m_phrases; // simplified UTF-8 → reading
    WordCostTable m_wordCost;                                 // -log(probability), rule 4
    double m_unknownCost = 1;                                 // a character not in the word list
};

/// Tone-numbered pinyin of a number written in digits ("12" → "shi2 er4"); see above.
std::string numberToPinyin(std::string_view digits);

} // namespace minsheng::kiosk
