// Loading forms and lists: the shipped files, and one failing case per loader rule, each
// checked for the line the error points at.
#include "sync/forms/form.hpp"
#include "sync/forms/form_description.hpp"
#include "tests/support/form_fixtures.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace minsheng::forms;
using namespace minsheng::forms::test;

namespace {

/// `base` with the first `from` replaced by `to`; fails the test if `from` is absent, so a
/// case cannot silently test the unmodified form.
std::string replaced(std::string_view base, std::string_view from, std::string_view to) {
    std::string s(base);
    const auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    s.replace(pos, from.size(), to);
    return s;
}

ConfigError formError(const std::string& text) {
    const ListSet lists = testLists();
    auto form = parseForm(text, "bad.toml", lists);
    REQUIRE_FALSE(form.ok());
    INFO(form.error().toString());
    CHECK(form.error().file == "bad.toml");
    return form.error();
}

ConfigError listsError(const std::string& text) {
    auto lists = parseLists(text, "bad-lists.toml");
    REQUIRE_FALSE(lists.ok());
    return lists.error();
}

} // namespace

TEST_CASE("the shipped lists and forms load", "[forms]") {
    const ListSet lists = shippedLists();
    CHECK(lists.find("schools"));
    CHECK(lists.find("districts"));
    CHECK(lists.find("townships"));
    CHECK(lists.find("communities"));
    CHECK(lists.find("schools")->items.size() >= 8);

    const Form complaint = shippedForm("complaint", lists);
    CHECK(complaint.id == "complaint");
    CHECK(complaint.kind == FormKind::Complaint);
    const Form survey = shippedForm("survey", lists);
    CHECK(survey.id == "survey");
    CHECK(survey.kind == FormKind::Survey);
}

TEST_CASE("the complaint form covers every category of domain.md", "[forms]") {
    const ListSet lists = shippedLists();
    const Form form = shippedForm("complaint", lists);
    REQUIRE(!form.fields.empty());
    const Field& category = form.fields.front();
    CHECK(category.id == "category");
    CHECK(category.type == FieldType::Single);
    CHECK(category.required);
    const std::vector<std::string> expected = {
        "disguised_tutoring", "teacher_paid_tutoring", "unlicensed", "refund",      "fees",
        "homework",           "after_school",          "exams",      "advertising", "safety",
        "online_training",    "personal_data",         "other"};
    std::vector<std::string> ids;
    for (const auto& o : category.options) {
        ids.push_back(o.id);
        INFO(o.id);
        CHECK(o.description.has_value());
        CHECK_FALSE(o.icon.empty());
    }
    CHECK(ids == expected);

    // Every category except "other" has a required sub-type question shown only for it.
    for (const auto& o : category.options) {
        if (o.id == "other")
            continue;
        bool found = false;
        for (const auto& f : form.fields)
            if (f.type == FieldType::Single && f.required && f.showIf &&
                f.showIf->field == "category" && f.showIf->in == std::vector<std::string>{o.id})
                found = true;
        INFO(o.id);
        CHECK(found);
    }

    // Contact details: only when not anonymous; anonymous is the default.
    const Field* anonymous = form.find("anonymous");
    REQUIRE(anonymous);
    CHECK(anonymous->required);
    CHECK(anonymous->defaultChoice == "yes");
    for (const char* id : {"contact_name", "contact_phone"}) {
        const Field* f = form.find(id);
        REQUIRE(f);
        REQUIRE(f->showIf);
        CHECK(f->showIf->field == "anonymous");
        CHECK(f->showIf->in == std::vector<std::string>{"no"});
        CHECK(f->help.has_value());
    }
    CHECK(form.find("contact_phone")->type == FieldType::Phone);
    const Field* description = form.find("description");
    REQUIRE(description);
    CHECK(description->required);
    CHECK(description->multiline);
    CHECK(description->maxLength == 2000);
    CHECK(form.find("township")->filterBy == "district");
    CHECK(form.find("community")->filterBy == "township");
}

TEST_CASE("the survey has the scales domain.md asks for", "[forms]") {
    const ListSet lists = shippedLists();
    const Form form = shippedForm("survey", lists);
    for (const char* id : {"homework_load", "after_school_service", "teaching_quality",
                           "training_burden", "spending_change", "overall"}) {
        const Field* f = form.find(id);
        INFO(id);
        REQUIRE(f);
        CHECK(f->type == FieldType::Scale);
        CHECK(f->lowLabel.has_value());
        CHECK(f->highLabel.has_value());
    }
    CHECK(form.find("school")->type == FieldType::Picker);
    CHECK(form.find("grade")->type == FieldType::Single);
    CHECK(form.find("improvements")->type == FieldType::Multiple);
    CHECK_FALSE(form.find("comment")->required);
}

TEST_CASE("the hand-written test form loads as written", "[forms]") {
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    CHECK(form.version == 3);
    REQUIRE(form.fields.size() == 10);
    CHECK(form.fields[1].showIf->field == "kind");
    CHECK(form.fields[2].minSelections == 2);
    CHECK(form.fields[2].maxSelections == 3);
    CHECK(form.fields[3].multiline);
    CHECK(form.fields[9].items.size() == 2);
    CHECK(form.fields[1].line == lineOf(kTestForm, "id = \"only_a\"") - 1);
}

TEST_CASE("TOML syntax errors give the file and line", "[forms]") {
    const std::string text = replaced(kTestForm, "max_length = 5", "max_length = = 5");
    const ConfigError e = formError(text);
    CHECK(e.line == lineOf(text, "max_length = = 5"));
    CHECK(e.toString().rfind("bad.toml:" + std::to_string(e.line) + ": ", 0) == 0);

    const ConfigError le = listsError("[lists.x]\ntitle = { zh-CN = \"x\", en = \"x\" \n");
    CHECK(le.line == 2);
}

TEST_CASE("unreadable files are reported without a line", "[forms]") {
    auto lists = loadLists("/nonexistent/lists.toml");
    REQUIRE_FALSE(lists.ok());
    CHECK(lists.error().line == 0);
    CHECK(lists.error().toString().rfind("/nonexistent/lists.toml: ", 0) == 0);
}

TEST_CASE("each loader rule rejects a broken form at the right line", "[forms]") {
    const std::string base(kTestForm);

    SECTION("unknown top-level key") {
        const auto text = replaced(base, "version = 3", "version = 3\nverison = 4");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "verison"));
        CHECK(e.message.find("unknown key \"verison\"") != std::string::npos);
    }
    SECTION("unknown key in a field (typo)") {
        const auto text = replaced(base, "required = true\nshow_if", "requried = true\nshow_if");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "requried"));
    }
    SECTION("unknown key in an option") {
        const auto text = replaced(base, "id = \"t2\"", "id = \"t2\"\nicno = \"x\"");
        CHECK(formError(text).line == lineOf(text, "icno"));
    }
    SECTION("unknown key in a label") {
        const auto text = replaced(base, "label = { zh-CN = \"备注\", en = \"Notes\" }",
                                   "label = { zh-CN = \"备注\", en = \"Notes\", fr = \"x\" }");
        CHECK(formError(text).line == lineOf(text, "fr = "));
    }
    SECTION("a key that belongs to another type") {
        const auto text = replaced(base, "id = \"phone\"\ntype = \"phone\"",
                                   "id = \"phone\"\ntype = \"phone\"\nmax_length = 20");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "max_length = 20"));
    }
    SECTION("unknown field type") {
        const auto text = replaced(base, "type = \"scale\"", "type = \"slider\"");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "slider"));
        CHECK(e.message.find("unknown type") != std::string::npos);
    }
    SECTION("duplicate field id") {
        const auto text = replaced(base, "id = \"day\"", "id = \"phone\"");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "id = \"phone\"\ntype = \"date\""));
        CHECK(e.message.find("duplicate field id") != std::string::npos);
    }
    SECTION("duplicate option id") {
        const auto text = replaced(base, "id = \"t3\"", "id = \"t1\"");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "id = \"t1\"\nlabel = { zh-CN = \"三\""));
    }
    SECTION("bad id characters") {
        const auto text = replaced(base, "id = \"notes\"", "id = \"Notes!\"");
        CHECK(formError(text).line == lineOf(text, "Notes!"));
    }
    SECTION("label missing its English text") {
        const auto text =
            replaced(base, "{ zh-CN = \"日期\", en = \"Date\" }", "{ zh-CN = \"日期\" }");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "{ zh-CN = \"日期\" }"));
        CHECK(e.message.find("\"en\"") != std::string::npos);
    }
    SECTION("label missing its Chinese text") {
        const auto text =
            replaced(base, "{ zh-CN = \"日期\", en = \"Date\" }", "{ en = \"Date\" }");
        CHECK(formError(text).line == lineOf(text, "{ en = \"Date\" }"));
    }
    SECTION("empty label text") {
        const auto text = replaced(base, "{ zh-CN = \"日期\", en = \"Date\" }",
                                   "{ zh-CN = \"\", en = \"Date\" }");
        CHECK(formError(text).line == lineOf(text, "zh-CN = \"\""));
    }
    SECTION("no label at all points at the field") {
        const auto text = replaced(base, "label = { zh-CN = \"时间\", en = \"Time\" }\n", "");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "id = \"at\"") - 1); // the [[fields]] line
        CHECK(e.message.find("label") != std::string::npos);
    }
    SECTION("max_length missing") {
        const auto text = replaced(base, "max_length = 10\n", "");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "id = \"notes\"") - 1);
        CHECK(e.message.find("max_length") != std::string::npos);
    }
    SECTION("max_length zero") {
        const auto text = replaced(base, "max_length = 10", "max_length = 0");
        CHECK(formError(text).line == lineOf(text, "max_length = 0"));
    }
    SECTION("max_length above 20000") {
        const auto text = replaced(base, "max_length = 10", "max_length = 20001");
        CHECK(formError(text).line == lineOf(text, "max_length = 20001"));
    }
    SECTION("max_length of the wrong type") {
        const auto text = replaced(base, "max_length = 10", "max_length = \"10\"");
        CHECK(formError(text).line == lineOf(text, "max_length = \"10\""));
    }
    SECTION("condition on an unknown field") {
        const auto text = replaced(base, "field = \"kind\"", "field = \"knid\"");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "knid"));
        CHECK(e.message.find("not a field") != std::string::npos);
    }
    SECTION("condition on a later field") {
        const auto text = replaced(base, "field = \"kind\"", "field = \"tags\"");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "field = \"tags\""));
        CHECK(e.message.find("later") != std::string::npos);
    }
    SECTION("condition on itself") {
        const auto text = replaced(base, "field = \"kind\"", "field = \"only_a\"");
        CHECK(formError(text).message.find("later") != std::string::npos);
    }
    SECTION("condition value that is not an option") {
        const auto text = replaced(base, "in = [\"a\"]", "in = [\"a\", \"c\"]");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "in = [\"a\", \"c\"]"));
        CHECK(e.message.find("\"c\" is not an option") != std::string::npos);
    }
    SECTION("condition with no values") {
        const auto text = replaced(base, "in = [\"a\"]", "in = []");
        CHECK(formError(text).line == lineOf(text, "in = []"));
    }
    SECTION("condition on a field that is not a choice") {
        const auto text = replaced(base, "id = \"mood\"\ntype = \"scale\"",
                                   "id = \"mood\"\ntype = \"scale\"\n"
                                   "show_if = { field = \"notes\", in = [\"x\"] }");
        CHECK(formError(text).line == lineOf(text, "field = \"notes\""));
    }
    SECTION("picker naming an unknown list") {
        const auto text = replaced(base, "list = \"regions\"", "list = \"regoins\"");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "regoins"));
        CHECK(e.message.find("no list named") != std::string::npos);
    }
    SECTION("picker filtered by an unknown field") {
        const auto text = replaced(base, "filter_by = \"region\"", "filter_by = \"area\"");
        CHECK(formError(text).line == lineOf(text, "filter_by = \"area\""));
    }
    SECTION("picker filtered by a field whose values are not the items' parents") {
        const auto text = replaced(base, "filter_by = \"region\"", "filter_by = \"kind\"");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "filter_by = \"kind\""));
        CHECK(e.message.find("parent") != std::string::npos);
    }
    SECTION("empty option list") {
        const auto text = replaced(base, "id = \"day\"\ntype = \"date\"",
                                   "id = \"day\"\ntype = \"single\"\noptions = []");
        const auto e = formError(text);
        CHECK(e.line == lineOf(text, "options = []"));
        CHECK(e.message.find("empty") != std::string::npos);
    }
    SECTION("choice field without options") {
        const auto text =
            replaced(base, "id = \"day\"\ntype = \"date\"", "id = \"day\"\ntype = \"single\"");
        CHECK(formError(text).message.find("options") != std::string::npos);
    }
    SECTION("default that is not an option") {
        const auto text = replaced(base, "required = true\nlabel = { zh-CN = \"类别\"",
                                   "required = true\ndefault = \"z\"\nlabel = { zh-CN = \"类别\"");
        CHECK(formError(text).line == lineOf(text, "default = \"z\""));
    }
    SECTION("min_selections above max_selections") {
        const auto text = replaced(base, "min_selections = 2", "min_selections = 4");
        CHECK(formError(text).line == lineOf(text, "min_selections = 4"));
    }
    SECTION("max_selections above the number of options") {
        const auto text = replaced(base, "max_selections = 3", "max_selections = 5");
        CHECK(formError(text).line == lineOf(text, "max_selections = 5"));
    }
    SECTION("required that is not a boolean") {
        const auto text = replaced(base, "required = true", "required = \"yes\"");
        CHECK(formError(text).line == lineOf(text, "required = \"yes\""));
    }
    SECTION("unknown kind") {
        const auto text = replaced(base, "kind = \"complaint\"", "kind = \"petition\"");
        CHECK(formError(text).line == lineOf(text, "petition"));
    }
    SECTION("version zero") {
        const auto text = replaced(base, "version = 3", "version = 0");
        CHECK(formError(text).line == lineOf(text, "version = 0"));
    }
    SECTION("missing title") {
        const auto text = replaced(base, "title = { zh-CN = \"测试\", en = \"Test\" }\n", "");
        CHECK(formError(text).message.find("title") != std::string::npos);
    }
    SECTION("no fields") {
        const auto e = formError("id = \"x\"\nversion = 1\nkind = \"survey\"\n"
                                 "title = { zh-CN = \"x\", en = \"x\" }\nfields = []\n");
        CHECK(e.line == 5);
    }
}

TEST_CASE("a form whose longest answers cannot be sealed is rejected", "[forms]") {
    // 14 fields of 20000 code points at up to 4 bytes each exceed 1 MiB; 13 do not.
    auto makeForm = [](int n) {
        std::string text = "id = \"big\"\nversion = 1\nkind = \"survey\"\n"
                           "title = { zh-CN = \"大\", en = \"Big\" }\n";
        for (int i = 0; i < n; ++i)
            text += "[[fields]]\nid = \"t" + std::to_string(i) +
                    "\"\ntype = \"text\"\nmax_length = 20000\n"
                    "label = { zh-CN = \"文\", en = \"Text\" }\n";
        return text;
    };
    const ListSet lists = testLists();
    auto ok = parseForm(makeForm(13), "big.toml", lists);
    INFO((ok ? std::string() : ok.error().toString()));
    REQUIRE(ok.ok());
    CHECK(worstCasePayloadBytes(ok.value()) <= kMaxPayloadBytes);

    auto tooBig = parseForm(makeForm(14), "big.toml", lists);
    REQUIRE_FALSE(tooBig.ok());
    CHECK(tooBig.error().message.find("bytes") != std::string::npos);
    CHECK(tooBig.error().line == 5);
}

TEST_CASE("each lists rule rejects a broken lists file at the right line", "[forms]") {
    const std::string base(kTestLists);
    SECTION("duplicate item id") {
        const auto text = replaced(base, "id = \"s1\"", "id = \"n1\"");
        const auto e = listsError(text);
        CHECK(e.line == lineOf(text, "id = \"n1\"\nlabel = { zh-CN = \"南一镇\""));
    }
    SECTION("unknown key in an item") {
        const auto text = replaced(base, "parent = \"south\"", "parnet = \"south\"");
        CHECK(listsError(text).line == lineOf(text, "parnet"));
    }
    SECTION("unknown key at the top") {
        const auto text = "lsits = 1\n" + base;
        CHECK(listsError(text).line == 1);
    }
    SECTION("item without an English label") {
        const auto text =
            replaced(base, "{ zh-CN = \"北区\", en = \"North\" }", "{ zh-CN = \"北区\" }");
        CHECK(listsError(text).line == lineOf(text, "{ zh-CN = \"北区\" }"));
    }
    SECTION("list without items") {
        const auto text = "[lists.empty]\ntitle = { zh-CN = \"空\", en = \"Empty\" }\nitems = []\n";
        CHECK(listsError(text).line == 3);
    }
    SECTION("no lists") {
        CHECK(listsError("description = { zh-CN = \"x\", en = \"x\" }\n").line == 1);
    }
}

TEST_CASE("describeForm lists fields, options, conditions and items", "[forms]") {
    const ListSet lists = testLists();
    const Form form = testForm(lists);
    const nlohmann::json d = describeForm(form);
    CHECK(d["id"] == "test");
    CHECK(d["version"] == 3);
    CHECK(d["kind"] == "complaint");
    REQUIRE(d["fields"].size() == form.fields.size());
    CHECK(d["fields"][0]["options"][1]["id"] == "b");
    CHECK(d["fields"][0]["required"] == true);
    CHECK(d["fields"][1]["show_if"]["field"] == "kind");
    CHECK(d["fields"][1]["show_if"]["in"] == nlohmann::json::array({"a"}));
    CHECK(d["fields"][1]["max_length"] == 5);
    CHECK(d["fields"][2]["min_selections"] == 2);
    CHECK(d["fields"][9]["filter_by"] == "region");
    CHECK(d["fields"][9]["items"][0]["parent"] == "north");
    CHECK(d["title"]["zh-CN"] == "测试");

    const std::string zh = describeFormText(form, "zh-CN");
    const std::string en = describeFormText(form, "en");
    CHECK(zh.find("甲的说明") != std::string::npos);
    CHECK(zh.find("必填") != std::string::npos);
    CHECK(en.find("About A") != std::string::npos);
    CHECK(en.find("shown only when \"Kind\"") != std::string::npos);
    CHECK(en.find("甲的说明") == std::string::npos);
}

TEST_CASE("describeForm of the shipped forms names every field", "[forms]") {
    const ListSet lists = shippedLists();
    for (const char* name : {"complaint", "survey"}) {
        const Form form = shippedForm(name, lists);
        const nlohmann::json d = describeForm(form);
        std::set<std::string> ids;
        for (const auto& f : d["fields"]) {
            ids.insert(f["id"].get<std::string>());
            CHECK_FALSE(f["label"]["zh-CN"].get<std::string>().empty());
            CHECK_FALSE(f["label"]["en"].get<std::string>().empty());
        }
        CHECK(ids.size() == form.fields.size());
    }
}
