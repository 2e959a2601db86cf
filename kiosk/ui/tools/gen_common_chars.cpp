// minsheng-gen-common-chars OUT.cpp RIME_DATA LUNA_DICT: writes the start-up glyph set of the
// font atlas (kiosk/ui/fonts.hpp, commonCharacters()) as a C++ source file.
//
// Debian ships no list of the 8,105 characters of 通用规范汉字表 (2013), so this builds an
// approximation from what Debian has, at build time:
//   1. GB2312's 6,763 hanzi, enumerated through glibc's iconv (EUC-CN rows 0xB0-0xF7);
//   2. topped up to 8,105 with the characters the kiosk's own pinyin engine offers first: for
//      every syllable of luna_pinyin, the single-character candidates of luna_pinyin_simp in
//      their order, taken rank by rank across all syllables (rank 0 of every syllable, then
//      rank 1, ...), skipping what is already in.
// The result must contain 凌 聊 诺 啥 (everyday characters ImGui's "Simplified Common" range
// lacks); the program fails otherwise.
#include "kiosk/core/pinyin_input_method.hpp"

#include <iconv.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace minsheng::kiosk;

namespace {

constexpr std::size_t kTarget = 8105;

char32_t decode(std::string_view s, std::size_t& n) {
    const unsigned char c = static_cast<unsigned char>(s[0]);
    if (c < 0x80) {
        n = 1;
        return c;
    }
    n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    if (n > s.size()) {
        n = s.size();
        return 0;
    }
    char32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[k]) & 0x3F);
    return cp;
}

bool isBmpHanzi(char32_t c) {
    return c >= 0x4E00 && c <= 0x9FFF;
}

class Sink final : public TextTarget {
public:
    void insert(std::string_view) override {}
    void backspace() override {}
    bool multiline() const override { return false; }
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: minsheng-gen-common-chars OUT.cpp RIME_DATA LUNA_DICT\n";
        return 2;
    }
    std::vector<char32_t> order;
    std::set<char32_t> have;
    // 1. GB2312 hanzi.
    iconv_t cd = iconv_open("UTF-8", "GB2312");
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        std::cerr << "iconv cannot convert from GB2312\n";
        return 1;
    }
    for (int row = 0xB0; row <= 0xF7; ++row) {
        for (int col = 0xA1; col <= 0xFE; ++col) {
            char in[2] = {static_cast<char>(row), static_cast<char>(col)};
            char out[8] = {};
            char* ip = in;
            char* op = out;
            std::size_t il = 2, ol = sizeof(out);
            iconv(cd, nullptr, nullptr, nullptr, nullptr);
            if (iconv(cd, &ip, &il, &op, &ol) == static_cast<std::size_t>(-1))
                continue; // an empty position (row 0xD7)
            std::size_t n = 0;
            const char32_t cp = decode(std::string_view(out, op - out), n);
            if (isBmpHanzi(cp) && have.insert(cp).second)
                order.push_back(cp);
        }
    }
    iconv_close(cd);
    const std::size_t gb = order.size();
    // 2. The syllables of luna_pinyin (single characters with a one-syllable code).
    std::ifstream dict(argv[3]);
    std::set<std::string> syllables;
    std::string line;
    bool body = false;
    while (std::getline(dict, line)) {
        if (!body) {
            body = line == "...";
            continue;
        }
        const auto t1 = line.find('\t');
        if (t1 == std::string::npos || line[0] == '#')
            continue;
        const auto t2 = line.find('\t', t1 + 1);
        const std::string code = line.substr(t1 + 1, t2 == std::string::npos ? t2 : t2 - t1 - 1);
        if (!code.empty() && code.find(' ') == std::string::npos &&
            code.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos)
            syllables.insert(code);
    }
    auto ime = PinyinInputMethod::open(argv[2]);
    if (!ime) {
        std::cerr << ime.error() << "\n";
        return 1;
    }
    std::vector<std::vector<char32_t>> ranked;
    Sink sink;
    for (const std::string& syl : syllables) {
        (*ime)->reset();
        for (char c : syl) {
            const char key[2] = {c, 0};
            (*ime)->feed(ImeKey{ImeKey::Kind::Text, std::string_view(key, 1)}, sink);
        }
        std::vector<char32_t> chars;
        for (std::size_t i = 0; i < (*ime)->candidateCount(); ++i) {
            const auto cand = (*ime)->candidate(i);
            std::size_t n = 0;
            const char32_t cp = decode(cand, n);
            if (n == cand.size() && isBmpHanzi(cp))
                chars.push_back(cp);
        }
        ranked.push_back(std::move(chars));
    }
    (*ime)->reset();
    for (std::size_t rank = 0; order.size() < kTarget; ++rank) {
        bool any = false;
        for (const auto& chars : ranked) {
            if (rank < chars.size()) {
                any = true;
                if (order.size() < kTarget && have.insert(chars[rank]).second)
                    order.push_back(chars[rank]);
            }
        }
        if (!any)
            break;
    }
    for (char32_t must : {U'凌', U'聊', U'诺', U'啥', U'双', U'减'}) {
        if (!have.contains(must)) {
            std::cerr << "the common set lacks U+" << std::hex << static_cast<unsigned>(must)
                      << "\n";
            return 1;
        }
    }
    std::ofstream out(argv[1]);
    out << "// Generated by kiosk/ui/tools/gen_common_chars.cpp at build time: " << gb
        << " GB2312 hanzi + " << order.size() - gb
        << " more from luna_pinyin_simp's first candidates.\n"
        << "#include \"kiosk/ui/fonts.hpp\"\n\nnamespace minsheng::kiosk::ui {\n\n"
        << "std::span<const char32_t> commonCharacters() {\n    static const char32_t k[] = {";
    for (std::size_t i = 0; i < order.size(); ++i) {
        out << (i % 12 == 0 ? "\n        " : " ") << "0x" << std::hex
            << static_cast<unsigned>(order[i]) << ",";
    }
    out << std::dec << "\n    };\n    return k;\n}\n\n} // namespace minsheng::kiosk::ui\n";
    std::cout << "common characters: " << gb << " from GB2312, " << order.size() - gb
              << " from luna_pinyin_simp, " << order.size() << " in all\n";
    return out ? 0 : 1;
}
