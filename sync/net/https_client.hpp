// HttpsClient: a small synchronous HTTPS/1.1 client over Boost.Beast and OpenSSL, shared by the
// kiosk's forwarder and the county staff tool.
//
// Every step has a deadline (resolve, connect, handshake, write, read); the peer is verified
// against ONE pinned CA certificate (the county CA from the kiosk bundle or county folder, never
// the system store) and the host name (SNI + RFC 6125 check); response bodies are limited. One
// kept-alive connection is reused; a request on a connection the server has closed is retried
// once on a fresh connection. Not thread-safe: one client per thread.
#pragma once

#include "crypto/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace minsheng::sync {

struct HttpsEndpoint {
    std::string host; // name or IP literal, as in the URL (used for SNI and verification)
    std::string port; // "443" when the URL has none
    std::filesystem::path caFile; // PEM, the only trust anchor
};

/// "https://host[:port]" (no path, no userinfo). Error: a sentence naming the problem.
[[nodiscard]] Result<HttpsEndpoint, std::string> parseHttpsUrl(std::string_view url,
                                                               std::filesystem::path caFile);

struct HttpResponse {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
};

enum class NetErrorKind {
    Resolve,   // DNS
    Connect,   // refused, unreachable
    TlsVerify, // the peer's certificate is not from the pinned CA or names another host
    Tls,       // other handshake or TLS failure
    Timeout,   // a deadline passed
    Io,        // connection reset, truncated response
    Protocol,  // not HTTP, body over the limit
    Config,    // the CA file cannot be read
};

struct NetError {
    NetErrorKind kind;
    std::string message;
};

struct HttpsClientOptions {
    std::chrono::milliseconds stepTimeout{30000}; // each of resolve/connect/handshake/write/read
    /// Deadline of one request() call as a whole (all its steps, a reconnect included);
    /// 0 = none, only the step deadlines. The kiosk's status look-ups use 5 s.
    std::chrono::milliseconds totalTimeout{0};
    std::size_t maxBodyBytes = 16u << 20;
};

class HttpsClient {
public:
    explicit HttpsClient(HttpsEndpoint endpoint, HttpsClientOptions options = {});
    ~HttpsClient();
    HttpsClient(HttpsClient&&) noexcept;
    HttpsClient& operator=(HttpsClient&&) noexcept;

    /// method: "GET", "POST", "PUT". `headers` are added as given (e.g. Authorization);
    /// Content-Type: application/json is set when body is not empty.
    [[nodiscard]] Result<HttpResponse, NetError>
    request(std::string_view method, std::string_view target, std::string_view body = {},
            const std::map<std::string, std::string>& headers = {});

    /// Closes the connection (TLS shutdown with a short deadline). Never throws.
    void close() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace minsheng::sync
