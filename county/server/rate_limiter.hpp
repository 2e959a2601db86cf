// RateLimiter: a token bucket per key (client address or kiosk id), in memory.
//
// Each key may spend `capacity` requests at once and earns them back at capacity per `window`
// (10 per minute for status look-ups: receipt codes cannot be guessed at any useful rate).
// Buckets that have refilled completely are forgotten, so memory stays bounded by the keys seen
// within one window. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace minsheng::server {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    RateLimiter(double capacity, std::chrono::seconds window)
        : m_capacity(capacity), m_perSecond(capacity / static_cast<double>(window.count())) {}

    /// 0 when the request may proceed (a token is spent); otherwise the whole seconds to wait
    /// before one will be available (the Retry-After value), at least 1.
    std::int64_t acquire(const std::string& key, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    void sweep(Clock::time_point now);

    const double m_capacity;
    const double m_perSecond;
    std::mutex m_mutex;
    std::unordered_map<std::string, Bucket> m_buckets;
    Clock::time_point m_lastSweep{};
};

} // namespace minsheng::server
