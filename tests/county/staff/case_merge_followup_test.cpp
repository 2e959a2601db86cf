// Merging duplicates, 回访 follow-ups and bulk actions against the real ledger: who may, what is
// refused, what the parent of a merged case is told and gets signed, and that a bulk action
// changes each case whole or not at all.
#include "county/staff/audit_log.hpp"
#include "county/staff/case_workflow.hpp"
#include "county/staff/follow_up_stats.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <sqlite3.h>

#include <set>

using namespace minsheng;
using namespace minsheng::staff;
using crypto::CaseStatus;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;
using Code = WorkflowError::Code;

namespace {

StatusChange to(CaseStatus status, std::string reply = {}) {
    StatusChange c;
    c.status = status;
    c.reply = std::move(reply);
    return c;
}

StatusChange closing(std::string reply) {
    auto c = to(CaseStatus::Closed, std::move(reply));
    c.result = CaseResult::Resolved;
    return c;
}

/// Four complaints (the first two left a phone number), three accounts, a workflow on a test
/// clock.
struct Office {
    TestCounty county;
    std::unique_ptr<TestCounty::Loaded> loaded = county.load();
    Ledger ledger = county.openLedger();
    std::int64_t now = 1795500000;
    CaseRules rules;
    StaffAccounts accounts{ledger,
                           [this] {
                               return now;
                           }};
    CaseWorkflow workflow{ledger, rules, [this] {
                              return now;
                          }};
    Actor supervisor, clerk, auditor;
    std::vector<Submission> cases;
    std::vector<crypto::Hash256> tags;

    Office() {
        std::vector<OpenedSubmission> batch;
        for (int i = 0; i < 4; ++i) {
            auto a = complaintAnswers("周六补课收费 " + std::to_string(i));
            if (i < 2) {
                a["anonymous"] = "no";
                a["contact_name"] = "家长" + std::to_string(i);
                a["contact_phone"] = "1380000000" + std::to_string(i);
            }
            auto e = county.make("k1", a);
            tags.push_back(e.code->tag(*county.tagKey));
            batch.push_back(opened(county, *loaded, e.envelope));
        }
        REQUIRE(ledger.recordBatch(batch, {}, std::nullopt, now).ok());
        cases = *ledger.submissions();
        REQUIRE(cases.size() == 4);
        auto pw = crypto::SecretBytes::copyOf(std::string_view("a long password"));
        supervisor.user = *accounts.add("boss", StaffRole::Supervisor, pw, std::nullopt);
        clerk.user = *accounts.add("clerk", StaffRole::Clerk, pw, supervisor.id());
        auditor.user = *accounts.add("audit", StaffRole::Auditor, pw, supervisor.id());
    }

    std::int64_t id(int i) const { return cases.at(static_cast<std::size_t>(i)).id; }

    Result<std::int64_t, WorkflowError> set(const Actor& who, int i, StatusChange change) {
        now += 60;
        return workflow.changeStatus(who, id(i), change, *county.countySigner);
    }
    Result<std::int64_t, WorkflowError> merge(const Actor& who, int dup, int into) {
        now += 60;
        return workflow.merge(who, id(dup), id(into), "同一机构同一天", *county.countySigner);
    }
    Submission reload(int i) { return *ledger.caseByTag(tags.at(static_cast<std::size_t>(i))); }

    /// The queued signed statuses for case `i`, verified with the county key, oldest first.
    std::vector<crypto::CaseStatusRecord> pushedFor(int i) {
        std::vector<crypto::CaseStatusRecord> out;
        auto pending = ledger.pendingPushes();
        REQUIRE(pending.ok());
        for (const auto& p : *pending) {
            auto parsed = sync::caseStatusFromJson(nlohmann::json::parse(p.signedJson));
            REQUIRE(parsed.ok());
            REQUIRE(crypto::verifyCaseStatus(*parsed, county.countySigner->publicKey()).ok());
            if (parsed->receiptTag == tags.at(static_cast<std::size_t>(i)))
                out.push_back(*parsed);
        }
        return out;
    }
};

} // namespace

TEST_CASE("a merged case tells its parent and is closed with its target, signed for itself",
          "[staff][workflow][merge]") {
    Office o;
    REQUIRE(o.set(o.clerk, 0, to(CaseStatus::Accepted, "已受理")).ok());

    // Only a supervisor merges.
    CHECK(o.merge(o.clerk, 1, 0).error().code == Code::Forbidden);
    CHECK(o.merge(o.auditor, 1, 0).error().code == Code::Forbidden);
    REQUIRE(o.merge(o.supervisor, 1, 0).ok());

    // B's parent sees 办理中 and the merge sentence, signed for B's own receipt tag; A's case
    // number is not in it.
    auto b = o.reload(1);
    CHECK(b.status == CaseStatus::InProgress);
    CHECK(b.reply == kMergedReply);
    CHECK(b.reply.find(o.cases[0].caseNumber()) == std::string::npos);
    auto pushedB = o.pushedFor(1);
    REQUIRE(pushedB.size() == 1);
    CHECK(pushedB[0].status == CaseStatus::InProgress);
    CHECK(pushedB[0].reply == kMergedReply);

    // Both cases show the merge; the merged one takes no status change of its own.
    auto fileA = o.workflow.viewCase(o.auditor, o.cases[0]);
    auto fileB = o.workflow.viewCase(o.auditor, b);
    REQUIRE(fileA.ok());
    REQUIRE(fileB.ok());
    CHECK(fileA->mergedCases == std::vector<std::int64_t>{o.id(1)});
    CHECK_FALSE(fileA->mergedInto);
    CHECK(fileB->mergedInto == o.id(0));
    REQUIRE(fileB->events.size() == 1);
    CHECK(fileB->events[0].kind == CaseEvent::Kind::Merge);
    CHECK(fileB->events[0].mergedAway);
    CHECK(fileB->events[0].otherCaseNumber == o.cases[0].caseNumber());
    CHECK(fileB->events[0].text == "同一机构同一天");
    CHECK(caseEventKindName(fileB->events[0].kind) == "merge");
    CHECK(o.set(o.supervisor, 1, closing("x")).error().code == Code::NotAllowed);

    // Closing A closes B in the same transaction, with A's reply and result, each signed for
    // its own receipt tag and queued for the server.
    REQUIRE(o.set(o.clerk, 0, closing("经核查，该机构已停止违规补课并退费。")).ok());
    b = o.reload(1);
    CHECK(b.status == CaseStatus::Closed);
    CHECK(b.reply == "经核查，该机构已停止违规补课并退费。");
    auto historyB = o.ledger.history(o.id(1));
    REQUIRE(historyB.ok());
    CHECK(historyB->back().result == "resolved");
    CHECK(historyB->back().actorName == "clerk");
    pushedB = o.pushedFor(1);
    REQUIRE(pushedB.size() == 2);
    CHECK(pushedB[1].status == CaseStatus::Closed);
    CHECK(pushedB[1].reply == "经核查，该机构已停止违规补课并退费。");
    CHECK(o.pushedFor(0).back().status == CaseStatus::Closed);
    // A case not merged is untouched.
    CHECK(o.reload(2).status == CaseStatus::Received);

    auto audit = readAudit(o.ledger, {o.id(1), std::nullopt, std::nullopt, std::nullopt});
    REQUIRE(audit.ok());
    std::vector<std::string> actions;
    for (const auto& a : *audit)
        actions.push_back(a.actorName + " " + a.record.action);
    CHECK(actions == std::vector<std::string>{"boss case.status", "boss case.merge",
                                              "audit case.view", "clerk case.status"});

    // Merges are append-only.
    CHECK(
        (sqlite3_exec(o.ledger.connection(), "DELETE FROM case_merges", nullptr, nullptr, nullptr) &
         0xff) == SQLITE_CONSTRAINT);
}

TEST_CASE("merging into itself, into a merged or finished case, or a finished case is refused",
          "[staff][workflow][merge]") {
    Office o;
    CHECK(o.merge(o.supervisor, 0, 0).error().code == Code::Invalid);
    REQUIRE(o.merge(o.supervisor, 1, 0).ok());
    CHECK(o.merge(o.supervisor, 2, 1).error().code == Code::NotAllowed); // into a merged case
    CHECK(o.merge(o.supervisor, 1, 2).error().code == Code::NotAllowed); // already merged
    CHECK(o.merge(o.supervisor, 0, 2).error().code == Code::NotAllowed); // has merges itself
    REQUIRE(o.set(o.supervisor, 3, closing("已办结")).ok());
    CHECK(o.merge(o.supervisor, 2, 3).error().code == Code::NotAllowed); // into a finished case
    CHECK(o.merge(o.supervisor, 3, 2).error().code == Code::NotAllowed); // a finished case
    CHECK(
        o.workflow.merge(o.supervisor, o.id(2), 999999, "", *o.county.countySigner).error().code ==
        Code::NotFound);
    // Nothing of the refusals was written: one merge row, case 2 untouched.
    CHECK(o.reload(2).status == CaseStatus::Received);
    auto merged = o.workflow.mergedCases(o.id(0));
    REQUIRE(merged.ok());
    CHECK(*merged == std::vector<std::int64_t>{o.id(1)});
    // The ledger itself keeps merges one level deep.
    const std::string sql = "INSERT INTO case_merges (merged_id, into_id, at) VALUES (" +
                            std::to_string(o.id(2)) + ", " + std::to_string(o.id(1)) + ", 1)";
    CHECK((sqlite3_exec(o.ledger.connection(), sql.c_str(), nullptr, nullptr, nullptr) & 0xff) ==
          SQLITE_CONSTRAINT);
}

TEST_CASE("a follow-up needs a closed case with contact details, and is tallied by period",
          "[staff][workflow][followup]") {
    Office o;
    FollowUp satisfied{true, Satisfaction::Satisfied, "家长表示满意"};
    // Not closed yet.
    CHECK(o.workflow.recordFollowUp(o.clerk, o.id(0), satisfied).error().code == Code::NotAllowed);
    for (int i : {0, 1, 2})
        REQUIRE(o.set(o.clerk, i, closing("已整改")).ok());
    // Anonymous: nobody to call back.
    auto anonymous = o.workflow.recordFollowUp(o.clerk, o.id(2), satisfied);
    REQUIRE_FALSE(anonymous.ok());
    CHECK(anonymous.error().code == Code::NotAllowed);
    CHECK_THAT(anonymous.error().message, Catch::Contains("无法回访"));
    CHECK_THAT(anonymous.error().message, Catch::Contains("anonymous"));
    // Fields and roles.
    CHECK(o.workflow.recordFollowUp(o.clerk, o.id(0), {true, std::nullopt, ""}).error().code ==
          Code::MissingField);
    CHECK(o.workflow.recordFollowUp(o.clerk, o.id(0), {false, Satisfaction::Satisfied, ""})
              .error()
              .code == Code::Invalid);
    CHECK(o.workflow.recordFollowUp(o.auditor, o.id(0), satisfied).error().code == Code::Forbidden);

    const std::int64_t start = o.now;
    o.now += 100;
    REQUIRE(o.workflow.recordFollowUp(o.clerk, o.id(0), {false, std::nullopt, "无人接听"}).ok());
    o.now += 100;
    REQUIRE(o.workflow.recordFollowUp(o.clerk, o.id(0), satisfied).ok());
    o.now += 100;
    REQUIRE(
        o.workflow
            .recordFollowUp(o.supervisor, o.id(1), {true, Satisfaction::NotSatisfied, "仍在补课"})
            .ok());
    const std::int64_t end = o.now;

    auto file = o.workflow.viewCase(o.auditor, o.reload(0));
    REQUIRE(file.ok());
    std::vector<std::string> kinds;
    for (const auto& e : file->events)
        kinds.push_back(std::string(caseEventKindName(e.kind)));
    CHECK(kinds == std::vector<std::string>{"followup", "followup"});
    REQUIRE(file->events[1].followUp);
    CHECK(file->events[1].followUp->satisfaction == Satisfaction::Satisfied);
    CHECK(file->events[1].actorName == "clerk");

    auto records = readFollowUps(o.ledger, start, end);
    REQUIRE(records.ok());
    REQUIRE(records->size() == 3);
    auto t = tallyFollowUps(*records, start, end);
    CHECK(t.calls == 3);
    CHECK(t.reached == 2);
    CHECK(t.notReached == 1);
    CHECK(t.casesAnswered == 2);
    CHECK(t.satisfied == 1);
    CHECK(t.notSatisfied == 1);
    CHECK(t.basicallySatisfied == 0);
    // A period that ends before the last call does not count it.
    auto early = tallyFollowUps(*records, start, end - 1);
    CHECK(early.calls == 2);
    CHECK(early.notSatisfied == 0);

    // 不满意: a supervisor reopens through the reopening path; a clerk may not.
    auto reopen = to(CaseStatus::InProgress, "重新核查");
    reopen.reason = "回访不满意";
    CHECK(o.set(o.clerk, 1, reopen).error().code == Code::Forbidden);
    REQUIRE(o.set(o.supervisor, 1, reopen).ok());
    // Follow-ups are append-only; a satisfaction only with a reached reporter.
    CHECK((sqlite3_exec(o.ledger.connection(), "UPDATE follow_ups SET note = 'x'", nullptr, nullptr,
                        nullptr) &
           0xff) == SQLITE_CONSTRAINT);
}

TEST_CASE("the follow-up tally counts one answer per case, the newest in the period",
          "[staff][followup]") {
    auto record = [](std::int64_t id, std::int64_t caseId, std::int64_t at,
                     std::optional<Satisfaction> s) {
        FollowUpRecord r;
        r.id = id;
        r.caseId = caseId;
        r.at = at;
        r.followUp.reached = s.has_value();
        r.followUp.satisfaction = s;
        return r;
    };
    const std::vector<FollowUpRecord> records{
        record(3, 7, 300, Satisfaction::BasicallySatisfied), // newest for case 7
        record(1, 7, 100, Satisfaction::NotSatisfied), record(2, 8, 200, std::nullopt),
        record(4, 9, 900, Satisfaction::Satisfied), // outside [0, 500]
    };
    auto t = tallyFollowUps(records, 0, 500);
    CHECK(t.calls == 3);
    CHECK(t.reached == 2);
    CHECK(t.notReached == 1);
    CHECK(t.casesAnswered == 1);
    CHECK(t.basicallySatisfied == 1);
    CHECK(t.notSatisfied == 0);
    CHECK(t.satisfied == 0);
    CHECK(parseSatisfaction("基本满意") == Satisfaction::BasicallySatisfied);
    CHECK(parseSatisfaction("not-satisfied") == Satisfaction::NotSatisfied);
    CHECK_FALSE(parseSatisfaction("ok"));
}

TEST_CASE("a bulk action applies to each case on its own and reports each outcome",
          "[staff][workflow][bulk]") {
    Office o;
    REQUIRE(o.set(o.supervisor, 3, closing("已办结")).ok());
    REQUIRE(o.merge(o.supervisor, 1, 0).ok());
    const std::size_t historyBefore = o.ledger.history(o.id(2))->size();

    // Close 0, 1 (merged: refused), 2, 3 (already closed: refused), and an unknown id.
    const std::vector<std::int64_t> ids{o.id(0), o.id(1), o.id(2), o.id(3), 999999};
    o.now += 60;
    auto outcomes = o.workflow.bulkApply(o.clerk, ids, closing("统一答复：已责令整改。"),
                                         o.county.countySigner.get());
    REQUIRE(outcomes.size() == ids.size());
    CHECK_FALSE(outcomes[0].refused);
    CHECK(outcomes[0].historyId);
    REQUIRE(outcomes[1].refused);
    CHECK(outcomes[1].refused->code == Code::NotAllowed);
    CHECK_FALSE(outcomes[2].refused);
    REQUIRE(outcomes[3].refused);
    CHECK(outcomes[3].refused->code == Code::NotAllowed);
    REQUIRE(outcomes[4].refused);
    CHECK(outcomes[4].refused->code == Code::NotFound);
    for (std::size_t i = 0; i < ids.size(); ++i)
        CHECK(outcomes[i].caseId == ids[i]);
    // Case 1 was closed with its target, not by the bulk action itself.
    CHECK(o.reload(1).status == CaseStatus::Closed);
    CHECK(o.reload(2).status == CaseStatus::Closed);
    CHECK(o.ledger.history(o.id(2))->size() == historyBefore + 1);

    // Notes: a clerk may; an auditor is refused for every case, and nothing is written.
    auto notes = o.workflow.bulkApply(o.clerk, {o.id(0), o.id(2)}, BulkNote{"已电话核实"}, nullptr);
    CHECK_FALSE(notes[0].refused);
    CHECK_FALSE(notes[1].refused);
    auto refusedNotes = o.workflow.bulkApply(o.auditor, {o.id(0)}, BulkNote{"x"}, nullptr);
    REQUIRE(refusedNotes[0].refused);
    CHECK(refusedNotes[0].refused->code == Code::Forbidden);
    CHECK(o.workflow.events(o.id(0))->size() == 2); // the merge and one note

    // Assign: supervisors only; finished cases refused, open ones assigned.
    auto reopen = to(CaseStatus::InProgress, "重新核查");
    reopen.reason = "复核";
    REQUIRE(o.set(o.supervisor, 2, reopen).ok());
    auto assigned =
        o.workflow.bulkApply(o.supervisor, {o.id(2), o.id(3)}, BulkAssign{*o.clerk.user}, nullptr);
    CHECK_FALSE(assigned[0].refused);
    REQUIRE(assigned[1].refused);
    CHECK(assigned[1].refused->code == Code::NotAllowed);
    auto byClerk = o.workflow.bulkApply(o.clerk, {o.id(2)}, BulkAssign{*o.clerk.user}, nullptr);
    REQUIRE(byClerk[0].refused);
    CHECK(byClerk[0].refused->code == Code::Forbidden);

    // A status change without the signing key is a programmer error.
    CHECK_THROWS_AS(o.workflow.bulkApply(o.clerk, {o.id(2)}, closing("x"), nullptr),
                    std::invalid_argument);
}
