// Request framing: how the intake server reads one HTTP/1.1 request within its limits
// (docs/server.md "Limits"), apart from sockets, so that the server, the fuzzer and the tests
// use the same parser set-up and the same verdicts.
//
// A request is read in two steps, each followed by a verdict:
//   1. the header, with a parser from prepareRequestParser(): request line and fields within
//      kMaxHeaderBytes, and the largest body limit of any route (Beast compares a
//      Content-Length with the body limit as soon as it reads one);
//   2. the body, after planBody() has set the route's limit (the handler's bodyLimit) and refused a
//      Content-Length over it, or given twice, and a Transfer-Encoding other than chunked,
//      before any body byte is read.
// The buffer the bytes are read into holds at most kMaxUnparsedBytes that the parser has not
// consumed (a header, a chunk-size line, a chunked trailer: Beast buffers a trailer whole).
//
// Verdicts: Continue (go on with the next step / handle the request), TooLarge (413, `what`
// names the part over its limit), BrokenFraming (400: the bytes cannot be framed as one
// request, e.g. a bad Content-Length, Content-Length with Transfer-Encoding, a bad chunk),
// Drop (the peer went away, a deadline passed, the step was cancelled: nothing to answer).
#pragma once

#include "county/server/request_handler.hpp"
#include "sync/wire/endpoints.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <functional>
#include <string_view>

namespace minsheng::server {

using sync::kMaxEnvelopeBatchBody;
using sync::kMaxHeaderBytes;

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

/// Bytes a connection may hold that the parser has not consumed yet: twice the header limit,
/// so a header always fits, and a chunked trailer is cut here.
inline constexpr std::size_t kMaxUnparsedBytes = 2 * kMaxHeaderBytes;

enum class FramingVerdict { Continue, TooLarge, BrokenFraming, Drop };

struct FramingOutcome {
    FramingVerdict verdict = FramingVerdict::Continue;
    /// TooLarge: the part over its limit ("the request header", "the body", "the chunked
    /// trailer"); empty otherwise.
    std::string_view tooLarge;
    /// BrokenFraming and Drop: the parser's or the transport's error.
    boost::beast::error_code error;
};

/// Limits for reading the next request's header (the parser must be fresh).
void prepareRequestParser(RequestParser& parser);

/// The verdict on reading the header (step 1) that ended with `ec` after the parser took
/// `headerBytes`. Beast's own header limit leaves out the request line when it arrives with
/// the fields, so the limit of request line and fields together is checked here.
FramingOutcome afterHeader(const boost::beast::error_code& ec, std::size_t headerBytes);

struct BodyPlan {
    FramingOutcome outcome;      // TooLarge when the Content-Length is over `limit`
    std::size_t limit = 0;       // the route's body limit, now set on the parser
    std::size_t reservation = 0; // bytes to hold for the body: its Content-Length, or `limit`
};

/// A route's body limit for a request line (RequestHandler::bodyLimit, or the intake server's
/// bodyLimitFor).
using BodyLimitFn = std::function<std::size_t(std::string_view method, std::string_view target)>;

/// After a header was read: the route's body limit (`bodyLimit`) set on `parser`.
BodyPlan planBody(RequestParser& parser, const BodyLimitFn& bodyLimit);

/// The verdict on reading the body (step 2) that ended with `ec`.
FramingOutcome afterBody(const boost::beast::error_code& ec);

/// Both steps over a synchronous stream (Beast's SyncReadStream; the server's own steps are
/// asynchronous). `parser` is prepared here; on Continue it holds the whole request. No body
/// budget is reserved.
template <class SyncReadStream>
FramingOutcome readRequest(SyncReadStream& stream, boost::beast::flat_buffer& buffer,
                           RequestParser& parser, const BodyLimitFn& bodyLimit) {
    prepareRequestParser(parser);
    boost::beast::error_code ec;
    const std::size_t headerBytes = boost::beast::http::read_header(stream, buffer, parser, ec);
    if (auto header = afterHeader(ec, headerBytes); header.verdict != FramingVerdict::Continue)
        return header;
    if (auto plan = planBody(parser, bodyLimit); plan.outcome.verdict != FramingVerdict::Continue)
        return plan.outcome;
    boost::beast::http::read(stream, buffer, parser, ec);
    return afterBody(ec);
}

} // namespace minsheng::server
