// The tallies the county files (weekly tables, monthly progress reports, satisfaction figures):
// complaints by category, school, township and status, overdue cases, and satisfaction
// averages per school and question.
//
// Privacy: a satisfaction figure is SUPPRESSED when fewer than `minRespondents` parents (default
// 5, county.toml [report] min_respondents) answered it, so a small class cannot be singled out.
// If exactly one school is suppressed for a question, the next-smallest school is suppressed
// too (secondary suppression): otherwise the hidden figure could be worked out from the
// all-schools average. The all-schools figure itself follows the same threshold.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/ledger.hpp"

#include <optional>
#include <string>
#include <vector>

namespace minsheng::staff {

struct Tally {
    std::string id;
    std::string label;
    std::size_t count = 0;
};

struct SatisfactionCell {
    std::size_t respondents = 0;
    double average = 0; // 1..5, meaningful only when not suppressed
    bool suppressed = false;
    bool secondary = false; // suppressed only so that another cell cannot be worked out
};

struct SatisfactionRow {
    std::string schoolId, school;
    std::size_t respondents = 0;         // parents from this school (any question)
    std::vector<SatisfactionCell> cells; // one per question, in `questions` order
};

struct ReportData {
    std::string title;
    std::string period; // "全部 all" or "2026-11-01 – 2026-11-30"
    std::string generatedAt;
    int minRespondents = 5;
    std::size_t complaints = 0, surveys = 0, overdue = 0, open = 0;
    std::vector<Tally> byCategory, bySchool, byTownship, byStatus, overdueByCategory;
    std::vector<std::string> questionIds, questions; // scale questions of the survey form
    std::vector<SatisfactionRow> satisfaction;       // per school
    SatisfactionRow overall;                         // all schools
};

struct ReportOptions {
    int minRespondents = 5;
    std::optional<std::chrono::sys_days> since, until; // local days, inclusive (received day)
};

ReportData buildReport(const std::vector<Submission>& rows, const FormCatalog& forms,
                       const CaseRules& rules, std::int64_t now, const ReportOptions& options,
                       const std::string& countyName);

std::string reportText(const ReportData& report);
/// A self-contained HTML page (inline CSS and SVG, no external resources, no script).
std::string reportHtml(const ReportData& report);

/// &, <, >, " and ' escaped.
std::string htmlEscape(std::string_view text);

} // namespace minsheng::staff
