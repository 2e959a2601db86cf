#include "county/staff/reply_check.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace minsheng::staff {

namespace {

/// One decoded code point and where it sits in the text.
struct CodePoint {
    char32_t cp = 0;
    std::size_t offset = 0, length = 0;
};

constexpr char32_t kMalformed = 0xFFFD;

/// Strict UTF-8 decoding: overlong forms, surrogates and truncated sequences become one
/// kMalformed of length 1, so offsets always point at the byte where a character starts.
std::vector<CodePoint> decodeUtf8(std::string_view text) {
    std::vector<CodePoint> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        std::size_t len = b0 < 0x80         ? 1
                          : (b0 >> 5) == 6  ? 2
                          : (b0 >> 4) == 14 ? 3
                          : (b0 >> 3) == 30 ? 4
                                            : 0;
        char32_t cp = len == 1 ? b0 : len == 2 ? b0 & 0x1F : len == 3 ? b0 & 0x0F : b0 & 0x07;
        bool ok = len != 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            ok = (b & 0xC0) == 0x80;
            cp = (cp << 6) | (b & 0x3F);
        }
        static constexpr std::array<char32_t, 5> kMinimum{0, 0, 0x80, 0x800, 0x10000};
        if (ok && (cp < kMinimum[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = false;
        if (!ok) {
            out.push_back({kMalformed, i, 1});
            ++i;
            continue;
        }
        out.push_back({cp, i, len});
        i += len;
    }
    return out;
}

std::optional<int> digitValue(char32_t cp) {
    if (cp >= U'0' && cp <= U'9')
        return static_cast<int>(cp - U'0');
    if (cp >= 0xFF10 && cp <= 0xFF19) // full-width digits, as a Chinese IME types them
        return static_cast<int>(cp - 0xFF10);
    return std::nullopt;
}

bool isAsciiAlnum(char32_t cp) {
    return (cp >= U'0' && cp <= U'9') || (cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z');
}

bool isPhoneSeparator(char32_t cp) {
    return cp == U' ' || cp == U'-' || cp == 0xFF0D || cp == 0x3000;
}

bool isHan(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

std::string slice(std::string_view text, const std::vector<CodePoint>& cps, std::size_t from,
                  std::size_t to) { // code point indices, [from, to)
    const std::size_t begin = cps[from].offset;
    const std::size_t end = cps[to - 1].offset + cps[to - 1].length;
    return std::string(text.substr(begin, end - begin));
}

/// The first few characters and an ellipsis: enough for staff to find it, no more.
std::string shortened(const std::string& matched, std::size_t keepCodePoints) {
    const auto cps = decodeUtf8(matched);
    if (cps.size() <= keepCodePoints)
        return matched;
    return matched.substr(0, cps[keepCodePoints].offset) + "…";
}

bool isMobile(const std::string& d) {
    if (d.size() == 13 && d.compare(0, 2, "86") == 0)
        return isMobile(d.substr(2));
    return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

bool isLandline(const std::string& d) {
    return d.size() >= 10 && d.size() <= 12 && d[0] == '0' && d[1] != '0';
}

void findPhones(std::string_view text, const std::vector<CodePoint>& cps,
                std::vector<ReplyWarning>& out) {
    const std::size_t n = cps.size();
    std::size_t i = 0;
    while (i < n) {
        if (!digitValue(cps[i].cp) || (i > 0 && isAsciiAlnum(cps[i - 1].cp))) {
            ++i;
            continue;
        }
        // The run: digits with single separators between them.
        std::size_t end = i;
        while (end < n)
            if (digitValue(cps[end].cp))
                ++end;
            else if (isPhoneSeparator(cps[end].cp) && end + 1 < n && digitValue(cps[end + 1].cp))
                ++end;
            else
                break;
        const bool glued = end < n && isAsciiAlnum(cps[end].cp);
        // Group starts: the run's start and every digit after a separator.
        std::size_t start = i;
        while (!glued && start < end) {
            std::string digits;
            std::optional<std::size_t> matchEnd;
            for (std::size_t k = start; k < end; ++k) {
                if (auto v = digitValue(cps[k].cp))
                    digits.push_back(static_cast<char>('0' + *v));
                const bool groupEnd = k + 1 == end || !digitValue(cps[k + 1].cp);
                if (groupEnd && (isMobile(digits) || isLandline(digits)))
                    matchEnd = k + 1; // the longest match wins (a landline's 8-digit form)
                if (digits.size() > 13)
                    break;
            }
            if (matchEnd) {
                const std::string matched = slice(text, cps, start, *matchEnd);
                out.push_back({ReplyWarning::Kind::Phone, matched, cps[start].offset,
                               "答复中含有电话号码 " + shortened(matched, 3) +
                                   "，家长可见，请确认 — the reply contains a phone number; "
                                   "parents will see it"});
                start = *matchEnd;
            }
            while (start < end && digitValue(cps[start].cp))
                ++start; // to the next group
            while (start < end && !digitValue(cps[start].cp))
                ++start;
        }
        i = end;
    }
}

bool realBirthDate(const std::string& d) { // d: 8 digits YYYYMMDD
    const int y = std::stoi(d.substr(0, 4));
    const unsigned m = static_cast<unsigned>(std::stoi(d.substr(4, 2)));
    const unsigned day = static_cast<unsigned>(std::stoi(d.substr(6, 2)));
    if (y < 1900 || y > 2099)
        return false;
    return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                       std::chrono::day{day}}
        .ok();
}

/// ISO 7064 MOD 11-2 over the first 17 digits, as GB 11643 specifies it.
char idCheckCharacter(const std::string& first17) {
    static constexpr std::array<int, 17> kWeights{7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                  3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;
    for (std::size_t k = 0; k < 17; ++k)
        sum += (first17[k] - '0') * kWeights[k];
    return "10X98765432"[sum % 11];
}

void findIdNumbers(std::string_view text, const std::vector<CodePoint>& cps,
                   std::vector<ReplyWarning>& out) {
    const std::size_t n = cps.size();
    for (std::size_t i = 0; i < n;) {
        const auto ascii = [&](std::size_t k) {
            return cps[k].cp >= U'0' && cps[k].cp <= U'9';
        };
        if (!ascii(i) || (i > 0 && isAsciiAlnum(cps[i - 1].cp))) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < n && ascii(end))
            ++end;
        if (end - i == 17 && end < n && (cps[end].cp == U'X' || cps[end].cp == U'x'))
            ++end;
        const bool glued = end < n && isAsciiAlnum(cps[end].cp);
        if (end - i == 18 && !glued) {
            const std::string id = slice(text, cps, i, end);
            char last = id[17] == 'x' ? 'X' : id[17];
            if (idCheckCharacter(id) == last || realBirthDate(id.substr(6, 8)))
                out.push_back({ReplyWarning::Kind::IdNumber, id, cps[i].offset,
                               "答复中含有身份证号 " + shortened(id, 4) +
                                   "，家长可见，请确认 — the reply contains an ID card number; "
                                   "parents will see it"});
        }
        i = end;
    }
}

constexpr std::array<std::u32string_view, 7> kTitles{U"老师", U"校长", U"主任", U"同学",
                                                     U"家长", U"先生", U"女士"};

// Characters that do not stand in a given name before a title here: function words and school
// words ("高年级同学", "任课老师", "王班主任" reads as 班主任).
constexpr std::u32string_view kNotGivenName =
    U"的了和与及跟向给对把被让是在们位个各班级年校学科任说请问等都也还就或有没不很太更最每些这那其"
    U"他她它我你您课数语体育全主副代新原前后找叫里上下中家长于以为将已并而且因所如若则之";

// Two-character words whose second character is a surname: 关于老师 is "about teachers".
constexpr std::array<std::u32string_view, 37> kWordsEndingInSurname{
    U"关于", U"由于", U"对于", U"属于", U"至于", U"等于", U"终于", U"提高", U"很高", U"太高",
    U"过高", U"最高", U"较高", U"更高", U"每周", U"本周", U"上周", U"下周", U"一周", U"两周",
    U"这周", U"历史", U"经常", U"非常", U"正常", U"平常", U"日常", U"相关", U"有关", U"对方",
    U"地方", U"双方", U"校方", U"明白", U"一方", U"以及", U"涉及"};

std::u32string toU32(std::string_view s) {
    std::u32string out;
    for (const auto& c : decodeUtf8(s))
        out.push_back(c.cp);
    return out;
}

} // namespace

const std::vector<std::string_view> kChineseSurnames{
    "王",   "李",   "张",   "刘",   "陈",   "杨",   "黄",   "赵",   "吴",   "周",   "徐",   "孙",
    "马",   "朱",   "胡",   "郭",   "何",   "高",   "林",   "罗",   "郑",   "梁",   "谢",   "宋",
    "唐",   "许",   "韩",   "冯",   "邓",   "曹",   "彭",   "曾",   "肖",   "田",   "董",   "袁",
    "潘",   "于",   "蒋",   "蔡",   "余",   "杜",   "叶",   "程",   "苏",   "魏",   "吕",   "丁",
    "任",   "沈",   "姚",   "卢",   "姜",   "崔",   "钟",   "谭",   "陆",   "汪",   "范",   "金",
    "石",   "廖",   "贾",   "夏",   "韦",   "付",   "方",   "白",   "邹",   "孟",   "熊",   "秦",
    "邱",   "江",   "尹",   "薛",   "闫",   "段",   "雷",   "侯",   "龙",   "史",   "陶",   "黎",
    "贺",   "顾",   "毛",   "郝",   "龚",   "邵",   "万",   "钱",   "严",   "覃",   "武",   "戴",
    "莫",   "孔",   "汤",   "常",   "温",   "康",   "施",   "牛",   "樊",   "葛",   "邢",   "安",
    "齐",   "易",   "乔",   "伍",   "庞",   "颜",   "倪",   "庄",   "聂",   "章",   "鲁",   "岳",
    "翟",   "殷",   "詹",   "申",   "欧",   "耿",   "关",   "兰",   "焦",   "俞",   "左",   "柳",
    "甘",   "祝",   "包",   "欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
    "令狐", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里"};

namespace {

bool isSurname(std::u32string_view candidate) {
    static const std::vector<std::u32string> surnames = [] {
        std::vector<std::u32string> v;
        for (auto s : kChineseSurnames)
            v.push_back(toU32(s));
        return v;
    }();
    return std::find(surnames.begin(), surnames.end(), candidate) != surnames.end();
}

void findNames(std::string_view text, const std::vector<CodePoint>& cps,
               std::vector<ReplyWarning>& out) {
    std::u32string u;
    for (const auto& c : cps)
        u.push_back(c.cp);
    const std::u32string_view all(u);
    std::size_t searchFrom = 0; // no overlapping matches
    for (std::size_t t = 0; t + 2 <= u.size(); ++t) {
        const auto title = all.substr(t, 2);
        if (std::find(kTitles.begin(), kTitles.end(), title) == kTitles.end())
            continue;
        if (t + 2 < u.size() && u[t + 2] == U'们')
            continue;
        std::optional<std::size_t> start;
        // Longest first: a surname (compound or single) and 2, 1 or 0 given-name characters.
        for (int given = 2; given >= 0 && !start; --given) {
            if (t < static_cast<std::size_t>(given))
                continue;
            const std::size_t g = t - static_cast<std::size_t>(given);
            bool nameLike = true;
            for (std::size_t k = g; k < t; ++k)
                nameLike = nameLike && isHan(u[k]) &&
                           kNotGivenName.find(u[k]) == std::u32string_view::npos;
            if (!nameLike)
                continue;
            for (std::size_t len : {2u, 1u}) {
                if (g < len + searchFrom)
                    continue;
                const std::size_t s = g - len;
                if (!isSurname(all.substr(s, len)))
                    continue;
                if (len == 1 && s > 0 &&
                    std::find(kWordsEndingInSurname.begin(), kWordsEndingInSurname.end(),
                              all.substr(s - 1, 2)) != kWordsEndingInSurname.end())
                    continue;
                start = s;
                break;
            }
        }
        if (!start)
            continue;
        const std::string matched = slice(text, cps, *start, t + 2);
        out.push_back({ReplyWarning::Kind::PersonName, matched, cps[*start].offset,
                       "答复中含有人名 " + matched +
                           "，家长可见，请确认 — the reply names a person (" + matched +
                           "); parents will see it"});
        searchFrom = t + 2;
    }
}

} // namespace

std::string_view replyWarningKindName(ReplyWarning::Kind kind) {
    switch (kind) {
    case ReplyWarning::Kind::Phone:
        return "phone";
    case ReplyWarning::Kind::IdNumber:
        return "id_number";
    case ReplyWarning::Kind::PersonName:
        return "name";
    }
    return "phone";
}

std::vector<ReplyWarning> checkPublicReply(std::string_view text) {
    const auto cps = decodeUtf8(text);
    std::vector<ReplyWarning> out;
    findIdNumbers(text, cps, out);
    findPhones(text, cps, out);
    findNames(text, cps, out);
    std::stable_sort(out.begin(), out.end(), [](const ReplyWarning& a, const ReplyWarning& b) {
        return a.offset < b.offset;
    });
    return out;
}

} // namespace minsheng::staff
