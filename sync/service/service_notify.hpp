// The systemd service protocol (sd_notify(3)): READY=1, STOPPING=1, STATUS= and the watchdog's
// WATCHDOG=1, for the kiosk window, the forwarder and the county server.
//
// Outside systemd (no $NOTIFY_SOCKET) every call does nothing, so development runs and tests
// behave as before. Under a unit with WatchdogSec=, systemd sets $WATCHDOG_USEC (and
// $WATCHDOG_PID); the service must send WATCHDOG=1 more often than that or it is killed
// (WatchdogSignal=, SIGABRT by default) and, with Restart=always, started again.
//
// Invariants:
//   1. WATCHDOG=1 is sent only from the loop whose liveness it vouches for (the kiosk's UI
//      thread), never from a helper thread: a hung loop must stop the pings.
//   2. A loop that sleeps asks maxSleepSeconds() first, so it wakes at least every half
//      interval even when nothing happens on screen (an idle kiosk must still ping).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace minsheng::sync {

class ServiceNotifier {
public:
    /// Reads $WATCHDOG_USEC/$WATCHDOG_PID (sd_watchdog_enabled); the variables are left in the
    /// environment (children of ours are not supervised by them, and we start none).
    ServiceNotifier();

    /// READY=1 with an optional STATUS= line; only the first call sends.
    void ready(const std::string& status = {});
    /// STOPPING=1: the service is shutting down on purpose.
    void stopping();
    void status(const std::string& status);

    /// The watchdog interval systemd enforces, if any.
    std::optional<std::chrono::microseconds> watchdogInterval() const { return m_interval; }
    /// Sends WATCHDOG=1 when a quarter of the interval has passed since the last ping (or none
    /// was sent yet); cheap to call once per loop iteration.
    void watchdogTick();
    /// How long the loop may sleep before it must call watchdogTick() again: half the interval
    /// after the last ping, never negative; nullopt when there is no watchdog.
    std::optional<double> maxSleepSeconds() const;

private:
    using Clock = std::chrono::steady_clock;
    std::optional<std::chrono::microseconds> m_interval;
    std::optional<Clock::time_point> m_lastPing;
    bool m_ready = false;
};

} // namespace minsheng::sync
