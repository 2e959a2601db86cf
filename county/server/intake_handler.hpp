// IntakeHandler: every endpoint of the intake server (docs/protocol.md sections 7-10) as a
// function from a request to a response, over an IntakeStore and the kiosk registry.
//
// No sockets here: the Beast server (https_server.hpp) reads a request within its limits, calls
// handleAsync(), and writes what comes back (for a batch to store, from the store's commit
// thread once its COMMIT returned). Unit tests and the fuzzer call handle() directly: the same
// checks and answers, waiting for the COMMIT in the calling thread.
// Thread-safe: the store, the registry cache, the rate limiters and the counters each lock.
//
// What the handler never does: open a payload (it has no sealing key), put a receipt tag, a
// payload or a client address into a log note, or store a partial batch.
#pragma once

#include "county/server/header_rules.hpp"
#include "county/server/intake_store.hpp"
#include "county/server/rate_limiter.hpp"
#include "county/server/registry_cache.hpp"
#include "county/server/request_handler.hpp"
#include "crypto/keys.hpp"
#include "sync/wire/endpoints.hpp"
#include "sync/wire/http_bodies.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace minsheng::server {

// Body limits (docs/protocol.md section 7), declared with the message bodies.
using sync::kMaxBatchEnvelopes;
using sync::kMaxEnvelopeBatchBody;
using sync::kMaxHeaderBytes;
using sync::kMaxOtherBody;
using sync::kMaxPullBytes;
using sync::kMaxPullLimit;

/// A kiosk not heard from for this long is listed as silent.
inline constexpr std::int64_t kSilentAfterSeconds = 24 * 3600;

/// The body limit for a request line, decided as soon as the header is read.
std::size_t bodyLimitFor(std::string_view method, std::string_view target);

struct HandlerLimits {
    double statusPerMinutePerAddress = 10;
    double postsPerMinutePerAddress = 600;
    /// Charged only for requests whose signature verified: a forger cannot spend a real
    /// kiosk's budget.
    double postsPerMinutePerKiosk = 600;
    /// What a verified envelope's header must satisfy (header_rules.hpp).
    HeaderRules header;
};

class IntakeHandler final : public RequestHandler {
public:
    using UnixClock = std::function<std::int64_t()>;
    using LogSink = std::function<void(const std::string&)>;

    /// `staffToken` empty: staff endpoints always answer 401 (no token file).
    IntakeHandler(IntakeStore& store, RegistryCache& registry,
                  const crypto::Ed25519PublicKey& countySigningKey,
                  const crypto::SecretBytes& staffToken, LogSink log, HandlerLimits limits = {},
                  UnixClock clock = {});

    /// Waits for the batches handed to the store and not answered yet.
    ~IntakeHandler() override;
    IntakeHandler(const IntakeHandler&) = delete;
    IntakeHandler& operator=(const IntakeHandler&) = delete;

    HttpResponse handle(const HttpRequest& request) override;
    /// POST /v1/envelopes: checked in the calling thread, answered from the store's commit
    /// thread once the COMMIT that holds the batch returned. Everything else: handle().
    void handleAsync(const HttpRequest& request, Responder respond) override;

    /// Answers for requests the transport refused before handle() (counted like the others).
    HttpResponse tooLarge(std::string_view what) override;
    /// 400 "bad-request": the request's framing is broken (`why` is the parser's words).
    HttpResponse badFraming(std::string_view why) override;
    /// 503 "busy" with Retry-After: a shared budget (`what`) is used up for the moment.
    HttpResponse overloaded(std::string_view what) override;
    std::size_t bodyLimit(std::string_view method, std::string_view target) const override {
        return bodyLimitFor(method, target);
    }

    /// Prometheus text (docs/protocol.md section 10). Counters and fleet totals only: no kiosk
    /// id, and no store access, so its cost does not grow with the store.
    std::string metricsText();

private:
    struct EnvelopeRequest;
    HttpResponse postEnvelopes(const HttpRequest& r);
    /// Steps 1-5 of docs/protocol.md section 5 for a batch: what to store, or the refusal.
    Result<std::unique_ptr<EnvelopeRequest>, HttpResponse> checkEnvelopes(const HttpRequest& r);
    /// The answer to a checked batch; `stored` is the store's result, none when nothing was
    /// offered to the store.
    HttpResponse answerEnvelopes(EnvelopeRequest& request,
                                 std::optional<IntakeStore::BatchResult> stored);
    HttpResponse postHeartbeat(const HttpRequest& r);
    HttpResponse getStatus(const HttpRequest& r, std::string_view tag);
    HttpResponse staffEnvelopes(const HttpRequest& r, std::string_view query);
    HttpResponse staffPutStatus(const HttpRequest& r, std::string_view tag);
    HttpResponse staffKiosks();
    HttpResponse getConfig(const HttpRequest& r, std::string_view kioskId);
    HttpResponse staffPutConfig(const HttpRequest& r);

    /// The shared start of the two kiosk POSTs: the per-address rate limit, then the content
    /// type. A response when the request is refused.
    std::optional<HttpResponse> refuseKioskPost(const HttpRequest& r);
    HttpResponse refusedBody(const sync::RequestBodyError& e);
    /// Step 3 of docs/protocol.md section 5 for a kiosk request: enrolled, not revoked. The
    /// enrolment, or the response that refuses the request.
    Result<county::EnrolledKiosk, HttpResponse> enrolledKiosk(const std::string& kioskId);
    /// After a signature verified: the kiosk's request budget. A 429 when it is spent.
    std::optional<HttpResponse> chargeKiosk(const std::string& kioskId);
    /// Remembers a verified contact for /metrics (no store access there).
    void noteContact(const std::string& kioskId, std::int64_t at);
    HttpResponse error(unsigned status, std::string_view code, std::string_view message);
    HttpResponse rateLimited(std::int64_t retryAfter);
    bool staffAuthorized(const HttpRequest& r) const;
    void countReject(std::string_view reason, std::uint64_t n = 1);
    void countRequest(const std::string& route);
    std::int64_t now() const;

    IntakeStore& m_store;
    RegistryCache& m_registry;
    crypto::Ed25519PublicKey m_countySigningKey;
    std::optional<crypto::Hash256> m_staffTokenHash;
    LogSink m_log;
    UnixClock m_clock;
    RateLimiter m_statusLimiter;
    RateLimiter m_postAddressLimiter;
    RateLimiter m_postKioskLimiter;
    HeaderRules m_headerRules;

    std::mutex m_metricsMutex;
    std::map<std::string, std::uint64_t> m_requests;
    std::map<std::string, std::uint64_t> m_rejects;
    std::atomic<std::uint64_t> m_envelopesStored{0};
    std::map<std::string, std::int64_t> m_lastContact; // under m_metricsMutex

    // Batches of handleAsync the store has not answered yet.
    std::mutex m_pendingMutex;
    std::condition_variable m_pendingDone;
    std::size_t m_pendingBatches = 0;
};

} // namespace minsheng::server
