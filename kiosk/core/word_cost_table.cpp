#include "kiosk/core/word_cost_table.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace minsheng::kiosk {

void WordCostTable::Builder::append(std::string_view word, double count, bool floor) {
    if (word.empty())
        return;
    if (word.size() > std::numeric_limits<std::uint16_t>::max() ||
        m_words.size() + word.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("WordCostTable: a word over 64 kB or a list over 4 GB");
    m_entries.push_back({static_cast<std::uint32_t>(m_words.size()),
                         static_cast<std::uint16_t>(word.size()), floor, count});
    m_words += word;
}

void WordCostTable::Builder::reserve(std::size_t words, std::size_t bytes) {
    m_entries.reserve(words);
    m_words.reserve(bytes);
}

void WordCostTable::Builder::add(std::string_view word, double count) {
    append(word, count, false);
}

void WordCostTable::Builder::raiseTo(std::string_view word, double count) {
    append(word, count, true);
}

WordCostTable WordCostTable::Builder::finish(const std::function<double(double)>& cost) {
    const auto text = [this](const Entry& e) {
        return std::string_view(m_words).substr(e.offset, e.length);
    };
    // Stable: a word's counts are summed in the order they were added, as a running sum would.
    std::stable_sort(m_entries.begin(), m_entries.end(),
                     [&](const Entry& a, const Entry& b) { return text(a) < text(b); });
    // Merge each word's entries into its first, in place (the merged list is never longer
    // than what it has read), keeping the words whose count ends above 0.
    std::size_t kept = 0;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < m_entries.size();) {
        const std::string_view word = text(m_entries[i]);
        double count = 0;
        std::size_t j = i;
        for (; j < m_entries.size() && text(m_entries[j]) == word; ++j)
            if (!m_entries[j].floor)
                count += m_entries[j].count;
        for (std::size_t k = i; k < j; ++k)
            if (m_entries[k].floor)
                count = std::max(count, m_entries[k].count);
        if (count > 0) {
            m_entries[kept] = m_entries[i];
            m_entries[kept].count = count;
            ++kept;
            bytes += word.size();
        }
        i = j;
    }
    m_entries.resize(kept);
    WordCostTable table;
    table.m_words.reserve(bytes);
    for (const Entry& e : m_entries)
        table.m_words += text(e);
    m_words = std::string(); // before the two arrays are allocated: a lower peak
    table.m_ends.reserve(kept);
    table.m_costs.reserve(kept);
    std::uint32_t end = 0;
    for (const Entry& e : m_entries) {
        end += e.length;
        table.m_ends.push_back(end);
        table.m_costs.push_back(cost(e.count));
    }
    m_entries = std::vector<Entry>();
    return table;
}

std::string_view WordCostTable::wordAt(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : m_ends[i - 1];
    return std::string_view(m_words).substr(begin, m_ends[i] - begin);
}

std::optional<double> WordCostTable::find(std::string_view word) const {
    std::size_t low = 0;
    std::size_t high = m_costs.size();
    while (low < high) { // the first word not below `word`
        const std::size_t mid = low + (high - low) / 2;
        if (wordAt(mid) < word)
            low = mid + 1;
        else
            high = mid;
    }
    if (low < m_costs.size() && wordAt(low) == word)
        return m_costs[low];
    return std::nullopt;
}

} // namespace minsheng::kiosk
