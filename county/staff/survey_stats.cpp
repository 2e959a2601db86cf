#include "county/staff/survey_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace minsheng::staff {

using forms::FieldType;
using forms::LocalizedText;

Result<int, MinRespondentsError> effectiveMinRespondents(int configured,
                                                         std::optional<int> requested) {
    const int floor = std::max(1, configured);
    if (!requested || *requested == floor)
        return floor;
    return fail(MinRespondentsError{
        "问卷统计只用配置的最少人数 " + std::to_string(floor) +
        " 人（county.toml [report] "
        "min_respondents，只有主管可以修改），同一个月用两个不同的最少人数"
        "发布会让隐藏的组被推算出来 — survey figures use only the configured minimum of " +
        std::to_string(floor) +
        " respondents (county.toml [report] min_respondents, which only a supervisor changes): "
        "the same month released with two minimums lets hidden groups be worked out; "
        "--min-respondents " +
        std::to_string(*requested) + " is refused."});
}

namespace {

/// "2026-03" for error messages and export rows.
std::string monthText(std::chrono::year_month m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", int(m.year()), unsigned(m.month()));
    return buf;
}

} // namespace

std::pair<std::chrono::sys_days, std::chrono::sys_days> surveyMonthDays(std::chrono::year_month m) {
    return {std::chrono::sys_days(m / 1), std::chrono::sys_days(m / std::chrono::last)};
}

std::string formatSurveyMonth(std::chrono::year_month month) {
    return monthText(month);
}

Result<std::chrono::year_month, SurveyPeriodRefusal>
surveyReleaseMonth(std::chrono::sys_days from, std::chrono::sys_days to,
                   std::chrono::sys_days today) {
    const std::chrono::year_month_day first(from);
    const std::chrono::year_month month = first.year() / first.month();
    const std::chrono::year_month_day now(today);
    const std::chrono::year_month lastEnded = now.year() / now.month() - std::chrono::months(1);
    const auto [monthFirst, monthLast] = surveyMonthDays(month);
    if (from == monthFirst && to == monthLast && monthLast < today)
        return month;
    const std::string last = monthText(lastEnded);
    return fail(SurveyPeriodRefusal{
        "问卷统计只按已经结束的整月发布（month=YYYY-MM，最近可查的是 " + last +
        "），不接受任意的起止日期：重叠的时段相减会露出个别家长的回答 — survey figures are "
        "released only for whole calendar months that have ended (month=YYYY-MM; the latest is " +
        last +
        "), not for any other from/to: the difference of two overlapping periods would show "
        "single parents' answers."});
}

std::vector<std::chrono::year_month> releasedSurveyMonths(const std::vector<Submission>& rows,
                                                          const CaseRules& rules,
                                                          std::chrono::sys_days today) {
    std::set<std::chrono::year_month> months;
    for (const auto& sub : rows) {
        if (sub.kind != crypto::EnvelopeKind::Survey)
            continue;
        const std::chrono::year_month_day d(rules.localDay(sub.recordedAt));
        const std::chrono::year_month m = d.year() / d.month();
        if (surveyMonthDays(m).second < today)
            months.insert(m);
    }
    return {months.begin(), months.end()};
}

std::vector<Visibility> suppressFigures(const std::vector<std::size_t>& respondents,
                                        const std::vector<SuppressionSum>& sums,
                                        int minRespondents) {
    const auto min = static_cast<std::size_t>(std::max(1, minRespondents));
    std::vector<Visibility> v(respondents.size(), Visibility::Shown);
    for (std::size_t i = 0; i < respondents.size(); ++i)
        if (respondents[i] < min)
            v[i] = Visibility::HiddenSmall;
    // Hiding only ever adds, so the loop ends: at most one pass per figure.
    bool changed = true;
    auto hide = [&](std::size_t i) {
        if (v[i] == Visibility::Shown) {
            v[i] = Visibility::HiddenComplementary;
            changed = true;
        }
    };
    while (changed) {
        changed = false;
        for (const auto& sum : sums) {
            std::size_t hiddenParts = 0, hiddenRespondents = 0;
            std::optional<std::size_t> smallestShown;
            for (std::size_t p : sum.parts) {
                if (v[p] != Visibility::Shown) {
                    ++hiddenParts;
                    hiddenRespondents += respondents[p];
                } else if (!smallestShown || respondents[p] < respondents[*smallestShown]) {
                    smallestShown = p;
                }
            }
            if (v[sum.total] != Visibility::Shown) {
                // A hidden total whose parts are all shown is their sum: hide one of them.
                if (hiddenParts == 0 && smallestShown)
                    hide(*smallestShown);
                continue;
            }
            if (hiddenParts == 0 || (hiddenParts >= 2 && hiddenRespondents >= min))
                continue;
            if (smallestShown)
                hide(*smallestShown);
            else
                hide(sum.total);
        }
    }
    return v;
}

std::string_view surveyQuestionKindName(SurveyQuestionKind kind) {
    switch (kind) {
    case SurveyQuestionKind::Rating:
        return "rating";
    case SurveyQuestionKind::Choice:
        return "choice";
    case SurveyQuestionKind::Breakdown:
        return "breakdown";
    case SurveyQuestionKind::Count:
        return "count";
    }
    return "count";
}

Result<SurveyStats, SurveyPeriodRefusal>
releasedSurveyStats(const std::vector<Submission>& submissions, const forms::Form& form,
                    const CaseRules& rules, std::chrono::sys_days from, std::chrono::sys_days to,
                    std::int64_t now, int minRespondents) {
    auto month = surveyReleaseMonth(from, to, rules.localDay(now));
    if (!month)
        return fail(month.error());
    return computeSurveyStats(submissions, form, rules, from, to, now, minRespondents);
}

double percentOneDecimal(std::size_t part, std::size_t whole) {
    if (whole == 0)
        return 0;
    const std::size_t tenths = (part * 2000 + whole) / (2 * whole);
    return static_cast<double>(tenths) / 10.0;
}

std::string formatPercent(double percent) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", percent);
    return buf;
}

namespace {

const LocalizedText kNotGiven{"（未填）", "(not given)"};
const LocalizedText kCounty{"全县", "All"};

std::vector<SurveyQuestion> questionsOf(const forms::Form& form) {
    std::vector<SurveyQuestion> out;
    for (const auto& f : form.fields) {
        SurveyQuestion q;
        q.id = f.id;
        q.label = f.label;
        if (f.id == kSurveySchoolField || f.id == kSurveyGradeField) {
            q.kind = SurveyQuestionKind::Breakdown;
        } else if (f.type == FieldType::Scale) {
            q.kind = SurveyQuestionKind::Rating;
            for (int p = forms::kScaleMin; p <= forms::kScaleMax; ++p) {
                LocalizedText l{std::to_string(p), std::to_string(p)};
                if (p == forms::kScaleMin && f.lowLabel)
                    l = {l.zh + " " + f.lowLabel->zh, l.en + " " + f.lowLabel->en};
                if (p == forms::kScaleMax && f.highLabel)
                    l = {l.zh + " " + f.highLabel->zh, l.en + " " + f.highLabel->en};
                q.options.push_back({std::to_string(p), l});
            }
        } else if (f.isChoice()) {
            q.kind = SurveyQuestionKind::Choice;
            for (const auto& o : f.options)
                q.options.push_back({o.id, o.label});
            for (const auto& item : f.items)
                q.options.push_back({item.id, item.label});
        } else {
            q.kind = SurveyQuestionKind::Count;
        }
        out.push_back(std::move(q));
    }
    return out;
}

struct QuestionAcc {
    std::size_t answered = 0, satisfied = 0;
    long long sum = 0;
    std::vector<std::size_t> distribution;
};

struct GroupAcc {
    std::size_t respondents = 0;
    std::vector<QuestionAcc> questions;
};

std::size_t optionIndex(const SurveyQuestion& q, const std::string& id) {
    for (std::size_t i = 0; i < q.options.size(); ++i)
        if (q.options[i].id == id)
            return i;
    return q.options.size();
}

void add(GroupAcc& g, const std::vector<SurveyQuestion>& questions, const nlohmann::json& answers) {
    if (g.questions.empty())
        for (const auto& q : questions) {
            QuestionAcc a;
            if (q.kind == SurveyQuestionKind::Rating || q.kind == SurveyQuestionKind::Choice)
                a.distribution.assign(q.options.size(), 0);
            g.questions.push_back(std::move(a));
        }
    ++g.respondents;
    for (std::size_t i = 0; i < questions.size(); ++i) {
        const auto& q = questions[i];
        auto it = answers.find(q.id);
        if (it == answers.end() || it->is_null())
            continue;
        auto& a = g.questions[i];
        switch (q.kind) {
        case SurveyQuestionKind::Rating:
            if (it->is_number_integer()) {
                const auto v = it->get<std::int64_t>();
                if (v < forms::kScaleMin || v > forms::kScaleMax)
                    break;
                ++a.answered;
                a.sum += v;
                a.satisfied += v >= forms::kScaleMax - 1;
                ++a.distribution[static_cast<std::size_t>(v - forms::kScaleMin)];
            }
            break;
        case SurveyQuestionKind::Choice: {
            bool any = false;
            auto one = [&](const nlohmann::json& value) {
                if (!value.is_string())
                    return;
                const auto k = optionIndex(q, value.get<std::string>());
                if (k < a.distribution.size()) {
                    ++a.distribution[k];
                    any = true;
                }
            };
            if (it->is_array())
                for (const auto& v : *it)
                    one(v);
            else
                one(*it);
            a.answered += any;
            break;
        }
        case SurveyQuestionKind::Breakdown:
        case SurveyQuestionKind::Count:
            a.answered += !(it->is_string() && it->get<std::string>().empty()) &&
                          !(it->is_array() && it->empty());
            break;
        }
    }
}

SurveyGroup finish(std::string id, LocalizedText label, const GroupAcc& acc,
                   const std::vector<SurveyQuestion>& questions) {
    SurveyGroup g;
    g.id = std::move(id);
    g.label = std::move(label);
    g.respondents = acc.respondents;
    for (std::size_t i = 0; i < questions.size(); ++i) {
        QuestionFigures f;
        if (i < acc.questions.size()) {
            const auto& a = acc.questions[i];
            f.answered = a.answered;
            f.distribution = a.distribution;
            if (questions[i].kind == SurveyQuestionKind::Rating && a.answered) {
                f.satisfied = a.satisfied;
                f.satisfiedPercent = percentOneDecimal(a.satisfied, a.answered);
                f.average = static_cast<double>(a.sum) / static_cast<double>(a.answered);
                g.ratingAnswers += a.answered;
                g.ratingSatisfied += a.satisfied;
            }
        }
        g.questions.push_back(std::move(f));
    }
    g.satisfiedPercent = percentOneDecimal(g.ratingSatisfied, g.ratingAnswers);
    return g;
}

/// Hides a group: only its id and label stay.
void hide(SurveyGroup& g, Visibility why) {
    SurveyGroup hidden;
    hidden.id = std::move(g.id);
    hidden.label = std::move(g.label);
    hidden.visibility = why;
    g = std::move(hidden);
}

std::string answerId(const nlohmann::json& answers, const char* field) {
    auto it = answers.find(field);
    return it != answers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

LocalizedText labelOf(const forms::Form& form, const char* fieldId, const std::string& id) {
    if (id.empty())
        return kNotGiven;
    if (const auto* f = form.find(fieldId)) {
        if (const auto* o = f->findOption(id))
            return o->label;
        if (const auto* item = f->findItem(id))
            return item->label;
    }
    return {id, id};
}

} // namespace

SurveyStats computeSurveyStats(const std::vector<Submission>& submissions, const forms::Form& form,
                               const CaseRules& rules, std::chrono::sys_days from,
                               std::chrono::sys_days to, std::int64_t now, int minRespondents) {
    SurveyStats s;
    s.from = from;
    s.to = to;
    s.complete = rules.localDay(now) > to;
    s.minRespondents = std::max(1, minRespondents);
    s.formId = form.id;
    s.formVersion = form.version;
    s.questions = questionsOf(form);

    GroupAcc all;
    std::map<std::string, GroupAcc> schools, grades;
    std::map<std::pair<std::string, std::string>, GroupAcc> cells;
    for (const auto& sub : submissions) {
        if (sub.kind != crypto::EnvelopeKind::Survey || sub.formId != form.id)
            continue;
        const auto day = rules.localDay(sub.recordedAt);
        if (day < from || day > to)
            continue;
        const std::string school = answerId(sub.answers, kSurveySchoolField);
        const std::string grade = answerId(sub.answers, kSurveyGradeField);
        add(all, s.questions, sub.answers);
        add(schools[school], s.questions, sub.answers);
        add(grades[grade], s.questions, sub.answers);
        add(cells[{school, grade}], s.questions, sub.answers);
    }

    s.overall = finish("", kCounty, all, s.questions);
    for (const auto& [id, acc] : schools)
        s.bySchool.push_back(finish(id, labelOf(form, kSurveySchoolField, id), acc, s.questions));
    for (const auto& [id, acc] : grades)
        s.byGrade.push_back(finish(id, labelOf(form, kSurveyGradeField, id), acc, s.questions));
    for (const auto& [key, acc] : cells) {
        const auto& [school, grade] = key;
        const auto sl = labelOf(form, kSurveySchoolField, school);
        const auto gl = labelOf(form, kSurveyGradeField, grade);
        s.bySchoolGrade.push_back(
            {school, grade,
             finish(school + "/" + grade, {sl.zh + " " + gl.zh, sl.en + ", " + gl.en}, acc,
                    s.questions)});
    }

    // Figures in one vector: [county, schools..., grades..., cells...], and the sums tying them.
    std::vector<SurveyGroup*> groups{&s.overall};
    const std::size_t firstSchool = 1, firstGrade = firstSchool + s.bySchool.size(),
                      firstCell = firstGrade + s.byGrade.size();
    for (auto& g : s.bySchool)
        groups.push_back(&g);
    for (auto& g : s.byGrade)
        groups.push_back(&g);
    for (auto& c : s.bySchoolGrade)
        groups.push_back(&c.group);
    std::vector<std::size_t> respondents;
    for (const auto* g : groups)
        respondents.push_back(g->respondents);
    SuppressionSum bySchool{0, {}}, byGrade{0, {}};
    std::map<std::string, SuppressionSum> schoolRows, gradeColumns;
    for (std::size_t i = 0; i < s.bySchool.size(); ++i) {
        bySchool.parts.push_back(firstSchool + i);
        schoolRows[s.bySchool[i].id].total = firstSchool + i;
    }
    for (std::size_t i = 0; i < s.byGrade.size(); ++i) {
        byGrade.parts.push_back(firstGrade + i);
        gradeColumns[s.byGrade[i].id].total = firstGrade + i;
    }
    for (std::size_t i = 0; i < s.bySchoolGrade.size(); ++i) {
        schoolRows[s.bySchoolGrade[i].schoolId].parts.push_back(firstCell + i);
        gradeColumns[s.bySchoolGrade[i].gradeId].parts.push_back(firstCell + i);
    }
    std::vector<SuppressionSum> sums{bySchool, byGrade};
    for (auto& [id, sum] : schoolRows)
        sums.push_back(std::move(sum));
    for (auto& [id, sum] : gradeColumns)
        sums.push_back(std::move(sum));
    const auto visibility = suppressFigures(respondents, sums, s.minRespondents);
    for (std::size_t i = 0; i < groups.size(); ++i)
        if (visibility[i] != Visibility::Shown)
            hide(*groups[i], visibility[i]);
    return s;
}

// ---- JSON and text ----------------------------------------------------------------------------

namespace {

const std::string& pick(const LocalizedText& t, bool english) {
    return english ? t.en : t.zh;
}

double round2(double v) {
    return std::round(v * 100.0) / 100.0;
}

nlohmann::json groupJson(const SurveyStats& s, const SurveyGroup& g, bool english) {
    nlohmann::json j = {{"id", g.id}, {"label", pick(g.label, english)}, {"hidden", g.hidden()}};
    if (g.hidden())
        return j;
    j["respondents"] = g.respondents;
    j["rating_answers"] = g.ratingAnswers;
    j["satisfied_percent"] = g.satisfiedPercent;
    nlohmann::json questions = nlohmann::json::object();
    for (std::size_t i = 0; i < s.questions.size() && i < g.questions.size(); ++i) {
        const auto& q = s.questions[i];
        const auto& f = g.questions[i];
        nlohmann::json qj = {{"answered", f.answered}};
        if (q.kind == SurveyQuestionKind::Rating) {
            qj["satisfied"] = f.satisfied;
            qj["satisfied_percent"] = f.satisfiedPercent;
            qj["average"] = round2(f.average);
        }
        if (!f.distribution.empty()) {
            nlohmann::json d = nlohmann::json::object();
            for (std::size_t k = 0; k < q.options.size() && k < f.distribution.size(); ++k)
                d[q.options[k].id] = f.distribution[k];
            qj["distribution"] = std::move(d);
        }
        questions[q.id] = std::move(qj);
    }
    j["questions"] = std::move(questions);
    return j;
}

} // namespace

nlohmann::json surveyStatsJson(const SurveyStats& s, bool english) {
    nlohmann::json questions = nlohmann::json::array();
    for (const auto& q : s.questions) {
        nlohmann::json options = nlohmann::json::array();
        for (const auto& o : q.options)
            options.push_back({{"id", o.id}, {"label", pick(o.label, english)}});
        questions.push_back({{"id", q.id},
                             {"label", pick(q.label, english)},
                             {"kind", surveyQuestionKindName(q.kind)},
                             {"options", std::move(options)}});
    }
    auto list = [&](const std::vector<SurveyGroup>& groups) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& g : groups)
            a.push_back(groupJson(s, g, english));
        return a;
    };
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& c : s.bySchoolGrade) {
        auto j = groupJson(s, c.group, english);
        j["school"] = c.schoolId;
        j["grade"] = c.gradeId;
        cells.push_back(std::move(j));
    }
    return {{"form", s.formId},
            {"form_version", s.formVersion},
            {"from", CaseRules::formatDay(s.from)},
            {"to", CaseRules::formatDay(s.to)},
            {"complete", s.complete},
            {"period_by", "recorded"},
            {"min_respondents", s.minRespondents},
            {"satisfied_points", {forms::kScaleMax - 1, forms::kScaleMax}},
            {"questions", std::move(questions)},
            {"overall", groupJson(s, s.overall, english)},
            {"by_school", list(s.bySchool)},
            {"by_grade", list(s.byGrade)},
            {"by_school_grade", std::move(cells)}};
}

namespace {

std::string fixed2(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

/// One group's line for question `qi`.
std::string textFigures(const SurveyStats& s, const SurveyGroup& g, std::size_t qi) {
    if (g.hidden())
        return "*";
    const auto& q = s.questions[qi];
    const auto& f = g.questions[qi];
    std::string out = "n=" + std::to_string(f.answered);
    if (q.kind == SurveyQuestionKind::Rating && f.answered)
        out = "满意率 " + formatPercent(f.satisfiedPercent) + "%  平均 avg " + fixed2(f.average) +
              "  " + out;
    if (!f.distribution.empty()) {
        out += "  [";
        for (std::size_t k = 0; k < f.distribution.size(); ++k)
            out +=
                (k ? ", " : "") + q.options[k].label.zh + " " + std::to_string(f.distribution[k]);
        out += "]";
    }
    return out;
}

} // namespace

std::string surveyStatsText(const SurveyStats& s, const std::string& countyName) {
    std::ostringstream o;
    if (!countyName.empty())
        o << countyName << "  ";
    o << "满意度调查 Satisfaction survey  " << CaseRules::formatDay(s.from) << " – "
      << CaseRules::formatDay(s.to)
      << (s.complete ? "" : "  （未结束，数字为暂定 period not over: provisional）") << "\n"
      << "满意率 = 选 4（满意）或 5（很满意）的比例 Satisfied rate = share of answers 4 or 5 of "
         "5.\n"
      << "* 不足 " << s.minRespondents << " 人或为防止推算而不显示 hidden: fewer than "
      << s.minRespondents << " respondents, or hidden so that another hidden group cannot be "
      << "worked out.\n"
      << "问卷 Responses: " << (s.overall.hidden() ? "*" : std::to_string(s.overall.respondents))
      << "\n";
    auto line = [&](const SurveyGroup& g) {
        return "  " + g.label.zh + ": " +
               (g.hidden() ? std::string("*")
                           : "n=" + std::to_string(g.respondents) + "  综合满意率 " +
                                 formatPercent(g.satisfiedPercent) + "%");
    };
    o << "\n按学校 By school\n";
    for (const auto& g : s.bySchool)
        o << line(g) << "\n";
    o << "\n按年级 By grade\n";
    for (const auto& g : s.byGrade)
        o << line(g) << "\n";
    o << "\n学校 × 年级 School × grade\n";
    for (const auto& c : s.bySchoolGrade)
        o << line(c.group) << "\n";
    for (std::size_t qi = 0; qi < s.questions.size(); ++qi) {
        const auto& q = s.questions[qi];
        o << "\n" << q.label.zh << " (" << q.id << ", " << surveyQuestionKindName(q.kind) << ")\n";
        o << "  " << s.overall.label.zh << ": " << textFigures(s, s.overall, qi) << "\n";
        if (q.kind != SurveyQuestionKind::Rating && q.kind != SurveyQuestionKind::Choice)
            continue;
        for (const auto& g : s.bySchool)
            o << "  " << g.label.zh << ": " << textFigures(s, g, qi) << "\n";
        for (const auto& g : s.byGrade)
            o << "  " << g.label.zh << ": " << textFigures(s, g, qi) << "\n";
    }
    return o.str();
}

} // namespace minsheng::staff
