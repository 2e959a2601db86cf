// The survey's figures: 满意率 on known answers, every question of every survey form tallied,
// suppression that no subtraction defeats (a pure function, checked exhaustively on small
// tables and on many random ones), the minimum that cannot be lowered, and figures that do not
// move once the period is over — on the real ledger and the county's real forms.
#include "county/staff/survey_stats.hpp"
#include "county/staff/weekly_table.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <random>

using namespace minsheng;
using namespace minsheng::staff;
using nlohmann::json;
using std::chrono::sys_days;
using test::opened;
using test::TestCounty;

namespace {

constexpr auto* day = &test::officeDay;
inline std::int64_t at(const char* text, int hour) {
    return test::officeTime(text, hour);
} // `hour`:00 office time on a day

/// A complete, valid survey: every rating `score`, the first option of every choice.
json surveyAnswers(const std::string& school, const std::string& grade, int score) {
    return {{"school", school},
            {"grade", grade},
            {"homework_load", score},
            {"after_school_service", score},
            {"teaching_quality", score},
            {"training_burden", score},
            {"spending_change", score},
            {"overall", score},
            {"still_tutoring", "no"},
            {"improvements", {"sports_arts", "mental_health"}},
            {"comment", "孩子作业少了，睡得早了"}};
}

struct Surveys {
    TestCounty county;
    std::unique_ptr<TestCounty::Loaded> loaded = county.load();
    Ledger ledger = county.openLedger();
    FormCatalog forms = FormCatalog::load(county.dir.formsDir());
    CaseRules rules;

    /// Records surveys as the office does on `when` (the ledger's recording time).
    void record(const std::vector<json>& answers, std::int64_t when) {
        std::vector<OpenedSubmission> subs;
        for (const auto& a : answers)
            subs.push_back(opened(county, *loaded, county.make("k1", a, false).envelope));
        REQUIRE(ledger.recordBatch(subs, {}, std::nullopt, when).ok());
    }
    SurveyStats stats(const char* from, const char* to, std::int64_t now, int min = 5) {
        auto rows = ledger.submissions();
        REQUIRE(rows.ok());
        const auto* form = forms.form("survey");
        REQUIRE(form);
        return computeSurveyStats(*rows, *form, rules, day(from), day(to), now, min);
    }
};

std::size_t questionIndex(const SurveyStats& s, const std::string& id) {
    for (std::size_t i = 0; i < s.questions.size(); ++i)
        if (s.questions[i].id == id)
            return i;
    FAIL("no question " << id);
    return 0;
}

const SurveyGroup& groupOf(const std::vector<SurveyGroup>& groups, const std::string& id) {
    for (const auto& g : groups)
        if (g.id == id)
            return g;
    FAIL("no group " << id);
    return groups.front();
}

/// The protection every sum must have (survey_stats.hpp): when its total is shown, none of its
/// parts hidden, or at least two with at least `min` respondents between them — so total minus
/// the shown parts never isolates one hidden part; when its total is hidden, not every part
/// shown (or the total is their sum).
void requireProtected(const std::vector<std::size_t>& n, const std::vector<SuppressionSum>& sums,
                      const std::vector<Visibility>& v, std::size_t min) {
    for (std::size_t i = 0; i < n.size(); ++i)
        if (n[i] < min)
            REQUIRE(v[i] != Visibility::Shown);
    for (const auto& sum : sums) {
        std::size_t hiddenParts = 0, hiddenSum = 0, shownSum = 0;
        for (auto p : sum.parts) {
            if (v[p] == Visibility::Shown) {
                shownSum += n[p];
            } else {
                ++hiddenParts;
                hiddenSum += n[p];
            }
        }
        if (v[sum.total] == Visibility::Shown) {
            // The attack: total − Σ shown = Σ hidden. With one hidden part it would be that part.
            REQUIRE(n[sum.total] - shownSum == hiddenSum);
            REQUIRE((hiddenParts == 0 || hiddenParts >= 2));
            if (hiddenParts)
                REQUIRE(hiddenSum >= min);
        } else if (!sum.parts.empty()) {
            REQUIRE(hiddenParts >= 1);
        }
    }
}

} // namespace

TEST_CASE("a small school and one more are hidden: the subtraction attack fails",
          "[staff][surveys][suppression]") {
    // County 30 = A 16 + B 4 + C 10. B < 5 is hidden; showing A and C would give B = 30 − 26.
    const std::vector<std::size_t> n{30, 16, 4, 10};
    const std::vector<SuppressionSum> sums{{0, {1, 2, 3}}};
    const auto v = suppressFigures(n, sums, 5);
    CHECK(v[0] == Visibility::Shown);
    CHECK(v[1] == Visibility::Shown);
    CHECK(v[2] == Visibility::HiddenSmall);
    CHECK(v[3] == Visibility::HiddenComplementary); // the next smallest
    requireProtected(n, sums, v, 5);

    // Two small groups that together are still below the minimum: a third is hidden.
    const std::vector<std::size_t> m{52, 20, 2, 2, 28};
    const auto w = suppressFigures(m, {{0, {1, 2, 3, 4}}}, 5);
    CHECK(w[2] == Visibility::HiddenSmall);
    CHECK(w[3] == Visibility::HiddenSmall);
    CHECK(w[1] == Visibility::HiddenComplementary);
    CHECK(w[4] == Visibility::Shown);
    requireProtected(m, {{0, {1, 2, 3, 4}}}, w, 5);

    // A total below the minimum hides everything.
    const auto all = suppressFigures({4, 3, 1}, {{0, {1, 2}}}, 5);
    CHECK(all == std::vector<Visibility>(3, Visibility::HiddenSmall));

    // Nothing below the minimum: nothing hidden.
    CHECK(suppressFigures({30, 15, 15}, {{0, {1, 2}}}, 5) ==
          std::vector<Visibility>(3, Visibility::Shown));

    // A hidden total whose parts are all shown would be their sum: one part goes too.
    // County 30 = A 16 + B 4 + C 10, and C = its grades 5 + 5: C is hidden (complementary),
    // so one of its grades is hidden as well.
    const std::vector<std::size_t> t{30, 16, 4, 10, 5, 5};
    const std::vector<SuppressionSum> tSums{{0, {1, 2, 3}}, {3, {4, 5}}};
    const auto u = suppressFigures(t, tSums, 5);
    CHECK(u[3] == Visibility::HiddenComplementary);
    CHECK(u[4] == Visibility::HiddenComplementary);
    CHECK(u[5] == Visibility::Shown);
    requireProtected(t, tSums, u, 5);
}

TEST_CASE("no table of schools and grades can be undone by subtraction",
          "[staff][surveys][suppression]") {
    // Random tables of S schools × G grades, as computeSurveyStats builds them: the county,
    // each school, each grade, each non-empty cell, and the four kinds of sums.
    std::mt19937 rng(20261123);
    for (int round = 0; round < 3000; ++round) {
        const int S = 1 + static_cast<int>(rng() % 5), G = 1 + static_cast<int>(rng() % 4);
        const auto min = static_cast<int>(2 + rng() % 6);
        std::vector<std::vector<std::size_t>> cell(S, std::vector<std::size_t>(G));
        for (auto& r : cell)
            for (auto& c : r)
                c = rng() % 3 == 0 ? 0 : rng() % 14;
        std::vector<std::size_t> n{0};
        std::vector<SuppressionSum> sums(2, SuppressionSum{0, {}});
        std::vector<std::size_t> schoolNode(S), gradeNode(G);
        std::vector<std::size_t> schoolN(S), gradeN(G);
        for (int s = 0; s < S; ++s)
            for (int g = 0; g < G; ++g) {
                schoolN[s] += cell[s][g];
                gradeN[g] += cell[s][g];
                n[0] += cell[s][g];
            }
        for (int s = 0; s < S; ++s)
            if (schoolN[s]) {
                schoolNode[s] = n.size();
                sums[0].parts.push_back(n.size());
                n.push_back(schoolN[s]);
            }
        for (int g = 0; g < G; ++g)
            if (gradeN[g]) {
                gradeNode[g] = n.size();
                sums[1].parts.push_back(n.size());
                n.push_back(gradeN[g]);
            }
        std::vector<SuppressionSum> rows(S), columns(G);
        for (int s = 0; s < S; ++s)
            rows[s].total = schoolNode[s];
        for (int g = 0; g < G; ++g)
            columns[g].total = gradeNode[g];
        for (int s = 0; s < S; ++s)
            for (int g = 0; g < G; ++g)
                if (cell[s][g]) {
                    rows[s].parts.push_back(n.size());
                    columns[g].parts.push_back(n.size());
                    n.push_back(cell[s][g]);
                }
        for (int s = 0; s < S; ++s)
            if (schoolN[s])
                sums.push_back(rows[s]);
        for (int g = 0; g < G; ++g)
            if (gradeN[g])
                sums.push_back(columns[g]);
        const auto v = suppressFigures(n, sums, min);
        INFO("round " << round);
        requireProtected(n, sums, v, static_cast<std::size_t>(min));
    }
}

TEST_CASE("the configured minimum is the only one: lower and higher are refused",
          "[staff][surveys]") {
    CHECK(*effectiveMinRespondents(5, std::nullopt) == 5);
    CHECK(*effectiveMinRespondents(5, 5) == 5);
    // Higher would release the same month with a second pattern of hidden groups.
    CHECK_FALSE(effectiveMinRespondents(5, 9).ok());
    auto lower = effectiveMinRespondents(5, 1);
    REQUIRE_FALSE(lower.ok());
    const auto& m = lower.error().message;
    CHECK(m.find("只用配置的最少人数") != std::string::npos);
    CHECK(m.find("only the configured minimum") != std::string::npos);
    CHECK(m.find("只用配置的最少人数") < m.find("only the configured minimum")); // Chinese first
    CHECK_FALSE(effectiveMinRespondents(5, 0).ok());
    CHECK_FALSE(effectiveMinRespondents(5, -3).ok());
}

TEST_CASE("满意率 is the share of 4 and 5 answers, with average and distribution",
          "[staff][surveys]") {
    Surveys f;
    // overall: 5 5 4 3 1 2 4 → 4 of 7 at 4 or 5 = 57.142…% → 57.1; average 24/7.
    std::vector<json> answers;
    for (int score : {5, 5, 4, 3, 1, 2, 4}) {
        json a = surveyAnswers("yx_shiyan_xiaoxue", "g3", 3);
        a["overall"] = score;
        answers.push_back(a);
    }
    answers[0]["still_tutoring"] = "weekly";
    answers[1]["improvements"] = json::array({"sports_arts"});
    answers[2].erase("comment");
    f.record(answers, at("2026-11-24", 10));
    const auto s = f.stats("2026-11-23", "2026-11-29", at("2026-12-01", 9));

    REQUIRE(s.overall.respondents == 7);
    const auto& overall = s.overall.questions[questionIndex(s, "overall")];
    CHECK(overall.answered == 7);
    CHECK(overall.satisfied == 4);
    CHECK(overall.satisfiedPercent == Approx(57.1));
    CHECK(formatPercent(overall.satisfiedPercent) == "57.1");
    CHECK(overall.average == Approx(24.0 / 7.0));
    CHECK(overall.distribution == std::vector<std::size_t>{1, 1, 1, 2, 2});
    // A question everyone rated 3: nobody satisfied.
    const auto& homework = s.overall.questions[questionIndex(s, "homework_load")];
    CHECK(homework.satisfiedPercent == 0.0);
    CHECK(homework.average == Approx(3.0));
    // Choices: counts per option in form order; a multiple choice counts each selection.
    const auto& tutoring = s.overall.questions[questionIndex(s, "still_tutoring")];
    CHECK(tutoring.distribution == std::vector<std::size_t>{6, 0, 1, 0});
    const auto qi = questionIndex(s, "improvements");
    const auto& improvements = s.overall.questions[qi];
    CHECK(improvements.answered == 7);
    const auto& opts = s.questions[qi].options;
    for (std::size_t k = 0; k < opts.size(); ++k) {
        INFO(opts[k].id);
        CHECK(improvements.distribution[k] == (opts[k].id == "sports_arts"     ? 7u
                                               : opts[k].id == "mental_health" ? 6u
                                                                               : 0u));
    }
    // Free text: how many answered, never what.
    const auto ci = questionIndex(s, "comment");
    CHECK(s.questions[ci].kind == SurveyQuestionKind::Count);
    CHECK(s.overall.questions[ci].answered == 6);
    CHECK(s.overall.questions[ci].distribution.empty());
    const std::string everything = surveyStatsJson(s).dump() + surveyStatsText(s, "示范县") +
                                   surveyStatsHtml(s, false) + surveyStatsHtml(s, true);
    CHECK(everything.find("睡得早") == std::string::npos);
    // The pooled rate: 4 satisfied overall answers out of 6 × 7 ratings.
    CHECK(s.overall.ratingAnswers == 42);
    CHECK(s.overall.satisfiedPercent == Approx(9.5)); // 4/42 = 9.52…
    // School and grade are the breakdown, not a distribution that would bypass suppression.
    CHECK(s.questions[questionIndex(s, "school")].kind == SurveyQuestionKind::Breakdown);
    CHECK(s.questions[questionIndex(s, "grade")].kind == SurveyQuestionKind::Breakdown);
    CHECK(groupOf(s.bySchool, "yx_shiyan_xiaoxue").respondents == 7);
    CHECK(groupOf(s.byGrade, "g3").label.zh == "三年级");
}

TEST_CASE("every question of every survey form is tallied", "[staff][surveys]") {
    // Each survey form the county ships, answered in full by generated answers: every field
    // must come out as a question with one answer counted.
    const auto dir = test::sourceDir() / "config/forms";
    auto lists = forms::loadLists(dir / "lists.toml");
    REQUIRE(lists.ok());
    std::size_t surveyForms = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".toml" || entry.path().filename() == "lists.toml")
            continue;
        auto form = forms::loadForm(entry.path(), *lists);
        INFO(entry.path().string());
        REQUIRE(form.ok());
        if (form->kind != forms::FormKind::Survey)
            continue;
        ++surveyForms;
        Submission sub;
        sub.kind = crypto::EnvelopeKind::Survey;
        sub.formId = form->id;
        sub.recordedAt = at("2026-11-24", 10);
        sub.answers = json::object();
        for (const auto& field : form->fields) {
            json& a = sub.answers[field.id];
            switch (field.type) {
            case forms::FieldType::Scale:
                a = 4;
                break;
            case forms::FieldType::Single:
                a = field.options.front().id;
                break;
            case forms::FieldType::Multiple:
                a = json::array({field.options.front().id});
                break;
            case forms::FieldType::Picker:
                a = field.items.front().id;
                break;
            default:
                a = "x";
            }
        }
        const auto s = computeSurveyStats({sub}, *form, CaseRules{}, day("2026-11-23"),
                                          day("2026-11-29"), at("2026-12-01", 9), 1);
        REQUIRE(s.questions.size() == form->fields.size());
        const auto j = surveyStatsJson(s);
        for (const auto& field : form->fields) {
            INFO(field.id);
            const auto qi = questionIndex(s, field.id);
            CHECK(s.overall.questions[qi].answered == 1);
            CHECK(j["overall"]["questions"].contains(field.id));
            if (field.type == forms::FieldType::Scale) {
                CHECK(s.overall.questions[qi].satisfiedPercent == Approx(100.0));
            } else if (s.questions[qi].kind == SurveyQuestionKind::Choice) {
                std::size_t counted = 0;
                for (auto c : s.overall.questions[qi].distribution)
                    counted += c;
                CHECK(counted == 1);
            }
        }
    }
    CHECK(surveyForms >= 1);
}

TEST_CASE("the hidden school's n appears nowhere: not in the figures, the JSON or the HTML",
          "[staff][surveys][suppression]") {
    Surveys f;
    std::vector<json> answers;
    for (int i = 0; i < 16; ++i)
        answers.push_back(surveyAnswers("yx_shiyan_xiaoxue", "g3", 5));
    // The same answers everywhere, so that no county-wide count happens to be 4 or 10.
    for (int i = 0; i < 4; ++i)
        answers.push_back(surveyAnswers("yx_chengdong_xiaoxue", "g3", 5));
    for (int i = 0; i < 10; ++i)
        answers.push_back(surveyAnswers("donghu_zhongxin_xiaoxue", "g3", 5));
    f.record(answers, at("2026-11-25", 15));
    const auto s = f.stats("2026-11-23", "2026-11-29", at("2026-12-01", 9));

    REQUIRE(s.overall.respondents == 30);
    const auto& a = groupOf(s.bySchool, "yx_shiyan_xiaoxue");
    const auto& b = groupOf(s.bySchool, "yx_chengdong_xiaoxue");
    const auto& c = groupOf(s.bySchool, "donghu_zhongxin_xiaoxue");
    CHECK(b.visibility == Visibility::HiddenSmall);
    CHECK(c.visibility == Visibility::HiddenComplementary);
    CHECK_FALSE(a.hidden());
    CHECK(a.respondents == 16);
    // Hidden groups hold nothing but their name.
    for (const auto* g : {&b, &c}) {
        CHECK(g->respondents == 0);
        CHECK(g->questions.empty());
        CHECK(g->ratingAnswers == 0);
    }
    // School × grade: every school is in g3; the g3 column (30, shown) needs two cells hidden.
    for (const auto& cell : s.bySchoolGrade)
        CHECK(cell.group.hidden() == (cell.schoolId != "yx_shiyan_xiaoxue"));

    const auto j = surveyStatsJson(s);
    for (const auto* key : {"by_school", "by_school_grade"})
        for (const auto& g : j[key]) {
            INFO(g.dump());
            if (g["id"].get<std::string>().rfind("yx_shiyan_xiaoxue", 0) == 0)
                continue;
            CHECK(g["hidden"] == true);
            CHECK(g.size() <= 5); // id, label, hidden (+ school, grade): no figures
        }
    const std::string dumped = j.dump();
    CHECK(dumped.find("\"respondents\":4") == std::string::npos);
    CHECK(dumped.find("\"respondents\":10") == std::string::npos);
    CHECK(dumped.find("\"respondents\":16") != std::string::npos);

    const std::string html = surveyStatsHtml(s, false);
    CHECK(html.find("<td>16</td>") != std::string::npos);
    CHECK(html.find("<td>4</td>") == std::string::npos);
    CHECK(html.find("<td>10</td>") == std::string::npos);
    CHECK(html.find("<td class=\"hidden\">*</td>") != std::string::npos);
    const std::string text = surveyStatsText(s, "示范县");
    CHECK(text.find("n=4") == std::string::npos);
    CHECK(text.find("n=10") == std::string::npos);
    CHECK(text.find("n=16") != std::string::npos);
}

TEST_CASE("below the minimum in total, everything is hidden", "[staff][surveys][suppression]") {
    Surveys f;
    f.record({surveyAnswers("yx_shiyan_xiaoxue", "g3", 5),
              surveyAnswers("yx_shiyan_xiaoxue", "g4", 4),
              surveyAnswers("yx_chengdong_xiaoxue", "g4", 2)},
             at("2026-11-25", 15));
    const auto s = f.stats("2026-11-23", "2026-11-29", at("2026-12-01", 9));
    CHECK(s.overall.hidden());
    for (const auto& g : s.bySchool)
        CHECK(g.hidden());
    for (const auto& g : s.byGrade)
        CHECK(g.hidden());
    for (const auto& c : s.bySchoolGrade)
        CHECK(c.group.hidden());
    CHECK(surveyStatsJson(s)["overall"].size() == 3);
    // Raising the minimum is allowed and hides more; a minimum of 3 shows the county.
    CHECK_FALSE(f.stats("2026-11-23", "2026-11-29", at("2026-12-01", 9), 3).overall.hidden());
}

TEST_CASE("a period's survey figures do not move once it is over", "[staff][surveys]") {
    Surveys f;
    std::vector<json> week;
    for (int i = 0; i < 6; ++i)
        week.push_back(surveyAnswers("yx_shiyan_xiaoxue", "g5", 4 + i % 2));
    // Recorded Monday 00:30 office time: in the week (UTC is still Sunday).
    f.record(week, at("2026-11-23", 0) + 1800);
    // Recorded the Sunday before, late: not in the week.
    f.record({surveyAnswers("yx_shiyan_xiaoxue", "g5", 1)}, at("2026-11-22", 23));
    const auto before = f.stats("2026-11-23", "2026-11-29", at("2026-11-30", 9));
    CHECK(before.complete);
    CHECK(before.overall.respondents == 6);

    // Later: more surveys recorded after the week (whatever the kiosk's minute said).
    for (int i = 0; i < 3; ++i)
        f.record({surveyAnswers("yx_chengdong_xiaoxue", "g2", 1)}, at("2026-11-30", 8 + i));
    const auto after = f.stats("2026-11-23", "2026-11-29", at("2026-12-20", 9));
    CHECK(after.sameFigures(before));
    CHECK(surveyStatsJson(after).dump() == surveyStatsJson(before).dump());
    // The new week has them.
    CHECK(f.stats("2026-11-30", "2026-12-06", at("2026-12-20", 9), 3).overall.respondents == 3);
    // A period still running is provisional.
    CHECK_FALSE(f.stats("2026-11-23", "2026-11-29", at("2026-11-29", 12)).complete);
}
