#include "sync/wire/minute_time.hpp"

#include <chrono>
#include <cstdio>

namespace minsheng::sync {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, unsigned& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
}

} // namespace

std::int64_t floorToMinute(std::int64_t t) {
    std::int64_t r = t % 60;
    return r < 0 ? t - r - 60 : t - r;
}

std::string formatMinuteUtc(std::int64_t t) {
    std::int64_t days = t / 86400;
    std::int64_t secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    std::int64_t y;
    unsigned m, d;
    civilFromDays(days, y, m, d);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lldZ", static_cast<long long>(y), m,
                  d, static_cast<long long>(secs / 3600), static_cast<long long>(secs % 3600 / 60));
    return buf;
}

std::optional<std::int64_t> parseMinuteUtc(std::string_view s) {
    if (s.size() != 17 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != 'Z')
        return std::nullopt;
    unsigned y, mo, d, h, mi;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) ||
        !digits(s, 11, 2, h) || !digits(s, 14, 2, mi))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59)
        return std::nullopt;
    static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0))
        return std::nullopt;
    return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

std::int64_t nowMinute() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return floorToMinute(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

} // namespace minsheng::sync
