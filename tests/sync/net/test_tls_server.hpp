// Test helpers for the HTTPS client: throw-away certificates made by the county's own
// `createCountyTls` (no openssl program needed),
// and a small blocking Beast HTTPS server on 127.0.0.1 that answers with a handler.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace minsheng::test {

struct TestCerts {
    std::filesystem::path caPem;
    std::filesystem::path serverPem;
    std::filesystem::path serverKey;
};

/// A fresh county CA and a server certificate signed by it for `host` (an IP address or a DNS
/// name, which becomes the certificate's one subjectAltName), written under dir/<name>/ exactly
/// as `minsheng-county init` writes them. Throws on failure.
TestCerts makeTestCerts(const std::filesystem::path& dir, const std::string& name,
                        const std::string& host);

namespace http = boost::beast::http;
using TestRequest = http::request<http::string_body>;
using TestResponse = http::response<http::string_body>;

/// Thrown by a handler to end the connection without an answer (the request was read and
/// handled, the answer is lost: a connection that breaks while the client waits).
struct DropConnection {};

/// Serves each connection on a thread of its own, so a client may hold several at once.
class TestTlsServer {
public:
    using Handler = std::function<TestResponse(const TestRequest&)>;
    /// closeAfterResponse: answer with keep-alive, then close the connection anyway (what a
    /// server does when its idle timeout passes), so the client's next request finds it stale.
    TestTlsServer(TestCerts certs, Handler handler, bool closeAfterResponse = false);
    ~TestTlsServer();
    unsigned short port() const { return m_port; }
    int connections() const { return m_connections.load(); }
    int requests() const { return m_requests.load(); }

private:
    void run();
    void serve(int fd, boost::asio::ssl::context& ctx);
    TestCerts m_certs;
    Handler m_handler;
    bool m_closeAfterResponse;
    int m_listenFd = -1;
    unsigned short m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_connections{0};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
};

/// A JSON answer with the given status.
TestResponse jsonResponse(unsigned status, const std::string& body, const TestRequest& req);

} // namespace minsheng::test
