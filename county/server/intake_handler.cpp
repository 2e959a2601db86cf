#include "county/server/intake_handler.hpp"

#include "crypto/envelope.hpp"
#include "crypto/signed_messages.hpp"
#include "crypto/sodium.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/http_bodies.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

namespace minsheng::server {
namespace {

using nlohmann::json;

using sync::kConfigPathPrefix;
using sync::kEnvelopesPath;
using sync::kHealthzPath;
using sync::kHeartbeatPath;
using sync::kMetricsPath;
using sync::kStaffConfigPath;
using sync::kStaffEnvelopesPath;
using sync::kStaffKiosksPath;
using sync::kStaffStatusPathPrefix;
using sync::kStatusPathPrefix;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// application/json, optionally with charset=utf-8 (any case).
bool isJsonContentType(std::string_view value) {
    const std::string v = lower(value);
    const auto semi = v.find(';');
    if (trim(std::string_view(v).substr(0, semi)) != "application/json")
        return false;
    if (semi == std::string::npos)
        return true;
    const auto param = trim(std::string_view(v).substr(semi + 1));
    return param == "charset=utf-8" || param == "charset=\"utf-8\"";
}

std::optional<crypto::Hash256> parseTag(std::string_view text) {
    if (text.size() != 64)
        return std::nullopt;
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return std::nullopt;
    auto b = crypto::fromHex(text);
    if (!b || b->size() != 32)
        return std::nullopt;
    crypto::Hash256 out{};
    std::copy(b->begin(), b->end(), out.begin());
    return out;
}

HttpResponse jsonResponse(unsigned status, const json& body) {
    HttpResponse r;
    r.status = status;
    // Messages may quote outside bytes; invalid UTF-8 is replaced rather than thrown on.
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

} // namespace

std::size_t bodyLimitFor(std::string_view method, std::string_view target) {
    const auto path = target.substr(0, target.find('?'));
    if (method == "PUT" && path == kStaffConfigPath)
        return sync::kMaxConfigBundleBody;
    return method == "POST" && path == kEnvelopesPath ? kMaxEnvelopeBatchBody : kMaxOtherBody;
}

IntakeHandler::IntakeHandler(IntakeStore& store, RegistryCache& registry,
                             const crypto::Ed25519PublicKey& countySigningKey,
                             const crypto::SecretBytes& staffToken, LogSink log,
                             HandlerLimits limits, UnixClock clock)
    : m_store(store), m_registry(registry), m_countySigningKey(countySigningKey),
      m_log(std::move(log)), m_clock(std::move(clock)),
      m_statusLimiter(limits.statusPerMinutePerAddress, std::chrono::seconds(60)),
      m_postAddressLimiter(limits.postsPerMinutePerAddress, std::chrono::seconds(60)),
      m_postKioskLimiter(limits.postsPerMinutePerKiosk, std::chrono::seconds(60)),
      m_headerRules(std::move(limits.header)) {
    if (!staffToken.empty())
        m_staffTokenHash = crypto::blake2b256(staffToken.span());
    if (!m_log)
        m_log = [](const std::string&) {
        };
    // Read once here; afterwards every verified request keeps the map current.
    if (auto contacts = m_store.lastContacts())
        m_lastContact = std::move(*contacts);
    else
        m_log("error: " + contacts.error().message);
}

IntakeHandler::~IntakeHandler() {
    std::unique_lock lock(m_pendingMutex);
    m_pendingDone.wait(lock, [this] { return m_pendingBatches == 0; });
}

void IntakeHandler::noteContact(const std::string& kioskId, std::int64_t at) {
    std::lock_guard lock(m_metricsMutex);
    m_lastContact[kioskId] = at;
}

std::int64_t IntakeHandler::now() const {
    if (m_clock)
        return m_clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void IntakeHandler::countReject(std::string_view reason, std::uint64_t n) {
    std::lock_guard lock(m_metricsMutex);
    m_rejects[std::string(reason)] += n;
}

void IntakeHandler::countRequest(const std::string& route) {
    std::lock_guard lock(m_metricsMutex);
    ++m_requests[route];
}

HttpResponse IntakeHandler::error(unsigned status, std::string_view code,
                                  std::string_view message) {
    countReject(code);
    HttpResponse r = jsonResponse(status, sync::errorBody(code, message));
    r.logNote = std::string(code);
    return r;
}

HttpResponse IntakeHandler::rateLimited(std::int64_t retryAfter) {
    HttpResponse r =
        error(429, "rate-limited",
              "too many requests; come back after " + std::to_string(retryAfter) + " seconds");
    r.headers.emplace_back("Retry-After", std::to_string(retryAfter));
    return r;
}

HttpResponse IntakeHandler::tooLarge(std::string_view what) {
    countRequest("refused");
    HttpResponse r = error(413, "too-large", std::string(what) + " is over the limit");
    r.route = "refused";
    return r;
}

HttpResponse IntakeHandler::badFraming(std::string_view why) {
    countRequest("refused");
    HttpResponse r =
        error(400, "bad-request", "the request is not valid HTTP/1.1: " + std::string(why));
    r.route = "refused";
    return r;
}

HttpResponse IntakeHandler::overloaded(std::string_view what) {
    countRequest("refused");
    HttpResponse r =
        error(503, "busy", std::string(what) + " are at their limit; try again shortly");
    r.headers.emplace_back("Retry-After", "1");
    r.route = "refused";
    return r;
}

bool IntakeHandler::staffAuthorized(const HttpRequest& r) const {
    if (!m_staffTokenHash)
        return false;
    constexpr std::string_view scheme = "Bearer ";
    if (r.authorization.size() <= scheme.size() ||
        lower(std::string_view(r.authorization).substr(0, scheme.size())) != "bearer ")
        return false;
    const auto token = trim(std::string_view(r.authorization).substr(scheme.size()));
    // Hash first, then compare in constant time: the comparison time reveals nothing about
    // the token, not even its length.
    const crypto::Hash256 presented = crypto::blake2b256(crypto::asBytes(token));
    return crypto::constantTimeEqual(presented, *m_staffTokenHash);
}

HttpResponse IntakeHandler::handle(const HttpRequest& req) {
    const std::string_view target = req.target;
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);

    struct Route {
        std::string name;
        std::string_view method;
        std::string_view rest; // the tag, for the two paths that carry one
    };
    std::optional<Route> route;
    if (path == kEnvelopesPath)
        route = Route{"envelopes", "POST", {}};
    else if (path == kHeartbeatPath)
        route = Route{"heartbeat", "POST", {}};
    else if (path.substr(0, kStatusPathPrefix.size()) == kStatusPathPrefix)
        route = Route{"status", "GET", path.substr(kStatusPathPrefix.size())};
    else if (path == kStaffEnvelopesPath)
        route = Route{"staff_envelopes", "GET", {}};
    else if (path.substr(0, kStaffStatusPathPrefix.size()) == kStaffStatusPathPrefix)
        route = Route{"staff_status", "PUT", path.substr(kStaffStatusPathPrefix.size())};
    else if (path == kStaffKiosksPath)
        route = Route{"staff_kiosks", "GET", {}};
    else if (path.substr(0, kConfigPathPrefix.size()) == kConfigPathPrefix)
        route = Route{"config", "GET", path.substr(kConfigPathPrefix.size())};
    else if (path == kStaffConfigPath)
        route = Route{"staff_config", "PUT", {}};
    else if (path == kHealthzPath)
        route = Route{"healthz", "GET", {}};
    else if (path == kMetricsPath)
        route = Route{"metrics", "GET", {}};

    if (!route) {
        countRequest("other");
        HttpResponse r = error(404, "not-found", "no such endpoint; see docs/protocol.md");
        r.route = "other";
        return r;
    }
    countRequest(route->name);
    HttpResponse r;
    if (req.method != route->method) {
        r = error(405, "method-not-allowed",
                  "use " + std::string(route->method) + " for this endpoint");
        r.headers.emplace_back("Allow", std::string(route->method));
    } else if ((req.method == "POST" || req.method == "PUT") &&
               req.body.size() > bodyLimitFor(req.method, req.target)) {
        r = error(413, "too-large", "the body is over the limit");
    } else if (route->name == "envelopes") {
        r = postEnvelopes(req);
    } else if (route->name == "heartbeat") {
        r = postHeartbeat(req);
    } else if (route->name == "status") {
        r = getStatus(req, route->rest);
    } else if (route->name == "config") {
        r = getConfig(req, route->rest);
    } else if (route->name == "healthz") {
        r.contentType = "text/plain";
        r.body = "ok";
    } else if (route->name == "metrics") {
        r.contentType = "text/plain; version=0.0.4";
        r.body = metricsText();
    } else if (!staffAuthorized(req)) {
        r = error(401, "unauthorized", "a staff endpoint needs Authorization: Bearer TOKEN");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
    } else if (route->name == "staff_envelopes") {
        r = staffEnvelopes(req, query);
    } else if (route->name == "staff_status") {
        r = staffPutStatus(req, route->rest);
    } else if (route->name == "staff_config") {
        r = staffPutConfig(req);
    } else {
        r = staffKiosks();
    }
    r.route = route->name;
    return r;
}

std::optional<HttpResponse> IntakeHandler::refuseKioskPost(const HttpRequest& req) {
    if (auto wait = m_postAddressLimiter.acquire(req.clientAddress))
        return rateLimited(wait);
    if (!isJsonContentType(req.contentType))
        return error(415, "bad-content-type", "send Content-Type: application/json");
    return std::nullopt;
}

Result<county::EnrolledKiosk, HttpResponse>
IntakeHandler::enrolledKiosk(const std::string& kioskId) {
    auto registry = m_registry.current();
    const county::EnrolledKiosk* kiosk = registry ? registry->find(kioskId) : nullptr;
    if (!kiosk)
        return fail(error(403, "unknown-kiosk", "kiosk \"" + kioskId + "\" is not enrolled"));
    if (kiosk->revoked)
        return fail(error(403, "revoked-kiosk", "kiosk \"" + kioskId + "\" is revoked"));
    return *kiosk;
}

std::optional<HttpResponse> IntakeHandler::chargeKiosk(const std::string& kioskId) {
    if (auto wait = m_postKioskLimiter.acquire(kioskId))
        return rateLimited(wait);
    return std::nullopt;
}

HttpResponse IntakeHandler::refusedBody(const sync::RequestBodyError& e) {
    return error(e.failure == sync::RequestBodyFailure::TooLarge ? 413 : 400,
                 sync::requestBodyFailureName(e.failure), e.message);
}

/// A POST /v1/envelopes between its checks and its answer: the parsed batch, each member's
/// result so far, and the verified envelopes the store is asked to keep (which point into
/// `batch`).
struct IntakeHandler::EnvelopeRequest {
    struct Entry {
        std::optional<std::uint64_t> seq;
        const crypto::Envelope* envelope = nullptr;
        std::string error;
        std::string message;
        std::optional<EnvelopeOutcome> outcome;
    };
    sync::EnvelopeBatchRequest batch;
    std::vector<Entry> entries;
    std::vector<CheckedEnvelope> checked;
    std::vector<std::size_t> checkedIndex;
    std::int64_t now = 0;
};

Result<std::unique_ptr<IntakeHandler::EnvelopeRequest>, HttpResponse>
IntakeHandler::checkEnvelopes(const HttpRequest& req) {
    if (auto refused = refuseKioskPost(req))
        return fail(std::move(*refused));
    // Steps 1-2 of docs/protocol.md section 5: the batch's shape, then each envelope's.
    auto parsed = sync::envelopeBatchRequestFromJson(req.body);
    if (!parsed)
        return fail(refusedBody(parsed.error()));
    auto request = std::make_unique<EnvelopeRequest>();
    request->batch = std::move(*parsed);
    const std::optional<std::string>& kioskId = request->batch.kioskId;
    auto& entries = request->entries;
    auto& checked = request->checked;
    auto& checkedIndex = request->checkedIndex;

    entries.resize(request->batch.envelopes.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const sync::BatchEnvelope& item = request->batch.envelopes[i];
        entries[i].seq = item.seq;
        if (item.envelope) {
            entries[i].envelope = &item.envelope.value();
        } else {
            entries[i].error =
                std::string(crypto::envelopeFailureName(item.envelope.error().failure));
            entries[i].message =
                "envelope " + std::to_string(i) + ": " + item.envelope.error().message;
        }
    }

    if (kioskId) {
        // Step 3: the registry (batch level: nothing is stored for an unknown kiosk).
        auto kiosk = enrolledKiosk(*kioskId);
        if (!kiosk)
            return fail(std::move(kiosk.error()));
        // Step 4: signatures, before the store's lock (verification is the costly part).
        for (std::size_t i = 0; i < entries.size(); ++i) {
            auto& e = entries[i];
            if (!e.envelope)
                continue;
            if (auto verified = crypto::verifyEnvelope(*e.envelope, kiosk->publicKey); !verified) {
                const crypto::EnvelopeFailure f = verified.error();
                e.error = std::string(crypto::envelopeFailureName(f));
                e.message = "envelope " + std::to_string(*e.seq) + ": " +
                            (f == crypto::EnvelopeFailure::BadSignature
                                 ? "the signature does not verify with the enrolled kiosk key"
                                 : "rejected");
                continue;
            }
            const crypto::Hash256 hash = crypto::envelopeHash(*e.envelope);
            checked.push_back({e.envelope, hash, sync::envelopeToJson(*e.envelope, hash)});
            checkedIndex.push_back(i);
        }
        // The kiosk's budget is spent only by a request it signed: envelopes whose signature
        // fails cost the sender's address budget (refuseKioskPost), never the kiosk's.
        if (!checked.empty())
            if (auto limited = chargeKiosk(*kioskId))
                return fail(std::move(*limited));
    }
    request->now = now();
    // Step 5: the header rules for what the kiosk signed (header_rules.hpp).
    {
        std::size_t kept = 0;
        for (std::size_t k = 0; k < checked.size(); ++k) {
            if (auto refusal = m_headerRules.check(checked[k].envelope->header, request->now)) {
                entries[checkedIndex[k]].error = std::move(refusal->code);
                entries[checkedIndex[k]].message = std::move(refusal->message);
                continue;
            }
            if (kept != k) {
                checked[kept] = std::move(checked[k]);
                checkedIndex[kept] = checkedIndex[k];
            }
            ++kept;
        }
        checked.resize(kept);
        checkedIndex.resize(kept);
    }
    return request;
}

HttpResponse IntakeHandler::answerEnvelopes(EnvelopeRequest& request,
                                            std::optional<IntakeStore::BatchResult> stored) {
    auto& entries = request.entries;
    const std::optional<std::string>& kioskId = request.batch.kioskId;
    if (stored) { // only a verified envelope counts as contact from the kiosk
        if (!*stored) {
            m_log("error: " + stored->error().message);
            return error(500, "internal",
                         "the server could not store the batch; nothing of it "
                         "was stored, send it again later");
        }
        for (std::size_t k = 0; k < (*stored)->size(); ++k)
            entries[request.checkedIndex[k]].outcome = std::move((**stored)[k]);
        noteContact(*kioskId, request.now);
    }

    sync::EnvelopeBatchResult answer;
    std::uint64_t nStored = 0, nDuplicate = 0, nRejected = 0;
    bool fork = false;
    for (auto& e : entries) {
        sync::EnvelopeResult& r = answer.results.emplace_back();
        r.seq = e.seq;
        if (e.outcome && (e.outcome->outcome == StoreOutcome::Stored ||
                          e.outcome->outcome == StoreOutcome::Duplicate)) {
            const bool isNew = e.outcome->outcome == StoreOutcome::Stored;
            (isNew ? nStored : nDuplicate) += 1;
            r.status =
                isNew ? sync::EnvelopeResultStatus::Stored : sync::EnvelopeResultStatus::Duplicate;
            r.ack = e.outcome->ack;
        } else {
            if (e.outcome) {
                fork = fork || e.outcome->outcome == StoreOutcome::Fork;
                e.error = std::string(storeOutcomeErrorName(e.outcome->outcome));
                e.message = e.outcome->message;
            }
            ++nRejected;
            countReject(e.error);
            r.status = sync::EnvelopeResultStatus::Rejected;
            r.error = e.error;
            r.message = e.message;
        }
    }
    m_envelopesStored += nStored;
    HttpResponse resp = jsonResponse(fork ? 409 : 200, sync::envelopeBatchResultToJson(answer));
    resp.logNote = "kiosk=" + kioskId.value_or("?") + " stored=" + std::to_string(nStored) +
                   " duplicate=" + std::to_string(nDuplicate) +
                   " rejected=" + std::to_string(nRejected) + (fork ? " FORK" : "");
    return resp;
}

HttpResponse IntakeHandler::postEnvelopes(const HttpRequest& req) {
    auto request = checkEnvelopes(req);
    if (!request)
        return std::move(request.error());
    auto& r = **request;
    // Step 6 and the INSERTs: one transaction (intake_schema.hpp, invariant 5).
    if (r.checked.empty())
        return answerEnvelopes(r, std::nullopt);
    return answerEnvelopes(r, m_store.storeBatch(*r.batch.kioskId, r.checked, r.now));
}

void IntakeHandler::handleAsync(const HttpRequest& req, Responder respond) {
    // Only a batch to store waits for anything but the CPU (the shared COMMIT); it is answered
    // from the store's commit thread. Every other request, and every refusal, at once.
    if (req.target.substr(0, req.target.find('?')) != kEnvelopesPath || req.method != "POST" ||
        req.body.size() > bodyLimitFor(req.method, req.target))
        return respond(handle(req));
    countRequest("envelopes");
    auto request = checkEnvelopes(req);
    if (!request || (*request)->checked.empty()) {
        HttpResponse r =
            request ? answerEnvelopes(**request, std::nullopt) : std::move(request.error());
        r.route = "envelopes";
        return respond(std::move(r));
    }
    std::shared_ptr<EnvelopeRequest> pending = std::move(*request);
    EnvelopeRequest& r = *pending;
    {
        std::lock_guard lock(m_pendingMutex);
        ++m_pendingBatches;
    }
    try {
        m_store.storeBatchAsync(
            *r.batch.kioskId, r.checked, r.now,
            [this, pending, respond = std::move(respond)](IntakeStore::BatchResult stored) {
                HttpResponse answer;
                try {
                    answer = answerEnvelopes(*pending, std::move(stored));
                } catch (const std::exception& e) {
                    m_log(std::string("error: answering a stored batch failed: ") + e.what());
                    answer.status = 500;
                    answer.body =
                        "{\"error\":\"internal\",\"message\":\"the server failed to answer; "
                        "send the batch again: what was stored is answered duplicate\"}";
                }
                answer.route = "envelopes";
                respond(std::move(answer));
                std::lock_guard lock(m_pendingMutex);
                if (--m_pendingBatches == 0)
                    m_pendingDone.notify_all();
            });
    } catch (...) {
        // Not handed over: the store never answers it.
        std::lock_guard lock(m_pendingMutex);
        --m_pendingBatches;
        throw;
    }
}

HttpResponse IntakeHandler::postHeartbeat(const HttpRequest& req) {
    if (auto refused = refuseKioskPost(req))
        return std::move(*refused);
    auto hb = sync::heartbeatRequestFromJson(req.body);
    if (!hb)
        return refusedBody(hb.error());
    auto kiosk = enrolledKiosk(hb->kioskId);
    if (!kiosk)
        return std::move(kiosk.error());
    if (auto verified = crypto::verifyHeartbeat(*hb, kiosk->publicKey); !verified)
        return error(400, crypto::signedMessageFailureName(verified.error()),
                     "the heartbeat signature does not verify");
    if (auto limited = chargeKiosk(hb->kioskId))
        return std::move(*limited);
    const std::int64_t t = now();
    if (auto s = m_store.recordHeartbeat(hb->kioskId, sync::heartbeatToJson(*hb).dump(), t); !s) {
        m_log("error: " + s.error().message);
        return error(500, "internal", "the server could not store the heartbeat");
    }
    noteContact(hb->kioskId, t);
    HttpResponse r = jsonResponse(200, sync::heartbeatAnswerToJson({t}));
    r.logNote = "kiosk=" + hb->kioskId;
    return r;
}

HttpResponse IntakeHandler::getStatus(const HttpRequest& req, std::string_view tagText) {
    // Rate limit first, whatever the tag: guessing costs a request either way.
    if (auto wait = m_statusLimiter.acquire(req.clientAddress))
        return rateLimited(wait);
    auto tag = parseTag(tagText);
    if (!tag)
        return error(400, "malformed", "the receipt tag must be 64 lower-case hex digits");
    auto status = m_store.caseStatus(*tag);
    if (!status) {
        m_log("error: " + status.error().message);
        return error(500, "internal", "the server could not look the case up");
    }
    if (!*status)
        return error(404, "not-found", "no case with this receipt (yet)");
    HttpResponse r;
    r.body = **status;
    return r;
}

HttpResponse IntakeHandler::staffEnvelopes(const HttpRequest&, std::string_view queryText) {
    auto query = sync::staffPullQueryFromString(queryText);
    if (!query)
        return error(400, "malformed", query.error().message);
    const auto after = static_cast<std::int64_t>(query->after);
    auto items = m_store.pull(after, query->limit, kMaxPullBytes);
    if (!items) {
        m_log("error: " + items.error().message);
        return error(500, "internal", "the server could not read the store");
    }
    // The envelope text is the wire form the store wrote; it is spliced in as it is.
    std::vector<sync::StaffPullEntry> entries;
    entries.reserve(items->size());
    for (const auto& it : *items)
        entries.push_back({it.cursor, it.envelopeJson, &it.ack});
    HttpResponse r;
    r.body = sync::staffPullPageToJson(entries, after);
    r.logNote = "items=" + std::to_string(items->size());
    return r;
}

HttpResponse IntakeHandler::staffPutStatus(const HttpRequest& req, std::string_view tagText) {
    if (!isJsonContentType(req.contentType))
        return error(415, "bad-content-type", "send Content-Type: application/json");
    auto tag = parseTag(tagText);
    if (!tag)
        return error(400, "malformed", "the receipt tag must be 64 lower-case hex digits");
    auto rec = sync::caseStatusRequestFromJson(req.body);
    if (!rec)
        return refusedBody(rec.error());
    if (rec->receiptTag != *tag)
        return error(400, "malformed", "member \"tag\" differs from the tag in the path");
    auto receivedAt = m_store.complaintReceivedAt(*tag);
    if (!receivedAt) {
        m_log("error: " + receivedAt.error().message);
        return error(500, "internal", "the server could not look the case up");
    }
    if (!*receivedAt)
        return error(404, "not-found", "no stored complaint has this receipt tag");
    if (auto verified = crypto::verifyCaseStatus(*rec, m_countySigningKey); !verified)
        return error(400, crypto::signedMessageFailureName(verified.error()),
                     "the case status is not signed with the county signing key");
    if (auto s = m_store.replaceCaseStatus(*tag, sync::caseStatusToJson(*rec).dump(), now()); !s) {
        m_log("error: " + s.error().message);
        return error(500, "internal", "the server could not store the case status");
    }
    HttpResponse r = jsonResponse(200, json{{"v", 1}});
    r.logNote = "status=" + std::string(crypto::caseStatusName(rec->status));
    return r;
}

HttpResponse IntakeHandler::getConfig(const HttpRequest& req, std::string_view kioskId) {
    // Configuration is public (every kiosk shows it), so the look-up needs no signature. It
    // comes with every heartbeat, so it shares the kiosk POSTs' per-address budget (not the
    // status look-ups' small one, which is sized against guessing receipt codes), and is served
    // only under enrolled kiosks' ids.
    if (auto wait = m_postAddressLimiter.acquire(req.clientAddress))
        return rateLimited(wait);
    const std::string id(kioskId);
    auto kiosk = enrolledKiosk(id);
    if (!kiosk)
        return std::move(kiosk.error());
    auto bundle = m_store.latestConfigBundle(id);
    if (!bundle) {
        m_log("error: " + bundle.error().message);
        return error(500, "internal", "the server could not read the store");
    }
    if (!*bundle)
        return error(404, "not-found", "no configuration has been published for this kiosk");
    HttpResponse r;
    r.body = std::move(**bundle);
    r.logNote = "kiosk=" + id;
    return r;
}

HttpResponse IntakeHandler::staffPutConfig(const HttpRequest& req) {
    if (!isJsonContentType(req.contentType))
        return error(415, "bad-content-type", "send Content-Type: application/json");
    auto bundle = sync::configBundleFromText(req.body);
    if (!bundle)
        return error(400, "malformed", bundle.error().message);
    // The server stores only what the county signed: it holds no key to make a bundle.
    if (auto verified = crypto::verifyConfigBundle(*bundle, m_countySigningKey); !verified)
        return error(400, crypto::signedMessageFailureName(verified.error()),
                     "the configuration bundle is not signed with the county signing key");
    auto stored = m_store.storeConfigBundle(bundle->configVersion, bundle->targets,
                                            sync::configBundleToJson(*bundle).dump(), now());
    if (!stored) {
        m_log("error: " + stored.error().message);
        return error(500, "internal", "the server could not store the configuration bundle");
    }
    if (*stored == IntakeStore::BundleOutcome::Conflict)
        return error(409, "version-taken",
                     "another bundle holds configuration version " +
                         std::to_string(bundle->configVersion) + "; publish a higher version");
    HttpResponse r = jsonResponse(200, json{{"v", 1}, {"config_version", bundle->configVersion}});
    r.logNote = "config_version=" + std::to_string(bundle->configVersion);
    return r;
}

HttpResponse IntakeHandler::staffKiosks() {
    auto activity = m_store.kioskActivity();
    if (!activity) {
        m_log("error: " + activity.error().message);
        return error(500, "internal", "the server could not read the store");
    }
    auto registry = m_registry.current();
    const std::int64_t t = now();
    json kiosks = json::array();
    if (registry) {
        for (const auto& [id, k] : registry->all()) {
            KioskActivity a;
            if (auto it = activity->find(id); it != activity->end())
                a = it->second;
            json heartbeat = nullptr;
            if (a.lastHeartbeatJson)
                heartbeat = json::parse(*a.lastHeartbeatJson, nullptr, false);
            json gaps = json::array();
            for (const auto& [from, to] : a.gaps)
                gaps.push_back({from, to});
            kiosks.push_back(
                {{"id", id},
                 {"name", k.name},
                 {"revoked", k.revoked},
                 {"last_seen", a.lastContact ? json(*a.lastContact) : json(nullptr)},
                 {"last_seq", a.lastSequence},
                 {"last_heartbeat", heartbeat},
                 {"gaps", gaps},
                 {"forks", a.forks},
                 {"chain_breaks", a.chainBreaks},
                 {"silent", !a.lastContact || t - *a.lastContact > kSilentAfterSeconds}});
        }
    }
    return jsonResponse(200, json{{"v", 1}, {"kiosks", kiosks}});
}

std::string IntakeHandler::metricsText() {
    auto registry = m_registry.current();
    const std::int64_t t = now();
    std::size_t enrolled = 0, revoked = 0, silent = 0;
    std::ostringstream o;
    std::lock_guard lock(m_metricsMutex);
    if (registry)
        for (const auto& [id, k] : registry->all()) {
            if (k.revoked) {
                ++revoked;
                continue;
            }
            ++enrolled;
            auto seen = m_lastContact.find(id);
            if (seen == m_lastContact.end() || t - seen->second > kSilentAfterSeconds)
                ++silent;
        }
    o << "# HELP minsheng_requests_total Requests received, by endpoint.\n"
      << "# TYPE minsheng_requests_total counter\n";
    for (const auto& [k, v] : m_requests)
        o << "minsheng_requests_total{endpoint=\"" << k << "\"} " << v << "\n";
    o << "# HELP minsheng_rejects_total Refused requests and envelopes, by error code.\n"
      << "# TYPE minsheng_rejects_total counter\n";
    for (const auto& [k, v] : m_rejects)
        o << "minsheng_rejects_total{reason=\"" << k << "\"} " << v << "\n";
    o << "# HELP minsheng_envelopes_stored_total Envelopes newly stored since start.\n"
      << "# TYPE minsheng_envelopes_stored_total counter\n"
      << "minsheng_envelopes_stored_total " << m_envelopesStored.load() << "\n";
    o << "# HELP minsheng_kiosks Kiosks in the registry: enrolled (not revoked), revoked, and "
         "enrolled but silent (no authenticated request for "
      << kSilentAfterSeconds / 3600 << " hours).\n"
      << "# TYPE minsheng_kiosks gauge\n"
      << "minsheng_kiosks{state=\"enrolled\"} " << enrolled << "\n"
      << "minsheng_kiosks{state=\"revoked\"} " << revoked << "\n"
      << "minsheng_kiosks{state=\"silent\"} " << silent << "\n";
    return o.str();
}

} // namespace minsheng::server
