#include <catch2/catch.hpp>

#include "sync/wire/minute_time.hpp"

using namespace minsheng::sync;

TEST_CASE("minute times format and parse strictly", "[wire][time]") {
    REQUIRE(formatMinuteUtc(0) == "1970-01-01T00:00Z");
    REQUIRE(formatMinuteUtc(1795428300) == "2026-11-23T10:05Z");
    REQUIRE(*parseMinuteUtc("2026-11-23T10:05Z") == 1795428300);
    REQUIRE(*parseMinuteUtc("2024-02-29T23:59Z") == 1709251140);
    REQUIRE(formatMinuteUtc(-60) == "1969-12-31T23:59Z");
    for (const char* bad : {"2026-11-23T10:05", "2026-11-23 10:05Z", "2026-13-01T00:00Z",
                            "2026-02-29T00:00Z", "2026-11-23T24:00Z", "2026-11-23T10:60Z",
                            "2026-11-23T10:05:00Z", "２026-11-23T10:05Z", ""})
        REQUIRE_FALSE(parseMinuteUtc(bad));
    REQUIRE(floorToMinute(119) == 60);
    REQUIRE(floorToMinute(-1) == -60);
    REQUIRE(nowMinute() % 60 == 0);
    for (std::int64_t t = -86400 * 400; t < 86400LL * 365 * 200; t += 86400 * 7 + 60)
        REQUIRE(*parseMinuteUtc(formatMinuteUtc(t)) == t);
}
