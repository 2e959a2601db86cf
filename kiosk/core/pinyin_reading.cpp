#include "kiosk/core/pinyin_reading.hpp"

#include <fstream>
#include <sstream>
#include <vector>

namespace minsheng::kiosk {

namespace fs = std::filesystem;

extern const char* const kT2sCharsText; // kiosk/core/data/t2s_chars.txt, built in (CMake)

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

struct Entry {
    std::string reading;
    double weight = -1; // percent; -1 when the file gives none
};

/// Score of rule 1: the weight, or an equal share when none is given.
double score(const Entry& e, std::size_t readings) {
    return e.weight >= 0 ? e.weight : 100.0 / static_cast<double>(readings);
}

const std::string* best(const std::vector<Entry>& entries) {
    const std::string* pick = nullptr;
    double top = -1;
    for (const Entry& e : entries) {
        const double s = score(e, entries.size());
        if (s > top) {
            top = s;
            pick = &e.reading;
        }
    }
    return pick;
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

bool isHan(char32_t cp) {
    return (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF) || cp == U'〇';
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

Result<PinyinReading, PinyinError> PinyinReading::load(const fs::path& dict) {
    std::ifstream in(dict, std::ios::binary);
    if (!in) {
        return fail(PinyinError{dict.string() +
                                ": cannot open the pinyin dictionary (Debian package "
                                "rime-data-terra-pinyin; [ui] pinyin_dictionary)"});
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), dict.string());
}

Result<PinyinReading, PinyinError> PinyinReading::parse(std::string_view text,
                                                        std::string_view name) {
    // Traditional → simplified, and back (one simplified form may have several traditional).
    std::unordered_map<char32_t, char32_t> t2s;
    std::unordered_multimap<char32_t, char32_t> s2t;
    {
        std::string_view table(kT2sCharsText);
        std::size_t pos = 0;
        while (pos < table.size()) {
            std::size_t end = table.find('\n', pos);
            if (end == std::string_view::npos)
                end = table.size();
            const std::string_view line = table.substr(pos, end - pos);
            pos = end + 1;
            if (line.empty() || line[0] == '#')
                continue;
            const auto cps = codePoints(line);
            if (cps.size() == 3 && cps[1] == U'\t') {
                t2s.emplace(cps[0], cps[2]);
                s2t.emplace(cps[2], cps[0]);
            }
        }
    }
    std::unordered_map<char32_t, std::vector<Entry>> chars;
    struct Phrase {
        std::string text;
        Entry entry;
    };
    std::vector<Phrase> phrases;
    bool body = false;
    std::size_t lineNo = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (!body) {
            body = line == "...";
            continue;
        }
        if (line.empty() || line[0] == '#')
            continue;
        const auto tab = line.find('\t');
        if (tab == std::string_view::npos || tab == 0)
            continue; // not an entry (terra_pinyin has none of these; be lenient)
        const std::string_view word = line.substr(0, tab);
        std::string_view rest = line.substr(tab + 1);
        Entry e;
        const auto tab2 = rest.find('\t');
        if (tab2 != std::string_view::npos) {
            std::string_view w = rest.substr(tab2 + 1);
            rest = rest.substr(0, tab2);
            if (!w.empty() && w.back() == '%') {
                w.remove_suffix(1);
                try {
                    e.weight = std::stod(std::string(w));
                } catch (const std::exception&) {
                    e.weight = -1;
                }
            }
        }
        if (!validReading(rest))
            continue; // e.g. an abbreviation code; not a reading
        e.reading.assign(rest);
        const auto cps = codePoints(word);
        if (cps.size() == 1) {
            chars[cps[0]].push_back(std::move(e));
        } else if (cps.size() <= 8) {
            std::string simplified;
            for (char32_t cp : cps) {
                const auto it = t2s.find(cp);
                encode(it == t2s.end() ? cp : it->second, simplified);
            }
            phrases.push_back({std::move(simplified), std::move(e)});
        }
    }
    if (!body || chars.empty()) {
        return fail(PinyinError{std::string(name) +
                                ": not a Rime dictionary with readings (no \"...\" line, or no "
                                "character entries)"});
    }

    PinyinReading r;
    // Rule 1.
    for (const auto& [cp, entries] : chars) {
        std::vector<Entry> variants;
        const auto [first, last] = s2t.equal_range(cp);
        for (auto it = first; it != last; ++it) {
            const auto v = chars.find(it->second);
            if (v != chars.end() && it->second != cp) {
                const std::size_t n = v->second.size();
                for (const Entry& e : v->second)
                    variants.push_back({e.reading, score(e, n)});
            }
        }
        const std::string* pick = variants.empty() ? best(entries) : best(variants);
        if (pick)
            r.m_chars.emplace(cp, *pick);
    }
    // A simplified form with no entry of its own inherits its traditional variants' reading.
    for (const auto& [t, s] : t2s) {
        if (!r.m_chars.count(s)) {
            const auto v = chars.find(t);
            if (v != chars.end()) {
                if (const std::string* pick = best(v->second))
                    r.m_chars.emplace(s, *pick);
            }
        }
    }
    // Rule 2.
    std::unordered_map<std::string, double> phraseWeight;
    for (Phrase& p : phrases) {
        std::string plain;
        bool known = true;
        std::size_t n = 0;
        for (char32_t cp : codePoints(p.text)) {
            const std::string_view reading = r.readingOf(cp);
            known = known && !reading.empty();
            appendWord(plain, reading);
            ++n;
        }
        const double w = p.entry.weight >= 0 ? p.entry.weight : 100.0;
        const auto it = phraseWeight.find(p.text);
        if (it != phraseWeight.end() && it->second >= w)
            continue; // an earlier reading of the same phrase wins ties (意度 yi4 du4 / yi4 duo4)
        phraseWeight[p.text] = w;
        if (known && plain == p.entry.reading) {
            r.m_phrases.erase(p.text); // the characters' own readings: nothing to store
            continue;
        }
        r.m_maxPhrase = std::max(r.m_maxPhrase, n);
        r.m_phrases[p.text] = std::move(p.entry.reading);
    }
    return r;
}

std::string_view PinyinReading::readingOf(char32_t cp) const {
    const auto it = m_chars.find(cp);
    return it == m_chars.end() ? std::string_view() : std::string_view(it->second);
}

std::string PinyinReading::toPinyin(std::string_view text) const {
    std::string out;
    const auto cps = codePoints(text);
    std::string key;
    for (std::size_t i = 0; i < cps.size();) {
        const char32_t cp = cps[i];
        if (isHan(cp)) {
            // Rule 3: the longest phrase first.
            std::size_t len = 0;
            for (std::size_t n = std::min(m_maxPhrase, cps.size() - i); n >= 2; --n) {
                key.clear();
                for (std::size_t k = 0; k < n; ++k)
                    encode(cps[i + k], key);
                const auto it = m_phrases.find(key);
                if (it != m_phrases.end()) {
                    appendWord(out, it->second);
                    len = n;
                    break;
                }
            }
            if (len == 0) {
                const std::string_view reading = readingOf(cp);
                if (!reading.empty())
                    appendWord(out, reading);
                len = 1;
            }
            i += len;
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
            appendWord(out, numberToPinyin(digits));
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
