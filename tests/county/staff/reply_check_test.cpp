// The public-reply check: phone numbers, 居民身份证 numbers and names are found where staff write
// them, and ordinary replies stay quiet.
#include "county/staff/reply_check.hpp"

#include <catch2/catch.hpp>

using namespace minsheng::staff;
using Kind = ReplyWarning::Kind;

namespace {

std::vector<std::string> matches(std::string_view text, Kind kind) {
    std::vector<std::string> out;
    for (const auto& w : checkPublicReply(text))
        if (w.kind == kind)
            out.push_back(w.matched);
    return out;
}

using Strings = std::vector<std::string>;

} // namespace

TEST_CASE("phone numbers are found, with spaces and dashes inside", "[staff][reply-check]") {
    CHECK(matches("请联系13812345678了解详情", Kind::Phone) == Strings{"13812345678"});
    CHECK(matches("电话 138 1234 5678。", Kind::Phone) == Strings{"138 1234 5678"});
    CHECK(matches("电话138-1234-5678", Kind::Phone) == Strings{"138-1234-5678"});
    CHECK(matches("拨打 +86 13912345678", Kind::Phone) == Strings{"86 13912345678"});
    CHECK(matches("教育局电话0371-65123456，或 010 12345678", Kind::Phone) ==
          Strings{"0371-65123456", "010 12345678"});
    CHECK(matches("座机037165123456", Kind::Phone) == Strings{"037165123456"});
    CHECK(matches("全角１３８１２３４５６７８", Kind::Phone) == Strings{"１３８１２３４５６７８"});
    // Within a run of groups, the group that is a number is found: "3 班" before it.
    CHECK(matches("3 13812345678", Kind::Phone) == Strings{"13812345678"});

    const auto w = checkPublicReply("请联系13812345678");
    REQUIRE(w.size() == 1);
    CHECK(w[0].offset == std::string("请联系").size());
    CHECK(w[0].message ==
          "答复中含有电话号码 138…，家长可见，请确认 — the reply contains a phone number; parents "
          "will see it");
}

TEST_CASE("dates, amounts, order numbers and short numbers are not phone numbers",
          "[staff][reply-check]") {
    CHECK(matches("已于2024-03-15退费1200元", Kind::Phone).empty());
    CHECK(matches("订单号138123456789", Kind::Phone).empty()); // 12 digits, starts with 1
    CHECK(matches("编号A13812345678", Kind::Phone).empty());   // glued to a letter
    CHECK(matches("13812345678B", Kind::Phone).empty());       // glued to a letter
    CHECK(matches("12345678901", Kind::Phone).empty());        // 12… is not a mobile
    CHECK(matches("每天作业不超过 60 分钟，3 年级", Kind::Phone).empty());
    CHECK(checkPublicReply("您反映的问题已办结，感谢您的监督。").empty());
}

TEST_CASE("ID card numbers are found by check digit or birth date", "[staff][reply-check]") {
    // GB 11643's example: a valid check character X.
    CHECK(matches("身份证11010519491231002X", Kind::IdNumber) == Strings{"11010519491231002X"});
    CHECK(matches("11010519491231002x。", Kind::IdNumber) == Strings{"11010519491231002x"});
    // Wrong check character, but a real birth date: still warned.
    CHECK(matches("110105194912310021", Kind::IdNumber) == Strings{"110105194912310021"});
    // Neither: an 18-digit order number.
    CHECK(matches("订单 123456789012345678", Kind::IdNumber).empty());
    // 17 or 19 digits, or glued to a letter.
    CHECK(matches("11010519491231002", Kind::IdNumber).empty());
    CHECK(matches("1101051949123100211", Kind::IdNumber).empty());
    CHECK(matches("No11010519491231002X", Kind::IdNumber).empty());
    // An ID number is not also reported as a phone number.
    CHECK(matches("11010519491231002X", Kind::Phone).empty());
    const auto w = checkPublicReply("11010519491231002X");
    REQUIRE(w.size() == 1);
    CHECK(w[0].message == "答复中含有身份证号 1101…，家长可见，请确认 — the reply contains an ID "
                          "card number; parents will see it");
}

TEST_CASE("names with a surname and a title are found, generic words are not",
          "[staff][reply-check]") {
    CHECK(matches("已约谈王老师", Kind::PersonName) == Strings{"王老师"});
    CHECK(matches("王小明同学的作业已调整", Kind::PersonName) == Strings{"王小明同学"});
    CHECK(matches("欧阳校长和张伟老师", Kind::PersonName) == Strings{"欧阳校长", "张伟老师"});
    CHECK(matches("司马主任已处理", Kind::PersonName) == Strings{"司马主任"});
    CHECK(matches("李女士、刘先生、赵家长", Kind::PersonName) ==
          Strings{"李女士", "刘先生", "赵家长"});
    CHECK(matches("我们班李老师", Kind::PersonName) == Strings{"李老师"});

    for (const char* generic :
         {"各位老师", "老师们已知悉", "学校老师", "数学老师", "任课老师", "高年级同学", "各位家长",
          "学生家长", "班主任", "关于老师的安排", "提高老师待遇", "历史老师", "每周老师检查",
          "相关老师", "经常老师拖堂", "校长办公室", "全体同学"})
        CHECK(matches(generic, Kind::PersonName).empty());

    const auto w = checkPublicReply("已约谈王老师");
    REQUIRE(w.size() == 1);
    CHECK(w[0].offset == std::string("已约谈").size());
    CHECK(w[0].message ==
          "答复中含有人名 王老师，家长可见，请确认 — the reply names a person (王老师); parents "
          "will see it");
}

TEST_CASE("malformed UTF-8 is read byte by byte and never hides a number", "[staff][reply-check]") {
    const std::string text = std::string("\xE4\xBD") + "13812345678" + "\xFF" + "王老师";
    const auto w = checkPublicReply(text);
    REQUIRE(w.size() == 2);
    CHECK(w[0].kind == Kind::Phone);
    CHECK(w[0].offset == 2);
    CHECK(w[1].kind == Kind::PersonName);
    CHECK(w[1].offset == 14);
    CHECK(replyWarningKindName(Kind::IdNumber) == "id_number");
    CHECK(kChineseSurnames.size() >= 100);
}
