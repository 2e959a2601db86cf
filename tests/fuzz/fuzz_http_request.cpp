// The intake server's request framing (county/server/request_framing.hpp): the bytes of one
// connection, read through a flat_buffer of kMaxUnparsedBytes with the server's parser set-up
// and limits, no sockets. The handler is not called: its own target is fuzz_intake_handler.
//
// Invariants beyond "no crash, no sanitizer report":
//   - whether a request is accepted does not depend on how the bytes arrive: all at once and
//     in reads of a few bytes accept the same request or neither. (A refusal may differ: Beast
//     finds a bare LF line ending only when the start line arrives whole; in pieces it waits
//     for CRLF CRLF until the header limit, the deadline or the peer's close.)
//   - an accepted request has at most one Content-Length field, and a Transfer-Encoding only
//     when it is chunked;
//   - an accepted request is complete, its body within bodyLimitFor(method, target), its
//     Content-Length (if any) equal to the body's size and never together with
//     Transfer-Encoding;
//   - a refusal always names what is too large, and a broken framing always carries an error.
#include "county/server/intake_handler.hpp"
#include "county/server/request_framing.hpp"
#include "tests/fuzz/byte_source.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <string>
#include <string_view>

using namespace minsheng::server;
namespace http = boost::beast::http;

namespace {

struct Framed {
    FramingOutcome outcome;
    std::string method, target, body;
};

Framed frame(std::string_view bytes, std::size_t readSize) {
    minsheng::test::ByteSource source(bytes, readSize);
    boost::beast::flat_buffer buffer(kMaxUnparsedBytes);
    RequestParser parser;
    Framed f;
    f.outcome = readRequest(source, buffer, parser, &bodyLimitFor);
    FUZZ_CHECK(buffer.size() <= kMaxUnparsedBytes);
    switch (f.outcome.verdict) {
    case FramingVerdict::Continue: {
        FUZZ_CHECK(parser.is_done());
        const auto& req = parser.get();
        f.method = std::string(req.method_string());
        f.target = std::string(req.target());
        f.body = req.body();
        FUZZ_CHECK(f.body.size() <= bodyLimitFor(f.method, f.target));
        FUZZ_CHECK(req.count(http::field::content_length) <= 1);
        FUZZ_CHECK(req.find(http::field::transfer_encoding) == req.end() || parser.chunked());
        if (req.find(http::field::content_length) != req.end()) {
            FUZZ_CHECK(!parser.chunked());
            FUZZ_CHECK(req.find(http::field::transfer_encoding) == req.end());
            FUZZ_CHECK(parser.content_length() && *parser.content_length() == f.body.size());
        }
        break;
    }
    case FramingVerdict::TooLarge:
        FUZZ_CHECK(!f.outcome.tooLarge.empty());
        break;
    case FramingVerdict::BrokenFraming:
        FUZZ_CHECK(f.outcome.error.failed());
        break;
    case FramingVerdict::Drop:
        break;
    }
    return f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const Framed whole = frame(bytes, bytes.size() + 1);
    const Framed dripped = frame(bytes, 7);
    FUZZ_CHECK((whole.outcome.verdict == FramingVerdict::Continue) ==
               (dripped.outcome.verdict == FramingVerdict::Continue));
    FUZZ_CHECK(whole.method == dripped.method && whole.target == dripped.target &&
               whole.body == dripped.body);
    return 0;
}
