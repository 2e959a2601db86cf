#include "county/staff/period_stats.hpp"

#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <map>

namespace minsheng::staff {

using crypto::CaseStatus;
using sync::sqlite::Stmt;
using sync::sqlite::Transaction;

Result<std::vector<CaseTimeline>, LedgerError> loadCaseTimelines(Ledger& ledger) {
    sqlite3* db = ledger.connection();
    Transaction snapshot(db); // the three reads below see one state of the ledger
    if (int rc = snapshot.begin(Transaction::Lock::Deferred); rc != SQLITE_OK)
        return fail(ledger.sqlError(rc, "reading"));
    std::map<std::int64_t, CaseTimeline> byId;
    {
        Stmt s(db, "SELECT c.envelope_id, e.kiosk_id, c.category, c.township, c.school, "
                   "e.recorded_at, c.received_at FROM cases c JOIN envelopes e "
                   "ON e.id = c.envelope_id");
        int rc = s.prepareRc();
        while (rc == SQLITE_OK || rc == SQLITE_ROW) {
            if ((rc = s.step()) != SQLITE_ROW)
                break;
            CaseTimeline t;
            t.kioskId = s.text(1);
            t.category = s.text(2);
            t.township = s.text(3);
            t.school = s.text(4);
            t.recordedAt = s.i64(5);
            t.receivedAt = s.i64(6);
            byId.emplace(s.i64(0), std::move(t));
        }
        if (rc != SQLITE_DONE)
            return fail(ledger.sqlError(rc, "reading"));
    }
    {
        Stmt s(db, "SELECT envelope_id, set_at, status FROM status_history ORDER BY id");
        int rc = s.prepareRc();
        while (rc == SQLITE_OK || rc == SQLITE_ROW) {
            if ((rc = s.step()) != SQLITE_ROW)
                break;
            if (auto it = byId.find(s.i64(0)); it != byId.end())
                it->second.statuses.emplace_back(s.i64(1), static_cast<CaseStatus>(s.i64(2)));
        }
        if (rc != SQLITE_DONE)
            return fail(ledger.sqlError(rc, "reading"));
    }
    {
        Stmt s(db, "SELECT envelope_id, id, at, due_day FROM case_events WHERE kind = 'extend' "
                   "ORDER BY id");
        int rc = s.prepareRc();
        while (rc == SQLITE_OK || rc == SQLITE_ROW) {
            if ((rc = s.step()) != SQLITE_ROW)
                break;
            if (auto it = byId.find(s.i64(0)); it != byId.end()) {
                CaseEvent e;
                e.kind = CaseEvent::Kind::Extend;
                e.id = s.i64(1);
                e.at = s.i64(2);
                e.dueDay = parseDay(s.text(3));
                it->second.extensions.push_back(std::move(e));
            }
        }
        if (rc != SQLITE_DONE)
            return fail(ledger.sqlError(rc, "reading"));
    }
    std::vector<CaseTimeline> out;
    out.reserve(byId.size());
    for (auto& [id, t] : byId)
        out.push_back(std::move(t));
    return out;
}

namespace {

/// Running sums for one group.
struct Tally {
    PeriodFigures f;
    long long handlingSum = 0;

    PeriodFigures finish() const {
        PeriodFigures r = f;
        r.averageHandlingWorkingDays =
            r.closed ? static_cast<double>(handlingSum) / static_cast<double>(r.closed) : 0.0;
        return r;
    }
};

/// Unix seconds of local midnight at the start of `day`.
std::int64_t localMidnight(std::chrono::sys_days day, const CaseRules& rules) {
    return std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count() -
           std::int64_t{rules.utcOffsetHours} * 3600;
}

/// Adds one case's contribution for [start, end) to `t`.
void count(const CaseTimeline& c, const CaseRules& rules, std::int64_t start, std::int64_t end,
           std::chrono::sys_days to, Tally& t) {
    auto in = [&](std::int64_t at) {
        return at >= start && at < end;
    };
    if (in(c.recordedAt))
        ++t.f.received;
    bool accepted = false, transferred = false;
    std::optional<std::int64_t> lastClose;
    bool stepped = false; // the first step out of 已接收 has been seen
    for (const auto& [at, status] : c.statuses) {
        if (status == CaseStatus::Received)
            continue;
        if (!stepped) {
            stepped = true;
            accepted = status != CaseStatus::NotAccepted && in(at);
        }
        if (status == CaseStatus::Transferred && in(at))
            transferred = true;
        if (status == CaseStatus::Closed && in(at))
            lastClose = at;
    }
    t.f.accepted += accepted;
    t.f.transferred += transferred;
    if (lastClose) {
        ++t.f.closed;
        const auto closedDay = rules.localDay(*lastClose);
        const auto due =
            effectiveDueDate(c.receivedAt, c.category, c.extensions, rules, *lastClose);
        t.f.closedOnTime += closedDay <= due;
        const int handling = rules.workingDaysBetween(rules.localDay(c.receivedAt), closedDay);
        t.handlingSum += handling;
        t.f.longestHandlingWorkingDays = std::max(t.f.longestHandlingWorkingDays, handling);
    }
    if (c.recordedAt < end) {
        std::optional<CaseStatus> atEnd;
        for (const auto& [at, status] : c.statuses)
            if (at < end)
                atEnd = status;
        if (atEnd && !isFinalStatus(*atEnd)) {
            ++t.f.openAtEnd;
            const auto due =
                effectiveDueDate(c.receivedAt, c.category, c.extensions, rules, end - 1);
            t.f.overdueAtEnd += to > due;
        }
    }
}

std::vector<PeriodGroup> finish(const std::map<std::string, Tally>& groups) {
    std::vector<PeriodGroup> out;
    for (const auto& [id, t] : groups)
        out.push_back({id, t.finish()});
    return out;
}

} // namespace

PeriodStats computePeriodStats(const std::vector<CaseTimeline>& cases, const CaseRules& rules,
                               std::chrono::sys_days from, std::chrono::sys_days to,
                               std::int64_t now) {
    const std::int64_t start = localMidnight(from, rules);
    const std::int64_t end = localMidnight(to + std::chrono::days{1}, rules);
    Tally total;
    std::map<std::string, Tally> category, township, school, kiosk;
    for (const auto& c : cases) {
        count(c, rules, start, end, to, total);
        count(c, rules, start, end, to, category[c.category]);
        count(c, rules, start, end, to, township[c.township]);
        count(c, rules, start, end, to, school[c.school]);
        count(c, rules, start, end, to, kiosk[c.kioskId]);
    }
    PeriodStats s;
    s.from = from;
    s.to = to;
    s.complete = now >= end;
    s.total = total.finish();
    s.byCategory = finish(category);
    s.byTownship = finish(township);
    s.bySchool = finish(school);
    s.byKiosk = finish(kiosk);
    return s;
}

} // namespace minsheng::staff
