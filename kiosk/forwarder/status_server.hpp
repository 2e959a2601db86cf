// StatusServer: the forwarder's side of the kiosk's local status socket (docs/protocol.md
// section 11). The kiosk UI has no network; it asks here.
//
//   <data_dir>/forwarder.sock, a Unix stream socket, mode 0600 (bound under umask 0177, so it is
//   never reachable by others, not even for an instant). One JSON object per line each way:
//     {"op":"status","tag":HEX}  → GET /v1/status/{tag} at the county, signature verified with
//                                  keys/county-signing.pub, then {"ok":true,...,"verified":true}
//                                  or {"ok":false,"error":"offline"|"not-found"|"unavailable"}
//     {"op":"health"}            → queue, last sync, last ack, last error, online
//     {"op":"sync-now"}          → {"ok":true}; the sender stops waiting
//
// Its own thread accepts; each connection is served on a thread of its own (at most
// kMaxClients at once), with its own HTTPS connection and a deadline of ~5 s per look-up, so
// neither a hung upload nor a slow look-up can block another look-up. A request line is at
// most 8 KiB; a client that sends nothing for 10 s is dropped. Tags are never logged.
#pragma once

#include "kiosk/forwarder/forwarder.hpp"

#include <atomic>
#include <filesystem>
#include <list>
#include <memory>
#include <string>
#include <thread>

namespace minsheng::forwarder {

struct StatusServerSettings {
    std::filesystem::path socketPath;
    HttpsEndpoint endpoint;
    crypto::Ed25519PublicKey countySigningKey{};
    std::chrono::milliseconds lookupDeadline{5000};
    static constexpr std::size_t kMaxClients = 8;
};

/// Answers one request line (without the newline); exposed for tests. `lookup` performs the
/// county look-up (StatusServer passes its HTTPS one).
std::string answerRequestLine(std::string_view line, const SyncState& state,
                              const std::function<std::string(const std::string& tagHex)>& lookup,
                              const std::function<void()>& syncNow);

/// GET /v1/status/{tag} and the verification; the answer line for the UI.
std::string lookupCaseStatus(const StatusServerSettings& settings, const std::string& tagHex);

class StatusServer {
public:
    /// Binds the socket (replacing a stale socket file left by a dead forwarder; refusing when a
    /// live forwarder answers on it). Error: a sentence naming the path.
    static Result<std::unique_ptr<StatusServer>, std::string>
    start(StatusServerSettings settings, std::shared_ptr<SyncState> state, LogSink log);
    ~StatusServer(); // stops accepting, waits for the clients (each bounded by its deadlines)
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

private:
    StatusServer(StatusServerSettings settings, std::shared_ptr<SyncState> state, LogSink log,
                 int listenFd);
    void acceptLoop();
    void serveClient(int fd);

    StatusServerSettings m_settings;
    std::shared_ptr<SyncState> m_state;
    LogSink m_log;
    int m_listenFd = -1;
    int m_wakePipe[2] = {-1, -1};
    struct Client {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<Client> m_clients; // acceptor thread only (and the destructor after it ended)
    std::thread m_acceptor;      // last
};

} // namespace minsheng::forwarder
