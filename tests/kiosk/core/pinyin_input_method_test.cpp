// PinyinInputMethod on the data the build deployed (build/rime): candidates for the words of the
// domain, composition editing, commits, and the privacy invariants (nothing learnt, nothing on
// disk, reset forgets).
#include "kiosk/core/pinyin_input_method.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace minsheng::kiosk;
namespace fs = std::filesystem;

namespace {

/// A text field that takes everything.
class StringTarget final : public TextTarget {
public:
    void insert(std::string_view s) override { text.append(s); }
    void backspace() override {
        while (!text.empty()) {
            const unsigned char c = static_cast<unsigned char>(text.back());
            text.pop_back();
            if ((c & 0xC0) != 0x80)
                break;
        }
    }
    bool multiline() const override { return true; }
    std::string text;
};

PinyinInputMethod& ime() {
    static auto m = [] {
        auto r = PinyinInputMethod::open(minsheng::test::binaryDir() / "rime");
        if (!r)
            FAIL(r.error());
        return std::move(r.value());
    }();
    return *m;
}

void typeLetters(InputMethod& m, TextTarget& t, std::string_view letters) {
    for (std::size_t i = 0; i < letters.size(); ++i)
        m.feed(ImeKey{ImeKey::Kind::Text, letters.substr(i, 1)}, t);
}

std::vector<std::string> candidates(const InputMethod& m, std::size_t n = 100) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < std::min(n, m.candidateCount()); ++i)
        out.emplace_back(m.candidate(i));
    return out;
}

std::vector<std::string> candidatesFor(std::string_view letters, std::size_t n = 100) {
    StringTarget t;
    ime().reset();
    typeLetters(ime(), t, letters);
    auto c = candidates(ime(), n);
    ime().reset();
    return c;
}

std::size_t filesUnder(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        n += e.is_regular_file() ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("everyday pinyin gives the expected simplified words first", "[pinyin]") {
    const std::pair<const char*, const char*> cases[] = {
        {"nihao", "你好"}, {"zuoye", "作业"}, {"woyaotousu", "我要投诉"}, {"laoshi", "老师"}};
    for (const auto& [letters, word] : cases) {
        INFO(letters);
        const auto c = candidatesFor(letters);
        REQUIRE_FALSE(c.empty());
        CHECK(c.front() == word);
    }
}

TEST_CASE("the domain vocabulary comes first for its pinyin", "[pinyin]") {
    const std::pair<const char*, const char*> cases[] = {{"shuangjian", "双减"},
                                                         {"youchangbuke", "有偿补课"},
                                                         {"xiaowaipeixun", "校外培训"},
                                                         {"yinxingbianyi", "隐形变异"},
                                                         {"tuifei", "退费"},
                                                         {"yushoufei", "预收费"},
                                                         {"kehoufuwu", "课后服务"},
                                                         {"peixunjigou", "培训机构"},
                                                         {"yiduiyi", "一对一"},
                                                         {"gaoduanjiazheng", "高端家政"},
                                                         {"zhongchousijiao", "众筹私教"},
                                                         {"zuoyefudan", "作业负担"},
                                                         {"zaizhijiaoshi", "在职教师"},
                                                         {"xiaoyuanqiling", "校园欺凌"}};
    for (const auto& [letters, word] : cases) {
        INFO(letters << " → " << candidatesFor(letters, 5).front());
        CHECK(candidatesFor(letters, 1).front() == word);
    }
}

TEST_CASE("choosing a candidate commits it into the field", "[pinyin]") {
    StringTarget t;
    ime().reset();
    typeLetters(ime(), t, "woyaotousu");
    CHECK(ime().preedit().size() > 0);
    CHECK(t.text.empty()); // nothing reaches the field while composing
    const auto c = candidates(ime());
    const auto it = std::find(c.begin(), c.end(), "我要投诉");
    REQUIRE(it != c.end());
    ime().choose(static_cast<std::size_t>(it - c.begin()), t);
    CHECK(t.text == "我要投诉");
    CHECK(ime().preedit().empty());
    CHECK(ime().candidateCount() == 0);
}

TEST_CASE("a partial choice keeps composing the rest", "[pinyin]") {
    StringTarget t;
    ime().reset();
    typeLetters(ime(), t, "woyao");
    auto c = candidates(ime());
    const auto wo = std::find(c.begin(), c.end(), "我");
    REQUIRE(wo != c.end());
    ime().choose(static_cast<std::size_t>(wo - c.begin()), t);
    CHECK(t.text.empty());
    CHECK(ime().candidateCount() > 0);
    CHECK(ime().preedit().find("我") != std::string_view::npos);
    c = candidates(ime());
    const auto yao = std::find(c.begin(), c.end(), "要");
    REQUIRE(yao != c.end());
    ime().choose(static_cast<std::size_t>(yao - c.begin()), t);
    CHECK(t.text == "我要");
}

TEST_CASE("backspace edits the composition, then the field", "[pinyin]") {
    StringTarget t;
    t.text = "前";
    ime().reset();
    typeLetters(ime(), t, "nihaoo");
    ime().feed(ImeKey{ImeKey::Kind::Backspace, {}}, t);
    REQUIRE(ime().candidateCount() > 0);
    CHECK(ime().candidate(0) == "你好");
    for (int i = 0; i < 5; ++i)
        ime().feed(ImeKey{ImeKey::Kind::Backspace, {}}, t);
    CHECK(ime().preedit().empty());
    CHECK(ime().candidateCount() == 0);
    CHECK(t.text == "前");
    ime().feed(ImeKey{ImeKey::Kind::Backspace, {}}, t);
    CHECK(t.text.empty());
}

TEST_CASE("space, enter, digits and punctuation end a composition", "[pinyin]") {
    StringTarget t;
    ime().reset();
    typeLetters(ime(), t, "nihao");
    ime().feed(ImeKey{ImeKey::Kind::Space, {}}, t);
    CHECK(t.text == "你好");
    typeLetters(ime(), t, "zuoye");
    ime().feed(ImeKey{ImeKey::Kind::Text, "，"}, t);
    CHECK(t.text == "你好作业，");
    typeLetters(ime(), t, "abc");
    ime().feed(ImeKey{ImeKey::Kind::Enter, {}}, t);
    CHECK(t.text == "你好作业，abc");
    ime().feed(ImeKey{ImeKey::Kind::Text, "3"}, t);
    ime().feed(ImeKey{ImeKey::Kind::Text, "A"}, t);
    ime().feed(ImeKey{ImeKey::Kind::Space, {}}, t);
    CHECK(t.text == "你好作业，abc3A ");
    typeLetters(ime(), t, "tuifei");
    ime().commitComposition(t); // 中 → 英 keeps the letters
    CHECK(t.text == "你好作业，abc3A tuifei");
    CHECK(ime().preedit().empty());
}

TEST_CASE("nothing is learnt: choices do not reorder later candidates", "[pinyin][privacy]") {
    const auto before = candidatesFor("shi", 20);
    const auto phraseBefore = candidatesFor("xiaobai", 3);
    REQUIRE(before.size() == 20);
    for (int round = 0; round < 3; ++round) {
        StringTarget t;
        typeLetters(ime(), t, "shi");
        ime().choose(12, t); // a rarely chosen character, three times
        CHECK(t.text == before[12]);
        // A new phrase from single characters (晓 + 白): a learning engine would offer it next.
        typeLetters(ime(), t, "xiao");
        auto c = candidates(ime());
        auto x = std::find(c.begin(), c.end(), "晓");
        REQUIRE(x != c.end());
        ime().choose(static_cast<std::size_t>(x - c.begin()), t);
        typeLetters(ime(), t, "bai");
        ime().choose(0, t);
    }
    // Not even within the same session, and of course not after a reset.
    StringTarget t;
    typeLetters(ime(), t, "shi");
    CHECK(candidates(ime(), 20) == before);
    ime().reset();
    CHECK(candidatesFor("shi", 20) == before);
    CHECK(candidatesFor("xiaobai", 3) == phraseBefore);
}

TEST_CASE("the engine keeps nothing on disk and reset forgets the composition",
          "[pinyin][privacy]") {
    StringTarget t;
    ime().reset();
    typeLetters(ime(), t, "woyaotousu");
    ime().choose(0, t);
    typeLetters(ime(), t, "tuifei");
    const fs::path user = PinyinInputMethod::userDataDir();
    REQUIRE_FALSE(user.empty());
    CHECK(fs::is_directory(user));
    CHECK(filesUnder(user) == 0);
    CHECK((fs::status(user).permissions() & fs::perms::others_all) == fs::perms::none);
    ime().reset();
    CHECK(ime().preedit().empty());
    CHECK(ime().candidateCount() == 0);
    // The data folder was deployed at build time and is only read.
    CHECK(fs::exists(minsheng::test::binaryDir() / "rime" / "minsheng_pinyin.table.bin"));
}

TEST_CASE("a private directory left by a killed process is removed", "[pinyin][privacy]") {
    // A pid that is not running: a child that has exited and been reaped.
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    ime(); // the engine runs: its own directory must survive the sweep
    const fs::path ours = PinyinInputMethod::userDataDir();
    const fs::path stale =
        ours.parent_path() / ("minsheng-rime-" + std::to_string(child) + "-test01");
    fs::create_directories(stale);
    PinyinInputMethod::removeStaleUserDirs(ours.parent_path());
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(ours));
}

TEST_CASE("a folder without deployed data is refused with the fix", "[pinyin]") {
    minsheng::test::TempDir empty("minsheng-rime-empty");
    auto r = PinyinInputMethod::open(empty.path());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains(empty.path().string()));
}
