#include "county/staff/case_query.hpp"

#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <set>

namespace minsheng::staff {

using namespace std::chrono;
using crypto::CaseStatus;
using sync::sqlite::Transaction;

std::string_view caseSortName(CaseSort sort) {
    switch (sort) {
    case CaseSort::ReceivedDesc:
        return "received_desc";
    case CaseSort::ReceivedAsc:
        return "received_asc";
    case CaseSort::DueAsc:
        return "due_asc";
    case CaseSort::DueDesc:
        return "due_desc";
    case CaseSort::Status:
        return "status";
    }
    return "received_desc";
}

namespace {

std::string normalisedName(std::string_view text) {
    std::string t(text);
    for (char& c : t)
        if (c == '-' || c == ' ')
            c = '_';
        else if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return t;
}

/// ASCII letters lower-cased; every other byte (UTF-8 of Chinese included) as it is.
void lowerAsciiInPlace(std::string& text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
}

bool isContinuationByte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

std::optional<CaseSort> parseCaseSort(std::string_view text) {
    const std::string t = normalisedName(text);
    for (auto s : {CaseSort::ReceivedDesc, CaseSort::ReceivedAsc, CaseSort::DueAsc,
                   CaseSort::DueDesc, CaseSort::Status})
        if (t == caseSortName(s))
            return s;
    return std::nullopt;
}

std::optional<UrgencyFilter> parseUrgencyFilter(std::string_view text) {
    const std::string t = normalisedName(text);
    if (t == "yellow")
        return UrgencyFilter::Yellow;
    if (t == "red")
        return UrgencyFilter::Red;
    if (t == "yellow_or_red")
        return UrgencyFilter::YellowOrRed;
    return std::nullopt;
}

std::string utf8Excerpt(std::string_view text, std::size_t maxCodePoints) {
    std::size_t points = 0, i = 0;
    while (i < text.size()) {
        if (points == maxCodePoints)
            return std::string(text.substr(0, i)) + "…";
        ++i;
        while (i < text.size() && isContinuationByte(text[i]))
            ++i;
        ++points;
    }
    return std::string(text);
}

CaseIndex::Entry CaseIndex::makeEntry(Submission s, const std::vector<CaseEvent>& events) const {
    Entry e;
    CaseListRow& r = e.row;
    r.id = s.id;
    r.caseNumber = s.caseNumber();
    r.survey = !s.isComplaint();
    r.status = s.status;
    r.kioskId = s.kioskId;
    r.receivedAt = s.isComplaint() ? s.receivedAt : s.recordedAt;
    e.receivedDay = m_rules.localDay(r.receivedAt);
    std::string freeText;
    std::string& search = e.searchText;
    for (const auto& answer : m_forms.render(s, false)) {
        search += answer.value;
        search += '\n';
        const auto* form = m_forms.form(s.formId);
        const auto* field = form ? form->find(answer.fieldId) : nullptr;
        if (field && field->type == forms::FieldType::Text && !answer.value.empty()) {
            if (!freeText.empty())
                freeText += "；";
            freeText += answer.value;
        }
    }
    search += r.caseNumber;
    if (s.isComplaint()) {
        r.category = s.category;
        r.school = s.school;
        r.township = s.township;
        r.categoryLabel = m_forms.categoryLabel(s.category);
        r.schoolLabel = m_forms.itemLabel("schools", s.school);
        r.townshipLabel = m_forms.itemLabel("townships", s.township);
        // In force: the newest extension, whenever it was made.
        r.dueDay = effectiveDueDate(s.receivedAt, s.category, events, m_rules,
                                    std::numeric_limits<std::int64_t>::max());
        for (const auto& ev : events)
            if (ev.kind == CaseEvent::Kind::Assign) {
                r.handlerId = ev.handlerId;
                r.handlerName = ev.handlerName;
            }
        search += '\n';
        search += s.reply;
    }
    r.excerpt = freeText.empty() ? (s.isComplaint() ? r.categoryLabel : std::string())
                                 : utf8Excerpt(freeText, kCaseExcerptCodePoints);
    lowerAsciiInPlace(search);
    return e;
}

void CaseIndex::place(Entry entry) {
    const std::int64_t id = entry.row.id;
    if (auto it = m_positions.find(id); it != m_positions.end()) {
        m_entries[it->second] = std::move(entry);
        return;
    }
    // Ids only grow, so a new submission goes at the end and the vector stays sorted by id.
    m_positions.emplace(id, m_entries.size());
    m_entries.push_back(std::move(entry));
}

Result<Ok, LedgerError> CaseIndex::refresh() {
    Transaction snapshot(m_ledger.connection()); // submissions and events from one state
    if (int rc = snapshot.begin(Transaction::Lock::Deferred); rc != SQLITE_OK)
        return fail(m_ledger.sqlError(rc, "reading"));
    auto submissions = m_ledger.submissions();
    if (!submissions)
        return fail(submissions.error());
    auto events = readCaseEvents(m_ledger);
    if (!events)
        return fail(events.error());
    std::vector<Entry> entries;
    entries.reserve(submissions->size());
    static const std::vector<CaseEvent> none;
    for (auto& s : *submissions) {
        auto it = events->find(s.id);
        entries.push_back(makeEntry(std::move(s), it == events->end() ? none : it->second));
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.row.id < b.row.id; });
    m_entries = std::move(entries);
    m_positions.clear();
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        m_positions.emplace(m_entries[i].row.id, i);
    return Ok{};
}

Result<Ok, LedgerError> CaseIndex::updateCase(std::int64_t id) {
    Transaction snapshot(m_ledger.connection());
    if (int rc = snapshot.begin(Transaction::Lock::Deferred); rc != SQLITE_OK)
        return fail(m_ledger.sqlError(rc, "reading"));
    auto s = m_ledger.submission(id);
    if (!s)
        return fail(s.error());
    auto events = readCaseEvents(m_ledger, id);
    if (!events)
        return fail(events.error());
    auto it = events->find(id);
    place(makeEntry(std::move(*s), it == events->end() ? std::vector<CaseEvent>{} : it->second));
    return Ok{};
}

namespace {

/// The ids a category/school/township/kiosk filter stands for: every known id equal to the value
/// or whose label is the value.
struct ValueMatch {
    bool active = false;
    std::set<std::string, std::less<>> ids;

    bool accepts(const std::string& id) const { return !active || ids.count(id); }
};

int statusRank(CaseStatus s) {
    // Open cases first, in the order they are worked, then the finished ones.
    switch (s) {
    case CaseStatus::Received:
        return 0;
    case CaseStatus::Accepted:
        return 1;
    case CaseStatus::InProgress:
        return 2;
    case CaseStatus::Transferred:
        return 3;
    case CaseStatus::NotAccepted:
        return 4;
    case CaseStatus::Closed:
        return 5;
    }
    return 6;
}

} // namespace

CaseListPage CaseIndex::query(const CaseQuery& q, std::int64_t now) const {
    auto resolve = [&](const std::optional<std::string>& value, auto idOf, auto labelOf) {
        ValueMatch m;
        if (!value)
            return m;
        m.active = true;
        for (const auto& e : m_entries) {
            const std::string& id = idOf(e.row);
            if (!id.empty() && (id == *value || labelOf(e.row) == *value))
                m.ids.insert(id);
        }
        return m;
    };
    const ValueMatch category = resolve(
        q.category, [](const CaseListRow& r) -> const std::string& { return r.category; },
        [](const CaseListRow& r) -> const std::string& { return r.categoryLabel; });
    const ValueMatch school = resolve(
        q.school, [](const CaseListRow& r) -> const std::string& { return r.school; },
        [](const CaseListRow& r) -> const std::string& { return r.schoolLabel; });
    const ValueMatch township = resolve(
        q.township, [](const CaseListRow& r) -> const std::string& { return r.township; },
        [](const CaseListRow& r) -> const std::string& { return r.townshipLabel; });
    std::string needle = q.text;
    lowerAsciiInPlace(needle);
    const sys_days today = m_rules.localDay(now);
    // caseUrgency's rule with its two days computed once for the whole scan.
    const sys_days yellowLast = m_rules.lastWarningDay(today);
    auto urgencyOf = [&](const CaseListRow& r) {
        if (r.survey || isFinalStatus(r.status))
            return Urgency::None;
        return r.dueDay < today         ? Urgency::Red
               : r.dueDay <= yellowLast ? Urgency::Yellow
                                        : Urgency::None;
    };
    const bool complaintsOnly = category.active || school.active || township.active || q.dueFrom ||
                                q.dueTo || q.urgency || q.handlerId || !q.statuses.empty();

    CaseListPage page;
    std::vector<const Entry*> matches;
    for (const auto& e : m_entries) {
        const CaseListRow& r = e.row;
        if (r.survey && (!q.includeSurveys || complaintsOnly))
            continue;
        if (!category.accepts(r.category) || !school.accepts(r.school) ||
            !township.accepts(r.township) || (q.kioskId && r.kioskId != *q.kioskId))
            continue;
        if ((q.receivedFrom && e.receivedDay < *q.receivedFrom) ||
            (q.receivedTo && e.receivedDay > *q.receivedTo) ||
            (q.dueFrom && r.dueDay < *q.dueFrom) || (q.dueTo && r.dueDay > *q.dueTo))
            continue;
        if (q.handlerId && r.handlerId != q.handlerId)
            continue;
        if (q.urgency) {
            const Urgency u = urgencyOf(r);
            const bool ok = *q.urgency == UrgencyFilter::Yellow ? u == Urgency::Yellow
                            : *q.urgency == UrgencyFilter::Red  ? u == Urgency::Red
                                                                : u != Urgency::None;
            if (!ok)
                continue;
        }
        if (!needle.empty() && e.searchText.find(needle) == std::string::npos)
            continue;
        if (!r.survey)
            ++page.countsByStatus[r.status];
        if (!q.statuses.empty() &&
            std::find(q.statuses.begin(), q.statuses.end(), r.status) == q.statuses.end())
            continue;
        matches.push_back(&e);
    }
    page.total = matches.size();

    auto before = [&q](const Entry* a, const Entry* b) {
        const CaseListRow &x = a->row, &y = b->row;
        switch (q.sort) {
        case CaseSort::ReceivedDesc:
            if (x.receivedAt != y.receivedAt)
                return x.receivedAt > y.receivedAt;
            return x.id > y.id;
        case CaseSort::ReceivedAsc:
            break;
        case CaseSort::DueAsc:
            if (x.dueDay != y.dueDay)
                return x.dueDay < y.dueDay;
            break;
        case CaseSort::DueDesc:
            if (x.dueDay != y.dueDay)
                return x.dueDay > y.dueDay;
            break;
        case CaseSort::Status:
            if (statusRank(x.status) != statusRank(y.status))
                return statusRank(x.status) < statusRank(y.status);
            break;
        }
        if (x.receivedAt != y.receivedAt)
            return x.receivedAt < y.receivedAt;
        return x.id < y.id;
    };
    const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, kMaxCaseListLimit);
    const std::size_t begin = std::min(q.offset, matches.size());
    const std::size_t end = begin + std::min(limit, matches.size() - begin);
    std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(end),
                      matches.end(), before);
    page.rows.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
        page.rows.push_back(matches[i]->row);
        page.rows.back().urgency = urgencyOf(page.rows.back());
    }
    return page;
}

std::vector<std::string> CaseIndex::describeUnknownFilters(const CaseQuery& q) const {
    std::vector<std::string> out;
    // (id, label) pairs the forms list, plus the ids the ledger holds.
    auto check = [&](const std::optional<std::string>& value, const char* zh, const char* en,
                     std::vector<std::pair<std::string, std::string>> known, auto idOf) {
        if (!value)
            return;
        std::set<std::string, std::less<>> ids;
        for (const auto& item : known)
            ids.insert(item.first);
        for (const auto& e : m_entries)
            if (!e.row.survey && !idOf(e.row).empty() && ids.insert(idOf(e.row)).second)
                known.emplace_back(idOf(e.row), idOf(e.row));
        std::string list;
        std::set<std::string> seen;
        for (const auto& [id, label] : known) {
            if (id == *value || label == *value)
                return;
            const std::string shown = label == id ? id : label + " (" + id + ")";
            if (seen.insert(shown).second && seen.size() <= 20)
                list += (list.empty() ? "" : ", ") + shown;
        }
        if (seen.size() > 20)
            list += ", …";
        out.push_back(std::string(zh) + "「" + *value + "」不在登记的" + zh + "中 — " + en + " " +
                      *value + " is not a known " + en +
                      " (known: " + (list.empty() ? std::string("none") : list) + ")");
    };
    check(
        q.category, "类别", "category", m_forms.categories(),
        [](const CaseListRow& r) -> const std::string& { return r.category; });
    check(
        q.school, "学校", "school", m_forms.listItems("schools"),
        [](const CaseListRow& r) -> const std::string& { return r.school; });
    check(
        q.township, "乡镇", "township", m_forms.listItems("townships"),
        [](const CaseListRow& r) -> const std::string& { return r.township; });
    check(q.kioskId, "机器", "kiosk", {},
          [](const CaseListRow& r) -> const std::string& { return r.kioskId; });
    return out;
}

} // namespace minsheng::staff
