#include "county/staff/report.hpp"

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

std::string fixed1(double v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string answerString(const Submission& s, const char* field) {
    auto it = s.answers.find(field);
    return it != s.answers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Primary and secondary suppression over one question's cells (see report.hpp).
void suppress(std::vector<SatisfactionCell*> cells, std::size_t min) {
    std::vector<SatisfactionCell*> shown;
    std::size_t hidden = 0;
    for (auto* c : cells) {
        if (c->respondents == 0)
            continue;
        if (c->respondents < min) {
            c->suppressed = true;
            ++hidden;
        } else {
            shown.push_back(c);
        }
    }
    if (hidden == 1 && !shown.empty()) {
        auto* smallest = *std::min_element(shown.begin(), shown.end(), [](auto* a, auto* b) {
            return a->respondents < b->respondents;
        });
        smallest->suppressed = true;
        smallest->secondary = true;
    }
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
    // Survey: school → question → (sum, n); and the school's respondent count.
    struct Acc {
        double sum = 0;
        std::size_t n = 0;
    };
    std::map<std::string, std::map<std::string, Acc>> sat;
    std::map<std::string, std::size_t> satRespondents;
    std::map<std::string, Acc> satAll;
    std::size_t allRespondents = 0;

    if (const auto* survey = forms.form("survey"))
        for (const auto& f : survey->fields)
            if (f.type == forms::FieldType::Scale) {
                r.questionIds.push_back(f.id);
                r.questions.push_back(f.label.zh);
            }

    for (const auto& s : rows) {
        const auto day = rules.localDay(s.receivedAt);
        if ((options.since && day < *options.since) || (options.until && day > *options.until))
            continue;
        if (s.isComplaint()) {
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
            continue;
        }
        ++r.surveys;
        const std::string sch = answerString(s, "school");
        ++satRespondents[sch];
        ++allRespondents;
        for (const auto& q : r.questionIds) {
            auto it = s.answers.find(q);
            if (it == s.answers.end() || !it->is_number_integer())
                continue;
            const double v = static_cast<double>(it->get<std::int64_t>());
            auto& a = sat[sch][q];
            a.sum += v;
            ++a.n;
            satAll[q].sum += v;
            ++satAll[q].n;
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

    for (const auto& [sch, n] : satRespondents) {
        SatisfactionRow row;
        row.schoolId = sch;
        row.school = sch.empty() ? "（未填 not given）" : forms.itemLabel("schools", sch);
        row.respondents = n;
        for (const auto& q : r.questionIds) {
            SatisfactionCell c;
            if (auto it = sat[sch].find(q); it != sat[sch].end()) {
                c.respondents = it->second.n;
                c.average = it->second.n ? it->second.sum / static_cast<double>(it->second.n) : 0;
            }
            row.cells.push_back(c);
        }
        r.satisfaction.push_back(std::move(row));
    }
    r.overall.school = "全部学校 all schools";
    r.overall.respondents = allRespondents;
    for (const auto& q : r.questionIds) {
        SatisfactionCell c;
        c.respondents = satAll[q].n;
        c.average = c.respondents ? satAll[q].sum / static_cast<double>(c.respondents) : 0;
        c.suppressed = c.respondents < static_cast<std::size_t>(options.minRespondents);
        r.overall.cells.push_back(c);
    }
    const auto min = static_cast<std::size_t>(std::max(1, options.minRespondents));
    for (std::size_t qi = 0; qi < r.questionIds.size(); ++qi) {
        std::vector<SatisfactionCell*> column;
        for (auto& row : r.satisfaction)
            column.push_back(&row.cells[qi]);
        suppress(column, min);
    }
    return r;
}

namespace {

std::string cellText(const SatisfactionCell& c, int min) {
    if (c.respondents == 0)
        return "—";
    if (c.secondary)
        return "*（防推算不显示 hidden to protect another cell）";
    if (c.suppressed)
        return "*（不足" + std::to_string(min) + "人 fewer than " + std::to_string(min) + "）";
    return fixed1(c.average) + " (n=" + std::to_string(c.respondents) + ")";
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
      << "满意度问卷 Surveys: " << r.surveys << "\n";
    textTally(o, "按类别 By category", r.byCategory);
    textTally(o, "按学校 By school", r.bySchool);
    textTally(o, "按乡镇街道 By township", r.byTownship);
    textTally(o, "按状态 By status", r.byStatus);
    textTally(o, "超期按类别 Overdue by category", r.overdueByCategory);
    o << "\n满意度（1-5分，平均）Satisfaction (1-5, average); figures from fewer than "
      << r.minRespondents << " respondents are not shown\n";
    for (std::size_t q = 0; q < r.questions.size(); ++q) {
        o << "  " << r.questions[q] << "\n";
        o << "    " << r.overall.school << ": " << cellText(r.overall.cells[q], r.minRespondents)
          << "\n";
        for (const auto& row : r.satisfaction)
            o << "    " << row.school << ": " << cellText(row.cells[q], r.minRespondents) << "\n";
    }
    return o.str();
}

namespace {

/// A horizontal bar chart as inline SVG.
std::string svgBars(const std::vector<Tally>& t) {
    if (t.empty())
        return "<p class=\"none\">（无 none）</p>\n";
    std::size_t max = 1;
    for (const auto& x : t)
        max = std::max(max, x.count);
    const int rowH = 24, labelW = 300, barW = 360;
    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << labelW + barW + 60
      << "\" height=\"" << rowH * static_cast<int>(t.size()) + 4 << "\" role=\"img\">\n";
    int y = 0;
    for (const auto& x : t) {
        const int w = static_cast<int>(static_cast<double>(barW) * static_cast<double>(x.count) /
                                       static_cast<double>(max));
        o << "<text x=\"" << labelW - 6 << "\" y=\"" << y + 16 << "\" text-anchor=\"end\">"
          << htmlEscape(x.label) << "</text>"
          << "<rect x=\"" << labelW << "\" y=\"" << y + 4 << "\" width=\"" << std::max(w, 1)
          << "\" height=\"" << rowH - 8 << "\" fill=\"#c0392b\"/>"
          << "<text x=\"" << labelW + std::max(w, 1) + 6 << "\" y=\"" << y + 16 << "\">" << x.count
          << "</text>\n";
        y += rowH;
    }
    o << "</svg>\n";
    return o.str();
}

std::string htmlCell(const SatisfactionCell& c, int min) {
    if (c.respondents == 0)
        return "<td class=\"none\">—</td>";
    if (c.suppressed)
        return "<td class=\"hidden\" title=\"" +
               htmlEscape(c.secondary ? "hidden so that another hidden figure cannot be worked out"
                                      : "fewer than " + std::to_string(min) + " respondents") +
               "\">*</td>";
    const int w = static_cast<int>(c.average / 5.0 * 100.0);
    return "<td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"104\" height=\"12\">"
           "<rect x=\"0\" y=\"1\" width=\"100\" height=\"10\" fill=\"#eee\"/>"
           "<rect x=\"0\" y=\"1\" width=\"" +
           std::to_string(w) + "\" height=\"10\" fill=\"#2e86c1\"/></svg> " + fixed1(c.average) +
           " <span class=\"n\">n=" + std::to_string(c.respondents) + "</span></td>";
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
      << "svg text{font-size:13px;font-family:inherit}.n{color:#777;font-size:.8em}\n"
      << ".hidden{color:#999;text-align:center}.none{color:#999}\n"
      << ".summary td{font-size:1.1em}\n</style>\n</head>\n<body>\n";
    o << "<h1>" << htmlEscape(r.title) << "</h1>\n<p>统计期间 Period: " << htmlEscape(r.period)
      << " · 生成 Generated: " << htmlEscape(r.generatedAt) << "</p>\n";
    o << "<table class=\"summary\"><tr><th>投诉举报 Complaints</th><td>" << r.complaints
      << "</td><th>未办结 Open</th><td>" << r.open << "</td><th>超期 Overdue</th><td>" << r.overdue
      << "</td><th>满意度问卷 Surveys</th><td>" << r.surveys << "</td></tr></table>\n";
    o << "<h2>按类别 By category</h2>\n" << svgBars(r.byCategory);
    o << "<h2>按学校 By school</h2>\n" << svgBars(r.bySchool);
    o << "<h2>按乡镇街道 By township</h2>\n" << svgBars(r.byTownship);
    o << "<h2>按状态 By status</h2>\n" << svgBars(r.byStatus);
    o << "<h2>超期按类别 Overdue by category</h2>\n" << svgBars(r.overdueByCategory);
    o << "<h2>满意度 Satisfaction (1–5)</h2>\n<p>少于 " << r.minRespondents
      << " 人回答的数字不显示（*），以免认出个别家长。Figures from fewer than " << r.minRespondents
      << " respondents are not shown (*) so that no parent can be singled out.</p>\n";
    o << "<table>\n<tr><th>学校 School</th><th>人数 Respondents</th>";
    for (const auto& q : r.questions)
        o << "<th>" << htmlEscape(q) << "</th>";
    o << "</tr>\n";
    auto row = [&](const SatisfactionRow& s, bool all) {
        const bool hideCount = !all && s.respondents < static_cast<std::size_t>(r.minRespondents);
        o << "<tr><td>" << htmlEscape(s.school) << "</td><td>"
          << (hideCount ? std::string("*") : std::to_string(s.respondents)) << "</td>";
        for (const auto& c : s.cells)
            o << htmlCell(c, r.minRespondents);
        o << "</tr>\n";
    };
    row(r.overall, true);
    for (const auto& s : r.satisfaction)
        row(s, false);
    o << "</table>\n</body>\n</html>\n";
    return o.str();
}

} // namespace minsheng::staff
