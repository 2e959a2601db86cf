// A small stand-in for systemd's Type=notify + WatchdogSec= + Restart=always, for tests (CI has
// no systemd as PID 1).
//
// What it does, as systemd does it (service.c):
//   1. Binds a datagram Unix socket and starts the child with NOTIFY_SOCKET, WATCHDOG_USEC and
//      WATCHDOG_PID (the child's pid) set, and RLIMIT_CORE 0 (LimitCORE=0).
//   2. Accepts messages from the child's pid only (NotifyAccess=main), checked with
//      SCM_CREDENTIALS; READY=1 ends the start phase, WATCHDOG=1 re-arms the watchdog.
//   3. Before READY the start timeout applies (TimeoutStartSec=: SIGTERM); after READY the
//      watchdog is armed, and when no WATCHDOG=1 arrives within the interval the child gets
//      SIGABRT (WatchdogSignal=), then SIGKILL after the abort timeout (TimeoutAbortSec=).
//   4. Whenever the child exits, for any reason, it is started again after the restart delay
//      (Restart=always, RestartSec=), up to `maxStarts` starts in all.
// Everything it sees is kept as a list of events that tests wait on (with deadlines that only
// bound a failure, never a timing check).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace minsheng::test::appliance {

struct SupervisorEvent {
    enum class Kind { Started, Ready, Watchdog, WatchdogTimeout, StartTimeout, Exited };
    Kind kind;
    int start = 0;    // 1 for the first child, 2 for the first restart, ...
    pid_t pid = -1;   // the child's pid
    int status = 0;   // Exited: the raw waitpid status
    std::string text; // Ready: the STATUS= that came with it, if any
};

class WatchdogSupervisor {
public:
    struct Options {
        std::vector<std::string> argv;
        std::map<std::string, std::string> env; // added to this process's environment
        std::filesystem::path dir;              // notify socket and child-N.log go here
        std::chrono::milliseconds watchdog{10000};
        std::chrono::milliseconds startTimeout{120000};
        std::chrono::milliseconds abortTimeout{10000};
        std::chrono::milliseconds restartDelay{500};
        int maxStarts = 2;
    };

    explicit WatchdogSupervisor(Options options);
    /// Stops the child (SIGTERM, then SIGKILL) and the supervising thread.
    ~WatchdogSupervisor();
    WatchdogSupervisor(const WatchdogSupervisor&) = delete;
    WatchdogSupervisor& operator=(const WatchdogSupervisor&) = delete;

    using Predicate = std::function<bool(const std::vector<SupervisorEvent>&)>;
    /// Waits until `done(events)` holds; false after `seconds`.
    bool waitFor(const Predicate& done, double seconds);
    std::vector<SupervisorEvent> events();
    /// Count of events of `kind` (for child `start`, or any child when 0).
    static int count(const std::vector<SupervisorEvent>& e, SupervisorEvent::Kind kind,
                     int start = 0);

private:
    void run();
    void spawn();
    void record(SupervisorEvent e);

    Options m_o;
    std::filesystem::path m_socketPath;
    int m_socket = -1;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<SupervisorEvent> m_events;
    bool m_stop = false;
    pid_t m_child = -1;
    int m_starts = 0;
    std::thread m_thread;
};

} // namespace minsheng::test::appliance
