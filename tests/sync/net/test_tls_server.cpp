#include "tests/sync/net/test_tls_server.hpp"

#include "county/office/county_tls.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace minsheng::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;

TestCerts makeTestCerts(const std::filesystem::path& dir, const std::string& name,
                        const std::string& host) {
    // The county's own code path (`minsheng-county init`): the same CA and server certificate
    // profile the intake server runs with, made by OpenSSL's library rather than a program.
    const auto tlsDir = dir / name;
    auto made = county::createCountyTls(tlsDir, "https://" + host, name + " test", nullptr);
    if (!made)
        throw std::runtime_error("makeTestCerts(" + name + "): " + made.error().message);
    return TestCerts{tlsDir / "ca.pem", tlsDir / "server.pem", tlsDir / "server.key"};
}

TestResponse jsonResponse(unsigned status, const std::string& body, const TestRequest& req) {
    TestResponse res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = body;
    res.prepare_payload();
    return res;
}

TestTlsServer::TestTlsServer(TestCerts certs, Handler handler, bool closeAfterResponse)
    : m_certs(std::move(certs)), m_handler(std::move(handler)),
      m_closeAfterResponse(closeAfterResponse) {
    m_listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(m_listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_listenFd, 16) != 0)
        throw std::runtime_error("TestTlsServer: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(m_listenFd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { run(); });
}

TestTlsServer::~TestTlsServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_listenFd);
}

void TestTlsServer::run() {
    ssl::context ctx(ssl::context::tls_server);
    ctx.use_certificate_chain_file(m_certs.serverPem.string());
    ctx.use_private_key_file(m_certs.serverKey.string(), ssl::context::pem);
    std::vector<std::thread> connections;
    while (!m_stop) {
        pollfd p{m_listenFd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        ++m_connections;
        connections.emplace_back([this, fd, &ctx] { serve(fd, ctx); });
    }
    for (auto& t : connections)
        t.join();
}

void TestTlsServer::serve(int fd, ssl::context& ctx) {
    asio::io_context ioc;
    timeval tv{0, 200000}; // a read blocks at most 200 ms, so the loop sees m_stop
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    asio::ip::tcp::socket sock(ioc);
    sock.assign(asio::ip::tcp::v4(), fd);
    beast::ssl_stream<asio::ip::tcp::socket> stream(std::move(sock), ctx);
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (ec)
        return;
    beast::flat_buffer buffer;
    while (!m_stop) {
        TestRequest req;
        http::read(stream, buffer, req, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            ec = {};
            continue;
        }
        if (ec)
            break;
        ++m_requests;
        TestResponse res;
        try {
            res = m_handler(req);
        } catch (const DropConnection&) {
            break;
        }
        http::write(stream, res, ec);
        if (ec || m_closeAfterResponse || !res.keep_alive())
            break;
    }
    stream.next_layer().close(ec);
}

} // namespace minsheng::test
