#include "county/staff/case_rules.hpp"

#include <cstdio>
#include <system_error>
#include <toml++/toml.h>

namespace minsheng::staff {

using namespace std::chrono;
using crypto::CaseStatus;

std::string_view caseStatusChinese(CaseStatus status) {
    switch (status) {
    case CaseStatus::Received:
        return "已接收";
    case CaseStatus::Accepted:
        return "已受理";
    case CaseStatus::InProgress:
        return "办理中";
    case CaseStatus::Closed:
        return "已办结";
    case CaseStatus::Transferred:
        return "已转办";
    case CaseStatus::NotAccepted:
        return "不予受理";
    }
    return "?";
}

std::string caseStatusLabel(CaseStatus status) {
    return std::string(caseStatusChinese(status)) + " " +
           std::string(crypto::caseStatusName(status));
}

std::string normaliseOptionName(std::string_view text) {
    std::string t(text);
    for (char& c : t)
        if (c == '-' || c == ' ')
            c = '_';
        else if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return t;
}

std::optional<CaseStatus> parseCaseStatus(std::string_view text) {
    const std::string t = normaliseOptionName(text);
    if (auto s = crypto::caseStatusFromName(t))
        return s;
    for (int i = 1; i <= 6; ++i)
        if (caseStatusChinese(static_cast<CaseStatus>(i)) == text)
            return static_cast<CaseStatus>(i);
    return std::nullopt;
}

bool isFinalStatus(CaseStatus s) {
    return s == CaseStatus::Closed || s == CaseStatus::Transferred || s == CaseStatus::NotAccepted;
}

bool CaseRules::isWorkingDay(sys_days day) const {
    if (holidays.count(day))
        return false;
    if (workdays.count(day))
        return true;
    const weekday wd{day};
    return wd != Saturday && wd != Sunday;
}

sys_days CaseRules::localDay(std::int64_t unixSeconds) const {
    return floor<days>(sys_seconds{seconds{unixSeconds + std::int64_t{utcOffsetHours} * 3600}});
}

int CaseRules::dueWorkingDays(const std::string& category) const {
    auto it = categoryDueWorkingDays.find(category);
    return it == categoryDueWorkingDays.end() ? complaintDueWorkingDays : it->second;
}

sys_days CaseRules::dueDate(std::int64_t receivedAt, const std::string& category) const {
    sys_days day = localDay(receivedAt);
    int left = dueWorkingDays(category);
    // Bounded: even a calendar of holidays cannot make this loop for more than a few years.
    for (int guard = 0; left > 0 && guard < 3660; ++guard) {
        day += days{1};
        if (isWorkingDay(day))
            --left;
    }
    return day;
}

sys_days CaseRules::lastWarningDay(sys_days today) const {
    sys_days day = today;
    int working = 0;
    // Bounded like dueDate(): the day before the (N+1)-th working day after today.
    for (int guard = 0; guard < 3660; ++guard) {
        const sys_days next = day + days{1};
        const bool isWorking = isWorkingDay(next);
        if (isWorking && working == warnWithinWorkingDays)
            break;
        working += isWorking;
        day = next;
    }
    return day;
}

int CaseRules::workingDaysBetween(sys_days after, sys_days upTo) const {
    int n = 0;
    // Bounded like dueDate(): ten years of days at most.
    for (sys_days day = after + days{1}; day <= upTo && day - after <= days{3660}; day += days{1})
        n += isWorkingDay(day);
    return n;
}

bool CaseRules::isOverdue(std::int64_t receivedAt, const std::string& category, CaseStatus status,
                          std::int64_t now) const {
    if (isFinalStatus(status))
        return false;
    return localDay(now) > dueDate(receivedAt, category);
}

std::string CaseRules::formatDay(sys_days day) {
    const year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string CaseRules::formatLocal(std::int64_t unixSeconds) const {
    const auto local = sys_seconds{seconds{unixSeconds + std::int64_t{utcOffsetHours} * 3600}};
    const auto day = floor<days>(local);
    const hh_mm_ss hms{local - day};
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()));
    return formatDay(day) + " " + buf;
}

std::string CaseRules::formatIso(std::int64_t unixSeconds) const {
    const auto local = sys_seconds{seconds{unixSeconds + std::int64_t{utcOffsetHours} * 3600}};
    const auto day = floor<days>(local);
    const hh_mm_ss hms{local - day};
    char buf[32];
    const int off = utcOffsetHours;
    std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d%c%02d:00",
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), off < 0 ? '-' : '+',
                  off < 0 ? -off : off);
    return formatDay(day) + buf;
}

std::optional<std::string> CaseRules::calendarWarning(int y) const {
    const std::string file =
        calendarFile.empty() ? std::string("calendar.toml") : calendarFile.string();
    auto known = calendarYears.find(y);
    if (known != calendarYears.end() && known->second.provisional)
        return std::to_string(y) +
               " 的调休安排尚未录入，请按国务院办公厅通知更新 calendar.toml — " +
               "only the statutory holidays of " + std::to_string(y) +
               " are entered, not the make-up working days; update " + file +
               " from the State Council notice and set provisional = false.";
    const sys_days first{year{y} / January / 1}, last{year{y} / December / 31};
    auto inYear = [&](const std::set<sys_days>& days) {
        auto it = days.lower_bound(first);
        return it != days.end() && *it <= last;
    };
    if (known == calendarYears.end() && !inYear(holidays) && !inYear(workdays))
        return std::to_string(y) + " 年的节假日尚未录入，工作日只按周一至周五计算，请更新 " +
               "calendar.toml — no holidays of " + std::to_string(y) +
               " are known, so time limits count Monday to Friday only; add the year to " + file +
               ".";
    return std::nullopt;
}

std::vector<std::string> CaseRules::calendarWarnings(std::int64_t now) const {
    const int y = static_cast<int>(year_month_day{localDay(now)}.year());
    std::vector<std::string> out;
    for (int each : {y, y + 1})
        if (auto w = calendarWarning(each))
            out.push_back(std::move(*w));
    return out;
}

std::string_view urgencyName(Urgency u) {
    switch (u) {
    case Urgency::None:
        return "none";
    case Urgency::Yellow:
        return "yellow";
    case Urgency::Red:
        return "red";
    }
    return "none";
}

Urgency caseUrgency(sys_days dueDay, CaseStatus status, const CaseRules& rules, std::int64_t now) {
    if (isFinalStatus(status))
        return Urgency::None;
    const sys_days today = rules.localDay(now);
    if (today > dueDay)
        return Urgency::Red;
    return dueDay <= rules.lastWarningDay(today) ? Urgency::Yellow : Urgency::None;
}

std::optional<sys_days> parseDay(std::string_view t) {
    unsigned y = 0, m = 0, d = 0;
    if (t.size() != 10 || t[4] != '-' || t[7] != '-')
        return std::nullopt;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (t[i] < '0' || t[i] > '9')
            return std::nullopt;
    y = static_cast<unsigned>(std::stoi(std::string(t.substr(0, 4))));
    m = static_cast<unsigned>(std::stoi(std::string(t.substr(5, 2))));
    d = static_cast<unsigned>(std::stoi(std::string(t.substr(8, 2))));
    const year_month_day ymd{year{static_cast<int>(y)}, month{m}, day{d}};
    if (!ymd.ok())
        return std::nullopt;
    return sys_days{ymd};
}

namespace {

/// The file's table, or its parse error naming file and line.
Result<toml::table, RulesError> parseToml(const std::string& file) {
    try {
        return toml::parse_file(file);
    } catch (const toml::parse_error& e) {
        return fail(RulesError{file + ":" + std::to_string(e.source().begin.line) + ": " +
                               std::string(e.description())});
    }
}

} // namespace

Result<Ok, RulesError> readCalendarFile(const std::filesystem::path& path, CaseRules& rules) {
    const std::string file = path.string();
    auto parsed = parseToml(file);
    if (!parsed)
        return fail(parsed.error());
    rules.calendarFile = path;
    auto where = [&](const toml::node& n, const std::string& key) {
        return file + ":" + std::to_string(n.source().begin.line) + ": " + key;
    };
    for (auto&& [k, node] : *parsed) {
        const std::string yearKey(k.str());
        const auto* table = node.as_table();
        int y = 0;
        if (yearKey.size() == 4 && yearKey.find_first_not_of("0123456789") == std::string::npos)
            y = std::stoi(yearKey);
        if (!table || y < 2000 || y > 2100)
            return fail(RulesError{where(node, yearKey) +
                                   ": expected a table per year, like [2026] (years 2000-2100)."});
        CalendarYear info;
        // "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD", all in year y.
        auto dayList = [&](const toml::node& n, const std::string& key, std::set<sys_days>& out,
                           std::size_t& count) -> std::optional<RulesError> {
            const std::string name = "[" + yearKey + "] " + key;
            const auto* arr = n.as_array();
            if (!arr)
                return RulesError{where(n, name) + " must be a list like [\"" + yearKey +
                                  "-10-01.." + yearKey + "-10-07\"]."};
            for (const auto& item : *arr) {
                const auto text = item.value<std::string>();
                const std::string s = text.value_or("?");
                const auto dots = s.find("..");
                auto from = parseDay(s.substr(0, dots));
                auto to = dots == std::string::npos ? from : parseDay(s.substr(dots + 2));
                if (!text || !from || !to || *to < *from)
                    return RulesError{where(item, name) + ": \"" + s +
                                      "\" is not a date or range; write YYYY-MM-DD or "
                                      "YYYY-MM-DD..YYYY-MM-DD (first day not after the last)."};
                if (year_month_day{*from}.year() != year{y} ||
                    year_month_day{*to}.year() != year{y})
                    return RulesError{where(item, name) + ": \"" + s + "\" is not in " + yearKey +
                                      "; put it in its own year's table."};
                for (sys_days d = *from; d <= *to; d += days{1}) {
                    out.insert(d);
                    ++count;
                }
            }
            return std::nullopt;
        };
        for (auto&& [field, value] : *table) {
            const std::string key(field.str());
            std::optional<RulesError> e;
            if (key == "holidays") {
                e = dayList(value, key, rules.holidays, info.holidays);
            } else if (key == "workdays") {
                e = dayList(value, key, rules.workdays, info.workdays);
            } else if (key == "provisional") {
                if (auto b = value.value<bool>())
                    info.provisional = *b;
                else
                    e = RulesError{where(value, "[" + yearKey + "] " + key) +
                                   " must be true or false."};
            } else if (key == "source") {
                if (auto src = value.value<std::string>())
                    info.source = *src;
                else
                    e = RulesError{where(value, "[" + yearKey + "] " + key) + " must be a string."};
            } else {
                e = RulesError{where(value, "[" + yearKey + "] " + key) +
                               ": unknown key (known: source, provisional, holidays, workdays)."};
            }
            if (e)
                return fail(*e);
        }
        rules.calendarYears[y] = info;
    }
    return Ok{};
}

Result<CaseRules, RulesError> loadCaseRules(const county::CountyDir& dir) {
    CaseRules r;
    std::error_code ec;
    if (const auto calendar = dir.calendarFile(); std::filesystem::exists(calendar, ec))
        if (auto read = readCalendarFile(calendar, r); !read)
            return fail(read.error());
    const std::string file = dir.configFile().string();
    auto parsed = parseToml(file);
    if (!parsed)
        return fail(parsed.error());
    const toml::table& t = *parsed;
    auto where = [&](const toml::node& n, const std::string& key) {
        return file + ":" + std::to_string(n.source().begin.line) + ": [cases] " + key;
    };
    auto positiveInt = [&](const toml::node& n, const std::string& key,
                           int& out) -> std::optional<RulesError> {
        auto v = n.value<std::int64_t>();
        if (!v || *v < 1 || *v > 365)
            return RulesError{where(n, key) + " must be a whole number of working days, 1-365."};
        out = static_cast<int>(*v);
        return std::nullopt;
    };
    auto dayList = [&](const toml::node& n, const std::string& key,
                       std::set<sys_days>& out) -> std::optional<RulesError> {
        const auto* arr = n.as_array();
        if (!arr)
            return RulesError{where(n, key) + " must be a list of dates like [\"2026-10-01\"]."};
        for (const auto& item : *arr) {
            auto s = item.value<std::string>();
            auto day = s ? parseDay(*s) : std::nullopt;
            if (!day)
                return RulesError{where(item, key) + ": \"" + s.value_or("?") +
                                  "\" is not a date; write YYYY-MM-DD."};
            out.insert(*day);
        }
        return std::nullopt;
    };

    if (const auto* cases = t["cases"].as_table()) {
        for (auto&& [k, node] : *cases) {
            const std::string key(k.str());
            std::optional<RulesError> e;
            if (key == "complaint_due_working_days") {
                e = positiveInt(node, key, r.complaintDueWorkingDays);
            } else if (key == "category_due_working_days") {
                const auto* tbl = node.as_table();
                if (!tbl)
                    e = RulesError{where(node, key) +
                                   " must be a table like { safety = 5, refund = 10 }."};
                else
                    for (auto&& [cat, n] : *tbl) {
                        int v = 0;
                        if ((e = positiveInt(n, key + "." + std::string(cat.str()), v)))
                            break;
                        r.categoryDueWorkingDays[std::string(cat.str())] = v;
                    }
            } else if (key == "holidays") {
                e = dayList(node, key, r.holidays);
            } else if (key == "workdays") {
                e = dayList(node, key, r.workdays);
            } else if (key == "warn_within_working_days") {
                auto v = node.value<std::int64_t>();
                if (!v || *v < 0 || *v > 30)
                    e = RulesError{where(node, key) + " must be a whole number of working days, "
                                                      "0-30."};
                else
                    r.warnWithinWorkingDays = static_cast<int>(*v);
            } else if (key == "utc_offset_hours") {
                auto v = node.value<std::int64_t>();
                if (!v || *v < -12 || *v > 14)
                    e = RulesError{where(node, key) + " must be a whole number of hours, -12..14."};
                else
                    r.utcOffsetHours = static_cast<int>(*v);
            } else {
                e = RulesError{where(node, key) +
                               ": unknown key (known: complaint_due_working_days, "
                               "category_due_working_days, holidays, workdays, utc_offset_hours, "
                               "warn_within_working_days)."};
            }
            if (e)
                return fail(*e);
        }
    }
    if (const auto* report = t["report"].as_table()) {
        for (auto&& [k, node] : *report) {
            const std::string key(k.str());
            auto v = node.value<std::int64_t>();
            if (key != "min_respondents" || !v || *v < 1 || *v > 1000)
                return fail(RulesError{
                    file + ":" + std::to_string(node.source().begin.line) + ": [report] " + key +
                    (key == "min_respondents" ? " must be a whole number, 1-1000."
                                              : ": unknown key (known: min_respondents).")});
            r.minRespondents = static_cast<int>(*v);
        }
    }
    return r;
}

} // namespace minsheng::staff
