// FaultProxy: a TCP proxy for tests that stands between a client and a server and, at random
// from a seed, misbehaves the way a bad network does. It forwards bytes blindly (TLS included:
// it never looks inside), so the client and server see only what a real broken link shows them:
//
//   drop      both sides closed (FIN) before a chunk is forwarded: the chunk is lost
//   reset     both sides closed with RST (SO_LINGER 0)
//   truncate  part of the chunk forwarded, then both sides closed
//   delay     the chunk forwarded after a random pause (up to maxDelay)
//   flip      one bit of the chunk inverted (TLS must notice: a record MAC fails)
//
// Each chunk read from either side draws one action with the probabilities in FaultRates; the
// rest is forwarded unchanged. One thread per connection, poll() on both sockets. Counters are
// atomic and may be read while the proxy runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace minsheng::test {

struct FaultRates {
    double drop = 0;
    double reset = 0;
    double truncate = 0;
    double delay = 0;
    double flip = 0;
    std::chrono::milliseconds maxDelay{20};
    /// Faults only in chunks from the server to the client (answers lost after the server acted:
    /// the hardest case for idempotency) when true; both directions when false.
    bool serverToClientOnly = false;
};

struct FaultCounts {
    std::uint64_t connections = 0;
    std::uint64_t chunks = 0;
    std::uint64_t drops = 0;
    std::uint64_t resets = 0;
    std::uint64_t truncations = 0;
    std::uint64_t delays = 0;
    std::uint64_t flips = 0;
    std::uint64_t upstreamRefused = 0;
};

class FaultProxy {
public:
    /// Listens on 127.0.0.1 (an ephemeral port) and forwards to 127.0.0.1:upstreamPort.
    FaultProxy(std::uint16_t upstreamPort, FaultRates rates, std::uint64_t seed);
    ~FaultProxy(); // closes everything and joins all threads
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    std::uint16_t port() const { return m_port; }
    void setRates(const FaultRates& rates);
    void setUpstreamPort(std::uint16_t port) { m_upstream.store(port); }
    FaultCounts counts() const;

private:
    struct Shared;
    void acceptLoop();
    void pump(int client, std::uint64_t seed);

    std::shared_ptr<Shared> m_shared;
    std::atomic<std::uint16_t> m_upstream;
    std::uint16_t m_port = 0;
    int m_listenFd = -1;
    int m_stopPipe[2] = {-1, -1};
    std::uint64_t m_seed;
    std::mutex m_mutex;
    struct Conn {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<Conn> m_threads;
    std::thread m_acceptor;
};

} // namespace minsheng::test
