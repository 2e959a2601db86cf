#include "county/staff/report.hpp"

#include "county/staff/weekly_table.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace minsheng::staff {

using crypto::CaseStatus;

std::string htmlEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

namespace {

std::vector<Tally> sorted(const std::map<std::string, std::size_t>& counts,
                          const std::function<std::string(const std::string&)>& label) {
    std::vector<Tally> out;
    for (const auto& [id, n] : counts)
        out.push_back({id, id.empty() ? "（未填 not given）" : label(id), n});
    std::stable_sort(out.begin(), out.end(),
                     [](const Tally& a, const Tally& b) { return a.count > b.count; });
    return out;
}

} // namespace

ReportData buildReport(const std::vector<Submission>& rows, const FormCatalog& forms,
                       const CaseRules& rules, std::int64_t now, const ReportOptions& options,
                       const std::string& countyName) {
    ReportData r;
    r.title = (countyName.empty() ? std::string() : countyName + " ") + "“双减”投诉与满意度统计";
    r.minRespondents = options.minRespondents;
    r.generatedAt = rules.formatLocal(now);
    r.period = options.since || options.until
                   ? (options.since ? CaseRules::formatDay(*options.since) : std::string("…")) +
                         " – " +
                         (options.until ? CaseRules::formatDay(*options.until) : std::string("…"))
                   : "全部 all";

    std::map<std::string, std::size_t> cat, school, town, status, overdueCat;
    for (const auto& s : rows) {
        if (!s.isComplaint())
            continue;
        const auto day = rules.localDay(s.receivedAt);
        if ((options.since && day < *options.since) || (options.until && day > *options.until))
            continue;
        ++r.complaints;
        ++cat[s.category];
        ++school[s.school];
        ++town[s.township];
        ++status[std::string(crypto::caseStatusName(s.status))];
        if (!isFinalStatus(s.status))
            ++r.open;
        if (rules.isOverdue(s.receivedAt, s.category, s.status, now)) {
            ++r.overdue;
            ++overdueCat[s.category];
        }
    }
    // The survey figures cover the same days, when they are a released period; an open-ended
    // report ("everything so far") never is: it grows with each survey.
    if (const auto* survey = forms.form("survey")) {
        if (!options.since || !options.until) {
            r.satisfactionWithheld =
                surveyReleaseMonth(std::chrono::sys_days{}, std::chrono::sys_days{},
                                   rules.localDay(now))
                    .error()
                    .message;
        } else if (auto released =
                       releasedSurveyStats(rows, *survey, rules, *options.since, *options.until,
                                           now, options.minRespondents)) {
            r.satisfaction = std::move(*released);
        } else {
            r.satisfactionWithheld = released.error().message;
        }
    }
    r.byCategory = sorted(
        cat, [&](const std::string& id) { return forms.categoryLabel(id); });
    r.bySchool = sorted(
        school, [&](const std::string& id) { return forms.itemLabel("schools", id); });
    r.byTownship = sorted(
        town, [&](const std::string& id) { return forms.itemLabel("townships", id); });
    r.overdueByCategory =
        sorted(overdueCat, [&](const std::string& id) { return forms.categoryLabel(id); });
    for (int i = 1; i <= 6; ++i) {
        const auto st = static_cast<CaseStatus>(i);
        const std::string name(crypto::caseStatusName(st));
        r.byStatus.push_back({name, caseStatusLabel(st), status.count(name) ? status[name] : 0});
    }

    return r;
}

namespace {

/// The number of surveys, or "*" when it is hidden (below the minimum).
std::string surveyCount(const ReportData& r) {
    if (!r.satisfaction)
        return "—";
    const auto& all = r.satisfaction->overall;
    return all.hidden() ? std::string("*") : std::to_string(all.respondents);
}

void textTally(std::ostringstream& o, const char* title, const std::vector<Tally>& t) {
    o << "\n" << title << "\n";
    if (t.empty())
        o << "  （无 none）\n";
    for (const auto& x : t)
        o << "  " << x.count << "\t" << x.label << "\n";
}

} // namespace

std::string reportText(const ReportData& r) {
    std::ostringstream o;
    o << r.title << "\n"
      << "统计期间 Period: " << r.period << "    生成 Generated: " << r.generatedAt << "\n\n"
      << "投诉举报 Complaints: " << r.complaints << "    未办结 Open: " << r.open
      << "    超期 Overdue: " << r.overdue << "\n"
      << "满意度问卷 Surveys: " << surveyCount(r) << "\n";
    textTally(o, "按类别 By category", r.byCategory);
    textTally(o, "按学校 By school", r.bySchool);
    textTally(o, "按乡镇街道 By township", r.byTownship);
    textTally(o, "按状态 By status", r.byStatus);
    textTally(o, "超期按类别 Overdue by category", r.overdueByCategory);
    if (r.satisfaction)
        o << "\n" << surveyStatsText(*r.satisfaction, "");
    else if (!r.satisfactionWithheld.empty())
        o << "\n" << r.satisfactionWithheld << "\n";
    return o.str();
}

namespace {

/// A tally as a bar chart.
std::string svgBars(const std::vector<Tally>& t) {
    std::vector<BarRow> rows;
    double max = 1;
    for (const auto& x : t) {
        rows.push_back({x.label, {static_cast<double>(x.count)}, {std::to_string(x.count)}});
        max = std::max(max, static_cast<double>(x.count));
    }
    return svgBarChart(rows, {{{"件数", "Count"}, "#c0392b"}}, max, false);
}

} // namespace

std::string reportHtml(const ReportData& r) {
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>" << htmlEscape(r.title) << "</title>\n<style>\n"
      << "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;"
         "color:#222}\n"
      << "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}\n"
      << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
         "text-align:left;font-size:.9em}\n"
      << "svg text{font-family:inherit}.note{color:#555;font-size:.9em}\n"
      << ".hidden{color:#999;text-align:center}.none{color:#999}.total{font-weight:bold}\n"
      << "caption{text-align:left;font-weight:bold;padding:6px 0}table{margin-bottom:1em}\n"
      << ".summary td{font-size:1.1em}\n</style>\n</head>\n<body>\n";
    o << "<h1>" << htmlEscape(r.title) << "</h1>\n<p>统计期间 Period: " << htmlEscape(r.period)
      << " · 生成 Generated: " << htmlEscape(r.generatedAt) << "</p>\n";
    o << "<table class=\"summary\"><tr><th>投诉举报 Complaints</th><td>" << r.complaints
      << "</td><th>未办结 Open</th><td>" << r.open << "</td><th>超期 Overdue</th><td>" << r.overdue
      << "</td><th>满意度问卷 Surveys</th><td>" << surveyCount(r) << "</td></tr></table>\n";
    o << "<h2>按类别 By category</h2>\n" << svgBars(r.byCategory);
    o << "<h2>按学校 By school</h2>\n" << svgBars(r.bySchool);
    o << "<h2>按乡镇街道 By township</h2>\n" << svgBars(r.byTownship);
    o << "<h2>按状态 By status</h2>\n" << svgBars(r.byStatus);
    o << "<h2>超期按类别 Overdue by category</h2>\n" << svgBars(r.overdueByCategory);
    if (r.satisfaction)
        o << surveyStatsHtml(*r.satisfaction, false);
    else if (!r.satisfactionWithheld.empty())
        o << "<p class=\"note\">" << htmlEscape(r.satisfactionWithheld) << "</p>\n";
    o << "</body>\n</html>\n";
    return o.str();
}

} // namespace minsheng::staff
