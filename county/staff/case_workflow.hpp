// How a case is worked, and by whom: the status machine with its required fields, internal notes,
// assignment to a handler, 转办 with a destination unit, deadline extensions, and who may do
// which — the rules the command line and the office console share. Every operation returns a
// typed result; every change and every view of a report's content appends its audit row in the
// same transaction (audit_log.hpp).
//
// Status machine (to 已接收 received never: it is only the automatic first entry):
//
//   from 已接收 received      → 已受理 accepted, 办理中 in_progress, 已转办 transferred,
//                               不予受理 not_accepted, 已办结 closed
//   from 已受理 accepted      → 已受理 (a new reply), 办理中, 已转办, 已办结
//   from 办理中 in_progress   → 办理中 (a new reply), 已转办, 已办结
//   from 已办结 / 已转办 / 不予受理 (final) → 已受理 or 办理中 only: reopening, needs a reason
//
// Required fields: 已办结 needs the public reply and a result (CaseResult); 已转办 needs the
// destination unit; 不予受理 needs the public reply (the parent is told why); reopening needs a
// reason. A result is given only when closing, a unit only when transferring.
//
// What is public: only the status and the reply, signed and pushed to the intake server
// (ledger_schema.hpp invariant 7). Notes, assignments, extensions, results, units and reasons
// stay in the ledger (invariant 12).
//
// Who: an Actor is a staff account, or — in an office that has created no account yet — nobody
// named ("unattributed"), which may do everything, as the single-user staff tool always could.
// Once accounts exist the command line names one with --user. Roles:
//   clerk       view, change status (not reopen), note, follow-up
//   supervisor  everything: also assign, extend deadlines, reopen, merge, edit reply templates
//   auditor     view only (and read the audit log)
// A disabled account may do nothing. Merging duplicates and editing reply templates are a
// supervisor's (as a 12345 hotline's 合并 is the 班长's call, not the 话务员's); a follow-up (回访)
// is recorded by a clerk or a supervisor.
//
// Merging duplicates (合并办理, ledger_schema.hpp invariant 15): a supervisor merges case B into
// case A when both report the same matter. B is not closed at once: it gets a public 办理中 status
// with the reply kMergedReply (its parent learns that the matter is being handled together with
// another report, never which one), signed for B's own receipt tag, plus an internal Merge event
// on both cases. From then on B takes no status change of its own: A is worked for both, and
// when A is closed (已办结) every merged case still open is closed in the same transaction with
// A's reply and result, each with its own signed status queued for the server. A merged case
// already closed keeps its reply when A is reopened and closed again. Refused: merging a case
// into itself, into a merged case or a finished case, merging a finished or merged case, and
// merging a case that others were merged into (merges are one level deep).
//
// Follow-up (回访, invariant 16): after a case is closed (已办结), staff call the reporter back
// and record whether they reached them and, if so, how satisfied they were. Anonymous reports
// and reports without a phone number cannot be followed up: refused. A 不满意 answer changes
// nothing by itself; a supervisor may reopen the case (the reopening path above, with a reason).
//
// Bulk actions: the same assignment, status change or note applied to several cases, each in its
// own transaction through the single-case operation, so every case is done whole or refused
// whole, and one refusal does not stop the others.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/ledger.hpp"
#include "county/staff/staff_accounts.hpp"
#include "crypto/keys.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace minsheng::staff {

/// 办理结果, required when closing.
enum class CaseResult {
    Resolved,       // 已解决
    PartlyResolved, // 部分解决
    Explained,      // 已解释说明 (nothing to fix; the parent was given the facts)
    Unfounded,      // 反映不属实
};
std::string_view caseResultName(CaseResult result);               // "resolved", ...
std::string_view caseResultChinese(CaseResult result);            // "已解决", ...
std::optional<CaseResult> parseCaseResult(std::string_view text); // English or Chinese

struct Actor {
    std::optional<StaffUser> user; // nullopt: unattributed (an office with no accounts)

    std::optional<std::int64_t> id() const {
        return user ? std::optional<std::int64_t>(user->id) : std::nullopt;
    }
    /// The name shown in history and messages: the account's, or "未署名 unattributed".
    std::string label() const;
};

enum class CaseAction {
    View,
    ChangeStatus,
    Reopen,
    Note,
    Assign,
    Extend,
    ReadAudit,
    Merge,         // supervisor
    FollowUp,      // clerk, supervisor
    EditTemplates, // supervisor
};
/// The role table above.
[[nodiscard]] bool mayPerform(const Actor& actor, CaseAction action);

struct StatusChange {
    crypto::CaseStatus status = crypto::CaseStatus::Accepted;
    std::string reply;                // public
    std::optional<CaseResult> result; // closing only
    std::string unit;                 // 转办 destination; transferring only
    std::string reason;               // reopening
};

struct WorkflowError {
    enum class Code {
        Forbidden,    // the actor's role may not do this (or the account is disabled)
        NotAllowed,   // the status machine does not allow this transition
        MissingField, // a required field is empty
        Invalid,      // a field is too long, given where it does not belong, or out of range
        NotFound,     // no such case or handler
        Storage,      // the ledger failed
    };
    Code code;
    std::string message; // Chinese first, then English; says what to do
};

/// The refusal for an actor whose role (or disabled account) does not allow `what`.
WorkflowError forbiddenError(const Actor& actor, std::string_view what);
/// A ledger failure as a workflow error (NotFound stays NotFound).
WorkflowError workflowStorageError(const LedgerError& e);

inline constexpr std::size_t kMaxNoteBytes = 8000;
inline constexpr std::size_t kMaxUnitBytes = 200;
inline constexpr std::size_t kMaxReasonBytes = 2000;

/// Whether the status machine allows `from` → `to` at all (fields aside).
[[nodiscard]] bool isAllowedTransition(crypto::CaseStatus from, crypto::CaseStatus to);
/// True when `from` is final and `to` is not: a reopening.
[[nodiscard]] bool isReopening(crypto::CaseStatus from, crypto::CaseStatus to);
/// The status machine and its required fields, pure; nullopt when the change may be made.
[[nodiscard]] std::optional<WorkflowError> checkStatusChange(crypto::CaseStatus from,
                                                             const StatusChange& change);

/// 回访 satisfaction, asked when the reporter was reached.
enum class Satisfaction {
    Satisfied,          // 满意
    BasicallySatisfied, // 基本满意
    NotSatisfied,       // 不满意
};
std::string_view satisfactionName(Satisfaction s);                    // "satisfied", ...
std::string_view satisfactionChinese(Satisfaction s);                 // "满意", ...
std::optional<Satisfaction> parseSatisfaction(std::string_view text); // English or Chinese

/// One follow-up call: reached or not, and when reached the satisfaction.
struct FollowUp {
    bool reached = false;
    std::optional<Satisfaction> satisfaction; // exactly when reached
    std::string note;                         // internal
};

/// The public reply a merged case gets (its parent sees it at the kiosk).
inline constexpr std::string_view kMergedReply =
    "您反映的问题已与另一件同类反映合并办理，办理结果将一并答复。";

struct CaseEvent {
    /// Note, Assign and Extend are case_events rows; Merge is a case_merges row (shown on both
    /// cases); FollowUp a follow_ups row. `id` is the row's id within its own table.
    enum class Kind { Note, Assign, Extend, Merge, FollowUp };
    std::int64_t id = 0;
    Kind kind = Kind::Note;
    std::optional<std::int64_t> actorId;
    std::string actorName; // empty: unattributed
    std::int64_t at = 0;
    std::string text; // the note, or the extension's reason
    std::optional<std::int64_t> handlerId;
    std::string handlerName;
    std::optional<std::chrono::sys_days> dueDay; // extension: the new due date
    // Merge: the other case, and whether this case is the one merged away (else the target).
    std::optional<std::int64_t> otherCaseId;
    std::string otherCaseNumber;
    bool mergedAway = false;
    std::optional<FollowUp> followUp; // FollowUp (its note is also in `text`)
};
/// "note" | "assign" | "extend" | "merge" | "followup"
std::string_view caseEventKindName(CaseEvent::Kind kind);

/// Every case's internal events (or only case `caseId`'s), oldest first, by case id, in one
/// query: what the case list (case_query.hpp) loads. Read-only; the caller holds the snapshot.
[[nodiscard]] Result<std::map<std::int64_t, std::vector<CaseEvent>>, LedgerError>
readCaseEvents(Ledger& ledger, std::optional<std::int64_t> caseId = std::nullopt);

/// The due date in force at `asOf`: the newest extension made at or before `asOf`, else the
/// rule's date from the received time. `events` oldest first.
std::chrono::sys_days effectiveDueDate(std::int64_t receivedAt, const std::string& category,
                                       const std::vector<CaseEvent>& events, const CaseRules& rules,
                                       std::int64_t asOf);

/// A case as staff read it.
struct CaseFile {
    Submission submission;
    std::vector<HistoryEntry> history;
    std::vector<CaseEvent> events;
    std::chrono::sys_days dueDate{};       // in force now (extensions included)
    std::optional<std::int64_t> handlerId; // newest assignment
    std::string handlerName;
    std::optional<std::int64_t> mergedInto; // this case was merged into that one
    std::vector<std::int64_t> mergedCases;  // cases merged into this one
};

/// What a bulk action does to each case.
struct BulkAssign {
    StaffUser handler;
};
struct BulkNote {
    std::string text;
};
using BulkAction = std::variant<BulkAssign, StatusChange, BulkNote>;

/// One case's outcome in a bulk action: done (refused empty) or refused with the reason.
struct BulkOutcome {
    std::int64_t caseId = 0;
    std::optional<WorkflowError> refused;
    std::optional<std::int64_t> historyId; // a status change that was made
};

class CaseWorkflow {
public:
    /// All three must outlive this object.
    CaseWorkflow(Ledger& ledger, const CaseRules& rules, Clock clock)
        : m_ledger(ledger), m_rules(rules), m_clock(std::move(clock)) {}

    /// The case with its history and internal events; appends a case.view audit row first.
    [[nodiscard]] Result<CaseFile, WorkflowError> viewCase(const Actor& actor,
                                                           const Submission& found);
    /// Checks the change against the machine, signs the public status with the county key, and
    /// appends history (queued for the server) and audit row in one transaction. Returns the
    /// history id.
    [[nodiscard]] Result<std::int64_t, WorkflowError>
    changeStatus(const Actor& actor, std::int64_t caseId, const StatusChange& change,
                 const crypto::Ed25519SecretKey& countySigningKey);
    [[nodiscard]] Result<Ok, WorkflowError> addNote(const Actor& actor, std::int64_t caseId,
                                                    const std::string& text);
    /// Assigns an open case to `handler` (an enabled clerk or supervisor).
    [[nodiscard]] Result<Ok, WorkflowError> assign(const Actor& actor, std::int64_t caseId,
                                                   const StaffUser& handler);
    /// Moves an open case's due date later, to `newDue`, for `reason`.
    [[nodiscard]] Result<Ok, WorkflowError> extendDeadline(const Actor& actor, std::int64_t caseId,
                                                           std::chrono::sys_days newDue,
                                                           const std::string& reason);
    /// The case's internal events (notes, assignments, extensions, merges, follow-ups), oldest
    /// first (no audit row: they are not report content).
    [[nodiscard]] Result<std::vector<CaseEvent>, WorkflowError> events(std::int64_t caseId);

    /// Merges case `mergedId` into `intoId` (see the header comment): a Merge row, B's signed
    /// 办理中 status with kMergedReply, audit rows on both, in one transaction. Returns B's new
    /// history id.
    [[nodiscard]] Result<std::int64_t, WorkflowError>
    merge(const Actor& actor, std::int64_t mergedId, std::int64_t intoId, const std::string& note,
          const crypto::Ed25519SecretKey& countySigningKey);
    /// The case this one was merged into, if any.
    [[nodiscard]] Result<std::optional<std::int64_t>, WorkflowError>
    mergedInto(std::int64_t caseId);
    /// The cases merged into this one, oldest merge first.
    [[nodiscard]] Result<std::vector<std::int64_t>, WorkflowError> mergedCases(std::int64_t caseId);

    /// Records a 回访 on a closed case whose reporter left contact details.
    [[nodiscard]] Result<Ok, WorkflowError> recordFollowUp(const Actor& actor, std::int64_t caseId,
                                                           const FollowUp& followUp);

    /// Applies `action` to each case in its own transaction; one outcome per id, in order.
    /// `countySigningKey` is needed only for a StatusChange (nullptr otherwise: a programmer
    /// error when a status change is asked for without it).
    [[nodiscard]] std::vector<BulkOutcome>
    bulkApply(const Actor& actor, const std::vector<std::int64_t>& caseIds,
              const BulkAction& action, const crypto::Ed25519SecretKey* countySigningKey);

private:
    Ledger& m_ledger;
    const CaseRules& m_rules;
    Clock m_clock;
};

} // namespace minsheng::staff
