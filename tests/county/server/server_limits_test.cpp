// The intake server's transport limits, each attack reproduced against the real
// `minsheng-county serve` on 127.0.0.1 (bounded in count and size) and judged by what the server
// answers, never by how long it takes (docs/server.md "Limits").
#include "tests/county/server/server_test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace minsheng;
using json = nlohmann::json;

namespace {

struct Site {
    explicit Site(std::vector<std::string> serveArgs = {},
                  std::optional<unsigned> openFileLimit = std::nullopt)
        : server(county.dir, tmp / "server.log", std::move(serveArgs), openFileLimit) {}
    test::TempDir tmp{"minsheng-server-limits"};
    test::TestCounty county{tmp.path(), {"k1"}};
    test::ServerProcess server;
    test::TestKiosk k1{county, "k1"};

    test::TestClient client() { return test::TestClient(server.port(), county.caFile()); }
    bool healthy() {
        auto c = client();
        return c.request("GET", "/healthz").status == 200;
    }
};

std::string code(const test::Reply& r) {
    return json::parse(r.body).at("error").get<std::string>();
}

/// A plain TCP connection to 127.0.0.1:port (no TLS), or -1.
int tcpSocket(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::size_t countLines(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
        ++n;
    return n;
}

} // namespace

TEST_CASE("TLS key exchange: only X25519 and P-256 are accepted", "[server][e2e][tls][limits]") {
    Site s;
    for (const char* group : {"ffdhe8192", "ffdhe2048", "P-521"}) {
        INFO(group);
        auto c = s.client();
        c.offerGroups(group);
        CHECK(c.connect().has_value()); // no group in common: the handshake fails
    }
    for (const char* group : {"X25519", "P-256"}) {
        INFO(group);
        auto c = s.client();
        c.offerGroups(group);
        REQUIRE_FALSE(c.connect().has_value());
        CHECK(c.request("GET", "/healthz").status == 200);
    }
    CHECK(s.server.stop() == 0);
}

TEST_CASE("a chunked body with endless trailer lines is cut and answered 413",
          "[server][e2e][limits]") {
    Site s;
    auto c = s.client();
    c.writeRaw(
        "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n");
    // 64 KiB of trailer lines, never the blank line that would end them. A server that buffers
    // trailers without a bound waits for more and never answers.
    const std::string line = "X-Padding: " + std::string(100, 'a') + "\r\n";
    std::string trailer;
    while (trailer.size() < (64u << 10))
        trailer += line;
    c.writeRaw(trailer);
    auto r = c.readReply();
    CHECK(r.status == 413);
    CHECK(code(r) == "too-large");
    CHECK(r.body.find("trailer") != std::string::npos);
    CHECK(s.healthy());
    CHECK(s.server.stop() == 0);
}

TEST_CASE("broken framing is answered 400 bad-request and logged", "[server][e2e][limits]") {
    Site s;
    const std::string head =
        "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"negative Content-Length", head + "Content-Length: -1\r\n\r\n"},
        {"Content-Length overflow", head + "Content-Length: 99999999999999999999999999\r\n\r\n"},
        {"two different Content-Lengths",
         head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
        {"Content-Length with Transfer-Encoding",
         head + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
        {"bad chunk size", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
    };
    for (const auto& [what, request] : cases) {
        INFO(what);
        auto c = s.client();
        c.writeRaw(request);
        auto r = c.readReply();
        CHECK(r.status == 400);
        CHECK(code(r) == "bad-request");
        CHECK(r.headers.at("connection") == "close");
    }
    CHECK(s.healthy());
    CHECK(countLines(s.server.log(), "refused 400") == cases.size());
    CHECK(s.server.stop() == 0);
}

TEST_CASE("connections over the per-address limit are closed before TLS", "[server][e2e][limits]") {
    Site s({"--max-connections-per-address", "3"});
    std::vector<std::unique_ptr<test::TestClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<test::TestClient>(s.server.port(), s.county.caFile()));
        REQUIRE_FALSE(held.back()->connect().has_value());
    }
    auto fourth = s.client();
    CHECK(fourth.connect().has_value()); // closed during the handshake
    // One held connection goes away; its place is free again once the server has seen it go.
    held.pop_back();
    bool admitted = false;
    for (int attempt = 0; attempt < 100 && !admitted; ++attempt) {
        auto again = s.client();
        admitted = !again.connect().has_value();
        if (!admitted)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(admitted);
    CHECK(s.server.log().find("refused a connection: over the connection limits") !=
          std::string::npos);
    held.clear();
    CHECK(s.server.stop() == 0);
}

TEST_CASE("request bodies share one budget: a body that does not fit is answered 503",
          "[server][e2e][limits]") {
    Site s({"--max-buffered-mib", "1"});
    // A holds 900 KB of the 1 MiB budget: its header is read, its body never completes.
    auto a = s.client();
    const std::size_t bigBody = 900000;
    a.writeRaw("POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
               "application/json\r\nContent-Length: " +
               std::to_string(bigBody) + "\r\n\r\n{\"v\":1,");
    // B asks for 200 KB more. Until the server has read A's header B may still fit, so B tries
    // on fresh connections (bounded) until it meets the full budget.
    const std::string small(200000, ' ');
    std::optional<test::Reply> refused;
    for (int attempt = 0; attempt < 100 && !refused; ++attempt) {
        // Refused: 503 at once (the body is read and discarded). Admitted: the body is read
        // and answered 400 (spaces are no batch).
        auto b = s.client();
        auto r = b.request("POST", "/v1/envelopes", small);
        if (r.status == 503)
            refused = r;
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(refused);
    CHECK(code(*refused) == "busy");
    CHECK(refused->headers.at("retry-after") == "1");
    // A finishes; its reservation is returned, and B's request is read again.
    a.writeRaw(std::string(bigBody - 7, ' '));
    CHECK(a.readReply().status == 400); // not a valid batch, but read and answered
    auto b = s.client();
    auto r = b.request("POST", "/v1/envelopes", test::batchJson({s.k1.next()}));
    CHECK(r.status == 200);
    CHECK(s.server.stop() == 0);
}

// The server keeps descriptors free for the connections it has (sanitizer builds need them
// too: UBSan probes memory with pipe() before it trusts a vtable, and reports a false "invalid
// vptr" when the probe finds no descriptor).
TEST_CASE("out of file descriptors: the accept loop backs off, logs rarely, and recovers",
          "[server][e2e][limits][emfile]") {
    Site s({}, 64u); // RLIMIT_NOFILE 64: a few dozen bare connections exhaust it
    std::vector<int> sockets;
    for (int i = 0; i < 120; ++i) {
        const int fd = tcpSocket(s.server.port());
        if (fd >= 0)
            sockets.push_back(fd);
    }
    // Let the listener meet EMFILE for a while (its retries are 100 ms apart).
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto log = s.server.log();
    const auto acceptLines = countLines(log, "accept: ");
    CHECK(acceptLines >= 1);
    CHECK(acceptLines <= 3); // once per 10 s, not once per try
    for (int fd : sockets)
        ::close(fd);
    bool healthy = false;
    for (int attempt = 0; attempt < 100 && !healthy; ++attempt) {
        try {
            healthy = s.healthy();
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    INFO("server output:\n" << s.server.log());
    CHECK(healthy);
    CHECK(s.server.stop() == 0);
}

TEST_CASE("a batch of a third of a million empty objects is refused in linear work",
          "[server][e2e][limits]") {
    Site s;
    std::string body = R"({"v":1,"envelopes":[{})";
    while (body.size() < (1u << 20) - 8)
        body += ",{}";
    body += "]}";
    auto c = s.client();
    auto r = c.request("POST", "/v1/envelopes", body);
    CHECK((r.status == 413 || r.status == 400)); // over 64 envelopes, or not envelopes
    CHECK(s.healthy());
    // The handler stayed responsive throughout: SIGTERM ends the server normally.
    CHECK(s.server.stop() == 0);
}

TEST_CASE("a real kiosk delivers while envelopes forged in its name flood the server",
          "[server][e2e][limits]") {
    Site s({"--posts-per-minute", "10000", "--kiosk-posts-per-minute", "5"});
    // The forger knows k1's id (not its key) and signs with a key of its own.
    const auto forgerKey = crypto::Ed25519KeyPair::generate();
    auto forger = s.client();
    for (std::uint64_t i = 1; i <= 40; ++i) {
        auto e = s.k1.make(i, {});
        e = crypto::signEnvelope(std::move(e.header), std::move(e.ciphertext), forgerKey.secretKey);
        auto r = forger.request("POST", "/v1/envelopes", test::batchJson({e}));
        REQUIRE(r.status == 200);
        CHECK(json::parse(r.body)["results"][0]["error"] == "bad-signature");
    }
    auto kiosk = s.client();
    auto r = kiosk.request("POST", "/v1/envelopes", test::batchJson({s.k1.next()}));
    CHECK(r.status == 200);
    CHECK(json::parse(r.body)["results"][0]["status"] == "stored");
    // The server checks form ids against the county's forms (DIR/forms).
    CHECK(s.server.log().find("form ids are not checked") == std::string::npos);
    CHECK(s.server.stop() == 0);
}
