#include "kiosk/ui/automation.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace minsheng::kiosk::ui {

std::unique_ptr<AutomationServer> AutomationServer::start(const std::filesystem::path& path,
                                                          std::function<void()> wake,
                                                          std::string& error) {
    std::unique_ptr<AutomationServer> s(new AutomationServer());
    s->m_path = path;
    s->m_wake = std::move(wake);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path.string();
    if (p.size() >= sizeof(addr.sun_path)) {
        error = p + ": path too long for a Unix socket";
        return nullptr;
    }
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            error = p + ": exists and is not a socket; not replacing it";
            return nullptr;
        }
        ::unlink(p.c_str());
    }
    s->m_listen = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const mode_t old = ::umask(077);
    const int rc = s->m_listen < 0 ? -1
                                   : ::bind(s->m_listen, reinterpret_cast<const sockaddr*>(&addr),
                                            sizeof(addr));
    ::umask(old);
    if (rc != 0 || ::listen(s->m_listen, 4) != 0 || ::pipe2(s->m_stopPipe, O_CLOEXEC) != 0) {
        error = p + ": cannot listen: " + std::strerror(errno);
        return nullptr;
    }
    s->m_thread = std::thread([raw = s.get()] { raw->run(); });
    return s;
}

AutomationServer::~AutomationServer() {
    m_stop = true;
    if (m_stopPipe[1] >= 0) [[maybe_unused]]
        auto n = ::write(m_stopPipe[1], "x", 1);
    if (m_thread.joinable())
        m_thread.join();
    for (int fd : {m_listen, m_stopPipe[0], m_stopPipe[1]})
        if (fd >= 0)
            ::close(fd);
    if (!m_path.empty())
        ::unlink(m_path.c_str());
    // Commands still queued get an answer so no client hangs.
    for (auto& r : m_queue)
        r->reply.set_value(R"({"ok":false,"error":"shutting down"})");
}

std::shared_ptr<AutomationServer::Request> AutomationServer::take() {
    std::lock_guard lock(m_mutex);
    if (m_queue.empty())
        return nullptr;
    auto r = m_queue.front();
    m_queue.pop_front();
    return r;
}

void AutomationServer::run() {
    while (!m_stop) {
        pollfd p[2] = {{m_listen, POLLIN, 0}, {m_stopPipe[0], POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (p[1].revents)
            return;
        const int c = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        std::string buf;
        char chunk[4096];
        bool open = true;
        while (open && !m_stop) {
            auto nl = buf.find('\n');
            if (nl == std::string::npos) {
                pollfd q[2] = {{c, POLLIN, 0}, {m_stopPipe[0], POLLIN, 0}};
                if (::poll(q, 2, -1) < 0 && errno != EINTR)
                    break;
                if (q[1].revents)
                    break;
                const ssize_t n = ::recv(c, chunk, sizeof(chunk), 0);
                if (n <= 0)
                    break;
                buf.append(chunk, static_cast<std::size_t>(n));
                continue;
            }
            auto req = std::make_shared<Request>();
            req->line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            auto fut = req->reply.get_future();
            {
                std::lock_guard lock(m_mutex);
                m_queue.push_back(req);
            }
            if (m_wake)
                m_wake();
            while (fut.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
                if (m_stop) {
                    open = false;
                    break;
                }
            }
            if (!open)
                break;
            std::string out = fut.get() + "\n";
            std::size_t sent = 0;
            while (sent < out.size()) {
                const ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
                if (n <= 0) {
                    open = false;
                    break;
                }
                sent += static_cast<std::size_t>(n);
            }
        }
        ::close(c);
    }
}

} // namespace minsheng::kiosk::ui
