#include "tests/support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace minsheng::test {

struct FaultProxy::Shared {
    std::mutex mutex;
    FaultRates rates;
    std::atomic<std::uint64_t> connections{0}, chunks{0}, drops{0}, resets{0}, truncations{0},
        delays{0}, flips{0}, refused{0};
};

namespace {

void closeWithReset(int fd) {
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

bool sendAll(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

} // namespace

FaultProxy::FaultProxy(std::uint16_t upstreamPort, FaultRates rates, std::uint64_t seed)
    : m_shared(std::make_shared<Shared>()), m_upstream(upstreamPort), m_seed(seed) {
    m_shared->rates = rates;
    m_listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(m_listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_listenFd, 64) != 0)
        throw std::runtime_error("FaultProxy: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(m_listenFd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    if (::pipe2(m_stopPipe, O_CLOEXEC) != 0)
        throw std::runtime_error("FaultProxy: pipe2 failed");
    m_acceptor = std::thread([this] { acceptLoop(); });
}

FaultProxy::~FaultProxy() {
    const char b = 1;
    (void)!::write(m_stopPipe[1], &b, 1);
    m_acceptor.join();
    for (auto& c : m_threads)
        c.thread.join();
    ::close(m_listenFd);
    ::close(m_stopPipe[0]);
    ::close(m_stopPipe[1]);
}

void FaultProxy::setRates(const FaultRates& rates) {
    std::lock_guard lock(m_shared->mutex);
    m_shared->rates = rates;
}

FaultCounts FaultProxy::counts() const {
    FaultCounts c;
    c.connections = m_shared->connections;
    c.chunks = m_shared->chunks;
    c.drops = m_shared->drops;
    c.resets = m_shared->resets;
    c.truncations = m_shared->truncations;
    c.delays = m_shared->delays;
    c.flips = m_shared->flips;
    c.upstreamRefused = m_shared->refused;
    return c;
}

void FaultProxy::acceptLoop() {
    std::uint64_t n = 0;
    for (;;) {
        pollfd fds[2] = {{m_listenFd, POLLIN, 0}, {m_stopPipe[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[1].revents)
            return;
        int client = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        ++m_shared->connections;
        const std::uint64_t seed = m_seed * 1000003u + (++n);
        std::lock_guard lock(m_mutex);
        for (auto it = m_threads.begin(); it != m_threads.end();) { // join finished ones
            if (it->done->load()) {
                it->thread.join();
                it = m_threads.erase(it);
            } else {
                ++it;
            }
        }
        auto done = std::make_shared<std::atomic<bool>>(false);
        m_threads.push_back(Conn{std::thread([this, client, seed, done] {
                                     pump(client, seed);
                                     done->store(true);
                                 }),
                                 done});
    }
}

void FaultProxy::pump(int client, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(m_upstream.load());
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ++m_shared->refused;
        ::close(server);
        closeWithReset(client); // as a refused connection looks to the client: a reset
        return;
    }
    int one = 1;
    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    char buf[16384];
    bool open[2] = {true, true}; // reading side still open: client, server
    for (;;) {
        pollfd fds[3] = {{client, static_cast<short>(open[0] ? POLLIN : 0), 0},
                         {server, static_cast<short>(open[1] ? POLLIN : 0), 0},
                         {m_stopPipe[0], POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[2].revents)
            break;
        for (int side = 0; side < 2; ++side) {
            if (!(fds[side].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const int from = side == 0 ? client : server;
            const int to = side == 0 ? server : client;
            ssize_t n = ::recv(from, buf, sizeof buf, 0);
            if (n <= 0) {
                // Orderly close (or error) on one side: pass the FIN on.
                ::shutdown(to, SHUT_WR);
                open[side] = false;
                if (!open[0] && !open[1])
                    goto done;
                continue;
            }
            ++m_shared->chunks;
            FaultRates r;
            {
                std::lock_guard lock(m_shared->mutex);
                r = m_shared->rates;
            }
            const bool faultsHere = !r.serverToClientOnly || side == 1;
            double x = faultsHere ? unit(rng) : 2.0;
            std::size_t len = static_cast<std::size_t>(n);
            if ((x -= r.drop) < 0) {
                ++m_shared->drops;
                goto done;
            }
            if ((x -= r.reset) < 0) {
                ++m_shared->resets;
                closeWithReset(client);
                closeWithReset(server);
                return;
            }
            if ((x -= r.truncate) < 0) {
                ++m_shared->truncations;
                sendAll(to, buf, len / 2);
                goto done;
            }
            if ((x -= r.delay) < 0) {
                ++m_shared->delays;
                std::uniform_int_distribution<long> d(0, r.maxDelay.count());
                std::this_thread::sleep_for(std::chrono::milliseconds(d(rng)));
            } else if ((x -= r.flip) < 0) {
                ++m_shared->flips;
                std::uniform_int_distribution<std::size_t> at(0, len - 1);
                buf[at(rng)] ^= 0x10;
            }
            if (!sendAll(to, buf, len))
                goto done;
        }
    }
done:
    ::close(client);
    ::close(server);
}

} // namespace minsheng::test
