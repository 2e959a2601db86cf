// HttpsClient over Boost.Beast (see https_client.hpp for the contract).
//
// Synchronous API, asynchronous inside: Beast's tcp_stream deadlines (expires_after) apply to
// asynchronous operations only, so every step is started asynchronously and the private
// io_context is run until that step completes. The resolver has no deadline of its own; a
// steady_timer cancels it.
//
// Verification, in the order OpenSSL applies it during the handshake:
//   1. the chain must end at the one CA loaded with load_verify_file (no default paths);
//   2. X509_VERIFY_PARAM carries the expected host (SSL_set1_host) or IP address, so a wrong
//      name fails inside chain verification with X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS;
//   3. asio's host_name_verification callback checks the leaf again (belt and braces);
//   4. verify_peer: a failed check aborts the handshake.
// SNI is sent for names (never for IP literals, RFC 6066 section 3).
#include "sync/net/https_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>

namespace minsheng::sync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

bool isIpLiteral(const std::string& host) {
    error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

NetError netError(NetErrorKind kind, std::string message) {
    return NetError{kind, std::move(message)};
}

/// A step failed: timeout or the given kind.
NetError stepError(NetErrorKind kind, std::string_view step, const error_code& ec) {
    if (ec == beast::error::timeout || ec == asio::error::timed_out ||
        ec == asio::error::operation_aborted)
        return netError(NetErrorKind::Timeout, std::string(step) + ": deadline passed");
    return netError(kind, std::string(step) + ": " + ec.message());
}

/// The connection was closed by the peer before any answer byte: the typical stale keep-alive
/// connection (the server's idle timeout passed between two requests).
bool isClosedByPeer(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == ssl::error::stream_truncated;
}

} // namespace

Result<HttpsEndpoint, std::string> parseHttpsUrl(std::string_view url,
                                                 std::filesystem::path caFile) {
    constexpr std::string_view scheme = "https://";
    if (url.substr(0, scheme.size()) != scheme)
        return fail(std::string("the county URL must start with https:// (got \"") +
                    std::string(url) + "\")");
    std::string_view rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/')
        rest.remove_suffix(1);
    if (rest.empty())
        return fail(std::string("the county URL has no host name"));
    if (rest.find_first_of("/?#") != std::string_view::npos)
        return fail(
            std::string("the county URL must be https://host[:port] without a path (got \"") +
            std::string(url) + "\")");
    if (rest.find('@') != std::string_view::npos)
        return fail(std::string("the county URL must not contain a user name or password"));
    HttpsEndpoint ep;
    ep.caFile = std::move(caFile);
    std::string_view host = rest, port;
    if (rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos)
            return fail(std::string("the county URL has an unclosed [ in its IPv6 address"));
        host = rest.substr(1, close - 1);
        auto after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return fail(std::string("the county URL has text after its IPv6 address"));
            port = after.substr(1);
            if (port.empty())
                return fail(std::string("the county URL has an empty port"));
        }
        error_code ec;
        auto addr = asio::ip::make_address(std::string(host), ec);
        if (ec || !addr.is_v6())
            return fail(std::string("the county URL's [") + std::string(host) +
                        "] is not an IPv6 address");
    } else {
        auto colon = rest.rfind(':');
        if (colon != std::string_view::npos) {
            host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
            if (port.empty())
                return fail(std::string("the county URL has an empty port"));
        }
        if (host.empty())
            return fail(std::string("the county URL has no host name"));
        for (char c : host) {
            const auto u = static_cast<unsigned char>(c);
            if (!(std::isalnum(u) || c == '-' || c == '.'))
                return fail(std::string("the county URL's host \"") + std::string(host) +
                            "\" may hold only letters, digits, '-' and '.'");
        }
    }
    if (!port.empty()) {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
            std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535)
            return fail(std::string("the county URL's port \"") + std::string(port) +
                        "\" must be a number from 1 to 65535");
        ep.port = std::string(port);
    } else {
        ep.port = "443";
    }
    ep.host = std::string(host);
    std::transform(ep.host.begin(), ep.host.end(), ep.host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ep;
}

struct HttpsClient::Impl {
    using Stream = beast::ssl_stream<beast::tcp_stream>;

    HttpsEndpoint endpoint;
    HttpsClientOptions options;
    asio::io_context ioc;
    std::optional<ssl::context> ctx;
    std::optional<Stream> stream;
    beast::flat_buffer buffer;
    bool hostIsIp = false;

    Impl(HttpsEndpoint ep, HttpsClientOptions opt)
        : endpoint(std::move(ep)), options(opt), hostIsIp(isIpLiteral(endpoint.host)) {}

    /// The deadline of one step: the step timeout, cut short by the request's total deadline.
    Clock::duration stepBudget(std::optional<Clock::time_point> requestDeadline) const {
        Clock::duration d = options.stepTimeout;
        if (requestDeadline) {
            auto left = *requestDeadline - Clock::now();
            d = std::min(d, std::max(left, Clock::duration(std::chrono::milliseconds(1))));
        }
        return d;
    }

    /// Runs the io_context until the operation started by `start` has called its handler.
    template <class Start>
    error_code runStep(Start&& start) {
        error_code result = asio::error::would_block;
        start([&result](error_code ec, auto&&...) { result = ec; });
        ioc.restart();
        ioc.run();
        return result;
    }

    Result<Ok, NetError> makeContext() {
        if (ctx)
            return Ok{};
        std::error_code fec;
        if (!std::filesystem::is_regular_file(endpoint.caFile, fec))
            return fail(netError(NetErrorKind::Config,
                                 endpoint.caFile.string() +
                                     ": the county CA certificate is missing or not a file"));
        ssl::context c(ssl::context::tls_client);
        // TLS 1.2 at least (docs/protocol.md section 7); no compression, no renegotiation.
        SSL_CTX_set_min_proto_version(c.native_handle(), TLS1_2_VERSION);
        c.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
        SSL_CTX_set_options(c.native_handle(), SSL_OP_NO_RENEGOTIATION);
        error_code ec;
        // Only the pinned CA: no set_default_verify_paths(), ever.
        c.load_verify_file(endpoint.caFile.string(), ec);
        if (ec)
            return fail(
                netError(NetErrorKind::Config, endpoint.caFile.string() +
                                                   ": not a PEM CA certificate OpenSSL can load (" +
                                                   ec.message() + ")"));
        c.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
        ctx.emplace(std::move(c));
        return Ok{};
    }

    void dropConnection() {
        if (stream) {
            error_code ec;
            beast::get_lowest_layer(*stream).socket().close(ec);
            stream.reset();
        }
        buffer.clear();
    }

    Result<Ok, NetError> connect(std::optional<Clock::time_point> deadline) {
        if (auto r = makeContext(); !r)
            return r;
        dropConnection();

        // 1. Resolve, with a timer that cancels the resolver.
        tcp::resolver resolver(ioc);
        tcp::resolver::results_type results;
        asio::steady_timer timer(ioc);
        timer.expires_after(stepBudget(deadline));
        bool timedOut = false;
        timer.async_wait([&](error_code ec) {
            if (!ec) {
                timedOut = true;
                resolver.cancel();
            }
        });
        error_code rec = asio::error::would_block;
        const auto flags = hostIsIp ? tcp::resolver::numeric_host : tcp::resolver::flags();
        resolver.async_resolve(endpoint.host, endpoint.port, flags,
                               [&](error_code ec, tcp::resolver::results_type r) {
                                   rec = ec;
                                   results = std::move(r);
                                   timer.cancel();
                               });
        ioc.restart();
        ioc.run();
        if (timedOut)
            return fail(netError(NetErrorKind::Timeout,
                                 "resolving " + endpoint.host + ": deadline passed"));
        if (rec)
            return fail(netError(NetErrorKind::Resolve,
                                 "resolving " + endpoint.host + ": " + rec.message()));

        // 2. TCP connect.
        stream.emplace(ioc, *ctx);
        auto& tcpStream = beast::get_lowest_layer(*stream);
        tcpStream.expires_after(stepBudget(deadline));
        error_code ec = runStep([&](auto handler) { tcpStream.async_connect(results, handler); });
        if (ec) {
            dropConnection();
            return fail(stepError(NetErrorKind::Connect,
                                  "connecting to " + endpoint.host + ":" + endpoint.port, ec));
        }
        error_code ignored;
        tcpStream.socket().set_option(tcp::no_delay(true), ignored);

        // 3. TLS: SNI for names, expected name or address for verification.
        SSL* ssl = stream->native_handle();
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (hostIsIp) {
            if (X509_VERIFY_PARAM_set1_ip_asc(param, endpoint.host.c_str()) != 1) {
                dropConnection();
                return fail(netError(NetErrorKind::Tls, "cannot set the expected IP address"));
            }
        } else {
            if (SSL_set_tlsext_host_name(ssl, endpoint.host.c_str()) != 1 ||
                SSL_set1_host(ssl, endpoint.host.c_str()) != 1) {
                dropConnection();
                return fail(netError(NetErrorKind::Tls, "cannot set the expected host name"));
            }
        }
        stream->set_verify_callback(ssl::host_name_verification(endpoint.host));
        tcpStream.expires_after(stepBudget(deadline));
        ec = runStep(
            [&](auto handler) { stream->async_handshake(ssl::stream_base::client, handler); });
        if (ec) {
            const long verify = SSL_get_verify_result(ssl);
            dropConnection();
            if (verify != X509_V_OK)
                return fail(netError(NetErrorKind::TlsVerify,
                                     "TLS handshake with " + endpoint.host + ":" + endpoint.port +
                                         ": the server certificate is not trusted (" +
                                         X509_verify_cert_error_string(verify) + "); is " +
                                         endpoint.caFile.string() +
                                         " this county's CA, and the URL its host?"));
            return fail(stepError(NetErrorKind::Tls, "TLS handshake with " + endpoint.host, ec));
        }
        return Ok{};
    }

    enum class Attempt { Done, Stale };

    /// One request on the current connection. `reused`: the connection served a request before,
    /// so a close by the peer before any answer byte is reported as Stale (retry once).
    Result<HttpResponse, NetError> exchange(const http::request<http::string_body>& req,
                                            std::optional<Clock::time_point> deadline, bool reused,
                                            bool& stale) {
        stale = false;
        auto& tcpStream = beast::get_lowest_layer(*stream);
        tcpStream.expires_after(stepBudget(deadline));
        error_code ec = runStep([&](auto handler) { http::async_write(*stream, req, handler); });
        if (ec) {
            dropConnection();
            if (reused && isClosedByPeer(ec)) {
                stale = true;
                return fail(netError(NetErrorKind::Io, "stale connection"));
            }
            return fail(stepError(NetErrorKind::Io, "sending the request", ec));
        }
        http::response_parser<http::string_body> parser;
        parser.body_limit(options.maxBodyBytes);
        parser.header_limit(16 * 1024);
        tcpStream.expires_after(stepBudget(deadline));
        ec = runStep([&](auto handler) { http::async_read(*stream, buffer, parser, handler); });
        if (ec) {
            const bool gotSome = parser.got_some();
            dropConnection();
            if (reused && !gotSome && isClosedByPeer(ec)) {
                stale = true;
                return fail(netError(NetErrorKind::Io, "stale connection"));
            }
            if (ec == http::error::body_limit)
                return fail(netError(NetErrorKind::Protocol,
                                     "the answer's body is over the limit of " +
                                         std::to_string(options.maxBodyBytes) + " bytes"));
            if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
                ec != http::error::end_of_stream && ec != http::error::partial_message)
                return fail(
                    netError(NetErrorKind::Protocol, "not an HTTP answer: " + ec.message()));
            return fail(stepError(NetErrorKind::Io, "reading the answer", ec));
        }
        auto res = parser.release();
        HttpResponse out;
        out.status = res.result_int();
        out.body = std::move(res.body());
        for (const auto& field : res) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            out.headers[name] = std::string(field.value());
        }
        if (!res.keep_alive())
            closeQuietly();
        return out;
    }

    void closeQuietly() noexcept {
        if (!stream)
            return;
        try {
            // TLS close_notify with a short deadline; a peer that does not answer is not waited
            // for.
            beast::get_lowest_layer(*stream).expires_after(std::chrono::milliseconds(500));
            (void)runStep([&](auto handler) { stream->async_shutdown(handler); });
        } catch (...) {
        }
        dropConnection();
    }
};

HttpsClient::HttpsClient(HttpsEndpoint endpoint, HttpsClientOptions options)
    : m_impl(std::make_unique<Impl>(std::move(endpoint), options)) {}
HttpsClient::~HttpsClient() {
    if (m_impl)
        m_impl->closeQuietly();
}
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&& other) noexcept {
    if (this != &other) {
        if (m_impl)
            m_impl->closeQuietly();
        m_impl = std::move(other.m_impl);
    }
    return *this;
}

void HttpsClient::close() noexcept {
    if (m_impl)
        m_impl->closeQuietly();
}

Result<HttpResponse, NetError>
HttpsClient::request(std::string_view method, std::string_view target, std::string_view body,
                     const std::map<std::string, std::string>& headers) {
    Impl& d = *m_impl;
    const http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
    if (verb == http::verb::unknown)
        return fail(netError(NetErrorKind::Protocol, "unknown HTTP method " + std::string(method)));
    std::optional<Clock::time_point> deadline;
    if (d.options.totalTimeout.count() > 0)
        deadline = Clock::now() + d.options.totalTimeout;

    http::request<http::string_body> req{verb, std::string(target), 11};
    const bool defaultPort = d.endpoint.port == "443";
    const bool v6 = d.endpoint.host.find(':') != std::string::npos;
    std::string hostHeader = v6 ? "[" + d.endpoint.host + "]" : d.endpoint.host;
    if (!defaultPort)
        hostHeader += ":" + d.endpoint.port;
    req.set(http::field::host, hostHeader);
    req.set(http::field::user_agent, std::string("minsheng/") + MINSHENG_VERSION);
    req.keep_alive(true);
    for (const auto& [name, value] : headers)
        req.set(beast::string_view(name), beast::string_view(value));
    if (!body.empty()) {
        if (req.find(http::field::content_type) == req.end())
            req.set(http::field::content_type, "application/json");
        req.body() = std::string(body);
    }
    req.prepare_payload();

    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = d.stream.has_value();
        if (!reused) {
            if (auto c = d.connect(deadline); !c)
                return fail(std::move(c.error()));
        }
        bool stale = false;
        auto r = d.exchange(req, deadline, reused, stale);
        if (r || !stale)
            return r;
        // The kept-alive connection had been closed by the server: once more, on a fresh one.
    }
    return fail(netError(NetErrorKind::Io, "the server closed the connection twice"));
}

} // namespace minsheng::sync
