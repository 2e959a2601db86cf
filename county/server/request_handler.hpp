// RequestHandler: what the HTTPS transport (https_server.hpp) asks of the program it serves —
// an answer for each whole request, the answers for requests it refused before reading them
// whole, and each route's body limit. The intake server (IntakeHandler) and the office console
// (county/console) are the two handlers; neither sees a socket.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::server {

struct HttpRequest {
    std::string method; // "GET", "POST", "PUT", ...
    std::string target; // origin-form: path and query
    std::string contentType;
    std::string authorization;
    std::string cookie;    // the Cookie field as sent (the console's session)
    std::string csrfToken; // X-CSRF-Token (the console's changes)
    std::string origin;    // Origin, when the browser sent one
    std::string body;
    std::string clientAddress; // for per-address rate limits only; never logged or stored
};

struct HttpResponse {
    unsigned status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // Retry-After, Allow, Set-Cookie
    std::string route;   // endpoint label for logs and metrics ("envelopes", "status", ...)
    std::string logNote; // counts and ids only: no report content, tag or address
};

/// Takes the answer to a request; called exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    /// The answer to one whole request. Thread-safe: the transport calls it from its pool.
    virtual HttpResponse handle(const HttpRequest& request) = 0;
    /// What the transport calls: answers through `respond`, exactly once. By default at once
    /// with handle(). A handler overrides it for requests that wait for something other than
    /// the CPU (the intake store's shared COMMIT), so that no transport thread is blocked while
    /// they wait; `request` is only valid during the call. If it throws, `respond` was not
    /// called.
    virtual void handleAsync(const HttpRequest& request, Responder respond) {
        respond(handle(request));
    }
    /// 413: the part named by `what` is over its limit.
    virtual HttpResponse tooLarge(std::string_view what) = 0;
    /// 400: the request's framing is broken (`why` is the parser's words).
    virtual HttpResponse badFraming(std::string_view why) = 0;
    /// 503 with Retry-After: a shared budget (`what`) is used up for the moment.
    virtual HttpResponse overloaded(std::string_view what) = 0;
    /// The body limit for a request line, decided as soon as the header is read.
    virtual std::size_t bodyLimit(std::string_view method, std::string_view target) const = 0;
};

} // namespace minsheng::server
