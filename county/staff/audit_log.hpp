// The audit log: who did what, and when, to the ledger — every change made through the staff
// library and every view of a report's content (ledger_schema.hpp invariant 13).
//
// Append-only: triggers refuse UPDATE and DELETE on audit_log. A change and its audit row are
// written in the same transaction (appendInTransaction), so there is never a change without its
// row, nor a row for a change that was rolled back. A view is logged before the content is
// returned (CaseWorkflow::viewCase); if the row cannot be written the content is not shown.
//
// Actions (the `action` column): user.add, user.disable, user.enable, user.passwd, user.login,
// user.login-failed, case.view, case.status, case.note, case.assign, case.extend, case.merge,
// case.followup, template.add, template.edit, template.disable, export.
#pragma once

#include "county/staff/ledger.hpp"
#include "crypto/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::staff {

struct AuditRecord {
    std::int64_t at = 0;
    std::optional<std::int64_t> actorId; // nullopt: nobody named (an office with no accounts)
    std::string action;
    std::optional<std::int64_t> caseId; // the envelope id of the case concerned, if any
    std::string detail;                 // what changed; never a report's content or a password
};

struct AuditEntry {
    std::int64_t id = 0;
    AuditRecord record;
    std::string actorName;  // empty when nobody was named
    std::string caseNumber; // "<kiosk>/<sequence>" when the row concerns a case
};

struct AuditFilter {
    std::optional<std::int64_t> caseId;
    std::optional<std::int64_t> actorId;
    std::optional<std::int64_t> from, to; // Unix seconds, inclusive
};

/// Appends inside a transaction the caller holds; SQLite's result code (SQLITE_DONE = written).
[[nodiscard]] int appendAuditInTransaction(sqlite3* db, const AuditRecord& record);

/// Appends one row in its own transaction (views, and changes that are nothing else).
[[nodiscard]] Result<Ok, LedgerError> appendAudit(Ledger& ledger, const AuditRecord& record);

/// The rows that match, oldest first.
[[nodiscard]] Result<std::vector<AuditEntry>, LedgerError> readAudit(Ledger& ledger,
                                                                     const AuditFilter& filter);

} // namespace minsheng::staff
