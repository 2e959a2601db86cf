#include "sync/wire/strict_json.hpp"

#include <set>
#include <vector>

namespace minsheng::sync {

std::optional<nlohmann::json> parseStrictJson(std::string_view text, JsonParseError& error,
                                              int maxDepth) {
    std::vector<std::set<std::string>> keysAtDepth;
    std::string problem;
    auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (!problem.empty())
            return false;
        using E = nlohmann::json::parse_event_t;
        if (depth > maxDepth) {
            problem = "nested deeper than " + std::to_string(maxDepth) + " levels";
            return false;
        }
        if (event == E::object_start) {
            keysAtDepth.emplace_back();
        } else if (event == E::object_end) {
            if (!keysAtDepth.empty())
                keysAtDepth.pop_back();
        } else if (event == E::key && !keysAtDepth.empty()) {
            const std::string key = parsed.get<std::string>();
            if (!keysAtDepth.back().insert(key).second) {
                problem = "duplicate member \"" + key + "\"";
                return false;
            }
        }
        return true;
    };
    try {
        nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), callback, true, false);
        if (!problem.empty()) {
            error.message = problem;
            return std::nullopt;
        }
        return j;
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte is 1-based; nlohmann's own message names what it expected there.
        error.message =
            problem.empty() ? "byte " + std::to_string(e.byte) + ": " + e.what() : problem;
        return std::nullopt;
    }
}

} // namespace minsheng::sync
