#include "county/server/request_framing.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <iterator>

namespace minsheng::server {
namespace {

namespace http = boost::beast::http;

FramingOutcome tooLarge(std::string_view what) {
    return {FramingVerdict::TooLarge, what, {}};
}

/// A parse error of the request itself, as opposed to the peer going away or a deadline.
bool isBrokenFraming(const boost::beast::error_code& ec) {
    return ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message &&
           ec != http::error::need_more && ec != http::error::need_buffer &&
           ec != http::error::body_limit && ec != http::error::header_limit &&
           ec != http::error::buffer_overflow;
}

/// No Transfer-Encoding field, or exactly one whose value is "chunked" (any case, around it
/// optional white space).
bool transferEncodingIsChunkedOrAbsent(const RequestParser::value_type& header) {
    const auto fields = header.equal_range(http::field::transfer_encoding);
    const auto count = std::distance(fields.first, fields.second);
    if (count == 0)
        return true;
    if (count > 1)
        return false;
    auto value = fields.first->value();
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
    return boost::beast::iequals(value, "chunked");
}

/// The verdicts both steps share; `fields` names the fields the step reads (the header, or a
/// chunked body's trailer), which a header limit or a full buffer cut.
FramingOutcome classify(const boost::beast::error_code& ec, std::string_view fields) {
    if (!ec)
        return {};
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return tooLarge(fields);
    if (ec == http::error::body_limit)
        return tooLarge("the body");
    if (isBrokenFraming(ec))
        return {FramingVerdict::BrokenFraming, {}, ec};
    return {FramingVerdict::Drop, {}, ec};
}

} // namespace

void prepareRequestParser(RequestParser& parser) {
    parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    // The largest limit while the header is read; planBody sets the route's.
    parser.body_limit(kMaxEnvelopeBatchBody);
}

FramingOutcome afterHeader(const boost::beast::error_code& ec, std::size_t headerBytes) {
    if (!ec && headerBytes > kMaxHeaderBytes)
        return tooLarge("the request header");
    return classify(ec, "the request header");
}

BodyPlan planBody(RequestParser& parser, const BodyLimitFn& bodyLimit) {
    const auto& h = parser.get();
    const auto method = h.method_string();
    const auto target = h.target();
    BodyPlan plan;
    // Beast takes repeated equal Content-Length fields as one (RFC 9112 allows either); an
    // intermediary that takes the first or the last differently could frame the next request
    // differently, so only one is accepted.
    const auto lengths = h.equal_range(http::field::content_length);
    if (std::distance(lengths.first, lengths.second) > 1) {
        plan.outcome = {FramingVerdict::BrokenFraming,
                        {},
                        http::make_error_code(http::error::bad_content_length)};
        return plan;
    }
    // Beast frames by Content-Length when Transfer-Encoding names a coding other than chunked;
    // a peer that honours the Transfer-Encoding frames the bytes otherwise (RFC 9112 section
    // 6.1: such a request is answered 400). The server decodes no coding but chunked.
    if (!transferEncodingIsChunkedOrAbsent(h)) {
        plan.outcome = {FramingVerdict::BrokenFraming,
                        {},
                        http::make_error_code(http::error::bad_transfer_encoding)};
        return plan;
    }
    plan.limit = bodyLimit(std::string_view(method.data(), method.size()),
                           std::string_view(target.data(), target.size()));
    const auto length = parser.content_length();
    if (length && *length > plan.limit) {
        plan.outcome = tooLarge("the body");
        return plan;
    }
    // A chunked body may grow to the route's limit, so that much is held for it.
    plan.reservation = length ? static_cast<std::size_t>(*length) : plan.limit;
    parser.body_limit(plan.limit);
    return plan;
}

FramingOutcome afterBody(const boost::beast::error_code& ec) {
    return classify(ec, "the chunked trailer");
}

} // namespace minsheng::server
