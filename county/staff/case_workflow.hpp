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
//   clerk       view, change status (not reopen), note
//   supervisor  everything: also assign, extend deadlines, reopen
//   auditor     view only (and read the audit log)
// A disabled account may do nothing.
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

enum class CaseAction { View, ChangeStatus, Reopen, Note, Assign, Extend, ReadAudit };
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

struct CaseEvent {
    enum class Kind { Note, Assign, Extend };
    std::int64_t id = 0;
    Kind kind = Kind::Note;
    std::optional<std::int64_t> actorId;
    std::string actorName; // empty: unattributed
    std::int64_t at = 0;
    std::string text; // the note, or the extension's reason
    std::optional<std::int64_t> handlerId;
    std::string handlerName;
    std::optional<std::chrono::sys_days> dueDay; // extension: the new due date
};
std::string_view caseEventKindName(CaseEvent::Kind kind); // "note" | "assign" | "extend"

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
    /// The case's internal events, oldest first (no audit row: they are not report content).
    [[nodiscard]] Result<std::vector<CaseEvent>, WorkflowError> events(std::int64_t caseId);

private:
    Ledger& m_ledger;
    const CaseRules& m_rules;
    Clock m_clock;
};

} // namespace minsheng::staff
