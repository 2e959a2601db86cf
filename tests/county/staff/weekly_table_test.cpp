// The printable weekly and monthly tables: pages the console can serve under its strict
// Content-Security-Policy (no style attribute, no <style>, no script), with the figures, the
// charts and the signature lines, and the same bytes for the same period however much work is
// done afterwards — on the real ledger and the county's real forms.
#include "county/staff/case_workflow.hpp"
#include "county/staff/period_stats.hpp"
#include "county/staff/survey_stats.hpp"
#include "county/staff/weekly_table.hpp"
#include "tests/county/staff/staff_test_support.hpp"

using namespace minsheng;
using namespace minsheng::staff;
using crypto::CaseStatus;
using nlohmann::json;
using std::chrono::sys_days;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;

namespace {

constexpr auto* day = &test::officeDay;
inline std::int64_t at(const char* text, int hour) {
    return test::officeTime(text, hour);
} // `hour`:00 office time on a day

struct Office {
    TestCounty county;
    std::unique_ptr<TestCounty::Loaded> loaded = county.load();
    Ledger ledger = county.openLedger();
    FormCatalog forms = FormCatalog::load(county.dir.formsDir());
    CaseRules rules;
    std::int64_t now = 0;
    CaseWorkflow workflow{ledger, rules, [this] {
                              return now;
                          }};

    std::int64_t complaint(std::int64_t when, const std::string& category = "homework") {
        auto e = county.make("k1", complaintAnswers("第" + std::to_string(when) + "件", category));
        REQUIRE(
            ledger.recordBatch({opened(county, *loaded, e.envelope)}, {}, std::nullopt, when).ok());
        return ledger.caseByNumber("k1", e.envelope.header.sequence)->id;
    }
    void close(std::int64_t id, std::int64_t when) {
        now = when;
        StatusChange c;
        c.status = CaseStatus::Closed;
        c.reply = "已办结";
        c.result = CaseResult::Resolved;
        REQUIRE(workflow.changeStatus(Actor{}, id, c, *county.countySigner).ok());
    }
    void surveys(int count, const std::string& school, std::int64_t when) {
        std::vector<OpenedSubmission> subs;
        for (int i = 0; i < count; ++i) {
            json a = {{"school", school},       {"grade", "g4"},
                      {"homework_load", 4},     {"after_school_service", 5},
                      {"teaching_quality", 3},  {"training_burden", 4},
                      {"spending_change", 2},   {"overall", 5},
                      {"still_tutoring", "no"}, {"improvements", {"sports_arts"}}};
            subs.push_back(opened(county, *loaded, county.make("k2", a, false).envelope));
        }
        REQUIRE(ledger.recordBatch(subs, {}, std::nullopt, when).ok());
    }

    std::string weekly(const char* from, const char* to, std::int64_t computedAt,
                       const std::string& office = "云溪县教育局", bool english = false) {
        auto timelines = loadCaseTimelines(ledger);
        REQUIRE(timelines.ok());
        const auto period = computePeriodStats(*timelines, rules, day(from), day(to), computedAt);
        auto rows = ledger.submissions();
        REQUIRE(rows.ok());
        const auto surveys = computeSurveyStats(*rows, *forms.form("survey"), rules, day(from),
                                                day(to), computedAt, rules.minRespondents);
        return weeklyTableHtml(period, &surveys, periodLabels(forms), {office, english});
    }
};

/// What the console's Content-Security-Policy would refuse or the print layout needs.
void requirePrintable(const std::string& html) {
    CHECK(html.find("style=") == std::string::npos);
    CHECK(html.find("<style") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("javascript:") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos); // no image, script or frame from anywhere
    CHECK(html.find("<link rel=\"stylesheet\" href=\"/static/print.css\">") != std::string::npos);
    // The only href is the stylesheet's.
    CHECK(html.find("href=") == html.rfind("href="));
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("</html>") != std::string::npos);
}

} // namespace

TEST_CASE("weeks and months of the office calendar", "[staff][print]") {
    CHECK(weekContaining(day("2026-11-25")) == DayRange{day("2026-11-23"), day("2026-11-29")});
    CHECK(weekContaining(day("2026-11-23")) == DayRange{day("2026-11-23"), day("2026-11-29")});
    CHECK(weekContaining(day("2026-11-29")) == DayRange{day("2026-11-23"), day("2026-11-29")});
    const auto month = parseMonth("2026-11");
    REQUIRE(month);
    CHECK(monthDays(*month) == DayRange{day("2026-11-01"), day("2026-11-30")});
    const auto weeks = weeksOfMonth(*month); // 1 Nov 2026 is a Sunday
    REQUIRE(weeks.size() == 6);
    CHECK(weeks.front() == DayRange{day("2026-11-01"), day("2026-11-01")});
    CHECK(weeks[1] == DayRange{day("2026-11-02"), day("2026-11-08")});
    CHECK(weeks.back() == DayRange{day("2026-11-30"), day("2026-11-30")});
    CHECK_FALSE(parseMonth("2026-13"));
    CHECK_FALSE(parseMonth("2026-1"));
    CHECK_FALSE(parseMonth("2026-11-01"));
}

TEST_CASE("the weekly table is a printable page the console's policy allows", "[staff][print]") {
    Office o;
    const auto a = o.complaint(at("2026-11-23", 9));
    o.complaint(at("2026-11-24", 10), "safety");
    o.complaint(at("2026-11-26", 11), "advertising");
    o.close(a, at("2026-11-25", 16));
    o.surveys(6, "yx_shiyan_xiaoxue", at("2026-11-24", 12));
    o.surveys(2, "yx_chengdong_xiaoxue", at("2026-11-24", 12));
    o.surveys(5, "donghu_zhongxin_xiaoxue", at("2026-11-24", 12));

    const auto html =
        o.weekly("2026-11-23", "2026-11-29", at("2026-11-30", 9), "云溪县<教育局>&\"双减\"办");
    requirePrintable(html);
    CHECK(html.find("“双减”投诉举报周报表") != std::string::npos);
    CHECK(html.find("云溪县&lt;教育局&gt;&amp;&quot;双减&quot;办") != std::string::npos);
    CHECK(html.find("<教育局>") == std::string::npos);
    CHECK(html.find("2026-11-23 至 2026-11-29") != std::string::npos);
    CHECK(html.find("填报人") != std::string::npos);
    CHECK(html.find("审核人") != std::string::npos);
    CHECK(html.find("填报日期") != std::string::npos);
    CHECK(html.find("<svg") != std::string::npos);
    CHECK(html.find("作业太多、不合规定") != std::string::npos); // a category's label
    CHECK(html.find("合计") != std::string::npos);
    CHECK(html.find("按乡镇") != std::string::npos);
    CHECK(html.find("按学校") != std::string::npos);
    CHECK(html.find("满意率") != std::string::npos);
    CHECK(html.find("尚未结束") == std::string::npos); // computed after the week: final
    // The total row: 3 received, 1 closed, on time, 2 open at the end.
    CHECK(html.find("<tr class=\"total\"><th scope=\"row\">合计</th><td>3</td>") !=
          std::string::npos);
    CHECK(html.find("<td>100.0%</td>") != std::string::npos);
    // Surveys: 13 = 6 + 2 + 5; the school of 2 and the next smallest (5) are hidden.
    const auto surveys = html.substr(html.find("<section class=\"surveys\">"));
    CHECK(surveys.find("<td>13</td>") != std::string::npos);
    CHECK(surveys.find("<td>6</td>") != std::string::npos);
    CHECK(surveys.find("<td>2</td>") == std::string::npos);
    CHECK(surveys.find("<td>5</td>") == std::string::npos);

    const auto english = o.weekly("2026-11-23", "2026-11-29", at("2026-11-30", 9), "Yunxi", true);
    requirePrintable(english);
    CHECK(english.find("Prepared by") != std::string::npos);
    CHECK(english.find("填报人") == std::string::npos);
    CHECK(english.find("<html lang=\"en\">") != std::string::npos);

    // While the week runs, the page says its figures are provisional.
    CHECK(o.weekly("2026-11-23", "2026-11-29", at("2026-11-27", 9)).find("尚未结束") !=
          std::string::npos);
}

TEST_CASE("the same week prints the same bytes after later work", "[staff][print]") {
    Office o;
    const auto a = o.complaint(at("2026-11-23", 9));
    const auto b = o.complaint(at("2026-11-24", 10), "safety");
    o.close(a, at("2026-11-25", 16));
    o.surveys(7, "yx_shiyan_xiaoxue", at("2026-11-26", 12));
    const auto first = o.weekly("2026-11-23", "2026-11-29", at("2026-11-30", 9));

    // The next week: b closed, new complaints and surveys, a reopened-and-closed case.
    o.close(b, at("2026-12-01", 10));
    o.complaint(at("2026-12-02", 9), "refund");
    o.surveys(9, "yx_chengdong_xiaoxue", at("2026-12-02", 12));
    const auto second = o.weekly("2026-11-23", "2026-11-29", at("2026-12-20", 9));
    CHECK(second == first);
    // And the next week's page does show the new work.
    CHECK(o.weekly("2026-11-30", "2026-12-06", at("2026-12-20", 9)) != first);
}

TEST_CASE("the monthly summary adds the trend of its weeks", "[staff][print]") {
    Office o;
    o.complaint(at("2026-11-03", 9));
    o.complaint(at("2026-11-10", 9));
    o.complaint(at("2026-11-11", 9));
    auto timelines = loadCaseTimelines(o.ledger);
    REQUIRE(timelines.ok());
    const auto month = *parseMonth("2026-11");
    const auto [first, last] = monthDays(month);
    const auto now = at("2026-12-05", 9);
    const auto total = computePeriodStats(*timelines, o.rules, first, last, now);
    std::vector<PeriodStats> weeks;
    std::size_t received = 0;
    for (const auto& [from, to] : weeksOfMonth(month)) {
        weeks.push_back(computePeriodStats(*timelines, o.rules, from, to, now));
        received += weeks.back().total.received;
    }
    CHECK(received == total.total.received); // the weeks add up to the month
    const auto html =
        monthlyTableHtml(total, weeks, nullptr, periodLabels(o.forms), {"云溪县教育局", false});
    requirePrintable(html);
    CHECK(html.find("月报表") != std::string::npos);
    CHECK(html.find("各周趋势") != std::string::npos);
    CHECK(html.find("2026-11-09 – 2026-11-15") != std::string::npos);
    CHECK(html.find("填报人") != std::string::npos);
    CHECK(html.find("<svg") != std::string::npos);
}
