#include "county/staff/case_query.hpp"

#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <functional>
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
    const std::string t = normaliseOptionName(text);
    for (auto s : {CaseSort::ReceivedDesc, CaseSort::ReceivedAsc, CaseSort::DueAsc,
                   CaseSort::DueDesc, CaseSort::Status})
        if (t == caseSortName(s))
            return s;
    return std::nullopt;
}

std::optional<UrgencyFilter> parseUrgencyFilter(std::string_view text) {
    const std::string t = normaliseOptionName(text);
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

CaseIndex::Made CaseIndex::makeEntry(Submission s, const std::vector<CaseEvent>& events) const {
    Made e;
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
            // The parent's own account of what happened leads the excerpt.
            if (answer.fieldId == "description")
                freeText = answer.value + (freeText.empty() ? "" : "；" + freeText);
            else
                freeText += (freeText.empty() ? "" : "；") + answer.value;
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

std::uint32_t CaseIndex::intern(const std::string& name) {
    if (m_names.empty()) {
        m_names.emplace_back();
        m_nameIndex.emplace("", 0);
    }
    auto [it, added] = m_nameIndex.emplace(name, static_cast<std::uint32_t>(m_names.size()));
    if (added)
        m_names.push_back(name);
    return it->second;
}

void CaseIndex::place(Made made) {
    CaseListRow& r = made.row;
    Key k;
    k.receivedAt = r.receivedAt;
    k.handlerId = r.handlerId.value_or(-1);
    k.receivedDay = made.receivedDay;
    k.dueDay = r.dueDay;
    k.category = intern(r.category);
    k.school = intern(r.school);
    k.township = intern(r.township);
    k.kiosk = intern(r.kioskId);
    k.status = r.status;
    k.survey = r.survey;
    if (!r.survey) {
        m_categoryLabels[k.category] = r.categoryLabel;
        m_schoolLabels[k.school] = r.schoolLabel;
        m_townshipLabels[k.township] = r.townshipLabel;
    }
    const std::int64_t id = r.id;
    if (auto it = m_positions.find(id); it != m_positions.end()) {
        m_keys[it->second] = k;
        m_rows[it->second] = std::move(r);
        m_texts[it->second] = std::move(made.searchText);
        return;
    }
    // Ids only grow, so a new submission goes at the end and the vectors stay sorted by id.
    m_positions.emplace(id, m_keys.size());
    m_keys.push_back(k);
    m_rows.push_back(std::move(r));
    m_texts.push_back(std::move(made.searchText));
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
    m_keys.clear();
    m_rows.clear();
    m_texts.clear();
    m_positions.clear();
    m_categoryLabels.clear();
    m_schoolLabels.clear();
    m_townshipLabels.clear();
    m_keys.reserve(submissions->size());
    m_rows.reserve(submissions->size());
    m_texts.reserve(submissions->size());
    static const std::vector<CaseEvent> none;
    // submissions() is ordered by id, so place() appends in order.
    for (auto& s : *submissions) {
        auto it = events->find(s.id);
        place(makeEntry(std::move(s), it == events->end() ? none : it->second));
    }
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
    std::vector<std::uint32_t> ids; // interned

    bool accepts(std::uint32_t id) const {
        return !active || std::find(ids.begin(), ids.end(), id) != ids.end();
    }
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
    // A filter value stands for every id of its field equal to it or labelled with it.
    auto resolve = [&](const std::optional<std::string>& value,
                       const std::map<std::uint32_t, std::string>& labels) {
        ValueMatch m;
        if (!value)
            return m;
        m.active = true;
        for (const auto& [name, label] : labels)
            if (name != 0 && (m_names[name] == *value || label == *value))
                m.ids.push_back(name);
        return m;
    };
    const ValueMatch category = resolve(q.category, m_categoryLabels);
    const ValueMatch school = resolve(q.school, m_schoolLabels);
    const ValueMatch township = resolve(q.township, m_townshipLabels);
    std::optional<std::uint32_t> kiosk;
    if (q.kioskId) {
        auto it = m_nameIndex.find(*q.kioskId);
        kiosk = it == m_nameIndex.end() ? std::numeric_limits<std::uint32_t>::max() : it->second;
    }
    std::string needle = q.text;
    lowerAsciiInPlace(needle);
    // Built once per query: its skip table lets the scan jump by up to the needle's length,
    // where a plain find stops at every byte that starts a Chinese character.
    const std::boyer_moore_horspool_searcher searcher(needle.begin(), needle.end());
    const sys_days today = m_rules.localDay(now);
    // caseUrgency's rule with its two days computed once for the whole scan.
    const sys_days yellowLast = m_rules.lastWarningDay(today);
    auto urgencyOf = [&](const Key& k) {
        if (k.survey || isFinalStatus(k.status))
            return Urgency::None;
        return k.dueDay < today         ? Urgency::Red
               : k.dueDay <= yellowLast ? Urgency::Yellow
                                        : Urgency::None;
    };
    const bool complaintsOnly = category.active || school.active || township.active || q.dueFrom ||
                                q.dueTo || q.urgency || q.handlerId || !q.statuses.empty();

    CaseListPage page;
    std::array<std::size_t, 8> counts{};
    std::vector<std::uint32_t> matches;
    for (std::size_t i = 0; i < m_keys.size(); ++i) {
        const Key& k = m_keys[i];
        if (k.survey && (!q.includeSurveys || complaintsOnly))
            continue;
        if (!category.accepts(k.category) || !school.accepts(k.school) ||
            !township.accepts(k.township) || (kiosk && k.kiosk != *kiosk))
            continue;
        if ((q.receivedFrom && k.receivedDay < *q.receivedFrom) ||
            (q.receivedTo && k.receivedDay > *q.receivedTo) ||
            (q.dueFrom && k.dueDay < *q.dueFrom) || (q.dueTo && k.dueDay > *q.dueTo))
            continue;
        if (q.handlerId && k.handlerId != *q.handlerId)
            continue;
        if (q.urgency) {
            const Urgency u = urgencyOf(k);
            const bool ok = *q.urgency == UrgencyFilter::Yellow ? u == Urgency::Yellow
                            : *q.urgency == UrgencyFilter::Red  ? u == Urgency::Red
                                                                : u != Urgency::None;
            if (!ok)
                continue;
        }
        if (!needle.empty() &&
            std::search(m_texts[i].begin(), m_texts[i].end(), searcher) == m_texts[i].end())
            continue;
        if (!k.survey)
            ++counts[static_cast<std::size_t>(k.status) & 7];
        if (!q.statuses.empty() &&
            std::find(q.statuses.begin(), q.statuses.end(), k.status) == q.statuses.end())
            continue;
        matches.push_back(static_cast<std::uint32_t>(i));
    }
    for (std::size_t s = 0; s < counts.size(); ++s)
        if (counts[s])
            page.countsByStatus[static_cast<CaseStatus>(s)] = counts[s];
    page.total = matches.size();

    auto before = [&](std::uint32_t a, std::uint32_t b) {
        const Key &x = m_keys[a], &y = m_keys[b];
        switch (q.sort) {
        case CaseSort::ReceivedDesc:
            if (x.receivedAt != y.receivedAt)
                return x.receivedAt > y.receivedAt;
            return a > b;
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
        return a < b; // positions follow ids
    };
    const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, kMaxCaseListLimit);
    const std::size_t begin = std::min(q.offset, matches.size());
    const std::size_t end = begin + std::min(limit, matches.size() - begin);
    std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(end),
                      matches.end(), before);
    page.rows.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
        page.rows.push_back(m_rows[matches[i]]);
        page.rows.back().urgency = urgencyOf(m_keys[matches[i]]);
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
        for (const auto& row : m_rows)
            if (!row.survey && !idOf(row).empty() && ids.insert(idOf(row)).second)
                known.emplace_back(idOf(row), idOf(row));
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
