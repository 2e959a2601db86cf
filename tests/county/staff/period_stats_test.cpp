// Period statistics from the real ledger's event times: a scripted week of cases with known
// figures, then more work after the week — the week's figures do not move.
#include "county/staff/case_workflow.hpp"
#include "county/staff/period_stats.hpp"
#include "tests/county/staff/staff_test_support.hpp"

using namespace minsheng;
using namespace minsheng::staff;
using crypto::CaseStatus;
using std::chrono::days;
using std::chrono::sys_days;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;

namespace {

sys_days day(const char* text) {
    auto d = parseDay(text);
    REQUIRE(d);
    return *d;
}

/// Unix seconds of `hour`:00 office time (UTC+8, the default rules) on `text`.
std::int64_t at(const char* text, int hour) {
    return std::chrono::duration_cast<std::chrono::seconds>(day(text).time_since_epoch()).count() -
           8 * 3600 + hour * 3600;
}

struct Week {
    TestCounty county;
    std::unique_ptr<TestCounty::Loaded> loaded = county.load();
    Ledger ledger = county.openLedger();
    CaseRules rules;
    std::int64_t now = 0;
    CaseWorkflow workflow{ledger, rules, [this] {
                              return now;
                          }};
    const Actor office{}; // no accounts: unattributed, may do everything

    /// Records a complaint from `kiosk` at `when`; returns its case id.
    std::int64_t receive(const std::string& kiosk, std::int64_t when,
                         const std::string& category = "homework") {
        auto e = county.make(kiosk, complaintAnswers("第" + std::to_string(when) + "件", category));
        REQUIRE(
            ledger.recordBatch({opened(county, *loaded, e.envelope)}, {}, std::nullopt, when).ok());
        return ledger.caseByNumber(kiosk, e.envelope.header.sequence)->id;
    }
    void set(std::int64_t caseId, std::int64_t when, StatusChange change) {
        now = when;
        auto r = workflow.changeStatus(office, caseId, change, *county.countySigner);
        INFO((r ? std::string() : r.error().message));
        REQUIRE(r.ok());
    }
    void accept(std::int64_t id, std::int64_t when) {
        StatusChange c;
        c.status = CaseStatus::Accepted;
        set(id, when, c);
    }
    void close(std::int64_t id, std::int64_t when) {
        StatusChange c;
        c.status = CaseStatus::Closed;
        c.reply = "已办结";
        c.result = CaseResult::Resolved;
        set(id, when, c);
    }
    void reopen(std::int64_t id, std::int64_t when) {
        StatusChange c;
        c.status = CaseStatus::InProgress;
        c.reason = "回访不满意";
        set(id, when, c);
    }
    void extend(std::int64_t id, std::int64_t when, const char* until) {
        now = when;
        REQUIRE(workflow.extendDeadline(office, id, day(until), "需要会同核查").ok());
    }
    PeriodStats stats(std::int64_t computedAt) {
        auto timelines = loadCaseTimelines(ledger);
        REQUIRE(timelines.ok());
        return computePeriodStats(*timelines, rules, day("2026-11-23"), day("2026-11-29"),
                                  computedAt);
    }
};

const PeriodFigures* group(const std::vector<PeriodGroup>& groups, const std::string& id) {
    for (const auto& g : groups)
        if (g.id == id)
            return &g.figures;
    return nullptr;
}

} // namespace

TEST_CASE("a period's figures come from event times and do not change afterwards",
          "[staff][stats]") {
    Week w;
    // Before the week (Mon 2026-10-26 …): E closes late in the week, G closes in time thanks
    // to an extension made before it closed, D stays open past its due date (2026-11-13).
    const auto e = w.receive("k1", at("2026-10-26", 10));
    const auto g = w.receive("k1", at("2026-10-26", 11));
    const auto d = w.receive("k1", at("2026-10-27", 10), "refund");
    w.accept(e, at("2026-10-27", 10));
    w.accept(g, at("2026-10-27", 11));
    w.extend(g, at("2026-11-10", 9), "2026-11-30");
    // The week, Mon 2026-11-23 to Sun 2026-11-29.
    const auto a = w.receive("k1", at("2026-11-23", 10));
    w.accept(a, at("2026-11-23", 11));
    const auto b = w.receive("k2", at("2026-11-24", 9));
    w.close(e, at("2026-11-24", 10));
    const auto c = w.receive("k1", at("2026-11-25", 10));
    w.close(g, at("2026-11-25", 10));
    w.close(a, at("2026-11-25", 15));
    StatusChange transfer;
    transfer.status = CaseStatus::Transferred;
    transfer.unit = "县市场监管局";
    w.set(b, at("2026-11-26", 10), transfer);

    const auto before = w.stats(at("2026-11-30", 9));
    CHECK(before.complete);
    const PeriodFigures& t = before.total;
    CHECK(t.received == 3);                    // a, b, c
    CHECK(t.accepted == 2);                    // a; b (first step out of 已接收 was 转办)
    CHECK(t.transferred == 1);                 // b
    CHECK(t.closed == 3);                      // e, g, a
    CHECK(t.closedOnTime == 2);                // g (extended), a; e was due 2026-11-12
    CHECK(t.longestHandlingWorkingDays == 22); // g: 2026-10-26 → 2026-11-25
    CHECK(t.averageHandlingWorkingDays == Approx((21.0 + 22.0 + 2.0) / 3.0));
    CHECK(t.openAtEnd == 2);    // d, c
    CHECK(t.overdueAtEnd == 1); // d
    const auto* k2 = group(before.byKiosk, "k2");
    REQUIRE(k2);
    CHECK(k2->received == 1);
    CHECK(k2->transferred == 1);
    CHECK(k2->closed == 0);
    const auto* refund = group(before.byCategory, "refund");
    REQUIRE(refund);
    CHECK(refund->received == 0);
    CHECK(refund->overdueAtEnd == 1);
    CHECK(group(before.byCategory, "homework")->closed == 3);

    // Later work: d gets an extension and is closed, a and e are reopened (a closed again),
    // c is extended, a new case comes in, b gets a note.
    w.extend(d, at("2026-12-01", 9), "2026-12-31");
    w.close(d, at("2026-12-01", 10));
    w.reopen(a, at("2026-12-01", 11));
    w.close(a, at("2026-12-02", 10));
    w.reopen(e, at("2026-12-02", 11));
    w.extend(c, at("2026-12-02", 12), "2026-12-31");
    w.receive("k1", at("2026-12-03", 9));
    w.now = at("2026-12-03", 10);
    REQUIRE(w.workflow.addNote(w.office, b, "已电话回访").ok());

    const auto after = w.stats(at("2026-12-10", 9));
    CHECK(after.sameFigures(before));
    CHECK(after.total.overdueAtEnd == 1); // d's later extension does not excuse the week
    CHECK(after.total.closedOnTime == 2); // e stays late although it was reopened

    // The next week sees the later work.
    auto timelines = loadCaseTimelines(w.ledger);
    REQUIRE(timelines.ok());
    const auto next = computePeriodStats(*timelines, w.rules, day("2026-11-30"), day("2026-12-06"),
                                         at("2026-12-10", 9));
    CHECK(next.total.received == 1);
    CHECK(next.total.closed == 2);       // d (late), a (again)
    CHECK(next.total.closedOnTime == 2); // d by its extension, a within 13 working days
    CHECK(next.total.openAtEnd == 3);    // c, e (reopened), the new one; b was transferred
}

TEST_CASE("a period that has not ended is marked provisional", "[staff][stats]") {
    Week w;
    w.receive("k1", at("2026-11-24", 10));
    const auto during = w.stats(at("2026-11-26", 12));
    CHECK_FALSE(during.complete);
    CHECK(during.total.received == 1);
    CHECK(during.total.openAtEnd == 1);
    CHECK(w.stats(at("2026-11-30", 0)).complete); // local midnight after the last day
}

TEST_CASE("a report counts as received when the office recorded it, not when the server took it",
          "[staff][stats]") {
    Week w;
    // Acknowledged by the intake server on Sunday before the week, pulled on Monday.
    auto e = w.county.make("k1", complaintAnswers("周日提交"));
    const auto ack = w.county.ack(e.envelope, at("2026-11-22", 20));
    REQUIRE(w.ledger
                .recordBatch({opened(w.county, *w.loaded, e.envelope, ack)}, {}, std::nullopt,
                             at("2026-11-23", 9))
                .ok());
    const auto week = w.stats(at("2026-12-01", 0));
    CHECK(week.total.received == 1);
    CHECK(week.total.openAtEnd == 1);
    auto timelines = loadCaseTimelines(w.ledger);
    REQUIRE(timelines.ok());
    const auto before = computePeriodStats(*timelines, w.rules, day("2026-11-16"),
                                           day("2026-11-22"), at("2026-12-01", 0));
    CHECK(before.total.received == 0); // that week was reported before the pull
    CHECK(before.total.openAtEnd == 0);
    // The due date still counts from the server's acknowledgement.
    CHECK(timelines->at(0).receivedAt == at("2026-11-22", 20));
}

TEST_CASE("handling time counts working days by the office calendar", "[staff][stats]") {
    CaseRules r;
    CHECK(r.workingDaysBetween(day("2026-11-23"), day("2026-11-23")) == 0);
    CHECK(r.workingDaysBetween(day("2026-11-27"), day("2026-11-30")) == 1); // Fri → Mon
    r.holidays.insert(day("2026-11-30"));
    r.workdays.insert(day("2026-11-29"));
    CHECK(r.workingDaysBetween(day("2026-11-27"), day("2026-11-30")) == 1); // the Sunday only
    CHECK(r.workingDaysBetween(day("2026-11-30"), day("2026-11-27")) == 0);
}
