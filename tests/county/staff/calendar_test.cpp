// The office calendar: the shipped file, its errors, working days across 春节 2026 with its
// make-up Saturdays, the provisional-year warning, and case urgency at its boundaries.
#include "county/staff/case_rules.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <fstream>

using namespace minsheng;
using namespace minsheng::staff;
using crypto::CaseStatus;
using std::chrono::sys_days;
using test::TestCounty;

namespace {

sys_days day(const char* text) {
    return test::officeDay(text);
}

std::int64_t at(const char* text, int hour, int minute = 0) {
    return test::officeTime(text, hour, minute);
}

std::filesystem::path shippedCalendar() {
    return test::sourceDir() / "config/calendar/cn.toml";
}

CaseRules shippedRules() {
    CaseRules rules;
    auto read = readCalendarFile(shippedCalendar(), rules);
    INFO((read ? std::string() : read.error().message));
    REQUIRE(read.ok());
    return rules;
}

/// The error reading a calendar file holding `text`.
std::string calendarError(const std::string& text) {
    test::TempDir tmp{"minsheng-calendar"};
    const auto file = tmp / "calendar.toml";
    test::writeFile(file, text);
    CaseRules rules;
    auto read = readCalendarFile(file, rules);
    REQUIRE_FALSE(read.ok());
    REQUIRE_THAT(read.error().message, Catch::Contains(file.string()));
    return read.error().message;
}

} // namespace

TEST_CASE("the shipped calendar loads: 2026 complete, 2027 provisional", "[staff][calendar]") {
    const CaseRules rules = shippedRules();
    REQUIRE(rules.calendarFile == shippedCalendar());
    REQUIRE(rules.calendarYears.size() == 2);
    CHECK_FALSE(rules.calendarYears.at(2026).provisional);
    CHECK(rules.calendarYears.at(2026).workdays == 6);
    CHECK(rules.calendarYears.at(2027).provisional);
    // 国庆 2026: seven days off, the Saturday after worked.
    for (const char* d : {"2026-10-01", "2026-10-05", "2026-10-07"})
        CHECK_FALSE(rules.isWorkingDay(day(d)));
    CHECK(rules.isWorkingDay(day("2026-10-10")));
    CHECK(rules.isWorkingDay(day("2026-09-20")));
    CHECK_FALSE(rules.isWorkingDay(day("2027-02-08"))); // 初三 2027, a Monday
}

TEST_CASE("working days across 春节 2026 skip the holiday and count the make-up Saturdays",
          "[staff][calendar]") {
    const CaseRules rules = shippedRules();
    CHECK(rules.isWorkingDay(day("2026-02-14"))); // Saturday, worked
    CHECK(rules.isWorkingDay(day("2026-02-28"))); // Saturday, worked
    CHECK_FALSE(rules.isWorkingDay(day("2026-02-16")));
    CHECK_FALSE(rules.isWorkingDay(day("2026-02-23")));
    CHECK(rules.isWorkingDay(day("2026-02-24")));
    // Fri 13 (1), Sat 14 (2), 15-23 off, 24-27 (3-6), Sat 28 (7), Mar 2-6 (8-12), Mon 9 (13).
    CHECK(rules.dueDate(at("2026-02-12", 10), "homework") == day("2026-03-09"));
    CHECK(rules.workingDaysBetween(day("2026-02-13"), day("2026-02-28")) == 6);
    // Without the calendar the same complaint is due on Tuesday 3 March.
    CHECK(CaseRules{}.dueDate(at("2026-02-12", 10), "homework") == day("2026-03-03"));
}

TEST_CASE("calendar errors name the file, the line and the key", "[staff][calendar]") {
    auto e = calendarError("[2026]\nprovisional = false\nholidays = [\n  \"2026-02-30\",\n]\n");
    CHECK_THAT(e, Catch::Contains(":4:") && Catch::Contains("[2026] holidays") &&
                      Catch::Contains("2026-02-30"));
    e = calendarError("[2026]\nworkdays = [\"2027-01-02\"]\n");
    CHECK_THAT(e, Catch::Contains(":2:") && Catch::Contains("[2026] workdays") &&
                      Catch::Contains("not in 2026"));
    e = calendarError("[2026]\nholidays = [\"2026-10-07..2026-10-01\"]\n");
    CHECK_THAT(e, Catch::Contains("not a date or range"));
    e = calendarError("[2026]\nholiday = []\n");
    CHECK_THAT(e, Catch::Contains(":2:") && Catch::Contains("unknown key"));
    e = calendarError("[twenty]\nholidays = []\n");
    CHECK_THAT(e, Catch::Contains(":1:") && Catch::Contains("table per year"));
    e = calendarError("[2026]\nholidays = [\"2026-10-01\"\n");
    CHECK_THAT(e, Catch::Contains(":"));
}

TEST_CASE("a provisional or missing year is warned about, this year and next",
          "[staff][calendar]") {
    const CaseRules rules = shippedRules();
    auto warnings = rules.calendarWarnings(at("2026-12-05", 10));
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::StartsWith("2027 的调休安排尚未录入，请按国务院办公厅通知更新 "
                                              "calendar.toml"));
    warnings = rules.calendarWarnings(at("2027-03-01", 10));
    REQUIRE(warnings.size() == 2);
    CHECK_THAT(warnings[1], Catch::StartsWith("2028 年的节假日尚未录入"));
    CHECK_FALSE(rules.calendarWarning(2026));
    // county.toml's own holidays count as entries for their year.
    CaseRules own;
    own.holidays.insert(day("2026-10-01"));
    CHECK_FALSE(own.calendarWarning(2026));
    CHECK(own.calendarWarning(2027));
}

TEST_CASE("the county's calendar.toml and county.toml's holidays both count", "[staff][calendar]") {
    TestCounty county;
    std::filesystem::copy_file(shippedCalendar(), county.dir.calendarFile());
    std::string config = test::readFile(county.dir.configFile());
    const std::string key = "warn_within_working_days = 2";
    REQUIRE(config.find(key) != std::string::npos);
    config.replace(config.find(key), key.size(),
                   "warn_within_working_days = 3\nholidays = [\"2026-12-07\"]");
    test::writeFile(county.dir.configFile(), config);
    auto rules = loadCaseRules(county.dir);
    INFO((rules ? std::string() : rules.error().message));
    REQUIRE(rules.ok());
    CHECK(rules->calendarFile == county.dir.calendarFile());
    CHECK(rules->warnWithinWorkingDays == 3);
    CHECK_FALSE(rules->isWorkingDay(day("2026-12-07"))); // county.toml
    CHECK_FALSE(rules->isWorkingDay(day("2026-02-16"))); // calendar.toml
    CHECK(rules->isWorkingDay(day("2026-02-14")));

    test::writeFile(county.dir.calendarFile(), "[2026]\nholidays = [\"2026-13-01\"]\n");
    auto broken = loadCaseRules(county.dir);
    REQUIRE_FALSE(broken.ok());
    CHECK_THAT(broken.error().message, Catch::Contains(county.dir.calendarFile().string() + ":2:"));
}

TEST_CASE("urgency: yellow within the warning days, red after the due date, none when final",
          "[staff][calendar][urgency]") {
    CaseRules rules; // Monday to Friday, warn within 2 working days
    const auto monday = at("2026-11-30", 10);
    CHECK(caseUrgency(day("2026-11-29"), CaseStatus::Received, rules, monday) == Urgency::Red);
    CHECK(caseUrgency(day("2026-11-30"), CaseStatus::Received, rules, monday) == Urgency::Yellow);
    CHECK(caseUrgency(day("2026-12-02"), CaseStatus::InProgress, rules, monday) == Urgency::Yellow);
    CHECK(caseUrgency(day("2026-12-03"), CaseStatus::InProgress, rules, monday) == Urgency::None);
    for (auto final : {CaseStatus::Closed, CaseStatus::Transferred, CaseStatus::NotAccepted})
        CHECK(caseUrgency(day("2026-11-01"), final, rules, monday) == Urgency::None);
    // Over a weekend: from Friday, Monday and Tuesday are the two working days.
    const auto friday = at("2026-12-04", 10);
    CHECK(caseUrgency(day("2026-12-08"), CaseStatus::Accepted, rules, friday) == Urgency::Yellow);
    CHECK(caseUrgency(day("2026-12-09"), CaseStatus::Accepted, rules, friday) == Urgency::None);
    // The due day lasts until local midnight.
    CHECK(caseUrgency(day("2026-12-01"), CaseStatus::Received, rules, at("2026-12-01", 23, 59)) ==
          Urgency::Yellow);
    CHECK(caseUrgency(day("2026-12-01"), CaseStatus::Received, rules, at("2026-12-02", 0)) ==
          Urgency::Red);
    rules.warnWithinWorkingDays = 0;
    CHECK(caseUrgency(day("2026-12-01"), CaseStatus::Received, rules, monday) == Urgency::None);
    CHECK(caseUrgency(day("2026-11-30"), CaseStatus::Received, rules, monday) == Urgency::Yellow);
    // Holidays are not working days: 国庆 2026 from Wednesday 30 September.
    CaseRules withCalendar = shippedRules();
    CHECK(caseUrgency(day("2026-10-08"), CaseStatus::Received, withCalendar,
                      at("2026-09-30", 10)) == Urgency::Yellow);
    CHECK(caseUrgency(day("2026-10-08"), CaseStatus::Received, rules, at("2026-09-30", 10)) ==
          Urgency::None);
}
