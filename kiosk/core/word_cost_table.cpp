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
    WordCostTable table;
    std::size_t distinct = 0;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        if (i == 0 || text(m_entries[i]) != text(m_entries[i - 1])) {
            ++distinct;
            bytes += m_entries[i].length;
        }
    }
    table.m_words.reserve(bytes);
    table.m_ends.reserve(distinct);
    table.m_costs.reserve(distinct);
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
        i = j;
        if (!(count > 0))
            continue;
        table.m_words += word;
        table.m_ends.push_back(static_cast<std::uint32_t>(table.m_words.size()));
        table.m_costs.push_back(cost(count));
    }
    table.m_words.shrink_to_fit();
    table.m_ends.shrink_to_fit();
    table.m_costs.shrink_to_fit();
    m_words = std::string();
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
