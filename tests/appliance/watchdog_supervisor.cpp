#include "tests/appliance/watchdog_supervisor.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace minsheng::test::appliance {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Kind = SupervisorEvent::Kind;

WatchdogSupervisor::WatchdogSupervisor(Options options) : m_o(std::move(options)) {
    m_socketPath = m_o.dir / "notify.sock";
    fs::remove(m_socketPath);
    m_socket = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = m_socketPath.string();
    if (m_socket < 0 || p.size() >= sizeof(addr.sun_path))
        throw std::runtime_error("notify socket: " + p);
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    const int one = 1;
    if (::bind(m_socket, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::setsockopt(m_socket, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0)
        throw std::runtime_error("notify socket " + p + ": " + std::strerror(errno));
    m_thread = std::thread([this] { run(); });
}

WatchdogSupervisor::~WatchdogSupervisor() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
    ::close(m_socket);
    fs::remove(m_socketPath);
}

void WatchdogSupervisor::record(SupervisorEvent e) {
    {
        std::lock_guard lock(m_mutex);
        m_events.push_back(std::move(e));
    }
    m_changed.notify_all();
}

std::vector<SupervisorEvent> WatchdogSupervisor::events() {
    std::lock_guard lock(m_mutex);
    return m_events;
}

bool WatchdogSupervisor::waitFor(const Predicate& done, double seconds) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, std::chrono::duration<double>(seconds),
                              [&] { return done(m_events); });
}

int WatchdogSupervisor::count(const std::vector<SupervisorEvent>& e, Kind kind, int start) {
    int n = 0;
    for (const auto& x : e)
        n += x.kind == kind && (start == 0 || x.start == start);
    return n;
}

void WatchdogSupervisor::spawn() {
    // Everything the child needs is prepared before fork(): after it, only async-signal-safe
    // calls (the test process has threads).
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string kv(*e);
        const std::string key = kv.substr(0, kv.find('='));
        if (key != "NOTIFY_SOCKET" && key != "WATCHDOG_USEC" && key != "WATCHDOG_PID" &&
            !m_o.env.count(key))
            env.push_back(kv);
    }
    for (const auto& [k, v] : m_o.env)
        env.push_back(k + "=" + v);
    env.push_back("NOTIFY_SOCKET=" + m_socketPath.string());
    env.push_back("WATCHDOG_USEC=" +
                  std::to_string(std::chrono::microseconds(m_o.watchdog).count()));
    char pidVar[32] = "WATCHDOG_PID=";
    std::vector<char*> envp;
    for (auto& s : env)
        envp.push_back(s.data());
    envp.push_back(pidVar);
    envp.push_back(nullptr);
    std::vector<std::string> argv = m_o.argv;
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    ++m_starts;
    const std::string log = (m_o.dir / ("child-" + std::to_string(m_starts) + ".log")).string();

    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // WATCHDOG_PID=<our pid>, as systemd sets it for the main process.
        char digits[16];
        int n = 0;
        for (pid_t v = ::getpid(); v > 0 && n < 15; v /= 10)
            digits[n++] = static_cast<char>('0' + v % 10);
        char* out = pidVar + std::strlen(pidVar);
        while (n > 0)
            *out++ = digits[--n];
        *out = '\0';
        const rlimit noCore{0, 0}; // LimitCORE=0
        ::setrlimit(RLIMIT_CORE, &noCore);
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    m_child = pid;
    record({Kind::Started, m_starts, pid, 0, {}});
}

void WatchdogSupervisor::run() {
    bool ready = false;
    Clock::time_point deadline{}; // start timeout, then the watchdog's
    Clock::time_point killAt{};   // after SIGABRT/SIGTERM: SIGKILL at this time
    bool signalled = false;
    Clock::time_point restartAt = Clock::now();
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stop)
                break;
        }
        const auto now = Clock::now();
        if (m_child < 0 && m_starts < m_o.maxStarts && now >= restartAt) {
            spawn();
            ready = false;
            signalled = false;
            deadline = Clock::now() + m_o.startTimeout;
        }
        pollfd p{m_socket, POLLIN, 0};
        ::poll(&p, 1, 20);
        // ---- messages ------------------------------------------------------------------
        for (;;) {
            char buf[4096];
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
            iovec iov{buf, sizeof(buf) - 1};
            msghdr msg{};
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof(control);
            const ssize_t n = ::recvmsg(m_socket, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            if (n < 0)
                break;
            pid_t sender = -1;
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                    ucred cred{};
                    std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
                    sender = cred.pid;
                }
            }
            if (sender != m_child || m_child < 0)
                continue; // NotifyAccess=main
            const std::string text(buf, static_cast<std::size_t>(n));
            std::string status;
            bool gotReady = false, gotPing = false;
            std::size_t start = 0;
            while (start < text.size()) {
                auto nl = text.find('\n', start);
                if (nl == std::string::npos)
                    nl = text.size();
                const std::string line = text.substr(start, nl - start);
                gotReady |= line == "READY=1";
                gotPing |= line == "WATCHDOG=1";
                if (line.rfind("STATUS=", 0) == 0)
                    status = line.substr(7);
                start = nl + 1;
            }
            if (gotReady && !ready) {
                ready = true;
                deadline = Clock::now() + m_o.watchdog;
                record({Kind::Ready, m_starts, m_child, 0, status});
            }
            if (gotPing) {
                if (ready && !signalled)
                    deadline = Clock::now() + m_o.watchdog;
                record({Kind::Watchdog, m_starts, m_child, 0, {}});
            }
        }
        // ---- the child -------------------------------------------------------------------
        if (m_child > 0) {
            int st = 0;
            if (::waitpid(m_child, &st, WNOHANG) == m_child) {
                record({Kind::Exited, m_starts, m_child, st, {}});
                m_child = -1;
                restartAt = Clock::now() + m_o.restartDelay;
                continue;
            }
            const auto t = Clock::now();
            if (!signalled && t > deadline) {
                record(
                    {ready ? Kind::WatchdogTimeout : Kind::StartTimeout, m_starts, m_child, 0, {}});
                ::kill(m_child, ready ? SIGABRT : SIGTERM);
                signalled = true;
                killAt = t + m_o.abortTimeout;
            } else if (signalled && t > killAt) {
                ::kill(m_child, SIGKILL);
                killAt = t + std::chrono::hours(1);
            }
        }
    }
    if (m_child > 0) {
        ::kill(m_child, SIGTERM);
        for (int i = 0; i < 1000; ++i) {
            int st = 0;
            if (::waitpid(m_child, &st, WNOHANG) == m_child) {
                m_child = -1;
                break;
            }
            ::usleep(20000);
        }
        if (m_child > 0) {
            ::kill(m_child, SIGKILL);
            ::waitpid(m_child, nullptr, 0);
        }
    }
}

} // namespace minsheng::test::appliance
