#include "kiosk/forwarder/status_server.hpp"

#include "crypto/signed_messages.hpp"
#include "sync/wire/http_bodies.hpp"
#include "sync/wire/status_socket.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace minsheng::forwarder {

using namespace minsheng::sync; // wire messages, strict JSON, the HTTPS client

namespace {

constexpr int kIdleMillis = 10000;

std::string errorLine(StatusSocketErrorCode code, std::string message) {
    return statusSocketErrorToLine({code, std::move(message)});
}

std::string unavailable(std::string message) {
    return errorLine(StatusSocketErrorCode::Unavailable, std::move(message));
}

bool writeAll(int fd, std::string_view data) {
    while (!data.empty()) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, kIdleMillis) <= 0)
            return false;
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

sockaddr_un socketAddress(const std::filesystem::path& path, bool& tooLong) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string s = path.string();
    tooLong = s.size() >= sizeof addr.sun_path;
    if (!tooLong)
        std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
    return addr;
}

} // namespace

std::string lookupCaseStatus(const StatusServerSettings& settings, const std::string& tagHex) {
    HttpsClientOptions opt;
    opt.stepTimeout = settings.lookupDeadline;
    opt.totalTimeout = settings.lookupDeadline;
    opt.maxBodyBytes = 64 * 1024;
    HttpsClient client(settings.endpoint, opt);
    auto res = client.request("GET", statusPath(tagHex));
    client.close();
    if (!res) {
        switch (res.error().kind) {
        case NetErrorKind::TlsVerify:
        case NetErrorKind::Config:
        case NetErrorKind::Protocol:
            return unavailable("the county server could not be verified");
        default:
            return errorLine(StatusSocketErrorCode::Offline, "the county server cannot be reached");
        }
    }
    if (res->status == 404)
        return errorLine(StatusSocketErrorCode::NotFound,
                         "no case with this receipt has reached the county yet");
    if (res->status == 429)
        return unavailable("too many look-ups; try again in a minute");
    if (res->status != 200)
        return unavailable("the county server answered " + std::to_string(res->status));
    auto record = caseStatusAnswerFromJson(res->body);
    if (!record)
        return unavailable("the county's answer is not a case status");
    auto tag = crypto::fromHex(tagHex);
    if (!tag || !crypto::constantTimeEqual(*tag, record->receiptTag))
        return unavailable("the county answered about another receipt");
    if (auto verified = crypto::verifyCaseStatus(*record, settings.countySigningKey); !verified)
        return unavailable("the county's signature on the case status does not verify (" +
                           std::string(crypto::signedMessageFailureName(verified.error())) +
                           "); nothing is shown");
    return caseStatusAnswerToLine(
        {record->status, record->receivedAt, record->updatedAt, record->reply});
}

std::string answerRequestLine(std::string_view line, const SyncState& state,
                              const std::function<std::string(const std::string&)>& lookup,
                              const std::function<void()>& syncNow) {
    auto req = statusSocketRequestFromLine(line);
    if (!req)
        return statusSocketErrorToLine(req.error());
    switch (req->op) {
    case StatusSocketOp::Health: {
        const HealthSnapshot h = state.health();
        return healthAnswerToLine({h.queue, h.lastSync, h.lastAck, h.lastError, h.online});
    }
    case StatusSocketOp::SyncNow:
        syncNow();
        return syncNowAnswerToLine();
    case StatusSocketOp::Status:
        return lookup(req->tagHex);
    }
    return unavailable("unknown op");
}

Result<std::unique_ptr<StatusServer>, std::string>
StatusServer::start(StatusServerSettings settings, std::shared_ptr<SyncState> state, LogSink log) {
    bool tooLong = false;
    const sockaddr_un addr = socketAddress(settings.socketPath, tooLong);
    const std::string path = settings.socketPath.string();
    if (tooLong)
        return fail(path + ": the socket path is too long (at most 107 bytes)");

    // A socket file left by a forwarder that died: replace it, unless somebody answers on it.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return fail(path + ": exists and is not a socket; remove it or fix [kiosk] data_dir");
        int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const bool alive = probe >= 0 && ::connect(probe, reinterpret_cast<const sockaddr*>(&addr),
                                                   sizeof addr) == 0;
        if (probe >= 0)
            ::close(probe);
        if (alive)
            return fail(path + ": another forwarder is running for this kiosk (its status "
                               "socket answers); stop it first");
        ::unlink(path.c_str());
    }

    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(path + ": cannot create a socket: " + std::strerror(errno));
    // Bound under umask 0177: the socket is 0600 from the moment it exists.
    const mode_t old = ::umask(0177);
    const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int bindErrno = errno;
    ::umask(old);
    if (rc != 0) {
        ::close(fd);
        return fail(path + ": cannot bind the status socket: " + std::strerror(bindErrno));
    }
    ::chmod(path.c_str(), 0600);
    if (::listen(fd, 16) != 0) {
        const int e = errno;
        ::close(fd);
        ::unlink(path.c_str());
        return fail(path + ": cannot listen: " + std::strerror(e));
    }
    return std::unique_ptr<StatusServer>(
        new StatusServer(std::move(settings), std::move(state), std::move(log), fd));
}

StatusServer::StatusServer(StatusServerSettings settings, std::shared_ptr<SyncState> state,
                           LogSink log, int listenFd)
    : m_settings(std::move(settings)), m_state(std::move(state)), m_log(std::move(log)),
      m_listenFd(listenFd) {
    if (::pipe2(m_wakePipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe2 failed");
    m_acceptor = std::thread([this] { acceptLoop(); });
}

StatusServer::~StatusServer() {
    const char b = 1;
    (void)!::write(m_wakePipe[1], &b, 1);
    if (m_acceptor.joinable())
        m_acceptor.join();
    for (auto& c : m_clients)
        c.thread.join();
    ::close(m_listenFd);
    ::unlink(m_settings.socketPath.c_str());
    ::close(m_wakePipe[0]);
    ::close(m_wakePipe[1]);
}

void StatusServer::acceptLoop() {
    for (;;) {
        pollfd fds[2] = {{m_listenFd, POLLIN, 0}, {m_wakePipe[0], POLLIN, 0}};
        int n = ::poll(fds, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (fds[1].revents & POLLIN))
            return;
        if (!(fds[0].revents & POLLIN))
            continue;
        int client = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        // Join the client threads that have finished.
        for (auto it = m_clients.begin(); it != m_clients.end();) {
            if (it->done->load()) {
                it->thread.join();
                it = m_clients.erase(it);
            } else {
                ++it;
            }
        }
        if (m_clients.size() >= StatusServerSettings::kMaxClients) {
            (void)writeAll(client, unavailable("busy") + "\n");
            ::close(client);
            continue;
        }
        auto done = std::make_shared<std::atomic<bool>>(false);
        m_clients.push_back(Client{std::thread([this, client, done] {
                                       serveClient(client);
                                       ::close(client);
                                       done->store(true);
                                   }),
                                   done});
    }
}

void StatusServer::serveClient(int fd) {
    std::string buffer;
    char chunk[1024];
    auto lookup = [this](const std::string& tag) {
        return lookupCaseStatus(m_settings, tag);
    };
    auto syncNow = [this] {
        m_log("sync-now requested over the status socket");
        m_state->requestSyncNow();
    };
    for (;;) {
        auto nl = buffer.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.empty())
                continue;
            if (!writeAll(fd, answerRequestLine(line, *m_state, lookup, syncNow) + "\n"))
                return;
            continue;
        }
        if (buffer.size() > kMaxStatusRequestLine) {
            (void)writeAll(fd, unavailable("request line over 8 KiB") + "\n");
            return;
        }
        pollfd fds[2] = {{fd, POLLIN, 0}, {m_wakePipe[0], POLLIN, 0}};
        int n = ::poll(fds, 2, kIdleMillis);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || (fds[1].revents & POLLIN))
            return;
        ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        buffer.append(chunk, static_cast<std::size_t>(r));
    }
}

} // namespace minsheng::forwarder
