#include "kiosk/forwarder/backoff.hpp"

#include <algorithm>

namespace minsheng::forwarder {

Backoff::Backoff(Duration base, Duration cap, std::uint64_t seed)
    : m_base(std::max(base, Duration(1))), m_cap(std::max(cap, std::max(base, Duration(1)))),
      m_rng(seed) {}

Backoff::Duration Backoff::ceiling() const {
    // base * 2^n without overflow: stop doubling once the cap is reached.
    Duration d = m_base;
    for (unsigned i = 0; i < m_failures && d < m_cap; ++i)
        d *= 2;
    return std::min(d, m_cap);
}

Backoff::Duration Backoff::next() {
    const Duration top = ceiling();
    if (m_failures < 64)
        ++m_failures;
    std::uniform_int_distribution<std::int64_t> pick(0, top.count());
    return Duration(pick(m_rng));
}

Backoff::Duration Backoff::health() {
    if (m_failures < 64)
        ++m_failures;
    std::uniform_int_distribution<std::int64_t> pick(m_cap.count() / 2, m_cap.count());
    return Duration(pick(m_rng));
}

} // namespace minsheng::forwarder
