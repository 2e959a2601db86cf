#include "county/staff/case_workflow.hpp"

#include "county/staff/audit_log.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/store/sqlite_store.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

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
               action == CaseAction::Note || action == CaseAction::FollowUp;
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
    case CaseEvent::Kind::Merge:
        return "merge";
    case CaseEvent::Kind::FollowUp:
        return "followup";
    }
    return "note";
}

std::string_view satisfactionName(Satisfaction s) {
    switch (s) {
    case Satisfaction::Satisfied:
        return "satisfied";
    case Satisfaction::BasicallySatisfied:
        return "basically_satisfied";
    case Satisfaction::NotSatisfied:
        return "not_satisfied";
    }
    return "satisfied";
}

std::string_view satisfactionChinese(Satisfaction s) {
    switch (s) {
    case Satisfaction::Satisfied:
        return "满意";
    case Satisfaction::BasicallySatisfied:
        return "基本满意";
    case Satisfaction::NotSatisfied:
        return "不满意";
    }
    return "满意";
}

std::optional<Satisfaction> parseSatisfaction(std::string_view text) {
    std::string t(text);
    std::replace(t.begin(), t.end(), '-', '_');
    for (auto s :
         {Satisfaction::Satisfied, Satisfaction::BasicallySatisfied, Satisfaction::NotSatisfied})
        if (t == satisfactionName(s) || text == satisfactionChinese(s))
            return s;
    return std::nullopt;
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

WorkflowError workflowStorageError(const LedgerError& e) {
    return {e.code == LedgerError::Code::NotFound ? Code::NotFound : Code::Storage, e.message};
}

WorkflowError forbiddenError(const Actor& actor, std::string_view what) {
    const std::string role = actor.user ? std::string(staffRoleChinese(actor.user->role)) + " " +
                                              std::string(staffRoleName(actor.user->role))
                                        : "";
    if (actor.user && actor.user->disabled)
        return {Code::Forbidden,
                "账户已停用 The account \"" + actor.user->name + "\" is disabled."};
    return {Code::Forbidden, "无权操作 \"" + actor.label() + "\" (" + role + ") may not " +
                                 std::string(what) + "; ask a supervisor (主管)."};
}

namespace {

struct CaseState {
    CaseStatus status = CaseStatus::Received;
    crypto::Hash256 receiptTag{};
    std::int64_t receivedAt = 0, updatedAt = 0;
    std::string category;
    bool anonymous = true;
    std::string contactPhone;
    std::string caseNumber; // "<kiosk>/<sequence>"
};

/// The case's current state, read inside the caller's transaction.
Result<CaseState, WorkflowError> readState(Ledger& ledger, std::int64_t caseId) {
    Stmt s(ledger.connection(),
           "SELECT c.status, c.receipt_tag, c.received_at, c.updated_at, c.category, c.anonymous, "
           "coalesce(c.contact_phone, ''), e.kiosk_id || '/' || e.sequence FROM cases c "
           "JOIN envelopes e ON e.id = c.envelope_id WHERE c.envelope_id = ?1");
    s.bind(1, caseId);
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_DONE)
        return fail(WorkflowError{Code::NotFound, "没有此案件 No case with id " +
                                                      std::to_string(caseId) + " in the ledger."});
    if (rc != SQLITE_ROW)
        return fail(workflowStorageError(ledger.sqlError(rc, "reading")));
    return CaseState{static_cast<CaseStatus>(s.i64(0)),
                     s.hash(1),
                     s.i64(2),
                     s.i64(3),
                     s.text(4),
                     s.i64(5) != 0,
                     s.text(6),
                     s.text(7)};
}

/// One transaction: reads the case state, runs `change(state)` (an error, or nullopt when the
/// change and its audit row were written), commits.
template <class Change>
Result<Ok, WorkflowError> inTransaction(Ledger& ledger, std::int64_t caseId, Change change) {
    Transaction txn(ledger.connection());
    if (int rc = txn.begin(); rc != SQLITE_OK)
        return fail(workflowStorageError(ledger.sqlError(rc, "recording into")));
    auto state = readState(ledger, caseId);
    if (!state)
        return fail(state.error());
    if (std::optional<WorkflowError> e = change(*state))
        return fail(*e);
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(workflowStorageError(ledger.sqlError(rc, "recording into")));
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
        return workflowStorageError(ledger.sqlError(rc, "recording into"));
    const AuditRecord audit{at, actor.id(), "case." + std::string(caseEventKindName(kind)), caseId,
                            auditDetail};
    if (int rc = appendAuditInTransaction(ledger.connection(), audit); rc != SQLITE_DONE)
        return workflowStorageError(ledger.sqlError(rc, "recording into"));
    return std::nullopt;
}

std::optional<WorkflowError> audit(Ledger& ledger, const AuditRecord& record) {
    if (int rc = appendAuditInTransaction(ledger.connection(), record); rc != SQLITE_DONE)
        return workflowStorageError(ledger.sqlError(rc, "recording into"));
    return std::nullopt;
}

/// Signs `change` for the case in `st` with the county key and appends its history row (queued
/// for the server) and its audit row, inside the caller's transaction. The change has been
/// checked. Returns the history id.
Result<std::int64_t, WorkflowError>
appendSignedStatus(Ledger& ledger, const Actor& actor, std::int64_t caseId, const CaseState& st,
                   const StatusChange& change, const crypto::Ed25519SecretKey& key,
                   std::int64_t now, const std::string& auditSuffix) {
    crypto::CaseStatusRecord record;
    record.receiptTag = st.receiptTag;
    record.status = change.status;
    record.receivedAt = st.receivedAt;
    // Never before the previous entry: the kiosk shows the newest by time.
    record.updatedAt = std::max(now, st.updatedAt);
    record.reply = change.reply;
    record = crypto::signCaseStatus(std::move(record), key);
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
    auto id = ledger.appendStatusInTransaction(row);
    if (!id)
        return fail(workflowStorageError(id.error()));
    std::string detail = std::string(crypto::caseStatusName(st.status)) + " -> " +
                         std::string(crypto::caseStatusName(change.status));
    if (change.result)
        detail += " result=" + std::string(caseResultName(*change.result));
    if (!change.unit.empty())
        detail += " unit=" + change.unit;
    if (!change.reason.empty())
        detail += " reason=" + change.reason;
    detail += auditSuffix;
    if (auto e = audit(ledger, {row.setAt, actor.id(), "case.status", caseId, detail}))
        return fail(*e);
    return *id;
}

/// The case `caseId` was merged into, read in the caller's transaction (if any).
Result<std::optional<std::int64_t>, WorkflowError> readMergedInto(Ledger& ledger,
                                                                  std::int64_t caseId) {
    Stmt s(ledger.connection(), "SELECT into_id FROM case_merges WHERE merged_id = ?1");
    s.bind(1, caseId);
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_DONE)
        return std::optional<std::int64_t>();
    if (rc != SQLITE_ROW)
        return fail(workflowStorageError(ledger.sqlError(rc, "reading")));
    return std::optional<std::int64_t>(s.i64(0));
}

/// The cases merged into `caseId`, oldest merge first, read in the caller's transaction.
Result<std::vector<std::int64_t>, WorkflowError> readMergedCases(Ledger& ledger,
                                                                 std::int64_t caseId) {
    Stmt s(ledger.connection(),
           "SELECT merged_id FROM case_merges WHERE into_id = ?1 ORDER BY at, merged_id");
    if (s.prepareRc() != SQLITE_OK)
        return fail(workflowStorageError(ledger.sqlError(s.prepareRc(), "reading")));
    s.bind(1, caseId);
    std::vector<std::int64_t> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(s.i64(0));
    if (rc != SQLITE_DONE)
        return fail(workflowStorageError(ledger.sqlError(rc, "reading")));
    return out;
}

WorkflowError finished(const CaseState& st, std::string_view what) {
    return {Code::NotAllowed, "案件已办完 Case " + st.caseNumber + " is finished (" +
                                  caseStatusLabel(st.status) + "); " + std::string(what)};
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
        return fail(workflowStorageError(all.error()));
    std::vector<CaseEvent> out;
    if (auto it = all->find(caseId); it != all->end())
        out = std::move(it->second);
    int rc;
    Stmt m(m_ledger.connection(),
           "SELECT m.merged_id, m.into_id, m.actor_id, coalesce(a.name, ''), m.at, m.note, "
           "em.kiosk_id || '/' || em.sequence, ei.kiosk_id || '/' || ei.sequence "
           "FROM case_merges m LEFT JOIN staff_users a ON a.id = m.actor_id "
           "JOIN envelopes em ON em.id = m.merged_id JOIN envelopes ei ON ei.id = m.into_id "
           "WHERE m.merged_id = ?1 OR m.into_id = ?1 ORDER BY m.at, m.merged_id");
    if (m.prepareRc() != SQLITE_OK)
        return fail(workflowStorageError(m_ledger.sqlError(m.prepareRc(), "reading")));
    m.bind(1, caseId);
    while ((rc = m.step()) == SQLITE_ROW) {
        CaseEvent e;
        e.kind = CaseEvent::Kind::Merge;
        e.id = m.i64(0);
        e.mergedAway = m.i64(0) == caseId;
        e.otherCaseId = e.mergedAway ? m.i64(1) : m.i64(0);
        e.otherCaseNumber = e.mergedAway ? m.text(7) : m.text(6);
        if (!m.isNull(2))
            e.actorId = m.i64(2);
        e.actorName = m.text(3);
        e.at = m.i64(4);
        e.text = m.text(5);
        out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE)
        return fail(workflowStorageError(m_ledger.sqlError(rc, "reading")));

    Stmt f(m_ledger.connection(),
           "SELECT f.id, f.actor_id, coalesce(a.name, ''), f.at, f.reached, f.satisfaction, "
           "f.note FROM follow_ups f LEFT JOIN staff_users a ON a.id = f.actor_id "
           "WHERE f.envelope_id = ?1 ORDER BY f.id");
    if (f.prepareRc() != SQLITE_OK)
        return fail(workflowStorageError(m_ledger.sqlError(f.prepareRc(), "reading")));
    f.bind(1, caseId);
    while ((rc = f.step()) == SQLITE_ROW) {
        CaseEvent e;
        e.kind = CaseEvent::Kind::FollowUp;
        e.id = f.i64(0);
        if (!f.isNull(1))
            e.actorId = f.i64(1);
        e.actorName = f.text(2);
        e.at = f.i64(3);
        FollowUp fu;
        fu.reached = f.i64(4) != 0;
        if (!f.isNull(5))
            fu.satisfaction = parseSatisfaction(f.text(5));
        fu.note = f.text(6);
        e.text = fu.note;
        e.followUp = std::move(fu);
        out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE)
        return fail(workflowStorageError(m_ledger.sqlError(rc, "reading")));
    // Each table is read in recording order; stable by time keeps that order within a second.
    std::stable_sort(out.begin(), out.end(),
                     [](const CaseEvent& a, const CaseEvent& b) { return a.at < b.at; });
    return out;
}

Result<CaseFile, WorkflowError> CaseWorkflow::viewCase(const Actor& actor,
                                                       const Submission& found) {
    if (!mayPerform(actor, CaseAction::View))
        return fail(forbiddenError(actor, "read cases"));
    // Logged before anything is shown (audit_log.hpp): no row, no content.
    if (auto logged = appendAudit(m_ledger, {m_clock(), actor.id(), "case.view", found.id, ""});
        !logged)
        return fail(workflowStorageError(logged.error()));
    CaseFile file;
    file.submission = found;
    auto history = m_ledger.history(found.id);
    if (!history)
        return fail(workflowStorageError(history.error()));
    file.history = std::move(*history);
    auto ev = events(found.id);
    if (!ev)
        return fail(ev.error());
    file.events = std::move(*ev);
    file.dueDate =
        effectiveDueDate(found.receivedAt, found.category, file.events, m_rules, m_clock());
    for (const auto& e : file.events) {
        if (e.kind == CaseEvent::Kind::Assign) {
            file.handlerId = e.handlerId;
            file.handlerName = e.handlerName;
        }
        if (e.kind == CaseEvent::Kind::Merge && e.otherCaseId) {
            if (e.mergedAway)
                file.mergedInto = e.otherCaseId;
            else
                file.mergedCases.push_back(*e.otherCaseId);
        }
    }
    return file;
}

Result<std::int64_t, WorkflowError>
CaseWorkflow::changeStatus(const Actor& actor, std::int64_t caseId, const StatusChange& change,
                           const crypto::Ed25519SecretKey& countySigningKey) {
    if (!mayPerform(actor, CaseAction::ChangeStatus))
        return fail(forbiddenError(actor, "change a case's status"));
    std::int64_t historyId = 0;
    auto done =
        inTransaction(m_ledger, caseId, [&](const CaseState& st) -> std::optional<WorkflowError> {
            if (auto refused = checkStatusChange(st.status, change))
                return refused;
            if (isReopening(st.status, change.status) && !mayPerform(actor, CaseAction::Reopen))
                return forbiddenError(actor, "reopen a finished case");
            auto into = readMergedInto(m_ledger, caseId);
            if (!into)
                return into.error();
            if (*into) {
                auto target = readState(m_ledger, **into);
                return WorkflowError{Code::NotAllowed,
                                     "案件已合并 Case " + st.caseNumber + " was merged into " +
                                         (target ? target->caseNumber : std::to_string(**into)) +
                                         "; work on that case: closing it closes this one."};
            }
            const std::int64_t now = m_clock();
            auto id =
                appendSignedStatus(m_ledger, actor, caseId, st, change, countySigningKey, now, "");
            if (!id)
                return id.error();
            historyId = *id;
            if (change.status != CaseStatus::Closed)
                return std::nullopt;
            // Invariant 15: the merged cases still open are closed with the same reply and
            // result, each with its own signed status.
            auto merged = readMergedCases(m_ledger, caseId);
            if (!merged)
                return merged.error();
            StatusChange mirrored = change;
            mirrored.reason.clear();
            for (std::int64_t other : *merged) {
                auto os = readState(m_ledger, other);
                if (!os)
                    return os.error();
                if (isFinalStatus(os->status))
                    continue;
                if (auto refused = checkStatusChange(os->status, mirrored))
                    return refused;
                auto mid =
                    appendSignedStatus(m_ledger, actor, other, *os, mirrored, countySigningKey, now,
                                       " merged-into=" + st.caseNumber);
                if (!mid)
                    return mid.error();
            }
            return std::nullopt;
        });
    if (!done)
        return fail(done.error());
    return historyId;
}

Result<Ok, WorkflowError> CaseWorkflow::addNote(const Actor& actor, std::int64_t caseId,
                                                const std::string& text) {
    if (!mayPerform(actor, CaseAction::Note))
        return fail(forbiddenError(actor, "add notes"));
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
        return fail(forbiddenError(actor, "assign cases"));
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
        return fail(forbiddenError(actor, "extend deadlines"));
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

Result<std::optional<std::int64_t>, WorkflowError> CaseWorkflow::mergedInto(std::int64_t caseId) {
    return readMergedInto(m_ledger, caseId);
}

Result<std::vector<std::int64_t>, WorkflowError> CaseWorkflow::mergedCases(std::int64_t caseId) {
    return readMergedCases(m_ledger, caseId);
}

Result<std::int64_t, WorkflowError>
CaseWorkflow::merge(const Actor& actor, std::int64_t mergedId, std::int64_t intoId,
                    const std::string& note, const crypto::Ed25519SecretKey& countySigningKey) {
    if (!mayPerform(actor, CaseAction::Merge))
        return fail(forbiddenError(actor, "merge cases"));
    if (mergedId == intoId)
        return fail(WorkflowError{Code::Invalid,
                                  "不能合并到自身 A case cannot be merged into itself; name the "
                                  "case it duplicates with --into."});
    if (note.size() > kMaxNoteBytes)
        return fail(WorkflowError{Code::Invalid, "备注过长 A note may have at most " +
                                                     std::to_string(kMaxNoteBytes) + " bytes."});
    std::int64_t historyId = 0;
    auto done = inTransaction(
        m_ledger, mergedId, [&](const CaseState& dup) -> std::optional<WorkflowError> {
            auto target = readState(m_ledger, intoId);
            if (!target)
                return target.error();
            if (isFinalStatus(target->status))
                return finished(*target, "merge into an open case, or reopen this one first.");
            auto targetInto = readMergedInto(m_ledger, intoId);
            if (!targetInto)
                return targetInto.error();
            if (*targetInto)
                return WorkflowError{Code::NotAllowed,
                                     "目标案件已合并 Case " + target->caseNumber +
                                         " was itself merged into another case; merge into "
                                         "that one instead."};
            if (isFinalStatus(dup.status))
                return finished(dup, "there is nothing left to merge.");
            auto dupInto = readMergedInto(m_ledger, mergedId);
            if (!dupInto)
                return dupInto.error();
            if (*dupInto)
                return WorkflowError{Code::NotAllowed, "案件已合并 Case " + dup.caseNumber +
                                                           " is already merged into another "
                                                           "case."};
            auto received = readMergedCases(m_ledger, mergedId);
            if (!received)
                return received.error();
            if (!received->empty())
                return WorkflowError{Code::NotAllowed,
                                     "其他案件已合并到此案 Other cases were merged into " +
                                         dup.caseNumber + "; merge " + target->caseNumber +
                                         " into it instead (merges are one level deep)."};
            const std::int64_t now = m_clock();
            Stmt ins(m_ledger.connection(),
                     "INSERT INTO case_merges (merged_id, into_id, actor_id, at, note) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)");
            ins.bind(1, mergedId).bind(2, intoId);
            if (actor.id())
                ins.bind(3, *actor.id());
            else
                ins.bindNull(3);
            ins.bind(4, now).bindText(5, note);
            if (int rc = ins.prepareRc() == SQLITE_OK ? ins.step() : ins.prepareRc();
                rc != SQLITE_DONE)
                return workflowStorageError(m_ledger.sqlError(rc, "recording into"));
            StatusChange change;
            change.status = CaseStatus::InProgress;
            change.reply = std::string(kMergedReply);
            auto id = appendSignedStatus(m_ledger, actor, mergedId, dup, change, countySigningKey,
                                         now, " merged-into=" + target->caseNumber);
            if (!id)
                return id.error();
            historyId = *id;
            if (auto e = audit(m_ledger, {now, actor.id(), "case.merge", mergedId,
                                          "into " + target->caseNumber}))
                return e;
            return audit(m_ledger,
                         {now, actor.id(), "case.merge", intoId, "from " + dup.caseNumber});
        });
    if (!done)
        return fail(done.error());
    return historyId;
}

Result<Ok, WorkflowError> CaseWorkflow::recordFollowUp(const Actor& actor, std::int64_t caseId,
                                                       const FollowUp& followUp) {
    if (!mayPerform(actor, CaseAction::FollowUp))
        return fail(forbiddenError(actor, "record follow-ups"));
    if (followUp.reached && !followUp.satisfaction)
        return fail(WorkflowError{Code::MissingField,
                                  "请填写满意度 A reporter who was reached gives a satisfaction "
                                  "(--satisfaction satisfied|basically_satisfied|not_satisfied)."});
    if (!followUp.reached && followUp.satisfaction)
        return fail(WorkflowError{Code::Invalid, "未联系上不能填写满意度 A satisfaction is given "
                                                 "only when the reporter was reached."});
    if (followUp.note.size() > kMaxNoteBytes)
        return fail(WorkflowError{Code::Invalid, "备注过长 A note may have at most " +
                                                     std::to_string(kMaxNoteBytes) + " bytes."});
    return inTransaction(
        m_ledger, caseId, [&](const CaseState& st) -> std::optional<WorkflowError> {
            if (st.anonymous || st.contactPhone.empty())
                return WorkflowError{Code::NotAllowed,
                                     "无法回访 Case " + st.caseNumber +
                                         " cannot be followed up: the report " +
                                         (st.anonymous ? "is anonymous" : "left no phone number") +
                                         ", so there is nobody to call back."};
            if (st.status != CaseStatus::Closed)
                return WorkflowError{Code::NotAllowed, "尚未办结 Case " + st.caseNumber + " is " +
                                                           caseStatusLabel(st.status) +
                                                           "; a follow-up comes after closing "
                                                           "(已办结)."};
            const std::int64_t now = m_clock();
            Stmt ins(m_ledger.connection(),
                     "INSERT INTO follow_ups (envelope_id, actor_id, at, reached, satisfaction, "
                     "note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            ins.bind(1, caseId);
            if (actor.id())
                ins.bind(2, *actor.id());
            else
                ins.bindNull(2);
            ins.bind(3, now).bind(4, std::int64_t{followUp.reached ? 1 : 0});
            if (followUp.satisfaction)
                ins.bindText(5, satisfactionName(*followUp.satisfaction));
            else
                ins.bindNull(5);
            ins.bindText(6, followUp.note);
            if (int rc = ins.prepareRc() == SQLITE_OK ? ins.step() : ins.prepareRc();
                rc != SQLITE_DONE)
                return workflowStorageError(m_ledger.sqlError(rc, "recording into"));
            const std::string detail =
                followUp.satisfaction
                    ? "reached " + std::string(satisfactionName(*followUp.satisfaction))
                    : std::string("not-reached");
            return audit(m_ledger, {now, actor.id(), "case.followup", caseId, detail});
        });
}

std::vector<BulkOutcome> CaseWorkflow::bulkApply(const Actor& actor,
                                                 const std::vector<std::int64_t>& caseIds,
                                                 const BulkAction& action,
                                                 const crypto::Ed25519SecretKey* countySigningKey) {
    if (std::holds_alternative<StatusChange>(action) && !countySigningKey)
        throw std::invalid_argument("bulkApply: a status change needs the county signing key");
    std::vector<BulkOutcome> outcomes;
    outcomes.reserve(caseIds.size());
    for (std::int64_t id : caseIds) {
        BulkOutcome o;
        o.caseId = id;
        if (const auto* a = std::get_if<BulkAssign>(&action)) {
            if (auto r = assign(actor, id, a->handler); !r)
                o.refused = r.error();
        } else if (const auto* n = std::get_if<BulkNote>(&action)) {
            if (auto r = addNote(actor, id, n->text); !r)
                o.refused = r.error();
        } else {
            auto r = changeStatus(actor, id, std::get<StatusChange>(action), *countySigningKey);
            if (r)
                o.historyId = *r;
            else
                o.refused = r.error();
        }
        outcomes.push_back(std::move(o));
    }
    return outcomes;
}

} // namespace minsheng::staff
