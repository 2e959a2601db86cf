// validateAnswers(), parseAnswersJson() and exampleAnswers(): one case per error code, the
// conditions, the picker filter, and the example answers of the shipped forms.
#include "crypto/secret_arena.hpp"
#include "sync/forms/form_description.hpp"
#include "sync/forms/text_rules.hpp"
#include "sync/forms/validation.hpp"
#include "tests/support/form_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace minsheng::forms;
using namespace minsheng::forms::test;
using minsheng::crypto::SecretArena;

namespace {

/// Valid minimal answers to the test form: kind b (so only_a is hidden), nothing else.
Answers minimal(std::pmr::memory_resource* r) {
    Answers a(r);
    a.setChoice("kind", "b");
    return a;
}

/// The errors as "field:code" strings, for readable comparisons.
std::vector<std::string> summary(const std::vector<FieldError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors)
        out.push_back(e.field + ":" + std::string(fieldErrorCodeName(e.code)));
    return out;
}

using Codes = std::vector<std::string>;

} // namespace

TEST_CASE("valid answers have no errors", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    a.setChoice("kind", "a");
    a.setText("only_a", "五个字正好");
    a.setChoices("tags", {"t3", "t1"});
    a.setText("notes", "一行\n二行");
    a.setText("phone", "0571-12345678");
    a.setText("day", "2024-02-29");
    a.setText("at", "23:59");
    a.setInteger("mood", 5);
    a.setChoice("region", "south");
    a.setChoice("town", "s1");
    CHECK(summary(validateAnswers(form, a)) == Codes{});
    CHECK(summary(validateAnswers(form, minimal(&arena))) == Codes{});
}

TEST_CASE("each validation error code", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a = minimal(&arena);

    SECTION("Unknown") {
        a.setText("nonsense", "x");
        CHECK(summary(validateAnswers(form, a)) == Codes{"nonsense:unknown"});
    }
    SECTION("Required (missing and empty)") {
        Answers none(&arena);
        CHECK(summary(validateAnswers(form, none)) == Codes{"kind:required"});
        none.setChoice("kind", "");
        CHECK(summary(validateAnswers(form, none)) == Codes{"kind:required"});
        a.setChoice("kind", "a"); // only_a is shown now and required
        CHECK(summary(validateAnswers(form, a)) == Codes{"only_a:required"});
    }
    SECTION("WrongType") {
        a.setText("mood", "5");
        a.setChoices("kind", {"a"});
        a.setInteger("notes", 3);
        CHECK(summary(validateAnswers(form, a)) ==
              Codes{"kind:wrong-type", "notes:wrong-type", "mood:wrong-type"});
    }
    SECTION("TooLong counts code points, not bytes") {
        a.setChoice("kind", "a");
        a.setText("only_a", "一二三四五"); // 5 code points, 15 bytes: fits
        CHECK(summary(validateAnswers(form, a)) == Codes{});
        a.setText("only_a", "一二三四五六");
        const auto errors = validateAnswers(form, a);
        CHECK(summary(errors) == Codes{"only_a:too-long"});
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].message.zh.find("甲的说明") != std::string::npos);
        CHECK(errors[0].message.en.find("About A") != std::string::npos);
        CHECK(errors[0].message.en.find("6") != std::string::npos);
        a.setText("only_a", "😀😀😀😀😀"); // 20 bytes, 5 code points
        CHECK(summary(validateAnswers(form, a)) == Codes{});
    }
    SECTION("NotAnOption") {
        a.setChoice("kind", "c");
        CHECK(summary(validateAnswers(form, a)) == Codes{"kind:not-an-option"});
        a.setChoice("kind", "b");
        a.setChoices("tags", {"t1", "t9"});
        a.setChoice("region", "east");
        CHECK(summary(validateAnswers(form, a)) ==
              Codes{"tags:not-an-option", "region:not-an-option"});
    }
    SECTION("NotShown") {
        a.setText("only_a", "abc"); // kind is b
        const auto errors = validateAnswers(form, a);
        CHECK(summary(errors) == Codes{"only_a:not-shown"});
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].message.zh.find("“甲的说明”") == 0);
        // An empty answer to a hidden field is not an answer.
        a.setText("only_a", "");
        CHECK(summary(validateAnswers(form, a)) == Codes{});
    }
    SECTION("BadFormat: phone") {
        for (const char* bad : {"1380013800", "138001380001", "23800138000", "1380013800a",
                                "0571 12345678", "571-12345678", "0571-123456", "0571-123456789",
                                "05712-1234567", "+8613800138000", ""}) {
            INFO(bad);
            a.setText("phone", bad);
            const Codes expected = *bad ? Codes{"phone:bad-format"} : Codes{};
            CHECK(summary(validateAnswers(form, a)) == expected);
        }
        for (const char* good : {"13800138000", "19912345678", "0571-12345678", "010-1234567"}) {
            INFO(good);
            a.setText("phone", good);
            CHECK(summary(validateAnswers(form, a)) == Codes{});
        }
    }
    SECTION("BadFormat: date") {
        for (const char* bad :
             {"2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-05",
              "2026/01/05", "20260105", "2026-01-05 ", "1899-12-31", "2026-01-0x"}) {
            INFO(bad);
            a.setText("day", bad);
            CHECK(summary(validateAnswers(form, a)) == Codes{"day:bad-format"});
        }
        for (const char* good : {"2024-02-29", "2026-12-31", "2000-02-29"}) {
            INFO(good);
            a.setText("day", good);
            CHECK(summary(validateAnswers(form, a)) == Codes{});
        }
    }
    SECTION("BadFormat: time") {
        for (const char* bad : {"24:00", "12:60", "7:30", "07:3", "0730", "07-30", "07:30:00"}) {
            INFO(bad);
            a.setText("at", bad);
            CHECK(summary(validateAnswers(form, a)) == Codes{"at:bad-format"});
        }
        a.setText("at", "00:00");
        CHECK(summary(validateAnswers(form, a)) == Codes{});
    }
    SECTION("BadFormat: invalid UTF-8") {
        for (std::string_view bad : {std::string_view("\xff"), std::string_view("abc\xe4\xb8"),
                                     std::string_view("\xc0\xaf"),         // overlong "/"
                                     std::string_view("\xed\xa0\x80"),     // UTF-16 surrogate
                                     std::string_view("\xf4\x90\x80\x80"), // above U+10FFFF
                                     std::string_view("\x80")}) {
            a.setText("notes", bad);
            CHECK(summary(validateAnswers(form, a)) == Codes{"notes:bad-format"});
        }
    }
    SECTION("BadFormat: control characters") {
        a.setText("notes", "a\nb"); // multiline: newline allowed
        CHECK(summary(validateAnswers(form, a)) == Codes{});
        for (std::string_view bad :
             {std::string_view("a\tb"), std::string_view("a\rb"), std::string_view("a\0b", 3),
              std::string_view("a\x7f"), std::string_view("a\xc2\x85")}) { // U+0085 NEL
            a.setText("notes", bad);
            CHECK(summary(validateAnswers(form, a)) == Codes{"notes:bad-format"});
        }
        a.erase("notes");
        a.setChoice("kind", "a");
        a.setText("only_a", "a\nb"); // single-line text: no newline
        CHECK(summary(validateAnswers(form, a)) == Codes{"only_a:bad-format"});
    }
    SECTION("BadFormat: the same choice twice") {
        a.setChoices("tags", {"t1", "t1"});
        CHECK(summary(validateAnswers(form, a)) == Codes{"tags:bad-format"});
    }
    SECTION("OutOfRange") {
        for (std::int64_t v : std::initializer_list<std::int64_t>{0, 6, -1, INT64_MAX}) {
            a.setInteger("mood", v);
            CHECK(summary(validateAnswers(form, a)) == Codes{"mood:out-of-range"});
        }
        for (std::int64_t v : std::initializer_list<std::int64_t>{1, 5}) {
            a.setInteger("mood", v);
            CHECK(summary(validateAnswers(form, a)) == Codes{});
        }
    }
    SECTION("TooFew and TooMany") {
        a.setChoices("tags", {"t1"});
        CHECK(summary(validateAnswers(form, a)) == Codes{"tags:too-few"});
        a.setChoices("tags", {"t1", "t2", "t3", "t4"});
        CHECK(summary(validateAnswers(form, a)) == Codes{"tags:too-many"});
        a.setChoices("tags", {}); // empty: not answered, and tags is optional
        CHECK(summary(validateAnswers(form, a)) == Codes{});
    }
}

TEST_CASE("conditions follow the answer they depend on", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    CHECK_FALSE(isFieldVisible(form, a, "only_a"));
    a.setChoice("kind", "a");
    CHECK(isFieldVisible(form, a, "only_a"));
    a.setChoice("kind", "b");
    CHECK_FALSE(isFieldVisible(form, a, "only_a"));
    a.setChoice("kind", "zzz"); // an invalid answer shows nothing that depends on it
    CHECK_FALSE(isFieldVisible(form, a, "only_a"));
    CHECK(isFieldVisible(form, a, "notes"));
    CHECK_FALSE(isFieldVisible(form, a, "no_such_field"));
}

TEST_CASE("conditions on multiple fields and chains of conditions", "[validate]") {
    const std::string text = R"(
id = "chain"
version = 1
kind = "survey"
title = { zh-CN = "链", en = "Chain" }
[[fields]]
id = "pick"
type = "multiple"
label = { zh-CN = "选", en = "Pick" }
[[fields.options]]
id = "x"
label = { zh-CN = "x", en = "x" }
[[fields.options]]
id = "y"
label = { zh-CN = "y", en = "y" }
[[fields]]
id = "second"
type = "single"
show_if = { field = "pick", in = ["y"] }
label = { zh-CN = "二", en = "Second" }
[[fields.options]]
id = "on"
label = { zh-CN = "开", en = "On" }
[[fields.options]]
id = "off"
label = { zh-CN = "关", en = "Off" }
[[fields]]
id = "third"
type = "text"
max_length = 10
required = true
show_if = { field = "second", in = ["on"] }
label = { zh-CN = "三", en = "Third" }
)";
    const ListSet lists = testLists();
    auto form = parseForm(text, "chain.toml", lists);
    REQUIRE(form.ok());
    SecretArena arena(1 << 16);
    Answers a(&arena);
    a.setChoices("pick", {"x", "y"});
    a.setChoice("second", "on");
    CHECK(summary(validateAnswers(*form, a)) == Codes{"third:required"});
    a.setText("third", "ok");
    CHECK(summary(validateAnswers(*form, a)) == Codes{});
    // Unticking y hides second, and with it third, although second's answer is still "on".
    a.setChoices("pick", {"x"});
    CHECK(visibleFields(*form, a) == std::vector<bool>{true, false, false});
    CHECK(summary(validateAnswers(*form, a)) == Codes{"second:not-shown", "third:not-shown"});
}

TEST_CASE("a filtered picker only accepts items under the filter's answer", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a = minimal(&arena);
    a.setChoice("town", "n1");
    auto errors = validateAnswers(form, a);
    CHECK(summary(errors) == Codes{"town:not-an-option"}); // region not chosen yet
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.zh.find("请先选择“区”") != std::string::npos);
    a.setChoice("region", "south");
    CHECK(summary(validateAnswers(form, a)) == Codes{"town:not-an-option"});
    a.setChoice("region", "north");
    CHECK(summary(validateAnswers(form, a)) == Codes{});

    // The shipped complaint form: community must lie in the chosen township.
    const ListSet shipped = shippedLists();
    const Form complaint = shippedForm("complaint", shipped);
    Answers c(&arena);
    c.setChoice("category", "advertising");
    c.setChoice("ad_type", "residential_area");
    c.setText("description", "小区电梯里贴了数学补习班广告。");
    c.setChoice("anonymous", "yes");
    c.setChoice("district", "chengguan");
    c.setChoice("township", "chengdong_jiedao");
    c.setChoice("community", "yangguang_shequ");
    CHECK(summary(validateAnswers(complaint, c)) == Codes{});
    c.setChoice("community", "baisha_cun");
    CHECK(summary(validateAnswers(complaint, c)) == Codes{"community:not-an-option"});
    c.setChoice("township", "donghu_zhen");
    CHECK(summary(validateAnswers(complaint, c)) ==
          Codes{"township:not-an-option", "community:not-an-option"});
}

TEST_CASE("contact fields of the complaint form appear only when not anonymous", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = shippedLists();
    const Form form = shippedForm("complaint", lists);
    Answers a(&arena);
    a.setChoice("category", "other");
    a.setText("description", "情况说明");
    a.setChoice("anonymous", "yes");
    CHECK(summary(validateAnswers(form, a)) == Codes{});
    a.setText("contact_phone", "13800138000");
    CHECK(summary(validateAnswers(form, a)) == Codes{"contact_phone:not-shown"});
    a.setChoice("anonymous", "no");
    CHECK(summary(validateAnswers(form, a)) == Codes{});
    a.erase("contact_phone");
    CHECK(summary(validateAnswers(form, a)) == Codes{"contact_phone:required"});
}

TEST_CASE("every error message names the field in both languages", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    Answers a(&arena);
    a.setChoice("kind", "a");
    a.setText("only_a", "秘密内容太长了吧");
    a.setChoices("tags", {"t1"});
    a.setText("phone", "12");
    a.setInteger("mood", 9);
    const auto errors = validateAnswers(form, a);
    REQUIRE(errors.size() == 4);
    for (const auto& e : errors) {
        const Field* f = form.find(e.field);
        REQUIRE(f);
        CHECK(e.message.zh.find(f->label.zh) != std::string::npos);
        CHECK(e.message.en.find(f->label.en) != std::string::npos);
        // Messages may end up in logs: they must not quote what the parent typed.
        CHECK(e.message.zh.find("秘密") == std::string::npos);
    }
}

TEST_CASE("parseAnswersJson reads values and reports shape errors", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);

    SECTION("valid document") {
        auto a = parseAnswersJson(form,
                                  R"({"kind":"a","only_a":"x","tags":["t1","t2"],"mood":4,
                                      "region":"north","town":"n1","notes":null})",
                                  &arena);
        REQUIRE(a.ok());
        CHECK(a->get("kind")->kind() == AnswerKind::Choice);
        CHECK(a->get("only_a")->kind() == AnswerKind::Text);
        CHECK(a->get("tags")->choices().size() == 2);
        CHECK(a->get("mood")->integer() == 4);
        CHECK_FALSE(a->contains("notes"));
        CHECK(validateAnswers(form, *a).empty());
    }
    SECTION("malformed JSON gives the position") {
        auto a = parseAnswersJson(form, "{\"kind\": \"a\",\n \"mood\": }", &arena);
        REQUIRE_FALSE(a.ok());
        REQUIRE(a.error().size() == 1);
        CHECK(a.error()[0].field.empty());
        CHECK(a.error()[0].code == FieldErrorCode::BadJson);
        CHECK(a.error()[0].message.en.find("line 2") != std::string::npos);
    }
    SECTION("a number out of range or bytes that are not UTF-8: BadJson, in UTF-8 words") {
        for (const std::string& bad :
             {std::string("{\"mood\": 33.3e333}"), std::string("{\"kind\": \"\xff\xfe\"}")}) {
            auto a = parseAnswersJson(form, bad, &arena);
            REQUIRE_FALSE(a.ok());
            REQUIRE(a.error().size() == 1);
            CHECK(a.error()[0].code == FieldErrorCode::BadJson);
            CHECK_NOTHROW(nlohmann::json(a.error()[0].message.en).dump());
            CHECK_NOTHROW(nlohmann::json(a.error()[0].message.zh).dump());
        }
    }
    SECTION("not an object") {
        auto a = parseAnswersJson(form, "[1,2]", &arena);
        REQUIRE_FALSE(a.ok());
        CHECK(a.error()[0].code == FieldErrorCode::BadJson);
    }
    SECTION("wrong types and unknown fields") {
        auto a = parseAnswersJson(
            form, R"({"kind":["a"],"tags":"t1","mood":4.5,"notes":7,"zzz":"x","phone":true})",
            &arena);
        REQUIRE_FALSE(a.ok());
        CHECK(summary(a.error()) == Codes{"kind:wrong-type", "mood:wrong-type", "notes:wrong-type",
                                          "phone:wrong-type", "tags:wrong-type", "zzz:unknown"});
    }
    SECTION("huge integers do not wrap around into range") {
        auto a = parseAnswersJson(form, R"({"kind":"b","mood":18446744073709551617})", &arena);
        // 2^64 + 1 is parsed as a float by nlohmann: a wrong type, never a valid 1.
        REQUIRE_FALSE(a.ok());
        auto b = parseAnswersJson(form, R"({"kind":"b","mood":18446744073709551615})", &arena);
        REQUIRE_FALSE(b.ok());
        CHECK(summary(b.error()) == Codes{"mood:out-of-range"});
    }
}

TEST_CASE("example answers are valid for the shipped forms", "[validate]") {
    SecretArena arena(1 << 20);
    const ListSet lists = shippedLists();
    for (const char* name : {"complaint", "survey"}) {
        INFO(name);
        const Form form = shippedForm(name, lists);
        const nlohmann::json example = exampleAnswers(form, lists);
        auto answers = parseAnswersJson(form, example.dump(), &arena);
        REQUIRE(answers.ok());
        CHECK(summary(validateAnswers(form, *answers)) == Codes{});
        // Every free-text field that is shown has sample text.
        const auto visible = visibleFields(form, *answers);
        for (std::size_t i = 0; i < form.fields.size(); ++i)
            if (visible[i] && form.fields[i].type == FieldType::Text)
                CHECK(example.contains(form.fields[i].id));
    }
    const Form complaint = shippedForm("complaint", lists);
    const nlohmann::json example = exampleAnswers(complaint, lists);
    CHECK(example["category"] == complaint.fields.front().options.front().id);
    CHECK(example["anonymous"] == "yes");
    CHECK_FALSE(example.contains("contact_phone"));
    CHECK(example.contains("disguised_type")); // the first category's own sub-type
}

TEST_CASE("example answers are valid for the test form", "[validate]") {
    SecretArena arena(1 << 16);
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    const nlohmann::json example = exampleAnswers(form, lists);
    auto answers = parseAnswersJson(form, example.dump(), &arena);
    REQUIRE(answers.ok());
    CHECK(summary(validateAnswers(form, *answers)) == Codes{});
    CHECK(example["tags"].size() == 2); // min_selections
    CHECK(example["only_a"].get<std::string>().size() <= 5 * 4);
}

TEST_CASE("text rules on their own", "[validate]") {
    CHECK(checkText("", false).codePoints == 0);
    CHECK(checkText("中文abc😀", false).codePoints == 6);
    CHECK(checkText("a\nb", false).problem == TextProblem::ControlCharacter);
    CHECK(checkText("a\nb", true).problem == TextProblem::None);
    CHECK(checkText("\xe4\xb8\xad\xe6", false).problem == TextProblem::InvalidUtf8);
    CHECK(checkText("\xe0\x80\xaf", false).problem == TextProblem::InvalidUtf8); // overlong
    CHECK(isValidDate("2000-02-29"));
    CHECK_FALSE(isValidDate("1900-02-29")); // not a leap year
    CHECK(isValidTime("23:59"));
    CHECK_FALSE(isValidTime("23:5a"));
}
