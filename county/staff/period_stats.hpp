// The county's figures for a period — the weekly table and the monthly progress report — counted
// from the events the ledger recorded, so that the same period gives the same figures whenever
// it is computed (ledger_schema.hpp invariant 14).
//
// A period is [from, to], whole days in the office's time zone (CaseRules::utcOffsetHours): from
// local midnight at the start of `from` to local midnight after `to`. For complaints only:
//
//   received      cases that entered the ledger (pull or import) in the period. The ledger's
//                 recording time is used, not the server's acknowledgement time: a report the
//                 server took on Sunday but the office pulled on Monday is in Monday's week, so
//                 a late pull never changes a period already reported.
//   accepted      cases whose first step out of 已接收 (to anything but 不予受理) was taken in the
//                 period — 受理 is implied when staff go straight to 办理中 or 已办结.
//   transferred   cases set to 已转办 in the period.
//   closed        cases set to 已办结 in the period (a case closed, reopened and closed again in
//                 one period counts once, at its last closing in it).
//   closed on time  of those, closed no later than the due date in force when they were closed
//                 (the rule's date, or an extension made before the closing). A case closed late
//                 stays late: nothing done afterwards changes it.
//   handling time working days from the received day (the server's acknowledgement, as for the
//                 due date) to the closing day: the working days after the received day up to
//                 and including the closing day, by the office calendar; 0 = closed on the day
//                 it came in. Average and longest over the closed cases.
//   open at end   cases recorded before the period's end whose status at the end was not final
//                 (已接收, 已受理, 办理中).
//   overdue at end  of those, the ones whose due date in force at the end was before `to`.
//
// The same figures per category, township, school and kiosk (ids as recorded; labels are the
// caller's business). A period that has not ended yet (`complete` false) is provisional: what
// is done before its end still counts.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/case_workflow.hpp"
#include "county/staff/ledger.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace minsheng::staff {

struct PeriodFigures {
    std::size_t received = 0, accepted = 0, transferred = 0, closed = 0, closedOnTime = 0;
    std::size_t openAtEnd = 0, overdueAtEnd = 0;
    double averageHandlingWorkingDays = 0; // over `closed`; 0 when none
    int longestHandlingWorkingDays = 0;

    bool operator==(const PeriodFigures&) const = default;
};

struct PeriodGroup {
    std::string id; // category, township, school or kiosk id ("" when the report left it out)
    PeriodFigures figures;

    bool operator==(const PeriodGroup&) const = default;
};

struct PeriodStats {
    std::chrono::sys_days from{}, to{};
    bool complete = false; // the period had ended when it was computed
    PeriodFigures total;
    std::vector<PeriodGroup> byCategory, byTownship, bySchool, byKiosk; // sorted by id

    /// Equal figures (completeness aside): what "reproducible" means.
    bool sameFigures(const PeriodStats& other) const {
        return from == other.from && to == other.to && total == other.total &&
               byCategory == other.byCategory && byTownship == other.byTownship &&
               bySchool == other.bySchool && byKiosk == other.byKiosk;
    }
};

/// What the figures need to know about one complaint.
struct CaseTimeline {
    std::string kioskId, category, township, school;
    std::int64_t recordedAt = 0; // entered the ledger
    std::int64_t receivedAt = 0; // the due date counts from here
    std::vector<std::pair<std::int64_t, crypto::CaseStatus>> statuses; // oldest first
    std::vector<CaseEvent> extensions;                                 // oldest first
};

/// Every complaint's timeline, read in one snapshot of the ledger.
[[nodiscard]] Result<std::vector<CaseTimeline>, LedgerError> loadCaseTimelines(Ledger& ledger);

/// The figures for [from, to]; `now` only decides `complete`.
PeriodStats computePeriodStats(const std::vector<CaseTimeline>& cases, const CaseRules& rules,
                               std::chrono::sys_days from, std::chrono::sys_days to,
                               std::int64_t now);

} // namespace minsheng::staff
