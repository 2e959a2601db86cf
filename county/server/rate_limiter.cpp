#include "county/server/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::server {

std::int64_t RateLimiter::acquire(const std::string& key, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    if (now - m_lastSweep > std::chrono::seconds(60) || m_buckets.size() > 100000)
        sweep(now);
    auto [it, fresh] = m_buckets.try_emplace(key, Bucket{m_capacity, now});
    Bucket& b = it->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.updated).count();
        b.tokens = std::min(m_capacity, b.tokens + std::max(0.0, elapsed) * m_perSecond);
        b.updated = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return 0;
    }
    const double wait = (1.0 - b.tokens) / m_perSecond;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)));
}

void RateLimiter::sweep(Clock::time_point now) {
    m_lastSweep = now;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
        if (it->second.tokens + elapsed * m_perSecond >= m_capacity)
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace minsheng::server
