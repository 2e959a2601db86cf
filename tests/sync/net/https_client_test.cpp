// minsheng_net: URL parsing and every failure kind of HttpsClient against real sockets on
// 127.0.0.1 (a small Beast TLS server with throw-away certificates from the openssl command).
#include <catch2/catch.hpp>

#include "sync/net/https_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/sync/net/test_tls_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace minsheng;
using namespace minsheng::sync;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// A TCP socket that listens but never accepts: connects succeed (the kernel completes them),
/// nothing is ever answered.
struct SilentListener {
    int fd = -1;
    unsigned short port = 0;
    SilentListener() {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, 8) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~SilentListener() { ::close(fd); }
};

/// A port nobody listens on (bound, then closed).
unsigned short closedPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

HttpsEndpoint endpoint(const std::string& host, unsigned short port, const fs::path& ca) {
    return HttpsEndpoint{host, std::to_string(port), ca};
}

struct Pki {
    test::TempDir dir{"minsheng-net"};
    test::TestCerts good = test::makeTestCerts(dir.path(), "county", "127.0.0.1");
    test::TestCerts byName = test::makeTestCerts(dir.path(), "byname", "localhost");
    test::TestCerts other = test::makeTestCerts(dir.path(), "other", "127.0.0.1");
    test::TestCerts wrongName = test::makeTestCerts(dir.path(), "wrongname", "county.example");
};

Pki& pki() {
    static Pki p; // made once per test run
    return p;
}

test::TestResponse echo(const test::TestRequest& req) {
    return test::jsonResponse(200,
                              "{\"method\":\"" + std::string(req.method_string()) +
                                  "\",\"target\":\"" + std::string(req.target()) +
                                  "\",\"bytes\":" + std::to_string(req.body().size()) + "}",
                              req);
}

} // namespace

TEST_CASE("parseHttpsUrl takes https://host[:port] and nothing else", "[net][url]") {
    auto ok = parseHttpsUrl("https://county.example.cn", "/ca.pem");
    REQUIRE(ok);
    CHECK(ok->host == "county.example.cn");
    CHECK(ok->port == "443");
    CHECK(ok->caFile == "/ca.pem");

    ok = parseHttpsUrl("https://127.0.0.1:8443", "ca.pem");
    REQUIRE(ok);
    CHECK(ok->host == "127.0.0.1");
    CHECK(ok->port == "8443");

    ok = parseHttpsUrl("https://[::1]:9000/", "ca.pem");
    REQUIRE(ok);
    CHECK(ok->host == "::1");
    CHECK(ok->port == "9000");

    ok = parseHttpsUrl("https://County.Example.CN:443", "ca.pem");
    REQUIRE(ok);
    CHECK(ok->host == "county.example.cn");

    for (const char* bad :
         {"http://county.example.cn", "county.example.cn", "https://", "https://:443",
          "https://host:", "https://host:0", "https://host:65536", "https://host:12a",
          "https://user:pw@host", "https://host/v1", "https://host?x=1", "https://[::1",
          "https://[127.0.0.1]:80", "https://ho st", "https://host_name", "ftp://host"}) {
        INFO(bad);
        auto r = parseHttpsUrl(bad, "ca.pem");
        REQUIRE_FALSE(r);
        CHECK_FALSE(r.error().empty());
    }
}

TEST_CASE("a request over TLS to the pinned CA succeeds and the connection is reused",
          "[net][tls]") {
    test::TestTlsServer server(pki().good, echo);
    HttpsClient client(endpoint("127.0.0.1", server.port(), pki().good.caPem));
    for (int i = 0; i < 5; ++i) {
        auto r =
            client.request("POST", "/v1/envelopes", "{\"v\":1}", {{"Authorization", "Bearer x"}});
        INFO((r ? std::string() : r.error().message));
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->headers.at("content-type") == "application/json");
        CHECK(r->body == R"({"method":"POST","target":"/v1/envelopes","bytes":7})");
    }
    client.close();
    CHECK(server.requests() == 5);
    CHECK(server.connections() == 1);
}

TEST_CASE("a host name is verified against the certificate (SNI + RFC 6125)", "[net][tls]") {
    test::TestTlsServer server(pki().byName, echo);
    // "localhost" is the certificate's subjectAltName.
    HttpsClient byName(endpoint("localhost", server.port(), pki().byName.caPem));
    auto r = byName.request("GET", "/healthz");
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
    byName.close();

    // A certificate from the right CA for another name is refused.
    test::TestTlsServer misnamed(pki().wrongName, echo);
    HttpsClient client(endpoint("127.0.0.1", misnamed.port(), pki().wrongName.caPem));
    auto bad = client.request("GET", "/healthz");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().kind == NetErrorKind::TlsVerify);
    CHECK(misnamed.requests() == 0);
}

TEST_CASE("a server certificate from another CA is a TlsVerify error", "[net][tls]") {
    test::TestTlsServer server(pki().other, echo); // a CA the client does not trust
    HttpsClient client(endpoint("127.0.0.1", server.port(), pki().good.caPem));
    auto r = client.request("GET", "/healthz");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == NetErrorKind::TlsVerify);
    CHECK_THAT(r.error().message, Catch::Contains("not trusted"));
    CHECK(server.requests() == 0);
}

TEST_CASE("connection refused, silence and a missing CA file have their own kinds",
          "[net][failures]") {
    SECTION("refused") {
        HttpsClient client(endpoint("127.0.0.1", closedPort(), pki().good.caPem));
        auto r = client.request("GET", "/healthz");
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == NetErrorKind::Connect);
    }
    SECTION("a listening socket that never answers: the handshake deadline") {
        SilentListener silent;
        HttpsClientOptions opt;
        opt.stepTimeout = 300ms;
        HttpsClient client(endpoint("127.0.0.1", silent.port, pki().good.caPem), opt);
        auto r = client.request("GET", "/healthz");
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == NetErrorKind::Timeout);
    }
    SECTION("the total deadline cuts a request short") {
        SilentListener silent;
        HttpsClientOptions opt;
        opt.stepTimeout = 60s;
        opt.totalTimeout = 300ms;
        HttpsClient client(endpoint("127.0.0.1", silent.port, pki().good.caPem), opt);
        auto r = client.request("GET", "/healthz");
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == NetErrorKind::Timeout);
    }
    SECTION("no CA file") {
        HttpsClient client(endpoint("127.0.0.1", closedPort(), pki().dir / "missing.pem"));
        auto r = client.request("GET", "/healthz");
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == NetErrorKind::Config);
    }
    SECTION("a CA file that is not a certificate") {
        test::writeFile(pki().dir / "junk.pem", "not a certificate\n");
        HttpsClient client(endpoint("127.0.0.1", closedPort(), pki().dir / "junk.pem"));
        auto r = client.request("GET", "/healthz");
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == NetErrorKind::Config);
    }
    SECTION("an unknown host name") {
        HttpsClient client(endpoint("no-such-host.invalid", 443, pki().good.caPem));
        auto r = client.request("GET", "/healthz");
        REQUIRE_FALSE(r);
        CHECK((r.error().kind == NetErrorKind::Resolve || r.error().kind == NetErrorKind::Timeout));
    }
}

TEST_CASE("a stale kept-alive connection is retried once on a fresh one", "[net][keepalive]") {
    // The server answers with keep-alive and then closes the connection anyway.
    test::TestTlsServer server(pki().good, echo, /*closeAfterResponse=*/true);
    HttpsClient client(endpoint("127.0.0.1", server.port(), pki().good.caPem));
    for (int i = 0; i < 3; ++i) {
        auto r = client.request("GET", "/healthz");
        INFO((r ? std::string() : r.error().message));
        REQUIRE(r);
        CHECK(r->status == 200);
    }
    client.close();
    CHECK(server.requests() == 3);
    CHECK(server.connections() == 3);
}

TEST_CASE("an answer over the body limit is a Protocol error", "[net][limits]") {
    test::TestTlsServer server(pki().good, [](const test::TestRequest& req) {
        return test::jsonResponse(200, "\"" + std::string(100000, 'x') + "\"", req);
    });
    HttpsClientOptions opt;
    opt.maxBodyBytes = 64 * 1024;
    HttpsClient client(endpoint("127.0.0.1", server.port(), pki().good.caPem), opt);
    auto r = client.request("GET", "/v1/status/x");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == NetErrorKind::Protocol);
    // The client recovers: a new request uses a new connection.
    opt.maxBodyBytes = 1 << 20;
    HttpsClient roomy(endpoint("127.0.0.1", server.port(), pki().good.caPem), opt);
    auto ok = roomy.request("GET", "/v1/status/x");
    REQUIRE(ok);
    CHECK(ok->body.size() == 100002);
}

TEST_CASE("a server that closes without answering is an Io error, not a hang", "[net][failures]") {
    test::TestTlsServer server(pki().good, [](const test::TestRequest& req) {
        auto res = test::jsonResponse(200, "{}", req);
        res.keep_alive(false);
        return res;
    });
    HttpsClient client(endpoint("127.0.0.1", server.port(), pki().good.caPem));
    auto r = client.request("GET", "/a");
    REQUIRE(r); // Connection: close is honoured: the next request opens a new connection
    r = client.request("GET", "/b");
    REQUIRE(r);
    CHECK(server.connections() == 2);
}
