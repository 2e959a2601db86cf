#include "county/staff/case_workflow.hpp"

#include "county/staff/audit_log.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/store/sqlite_store.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <sqlite3.h>

#include <algorithm>

namespace minsheng::staff {

using crypto::CaseStatus;
using sync::sqlite::Stmt;
using sync::sqlite::Transaction;
using Code = WorkflowError::Code;

std::string_view caseResultName(CaseResult r) {
    switch (r) {
    case CaseResult::Resolved:
        return "resolved";
    case CaseResult::PartlyResolved:
        return "partly_resolved";
    case CaseResult::Explained:
        return "explained";
    case CaseResult::Unfounded:
        return "unfounded";
    }
    return "resolved";
}

std::string_view caseResultChinese(CaseResult r) {
    switch (r) {
    case CaseResult::Resolved:
        return "已解决";
    case CaseResult::PartlyResolved:
        return "部分解决";
    case CaseResult::Explained:
        return "已解释说明";
    case CaseResult::Unfounded:
        return "反映不属实";
    }
    return "已解决";
}

std::optional<CaseResult> parseCaseResult(std::string_view text) {
    std::string t(text);
    std::replace(t.begin(), t.end(), '-', '_');
    for (auto r : {CaseResult::Resolved, CaseResult::PartlyResolved, CaseResult::Explained,
                   CaseResult::Unfounded})
        if (t == caseResultName(r) || text == caseResultChinese(r))
            return r;
    return std::nullopt;
}

std::string Actor::label() const {
    return user ? user->name : "未署名 unattributed";
}

bool mayPerform(const Actor& actor, CaseAction action) {
    if (!actor.user)
        return true;
    if (actor.user->disabled)
        return false;
    switch (actor.user->role) {
    case StaffRole::Supervisor:
        return true;
    case StaffRole::Clerk:
        return action == CaseAction::View || action == CaseAction::ChangeStatus ||
               action == CaseAction::Note;
    case StaffRole::Auditor:
        return action == CaseAction::View || action == CaseAction::ReadAudit;
    }
    return false;
}

bool isReopening(CaseStatus from, CaseStatus to) {
    return isFinalStatus(from) && !isFinalStatus(to);
}

bool isAllowedTransition(CaseStatus from, CaseStatus to) {
    if (to == CaseStatus::Received)
        return false;
    switch (from) {
    case CaseStatus::Received:
        return true;
    case CaseStatus::Accepted:
        return to != CaseStatus::NotAccepted;
    case CaseStatus::InProgress:
        return to != CaseStatus::NotAccepted && to != CaseStatus::Accepted;
    case CaseStatus::Closed:
    case CaseStatus::Transferred:
    case CaseStatus::NotAccepted:
        return to == CaseStatus::Accepted || to == CaseStatus::InProgress;
    }
    return false;
}

std::optional<WorkflowError> checkStatusChange(CaseStatus from, const StatusChange& c) {
    const std::string arrow = caseStatusLabel(from) + " → " + caseStatusLabel(c.status);
    if (!isAllowedTransition(from, c.status)) {
        std::string why = c.status == CaseStatus::Received
                              ? "已接收 is only the automatic first entry of a case."
                          : isFinalStatus(from)
                              ? "a finished case can only be reopened to 已受理 accepted or 办理中 "
                                "in_progress (with --reason)."
                              : "this step goes backwards.";
        return WorkflowError{Code::NotAllowed, "不允许的状态变更 " + arrow + ": " + why};
    }
    if (c.reply.size() > crypto::kMaxReplyBytes)
        return WorkflowError{Code::Invalid, "回复过长 The reply is " +
                                                std::to_string(c.reply.size()) +
                                                " bytes; a reply shown at the kiosk may have at "
                                                "most " +
                                                std::to_string(crypto::kMaxReplyBytes) + "."};
    if (c.unit.size() > kMaxUnitBytes || c.reason.size() > kMaxReasonBytes)
        return WorkflowError{Code::Invalid,
                             "内容过长 The unit may have at most " + std::to_string(kMaxUnitBytes) +
                                 " bytes and the reason " + std::to_string(kMaxReasonBytes) + "."};
    const bool closing = c.status == CaseStatus::Closed;
    const bool transferring = c.status == CaseStatus::Transferred;
    if (c.result && !closing)
        return WorkflowError{Code::Invalid,
                             "办理结果只在办结时填写 A result is given only when closing."};
    if (!c.unit.empty() && !transferring)
        return WorkflowError{Code::Invalid, "承办单位只在转办时填写 A destination unit is given "
                                            "only when transferring (已转办)."};
    if (closing && (c.reply.empty() || !c.result))
        return WorkflowError{Code::MissingField,
                             "办结需要答复和办理结果 Closing needs the public reply (--reply) and "
                             "a result (--result resolved|partly_resolved|explained|unfounded)."};
    if (transferring && c.unit.empty())
        return WorkflowError{Code::MissingField,
                             "转办需要承办单位 Transferring needs the destination unit (--unit)."};
    if (c.status == CaseStatus::NotAccepted && c.reply.empty())
        return WorkflowError{Code::MissingField, "不予受理需要答复 Not accepting needs a public "
                                                 "reply telling the parent why (--reply)."};
    if (isReopening(from, c.status) && c.reason.empty())
        return WorkflowError{Code::MissingField, "重新办理需要说明理由 Reopening " + arrow +
                                                     " needs a reason (--reason)."};
    return std::nullopt;
}

std::string_view caseEventKindName(CaseEvent::Kind kind) {
    switch (kind) {
    case CaseEvent::Kind::Note:
        return "note";
    case CaseEvent::Kind::Assign:
        return "assign";
    case CaseEvent::Kind::Extend:
        return "extend";
    }
    return "note";
}

std::chrono::sys_days effectiveDueDate(std::int64_t receivedAt, const std::string& category,
                                       const std::vector<CaseEvent>& events, const CaseRules& rules,
                                       std::int64_t asOf) {
    std::chrono::sys_days due = rules.dueDate(receivedAt, category);
    for (const auto& e : events)
        if (e.kind == CaseEvent::Kind::Extend && e.at <= asOf && e.dueDay)
            due = *e.dueDay;
    return due;
}

namespace {

WorkflowError storage(const LedgerError& e) {
    return {e.code == LedgerError::Code::NotFound ? Code::NotFound : Code::Storage, e.message};
}

WorkflowError forbidden(const Actor& actor, std::string_view what) {
    const std::string role = actor.user ? std::string(staffRoleChinese(actor.user->role)) + " " +
                                              std::string(staffRoleName(actor.user->role))
                                        : "";
    if (actor.user && actor.user->disabled)
        return {Code::Forbidden,
                "账户已停用 The account \"" + actor.user->name + "\" is disabled."};
    return {Code::Forbidden, "无权操作 \"" + actor.label() + "\" (" + role + ") may not " +
                                 std::string(what) + "; ask a supervisor (主管)."};
}

struct CaseState {
    CaseStatus status = CaseStatus::Received;
    crypto::Hash256 receiptTag{};
    std::int64_t receivedAt = 0, updatedAt = 0;
    std::string category;
};

/// The case's current state, read inside the caller's transaction.
Result<CaseState, WorkflowError> readState(Ledger& ledger, std::int64_t caseId) {
    Stmt s(ledger.connection(), "SELECT status, receipt_tag, received_at, updated_at, category "
                                "FROM cases WHERE envelope_id = ?1");
    s.bind(1, caseId);
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_DONE)
        return fail(WorkflowError{Code::NotFound, "没有此案件 No case with id " +
                                                      std::to_string(caseId) + " in the ledger."});
    if (rc != SQLITE_ROW)
        return fail(storage(ledger.sqlError(rc, "reading")));
    return CaseState{static_cast<CaseStatus>(s.i64(0)), s.hash(1), s.i64(2), s.i64(3), s.text(4)};
}

/// One transaction: reads the case state, runs `change(state)` (an error, or nullopt when the
/// change and its audit row were written), commits.
template <class Change>
Result<Ok, WorkflowError> inTransaction(Ledger& ledger, std::int64_t caseId, Change change) {
    Transaction txn(ledger.connection());
    if (int rc = txn.begin(); rc != SQLITE_OK)
        return fail(storage(ledger.sqlError(rc, "recording into")));
    auto state = readState(ledger, caseId);
    if (!state)
        return fail(state.error());
    if (std::optional<WorkflowError> e = change(*state))
        return fail(*e);
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(storage(ledger.sqlError(rc, "recording into")));
    return Ok{};
}

std::optional<WorkflowError>
insertEvent(Ledger& ledger, std::int64_t caseId, CaseEvent::Kind kind, const Actor& actor,
            std::int64_t at, const std::string& text, std::optional<std::int64_t> handlerId,
            std::optional<std::chrono::sys_days> due, const std::string& auditDetail) {
    Stmt s(ledger.connection(),
           "INSERT INTO case_events (envelope_id, kind, actor_id, at, text, handler_id, due_day) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, caseId).bindText(2, caseEventKindName(kind));
    if (actor.id())
        s.bind(3, *actor.id());
    else
        s.bindNull(3);
    s.bind(4, at).bindText(5, text);
    if (handlerId)
        s.bind(6, *handlerId);
    else
        s.bindNull(6);
    if (due)
        s.bindText(7, CaseRules::formatDay(*due));
    else
        s.bindNull(7);
    if (int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc(); rc != SQLITE_DONE)
        return storage(ledger.sqlError(rc, "recording into"));
    const AuditRecord audit{at, actor.id(), "case." + std::string(caseEventKindName(kind)), caseId,
                            auditDetail};
    if (int rc = appendAuditInTransaction(ledger.connection(), audit); rc != SQLITE_DONE)
        return storage(ledger.sqlError(rc, "recording into"));
    return std::nullopt;
}

} // namespace

namespace {

constexpr const char* kSelectCaseEvents =
    "SELECT ev.id, ev.kind, ev.actor_id, coalesce(a.name, ''), ev.at, ev.text, "
    "ev.handler_id, coalesce(h.name, ''), ev.due_day, ev.envelope_id FROM case_events ev "
    "LEFT JOIN staff_users a ON a.id = ev.actor_id "
    "LEFT JOIN staff_users h ON h.id = ev.handler_id ";

CaseEvent readCaseEvent(const Stmt& s) {
    CaseEvent e;
    e.id = s.i64(0);
    const std::string kind = s.text(1);
    e.kind = kind == "assign"   ? CaseEvent::Kind::Assign
             : kind == "extend" ? CaseEvent::Kind::Extend
                                : CaseEvent::Kind::Note;
    if (!s.isNull(2))
        e.actorId = s.i64(2);
    e.actorName = s.text(3);
    e.at = s.i64(4);
    e.text = s.text(5);
    if (!s.isNull(6))
        e.handlerId = s.i64(6);
    e.handlerName = s.text(7);
    if (!s.isNull(8))
        e.dueDay = parseDay(s.text(8));
    return e;
}

} // namespace

Result<std::map<std::int64_t, std::vector<CaseEvent>>, LedgerError>
readCaseEvents(Ledger& ledger, std::optional<std::int64_t> caseId) {
    Stmt s(ledger.connection(),
           (std::string(kSelectCaseEvents) +
            (caseId ? "WHERE ev.envelope_id = ?1 ORDER BY ev.id" : "ORDER BY ev.id"))
               .c_str());
    if (s.prepareRc() != SQLITE_OK)
        return fail(ledger.sqlError(s.prepareRc(), "reading"));
    if (caseId)
        s.bind(1, *caseId);
    std::map<std::int64_t, std::vector<CaseEvent>> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out[s.i64(9)].push_back(readCaseEvent(s));
    if (rc != SQLITE_DONE)
        return fail(ledger.sqlError(rc, "reading"));
    return out;
}

Result<std::vector<CaseEvent>, WorkflowError> CaseWorkflow::events(std::int64_t caseId) {
    auto all = readCaseEvents(m_ledger, caseId);
    if (!all)
        return fail(storage(all.error()));
    auto it = all->find(caseId);
    return it == all->end() ? std::vector<CaseEvent>{} : std::move(it->second);
}

Result<CaseFile, WorkflowError> CaseWorkflow::viewCase(const Actor& actor,
                                                       const Submission& found) {
    if (!mayPerform(actor, CaseAction::View))
        return fail(forbidden(actor, "read cases"));
    // Logged before anything is shown (audit_log.hpp): no row, no content.
    if (auto logged = appendAudit(m_ledger, {m_clock(), actor.id(), "case.view", found.id, ""});
        !logged)
        return fail(storage(logged.error()));
    CaseFile file;
    file.submission = found;
    auto history = m_ledger.history(found.id);
    if (!history)
        return fail(storage(history.error()));
    file.history = std::move(*history);
    auto ev = events(found.id);
    if (!ev)
        return fail(ev.error());
    file.events = std::move(*ev);
    file.dueDate =
        effectiveDueDate(found.receivedAt, found.category, file.events, m_rules, m_clock());
    for (const auto& e : file.events)
        if (e.kind == CaseEvent::Kind::Assign) {
            file.handlerId = e.handlerId;
            file.handlerName = e.handlerName;
        }
    return file;
}

Result<std::int64_t, WorkflowError>
CaseWorkflow::changeStatus(const Actor& actor, std::int64_t caseId, const StatusChange& change,
                           const crypto::Ed25519SecretKey& countySigningKey) {
    if (!mayPerform(actor, CaseAction::ChangeStatus))
        return fail(forbidden(actor, "change a case's status"));
    std::int64_t historyId = 0;
    auto done =
        inTransaction(m_ledger, caseId, [&](const CaseState& st) -> std::optional<WorkflowError> {
            if (auto refused = checkStatusChange(st.status, change))
                return refused;
            if (isReopening(st.status, change.status) && !mayPerform(actor, CaseAction::Reopen))
                return forbidden(actor, "reopen a finished case");
            crypto::CaseStatusRecord record;
            record.receiptTag = st.receiptTag;
            record.status = change.status;
            record.receivedAt = st.receivedAt;
            // Never before the previous entry: the kiosk shows the newest by time.
            record.updatedAt = std::max(m_clock(), st.updatedAt);
            record.reply = change.reply;
            record = crypto::signCaseStatus(std::move(record), countySigningKey);
            StatusRow row;
            row.caseId = caseId;
            row.status = change.status;
            row.reply = change.reply;
            row.setAt = record.updatedAt;
            row.signedJson = sync::caseStatusToJson(record).dump();
            row.actorId = actor.id();
            if (change.result)
                row.result = caseResultName(*change.result);
            row.unit = change.unit;
            row.reason = change.reason;
            auto id = m_ledger.appendStatusInTransaction(row);
            if (!id)
                return storage(id.error());
            historyId = *id;
            std::string detail = std::string(crypto::caseStatusName(st.status)) + " -> " +
                                 std::string(crypto::caseStatusName(change.status));
            if (change.result)
                detail += " result=" + std::string(caseResultName(*change.result));
            if (!change.unit.empty())
                detail += " unit=" + change.unit;
            if (!change.reason.empty())
                detail += " reason=" + change.reason;
            const AuditRecord audit{row.setAt, actor.id(), "case.status", caseId, detail};
            if (int rc = appendAuditInTransaction(m_ledger.connection(), audit); rc != SQLITE_DONE)
                return storage(m_ledger.sqlError(rc, "recording into"));
            return std::nullopt;
        });
    if (!done)
        return fail(done.error());
    return historyId;
}

Result<Ok, WorkflowError> CaseWorkflow::addNote(const Actor& actor, std::int64_t caseId,
                                                const std::string& text) {
    if (!mayPerform(actor, CaseAction::Note))
        return fail(forbidden(actor, "add notes"));
    if (text.empty())
        return fail(WorkflowError{Code::MissingField, "备注为空 The note is empty."});
    if (text.size() > kMaxNoteBytes)
        return fail(WorkflowError{Code::Invalid, "备注过长 A note may have at most " +
                                                     std::to_string(kMaxNoteBytes) + " bytes."});
    return inTransaction(m_ledger, caseId, [&](const CaseState&) {
        return insertEvent(m_ledger, caseId, CaseEvent::Kind::Note, actor, m_clock(), text,
                           std::nullopt, std::nullopt, "");
    });
}

Result<Ok, WorkflowError> CaseWorkflow::assign(const Actor& actor, std::int64_t caseId,
                                               const StaffUser& handler) {
    if (!mayPerform(actor, CaseAction::Assign))
        return fail(forbidden(actor, "assign cases"));
    if (handler.disabled || handler.role == StaffRole::Auditor)
        return fail(WorkflowError{Code::Invalid, "不能指派给 \"" + handler.name +
                                                     "\": a case goes to an enabled clerk or "
                                                     "supervisor, not a disabled account or an "
                                                     "auditor."});
    return inTransaction(
        m_ledger, caseId, [&](const CaseState& st) -> std::optional<WorkflowError> {
            if (isFinalStatus(st.status))
                return WorkflowError{Code::NotAllowed, "案件已办完 The case is finished (" +
                                                           caseStatusLabel(st.status) +
                                                           "); reopen it before assigning."};
            return insertEvent(m_ledger, caseId, CaseEvent::Kind::Assign, actor, m_clock(), "",
                               handler.id, std::nullopt, "to " + handler.name);
        });
}

Result<Ok, WorkflowError> CaseWorkflow::extendDeadline(const Actor& actor, std::int64_t caseId,
                                                       std::chrono::sys_days newDue,
                                                       const std::string& reason) {
    if (!mayPerform(actor, CaseAction::Extend))
        return fail(forbidden(actor, "extend deadlines"));
    if (reason.empty())
        return fail(WorkflowError{Code::MissingField,
                                  "延期需要说明理由 An extension needs a reason (--reason)."});
    if (reason.size() > kMaxReasonBytes)
        return fail(WorkflowError{Code::Invalid, "理由过长 A reason may have at most " +
                                                     std::to_string(kMaxReasonBytes) + " bytes."});
    return inTransaction(
        m_ledger, caseId, [&](const CaseState& st) -> std::optional<WorkflowError> {
            auto ev = events(caseId); // inside the transaction: no extension slips in between
            if (!ev)
                return ev.error();
            if (isFinalStatus(st.status))
                return WorkflowError{Code::NotAllowed, "案件已办完 The case is finished (" +
                                                           caseStatusLabel(st.status) +
                                                           "); its deadline no longer runs."};
            const std::int64_t now = m_clock();
            const auto current = effectiveDueDate(st.receivedAt, st.category, *ev, m_rules, now);
            if (newDue <= current)
                return WorkflowError{Code::Invalid, "新期限须晚于 The new due date " +
                                                        CaseRules::formatDay(newDue) +
                                                        " must be after the current one, " +
                                                        CaseRules::formatDay(current) + "."};
            return insertEvent(
                m_ledger, caseId, CaseEvent::Kind::Extend, actor, now, reason, std::nullopt, newDue,
                CaseRules::formatDay(current) + " -> " + CaseRules::formatDay(newDue));
        });
}

} // namespace minsheng::staff
