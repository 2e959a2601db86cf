#include "county/staff/follow_up_stats.hpp"

#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <map>
#include <utility>

namespace minsheng::staff {

using sync::sqlite::Stmt;

FollowUpTally tallyFollowUps(const std::vector<FollowUpRecord>& records, std::int64_t from,
                             std::int64_t to) {
    FollowUpTally t;
    // caseId -> (time, id) and satisfaction of the newest reached call
    std::map<std::int64_t, std::pair<std::pair<std::int64_t, std::int64_t>, Satisfaction>> newest;
    for (const auto& r : records) {
        if (r.at < from || r.at > to)
            continue;
        ++t.calls;
        if (!r.followUp.reached || !r.followUp.satisfaction) {
            ++t.notReached;
            continue;
        }
        ++t.reached;
        const auto when = std::pair{r.at, r.id};
        auto [it, inserted] = newest.try_emplace(r.caseId, when, *r.followUp.satisfaction);
        if (!inserted && it->second.first < when)
            it->second = {when, *r.followUp.satisfaction};
    }
    t.casesAnswered = newest.size();
    for (const auto& [caseId, answer] : newest) {
        (void)caseId;
        switch (answer.second) {
        case Satisfaction::Satisfied:
            ++t.satisfied;
            break;
        case Satisfaction::BasicallySatisfied:
            ++t.basicallySatisfied;
            break;
        case Satisfaction::NotSatisfied:
            ++t.notSatisfied;
            break;
        }
    }
    return t;
}

Result<std::vector<FollowUpRecord>, LedgerError> readFollowUps(Ledger& ledger, std::int64_t from,
                                                               std::int64_t to) {
    Stmt s(ledger.connection(),
           "SELECT f.id, f.envelope_id, e.kiosk_id || '/' || e.sequence, c.category, f.at, "
           "f.actor_id, coalesce(u.name, ''), f.reached, f.satisfaction, f.note "
           "FROM follow_ups f JOIN envelopes e ON e.id = f.envelope_id "
           "JOIN cases c ON c.envelope_id = f.envelope_id "
           "LEFT JOIN staff_users u ON u.id = f.actor_id "
           "WHERE f.at BETWEEN ?1 AND ?2 ORDER BY f.at, f.id");
    if (s.prepareRc() != SQLITE_OK)
        return fail(ledger.sqlError(s.prepareRc(), "reading"));
    s.bind(1, from).bind(2, to);
    std::vector<FollowUpRecord> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        FollowUpRecord r;
        r.id = s.i64(0);
        r.caseId = s.i64(1);
        r.caseNumber = s.text(2);
        r.category = s.text(3);
        r.at = s.i64(4);
        if (!s.isNull(5))
            r.actorId = s.i64(5);
        r.actorName = s.text(6);
        r.followUp.reached = s.i64(7) != 0;
        if (!s.isNull(8))
            r.followUp.satisfaction = parseSatisfaction(s.text(8));
        r.followUp.note = s.text(9);
        out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE)
        return fail(ledger.sqlError(rc, "reading"));
    return out;
}

} // namespace minsheng::staff
