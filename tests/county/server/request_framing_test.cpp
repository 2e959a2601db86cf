// The intake server's request framing without sockets: each file of the fuzz target's seed
// corpus (tests/fuzz/corpus/http_request) through readRequest, whole and in small reads, with
// the verdict its name starts with (ok-, 400-, 413-, drop-); then what an accepted request
// holds.
#include "county/server/intake_handler.hpp"
#include "county/server/request_framing.hpp"
#include "tests/fuzz/byte_source.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using namespace minsheng;
using namespace minsheng::server;

namespace {

struct Read {
    FramingOutcome outcome;
    RequestParser parser;
};

/// Reads `bytes` as one connection delivers them, `readSize` bytes at a time.
std::unique_ptr<Read> frame(const std::string& bytes, std::size_t readSize) {
    auto r = std::make_unique<Read>();
    test::ByteSource source(bytes, readSize);
    boost::beast::flat_buffer buffer(kMaxUnparsedBytes);
    r->outcome = readRequest(source, buffer, r->parser, &bodyLimitFor);
    return r;
}

std::string verdictName(FramingVerdict v) {
    switch (v) {
    case FramingVerdict::Continue:
        return "ok";
    case FramingVerdict::TooLarge:
        return "413";
    case FramingVerdict::BrokenFraming:
        return "400";
    case FramingVerdict::Drop:
        return "drop";
    }
    return "?";
}

const std::string kHost = "Host: 127.0.0.1\r\n";

} // namespace

TEST_CASE("request framing: every seed of the fuzz corpus gets the verdict its name gives",
          "[server][framing]") {
    const auto corpus = test::sourceDir() / "tests" / "fuzz" / "corpus" / "http_request";
    std::size_t seeds = 0;
    for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
        const std::string name = entry.path().filename().string();
        const std::string expected = name.substr(0, name.find('-'));
        const std::string bytes = test::readFile(entry.path());
        INFO(name);
        // As a client sends a request: in one piece.
        const auto whole = frame(bytes, bytes.size() + 1);
        INFO("error: " << whole->outcome.error.message());
        CHECK(verdictName(whole->outcome.verdict) == expected);
        // In pieces the same request is accepted, or none.
        for (std::size_t readSize : {std::size_t{1}, std::size_t{7}}) {
            INFO("read " << readSize << " bytes at a time");
            const auto pieces = frame(bytes, readSize);
            CHECK((pieces->outcome.verdict == FramingVerdict::Continue) == (expected == "ok"));
            // Except a bare LF, which Beast finds only in a start line that arrives whole.
            if (expected != "ok" && name.find("bare-lf") == std::string::npos)
                CHECK(verdictName(pieces->outcome.verdict) == expected);
        }
        ++seeds;
    }
    CHECK(seeds >= 20);
}

TEST_CASE("request framing: a bare LF line ending is refused at once when the start line "
          "arrives whole, and never accepted",
          "[server][framing]") {
    const std::string bareLf = "GET /healthz HTTP/1.1\nHost: 127.0.0.1\n\n";
    CHECK(frame(bareLf, bareLf.size())->outcome.verdict == FramingVerdict::BrokenFraming);
    // In pieces Beast waits for CRLF CRLF; here the peer closes first (a waiting peer meets
    // the header limit or the deadline).
    CHECK(frame(bareLf, 1)->outcome.verdict == FramingVerdict::Drop);
    const std::string longBareLf =
        "GET /healthz HTTP/1.1\nX-Pad: " + std::string(kMaxHeaderBytes, 'a') + "\n\n";
    CHECK(frame(longBareLf, 5)->outcome.verdict == FramingVerdict::TooLarge);
}

TEST_CASE("request framing: a chunked body with trailers is joined, the trailer kept apart",
          "[server][framing]") {
    const auto r = frame("POST /v1/heartbeat HTTP/1.1\r\n" + kHost +
                             "Transfer-Encoding: chunked\r\n\r\n"
                             "4\r\n{\"v\"\r\n3;ext=1\r\n:1}\r\n0\r\nX-Checksum: abc\r\n\r\n",
                         3);
    REQUIRE(r->outcome.verdict == FramingVerdict::Continue);
    CHECK(r->parser.get().body() == "{\"v\":1}");
    CHECK(r->parser.get()["X-Checksum"] == "abc");
}

TEST_CASE("request framing: body limits follow the route", "[server][framing]") {
    const auto post = [](const std::string& target, std::size_t length) {
        return frame("POST " + target + " HTTP/1.1\r\n" + kHost + "Content-Length: " +
                         std::to_string(length) + "\r\n\r\n" + std::string(length, 'x'),
                     1u << 16);
    };
    CHECK(post("/v1/heartbeat", kMaxOtherBody)->outcome.verdict == FramingVerdict::Continue);
    const auto over = post("/v1/heartbeat", kMaxOtherBody + 1);
    CHECK(over->outcome.verdict == FramingVerdict::TooLarge);
    CHECK(over->outcome.tooLarge == "the body");
    CHECK(post("/v1/envelopes", kMaxOtherBody + 1)->outcome.verdict == FramingVerdict::Continue);
    CHECK(post("/v1/envelopes?x=1", kMaxOtherBody + 1)->outcome.verdict ==
          FramingVerdict::Continue);
    // A chunked body is cut at the route's limit as it arrives.
    std::string chunked =
        "POST /v1/heartbeat HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 17; ++i)
        chunked += "1000\r\n" + std::string(0x1000, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    const auto cut = frame(chunked, 4096);
    CHECK(cut->outcome.verdict == FramingVerdict::TooLarge);
    CHECK(cut->outcome.tooLarge == "the body");
}

TEST_CASE("request framing: the header limit counts the request line, however the bytes arrive",
          "[server][framing]") {
    const std::string requestLine = "GET /healthz HTTP/1.1\r\n";
    const auto headerOf = [&](std::size_t total) {
        const std::size_t pad = total - requestLine.size() - kHost.size() - 11;
        return requestLine + kHost + "X-Pad: " + std::string(pad, 'a') + "\r\n\r\n";
    };
    REQUIRE(headerOf(kMaxHeaderBytes).size() == kMaxHeaderBytes);
    for (std::size_t readSize : {std::size_t{1} << 16, std::size_t{7}, std::size_t{1}}) {
        INFO("read " << readSize << " bytes at a time");
        CHECK(frame(headerOf(kMaxHeaderBytes), readSize)->outcome.verdict ==
              FramingVerdict::Continue);
        const auto over = frame(headerOf(kMaxHeaderBytes + 1), readSize);
        CHECK(over->outcome.verdict == FramingVerdict::TooLarge);
        CHECK(over->outcome.tooLarge == "the request header");
    }
}

TEST_CASE("request framing: what is too large is named", "[server][framing]") {
    const auto header = frame(
        "GET /healthz HTTP/1.1\r\n" + kHost + "X-Pad: " + std::string(9000, 'a') + "\r\n\r\n", 512);
    CHECK(header->outcome.verdict == FramingVerdict::TooLarge);
    CHECK(header->outcome.tooLarge == "the request header");
    const auto trailer = frame("POST /v1/heartbeat HTTP/1.1\r\n" + kHost +
                                   "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-Pad: " +
                                   std::string(20000, 'b') + "\r\n\r\n",
                               512);
    CHECK(trailer->outcome.verdict == FramingVerdict::TooLarge);
    CHECK(trailer->outcome.tooLarge == "the chunked trailer");
    // A trailer is held to the unparsed bytes (16 KiB), not to the header limit.
    const auto trailerWithinBuffer =
        frame("POST /v1/heartbeat HTTP/1.1\r\n" + kHost +
                  "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-Pad: " +
                  std::string(kMaxHeaderBytes + 1000, 'b') + "\r\n\r\n",
              512);
    CHECK(trailerWithinBuffer->outcome.verdict == FramingVerdict::Continue);
}
