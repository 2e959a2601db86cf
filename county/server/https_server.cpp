// The intake server's transport, after the shape of Beast's advanced_server_flex and
// http_server_async_ssl examples: a listener on a strand, one Session per connection on its own
// strand, every step with a deadline (tcp_stream::expires_after) and its error handled.
#include "county/server/https_server.hpp"

#include "county/server/request_framing.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <limits>
#include <mutex>
#include <optional>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unordered_map>

namespace minsheng::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kHandshakeTimeout = 10s;
constexpr auto kStepTimeout = 30s;
constexpr auto kIdleTimeout = 60s;
constexpr auto kShutdownTimeout = 5s;
constexpr auto kDrainTimeout = 30s;
constexpr auto kLingerTimeout = 2s;
constexpr std::size_t kLingerBytes = 1u << 20;
constexpr auto kAcceptRetryDelay = 100ms;
constexpr auto kAcceptLogInterval = 10s;
// Descriptors new connections never take: what the server still needs when connections have
// used up the rest (a request's SQLite journal, a registry reload, the sanitizers' own pipe()
// probes in test builds). See Listener::nearDescriptorLimit.
constexpr rlim_t kReservedDescriptors = 16;

/// The lowest descriptor number a new connection may not have, or nullopt when the open-file
/// limit is too high to matter. The kernel gives out the lowest free number, so a connection
/// that gets this number or a higher one leaves fewer than kReservedDescriptors free.
std::optional<rlim_t> descriptorCeiling() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
        limit.rlim_cur > static_cast<rlim_t>(std::numeric_limits<int>::max()))
        return std::nullopt;
    return limit.rlim_cur > kReservedDescriptors ? limit.rlim_cur - kReservedDescriptors : 0;
}

class Session;

/// What all connections share: the handler, the log, the stop flag, the live sessions.
class ServerState {
public:
    ServerState(RequestHandler& handler, const ServerOptions& options, net::io_context& ioc)
        : handler(handler), options(options), m_ioc(ioc), m_log(options.log),
          m_watchdog(net::make_strand(ioc)) {}

    RequestHandler& handler;
    const BodyLimitFn bodyLimit = [this](std::string_view method, std::string_view target) {
        return handler.bodyLimit(method, target);
    };
    const ServerOptions& options;
    std::atomic<bool> stopping{false};

    /// Requests handed to the handler and not answered yet (an intake batch waits for the
    /// store's COMMIT on the store's thread). run() returns only when none is left, so no
    /// answer arrives after the io_context is gone.
    void beginAnswer() {
        std::lock_guard lock(m_answersMutex);
        ++m_answersPending;
    }
    void endAnswer() {
        std::lock_guard lock(m_answersMutex);
        if (--m_answersPending == 0)
            m_answersDone.notify_all();
    }
    void waitForAnswers() {
        std::unique_lock lock(m_answersMutex);
        m_answersDone.wait(lock, [this] { return m_answersPending == 0; });
    }

    /// Admission of a new connection from `address`; every true is matched by one release().
    bool admit(const std::string& address) {
        std::lock_guard lock(m_admissionMutex);
        if (m_connections >= options.maxConnections)
            return false;
        auto& n = m_perAddress[address];
        if (n >= options.maxConnectionsPerAddress) {
            if (n == 0)
                m_perAddress.erase(address);
            return false;
        }
        ++n;
        ++m_connections;
        return true;
    }
    void release(const std::string& address) {
        std::lock_guard lock(m_admissionMutex);
        --m_connections;
        if (auto it = m_perAddress.find(address); it != m_perAddress.end() && --it->second == 0)
            m_perAddress.erase(it);
    }

    /// The shared body budget: reserve before a body is read, release when it is answered.
    bool reserveBody(std::size_t bytes) {
        std::size_t now = m_bufferedBody.load();
        do {
            if (bytes > options.maxBufferedBodyBytes - std::min(now, options.maxBufferedBodyBytes))
                return false;
        } while (!m_bufferedBody.compare_exchange_weak(now, now + bytes));
        return true;
    }
    void releaseBody(std::size_t bytes) { m_bufferedBody -= bytes; }

    void log(const std::string& line) {
        if (m_log)
            m_log(line);
    }
    void add(Session* s, const std::shared_ptr<Session>& p) {
        std::lock_guard lock(m_mutex);
        m_sessions.emplace(s, p);
    }
    void remove(Session* s) {
        bool last = false;
        {
            std::lock_guard lock(m_mutex);
            m_sessions.erase(s);
            last = m_sessions.empty();
        }
        if (last && stopping)
            finishDrain();
    }
    /// Called once on SIGTERM/SIGINT: closes idle connections and arms the drain deadline.
    void beginStop();

private:
    std::mutex m_answersMutex;
    std::condition_variable m_answersDone;
    std::size_t m_answersPending = 0;
    /// The drain deadline lives on its own strand; `m_drained` keeps a late arm from waiting
    /// for connections that are already gone.
    void finishDrain() {
        net::post(
            m_watchdog.get_executor(),
            [this] {
                m_drained = true;
                m_watchdog.cancel();
            });
    }
    bool m_drained = false;
    std::mutex m_admissionMutex;
    std::size_t m_connections = 0;
    std::unordered_map<std::string, std::size_t> m_perAddress;
    std::atomic<std::size_t> m_bufferedBody{0};
    net::io_context& m_ioc;
    std::function<void(const std::string&)> m_log;
    net::steady_timer m_watchdog;
    std::mutex m_mutex;
    std::unordered_map<Session*, std::weak_ptr<Session>> m_sessions;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    /// `clientAddress` has been admitted (ServerState::admit); the session releases it.
    Session(tcp::socket&& socket, ssl::context& ctx, ServerState& state, std::string clientAddress)
        : m_stream(std::move(socket), ctx), m_state(state), m_buffer(kMaxUnparsedBytes),
          m_clientAddress(std::move(clientAddress)) {
        beast::error_code ec;
        // Answers go out as soon as they are written (no Nagle delay between TLS records).
        beast::get_lowest_layer(m_stream).socket().set_option(tcp::no_delay(true), ec);
    }
    ~Session() {
        releaseBody();
        m_state.release(m_clientAddress);
        m_state.remove(this);
    }

    void start() {
        m_state.add(this, shared_from_this());
        net::dispatch(m_stream.get_executor(),
                      beast::bind_front_handler(&Session::onStart, shared_from_this()));
    }

    /// From the stop path: closes the connection if it is waiting for a next request.
    void closeIfIdle() {
        net::post(
            m_stream.get_executor(),
            [self = shared_from_this()] {
                if (self->m_idle) {
                    beast::error_code ec;
                    beast::get_lowest_layer(self->m_stream).socket().close(ec);
                }
            });
    }

private:
    void onStart() {
        beast::get_lowest_layer(m_stream).expires_after(kHandshakeTimeout);
        m_stream.async_handshake(
            ssl::stream_base::server,
            beast::bind_front_handler(&Session::onHandshake, shared_from_this()));
    }

    void onHandshake(beast::error_code ec) {
        if (ec)
            return; // a client that does not trust us, a scanner, a timeout: nothing to answer
        readHeader();
    }

    void readHeader() {
        if (m_state.stopping) {
            // Between requests while stopping (e.g. a handshake that finished after SIGTERM):
            // nothing is in flight, so close at once instead of waiting for the peer's
            // close_notify.
            beast::error_code ec;
            beast::get_lowest_layer(m_stream).socket().close(ec);
            return;
        }
        m_parser.emplace();
        prepareRequestParser(*m_parser);
        beast::get_lowest_layer(m_stream).expires_after(m_served == 0 ? kStepTimeout
                                                                      : kIdleTimeout);
        m_idle = true;
        http::async_read_header(m_stream, m_buffer, *m_parser,
                                beast::bind_front_handler(&Session::onHeader, shared_from_this()));
    }

    void onHeader(beast::error_code ec, std::size_t headerBytes) {
        m_idle = false;
        if (!proceed(afterHeader(ec, headerBytes)))
            return;
        m_started = std::chrono::steady_clock::now();
        const auto plan = planBody(*m_parser, m_state.bodyLimit);
        if (!proceed(plan.outcome))
            return;
        if (!m_state.reserveBody(plan.reservation)) {
            m_linger = true;
            return respond(m_state.handler.overloaded("request bodies being read"), true);
        }
        m_reservedBody = plan.reservation;
        beast::get_lowest_layer(m_stream).expires_after(kStepTimeout);
        http::async_read(m_stream, m_buffer, *m_parser,
                         beast::bind_front_handler(&Session::onBody, shared_from_this()));
    }

    void onBody(beast::error_code ec, std::size_t) {
        if (!proceed(afterBody(ec)))
            return;
        auto message = m_parser->release();
        HttpRequest req;
        req.method = std::string(message.method_string());
        req.target = std::string(message.target());
        req.contentType = std::string(message[http::field::content_type]);
        req.authorization = std::string(message[http::field::authorization]);
        req.cookie = std::string(message[http::field::cookie]);
        req.csrfToken = std::string(message["X-CSRF-Token"]);
        req.origin = std::string(message[http::field::origin]);
        req.body = std::move(message.body());
        req.clientAddress = m_clientAddress;
        // The answer may come from another thread (a batch waiting for the store's shared
        // COMMIT does not hold a transport thread); it is written on this connection's strand.
        const bool keepAlive = message.keep_alive();
        m_state.beginAnswer();
        // Called once; it gives up its hold on the session as it hands the answer over, so the
        // handler's copy of it never outlives the transport.
        Responder respond = [self = shared_from_this(), keepAlive](HttpResponse r) mutable {
            auto session = std::move(self);
            ServerState& state = session->m_state;
            net::dispatch(
                session->m_stream.get_executor(), [session, keepAlive, r = std::move(r)]() mutable {
                    session->respond(std::move(r), !keepAlive || session->m_state.stopping);
                });
            session.reset();
            state.endAnswer();
        };
        try {
            m_state.handler.handleAsync(req, respond);
        } catch (const std::exception& e) {
            m_state.log(std::string("error: request handler failed: ") + e.what());
            HttpResponse resp;
            resp.status = 500;
            resp.body =
                R"({"error":"internal","message":"the server failed; nothing was stored by this request"})";
            resp.route = "error";
            respond(std::move(resp));
        }
    }

    void respond(HttpResponse r, bool close) {
        auto res = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(r.status), 11);
        res->set(http::field::server, "minsheng-county");
        res->set(http::field::content_type, r.contentType);
        res->set(http::field::cache_control, "no-store");
        for (const auto& [name, value] : r.headers)
            res->set(name, value);
        res->keep_alive(!close);
        res->body() = std::move(r.body);
        res->prepare_payload();
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - m_started)
                            .count();
        // One line per request: route, status, time, counts. No tag, payload or address.
        m_state.log((r.route.empty() ? std::string("?") : r.route) + " " +
                    std::to_string(r.status) + " " + std::to_string(ms) + "ms" +
                    (r.logNote.empty() ? "" : " " + r.logNote));
        m_response = res;
        beast::get_lowest_layer(m_stream).expires_after(kStepTimeout);
        http::async_write(m_stream, *m_response,
                          beast::bind_front_handler(&Session::onWrite, shared_from_this(), close));
    }

    void onWrite(bool close, beast::error_code ec, std::size_t) {
        m_response.reset();
        releaseBody();
        if (ec)
            return;
        ++m_served;
        if (m_linger)
            return linger();
        if (close)
            return shutdown();
        readHeader(); // closes at once if a stop began meanwhile
    }

    /// True on Continue. Otherwise answers 413 (over a limit) or 400 (framing broken: the
    /// connection cannot be trusted to continue) and lingers — the client may still be
    /// sending, and closing with unread bytes would reset the connection before it reads the
    /// answer — or, on Drop (closed, timed out, cancelled by stop), lets the connection go.
    bool proceed(const FramingOutcome& outcome) {
        switch (outcome.verdict) {
        case FramingVerdict::Continue:
            return true;
        case FramingVerdict::TooLarge:
            m_linger = true;
            respond(m_state.handler.tooLarge(outcome.tooLarge), true);
            return false;
        case FramingVerdict::BrokenFraming:
            m_linger = true;
            respond(m_state.handler.badFraming(outcome.error.message()), true);
            return false;
        case FramingVerdict::Drop:
            return false;
        }
        return false;
    }

    void releaseBody() {
        if (m_reservedBody != 0) {
            m_state.releaseBody(m_reservedBody);
            m_reservedBody = 0;
        }
    }

    /// Reads and discards for at most 2 s or 1 MiB, then the connection closes.
    void linger() {
        if (m_lingered == 0)
            beast::get_lowest_layer(m_stream).expires_after(kLingerTimeout);
        m_stream.async_read_some(net::buffer(m_scratch),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                     self->m_lingered += n + 1;
                                     if (!ec && self->m_lingered < kLingerBytes)
                                         self->linger();
                                 });
    }

    void shutdown() {
        beast::get_lowest_layer(m_stream).expires_after(kShutdownTimeout);
        m_stream.async_shutdown(
            beast::bind_front_handler(&Session::onShutdown, shared_from_this()));
    }

    void onShutdown(beast::error_code) {
        // Whatever happened (the peer may simply have gone), the socket closes with this object.
    }

    beast::ssl_stream<beast::tcp_stream> m_stream;
    ServerState& m_state;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    std::shared_ptr<http::response<http::string_body>> m_response;
    std::string m_clientAddress;
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
    std::size_t m_served = 0;
    std::size_t m_reservedBody = 0;
    bool m_idle = false;
    bool m_linger = false;
    std::size_t m_lingered = 0;
    std::array<char, 16384> m_scratch{};
};

void ServerState::beginStop() {
    stopping = true;
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(m_mutex);
        for (auto& [raw, weak] : m_sessions)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    for (auto& s : live)
        s->closeIfIdle();
    const bool none = live.empty();
    live.clear(); // a Session released here may call remove(), which takes m_mutex
    net::post(m_watchdog.get_executor(), [this] {
        if (m_drained)
            return;
        m_watchdog.expires_after(kDrainTimeout);
        m_watchdog.async_wait([this](beast::error_code ec) {
            if (!ec) {
                log("stop: connections still open after 30 s; closing them");
                m_ioc.stop();
            }
        });
    });
    if (none) {
        std::lock_guard lock(m_mutex);
        if (m_sessions.empty())
            finishDrain();
    }
}

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(net::io_context& ioc, ssl::context& ctx, ServerState& state)
        : m_ioc(ioc), m_ctx(ctx), m_state(state), m_acceptor(net::make_strand(ioc)),
          m_retry(m_acceptor.get_executor()), m_descriptorCeiling(descriptorCeiling()) {}

    Result<std::string, ServerError> listen(const tcp::endpoint& endpoint) {
        beast::error_code ec;
        m_acceptor.open(endpoint.protocol(), ec);
        if (!ec)
            m_acceptor.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec)
            m_acceptor.bind(endpoint, ec);
        if (!ec)
            m_acceptor.listen(net::socket_base::max_listen_connections, ec);
        if (ec)
            return fail(ServerError{"cannot listen on " + endpoint.address().to_string() + ":" +
                                    std::to_string(endpoint.port()) + ": " + ec.message()});
        const auto bound = m_acceptor.local_endpoint(ec);
        const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                         : bound.address().to_string();
        return host + ":" + std::to_string(bound.port());
    }

    void accept() {
        m_acceptor.async_accept(net::make_strand(m_ioc),
                                beast::bind_front_handler(&Listener::onAccept, shared_from_this()));
    }

    void close() {
        net::post(
            m_acceptor.get_executor(),
            [self = shared_from_this()] {
                beast::error_code ec;
                self->m_acceptor.close(ec);
                self->m_retry.cancel();
            });
    }

private:
    void onAccept(beast::error_code ec, tcp::socket socket) {
        if (m_state.stopping || ec == net::error::operation_aborted)
            return;
        if (ec) {
            // EMFILE and friends: the pending connection stays in the backlog, so accepting
            // again at once would spin. Wait, then try again; say so once per interval.
            note("accept: " + ec.message());
            return acceptLater();
        }
        if (nearDescriptorLimit(socket)) {
            // Closed at once, before the last descriptors are gone; the next waits its turn.
            beast::error_code cec;
            socket.close(cec);
            note("accept: fewer than " + std::to_string(kReservedDescriptors) +
                 " file descriptors left; closing new connections until some are free");
            return acceptLater();
        }
        beast::error_code aec;
        auto ep = socket.remote_endpoint(aec);
        std::string address = aec ? std::string() : ep.address().to_string();
        if (aec || !m_state.admit(address)) {
            // Over the connection limits (or already gone): closed before any TLS work.
            socket.close(aec);
            note("refused a connection: over the connection limits (" +
                 std::to_string(m_state.options.maxConnections) + " in all, " +
                 std::to_string(m_state.options.maxConnectionsPerAddress) + " per address)");
        } else {
            std::make_shared<Session>(std::move(socket), m_ctx, m_state, std::move(address))
                ->start();
        }
        accept();
    }

    void acceptLater() {
        m_retry.expires_after(kAcceptRetryDelay);
        m_retry.async_wait([self = shared_from_this()](beast::error_code wec) {
            if (!wec && !self->m_state.stopping)
                self->accept();
        });
    }

    /// Whether `socket` took one of the last kReservedDescriptors descriptors.
    bool nearDescriptorLimit(tcp::socket& socket) const {
        return m_descriptorCeiling &&
               static_cast<rlim_t>(socket.native_handle()) >= *m_descriptorCeiling;
    }

    /// Logs `line` at most once per kAcceptLogInterval, with how many were left out.
    void note(const std::string& line) {
        const auto now = std::chrono::steady_clock::now();
        if (m_lastNote && now - *m_lastNote < kAcceptLogInterval) {
            ++m_suppressed;
            return;
        }
        m_state.log(line + (m_suppressed ? " (and " + std::to_string(m_suppressed) +
                                               " more since the last such line)"
                                         : std::string()));
        m_suppressed = 0;
        m_lastNote = now;
    }

    net::io_context& m_ioc;
    ssl::context& m_ctx;
    ServerState& m_state;
    tcp::acceptor m_acceptor;
    net::steady_timer m_retry;
    const std::optional<rlim_t> m_descriptorCeiling;
    std::optional<std::chrono::steady_clock::time_point> m_lastNote;
    std::size_t m_suppressed = 0;
};

Result<Ok, ServerError> configureTls(ssl::context& ctx, const ServerOptions& o) {
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::single_dh_use);
    SSL_CTX* native = ctx.native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                        "ECDHE-ECDSA-AES256-GCM-SHA384:"
                                        "ECDHE-ECDSA-CHACHA20-POLY1305") != 1)
        return fail(ServerError{"cannot configure TLS (OpenSSL refused the settings)"});
    // Key exchange only over X25519 or P-256: both cost the server about as much as the client.
    if (SSL_CTX_set1_groups_list(native, "X25519:P-256") != 1)
        return fail(ServerError{"cannot configure the TLS key exchange groups"});
    struct stat st {};
    if (::stat(o.privateKey.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        return fail(ServerError{o.privateKey.string() +
                                ": readable by group or others; run: chmod 600 " +
                                o.privateKey.string()});
    beast::error_code ec;
    ctx.use_certificate_chain_file(o.certificateChain.string(), ec);
    if (ec)
        return fail(ServerError{"cannot load the server certificate " +
                                o.certificateChain.string() + ": " + ec.message()});
    ctx.use_private_key_file(o.privateKey.string(), ssl::context::pem, ec);
    if (ec)
        return fail(ServerError{"cannot load the server key " + o.privateKey.string() + ": " +
                                ec.message()});
    if (SSL_CTX_check_private_key(native) != 1)
        return fail(ServerError{o.privateKey.string() + " is not the key of " +
                                o.certificateChain.string()});
    return Ok{};
}

} // namespace

Result<Ok, ServerError> runHttpsServer(RequestHandler& handler, const ServerOptions& o) {
    std::signal(SIGPIPE, SIG_IGN);
    ssl::context ctx(ssl::context::tls_server);
    if (auto r = configureTls(ctx, o); !r)
        return r;

    beast::error_code ec;
    auto address = net::ip::make_address(o.listenHost, ec);
    if (ec)
        return fail(ServerError{"listen address \"" + o.listenHost +
                                "\" is not an IP address (use e.g. 0.0.0.0 or 127.0.0.1)"});
    unsigned long port = 0;
    try {
        port = std::stoul(o.listenPort);
    } catch (const std::exception&) {
        port = 70000;
    }
    if (port > 65535)
        return fail(ServerError{"listen port \"" + o.listenPort + "\" is not a port number"});

    // A batch waiting for the store's shared COMMIT holds no thread (RequestHandler::
    // handleAsync), so a few threads per core keep the cores busy with TLS, parsing and
    // signatures; the spare ones cover requests that do block on the store (a heartbeat's
    // COMMIT, a status look-up while a group commits).
    const unsigned threads =
        o.threads ? o.threads : std::max(4u, 2 * std::thread::hardware_concurrency());
    net::io_context ioc(static_cast<int>(threads));
    if (o.maxConnections == 0 || o.maxConnectionsPerAddress == 0 || o.maxBufferedBodyBytes == 0)
        return fail(ServerError{"connection and body limits must be at least 1"});
    ServerState state(handler, o, ioc);
    auto listener = std::make_shared<Listener>(ioc, ctx, state);
    auto bound = listener->listen(tcp::endpoint(address, static_cast<unsigned short>(port)));
    if (!bound)
        return fail(bound.error());
    listener->accept();

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code sec, int sig) {
        if (sec)
            return;
        state.log(std::string("stop: ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                  "; finishing requests in flight");
        listener->close();
        state.beginStop();
    });
    if (o.onReady)
        o.onReady(*bound);

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    // After a drain that timed out, a batch may still be waiting for its COMMIT: its answer is
    // dropped with the io_context, but only once the handler has given it.
    state.waitForAnswers();
    listener.reset();
    return Ok{};
}

} // namespace minsheng::server
