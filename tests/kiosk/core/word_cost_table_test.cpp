// The segmentation word table of read-aloud (word_cost_table.hpp): counts of a word listed twice
// add up, raiseTo sets a floor, words that end at or below zero are left out, and a look-up finds
// exactly the words put in; through PinyinReading::parse, a traditional and a simplified spelling
// of one word count as one word.
#include "kiosk/core/pinyin_reading.hpp"
#include "kiosk/core/word_cost_table.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>

using namespace minsheng::kiosk;

namespace {

double identity(double count) {
    return count;
}

} // namespace

TEST_CASE("word table: counts add up, raiseTo is a floor, empty words are dropped",
          "[assist][word-table]") {
    WordCostTable::Builder b;
    b.add("信息", 3);
    b.add("的", 10);
    b.add("信息", 4);
    b.add("的信", 0);
    b.add("填写", 5);
    b.add("填写", -5);
    b.add("", 8);
    b.raiseTo("信息", 2);  // below its count: no change
    b.raiseTo("银行", 20); // not in the list: gets the floor
    b.raiseTo("的", 12);   // above its count: raised
    const WordCostTable t = b.finish([](double c) { return c * 2; });
    CHECK(t.size() == 3);
    CHECK(t.find("信息") == 14.0);
    CHECK(t.find("银行") == 40.0);
    CHECK(t.find("的") == 24.0);
    CHECK_FALSE(t.find("的信")); // a count of 0
    CHECK_FALSE(t.find("填写")); // counts that cancel out
    CHECK_FALSE(t.find(""));
    CHECK_FALSE(t.find("信"));     // a prefix of a word
    CHECK_FALSE(t.find("信息化")); // a word extended
}

TEST_CASE("word table: a look-up finds every word put in and nothing else",
          "[assist][word-table]") {
    // Words of 1-4 syllables over a small alphabet, so that many share prefixes.
    const std::string alphabet[] = {"中", "国", "人", "大", "学", "a", "z"};
    std::mt19937 random(20240605);
    std::map<std::string, double> expected;
    WordCostTable::Builder b;
    for (int i = 0; i < 3000; ++i) {
        std::string word;
        const int length = 1 + static_cast<int>(random() % 4);
        for (int k = 0; k < length; ++k)
            word += alphabet[random() % std::size(alphabet)];
        const double count = 1 + static_cast<double>(random() % 100);
        expected[word] += count;
        b.add(word, count);
    }
    const WordCostTable t = b.finish(identity);
    REQUIRE(t.size() == expected.size());
    for (const auto& [word, count] : expected)
        CHECK(t.find(word) == count);
    // Every string of up to 5 symbols that was not put in is absent.
    std::size_t absent = 0;
    for (int length = 1; length <= 5; ++length) {
        std::size_t combinations = 1;
        for (int k = 0; k < length; ++k)
            combinations *= std::size(alphabet);
        for (std::size_t n = 0; n < combinations; ++n) {
            std::string word;
            for (std::size_t rest = n, k = 0; k < static_cast<std::size_t>(length); ++k) {
                word += alphabet[rest % std::size(alphabet)];
                rest /= std::size(alphabet);
            }
            if (expected.count(word) == 0) {
                ++absent;
                CHECK_FALSE(t.find(word));
            }
        }
    }
    CHECK(absent > 10000);
}

TEST_CASE("word table: an empty list is an empty table", "[assist][word-table]") {
    WordCostTable::Builder b;
    const WordCostTable t = b.finish(identity);
    CHECK(t.size() == 0);
    CHECK_FALSE(t.find("中"));
}

TEST_CASE("pinyin: a word listed in traditional and simplified spelling counts once, summed",
          "[assist][word-table]") {
    // Third-tone sandhi shows the segmentation: 两点 as one word is liang2 dian3, as two words
    // liang3 dian3. Either spelling alone (300 of 2600) costs more than 两 + 点; both together
    // (600) cost less.
    const std::string dict = "---\nname: t\n...\n两\tliang3\n点\tdian3\n";
    auto both = PinyinReading::parse(dict, "t.yaml", "兩點\t300\n两点\t300\n两\t1000\n点\t1000\n");
    REQUIRE(both);
    CHECK(both.value().toPinyin("两点") == "liang2 dian3");
    auto one = PinyinReading::parse(dict, "t.yaml", "两点\t300\n两\t1000\n点\t1000\n吗\t300\n");
    REQUIRE(one);
    CHECK(one.value().toPinyin("两点") == "liang3 dian3");
}
