#include "county/staff/reply_templates.hpp"

#include "county/staff/audit_log.hpp"
#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <array>
#include <utility>

namespace minsheng::staff {

using sync::sqlite::Stmt;
using sync::sqlite::Transaction;
using Code = WorkflowError::Code;

TemplateValues templateValues(const CaseFile& file, const std::string& categoryLabel,
                              const CaseRules& rules) {
    return {file.submission.caseNumber(), categoryLabel,
            CaseRules::formatDay(rules.localDay(file.submission.receivedAt)),
            CaseRules::formatDay(file.dueDate)};
}

std::string fillTemplate(std::string_view body, const TemplateValues& v) {
    const std::array<std::pair<std::string_view, const std::string*>, 4> fields{
        {{"{case}", &v.caseNumber},
         {"{category}", &v.category},
         {"{received}", &v.received},
         {"{due}", &v.due}}};
    std::string out;
    std::size_t i = 0;
    while (i < body.size()) {
        bool replaced = false;
        if (body[i] == '{')
            for (const auto& [name, value] : fields)
                if (body.substr(i, name.size()) == name) {
                    out += *value;
                    i += name.size();
                    replaced = true;
                    break;
                }
        if (!replaced)
            out.push_back(body[i++]);
    }
    return out;
}

namespace {

std::size_t utf8Chars(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

std::optional<WorkflowError> checkDraft(const TemplateDraft& d) {
    if (d.title.empty() || d.body.empty())
        return WorkflowError{Code::MissingField,
                             "模板需要标题和正文 A template needs a title (--title) and a body "
                             "(--body)."};
    if (utf8Chars(d.title) > kMaxTemplateTitleChars)
        return WorkflowError{Code::Invalid, "标题过长 A title may have at most " +
                                                std::to_string(kMaxTemplateTitleChars) +
                                                " characters."};
    if (d.body.size() > crypto::kMaxReplyBytes)
        return WorkflowError{Code::Invalid,
                             "正文过长 A template's body is a public reply: at most " +
                                 std::to_string(crypto::kMaxReplyBytes) + " bytes."};
    if (d.category && (d.category->empty() || d.category->size() > 64))
        return WorkflowError{Code::Invalid,
                             "类别无效 A category is a category id of at most 64 bytes."};
    return std::nullopt;
}

ReplyTemplate readRow(const Stmt& s) {
    ReplyTemplate t;
    t.id = s.i64(0);
    t.title = s.text(1);
    t.category = s.optText(2);
    t.body = s.text(3);
    if (!s.isNull(4))
        t.createdBy = s.i64(4);
    t.createdByName = s.text(5);
    t.updatedAt = s.i64(6);
    t.disabled = s.i64(7) != 0;
    return t;
}

constexpr const char* kSelect =
    "SELECT t.id, t.title, t.category, t.body, t.created_by, coalesce(u.name, ''), t.updated_at, "
    "t.disabled FROM reply_templates t LEFT JOIN staff_users u ON u.id = t.created_by ";

} // namespace

Result<std::vector<ReplyTemplate>, WorkflowError>
ReplyTemplates::list(const Actor& actor, const std::optional<std::string>& category,
                     bool includeDisabled) {
    if (!mayPerform(actor, CaseAction::View))
        return fail(forbiddenError(actor, "read reply templates"));
    const std::string sql = std::string(kSelect) +
                            "WHERE (?1 OR t.disabled = 0) AND (?2 IS NULL OR t.category IS NULL "
                            "OR t.category = ?2) ORDER BY t.id";
    Stmt s(m_ledger.connection(), sql.c_str());
    if (s.prepareRc() != SQLITE_OK)
        return fail(workflowStorageError(m_ledger.sqlError(s.prepareRc(), "reading")));
    s.bind(1, std::int64_t{includeDisabled ? 1 : 0}).bindOptText(2, category);
    std::vector<ReplyTemplate> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(readRow(s));
    if (rc != SQLITE_DONE)
        return fail(workflowStorageError(m_ledger.sqlError(rc, "reading")));
    return out;
}

Result<ReplyTemplate, WorkflowError> ReplyTemplates::find(const Actor& actor, std::int64_t id) {
    if (!mayPerform(actor, CaseAction::View))
        return fail(forbiddenError(actor, "read reply templates"));
    const std::string sql = std::string(kSelect) + "WHERE t.id = ?1";
    Stmt s(m_ledger.connection(), sql.c_str());
    s.bind(1, id);
    int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
    if (rc == SQLITE_DONE)
        return fail(WorkflowError{Code::NotFound, "没有此模板 No reply template with id " +
                                                      std::to_string(id) +
                                                      "; see `minsheng-county template list`."});
    if (rc != SQLITE_ROW)
        return fail(workflowStorageError(m_ledger.sqlError(rc, "reading")));
    return readRow(s);
}

namespace {

/// Runs `write` (which returns the SQLite code of its statement) and the audit row in one
/// transaction.
template <class Write>
Result<Ok, WorkflowError> writeWithAudit(Ledger& ledger, const AuditRecord& audit, Write write) {
    Transaction txn(ledger.connection());
    if (int rc = txn.begin(); rc != SQLITE_OK)
        return fail(workflowStorageError(ledger.sqlError(rc, "recording into")));
    if (int rc = write(); rc != SQLITE_DONE)
        return fail(workflowStorageError(ledger.sqlError(rc, "recording into")));
    if (int rc = appendAuditInTransaction(ledger.connection(), audit); rc != SQLITE_DONE)
        return fail(workflowStorageError(ledger.sqlError(rc, "recording into")));
    if (int rc = txn.commit(); rc != SQLITE_OK)
        return fail(workflowStorageError(ledger.sqlError(rc, "recording into")));
    return Ok{};
}

} // namespace

Result<std::int64_t, WorkflowError> ReplyTemplates::add(const Actor& actor,
                                                        const TemplateDraft& draft) {
    if (!mayPerform(actor, CaseAction::EditTemplates))
        return fail(forbiddenError(actor, "add reply templates"));
    if (auto refused = checkDraft(draft))
        return fail(*refused);
    const std::int64_t now = m_clock();
    std::int64_t id = 0;
    auto done = writeWithAudit(
        m_ledger, {now, actor.id(), "template.add", std::nullopt, "title=" + draft.title}, [&] {
            Stmt s(m_ledger.connection(),
                   "INSERT INTO reply_templates (title, category, body, created_by, updated_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
            s.bindText(1, draft.title).bindOptText(2, draft.category).bindText(3, draft.body);
            if (actor.id())
                s.bind(4, *actor.id());
            else
                s.bindNull(4);
            s.bind(5, now);
            int rc = s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
            id = sqlite3_last_insert_rowid(m_ledger.connection());
            return rc;
        });
    if (!done)
        return fail(done.error());
    return id;
}

Result<Ok, WorkflowError> ReplyTemplates::update(const Actor& actor, std::int64_t id,
                                                 const TemplateDraft& draft) {
    if (!mayPerform(actor, CaseAction::EditTemplates))
        return fail(forbiddenError(actor, "edit reply templates"));
    if (auto refused = checkDraft(draft))
        return fail(*refused);
    if (auto found = find(actor, id); !found)
        return fail(found.error());
    const std::int64_t now = m_clock();
    return writeWithAudit(m_ledger,
                          {now, actor.id(), "template.edit", std::nullopt,
                           "id=" + std::to_string(id) + " title=" + draft.title},
                          [&] {
                              Stmt s(m_ledger.connection(),
                                     "UPDATE reply_templates SET title = ?2, category = ?3, "
                                     "body = ?4, updated_at = ?5 WHERE id = ?1");
                              s.bind(1, id)
                                  .bindText(2, draft.title)
                                  .bindOptText(3, draft.category)
                                  .bindText(4, draft.body)
                                  .bind(5, now);
                              return s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
                          });
}

Result<Ok, WorkflowError> ReplyTemplates::disable(const Actor& actor, std::int64_t id) {
    if (!mayPerform(actor, CaseAction::EditTemplates))
        return fail(forbiddenError(actor, "disable reply templates"));
    if (auto found = find(actor, id); !found)
        return fail(found.error());
    const std::int64_t now = m_clock();
    return writeWithAudit(
        m_ledger, {now, actor.id(), "template.disable", std::nullopt, "id=" + std::to_string(id)},
        [&] {
            Stmt s(m_ledger.connection(),
                   "UPDATE reply_templates SET disabled = 1, updated_at = ?2 WHERE id = ?1");
            s.bind(1, id).bind(2, now);
            return s.prepareRc() == SQLITE_OK ? s.step() : s.prepareRc();
        });
}

} // namespace minsheng::staff
