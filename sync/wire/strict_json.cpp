#include "sync/wire/strict_json.hpp"

#include <set>
#include <vector>

namespace minsheng::sync {
namespace {

/// nlohmann's own document builder (what nlohmann::json::parse runs), fed by the check below.
using DocumentBuilder = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;

/// One SAX pass that checks duplicate members and depth and hands every event it accepts to the
/// document builder, so the text is read once. Linear in the input: it keeps one key set per
/// open object and nothing else. (nlohmann's callback parser rescans the enclosing array after
/// every object it closes, so an array of n empty objects would cost n² steps.)
class StrictnessCheck : public nlohmann::json::json_sax_t {
public:
    StrictnessCheck(int maxDepth, DocumentBuilder& document)
        : m_maxDepth(maxDepth), m_document(document) {}

    std::string problem;
    std::size_t steps = 0; // events seen; tests compare it across input sizes

    bool null() override { return value() && m_document.null(); }
    bool boolean(bool v) override { return value() && m_document.boolean(v); }
    bool number_integer(number_integer_t v) override {
        return value() && m_document.number_integer(v);
    }
    bool number_unsigned(number_unsigned_t v) override {
        return value() && m_document.number_unsigned(v);
    }
    bool number_float(number_float_t v, const string_t& text) override {
        return value() && m_document.number_float(v, text);
    }
    bool string(string_t& v) override { return value() && m_document.string(v); }
    bool binary(binary_t& v) override { return value() && m_document.binary(v); }
    bool start_object(std::size_t n) override {
        m_keys.emplace_back();
        return open() && m_document.start_object(n);
    }
    bool key(string_t& k) override {
        ++steps;
        if (!m_keys.back().insert(k).second) {
            problem = "duplicate member \"" + k + "\"";
            return false;
        }
        return m_document.key(k);
    }
    bool end_object() override {
        ++steps;
        m_keys.pop_back();
        --m_depth;
        return m_document.end_object();
    }
    bool start_array(std::size_t n) override {
        m_keys.emplace_back(); // keeps m_keys.back() meaningful only for objects; never used
        return open() && m_document.start_array(n);
    }
    bool end_array() override {
        ++steps;
        m_keys.pop_back();
        --m_depth;
        return m_document.end_array();
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
    DocumentBuilder& m_document;
    int m_depth = 0;
    std::vector<std::set<std::string>> m_keys;
};

} // namespace

std::optional<nlohmann::json> parseStrictJson(std::string_view text, JsonParseError& error,
                                              int maxDepth, std::size_t* steps) {
    // One pass: the check refuses a duplicate member or too deep a nesting before the builder
    // sees it; a document is returned only when the whole text was accepted.
    nlohmann::json document;
    DocumentBuilder builder(document, false);
    StrictnessCheck check(maxDepth, builder);
    bool ok = false;
    try {
        ok = nlohmann::json::sax_parse(text.begin(), text.end(), &check,
                                       nlohmann::json::input_format_t::json, true, false);
    } catch (const nlohmann::json::exception& e) {
        // The builder's own limits (none reachable under the depth and size limits).
        check.problem = "not valid JSON (" + std::to_string(e.id) + ")";
    }
    if (steps)
        *steps = check.steps;
    if (!ok || !check.problem.empty() || builder.is_errored()) {
        error.message = check.problem.empty() ? "not valid JSON" : check.problem;
        return std::nullopt;
    }
    return document;
}

} // namespace minsheng::sync
