#include "kiosk/core/forwarder_client.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace minsheng::kiosk {

namespace {

constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::size_t kMaxReply = 8 * 1024;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
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

} // namespace

ForwarderResponse parseStatusResponse(std::string_view line) {
    ForwarderResponse r;
    r.kind = ForwarderResponse::Kind::Unavailable;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
        return r;
    }
    if (!j["ok"].get<bool>()) {
        const auto e = j.value("error", std::string());
        if (e == "not-found") {
            r.kind = ForwarderResponse::Kind::NotFound;
        } else if (e == "offline") {
            r.kind = ForwarderResponse::Kind::Offline;
        }
        return r;
    }
    // A status the forwarder could not verify against the county's signing key is as good as
    // none: showing it would let anyone on the network tell a parent their case was closed.
    if (!j.contains("verified") || j["verified"] != true) {
        return r;
    }
    if (!j.contains("status") || !j["status"].is_string() || !j.contains("received_at") ||
        !j["received_at"].is_number_integer() || !j.contains("updated_at") ||
        !j["updated_at"].is_number_integer()) {
        return r;
    }
    const auto status = caseStatusFromName(j["status"].get<std::string>());
    if (!status) {
        return r;
    }
    std::string reply;
    if (j.contains("reply")) {
        if (!j["reply"].is_string()) {
            return r;
        }
        reply = j["reply"].get<std::string>();
        if (reply.size() > kMaxReply) {
            return r;
        }
    }
    r.kind = ForwarderResponse::Kind::Found;
    r.status = *status;
    r.receivedAt = j["received_at"].get<std::int64_t>();
    r.updatedAt = j["updated_at"].get<std::int64_t>();
    r.reply = std::move(reply);
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
    if (path.size() >= sizeof(addr.sun_path)) {
        return std::nullopt;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (s.fd < 0) {
        return std::nullopt;
    }
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        if (errno == ENOENT || errno == ECONNREFUSED) {
            offline = true; // no forwarder listening: the county cannot be reached either
            return std::nullopt;
        }
        if (errno != EINPROGRESS && errno != EAGAIN) {
            return std::nullopt;
        }
        pollfd p{s.fd, POLLOUT, 0};
        if (::poll(&p, 1, msLeft(end)) <= 0) {
            return std::nullopt;
        }
    }
    std::string out(requestLine);
    out += '\n';
    std::size_t sent = 0;
    while (sent < out.size()) {
        pollfd p{s.fd, POLLOUT, 0};
        if (::poll(&p, 1, msLeft(end)) <= 0) {
            return std::nullopt;
        }
        const ssize_t n = ::send(s.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            return std::nullopt;
        }
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
        if (in.size() > kMaxLine) {
            return std::nullopt;
        }
        pollfd p{s.fd, POLLIN, 0};
        if (::poll(&p, 1, msLeft(end)) <= 0) {
            return std::nullopt;
        }
        const ssize_t n = ::recv(s.fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            return std::nullopt; // closed before a whole line
        }
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
    if (m_done.empty()) {
        return std::nullopt;
    }
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
            if (m_stop) {
                return;
            }
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        ForwarderResponse r;
        if (!job.syncNow && !isHex64(job.tag)) {
            r.kind = ForwarderResponse::Kind::Unavailable;
        } else {
            const std::string request =
                job.syncNow ? std::string(R"({"op":"sync-now"})")
                            : nlohmann::json{{"op", "status"}, {"tag", job.tag}}.dump();
            bool offline = false;
            auto line = exchange(m_socket, request, m_deadline, offline);
            if (!line) {
                r.kind = offline ? ForwarderResponse::Kind::Offline
                                 : ForwarderResponse::Kind::Unavailable;
            } else if (job.syncNow) {
                const auto j = nlohmann::json::parse(*line, nullptr, false);
                r.kind = j.is_object() && j.value("ok", false)
                             ? ForwarderResponse::Kind::Done
                             : (j.is_object() && j.value("error", std::string()) == "offline"
                                    ? ForwarderResponse::Kind::Offline
                                    : ForwarderResponse::Kind::Unavailable);
            } else {
                r = parseStatusResponse(*line);
            }
        }
        r.requestId = job.id;
        {
            std::lock_guard lock(m_mutex);
            m_done.push_back(std::move(r));
        }
        if (m_wake) {
            m_wake();
        }
    }
}

} // namespace minsheng::kiosk
