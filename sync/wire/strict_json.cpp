#include "sync/wire/strict_json.hpp"

#include <set>
#include <vector>

namespace minsheng::sync {
namespace {

/// A SAX pass that only checks: duplicate members and depth. Linear in the input: it keeps one
/// key set per open object and nothing else. (nlohmann's callback parser, which this replaces,
/// rescans the enclosing array after every object it closes, so an array of n empty objects
/// cost n² steps.)
class StrictnessCheck : public nlohmann::json::json_sax_t {
public:
    explicit StrictnessCheck(int maxDepth) : m_maxDepth(maxDepth) {}

    std::string problem;
    std::size_t steps = 0; // events seen; tests compare it across input sizes

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        m_keys.emplace_back();
        return open();
    }
    bool key(string_t& k) override {
        ++steps;
        if (!m_keys.back().insert(k).second) {
            problem = "duplicate member \"" + k + "\"";
            return false;
        }
        return true;
    }
    bool end_object() override {
        ++steps;
        m_keys.pop_back();
        --m_depth;
        return true;
    }
    bool start_array(std::size_t) override {
        m_keys.emplace_back(); // keeps m_keys.back() meaningful only for objects; never used
        return open();
    }
    bool end_array() override {
        ++steps;
        m_keys.pop_back();
        --m_depth;
        return true;
    }
    bool parse_error(std::size_t byte, const std::string&,
                     const nlohmann::json::exception& e) override {
        // The position and the kind only: nlohmann's message quotes the offending bytes, which
        // need not be UTF-8, and this text goes into JSON error bodies.
        if (problem.empty())
            problem = "byte " + std::to_string(byte) + ": " +
                      (e.id == 406 ? "a number out of range" : "not valid JSON");
        return false;
    }

private:
    bool value() {
        ++steps;
        return true;
    }
    bool open() {
        ++steps;
        if (++m_depth > m_maxDepth) {
            problem = "nested deeper than " + std::to_string(m_maxDepth) + " levels";
            return false;
        }
        return true;
    }
    int m_maxDepth;
    int m_depth = 0;
    std::vector<std::set<std::string>> m_keys;
};

} // namespace

std::optional<nlohmann::json> parseStrictJson(std::string_view text, JsonParseError& error,
                                              int maxDepth, std::size_t* steps) {
    // Check first (linear, no document built), then build the document with the plain parser,
    // which cannot fail on text the check accepted.
    StrictnessCheck check(maxDepth);
    const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &check,
                                              nlohmann::json::input_format_t::json, true, false);
    if (steps)
        *steps = check.steps;
    if (!ok || !check.problem.empty()) {
        error.message = check.problem.empty() ? "not valid JSON" : check.problem;
        return std::nullopt;
    }
    try {
        return nlohmann::json::parse(text.begin(), text.end(), nullptr, true, false);
    } catch (const nlohmann::json::exception& e) {
        error.message = std::string("not valid JSON (") + std::to_string(e.id) + ")";
        return std::nullopt;
    }
}

} // namespace minsheng::sync
