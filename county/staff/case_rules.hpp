// The county's case rules: status names staff read, time limits, due dates and overdue cases,
// and the report's privacy threshold. Configured in county.toml:
//
//   [cases]
//   complaint_due_working_days = 13          # 12345 practice: reply within 13 working days
//   category_due_working_days = { safety = 5, refund = 10 }   # per category, overrides the above
//   holidays = ["2026-10-01", "2026-10-02"]  # public holidays (no work)
//   workdays = ["2026-09-27"]                # make-up working days on a weekend (调休)
//   utc_offset_hours = 8                     # the office's time zone (China Standard Time)
//   warn_within_working_days = 2             # yellow: due within this many working days
//
//   [report]
//   min_respondents = 5   # satisfaction figures with fewer respondents are suppressed
//
// Due date: the complaint's received day counts as day 0; the due date is the N-th working day
// after it (Saturdays and Sundays excluded unless listed in workdays, holidays excluded). A case
// is overdue after the end of its due date while its status is 已接收, 已受理 or 办理中.
//
// The office calendar: DIR/calendar.toml (copied by `init` from the shipped
// config/calendar/cn.toml, which documents the format) lists each year's public holidays and
// make-up working days; county.toml's holidays and workdays add to it. A year the calendar marks
// `provisional` has its statutory holidays but not yet the State Council's 调休 arrangement, and
// staff are warned (calendarWarnings) until someone enters it.
//
// Urgency: a case that is not final is red when overdue, yellow when its due date (in force:
// extensions included, case_workflow.hpp effectiveDueDate) is today or within
// warn_within_working_days working days after today.
#pragma once

#include "county/office/county_dir.hpp"
#include "crypto/result.hpp"
#include "crypto/signed_messages.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::staff {

/// "已接收", "已受理", "办理中", "已办结", "已转办", "不予受理".
std::string_view caseStatusChinese(crypto::CaseStatus status);
/// "已办结 closed".
std::string caseStatusLabel(crypto::CaseStatus status);
/// An English option name as typed, made comparable: lower case, '-' and ' ' as '_'.
std::string normaliseOptionName(std::string_view text);
/// Accepts the English names (received, accepted, in_progress/in-progress, closed, transferred,
/// not_accepted/not-accepted) and the Chinese ones.
std::optional<crypto::CaseStatus> parseCaseStatus(std::string_view text);
/// Closed, transferred or not accepted: the county's part is done, it cannot be overdue.
bool isFinalStatus(crypto::CaseStatus status);

/// One year's table of the office calendar file.
struct CalendarYear {
    bool provisional = false; // statutory holidays only; the 调休 arrangement is not entered
    std::string source;       // where the dates come from
    std::size_t holidays = 0, workdays = 0; // days listed
};

struct CaseRules {
    int complaintDueWorkingDays = 13;
    std::map<std::string, int> categoryDueWorkingDays;
    std::set<std::chrono::sys_days> holidays;
    std::set<std::chrono::sys_days> workdays;
    int utcOffsetHours = 8;
    int minRespondents = 5;
    int warnWithinWorkingDays = 2;
    std::filesystem::path calendarFile;        // the calendar read; empty when there is none
    std::map<int, CalendarYear> calendarYears; // the years calendarFile has a table for

    bool isWorkingDay(std::chrono::sys_days day) const;
    /// The office's local calendar day of a Unix time.
    std::chrono::sys_days localDay(std::int64_t unixSeconds) const;
    /// Working days allowed for a complaint of `category`.
    int dueWorkingDays(const std::string& category) const;
    /// The due date (a local calendar day) of a complaint received at `receivedAt`.
    std::chrono::sys_days dueDate(std::int64_t receivedAt, const std::string& category) const;
    /// Working days after `after` up to and including `upTo` (0 when `upTo` is not later): the
    /// unit of handling times, matching how the due date counts.
    int workingDaysBetween(std::chrono::sys_days after, std::chrono::sys_days upTo) const;
    /// The last due date that is yellow on `today`: the day before the working day that is
    /// warnWithinWorkingDays + 1 working days after today (caseUrgency).
    std::chrono::sys_days lastWarningDay(std::chrono::sys_days today) const;
    /// True when `now` is after the end of the due date and the status is not final.
    bool isOverdue(std::int64_t receivedAt, const std::string& category, crypto::CaseStatus status,
                   std::int64_t now) const;
    /// "YYYY-MM-DD" of a calendar day; local date-time "YYYY-MM-DD HH:MM" of a Unix time.
    static std::string formatDay(std::chrono::sys_days day);
    std::string formatLocal(std::int64_t unixSeconds) const;
    /// ISO 8601 with the office's offset, e.g. "2026-11-23T18:05:00+08:00" (for Open311).
    std::string formatIso(std::int64_t unixSeconds) const;

    /// Why `year`'s working days may be wrong: no holiday of that year is known (neither the
    /// calendar nor county.toml lists one), or the calendar marks it provisional. Chinese first.
    std::optional<std::string> calendarWarning(int year) const;
    /// calendarWarning() for the office-local current year of `now` and the next one.
    std::vector<std::string> calendarWarnings(std::int64_t now) const;
};

/// How pressing an open case is (the case list's marker).
enum class Urgency { None, Yellow, Red };
std::string_view urgencyName(Urgency urgency); // "none" | "yellow" | "red"

/// Red when `status` is not final and the office-local day of `now` is after `dueDay`; yellow
/// when not final and `dueDay` is today or at most rules.warnWithinWorkingDays working days
/// after today; None otherwise (final cases are never urgent).
Urgency caseUrgency(std::chrono::sys_days dueDay, crypto::CaseStatus status, const CaseRules& rules,
                    std::int64_t now);

struct RulesError {
    std::string message; // names county.toml, the line and the key
};

/// Reads DIR/calendar.toml when present, then [cases] and [report] from DIR/county.toml
/// (defaults when absent).
[[nodiscard]] Result<CaseRules, RulesError> loadCaseRules(const county::CountyDir& dir);

/// Adds the holidays, make-up working days and year tables of a calendar file (format:
/// config/calendar/cn.toml) to `rules`, and sets rules.calendarFile. Errors name the file, the
/// line and the key; on error `rules` may hold part of the file.
[[nodiscard]] Result<Ok, RulesError> readCalendarFile(const std::filesystem::path& file,
                                                      CaseRules& rules);

/// "YYYY-MM-DD" → day; nullopt if not a real date.
std::optional<std::chrono::sys_days> parseDay(std::string_view text);

} // namespace minsheng::staff
