#include "county/staff/audit_log.hpp"

#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

namespace minsheng::staff {

using sync::sqlite::Stmt;
using sync::sqlite::Transaction;

int appendAuditInTransaction(sqlite3* db, const AuditRecord& r) {
    Stmt s(db, "INSERT INTO audit_log (at, actor_id, action, envelope_id, detail) "
               "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (s.prepareRc() != SQLITE_OK)
        return s.prepareRc();
    s.bind(1, r.at);
    if (r.actorId)
        s.bind(2, *r.actorId);
    else
        s.bindNull(2);
    s.bindText(3, r.action);
    if (r.caseId)
        s.bind(4, *r.caseId);
    else
        s.bindNull(4);
    s.bindText(5, r.detail);
    return s.step();
}

Result<Ok, LedgerError> appendAudit(Ledger& ledger, const AuditRecord& record) {
    Transaction txn(ledger.connection());
    if (int rc = txn.begin(); rc != SQLITE_OK)
        return fail(ledger.sqlError(rc, "recording into"));
    if (int rc = appendAuditInTransaction(ledger.connection(), record); rc != SQLITE_DONE)
        return fail(ledger.sqlError(rc, "recording into"));
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(ledger.sqlError(rc, "recording into"));
    return Ok{};
}

Result<std::vector<AuditEntry>, LedgerError> readAudit(Ledger& ledger, const AuditFilter& f) {
    Stmt s(ledger.connection(),
           "SELECT a.id, a.at, a.actor_id, a.action, a.envelope_id, a.detail, "
           "coalesce(u.name, ''), coalesce(e.kiosk_id || '/' || e.sequence, '') "
           "FROM audit_log a LEFT JOIN staff_users u ON u.id = a.actor_id "
           "LEFT JOIN envelopes e ON e.id = a.envelope_id "
           "WHERE (?1 IS NULL OR a.envelope_id = ?1) AND (?2 IS NULL OR a.actor_id = ?2) "
           "AND (?3 IS NULL OR a.at >= ?3) AND (?4 IS NULL OR a.at <= ?4) ORDER BY a.id");
    if (s.prepareRc() != SQLITE_OK)
        return fail(ledger.sqlError(s.prepareRc(), "reading"));
    auto bindOpt = [&](int i, const std::optional<std::int64_t>& v) {
        if (v)
            s.bind(i, *v);
        else
            s.bindNull(i);
    };
    bindOpt(1, f.caseId);
    bindOpt(2, f.actorId);
    bindOpt(3, f.from);
    bindOpt(4, f.to);
    std::vector<AuditEntry> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        AuditEntry e;
        e.id = s.i64(0);
        e.record.at = s.i64(1);
        if (!s.isNull(2))
            e.record.actorId = s.i64(2);
        e.record.action = s.text(3);
        if (!s.isNull(4))
            e.record.caseId = s.i64(4);
        e.record.detail = s.text(5);
        e.actorName = s.text(6);
        e.caseNumber = s.text(7);
        out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE)
        return fail(ledger.sqlError(rc, "reading"));
    return out;
}

} // namespace minsheng::staff
