// The tallies the county files as a snapshot of where things stand now: complaints by
// category, school, township and status, open and overdue cases, and the satisfaction survey's
// figures (survey_stats.hpp: 满意率, averages and counts for every question, per school and
// grade, small groups suppressed). The period figures of the weekly and monthly tables are
// period_stats.hpp and weekly_table.hpp.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/ledger.hpp"
#include "county/staff/survey_stats.hpp"

#include <optional>
#include <string>
#include <vector>

namespace minsheng::staff {

struct Tally {
    std::string id;
    std::string label;
    std::size_t count = 0;
};

struct ReportData {
    std::string title;
    std::string period; // "全部 all" or "2026-11-01 – 2026-11-30"
    std::string generatedAt;
    int minRespondents = 5;
    std::size_t complaints = 0, overdue = 0, open = 0;
    std::vector<Tally> byCategory, bySchool, byTownship, byStatus, overdueByCategory;
    /// The survey's figures over the same days (by the day the ledger recorded each survey),
    /// only when the days are a released period (survey_stats.hpp: a whole calendar month that
    /// has ended); absent otherwise, or when the county has no survey form. The number of
    /// surveys is `satisfaction->overall.respondents`, hidden with the rest below the minimum.
    std::optional<SurveyStats> satisfaction;
    /// Why the survey figures are absent for these days ("中文 — English"); empty when shown or
    /// when the county has no survey form.
    std::string satisfactionWithheld;
};

struct ReportOptions {
    int minRespondents = 5; // the effective minimum (effectiveMinRespondents)
    // Office-local days, inclusive: a complaint's received day, a survey's recorded day.
    std::optional<std::chrono::sys_days> since, until;
};

ReportData buildReport(const std::vector<Submission>& rows, const FormCatalog& forms,
                       const CaseRules& rules, std::int64_t now, const ReportOptions& options,
                       const std::string& countyName);

std::string reportText(const ReportData& report);
/// A self-contained HTML page to keep as a file (inline CSS and SVG, no external resources, no
/// script). Pages the console serves are weekly_table.hpp's.
std::string reportHtml(const ReportData& report);

/// &, <, >, " and ' escaped.
std::string htmlEscape(std::string_view text);

} // namespace minsheng::staff
