// The printable tables the county files: the weekly 双减 投诉举报 周报表, the monthly summary, and
// the survey's 满意率 tables — full HTML documents, pure functions of the figures.
//
// Pages are served by the office console under a strict Content-Security-Policy
// (`default-src 'none'; style-src 'self'; img-src 'self' data:`), so a page holds NO `<style>`
// element, NO `style=""` attribute and NO script: its look comes from one stylesheet,
// `<link rel="stylesheet" href="/static/print.css">` (county/console/web/print.css: A4, table
// borders, print-friendly), and charts are inline SVG drawn here with presentation attributes
// (x, y, width, fill). No fonts, images or scripts from anywhere. Every text is HTML-escaped.
//
// Reproducible: the output depends only on its arguments — no clock, no "generated at" — so the
// same period gives the same bytes whenever it is printed (the figures are reproducible:
// period_stats.hpp, survey_stats.hpp). 填报日期 is a blank to fill in by hand.
//
// Labels are Chinese; `english` gives English labels instead.
#pragma once

#include "county/staff/form_catalog.hpp"
#include "county/staff/period_stats.hpp"
#include "county/staff/survey_stats.hpp"
#include "sync/forms/localized_text.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::staff {

/// Where the console serves the stylesheet every printable page links to.
inline constexpr const char* kPrintStylesheetHref = "/static/print.css";

using DayRange = std::pair<std::chrono::sys_days, std::chrono::sys_days>; // both included

/// The Monday–Sunday week that holds `day`.
DayRange weekContaining(std::chrono::sys_days day);
/// The first and last day of a month.
DayRange monthDays(std::chrono::year_month month);
/// The month's days cut at each Sunday: its weeks, the first and last clipped to the month, so
/// that the weeks' figures add up to the month's.
std::vector<DayRange> weeksOfMonth(std::chrono::year_month month);
/// "YYYY-MM" → month; nullopt if it is not one.
std::optional<std::chrono::year_month> parseMonth(std::string_view text);

/// Names for the ids in PeriodStats, in the complaint form's order.
struct PeriodLabels {
    using Entry = std::pair<std::string, forms::LocalizedText>;
    std::vector<Entry> categories, townships, schools;
};
/// From the complaint form (its `category` options and `township` and `school` lists).
PeriodLabels periodLabels(const FormCatalog& forms);

struct PrintOptions {
    std::string officeName; // 单位: the county, county.toml name
    bool english = false;
};

/// The weekly table (any [from, to] period; the console's default is weekContaining(today)):
/// title, 单位, 统计时段; figures per category with a total row, then by township and by school;
/// a chart of received vs closed per category; the survey's 满意率 (when `surveys` is given);
/// 填报人 / 审核人 / 填报日期 lines.
std::string weeklyTableHtml(const PeriodStats& period, const SurveyStats* surveys,
                            const PeriodLabels& labels, const PrintOptions& options);

/// The monthly summary: the month's figures as in the weekly table, then the trend of its weeks
/// (`weeks`, e.g. computed over weeksOfMonth) as a table and a chart.
std::string monthlyTableHtml(const PeriodStats& month, const std::vector<PeriodStats>& weeks,
                             const SurveyStats* surveys, const PeriodLabels& labels,
                             const PrintOptions& options);

/// The survey's tables as an HTML fragment (classes only): 满意率 per school, per grade and per
/// school × grade, with a chart of each school's 满意率; each rating's distribution and average;
/// each choice's counts; how many answered the other questions. Hidden groups print as "*".
std::string surveyStatsHtml(const SurveyStats& stats, bool english);

/// A horizontal bar chart as inline SVG: one row per label, one bar per series.
struct BarSeries {
    forms::LocalizedText name;
    std::string fill; // "#4a6fa5"
};
struct BarRow {
    std::string label;
    std::vector<double> values;     // one per series; drawn against `maxValue`
    std::vector<std::string> texts; // printed after each bar; "*" with no bar for a hidden one
};
std::string svgBarChart(const std::vector<BarRow>& rows, const std::vector<BarSeries>& series,
                        double maxValue, bool english);

} // namespace minsheng::staff
