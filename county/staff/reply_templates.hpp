// Reply templates (答复模板) the office keeps in the ledger (reply_templates, ledger_schema.hpp
// invariant 17): short public replies staff start from — 受理告知, 办理中告知, 转办告知, 办结答复,
// 不予受理说明 ship as defaults with schema step 3. Anyone who may view cases may list them;
// adding, editing and disabling is a supervisor's, and each appends an audit row
// (template.add, template.edit, template.disable) in the same transaction. A template is disabled,
// never deleted, so a reply once made from it can always be traced in the audit log.
//
// Placeholders, filled from a case by fillTemplate(): {case} the case number, {category} the
// category's label, {received} the day the county received it, {due} the due date in force
// (YYYY-MM-DD). Anything else in braces is left as written. The filled text is a draft: staff
// edit it, and it is checked like any reply (reply_check.hpp) before it is sent.
#pragma once

#include "county/staff/case_workflow.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::staff {

struct ReplyTemplate {
    std::int64_t id = 0;
    std::string title;
    std::optional<std::string> category; // nullopt: for every category
    std::string body;
    std::optional<std::int64_t> createdBy; // nullopt: a default, or an office without accounts
    std::string createdByName;
    std::int64_t updatedAt = 0;
    bool disabled = false;
};

/// What staff write: a new template, or the new text of one.
struct TemplateDraft {
    std::string title;
    std::optional<std::string> category;
    std::string body;
};

inline constexpr std::size_t kMaxTemplateTitleChars = 100;

/// The values a case gives the placeholders.
struct TemplateValues {
    std::string caseNumber, category, received, due;
};
/// The values for `file`: `categoryLabel` is the category as staff and parents read it
/// (FormCatalog::categoryLabel), dates are local days by `rules`.
TemplateValues templateValues(const CaseFile& file, const std::string& categoryLabel,
                              const CaseRules& rules);
/// `body` with {case} {category} {received} {due} replaced. Pure.
std::string fillTemplate(std::string_view body, const TemplateValues& values);

class ReplyTemplates {
public:
    /// The ledger must outlive this object.
    ReplyTemplates(Ledger& ledger, Clock clock) : m_ledger(ledger), m_clock(std::move(clock)) {}

    /// Enabled templates (and disabled ones too when asked), by id. With a category: those for
    /// it and those for every category.
    [[nodiscard]] Result<std::vector<ReplyTemplate>, WorkflowError>
    list(const Actor& actor, const std::optional<std::string>& category = std::nullopt,
         bool includeDisabled = false);
    [[nodiscard]] Result<ReplyTemplate, WorkflowError> find(const Actor& actor, std::int64_t id);
    /// Returns the new template's id.
    [[nodiscard]] Result<std::int64_t, WorkflowError> add(const Actor& actor,
                                                          const TemplateDraft& draft);
    [[nodiscard]] Result<Ok, WorkflowError> update(const Actor& actor, std::int64_t id,
                                                   const TemplateDraft& draft);
    [[nodiscard]] Result<Ok, WorkflowError> disable(const Actor& actor, std::int64_t id);

private:
    Ledger& m_ledger;
    Clock m_clock;
};

} // namespace minsheng::staff
