// Exports (CSV for Excel/WPS, JSON, Open311) and the report's small-group suppression, on
// ledger rows made with the real crypto and the county's real forms.
#include "county/staff/exporters.hpp"
#include "county/staff/report.hpp"
#include "tests/county/staff/staff_test_support.hpp"

using namespace minsheng;
using namespace minsheng::staff;
using nlohmann::json;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;

namespace {

/// Splits CSV text into records of cells (RFC 4180, CRLF record separator).
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                cell += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            rows.back().push_back(cell);
            cell.clear();
        } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.back().push_back(cell);
            cell.clear();
            rows.emplace_back();
            ++i;
        } else {
            REQUIRE(ch != '\n'); // a bare LF outside quotes would split a record in Excel
            cell += ch;
        }
    }
    if (rows.back().empty())
        rows.pop_back();
    return rows;
}

struct Fixture {
    TestCounty c;
    std::unique_ptr<TestCounty::Loaded> l = c.load();
    Ledger ledger = c.openLedger();
    FormCatalog forms = FormCatalog::load(c.dir.formsDir());
    CaseRules rules;

    std::vector<Submission> record(const std::vector<json>& complaints) {
        std::vector<OpenedSubmission> subs;
        for (const auto& a : complaints)
            subs.push_back(opened(c, *l, c.make("k1", a).envelope));
        REQUIRE(ledger.recordBatch(subs, {}, std::nullopt, 1795430000).ok());
        auto rows = ledger.submissions();
        REQUIRE(rows.ok());
        return *rows;
    }
};

} // namespace

TEST_CASE("csv cells are guarded and quoted", "[staff][export]") {
    REQUIRE(csvCell("plain") == "plain");
    REQUIRE(csvCell("中文") == "中文");
    REQUIRE(csvCell("a,b") == "\"a,b\"");
    REQUIRE(csvCell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    REQUIRE(csvCell("two\nlines") == "\"two\nlines\"");
    REQUIRE(csvCell("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
    REQUIRE(csvCell("+1") == "'+1");
    REQUIRE(csvCell("-2") == "'-2");
    REQUIRE(csvCell("@SUM(A1)") == "'@SUM(A1)");
    REQUIRE(csvCell("\tx") == "'\tx");
    REQUIRE(csvCell("0571-12345678") == "0571-12345678");
}

TEST_CASE("the CSV export opens in Excel and WPS and keeps identity out of anonymous reports",
          "[staff][export]") {
    Fixture f;
    json anon = complaintAnswers("=cmd|' /C calc'!A0 周六\"一对一\"补课, 收费 200 元\n第二行 🙏");
    json named = complaintAnswers("实名反映", "safety");
    named["safety_type"] = "fire_safety";
    named["anonymous"] = "no";
    named["contact_name"] = "王女士";
    named["contact_phone"] = "13800000000";
    auto rows = f.record({anon, named});
    ExportContext ctx{&f.forms, &f.rules, "示范县", 1795430000};
    const std::string csv = exportCsv(rows, ctx);
    REQUIRE(csv.rfind("\xEF\xBB\xBF", 0) == 0); // BOM
    auto table = parseCsv(csv.substr(3));
    REQUIRE(table.size() == 3);
    const auto& header = table[0];
    auto col = [&](const std::string& name) {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i].find(name) != std::string::npos)
                return i;
        FAIL("no column " << name);
        return std::size_t{0};
    };
    for (const auto& r : table)
        REQUIRE(r.size() == header.size());
    const auto& a = table[1];
    const auto& n = table[2];
    REQUIRE(a[col("description")] == "'" + anon["description"].get<std::string>());
    REQUIRE(a[col("category")] == "作业太多、不合规定");
    REQUIRE(a[col("school")] == "云溪县实验小学");
    REQUIRE(a[col("contact name")].empty());
    REQUIRE(a[col("contact phone")].empty());
    REQUIRE(a[col("anonymous")] == "是 yes");
    REQUIRE(a[col("status")] == "已接收 received");
    REQUIRE(n[col("contact name")] == "王女士");
    REQUIRE(n[col("contact phone")] == "13800000000");
    REQUIRE(n[col("category")] == "安全隐患");
    // Nothing identifying in the anonymous row, anywhere.
    for (const auto& cell : a)
        REQUIRE(cell.find("王女士") == std::string::npos);
}

TEST_CASE("the JSON and Open311 exports have their shape and no identity for anonymous",
          "[staff][export]") {
    Fixture f;
    json named = complaintAnswers("实名");
    named["anonymous"] = "no";
    named["contact_name"] = "李大爷";
    named["contact_phone"] = "13900000000";
    auto rows = f.record({complaintAnswers("匿名"), named});
    auto cs = f.ledger.caseByNumber("k1", 1);
    REQUIRE(
        f.ledger.appendStatus(cs->id, crypto::CaseStatus::Closed, "已整改", 1795440000, "{}").ok());
    rows = *f.ledger.submissions();
    ExportContext ctx{&f.forms, &f.rules, "示范县“双减”办", 1795450000};

    auto j = json::parse(exportJson(rows, ctx));
    REQUIRE(j["v"] == 1);
    REQUIRE(j["submissions"].size() == 2);
    REQUIRE_FALSE(j["submissions"][0].contains("contact"));
    REQUIRE(j["submissions"][0]["status"] == "closed");
    REQUIRE(j["submissions"][1]["contact"]["name"] == "李大爷");

    auto o = json::parse(exportOpen311(rows, ctx));
    REQUIRE(o.is_array());
    REQUIRE(o.size() == 2);
    for (const char* key : {"service_request_id", "status", "status_notes", "service_name",
                            "service_code", "description", "agency_responsible", "service_notice",
                            "requested_datetime", "updated_datetime", "expected_datetime",
                            "address", "address_id", "zipcode", "lat", "long", "media_url"})
        REQUIRE(o[0].contains(key));
    REQUIRE(o[0]["service_request_id"] == "k1/1");
    REQUIRE(o[0]["status"] == "closed");
    REQUIRE(o[1]["status"] == "open");
    REQUIRE(o[0]["service_code"] == "homework");
    REQUIRE(o[0]["service_name"] == "作业太多、不合规定");
    REQUIRE(o[0]["description"] == "匿名");
    REQUIRE(o[0]["address"] == "城关片区 城东街道");
    REQUIRE(o[0]["status_notes"] == "已办结 closed。已整改");
    REQUIRE(o[0]["requested_datetime"].get<std::string>().size() == 25); // ...T..:..:..+08:00
    // Open311 carries no contact at all, not even for real-name reports.
    REQUIRE(o.dump().find("李大爷") == std::string::npos);
    REQUIRE(o.dump().find("13900000000") == std::string::npos);
}

TEST_CASE("satisfaction figures below the minimum number of respondents are suppressed",
          "[staff][report]") {
    Fixture f;
    // School A: 6 parents, B: 7, C: 3 (a small class). Overall: 16.
    std::vector<OpenedSubmission> subs;
    auto survey = [&](const std::string& school, int score) {
        json a = {{"school", school},          {"grade", "g3"},         {"homework_load", score},
                  {"after_school_service", 4}, {"teaching_quality", 4}, {"training_burden", 4},
                  {"spending_change", 4},      {"overall", score}};
        subs.push_back(opened(f.c, *f.l, f.c.make("k1", a, false).envelope));
    };
    for (int i = 0; i < 6; ++i)
        survey("yx_shiyan_xiaoxue", 5);
    for (int i = 0; i < 7; ++i)
        survey("yx_chengdong_xiaoxue", 3);
    for (int i = 0; i < 3; ++i)
        survey("donghu_zhongxin_xiaoxue", 1);
    REQUIRE(f.ledger.recordBatch(subs, {}, std::nullopt, 1795430000).ok());
    auto rows = *f.ledger.submissions();
    ReportOptions opts;
    auto r = buildReport(rows, f.forms, f.rules, 1795430000, opts, "示范县");
    REQUIRE(r.satisfaction);
    const auto& sat = *r.satisfaction;
    REQUIRE(sat.overall.respondents == 16);
    const auto q = static_cast<std::size_t>(
        std::find_if(sat.questions.begin(), sat.questions.end(),
                     [](const SurveyQuestion& x) { return x.id == "homework_load"; }) -
        sat.questions.begin());
    REQUIRE(q < sat.questions.size());
    auto rowOf = [&](const std::string& id) -> const SurveyGroup& {
        for (const auto& s : sat.bySchool)
            if (s.id == id)
                return s;
        FAIL("no row " << id);
        return sat.overall;
    };
    REQUIRE(rowOf("donghu_zhongxin_xiaoxue").visibility == Visibility::HiddenSmall); // 3 < 5
    // Only one school below the minimum: the smallest shown school is hidden too, or
    // C = total - A - B. Hidden schools keep no figure at all, not even their n.
    REQUIRE(rowOf("yx_shiyan_xiaoxue").visibility == Visibility::HiddenComplementary);
    REQUIRE(rowOf("yx_shiyan_xiaoxue").respondents == 0);
    REQUIRE_FALSE(rowOf("yx_chengdong_xiaoxue").hidden());
    REQUIRE(rowOf("yx_chengdong_xiaoxue").questions[q].average == Approx(3.0));
    REQUIRE(rowOf("yx_chengdong_xiaoxue").questions[q].satisfiedPercent == 0.0);
    REQUIRE_FALSE(sat.overall.hidden());
    // County-wide: 6 of 16 answered 5 → 满意率 37.5%.
    REQUIRE(sat.overall.questions[q].satisfiedPercent == Approx(37.5));

    const std::string text = reportText(r);
    REQUIRE_THAT(text, Catch::Contains("满意度问卷 Surveys: 16"));
    REQUIRE_THAT(text, Catch::Contains("满意率 0.0%  平均 avg 3.00  n=7"));
    REQUIRE(text.find("1.00") == std::string::npos); // school C's average appears nowhere
    REQUIRE(text.find("n=6") == std::string::npos);  // nor A's n, which would give C's
    REQUIRE(text.find("n=3") == std::string::npos);
    const std::string html = reportHtml(r);
    REQUIRE(html.find("1.00") == std::string::npos);
    REQUIRE(html.find("<td>7</td>") != std::string::npos); // B's n is shown
    REQUIRE(html.find("<svg") != std::string::npos);
    REQUIRE(html.find("http://www.w3.org/2000/svg") != std::string::npos);
    REQUIRE(html.find("src=") == std::string::npos); // self-contained
    REQUIRE(html.find("<script") == std::string::npos);
    REQUIRE(html.find("href=") == std::string::npos);

    // With a threshold of 3, C is shown.
    opts.minRespondents = 3;
    auto r3 = buildReport(rows, f.forms, f.rules, 1795430000, opts, "示范县");
    REQUIRE(reportText(r3).find("满意率 0.0%  平均 avg 1.00  n=3") != std::string::npos);
}

TEST_CASE("the report tallies complaints by category, school, township, status and overdue",
          "[staff][report]") {
    Fixture f;
    auto rows = f.record({complaintAnswers("a"), complaintAnswers("b"),
                          complaintAnswers("c", "advertising"), complaintAnswers("d", "safety")});
    auto cs = f.ledger.caseByNumber("k1", 4);
    REQUIRE(f.ledger.appendStatus(cs->id, crypto::CaseStatus::Closed, "", 1795440000, "{}").ok());
    rows = *f.ledger.submissions();
    ReportOptions opts;
    // 30 days later: every open case is overdue.
    auto r = buildReport(rows, f.forms, f.rules, 1795430000 + 30 * 86400, opts, "示范县");
    REQUIRE(r.complaints == 4);
    REQUIRE(r.byCategory.at(0).id == "homework");
    REQUIRE(r.byCategory.at(0).count == 2);
    REQUIRE(r.byCategory.at(0).label == "作业太多、不合规定");
    REQUIRE(r.overdue == 3);
    REQUIRE(r.open == 3);
    REQUIRE(r.byTownship.at(0).label == "城东街道");
    auto html = reportHtml(r);
    REQUIRE(html.find("作业太多、不合规定") != std::string::npos);
    REQUIRE(htmlEscape("<b>\"x\"&'") == "&lt;b&gt;&quot;x&quot;&amp;&#39;");
}
