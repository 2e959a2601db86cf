// 回访 figures for a period: how many follow-up calls were made, how many reached the reporter,
// and how satisfied those reached were — what the office console shows beside the period
// statistics (period_stats.hpp). Like those, a function of recorded times (follow_ups.at,
// append-only: ledger_schema.hpp invariant 16), so a period that has ended keeps its figures.
//
// Counting: every call in the period counts in `calls` and in `reached` or `notReached`. The
// satisfaction counts take one answer per case: the newest reached call of the case within the
// period, so a case called twice (not reached, then reached; or asked again) counts once.
#pragma once

#include "county/staff/case_workflow.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace minsheng::staff {

/// One recorded follow-up call.
struct FollowUpRecord {
    std::int64_t id = 0;
    std::int64_t caseId = 0;
    std::string caseNumber;
    std::string category;
    std::int64_t at = 0;
    std::optional<std::int64_t> actorId;
    std::string actorName;
    FollowUp followUp;
};

struct FollowUpTally {
    std::size_t calls = 0, reached = 0, notReached = 0;
    std::size_t casesAnswered = 0; // cases with a satisfaction in the period
    std::size_t satisfied = 0, basicallySatisfied = 0, notSatisfied = 0;
};

/// The tally of `records` whose time is in [from, to] (Unix seconds, inclusive). Pure; the
/// records may come in any order.
[[nodiscard]] FollowUpTally tallyFollowUps(const std::vector<FollowUpRecord>& records,
                                           std::int64_t from, std::int64_t to);

/// Every follow-up recorded between `from` and `to` (inclusive), oldest first.
[[nodiscard]] Result<std::vector<FollowUpRecord>, LedgerError>
readFollowUps(Ledger& ledger, std::int64_t from, std::int64_t to);

} // namespace minsheng::staff
