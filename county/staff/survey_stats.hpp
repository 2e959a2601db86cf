// The satisfaction survey's figures for a period: every question of the survey form tallied,
// overall, per school, per grade and per school × grade, with small groups suppressed so that no
// parent can be singled out.
//
// Period. [from, to], whole office-local days (CaseRules::utcOffsetHours), as in
// period_stats.hpp. A survey belongs to the period in which the ledger RECORDED it (pull or
// import), not to the kiosk's submission minute: recorded envelopes never change (ledger_schema
// invariant 1), so a period's figures never move once it has ended — a survey pulled late
// counts in the week it reached the office, and a week already reported stays as reported.
//
// Questions. Every field of the survey form is tallied:
//   rating (scale)   n, 满意率, average (1–5) and the distribution over the five points.
//                    满意率 is the share of answers at the top two points of the five-point
//                    scale — 4 满意 and 5 很满意 on the kiosk's faces (config/locale [scale]) —
//                    in percent, rounded half up to one decimal. Every scale of the form runs
//                    from the worst (1) to the best (5) answer (forms::kScaleMin/kScaleMax), so
//                    for a question worded otherwise (明显加重 … 明显减轻) the rate is the share
//                    of the two favourable answers.
//   choice           (single, multiple, picker) n and the count per option, in form order; a
//                    multiple choice counts each selected option (the counts can exceed n).
//                    Yes/no questions are choices with two options.
//   breakdown        the fields the groups are made of (`school`, `grade`): n only. Their
//                    distribution IS the breakdown by school or grade, which is suppressed
//                    below; repeating it as a plain distribution would bypass the suppression.
//   count            free text, phone, date, time: n (how many answered) only. What a parent
//                    wrote is never part of the figures.
// Answers to fields the current form no longer has, and options it no longer knows, are not
// counted (the form's `version` changes when a question changes meaning).
//
// Suppression (suppressFigures). A group — the whole county, a school, a grade, a school's
// grade — with fewer than `minRespondents` respondents is hidden: every figure of it, including
// its n. Groups that add up to a shown total could give a hidden group away by subtraction
// (total − the shown groups), so within every such sum, when any part is hidden, at least two
// parts are hidden and the hidden parts together have at least `minRespondents` respondents:
// otherwise the smallest shown part is hidden too, repeatedly; if no part is left to hide, the
// total is hidden. When the total is below the minimum, every part is hidden as well. The sums
// are: the county = Σ schools = Σ grades; a school = Σ its grades; a grade = Σ its schools.
// Hidden groups keep only their id and label and print as "*"; the output does not say which
// hidden group was the small one.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/ledger.hpp"
#include "crypto/result.hpp"
#include "sync/forms/form.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace minsheng::staff {

/// The survey fields the groups are made of.
inline constexpr const char* kSurveySchoolField = "school";
inline constexpr const char* kSurveyGradeField = "grade";

// ---- The minimum number of respondents -------------------------------------------------------

struct MinRespondentsError {
    std::string message; // Chinese first, then English
};

/// The minimum a report uses: the configured one (county.toml [report] min_respondents). A
/// request for another value is refused for everyone, whatever their role (only a supervisor
/// changes the configured value): lower would show small groups, and higher would release the
/// same month with a second pattern of hidden groups (see "Which periods are released").
[[nodiscard]] Result<int, MinRespondentsError>
effectiveMinRespondents(int configured, std::optional<int> requested);

// ---- Which periods are released -------------------------------------------------------------
//
// Survey figures are released for fixed periods only: whole calendar months (office-local, by
// the day the ledger recorded each survey) that have ended — and for no other span of days.
// Suppression protects one release; it cannot protect two releases that overlap, because the
// difference of two overlapping periods is a period of its own that nobody checked (the figures
// for 1–10 March minus those for 1–9 March are 10 March's surveys, however few). With one
// partition of time, no released period contains or overlaps another, and a month is released
// only once it has ended: recorded surveys never change (ledger_schema invariant 1), so the
// same month gives the same figures whenever it is asked for, and one more survey falls into a
// later month that is not yet released. Weeks are not released because weeks and months
// overlap (a week spanning two months minus its days in one month isolates the other), and a
// month gathers enough respondents for most groups to be shown. The minimum is the configured
// one only: the same month released with two minimums shows different groups, and the groups
// one release shows can undo the other's complementary suppression.

struct SurveyPeriodRefusal {
    std::string message; // "中文 — English", names the periods that are allowed
};

/// The month [from, to] is, when it is a whole calendar month that ended before `today`;
/// otherwise a refusal naming the last month that may be asked for.
[[nodiscard]] Result<std::chrono::year_month, SurveyPeriodRefusal>
surveyReleaseMonth(std::chrono::sys_days from, std::chrono::sys_days to,
                   std::chrono::sys_days today);
/// The first and last day of `month`.
std::pair<std::chrono::sys_days, std::chrono::sys_days> surveyMonthDays(std::chrono::year_month m);
/// "2026-03".
std::string formatSurveyMonth(std::chrono::year_month month);
/// The ended months in which the ledger recorded at least one survey, oldest first.
std::vector<std::chrono::year_month> releasedSurveyMonths(const std::vector<Submission>& rows,
                                                          const CaseRules& rules,
                                                          std::chrono::sys_days today);

// ---- Suppression, as a pure function ----------------------------------------------------------

enum class Visibility {
    Shown,
    HiddenSmall,         // fewer respondents than the minimum
    HiddenComplementary, // hidden so that another hidden figure cannot be worked out
};

/// `total` = Σ `parts` (indices into the respondents vector).
struct SuppressionSum {
    std::size_t total = 0;
    std::vector<std::size_t> parts;
};

/// Which figures to hide, given each figure's respondents and the sums that tie them together
/// (see the top of this file). Deterministic: among equally small parts the first is hidden.
/// A `minRespondents` below 1 is taken as 1.
std::vector<Visibility> suppressFigures(const std::vector<std::size_t>& respondents,
                                        const std::vector<SuppressionSum>& sums,
                                        int minRespondents);

// ---- The figures ------------------------------------------------------------------------------

enum class SurveyQuestionKind { Rating, Choice, Breakdown, Count };
std::string_view surveyQuestionKindName(SurveyQuestionKind kind); // "rating", "choice", ...

struct SurveyOption {
    std::string id; // option or list item id; "1".."5" for a rating's points
    forms::LocalizedText label;
};

struct SurveyQuestion {
    std::string id;
    forms::LocalizedText label;
    SurveyQuestionKind kind = SurveyQuestionKind::Count;
    std::vector<SurveyOption> options; // rating: the five points; choice: the options
};

/// One question's figures in one group. `distribution` has one count per option of the
/// question (empty for breakdown and count questions).
struct QuestionFigures {
    std::size_t answered = 0;
    std::size_t satisfied = 0;   // rating: answers at 4 or 5
    double satisfiedPercent = 0; // rating: one decimal, rounded half up; 0 when none answered
    double average = 0;          // rating: 1..5; 0 when none answered
    std::vector<std::size_t> distribution;

    bool operator==(const QuestionFigures&) const = default;
};

struct SurveyGroup {
    std::string id; // school id, grade option id, "school/grade"; "" = the county
    forms::LocalizedText label;
    Visibility visibility = Visibility::Shown;
    // Everything below is zero or empty when the group is hidden.
    std::size_t respondents = 0;
    std::vector<QuestionFigures> questions; // in SurveyStats::questions order
    /// Every rating answer of the group pooled: the share at 4 or 5 (综合满意率), one decimal.
    std::size_t ratingAnswers = 0, ratingSatisfied = 0;
    double satisfiedPercent = 0;

    bool hidden() const { return visibility != Visibility::Shown; }
    bool operator==(const SurveyGroup&) const = default;
};

/// One school's figures for one grade.
struct SurveyCell {
    std::string schoolId, gradeId;
    SurveyGroup group; // id "school/grade"

    bool operator==(const SurveyCell&) const = default;
};

struct SurveyStats {
    std::chrono::sys_days from{}, to{};
    bool complete = false; // the period had ended when it was computed
    int minRespondents = 5;
    std::string formId;
    std::int64_t formVersion = 0;
    std::vector<SurveyQuestion> questions; // every field of the form, in form order
    SurveyGroup overall;
    std::vector<SurveyGroup> bySchool, byGrade; // sorted by id ("" = not given, first)
    std::vector<SurveyCell> bySchoolGrade;      // sorted by school, then grade

    /// Equal figures (completeness aside): what "reproducible" means.
    bool sameFigures(const SurveyStats& o) const {
        return from == o.from && to == o.to && minRespondents == o.minRespondents &&
               overall == o.overall && bySchool == o.bySchool && byGrade == o.byGrade &&
               bySchoolGrade == o.bySchoolGrade;
    }
};

/// The figures of `form` for [from, to] from the ledger's submissions (surveys of `form.id`
/// only; complaints and other forms are ignored). `now` only decides `complete`.
SurveyStats computeSurveyStats(const std::vector<Submission>& submissions, const forms::Form& form,
                               const CaseRules& rules, std::chrono::sys_days from,
                               std::chrono::sys_days to, std::int64_t now, int minRespondents);

/// The figures of [from, to] when it is a released period (surveyReleaseMonth at `now`'s
/// office day); the refusal otherwise. What every report, page, export and API answer uses.
[[nodiscard]] Result<SurveyStats, SurveyPeriodRefusal>
releasedSurveyStats(const std::vector<Submission>& submissions, const forms::Form& form,
                    const CaseRules& rules, std::chrono::sys_days from, std::chrono::sys_days to,
                    std::int64_t now, int minRespondents);

/// part/whole in percent, rounded half up to one decimal (exact integer arithmetic); 0 when
/// `whole` is 0.
double percentOneDecimal(std::size_t part, std::size_t whole);
/// "85.7" — a percentage with one decimal.
std::string formatPercent(double percent);

/// The figures as JSON (for `surveys --json` and the console's GET /api/surveys): a hidden group
/// is {"id", "label", "hidden": true} and nothing else. Labels in Chinese, or English when
/// `english`.
nlohmann::json surveyStatsJson(const SurveyStats& stats, bool english = false);
/// Plain text for the terminal, both languages. (The HTML is in weekly_table.hpp.)
std::string surveyStatsText(const SurveyStats& stats, const std::string& countyName);

} // namespace minsheng::staff
