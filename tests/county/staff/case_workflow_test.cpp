// The case workflow against the real ledger: the status machine and its required fields, who
// may do what, internal events that never reach the server, actors on every history row, and
// the audit rows that go with every change and every view.
#include "county/staff/audit_log.hpp"
#include "county/staff/case_workflow.hpp"
#include "sync/store/sqlite_store.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <sqlite3.h>

using namespace minsheng;
using namespace minsheng::staff;
using crypto::CaseStatus;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;
using Code = WorkflowError::Code;

namespace {

std::optional<Code> refusal(CaseStatus from, StatusChange change) {
    auto e = checkStatusChange(from, change);
    return e ? std::optional<Code>(e->code) : std::nullopt;
}

StatusChange to(CaseStatus status, std::string reply = {}) {
    StatusChange c;
    c.status = status;
    c.reply = std::move(reply);
    return c;
}

/// A ledger with one recorded complaint, three accounts and a workflow on a test clock.
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
    Submission complaint;

    Office() {
        auto e = county.make("k1", complaintAnswers("补课收费"));
        REQUIRE(
            ledger.recordBatch({opened(county, *loaded, e.envelope)}, {}, std::nullopt, now).ok());
        complaint = ledger.submissions()->at(0);
        auto pw = crypto::SecretBytes::copyOf(std::string_view("a long password"));
        supervisor.user = *accounts.add("boss", StaffRole::Supervisor, pw, std::nullopt);
        clerk.user = *accounts.add("clerk", StaffRole::Clerk, pw, supervisor.id());
        auditor.user = *accounts.add("audit", StaffRole::Auditor, pw, supervisor.id());
    }

    Result<std::int64_t, WorkflowError> set(const Actor& who, StatusChange change) {
        now += 60;
        return workflow.changeStatus(who, complaint.id, change, *county.countySigner);
    }
};

} // namespace

TEST_CASE("the status machine refuses steps back and changes without their fields",
          "[staff][workflow]") {
    // Never back to 已接收, whatever the reason.
    auto back = to(CaseStatus::Received);
    back.reason = "误操作";
    CHECK(refusal(CaseStatus::Closed, back) == Code::NotAllowed);
    CHECK(refusal(CaseStatus::Accepted, to(CaseStatus::Received)) == Code::NotAllowed);
    CHECK(refusal(CaseStatus::InProgress, to(CaseStatus::Accepted)) == Code::NotAllowed);
    CHECK(refusal(CaseStatus::Accepted, to(CaseStatus::NotAccepted, "x")) == Code::NotAllowed);
    CHECK(refusal(CaseStatus::Closed, to(CaseStatus::Closed, "again")) == Code::NotAllowed);

    // Closing needs the reply and a result.
    CHECK(refusal(CaseStatus::InProgress, to(CaseStatus::Closed)) == Code::MissingField);
    CHECK(refusal(CaseStatus::InProgress, to(CaseStatus::Closed, "已整改")) == Code::MissingField);
    auto close = to(CaseStatus::Closed, "已整改");
    close.result = CaseResult::Resolved;
    CHECK_FALSE(refusal(CaseStatus::InProgress, close));
    CHECK_FALSE(refusal(CaseStatus::Received, close));
    auto closeNoReply = to(CaseStatus::Closed);
    closeNoReply.result = CaseResult::Resolved;
    CHECK(refusal(CaseStatus::InProgress, closeNoReply) == Code::MissingField);

    // 转办 needs its unit; a unit or a result elsewhere is refused.
    CHECK(refusal(CaseStatus::Accepted, to(CaseStatus::Transferred)) == Code::MissingField);
    auto transfer = to(CaseStatus::Transferred);
    transfer.unit = "县市场监管局";
    CHECK_FALSE(refusal(CaseStatus::Accepted, transfer));
    auto stray = to(CaseStatus::InProgress);
    stray.unit = "县市场监管局";
    CHECK(refusal(CaseStatus::Accepted, stray) == Code::Invalid);
    stray = to(CaseStatus::InProgress);
    stray.result = CaseResult::Resolved;
    CHECK(refusal(CaseStatus::Accepted, stray) == Code::Invalid);
    CHECK(refusal(CaseStatus::Received, to(CaseStatus::NotAccepted)) == Code::MissingField);

    // Reopening needs a reason.
    CHECK(refusal(CaseStatus::Closed, to(CaseStatus::InProgress)) == Code::MissingField);
    auto reopen = to(CaseStatus::InProgress);
    reopen.reason = "家长回访不满意";
    CHECK_FALSE(refusal(CaseStatus::Closed, reopen));
    CHECK(isReopening(CaseStatus::Transferred, CaseStatus::Accepted));
    CHECK_FALSE(isReopening(CaseStatus::Accepted, CaseStatus::InProgress));

    CHECK(parseCaseResult("已解决") == CaseResult::Resolved);
    CHECK(parseCaseResult("partly-resolved") == CaseResult::PartlyResolved);
    CHECK_FALSE(parseCaseResult("done"));
}

TEST_CASE("roles decide who may do what", "[staff][workflow]") {
    StaffUser u;
    u.role = StaffRole::Clerk;
    const Actor clerk{u};
    CHECK(mayPerform(clerk, CaseAction::ChangeStatus));
    CHECK(mayPerform(clerk, CaseAction::Note));
    CHECK_FALSE(mayPerform(clerk, CaseAction::Assign));
    CHECK_FALSE(mayPerform(clerk, CaseAction::Reopen));
    CHECK_FALSE(mayPerform(clerk, CaseAction::ReadAudit));
    u.role = StaffRole::Auditor;
    const Actor auditor{u};
    CHECK(mayPerform(auditor, CaseAction::View));
    CHECK(mayPerform(auditor, CaseAction::ReadAudit));
    CHECK_FALSE(mayPerform(auditor, CaseAction::ChangeStatus));
    CHECK_FALSE(mayPerform(auditor, CaseAction::Note));
    u.role = StaffRole::Supervisor;
    CHECK(mayPerform(Actor{u}, CaseAction::Extend));
    u.disabled = true;
    CHECK_FALSE(mayPerform(Actor{u}, CaseAction::View));
    CHECK(mayPerform(Actor{}, CaseAction::Reopen)); // an office without accounts
}

TEST_CASE("status changes name their actor, notes and extensions stay internal",
          "[staff][workflow]") {
    Office o;
    REQUIRE(o.set(o.clerk, to(CaseStatus::Accepted, "已受理")).ok());
    CHECK(o.set(o.auditor, to(CaseStatus::InProgress)).error().code == Code::Forbidden);
    const std::string secret = "内部：涉事老师电话 13900000000";
    REQUIRE(o.workflow.addNote(o.clerk, o.complaint.id, secret).ok());
    CHECK(o.workflow.addNote(o.auditor, o.complaint.id, "x").error().code == Code::Forbidden);
    CHECK(o.workflow.addNote(o.clerk, o.complaint.id, "").error().code == Code::MissingField);

    // Assignment and extension: supervisors only; to an enabled clerk or supervisor.
    CHECK(o.workflow.assign(o.clerk, o.complaint.id, *o.clerk.user).error().code ==
          Code::Forbidden);
    CHECK(o.workflow.assign(o.supervisor, o.complaint.id, *o.auditor.user).error().code ==
          Code::Invalid);
    REQUIRE(o.workflow.assign(o.supervisor, o.complaint.id, *o.clerk.user).ok());
    const auto ruleDue = o.rules.dueDate(o.complaint.receivedAt, o.complaint.category);
    CHECK(o.workflow.extendDeadline(o.supervisor, o.complaint.id, ruleDue, "x").error().code ==
          Code::Invalid); // not later
    CHECK(
        o.workflow.extendDeadline(o.supervisor, o.complaint.id, ruleDue + std::chrono::days{5}, "")
            .error()
            .code == Code::MissingField);
    REQUIRE(o.workflow
                .extendDeadline(o.supervisor, o.complaint.id, ruleDue + std::chrono::days{5},
                                "需会同市场监管部门核查")
                .ok());

    auto close = to(CaseStatus::Closed, "经核查已退费");
    close.result = CaseResult::Resolved;
    REQUIRE(o.set(o.clerk, close).ok());
    // Finished: no assignment or extension; a clerk may not reopen; closed → received never.
    CHECK(o.workflow.assign(o.supervisor, o.complaint.id, *o.clerk.user).error().code ==
          Code::NotAllowed);
    CHECK(o.workflow
              .extendDeadline(o.supervisor, o.complaint.id, ruleDue + std::chrono::days{9}, "late")
              .error()
              .code == Code::NotAllowed);
    auto reopen = to(CaseStatus::InProgress, "重新核查");
    reopen.reason = "家长回访不满意";
    CHECK(o.set(o.clerk, reopen).error().code == Code::Forbidden);
    CHECK(o.set(o.supervisor, to(CaseStatus::Received)).error().code == Code::NotAllowed);
    REQUIRE(o.set(o.supervisor, reopen).ok());

    auto file = o.workflow.viewCase(o.auditor, o.complaint);
    REQUIRE(file.ok());
    const auto& h = file->history;
    REQUIRE(h.size() == 4);
    CHECK_FALSE(h[0].actorId); // the automatic 已接收 entry
    CHECK_FALSE(h[0].signedByStaff);
    CHECK(h[1].actorName == "clerk");
    CHECK(h[2].result == "resolved");
    CHECK(h[3].actorName == "boss");
    CHECK(h[3].reason == "家长回访不满意");
    REQUIRE(file->events.size() == 3);
    CHECK(file->events[0].text == secret);
    CHECK(file->handlerName == "clerk");
    CHECK(file->dueDate == ruleDue + std::chrono::days{5});

    // Invariant 7/12: only signed public statuses are queued for the server, and none of them
    // carries the note, the result, or the reason.
    auto pending = o.ledger.pendingPushes();
    REQUIRE(pending.ok());
    REQUIRE(pending->size() == 3);
    for (const auto& p : *pending) {
        CHECK(p.signedJson.find("13900000000") == std::string::npos);
        CHECK(p.signedJson.find("resolved") == std::string::npos);
        CHECK(p.signedJson.find("回访") == std::string::npos);
        auto parsed = sync::caseStatusFromJson(nlohmann::json::parse(p.signedJson));
        REQUIRE(parsed.ok());
        CHECK(crypto::verifyCaseStatus(*parsed, o.county.countySigner->publicKey()).ok());
    }

    // Every change and the view are audited, with the actor.
    auto audit = readAudit(o.ledger, {o.complaint.id, std::nullopt, std::nullopt, std::nullopt});
    REQUIRE(audit.ok());
    std::vector<std::string> actions;
    for (const auto& a : *audit)
        actions.push_back(a.actorName + " " + a.record.action);
    CHECK(actions == std::vector<std::string>{"clerk case.status", "clerk case.note",
                                              "boss case.assign", "boss case.extend",
                                              "clerk case.status", "boss case.status",
                                              "audit case.view"});
    // Internal events are append-only like the history.
    CHECK(
        (sqlite3_exec(o.ledger.connection(), "DELETE FROM case_events", nullptr, nullptr, nullptr) &
         0xff) == SQLITE_CONSTRAINT);
    CHECK((sqlite3_exec(o.ledger.connection(), "UPDATE case_events SET text = 'x'", nullptr,
                        nullptr, nullptr) &
           0xff) == SQLITE_CONSTRAINT);
}

TEST_CASE("rows written without an actor read as unattributed", "[staff][workflow]") {
    Office o;
    REQUIRE(o.ledger.appendStatus(o.complaint.id, CaseStatus::Accepted, "", o.now + 10, "{}").ok());
    auto h = o.ledger.history(o.complaint.id);
    REQUIRE(h.ok());
    REQUIRE(h->size() == 2);
    CHECK(h->at(1).signedByStaff);
    CHECK_FALSE(h->at(1).actorId);
    CHECK(h->at(1).actorName.empty());
    // An office that has no accounts works unattributed, and everything is still audited.
    CHECK(Actor{}.label() == "未署名 unattributed");
    REQUIRE(o.workflow.addNote(Actor{}, o.complaint.id, "电话已回访").ok());
    auto audit = readAudit(o.ledger, {o.complaint.id, std::nullopt, std::nullopt, std::nullopt});
    REQUIRE(audit.ok());
    REQUIRE(audit->size() == 1);
    CHECK_FALSE(audit->at(0).record.actorId);
}
