// Read-aloud's readings: every prompt the shipped configuration can speak (spokenPrompts, the
// kiosk's own enumeration) against tests/kiosk/core/expected_readings.tsv, a table a person
// reviewed syllable by syllable; the tone changes and segmentation rules of pinyin_reading.hpp
// on chosen cases; and a configuration's pinned readings, from the TOML to what is spoken.
#include "kiosk/core/pinyin_reading.hpp"
#include "kiosk/core/spoken_prompts.hpp"
#include "sync/forms/text_rules.hpp"
#include "tests/support/form_fixtures.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace minsheng;
using namespace minsheng::kiosk;
using namespace minsheng::forms::test;
namespace fs = std::filesystem;

namespace {

const PinyinReading& reading() {
    static const PinyinReading r = [] {
        auto loaded = PinyinReading::load(kDefaultPinyinDictionary);
        if (!loaded)
            FAIL(loaded.error().message);
        return std::move(loaded.value());
    }();
    return r;
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

/// text → reading, from the reviewed table (TEXT<TAB>READING; # comments).
std::map<std::string, std::string> expectedReadings() {
    std::ifstream in(minsheng::test::sourceDir() / "tests/kiosk/core/expected_readings.tsv");
    REQUIRE(in);
    std::map<std::string, std::string> table;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#')
            continue;
        const auto tab = line.find('\t');
        REQUIRE(tab != std::string::npos);
        table.emplace(line.substr(0, tab), line.substr(tab + 1));
    }
    return table;
}

std::vector<SpokenPrompt> shippedPrompts() {
    FormSet forms;
    forms.lists = shippedLists();
    forms.complaint = shippedForm("complaint", forms.lists);
    forms.survey = shippedForm("survey", forms.lists);
    auto policy = loadPolicyPages(configDir() / "policy" / "rules.toml");
    REQUIRE(policy.ok());
    auto catalog = LocaleCatalog::load(configDir() / "locale");
    REQUIRE(catalog.ok());
    return spokenPrompts(forms, policy.value(), catalog.value(), forms::kLocaleZh);
}

} // namespace

TEST_CASE("readings: every prompt the shipped configuration speaks matches the reviewed table",
          "[assist][readings]") {
    const auto table = expectedReadings();
    const auto prompts = shippedPrompts();
    REQUIRE(prompts.size() > 100);
    std::size_t syllables = 0, wrong = 0, missing = 0;
    std::ostringstream report;
    std::set<std::string> spoken;
    for (const SpokenPrompt& p : prompts) {
        if (forms::hanCharacterCount(p.text) == 0)
            continue;
        spoken.insert(p.text);
        const std::string got = reading().toPinyin(p.text, p.reading);
        const auto it = table.find(p.text);
        if (it == table.end()) {
            ++missing;
            report << "not in the table: " << p.text << "\t" << got << "\n";
            continue;
        }
        // Pause marks are the punctuation's business; compare the syllables.
        std::string plain;
        for (char c : got)
            if (c != ',' && c != '.' && c != '?' && c != '!')
                plain += c;
        const auto g = words(plain), e = words(it->second);
        std::size_t bad = g.size() == e.size() ? 0 : std::max(g.size(), e.size());
        for (std::size_t k = 0; k < std::min(g.size(), e.size()) && g.size() == e.size(); ++k)
            bad += g[k] != e[k] ? 1 : 0;
        syllables += e.size();
        wrong += bad;
        if (bad)
            report << p.origin << ": " << p.text << "\n  expected " << it->second << "\n  got      "
                   << plain << "\n";
    }
    std::size_t stale = 0;
    for (const auto& [text, r] : table) {
        if (!spoken.count(text)) {
            ++stale;
            report << "in the table but not spoken by the configuration: " << text << "\n";
        }
    }
    INFO(syllables << " syllables in " << spoken.size() << " prompts\n" << report.str());
    CHECK(missing == 0);
    CHECK(stale == 0);
    CHECK(wrong == 0);
}

TEST_CASE("readings: every line of the own phrase list is well-formed", "[assist][readings]") {
    std::ifstream in(minsheng::test::sourceDir() / "kiosk/core/data/mandarin_phrases.txt");
    REQUIRE(in);
    int lines = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#')
            continue;
        const auto tab = line.find('\t');
        INFO(line);
        REQUIRE(tab != std::string::npos);
        CHECK(forms::checkPinnedReading(line.substr(0, tab), line.substr(tab + 1)) == "");
        ++lines;
    }
    CHECK(lines > 50);
}

TEST_CASE("readings: polyphones and neutral tones follow mainland readings", "[assist][readings]") {
    const PinyinReading& p = reading();
    CHECK(p.toPinyin("您的") == "nin2 de5");
    CHECK(p.toPinyin("怎么办") == "zen3 me5 ban4");
    CHECK(p.toPinyin("只是") == "zhi3 shi4"); // not the measure word zhi1
    CHECK(p.toPinyin("任何") == "ren4 he2");
    CHECK(p.toPinyin("突然") == "tu1 ran2");
    CHECK(p.toPinyin("成绩") == "cheng2 ji4");
    CHECK(p.toPinyin("参加") == "can1 jia1");
    CHECK(p.toPinyin("同意") == "tong2 yi4");
    CHECK(p.toPinyin("合格") == "he2 ge2");
    CHECK(p.toPinyin("换行") == "huan4 hang2");
    CHECK(p.toPinyin("为什么") == "wei4 shen2 me5");
    CHECK(p.toPinyin("垃圾") == "la1 ji1"); // terra_pinyin's le4 se4 is not a 现代汉语词典 reading
}

TEST_CASE("readings: segmentation does not let a rare phrase split a common word",
          "[assist][readings]") {
    const PinyinReading& p = reading();
    // 的信 (di2 xin4, "the letter of") is a phrase of terra_pinyin; 信息 is the common word.
    CHECK(p.toPinyin("填写您的信息") == "tian2 xie3 nin2 de5 xin4 xi1");
    CHECK(p.toPinyin("学校的信息公开") == "xue2 xiao4 de5 xin4 xi1 gong1 kai1");
}

TEST_CASE("readings: tone changes of 一, 不 and third tones", "[assist][readings]") {
    const PinyinReading& p = reading();
    CHECK(p.toPinyin("看一下") == "kan4 yi2 xia4");
    CHECK(p.toPinyin("一次") == "yi2 ci4");
    CHECK(p.toPinyin("一直") == "yi4 zhi2");
    CHECK(p.toPinyin("一天") == "yi4 tian1");
    CHECK(p.toPinyin("一起") == "yi4 qi3");
    CHECK(p.toPinyin("第一") == "di4 yi1");
    CHECK(p.toPinyin("统一") == "tong3 yi1");
    CHECK(p.toPinyin("十一") == "shi2 yi1");
    CHECK(p.toPinyin("一二三") == "yi1 er4 san1");
    CHECK(p.toPinyin("一") == "yi1");
    CHECK(p.toPinyin("不到") == "bu2 dao4");
    CHECK(p.toPinyin("不退") == "bu2 tui4");
    CHECK(p.toPinyin("不行") == "bu4 xing2");
    CHECK(p.toPinyin("不") == "bu4");
    CHECK(p.toPinyin("你好") == "ni2 hao3");
    CHECK(p.toPinyin("了解") == "liao2 jie3");
    // 只显示 is one word: zhi3 before xian3 becomes zhi2. Across a word boundary a third tone
    // keeps its tone: 已 + 保存.
    CHECK(p.toPinyin("只显示") == "zhi2 xian3 shi4");
    CHECK(p.toPinyin("已保存") == "yi3 bao3 cun2");
}

TEST_CASE("readings: a pinned reading is spoken as written", "[assist][readings]") {
    const PinyinReading& p = reading();
    CHECK(p.toPinyin("重庆，2 个", "chong2 qing4 ge4") == "chong2 qing4, er4 ge4");
    // The wrong number of syllables is ignored here (the loader refuses it).
    CHECK(p.toPinyin("行", "hang2 hang2") == "xing2");

    const auto lists = testLists();
    std::string toml(kTestForm);
    const std::string label = "label = { zh-CN = \"";
    const auto at = toml.find(label);
    REQUIRE(at != std::string::npos);
    const auto close = toml.find('}', at);
    const std::string zh =
        toml.substr(at + label.size(), toml.find('"', at + label.size()) - at - label.size());
    const std::size_t n = forms::hanCharacterCount(zh);
    REQUIRE(n > 0);
    std::string pin;
    for (std::size_t k = 0; k < n; ++k)
        pin += (k ? " " : "") + std::string("a1");
    std::string pinned = toml;
    pinned.insert(close, ", reading = \"" + pin + "\" ");
    auto form = forms::parseForm(pinned, "pinned.toml", lists);
    INFO((form ? std::string() : form.error().toString()));
    REQUIRE(form.ok());
    FormSet set;
    set.lists = lists;
    set.complaint = form.value();
    set.survey = form.value();
    auto catalog = LocaleCatalog::load(configDir() / "locale");
    REQUIRE(catalog.ok());
    const auto pins = pinnedReadings(spokenPrompts(set, {}, catalog.value(), forms::kLocaleZh));
    REQUIRE(pins.count(zh) == 1);
    CHECK(pins.at(zh) == pin);

    std::string wrongCount = toml;
    wrongCount.insert(close, ", reading = \"" + pin + " a1\" ");
    auto bad = forms::parseForm(wrongCount, "pinned.toml", lists);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().toString(),
               Catch::Contains("pinned.toml:" + std::to_string(lineOf(toml, label))));
    CHECK_THAT(bad.error().toString(), Catch::Contains("syllables for"));

    std::string notPinyin = toml;
    notPinyin.insert(close, ", reading = \"ni3 HAO\" ");
    auto bad2 = forms::parseForm(notPinyin, "pinned.toml", lists);
    REQUIRE_FALSE(bad2.ok());
    CHECK_THAT(bad2.error().toString(), Catch::Contains("is not a syllable"));
}
