// The case list: filters, free-text search, sort and paging over every case of the ledger, for
// the office console's case list (GET /api/cases) and `minsheng-county cases`.
//
// A CaseIndex reads the ledger once, in one snapshot — every submission with its decrypted
// answers, every internal event, the handlers' names — and answers queries from memory, so a
// list request never re-reads the ledger. After a change the caller tells it: updateCase(id)
// for one case (a status change, a note, an assignment, an extension), refresh() for everything
// (after a pull). The index holds report content in ordinary memory for as long as it lives,
// like the console process that shows it; it writes nothing.
//
// What a query matches:
//   statuses      any of them (empty: any status)
//   category, school, township
//                 the id as recorded, or its Chinese label in the county's forms
//   kioskId       the kiosk id
//   received*     the office-local day of the received time, inclusive
//   due*          the due date in force (the newest extension, else the rule's date), inclusive
//   urgency       yellow, red, or either (caseUrgency, case_rules.hpp), at the query's `now`
//   handlerId     the handler of the newest assignment
//   text          a substring of the searchable text: every answer as rendered in words
//                 (identity fields left out), the case number and the reply. Latin letters
//                 match without regard to case (ASCII); Chinese matches as a plain substring.
//   surveys       only with includeSurveys (they have no status, due date or handler, so a
//                 status, category, school, township, due, urgency or handler filter leaves
//                 them out)
//
// Counts per status are over every filter except the status filter, so a page can show how many
// cases each status tab holds.
#pragma once

#include "county/staff/case_rules.hpp"
#include "county/staff/case_workflow.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/ledger.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace minsheng::staff {

inline constexpr std::size_t kDefaultCaseListLimit = 50;
inline constexpr std::size_t kMaxCaseListLimit = 200;
/// Code points of a row's excerpt before it is cut with "…".
inline constexpr std::size_t kCaseExcerptCodePoints = 60;

enum class UrgencyFilter { Yellow, Red, YellowOrRed };
enum class CaseSort { ReceivedDesc, ReceivedAsc, DueAsc, DueDesc, Status };
/// "received_desc", "received_asc", "due_asc", "due_desc", "status".
std::string_view caseSortName(CaseSort sort);
std::optional<CaseSort> parseCaseSort(std::string_view text);
/// "yellow", "red", "yellow_or_red" (also "yellow-or-red").
std::optional<UrgencyFilter> parseUrgencyFilter(std::string_view text);

struct CaseQuery {
    std::vector<crypto::CaseStatus> statuses; // empty: any
    std::optional<std::string> category, school, township, kioskId;
    std::optional<std::chrono::sys_days> receivedFrom, receivedTo;
    std::optional<std::chrono::sys_days> dueFrom, dueTo;
    std::optional<UrgencyFilter> urgency;
    std::optional<std::int64_t> handlerId;
    std::string text;
    bool includeSurveys = false;
    CaseSort sort = CaseSort::ReceivedDesc;
    std::size_t offset = 0;
    std::size_t limit = kDefaultCaseListLimit; // clamped to 1..kMaxCaseListLimit
};

struct CaseListRow {
    std::int64_t id = 0;
    std::string caseNumber;
    bool survey = false;
    crypto::CaseStatus status = crypto::CaseStatus::Received;
    std::string category, school, township, kioskId;       // ids as recorded
    std::string categoryLabel, schoolLabel, townshipLabel; // the forms' Chinese labels
    std::int64_t receivedAt = 0;
    std::chrono::sys_days dueDay{}; // in force; complaints only
    Urgency urgency = Urgency::None;
    std::optional<std::int64_t> handlerId; // newest assignment
    std::string handlerName;
    std::string excerpt; // the free-text answers, at most kCaseExcerptCodePoints, else the category
};

struct CaseListPage {
    std::vector<CaseListRow> rows;
    std::size_t total = 0; // matches before paging
    std::map<crypto::CaseStatus, std::size_t> countsByStatus;
};

/// The first `maxCodePoints` code points of UTF-8 `text` (never cutting a character), with "…"
/// appended when something was cut.
std::string utf8Excerpt(std::string_view text, std::size_t maxCodePoints);

class CaseIndex {
public:
    /// All three must outlive the index. Empty until refresh().
    CaseIndex(Ledger& ledger, const CaseRules& rules, const FormCatalog& forms)
        : m_ledger(ledger), m_rules(rules), m_forms(forms) {}

    /// (Re)loads every case from the ledger in one snapshot.
    [[nodiscard]] Result<Ok, LedgerError> refresh();
    /// Re-reads one submission and its events (after a change to it, or when it is new).
    [[nodiscard]] Result<Ok, LedgerError> updateCase(std::int64_t id);

    std::size_t size() const { return m_keys.size(); }

    /// The page of `query` at `now` (for urgency).
    CaseListPage query(const CaseQuery& query, std::int64_t now) const;

    /// For each category, school, township or kiosk filter whose value is neither an id nor a
    /// label that the forms or the ledger know, one sentence saying so, naming the known values
    /// (Chinese first, then English). Empty when every filter value is known: a query that
    /// matches nothing then simply has no such cases.
    std::vector<std::string> describeUnknownFilters(const CaseQuery& query) const;

private:
    // What a query scans, kept small and contiguous: 100,000 cases fit in a few MiB, so a scan
    // stays in cache; the rows and the texts are touched only for a page or a text filter.
    struct Key {
        std::int64_t receivedAt = 0;
        std::int64_t handlerId = -1; // -1: none
        std::chrono::sys_days receivedDay{}, dueDay{};
        std::uint32_t category = 0, school = 0, township = 0, kiosk = 0; // m_names indices
        crypto::CaseStatus status = crypto::CaseStatus::Received;
        bool survey = false;
    };
    struct Made {
        CaseListRow row;
        std::chrono::sys_days receivedDay{};
        std::string searchText; // lower-cased (ASCII)
    };
    Made makeEntry(Submission s, const std::vector<CaseEvent>& events) const;
    void place(Made made);
    std::uint32_t intern(const std::string& name);

    Ledger& m_ledger;
    const CaseRules& m_rules;
    const FormCatalog& m_forms;
    std::vector<Key> m_keys; // by id, like m_rows and m_texts
    std::vector<CaseListRow> m_rows;
    std::vector<std::string> m_texts;
    std::unordered_map<std::int64_t, std::size_t> m_positions;
    std::vector<std::string> m_names; // interned ids; index 0 is ""
    std::unordered_map<std::string, std::uint32_t> m_nameIndex;
    // Per field, the label of every id it holds: what a filter value is resolved against.
    std::map<std::uint32_t, std::string> m_categoryLabels, m_schoolLabels, m_townshipLabels;
};

} // namespace minsheng::staff
