// The county's forms (DIR/forms: complaint.toml, survey.toml, lists.toml), used to show staff
// what a parent answered in words rather than ids, and to label tallies by category, school and
// township. Forms are the county's current ones; an answer id they no longer know is shown as
// the id itself, never dropped.
#pragma once

#include "county/staff/ledger.hpp"
#include "sync/forms/form.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::staff {

/// Field ids that identify a real-name reporter. Never shown or exported for anonymous reports.
bool isIdentityField(std::string_view fieldId);

struct RenderedAnswer {
    std::string fieldId;
    std::string label; // the question, Chinese (the form's zh-CN label), or the id if unknown
    std::string value; // the answer in words
};

class FormCatalog {
public:
    /// Loads what is there; problems (a missing or broken form) are kept in warnings() rather
    /// than failing, so staff can always work with ids.
    static FormCatalog load(const std::filesystem::path& formsDir);

    const std::vector<std::string>& warnings() const { return m_warnings; }
    const forms::Form* form(std::string_view formId) const;

    /// The label of an item of a named list ("schools", "townships", ...), or the id.
    std::string itemLabel(std::string_view list, const std::string& id) const;
    /// The complaint form's label for a category id, or the id.
    std::string categoryLabel(const std::string& id) const;
    /// The answer to one field of a form, in words.
    std::string valueText(std::string_view formId, std::string_view fieldId,
                          const nlohmann::json& value) const;
    /// (id, Chinese label) of every item of a named list, in list order; empty when unknown.
    std::vector<std::pair<std::string, std::string>> listItems(std::string_view list) const;
    /// (id, Chinese label) of every category of the complaint form, in form order.
    std::vector<std::pair<std::string, std::string>> categories() const;
    /// The field's question, or the id.
    std::string fieldLabel(std::string_view formId, std::string_view fieldId) const;

    /// Every answer in form order (unknown fields last). Identity fields are left out unless
    /// `includeIdentity` (and they are never in an anonymous report's answers to begin with).
    std::vector<RenderedAnswer> render(const Submission& s, bool includeIdentity) const;

private:
    forms::ListSet m_lists;
    std::map<std::string, forms::Form, std::less<>> m_forms;
    std::vector<std::string> m_warnings;
};

} // namespace minsheng::staff
