// UTC times at minute precision, "YYYY-MM-DDTHH:MMZ": the only time format of the protocol.
// Minute precision is deliberate: a finer time stamp would help pick out who stood at a kiosk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::sync {

/// Rounds down to the minute (also for times before 1970).
std::int64_t floorToMinute(std::int64_t unixSeconds);
/// "2026-11-23T10:05Z". Precondition: unixSeconds is a multiple of 60.
std::string formatMinuteUtc(std::int64_t unixSeconds);
/// Strict: exactly "YYYY-MM-DDTHH:MMZ" with a real calendar date. nullopt otherwise.
std::optional<std::int64_t> parseMinuteUtc(std::string_view text);
/// Current time, rounded down to the minute.
std::int64_t nowMinute();

} // namespace minsheng::sync
