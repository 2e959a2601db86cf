// Backoff: "full jitter" exponential backoff (AWS architecture blog, 2015): the n-th consecutive
// failure waits a uniformly random time in [0, min(cap, base * 2^n)]. Spreading the retries of
// many kiosks over the whole window keeps a county server that comes back after an outage from
// being hit by every kiosk at the same instant.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace minsheng::forwarder {

class Backoff {
public:
    using Duration = std::chrono::milliseconds;

    Backoff(Duration base, Duration cap, std::uint64_t seed);

    /// The wait after one more failure (and counts it).
    Duration next();
    /// The wait after a health error (TLS verification, a rejected signature, an unknown kiosk,
    /// a fork): the cap itself, jittered in [cap/2, cap], so nothing hammers the server.
    Duration health();
    /// A success: the next failure starts from `base` again.
    void reset() { m_failures = 0; }

    unsigned failures() const { return m_failures; }
    /// The upper end of the next window (without jitter): min(cap, base * 2^failures).
    Duration ceiling() const;
    Duration cap() const { return m_cap; }

private:
    Duration m_base;
    Duration m_cap;
    unsigned m_failures = 0;
    std::mt19937_64 m_rng;
};

} // namespace minsheng::forwarder
