#include "sync/service/service_notify.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>

namespace minsheng::sync {

ServiceNotifier::ServiceNotifier() {
    std::uint64_t usec = 0;
    // > 0 only when $WATCHDOG_USEC is set and $WATCHDOG_PID (if set) names this process.
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        m_interval = std::chrono::microseconds(usec);
}

void ServiceNotifier::ready(const std::string& status) {
    if (m_ready)
        return;
    m_ready = true;
    const std::string msg = status.empty() ? "READY=1" : "READY=1\nSTATUS=" + status;
    // The result is informational: outside systemd there is nobody to tell.
    (void)sd_notify(0, msg.c_str());
}

void ServiceNotifier::stopping() {
    (void)sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::status(const std::string& status) {
    (void)sd_notify(0, ("STATUS=" + status).c_str());
}

void ServiceNotifier::watchdogTick() {
    if (!m_interval)
        return;
    const auto now = Clock::now();
    if (m_lastPing && now - *m_lastPing < *m_interval / 4)
        return;
    m_lastPing = now;
    (void)sd_notify(0, "WATCHDOG=1");
}

std::optional<double> ServiceNotifier::maxSleepSeconds() const {
    if (!m_interval)
        return std::nullopt;
    if (!m_lastPing)
        return 0.0;
    const auto due = *m_lastPing + *m_interval / 2;
    return std::max(0.0, std::chrono::duration<double>(due - Clock::now()).count());
}

} // namespace minsheng::sync
