// HttpsServer: the intake server's transport. Boost.Beast HTTP/1.1 over Asio and OpenSSL,
// asynchronous, on a small pool of threads; every request is answered by IntakeHandler.
//
// Per connection (a strand; see docs/server.md for the numbers):
//   handshake (30 s) → read header (30 s; 60 s while idle between keep-alive requests; 8 KiB)
//   → body limit from the request line (8 MiB for POST /v1/envelopes, 64 KiB otherwise; a
//   Content-Length over it is answered 413 before any body byte is read) → read body (30 s)
//   → handle → write (30 s) → next request or TLS shutdown (5 s).
// TLS 1.2 at least (SSL_CTX_set_min_proto_version), ECDHE + AEAD suites only for 1.2.
//
// stop() (SIGTERM/SIGINT via run()): the acceptor closes, connections idle between requests are
// closed, requests already being read or handled finish and are answered with
// "Connection: close"; run() returns when the last connection ended (or after 30 s).
#pragma once

#include "county/server/intake_handler.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace minsheng::server {

struct ServerOptions {
    std::string listenHost = "127.0.0.1";
    std::string listenPort = "8443";        // "0": the kernel picks a free port
    std::filesystem::path certificateChain; // PEM
    std::filesystem::path privateKey;       // PEM, mode 0600
    unsigned threads = 0;                   // 0: hardware concurrency, at least 2
    /// One line per request and per problem; never a payload, tag or client address.
    std::function<void(const std::string&)> log;
    /// Called once, when the server accepts connections, with the bound "host:port".
    std::function<void(const std::string&)> onReady;
};

struct ServerError {
    std::string message;
};

/// Runs the server until SIGTERM or SIGINT, then shuts down gracefully. Blocks.
[[nodiscard]] Result<Ok, ServerError> runHttpsServer(IntakeHandler& handler,
                                                     const ServerOptions& options);

} // namespace minsheng::server
