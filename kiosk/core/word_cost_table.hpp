// WordCostTable: the segmentation costs of read-aloud (pinyin_reading.hpp, rule 4), one number
// per word of a word list of some 300 000 entries, kept compact because the kiosk window holds
// it for its whole life.
//
// Layout: the words, sorted bytewise, back to back in one string; word i ends at m_ends[i] (it
// starts where word i-1 ends) and costs m_costs[i]. A look-up is a binary search. 12 bytes per
// word plus its UTF-8 (~6 MB for rime-essay), where a hash map of std::string takes 70-100.
//
// Invariants: every word is non-empty and appears once; m_ends is strictly increasing and its
// last value is m_words.size(); m_ends and m_costs have one entry per word.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::kiosk {

class WordCostTable {
public:
    /// Collects the counts of a word list, then turns them into costs.
    class Builder {
    public:
        /// Reserves room for about `words` words of `bytes` bytes in all.
        void reserve(std::size_t words, std::size_t bytes);
        /// Adds `count` to `word`'s count (a word listed twice counts both times).
        void add(std::string_view word, double count);
        /// Raises `word`'s count to at least `count`, after every add of it.
        void raiseTo(std::string_view word, double count);
        /// One entry per distinct word whose final count is above 0, costing cost(count).
        /// Empties the builder.
        WordCostTable finish(const std::function<double(double count)>& cost);

    private:
        struct Entry {                // 16 bytes: the builder holds one per line of the list
            std::uint32_t offset = 0; // into m_words
            std::uint16_t length = 0;
            bool floor = false; // from raiseTo
            double count = 0;
        };
        void append(std::string_view word, double count, bool floor);
        std::string m_words; // in the order added
        std::vector<Entry> m_entries;
    };

    /// The cost of `word`, or nothing for a word not in the table.
    std::optional<double> find(std::string_view word) const;
    std::size_t size() const { return m_costs.size(); }

private:
    std::string_view wordAt(std::size_t i) const;

    std::string m_words;
    std::vector<std::uint32_t> m_ends;
    std::vector<double> m_costs;
};

} // namespace minsheng::kiosk
