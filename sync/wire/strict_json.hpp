// Parsing JSON from outside the process: nlohmann::json with the checks it lacks.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace minsheng::sync {

struct JsonParseError {
    std::string message; // "byte 17: syntax error ..." or "duplicate member \"seq\""
};

/// Parses `text` as one JSON value. Rejects what nlohmann would accept silently: duplicate
/// object members (the last would win, so two readers could disagree about one document),
/// nesting deeper than `maxDepth`, and invalid UTF-8; and numbers that do not fit a double
/// (1e999), which nlohmann would throw for. Never throws; the work is linear in the input
/// (`steps`, when given, receives the number of parse events, for tests that check that).
std::optional<nlohmann::json> parseStrictJson(std::string_view text, JsonParseError& error,
                                              int maxDepth = 16, std::size_t* steps = nullptr);

} // namespace minsheng::sync
