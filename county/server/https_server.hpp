// HttpsServer: the transport of the intake server and of the office console. Boost.Beast HTTP/1.1
// over Asio and OpenSSL, asynchronous, on a small pool of threads; every request is answered by a
// RequestHandler (request_handler.hpp).
//
// Admission (docs/server.md "Limits"): at most `maxConnections` connections in all and
// `maxConnectionsPerAddress` from one client address; one over is closed at once, before TLS.
// New connections never take the last 16 descriptors under the open-file limit (RLIMIT_NOFILE):
// a connection that would is closed at once, so the connections already open can still finish
// their requests (the store opens its journal, TLS and the log keep working). Then, as when
// accept() fails (EMFILE: out of file descriptors), the listener waits 100 ms before it accepts
// again, and logs at most once every 10 s.
//
// Per connection (a strand; see docs/server.md for the numbers):
//   handshake (10 s) → read header (30 s; 60 s while idle between keep-alive requests; 8 KiB)
//   → body limit from the request line (8 MiB for POST /v1/envelopes, 64 KiB otherwise; a
//   Content-Length over it is answered 413 before any body byte is read) → read body (30 s)
//   → handle → write (30 s) → next request or TLS shutdown (5 s).
// TLS 1.2 at least (SSL_CTX_set_min_proto_version), ECDHE + AEAD suites only for 1.2, and only
// the X25519 and P-256 key exchange groups (a finite-field group costs the server ~100× more per
// handshake than it costs a client that merely offers it).
// Bodies: the bytes a request announces (Content-Length, or its route's limit when chunked) are
// reserved from a budget all connections share (`maxBufferedBodyBytes`); a request that does not
// fit is answered 503 with Retry-After. Unparsed bytes — a header, chunk-size lines, a chunked
// trailer — never take more than 16 KiB per connection. A request whose framing is broken
// (bad Content-Length, Content-Length with Transfer-Encoding, a bad chunk) is answered 400.
//
// stop() (SIGTERM/SIGINT via run()): the acceptor closes, connections idle between requests are
// closed, requests already being read or handled finish and are answered with
// "Connection: close"; run() returns when the last connection ended (or after 30 s).
#pragma once

#include "county/server/request_handler.hpp"
#include "crypto/result.hpp"

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
    unsigned threads = 0;                   // 0: 2 per core, at least 4
    std::size_t maxConnections = 1024;      // in all; keep under LimitNOFILE
    std::size_t maxConnectionsPerAddress =
        64; // from one client address (a NAT may hold many kiosks)
    std::size_t maxBufferedBodyBytes = 128u << 20; // request bodies being read, all connections
    /// One line per request and per problem; never a payload, tag or client address.
    std::function<void(const std::string&)> log;
    /// Called once, when the server accepts connections, with the bound "host:port".
    std::function<void(const std::string&)> onReady;
};

struct ServerError {
    std::string message;
};

/// Runs the server until SIGTERM or SIGINT, then shuts down gracefully. Blocks.
[[nodiscard]] Result<Ok, ServerError> runHttpsServer(RequestHandler& handler,
                                                     const ServerOptions& options);

} // namespace minsheng::server
