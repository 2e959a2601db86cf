#include "kiosk/core/forwarder_client.hpp"

#include "sync/wire/status_socket.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace minsheng::kiosk {

namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

int msLeft(std::chrono::steady_clock::time_point end) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          end - std::chrono::steady_clock::now())
                          .count();
    return left > 0 ? static_cast<int>(left) : 0;
}

bool isHex64(std::string_view s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

/// The kind a refusal from the forwarder (or an answer that is not one) comes to.
ForwarderResponse::Kind kindOf(const sync::StatusSocketError& e) {
    switch (e.code) {
    case sync::StatusSocketErrorCode::NotFound:
        return ForwarderResponse::Kind::NotFound;
    case sync::StatusSocketErrorCode::Offline:
        return ForwarderResponse::Kind::Offline;
    case sync::StatusSocketErrorCode::Unavailable:
    case sync::StatusSocketErrorCode::Malformed:
        return ForwarderResponse::Kind::Unavailable;
    }
    return ForwarderResponse::Kind::Unavailable;
}

} // namespace

ForwarderResponse parseStatusResponse(std::string_view line) {
    ForwarderResponse r;
    auto answer = sync::caseStatusAnswerFromLine(line);
    if (!answer) {
        r.kind = kindOf(answer.error());
        return r;
    }
    r.kind = ForwarderResponse::Kind::Found;
    r.status = answer->status;
    r.receivedAt = answer->receivedAt;
    r.updatedAt = answer->updatedAt;
    r.reply = std::move(answer->reply);
    return r;
}

std::optional<std::string> ForwarderClient::exchange(const std::filesystem::path& socket,
                                                     std::string_view requestLine,
                                                     std::chrono::milliseconds deadline,
                                                     bool& offline) {
    offline = false;
    const auto end = std::chrono::steady_clock::now() + deadline;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = socket.string();
    if (path.size() >= sizeof(addr.sun_path))
        return std::nullopt;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (s.fd < 0)
        return std::nullopt;
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        if (errno == ENOENT || errno == ECONNREFUSED) {
            offline = true; // no forwarder listening: the county cannot be reached either
            return std::nullopt;
        }
        if (errno != EINPROGRESS && errno != EAGAIN)
            return std::nullopt;
        pollfd p{s.fd, POLLOUT, 0};
        if (::poll(&p, 1, msLeft(end)) <= 0)
            return std::nullopt;
    }
    std::string out(requestLine);
    out += '\n';
    std::size_t sent = 0;
    while (sent < out.size()) {
        pollfd p{s.fd, POLLOUT, 0};
        if (::poll(&p, 1, msLeft(end)) <= 0)
            return std::nullopt;
        const ssize_t n = ::send(s.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return std::nullopt;
        sent += static_cast<std::size_t>(n);
    }
    std::string in;
    char buf[4096];
    for (;;) {
        const auto nl = in.find('\n');
        if (nl != std::string::npos) {
            in.resize(nl);
            return in;
        }
        if (in.size() > sync::kMaxStatusAnswerLine)
            return std::nullopt;
        pollfd p{s.fd, POLLIN, 0};
        if (::poll(&p, 1, msLeft(end)) <= 0)
            return std::nullopt;
        const ssize_t n = ::recv(s.fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return std::nullopt; // closed before a whole line
        in.append(buf, static_cast<std::size_t>(n));
    }
}

ForwarderClient::ForwarderClient(std::filesystem::path socketPath, std::function<void()> wake,
                                 std::chrono::milliseconds deadline)
    : m_socket(std::move(socketPath)), m_wake(std::move(wake)), m_deadline(deadline),
      m_worker([this] { run(); }) {}

ForwarderClient::~ForwarderClient() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_worker.join();
}

std::uint64_t ForwarderClient::requestStatus(std::string tagHex) {
    std::uint64_t id;
    {
        std::lock_guard lock(m_mutex);
        id = m_nextId++;
        m_jobs.push_back(Job{id, false, std::move(tagHex)});
    }
    m_cv.notify_one();
    return id;
}

std::uint64_t ForwarderClient::requestSyncNow() {
    std::uint64_t id;
    {
        std::lock_guard lock(m_mutex);
        id = m_nextId++;
        m_jobs.push_back(Job{id, true, {}});
    }
    m_cv.notify_one();
    return id;
}

std::optional<ForwarderResponse> ForwarderClient::takeResponse() {
    std::lock_guard lock(m_mutex);
    if (m_done.empty())
        return std::nullopt;
    auto r = std::move(m_done.front());
    m_done.pop_front();
    return r;
}

void ForwarderClient::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
            if (m_stop)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        ForwarderResponse r;
        if (!job.syncNow && !isHex64(job.tag)) {
            r.kind = ForwarderResponse::Kind::Unavailable;
        } else {
            const std::string request = sync::statusSocketRequestToLine(
                job.syncNow ? sync::StatusSocketRequest{sync::StatusSocketOp::SyncNow, {}}
                            : sync::StatusSocketRequest{sync::StatusSocketOp::Status, job.tag});
            bool offline = false;
            auto line = exchange(m_socket, request, m_deadline, offline);
            if (!line) {
                r.kind = offline ? ForwarderResponse::Kind::Offline
                                 : ForwarderResponse::Kind::Unavailable;
            } else if (job.syncNow) {
                auto done = sync::syncNowAnswerFromLine(*line);
                r.kind = done ? ForwarderResponse::Kind::Done
                         : done.error().code == sync::StatusSocketErrorCode::Offline
                             ? ForwarderResponse::Kind::Offline
                             : ForwarderResponse::Kind::Unavailable;
            } else {
                r = parseStatusResponse(*line);
            }
        }
        r.requestId = job.id;
        {
            std::lock_guard lock(m_mutex);
            m_done.push_back(std::move(r));
        }
        if (m_wake)
            m_wake();
    }
}

} // namespace minsheng::kiosk
