#include "kiosk/core/pinyin_reading.hpp"

#include "sync/forms/text_rules.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace minsheng::kiosk {

namespace fs = std::filesystem;

extern const char* const kT2sCharsText;        // kiosk/core/data/t2s_chars.txt, built in (CMake)
extern const char* const kMandarinCharsText;   // kiosk/core/data/mandarin_chars.txt, likewise
extern const char* const kMandarinPhrasesText; // kiosk/core/data/mandarin_phrases.txt, likewise

namespace {

char32_t decode(std::string_view s, std::size_t& i) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (n < 0 || i + static_cast<std::size_t>(n) >= s.size()) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += static_cast<std::size_t>(n) + 1;
    return cp;
}

void encode(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::vector<char32_t> codePoints(std::string_view s) {
    std::vector<char32_t> v;
    for (std::size_t i = 0; i < s.size();)
        v.push_back(decode(s, i));
    return v;
}

bool isTone(char c) {
    return c >= '1' && c <= '5';
}

/// A reading as terra_pinyin writes it: lower-case letters (and ü as "v") each ending in a tone.
bool validReading(std::string_view r) {
    if (r.empty())
        return false;
    bool inSyllable = false;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const char c = r[i];
        if (c >= 'a' && c <= 'z') {
            inSyllable = true;
        } else if (isTone(c) && inSyllable) {
            inSyllable = false;
            if (i + 1 < r.size() && r[i + 1] != ' ')
                return false;
        } else if (c == ' ' && !inSyllable) {
            continue;
        } else {
            return false;
        }
    }
    return !inSyllable;
}

constexpr const char* kDigit[] = {"ling2", "yi1",  "er4", "san1", "si4",
                                  "wu3",   "liu4", "qi1", "ba1",  "jiu3"};

void appendWord(std::string& out, std::string_view w) {
    if (!out.empty() && out.back() != ' ')
        out += ' ';
    out += w;
}

void appendPause(std::string& out, char mark) {
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    if (out.empty())
        return;
    const char last = out.back();
    if (last == ',' || last == '.' || last == '?' || last == '!') {
        if (mark != ',')
            out.back() = mark; // a stronger pause wins
        return;
    }
    out += mark;
}

/// The pause a punctuation character asks for; 0 for none, ' ' for a plain word break.
char pauseFor(char32_t cp) {
    switch (cp) {
    case U'，':
    case U'、':
    case U'；':
    case U'：':
    case U',':
    case U';':
    case U':':
    case U'—':
    case U'…':
    case U'-':
        return ',';
    case U'。':
    case U'.':
    case U'\n':
        return '.';
    case U'？':
    case U'?':
        return '?';
    case U'！':
    case U'!':
        return '!';
    default:
        return ' ';
    }
}

/// The lines of a built-in or loaded table, without comments and blank lines.
template <class F>
void forEachLine(std::string_view text, F&& f) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (!line.empty() && line[0] != '#')
            f(line);
    }
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    for (;;) {
        const auto at = s.find(sep, pos);
        parts.push_back(s.substr(pos, at == std::string_view::npos ? s.npos : at - pos));
        if (at == std::string_view::npos)
            return parts;
        pos = at + 1;
    }
}

std::vector<std::string> syllablesOf(std::string_view reading) {
    std::vector<std::string> out;
    for (std::string_view s : split(reading, ' '))
        if (!s.empty())
            out.emplace_back(s);
    return out;
}

/// Traditional → simplified, one character at a time (OpenCC t2s, built in), for
/// terra_pinyin's phrases and the word list.
class Simplifier {
public:
    Simplifier() {
        forEachLine(
            kT2sCharsText,
            [&](std::string_view line) {
                const auto cps = codePoints(line);
                if (cps.size() == 3 && cps[1] == U'\t')
                    m_t2s.emplace(cps[0], cps[2]);
            });
    }
    /// `word` in simplified characters; `length` gets its number of code points.
    std::string operator()(std::string_view word, std::size_t* length = nullptr) const {
        std::string out;
        std::size_t n = 0;
        for (char32_t cp : codePoints(word)) {
            const auto it = m_t2s.find(cp);
            encode(it == m_t2s.end() ? cp : it->second, out);
            ++n;
        }
        if (length)
            *length = n;
        return out;
    }

private:
    std::unordered_map<char32_t, char32_t> m_t2s;
};

bool isNumeral(char32_t cp) {
    return std::u32string_view(U"零〇一二三四五六七八九十百千万两").find(cp) !=
           std::u32string_view::npos;
}

/// Characters whose rarer readings terra_pinyin's phrases give far too often (用的 di2, 不给 ji3,
/// 天都 du1): only the own list decides them (的确, 供给, 首都).
constexpr std::u32string_view kOwnListDecides = U"的给都";

/// Measure words after which a lone digit 2 is said 两 (2小时, 2个); not 年 (2年级 is er4).
constexpr std::u32string_view kMeasureWords = U"小个天节次位分周元岁本门种件名家张条项";

/// One syllable of a run of Chinese characters, as segmentation left it.
struct Syllable {
    char32_t character = 0;
    std::string letters; // "yi"
    int tone = 5;
    std::size_t word = 0; // index of the word it belongs to
    bool final = false;   // 一 or 不 as the own list writes it (一年级 yi1): no tone change
};

/// Tone changes of Standard Mandarin on one run of characters (between punctuation): see the
/// header. Every rule looks at the citation tones, so rules do not feed each other.
void applyToneChanges(std::vector<Syllable>& run) {
    std::vector<int> tone(run.size());
    for (std::size_t i = 0; i < run.size(); ++i)
        tone[i] = run[i].tone;
    for (std::size_t i = 0; i < run.size(); ++i) {
        Syllable& s = run[i];
        const Syllable* next = i + 1 < run.size() ? &run[i + 1] : nullptr;
        const bool wordFinal = !next || next->word != s.word;
        const bool sameWordBefore = i > 0 && run[i - 1].word == s.word;
        if (s.final) {
            continue;
        } else if (s.character == U'一' && s.letters == "yi" && s.tone == 1) {
            const char32_t before = i > 0 ? run[i - 1].character : 0;
            const bool counting = before == U'第' || isNumeral(before) ||
                                  (next && isNumeral(next->character) && next->character != U'百' &&
                                   next->character != U'千' && next->character != U'万');
            if (next && !counting && !(wordFinal && sameWordBefore))
                tone[i] = next->tone == 4 || next->tone == 5 ? 2 : 4;
        } else if (s.character == U'不' && s.letters == "bu" && s.tone == 4) {
            if (next && next->tone == 4)
                tone[i] = 2;
        } else if (s.tone == 3 && next && next->word == s.word && next->tone == 3) {
            tone[i] = 2; // third-tone sandhi inside a word
        }
    }
    for (std::size_t i = 0; i < run.size(); ++i)
        run[i].tone = tone[i];
}

} // namespace

std::string numberToPinyin(std::string_view digits) {
    std::string out;
    if (digits.empty())
        return out;
    if (digits.size() > 4 || (digits.size() > 1 && digits[0] == '0')) {
        for (char d : digits)
            appendWord(out, kDigit[d - '0']);
        return out;
    }
    int value = 0;
    for (char d : digits)
        value = value * 10 + (d - '0');
    if (value == 0)
        return kDigit[0];
    static constexpr const char* kUnit[] = {"", "shi2", "bai3", "qian1"};
    const int parts[4] = {value / 1000, value / 100 % 10, value / 10 % 10, value % 10};
    bool zeroPending = false;
    bool started = false;
    for (int k = 0; k < 4; ++k) {
        const int d = parts[k];
        const int unit = 3 - k;
        if (d == 0) {
            zeroPending = started;
            continue;
        }
        if (zeroPending) {
            appendWord(out, kDigit[0]);
            zeroPending = false;
        }
        // 10-19 are "shi2 ..." not "yi1 shi2 ..."; 2 before a unit of a hundred or more is liang3.
        if (!(unit == 1 && d == 1 && !started))
            appendWord(out, d == 2 && unit >= 2 ? "liang3" : kDigit[d]);
        if (unit > 0)
            appendWord(out, kUnit[unit]);
        started = true;
    }
    return out;
}

Result<PinyinReading, PinyinError> PinyinReading::load(const fs::path& dict,
                                                       const fs::path& wordList) {
    // The dictionary is read straight into a string of its size (through a stringstream it
    // would be held twice) and freed before the word list is streamed in line by line.
    std::error_code error;
    const std::uintmax_t dictSize = fs::file_size(dict, error); // fails on a folder
    std::ifstream dictIn(dict, std::ios::binary);
    std::string text;
    if (!error && dictIn) {
        text.resize(static_cast<std::size_t>(dictSize));
        dictIn.read(text.data(), static_cast<std::streamsize>(dictSize));
    }
    if (error || !dictIn) {
        return fail(PinyinError{dict.string() +
                                ": cannot open the pinyin dictionary (Debian package "
                                "rime-data-terra-pinyin; [ui] pinyin_dictionary)"});
    }
    dictIn.close();
    std::ifstream wordIn(wordList, std::ios::binary);
    if (!fs::is_regular_file(wordList, error) || !wordIn) {
        return fail(PinyinError{wordList.string() +
                                ": cannot open the word list (Debian package rime-essay)"});
    }
    auto r = parseDictionary(text, dict.string());
    if (!r)
        return r;
    text = std::string();
    if (!r.value().addWordList(wordIn)) {
        return fail(PinyinError{wordList.string() +
                                ": cannot read the word list (Debian package rime-essay)"});
    }
    return r;
}

Result<PinyinReading, PinyinError>
PinyinReading::parse(std::string_view text, std::string_view name, std::string_view wordList) {
    auto r = parseDictionary(text, name);
    std::istringstream list{std::string(wordList)};
    if (r && !r.value().addWordList(list))
        return fail(PinyinError{std::string(name) + ": cannot read the word list"});
    return r;
}

Result<PinyinReading, PinyinError> PinyinReading::parseDictionary(std::string_view text,
                                                                  std::string_view name) {
    PinyinReading r;
    const Simplifier simplify;
    // Every character's readings while the phrases are read; only rule 1's or 2's is kept.
    struct CharReadings {
        std::string reading;               // rule 1's default, or rule 2's override
        std::vector<std::string> mainland; // every 现代汉语词典 reading
    };
    std::unordered_map<char32_t, CharReadings> chars;
    // Rule 1: Unihan.
    forEachLine(kMandarinCharsText, [&](std::string_view line) {
        const auto f = split(line, '\t');
        if (f.size() != 3)
            return;
        const auto cps = codePoints(f[0]);
        if (cps.size() == 1 && validReading(f[1]))
            chars[cps[0]] = {std::string(f[1]), syllablesOf(f[2])};
    });
    // Rule 2: the project's own list; single characters override rule 1.
    std::unordered_map<std::string, std::string> own;
    forEachLine(kMandarinPhrasesText, [&](std::string_view line) {
        const auto f = split(line, '\t');
        if (f.size() < 2 || !validReading(f[1]))
            return;
        const auto cps = codePoints(f[0]);
        if (syllablesOf(f[1]).size() != cps.size())
            return; // would shift every later syllable (readings_test checks the list has none)
        if (cps.size() == 1)
            chars[cps[0]].reading = std::string(f[1]);
        else
            own[std::string(f[0])] = std::string(f[1]);
    });

    // terra_pinyin's phrases (traditional, Taiwan-leaning): the best-weighted reading of each.
    std::unordered_map<std::string, std::pair<double, std::string>> terra;
    bool body = false;
    bool anyCharacter = false;
    forEachLine(text, [&](std::string_view line) {
        if (!body) {
            body = line == "...";
            return;
        }
        const auto f = split(line, '\t');
        if (f.size() < 2 || f[0].empty() || !validReading(f[1]))
            return; // not an entry, or an abbreviation code
        std::size_t n = 0;
        std::string word = simplify(f[0], &n);
        if (n == 1) {
            anyCharacter = true;
            return;
        }
        if (n > 8 || syllablesOf(f[1]).size() != n)
            return;
        double weight = 100;
        if (f.size() > 2 && !f[2].empty() && f[2].back() == '%') {
            try {
                weight = std::stod(std::string(f[2].substr(0, f[2].size() - 1)));
            } catch (const std::exception&) {
            }
        }
        auto [it, fresh] = terra.try_emplace(std::move(word), weight, std::string(f[1]));
        if (!fresh && weight > it->second.first) // ties: the first in the file (意度 yi4 du4)
            it->second = {weight, std::string(f[1])};
    });
    // A Rime dictionary's YAML header ends with a line "..."; without it, or without character
    // entries, the file is something else.
    if (!body || !anyCharacter) {
        return fail(PinyinError{std::string(name) +
                                ": not a Rime dictionary with readings (no \"...\" line, or no "
                                "character entries)"});
    }
    // Rule 3: a terra phrase keeps only syllables that are mainland readings of their character.
    for (auto& [word, entry] : terra) {
        const auto cps = codePoints(word);
        const auto syllables = syllablesOf(entry.second);
        std::string mainland;
        bool decides = false;
        for (std::size_t k = 0; k < cps.size(); ++k) {
            const auto c = chars.find(cps[k]);
            if (c == chars.end()) {
                decides = false;
                break;
            }
            const auto& all = c->second.mainland;
            const bool standard = kOwnListDecides.find(cps[k]) == std::u32string_view::npos &&
                                  std::find(all.begin(), all.end(), syllables[k]) != all.end();
            const std::string& pick = standard ? syllables[k] : c->second.reading;
            decides = decides || pick != c->second.reading;
            appendWord(mainland, pick);
        }
        if (decides)
            r.m_phrases[word] = {std::move(mainland), false};
    }
    for (auto& [word, reading] : own)
        r.m_phrases[word] = {reading, true};
    r.m_chars.reserve(chars.size());
    for (auto& [cp, readings] : chars)
        r.m_chars.emplace_back(cp, std::move(readings.reading));
    std::sort(r.m_chars.begin(), r.m_chars.end());
    return r;
}

bool PinyinReading::addWordList(std::istream& list) {
    // rime-essay: WORD<TAB>COUNT, traditional. Two passes: the first counts the lines and bytes,
    // so that the table's scratch is allocated once at its size instead of growing by doubling.
    std::string line;
    std::size_t lines = 0;
    std::size_t bytes = 0;
    while (std::getline(list, line)) {
        ++lines;
        bytes += line.size();
    }
    if (list.bad())
        return false;
    list.clear();
    list.seekg(0);
    const Simplifier simplify;
    double total = 0;
    WordCostTable::Builder counts;
    counts.reserve(lines, bytes);
    while (std::getline(list, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        const auto f = split(line, '\t');
        if (f.size() < 2)
            continue;
        std::size_t n = 0;
        const std::string word = simplify(f[0], &n);
        if (n > kMaxWord)
            continue;
        double c = 0;
        try {
            c = std::stod(std::string(f[1]));
        } catch (const std::exception&) {
            continue;
        }
        counts.add(word, c);
        total += c;
    }
    if (list.bad())
        return false;
    total = std::max(total, 1.0);
    // Own phrases are common words; terra's count only as far as the word list knows them.
    for (const auto& [word, phrase] : m_phrases)
        if (phrase.own)
            counts.raiseTo(word, kOwnPhraseCount);
    m_wordCost = counts.finish([&](double c) { return std::log(total) - std::log(c); });
    m_unknownCost = std::log(total) + 1; // rarer than any listed word
    return true;
}

std::string_view PinyinReading::readingOf(char32_t cp) const {
    const auto it = std::lower_bound(m_chars.begin(), m_chars.end(), cp,
                                     [](const auto& entry, char32_t c) { return entry.first < c; });
    return it == m_chars.end() || it->first != cp ? std::string_view()
                                                  : std::string_view(it->second);
}

std::vector<std::size_t> PinyinReading::segment(const std::vector<char32_t>& run) const {
    // Rule 4: the segmentation with the highest product of word probabilities (lowest cost).
    const std::size_t n = run.size();
    std::vector<double> cost(n + 1, 1e300);
    std::vector<std::size_t> from(n + 1, 0);
    cost[0] = 0;
    std::string key;
    for (std::size_t end = 1; end <= n; ++end) {
        for (std::size_t len = 1; len <= std::min(kMaxWord, end); ++len) {
            const std::size_t start = end - len;
            key.clear();
            for (std::size_t k = start; k < end; ++k)
                encode(run[k], key);
            const auto listed = m_wordCost.find(key);
            double c;
            if (listed)
                c = *listed;
            else if (len == 1)
                c = m_unknownCost;
            else
                continue;
            if (cost[start] + c < cost[end]) {
                cost[end] = cost[start] + c;
                from[end] = start;
            }
        }
    }
    std::vector<std::size_t> lengths;
    for (std::size_t end = n; end > 0; end = from[end])
        lengths.push_back(end - from[end]);
    std::reverse(lengths.begin(), lengths.end());
    return lengths;
}

std::string PinyinReading::readRun(const std::vector<char32_t>& run) const {
    std::vector<Syllable> syllables;
    std::size_t at = 0;
    std::size_t wordIndex = 0;
    std::string key;
    for (std::size_t len : segment(run)) {
        // The word's own reading, else the longest phrases inside it (never across its edges).
        std::vector<std::string> readings(len);
        std::vector<bool> own(len, false);
        for (std::size_t k = 0; k < len;) {
            std::size_t part = len - k;
            for (; part >= 2; --part) {
                key.clear();
                for (std::size_t c = at + k; c < at + k + part; ++c)
                    encode(run[c], key);
                const auto phrase = m_phrases.find(key);
                if (phrase != m_phrases.end()) {
                    const auto syllables = syllablesOf(phrase->second.syllables);
                    std::copy(syllables.begin(), syllables.end(), readings.begin() + k);
                    std::fill(own.begin() + k, own.begin() + k + part, phrase->second.own);
                    break;
                }
            }
            if (part < 2) {
                readings[k] = std::string(readingOf(run[at + k]));
                part = 1;
            }
            k += part;
        }
        for (std::size_t k = 0; k < len; ++k) {
            const std::string& reading = readings[k];
            if (reading.empty())
                continue; // a character no table knows: left out
            Syllable s;
            s.character = run[at + k];
            s.letters = reading.substr(0, reading.size() - 1);
            s.tone = reading.back() - '0';
            s.word = wordIndex;
            s.final = own[k] && (s.character == U'一' || s.character == U'不');
            syllables.push_back(std::move(s));
        }
        at += len;
        ++wordIndex;
    }
    applyToneChanges(syllables);
    std::string out;
    for (const Syllable& s : syllables)
        appendWord(out, s.letters + static_cast<char>('0' + s.tone));
    return out;
}

std::string PinyinReading::toPinyin(std::string_view text) const {
    return toPinyin(text, {});
}

std::string PinyinReading::toPinyin(std::string_view text, std::string_view pinned) const {
    std::string out;
    const auto cps = codePoints(text);
    const auto pins = syllablesOf(pinned);
    const bool usePins = !pins.empty() && pins.size() == forms::hanCharacterCount(text);
    std::size_t pinAt = 0;
    std::vector<char32_t> run;
    bool leadingOne = false; // a lone digit 1 read as the 一 that starts the next run
    for (std::size_t i = 0; i < cps.size();) {
        const char32_t cp = cps[i];
        if (forms::isHanCharacter(cp)) {
            run.clear();
            if (leadingOne)
                run.push_back(U'一');
            leadingOne = false;
            while (i < cps.size() && forms::isHanCharacter(cps[i]))
                run.push_back(cps[i++]);
            if (usePins)
                for (std::size_t k = 0; k < run.size(); ++k)
                    appendWord(out, pins[pinAt++]);
            else
                appendWord(out, readRun(run));
            continue;
        }
        const auto digit = [](char32_t c) -> int {
            if (c >= U'0' && c <= U'9')
                return static_cast<int>(c - U'0');
            if (c >= U'０' && c <= U'９')
                return static_cast<int>(c - U'０');
            return -1;
        };
        if (digit(cp) >= 0) {
            std::string digits;
            while (i < cps.size() && digit(cps[i]) >= 0) {
                digits += static_cast<char>('0' + digit(cps[i]));
                ++i;
            }
            const char32_t after = i < cps.size() ? cps[i] : 0;
            if (digits == "1" && forms::isHanCharacter(after) && !usePins)
                leadingOne = true; // 1小时 is 一小时: its tone changes like 一's
            else if (digits == "2" && kMeasureWords.find(after) != std::u32string_view::npos)
                appendWord(out, "liang3"); // 2小时 is 两小时
            else
                appendWord(out, numberToPinyin(digits));
            continue;
        }
        if (cp == U'+' && i + 1 < cps.size() && digit(cps[i + 1]) >= 0) {
            appendWord(out, "jia1"); // 5+2
            ++i;
            continue;
        }
        const bool latin = (cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z');
        if (latin) {
            while (i < cps.size() &&
                   ((cps[i] >= U'a' && cps[i] <= U'z') || (cps[i] >= U'A' && cps[i] <= U'Z')))
                ++i;
            continue; // left out; see the header
        }
        const char pause = pauseFor(cp);
        if (pause != ' ')
            appendPause(out, pause);
        ++i;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    if (!out.empty() && out.back() == ',')
        out.pop_back();
    return out;
}

} // namespace minsheng::kiosk
