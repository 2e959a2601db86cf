#include "county/staff/weekly_table.hpp"

#include "county/staff/report.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

namespace minsheng::staff {

using forms::LocalizedText;
using std::chrono::days;
using std::chrono::sys_days;

DayRange weekContaining(sys_days day) {
    const auto monday =
        day - days{std::chrono::weekday{day}.iso_encoding() - 1}; // iso: Monday 1 .. Sunday 7
    return {monday, monday + days{6}};
}

DayRange monthDays(std::chrono::year_month month) {
    return {sys_days{month / 1}, sys_days{month / std::chrono::last}};
}

std::vector<DayRange> weeksOfMonth(std::chrono::year_month month) {
    const auto [first, last] = monthDays(month);
    std::vector<DayRange> out;
    for (auto d = first; d <= last;) {
        const auto end = std::min(weekContaining(d).second, last);
        out.emplace_back(d, end);
        d = end + days{1};
    }
    return out;
}

std::optional<std::chrono::year_month> parseMonth(std::string_view text) {
    if (text.size() != 7)
        return std::nullopt;
    const auto day = parseDay(std::string(text) + "-01");
    if (!day)
        return std::nullopt;
    const std::chrono::year_month_day ymd{*day};
    return ymd.year() / ymd.month();
}

PeriodLabels periodLabels(const FormCatalog& forms) {
    PeriodLabels l;
    const auto* complaint = forms.form("complaint");
    if (!complaint)
        return l;
    if (const auto* f = complaint->find("category"))
        for (const auto& o : f->options)
            l.categories.emplace_back(o.id, o.label);
    if (const auto* f = complaint->find("township"))
        for (const auto& item : f->items)
            l.townships.emplace_back(item.id, item.label);
    if (const auto* f = complaint->find("school"))
        for (const auto& item : f->items)
            l.schools.emplace_back(item.id, item.label);
    return l;
}

namespace {

/// The label for `zh` / `en`.
const char* t(bool english, const char* zh, const char* en) {
    return english ? en : zh;
}

const std::string& pick(const LocalizedText& text, bool english) {
    return english ? text.en : text.zh;
}

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string labelFor(const std::vector<PeriodLabels::Entry>& labels, const std::string& id,
                     bool english) {
    if (id.empty())
        return t(english, "（未填）", "(not given)");
    for (const auto& [known, text] : labels)
        if (known == id)
            return pick(text, english);
    return id;
}

bool anyFigure(const PeriodFigures& f) {
    return f != PeriodFigures{};
}

/// Rows in the labels' order (all of them when `allLabels`, else those with a figure), then
/// ids the labels do not know.
std::vector<const PeriodGroup*> ordered(const std::vector<PeriodGroup>& groups,
                                        const std::vector<PeriodLabels::Entry>& labels,
                                        bool allLabels, std::vector<PeriodGroup>& zeros) {
    std::vector<const PeriodGroup*> out;
    std::set<std::string> done;
    zeros.clear();
    zeros.reserve(labels.size());
    for (const auto& [id, text] : labels) {
        const PeriodGroup* found = nullptr;
        for (const auto& g : groups)
            if (g.id == id)
                found = &g;
        if (found && (allLabels || anyFigure(found->figures)))
            out.push_back(found);
        else if (!found && allLabels)
            out.push_back(&zeros.emplace_back(PeriodGroup{id, {}}));
        done.insert(id);
    }
    for (const auto& g : groups)
        if (!done.count(g.id) && anyFigure(g.figures))
            out.push_back(&g);
    return out;
}

std::string figureCells(const PeriodFigures& f) {
    std::ostringstream o;
    o << "<td>" << f.received << "</td><td>" << f.accepted << "</td><td>" << f.transferred
      << "</td><td>" << f.closed << "</td><td>" << f.closedOnTime << "</td><td>"
      << (f.closed ? formatPercent(percentOneDecimal(f.closedOnTime, f.closed)) + "%"
                   : std::string("—"))
      << "</td><td>" << (f.closed ? fixed(f.averageHandlingWorkingDays, 1) : std::string("—"))
      << "</td><td>" << (f.closed ? std::to_string(f.longestHandlingWorkingDays) : "—")
      << "</td><td>" << f.openAtEnd << "</td><td>" << f.overdueAtEnd << "</td>";
    return o.str();
}

std::string figuresHeader(const char* first, bool english) {
    std::ostringstream o;
    o << "<thead><tr><th>" << first << "</th><th>" << t(english, "收到", "Received") << "</th><th>"
      << t(english, "受理", "Accepted") << "</th><th>" << t(english, "转办", "Transferred")
      << "</th><th>" << t(english, "办结", "Closed") << "</th><th>"
      << t(english, "按时办结", "Closed on time") << "</th><th>"
      << t(english, "按时办结率", "On-time rate") << "</th><th>"
      << t(english, "平均办理时长（工作日）", "Average handling (working days)") << "</th><th>"
      << t(english, "最长办理时长（工作日）", "Longest handling (working days)") << "</th><th>"
      << t(english, "期末未办结", "Open at end") << "</th><th>"
      << t(english, "期末超期", "Overdue at end") << "</th></tr></thead>\n";
    return o.str();
}

/// One breakdown's table, with the total row when `withTotal`.
std::string figuresTable(const char* first, const std::vector<PeriodGroup>& groups,
                         const std::vector<PeriodLabels::Entry>& labels, bool allLabels,
                         const PeriodFigures* total, bool english) {
    std::vector<PeriodGroup> zeros;
    const auto rows = ordered(groups, labels, allLabels, zeros);
    std::ostringstream o;
    o << "<table class=\"figures\">\n" << figuresHeader(first, english) << "<tbody>\n";
    if (rows.empty() && !total)
        o << "<tr><td class=\"none\" colspan=\"11\">" << t(english, "无", "None") << "</td></tr>\n";
    for (const auto* g : rows)
        o << "<tr><th scope=\"row\">" << htmlEscape(labelFor(labels, g->id, english)) << "</th>"
          << figureCells(g->figures) << "</tr>\n";
    if (total)
        o << "<tr class=\"total\"><th scope=\"row\">" << t(english, "合计", "Total") << "</th>"
          << figureCells(*total) << "</tr>\n";
    o << "</tbody>\n</table>\n";
    return o.str();
}

const std::vector<BarSeries>& receivedClosedSeries() {
    static const std::vector<BarSeries> series{{{"收到", "Received"}, "#4a6fa5"},
                                               {{"办结", "Closed"}, "#6aa84f"}};
    return series;
}

std::string categoryChart(const PeriodStats& p, const PeriodLabels& labels, bool english) {
    std::vector<PeriodGroup> zeros;
    std::vector<BarRow> rows;
    double max = 1;
    for (const auto* g : ordered(p.byCategory, labels.categories, false, zeros)) {
        const auto& f = g->figures;
        if (!f.received && !f.closed)
            continue;
        rows.push_back({labelFor(labels.categories, g->id, english),
                        {static_cast<double>(f.received), static_cast<double>(f.closed)},
                        {std::to_string(f.received), std::to_string(f.closed)}});
        max = std::max({max, static_cast<double>(f.received), static_cast<double>(f.closed)});
    }
    return svgBarChart(rows, receivedClosedSeries(), max, english);
}

std::string dayText(sys_days d) {
    return CaseRules::formatDay(d);
}

std::string periodText(sys_days from, sys_days to, bool english) {
    return dayText(from) + t(english, " 至 ", " to ") + dayText(to);
}

std::string documentStart(const std::string& title, const std::string& heading,
                          const std::string& period, bool provisional,
                          const PrintOptions& options) {
    const bool en = options.english;
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"" << (en ? "en" : "zh-CN") << "\">\n<head>\n"
      << "<meta charset=\"utf-8\">\n<title>" << htmlEscape(title) << "</title>\n"
      << "<link rel=\"stylesheet\" href=\"" << kPrintStylesheetHref << "\">\n</head>\n"
      << "<body class=\"print\">\n<header>\n<h1>" << htmlEscape(heading) << "</h1>\n"
      << "<table class=\"meta\"><tr><th>" << t(en, "单位", "Office") << "</th><td>"
      << htmlEscape(options.officeName) << "</td><th>" << t(en, "统计时段", "Period") << "</th><td>"
      << htmlEscape(period) << "</td></tr></table>\n";
    if (provisional)
        o << "<p class=\"provisional\">"
          << t(en, "本期尚未结束，数字为暂定。", "The period is not over: figures are provisional.")
          << "</p>\n";
    o << "<p class=\"note\">"
      << t(en,
           "办理时长按工作日计：收到之日后至办结之日的工作日数（当日办结为 0）。"
           "期末数字为统计时段最后一天结束时的状态。",
           "Handling time in working days: the working days after the day received up to and "
           "including the day closed (0 = closed the same day). End figures are as at the end "
           "of the period's last day.")
      << "</p>\n</header>\n";
    return o.str();
}

std::string complaintSections(const PeriodStats& p, const PeriodLabels& labels, bool en) {
    std::ostringstream o;
    o << "<section class=\"complaints\">\n<h2>" << t(en, "按类别", "By category") << "</h2>\n"
      << figuresTable(t(en, "类别", "Category"), p.byCategory, labels.categories, true, &p.total,
                      en)
      << "<figure>\n"
      << categoryChart(p, labels, en) << "<figcaption>"
      << t(en, "各类别收到与办结件数", "Received and closed per category")
      << "</figcaption>\n</figure>\n"
      << "<h2>" << t(en, "按乡镇（街道）", "By township") << "</h2>\n"
      << figuresTable(t(en, "乡镇（街道）", "Township"), p.byTownship, labels.townships, false,
                      nullptr, en)
      << "<h2>" << t(en, "按学校", "By school") << "</h2>\n"
      << figuresTable(t(en, "学校", "School"), p.bySchool, labels.schools, false, nullptr, en)
      << "</section>\n";
    return o.str();
}

std::string documentEnd(const SurveyStats* surveys, bool en) {
    std::ostringstream o;
    if (surveys)
        o << "<section class=\"surveys\">\n" << surveyStatsHtml(*surveys, en) << "</section>\n";
    o << "<footer class=\"signatures\">\n<p><span class=\"sign\">"
      << t(en, "填报人：", "Prepared by: ") << "________________</span><span class=\"sign\">"
      << t(en, "审核人：", "Reviewed by: ") << "________________</span><span class=\"sign\">"
      << t(en, "填报日期：", "Date: ") << "________________</span></p>\n</footer>\n"
      << "</body>\n</html>\n";
    return o.str();
}

} // namespace

std::string weeklyTableHtml(const PeriodStats& p, const SurveyStats* surveys,
                            const PeriodLabels& labels, const PrintOptions& options) {
    const bool en = options.english;
    const std::string heading =
        t(en, "“双减”投诉举报周报表", "Double Reduction complaints: weekly table");
    const std::string period = periodText(p.from, p.to, en);
    return documentStart(options.officeName + " " + heading + " " + period, heading, period,
                         !p.complete, options) +
           complaintSections(p, labels, en) + documentEnd(surveys, en);
}

std::string monthlyTableHtml(const PeriodStats& month, const std::vector<PeriodStats>& weeks,
                             const SurveyStats* surveys, const PeriodLabels& labels,
                             const PrintOptions& options) {
    const bool en = options.english;
    const std::string heading =
        t(en, "“双减”投诉举报月报表", "Double Reduction complaints: monthly summary");
    const std::string period = periodText(month.from, month.to, en);
    std::ostringstream trend;
    trend << "<section class=\"trend\">\n<h2>" << t(en, "各周趋势", "Week by week") << "</h2>\n"
          << "<table class=\"figures\">\n"
          << figuresHeader(t(en, "周", "Week"), en) << "<tbody>\n";
    std::vector<BarRow> rows;
    double max = 1;
    for (const auto& w : weeks) {
        const std::string label = dayText(w.from) + " – " + dayText(w.to);
        trend << "<tr><th scope=\"row\">" << htmlEscape(label) << "</th>" << figureCells(w.total)
              << "</tr>\n";
        rows.push_back(
            {label,
             {static_cast<double>(w.total.received), static_cast<double>(w.total.closed)},
             {std::to_string(w.total.received), std::to_string(w.total.closed)}});
        max = std::max(
            {max, static_cast<double>(w.total.received), static_cast<double>(w.total.closed)});
    }
    trend << "</tbody>\n</table>\n<figure>\n"
          << svgBarChart(rows, receivedClosedSeries(), max, en) << "<figcaption>"
          << t(en, "各周收到与办结件数", "Received and closed per week")
          << "</figcaption>\n</figure>\n</section>\n";
    return documentStart(options.officeName + " " + heading + " " + period, heading, period,
                         !month.complete, options) +
           complaintSections(month, labels, en) + trend.str() + documentEnd(surveys, en);
}

std::string svgBarChart(const std::vector<BarRow>& rows, const std::vector<BarSeries>& series,
                        double maxValue, bool english) {
    if (rows.empty() || series.empty())
        return std::string("<p class=\"none\">") + t(english, "无", "None") + "</p>\n";
    const int labelW = 230, barMax = 360, valueW = 80, legendH = 22, barH = 12, gap = 3, pad = 6;
    const int n = static_cast<int>(series.size());
    const int rowH = n * barH + (n - 1) * gap + 2 * pad;
    const int width = labelW + barMax + valueW;
    const int height = legendH + rowH * static_cast<int>(rows.size());
    const double max = maxValue > 0 ? maxValue : 1;
    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << width
      << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " " << height
      << "\" font-size=\"12\" role=\"img\">\n";
    int x = labelW;
    for (const auto& s : series) {
        o << "<rect x=\"" << x << "\" y=\"4\" width=\"10\" height=\"10\" fill=\"" << s.fill
          << "\"/><text x=\"" << x + 14 << "\" y=\"13\">" << htmlEscape(pick(s.name, english))
          << "</text>\n";
        x += 110;
    }
    int y = legendH;
    for (const auto& r : rows) {
        o << "<text x=\"" << labelW - 8 << "\" y=\"" << y + rowH / 2 + 4
          << "\" text-anchor=\"end\">" << htmlEscape(r.label) << "</text>\n";
        for (int i = 0; i < n; ++i) {
            const auto k = static_cast<std::size_t>(i);
            const int by = y + pad + i * (barH + gap);
            const std::string text = k < r.texts.size() ? r.texts[k] : std::string();
            int w = 0;
            if (k < r.values.size() && text != "*") {
                const double v = std::clamp(r.values[k], 0.0, max);
                w = std::max(1, static_cast<int>(static_cast<double>(barMax) * v / max));
                o << "<rect x=\"" << labelW << "\" y=\"" << by << "\" width=\"" << w
                  << "\" height=\"" << barH << "\" fill=\"" << series[k].fill << "\"/>";
            }
            o << "<text x=\"" << labelW + w + 4 << "\" y=\"" << by + barH - 2 << "\">"
              << htmlEscape(text) << "</text>\n";
        }
        y += rowH;
    }
    o << "</svg>\n";
    return o.str();
}

// ---- The survey's tables ----------------------------------------------------------------------

namespace {

std::string hiddenCell() {
    return "<td class=\"hidden\">*</td>";
}

/// n, 综合满意率 and each rating's 满意率 of one group.
std::string rateCells(const SurveyStats& s, const SurveyGroup& g) {
    std::ostringstream o;
    if (g.hidden()) {
        o << hiddenCell() << hiddenCell();
        for (const auto& q : s.questions)
            if (q.kind == SurveyQuestionKind::Rating)
                o << hiddenCell();
        return o.str();
    }
    auto rate = [](std::size_t answered, double percent) {
        return answered ? "<td>" + formatPercent(percent) + "%</td>"
                        : std::string("<td class=\"none\">—</td>");
    };
    o << "<td>" << g.respondents << "</td>" << rate(g.ratingAnswers, g.satisfiedPercent);
    for (std::size_t i = 0; i < s.questions.size(); ++i)
        if (s.questions[i].kind == SurveyQuestionKind::Rating)
            o << rate(g.questions[i].answered, g.questions[i].satisfiedPercent);
    return o.str();
}

std::string rateHeader(const SurveyStats& s, const std::string& first, bool en) {
    std::ostringstream o;
    o << "<thead><tr>" << first << "<th>" << t(en, "人数", "Respondents") << "</th><th>"
      << t(en, "综合满意率", "Overall satisfied") << "</th>";
    for (const auto& q : s.questions)
        if (q.kind == SurveyQuestionKind::Rating)
            o << "<th>" << htmlEscape(pick(q.label, en)) << "</th>";
    o << "</tr></thead>\n";
    return o.str();
}

std::string rateTable(const SurveyStats& s, const char* first,
                      const std::vector<const SurveyGroup*>& groups, bool en) {
    std::ostringstream o;
    o << "<table class=\"figures survey\">\n"
      << rateHeader(s, std::string("<th>") + first + "</th>", en) << "<tbody>\n";
    for (const auto* g : groups)
        o << "<tr" << (g == &s.overall ? " class=\"total\"" : "") << "><th scope=\"row\">"
          << htmlEscape(pick(g->label, en)) << "</th>" << rateCells(s, *g) << "</tr>\n";
    o << "</tbody>\n</table>\n";
    return o.str();
}

} // namespace

std::string surveyStatsHtml(const SurveyStats& s, bool en) {
    std::ostringstream o;
    o << "<h2>" << t(en, "家长满意度调查 满意率", "Parent satisfaction survey") << "</h2>\n"
      << "<p class=\"note\">"
      << htmlEscape(en ? "Satisfied rate = the share of answers at 4 (happy) or 5 (very happy) "
                         "of the five-point scale (for questions worded otherwise, the two most "
                         "favourable answers), one decimal. Surveys counted by the day the "
                         "office recorded them."
                       : "满意率 = 选 4（满意）或 5（很满意）的答案占该题回答数的比例（措辞不同"
                         "的题目为最有利的两档），保留一位小数。问卷按县办记录之日计入时段。")
      << "</p>\n<p class=\"note\">"
      << htmlEscape(en ? "* hidden: fewer than " + std::to_string(s.minRespondents) +
                             " respondents, or hidden so that another hidden figure cannot be "
                             "worked out from the totals."
                       : "* 不显示：人数不足 " + std::to_string(s.minRespondents) +
                             " 人，或为防止由合计推算出其他不显示的数字。")
      << "</p>\n";

    std::vector<const SurveyGroup*> schools{&s.overall}, grades{&s.overall};
    for (const auto& g : s.bySchool)
        schools.push_back(&g);
    for (const auto& g : s.byGrade)
        grades.push_back(&g);
    o << "<h3>" << t(en, "按学校", "By school") << "</h3>\n"
      << rateTable(s, t(en, "学校", "School"), schools, en);

    std::vector<BarRow> bars;
    for (const auto& g : s.bySchool)
        bars.push_back({pick(g.label, en),
                        {g.satisfiedPercent},
                        {g.hidden()        ? std::string("*")
                         : g.ratingAnswers ? formatPercent(g.satisfiedPercent) + "%"
                                           : std::string("—")}});
    o << "<figure>\n"
      << svgBarChart(bars, {{{"综合满意率", "Overall satisfied"}, "#4a6fa5"}}, 100.0, en)
      << "<figcaption>" << t(en, "各学校综合满意率（%）", "Overall satisfied rate per school (%)")
      << "</figcaption>\n</figure>\n";

    o << "<h3>" << t(en, "按年级", "By grade") << "</h3>\n"
      << rateTable(s, t(en, "年级", "Grade"), grades, en);

    if (!s.bySchoolGrade.empty()) {
        o << "<h3>" << t(en, "学校 × 年级", "School × grade") << "</h3>\n"
          << "<table class=\"figures survey\">\n"
          << rateHeader(s,
                        std::string("<th>") + t(en, "学校", "School") + "</th><th>" +
                            t(en, "年级", "Grade") + "</th>",
                        en)
          << "<tbody>\n";
        for (const auto& c : s.bySchoolGrade) {
            auto label = [&](const std::vector<SurveyGroup>& groups, const std::string& id) {
                for (const auto& g : groups)
                    if (g.id == id)
                        return pick(g.label, en);
                return id;
            };
            o << "<tr><th scope=\"row\">" << htmlEscape(label(s.bySchool, c.schoolId))
              << "</th><td>" << htmlEscape(label(s.byGrade, c.gradeId)) << "</td>"
              << rateCells(s, c.group) << "</tr>\n";
        }
        o << "</tbody>\n</table>\n";
    }

    // Every question county-wide: ratings' distribution, choices' counts, the others' n.
    o << "<h3>" << t(en, "各题（全县）", "Every question (all schools)") << "</h3>\n";
    const auto& all = s.overall;
    for (std::size_t i = 0; i < s.questions.size(); ++i) {
        const auto& q = s.questions[i];
        o << "<table class=\"figures question\" id=\"q-" << htmlEscape(q.id) << "\">\n<caption>"
          << htmlEscape(pick(q.label, en)) << "</caption>\n<tbody>\n";
        if (all.hidden()) {
            o << "<tr><th scope=\"row\">" << t(en, "回答人数", "Answered") << "</th>"
              << hiddenCell() << "</tr>\n";
        } else {
            const auto& f = all.questions[i];
            o << "<tr><th scope=\"row\">" << t(en, "回答人数", "Answered") << "</th><td>"
              << f.answered << "</td></tr>\n";
            if (q.kind == SurveyQuestionKind::Rating && f.answered)
                o << "<tr><th scope=\"row\">" << t(en, "满意率", "Satisfied") << "</th><td>"
                  << formatPercent(f.satisfiedPercent) << "%</td></tr>\n"
                  << "<tr><th scope=\"row\">" << t(en, "平均分（1–5）", "Average (1–5)")
                  << "</th><td>" << fixed(f.average, 2) << "</td></tr>\n";
            for (std::size_t k = 0; k < f.distribution.size() && k < q.options.size(); ++k)
                o << "<tr><th scope=\"row\">" << htmlEscape(pick(q.options[k].label, en))
                  << "</th><td>" << f.distribution[k] << "</td></tr>\n";
            if (q.kind == SurveyQuestionKind::Breakdown)
                o << "<tr><td colspan=\"2\" class=\"note\">"
                  << t(en, "分布见上方分组表。", "Distribution: see the tables above.")
                  << "</td></tr>\n";
            else if (q.kind == SurveyQuestionKind::Count)
                o << "<tr><td colspan=\"2\" class=\"note\">"
                  << t(en, "文字内容不在统计中显示。", "What parents wrote is not shown here.")
                  << "</td></tr>\n";
        }
        o << "</tbody>\n</table>\n";
    }
    return o.str();
}

} // namespace minsheng::staff
