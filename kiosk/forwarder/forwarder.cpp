#include "kiosk/forwarder/forwarder.hpp"

#include "crypto/signed_messages.hpp"
#include "kiosk/core/config_update.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/http_bodies.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "sync/wire/strict_json.hpp"

#include <sodium.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <thread>

namespace minsheng::forwarder {

using namespace minsheng::sync; // wire messages, strict JSON, the HTTPS client

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::int64_t unixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---- SyncState -------------------------------------------------------------------------------

HealthSnapshot SyncState::health() const {
    std::lock_guard lock(m_mutex);
    return m_health;
}

void SyncState::update(const std::function<void(HealthSnapshot&)>& change) {
    std::lock_guard lock(m_mutex);
    change(m_health);
}

void SyncState::requestSyncNow() {
    {
        std::lock_guard lock(m_mutex);
        m_syncNow = true;
    }
    m_cv.notify_all();
}

void SyncState::requestStop() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
}

bool SyncState::waitFor(std::chrono::milliseconds d) {
    std::unique_lock lock(m_mutex);
    const bool woken = m_cv.wait_for(lock, d, [&] { return m_syncNow || m_stop.load(); });
    m_syncNow = false;
    return woken;
}

// ---- helpers ---------------------------------------------------------------------------------

namespace {

DrainReport failure(FailureKind kind, std::string message) {
    DrainReport r;
    r.failure = kind;
    r.message = std::move(message);
    return r;
}

/// A network failure: TLS verification and configuration are health errors (waiting does not
/// fix a wrong CA), everything else is transient.
FailureKind kindOf(const NetError& e) {
    return (e.kind == NetErrorKind::TlsVerify || e.kind == NetErrorKind::Config)
               ? FailureKind::Health
               : FailureKind::Transient;
}

/// A network failure in words a kiosk technician can act on: the client's message (which step,
/// which address, what the system said) and, where the county cannot be reached at all, where to
/// look. Every failure here is retried on its own; the hint is for whoever reads the log.
std::string describeNetError(const NetError& e) {
    switch (e.kind) {
    case NetErrorKind::Resolve:
    case NetErrorKind::Connect:
        return e.message +
               " (the county server cannot be reached: check that it is running — minsheng-county "
               "serve — and that [county] url in kiosk.toml names it; submissions stay in the "
               "outbox and are sent when it answers)";
    case NetErrorKind::Timeout:
        return e.message + " (the county server or the network is slow or down; submissions stay "
                           "in the outbox and are sent later)";
    default:
        return e.message;
    }
}

/// The error code and message of a 4xx/5xx body, if it has the protocol's shape.
std::string describeErrorBody(const HttpResponse& res) {
    JsonParseError err;
    auto body = parseStrictJson(res.body, err, 4);
    std::string out = "HTTP " + std::to_string(res.status);
    if (body && body->is_object() && body->contains("error") && (*body)["error"].is_string()) {
        out += " " + (*body)["error"].get<std::string>();
        if (body->contains("message") && (*body)["message"].is_string())
            out += ": " + (*body)["message"].get<std::string>().substr(0, 300);
    }
    return out;
}

std::string errorCodeOf(const HttpResponse& res) {
    JsonParseError err;
    auto body = parseStrictJson(res.body, err, 4);
    if (body && body->is_object() && body->contains("error") && (*body)["error"].is_string())
        return (*body)["error"].get<std::string>();
    return {};
}

/// Retry-After in seconds (the HTTP-date form is not used by our server; ignored).
std::optional<std::chrono::milliseconds> retryAfterOf(const HttpResponse& res) {
    auto it = res.headers.find("retry-after");
    if (it == res.headers.end() || it->second.empty() || it->second.size() > 6 ||
        it->second.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::chrono::milliseconds(std::stoll(it->second) * 1000);
}

std::uint64_t freeDiskBytes(const std::filesystem::path& dir) {
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0)
        return 0;
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

std::uint64_t osSeed() {
    std::uint64_t s = 0;
    randombytes_buf(&s, sizeof s);
    return s;
}

std::string seqRange(std::uint64_t first, std::uint64_t last) {
    return first == last ? "#" + std::to_string(first)
                         : "#" + std::to_string(first) + "-" + std::to_string(last);
}

std::string seconds(std::chrono::milliseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

} // namespace

// ---- Forwarder -------------------------------------------------------------------------------

Forwarder::Forwarder(ForwarderSettings settings, OutboxOpener openOutbox,
                     std::shared_ptr<crypto::Ed25519SecretKey> kioskKey,
                     std::shared_ptr<SyncState> state, LogSink log)
    : m_settings(std::move(settings)), m_openOutbox(std::move(openOutbox)),
      m_kioskKey(std::move(kioskKey)), m_state(std::move(state)), m_log(std::move(log)),
      m_client(m_settings.endpoint, m_settings.http),
      m_secondClient(m_settings.endpoint, m_settings.http),
      m_backoff(m_settings.retryBase, m_settings.retryCap,
                m_settings.seed ? m_settings.seed : osSeed()),
      m_rngState(m_settings.seed ? m_settings.seed * 0x9e3779b97f4a7c15ull : osSeed()) {
    m_settings.maxBatchEnvelopes =
        std::clamp<std::size_t>(m_settings.maxBatchEnvelopes, 1, kMaxBatchEnvelopes);
    m_settings.maxBatchBytes =
        std::clamp<std::size_t>(m_settings.maxBatchBytes, 64 * 1024, kMaxBatchBytes);
}

Forwarder::~Forwarder() {
    closeConnections();
    if (m_outbox)
        (void)m_outbox->close();
}

Result<Outbox*, DrainReport> Forwarder::outbox() {
    if (m_outbox)
        return &*m_outbox;
    auto opened = m_openOutbox();
    if (!opened) {
        if (opened.error().missing) {
            DrainReport r; // nothing was ever submitted: nothing to send
            return fail(r);
        }
        return fail(failure(FailureKind::Store, opened.error().message));
    }
    m_outbox.emplace(std::move(opened.value()));
    return &*m_outbox;
}

void Forwarder::logHealthOnce(const std::string& message) {
    if (message == m_lastLoggedHealth)
        return;
    m_lastLoggedHealth = message;
    m_log("HEALTH ERROR: " + message);
}

void Forwarder::note(const DrainReport& report) {
    const bool answered = report.failure == FailureKind::None ||
                          report.failure == FailureKind::RateLimited ||
                          report.failure == FailureKind::Health;
    m_state->update([&](HealthSnapshot& h) {
        h.queue = report.pending;
        if (report.failure == FailureKind::None) {
            h.lastError.reset();
            h.online = true;
            h.lastSync = unixNow();
        } else {
            h.lastError = report.message;
            h.online = answered && report.failure != FailureKind::Health;
        }
        if (report.acknowledged > 0)
            h.lastAck = unixNow();
    });
    if (report.failure == FailureKind::None)
        m_lastLoggedHealth.clear();
}

/// The envelopes of one POST, by sequence, and the body that carries them. `bySequence` points
/// into `envelopes`, whose elements neither a move nor push_back relocates; a copy would, so
/// there is none.
struct Forwarder::OutgoingBatch {
    OutgoingBatch() = default;
    OutgoingBatch(OutgoingBatch&&) = default;
    OutgoingBatch(const OutgoingBatch&) = delete;
    OutgoingBatch& operator=(const OutgoingBatch&) = delete;

    std::deque<StoredEnvelope> envelopes;
    std::map<std::uint64_t, const StoredEnvelope*> bySequence;
    std::string body;
    std::string range() const {
        return seqRange(bySequence.begin()->first, bySequence.rbegin()->first);
    }
};

/// The acknowledgements of one answer that passed F1's checks, in answer order, up to the first
/// result that did not; `problem` says what that result was.
struct Forwarder::VerifiedAcknowledgements {
    struct Verified {
        const StoredEnvelope* envelope;
        crypto::Acknowledgement ack;
    };
    std::vector<Verified> acks;
    std::optional<std::string> problem;
    bool fork = false; // the county holds another envelope under one of these sequences
};

namespace {

/// Step 2: the HTTP status and body of the answer to a batch. Only a 200 or 409 whose body is a
/// batch result goes on; everything else is the failure that ends the drain.
Result<EnvelopeBatchResult, DrainReport> classifyBatchAnswer(const HttpResponse& http,
                                                             const std::string& range) {
    if (http.status == 429) {
        auto r = failure(FailureKind::RateLimited, "the county asks to slow down (429)");
        r.retryAfter = retryAfterOf(http);
        return fail(std::move(r));
    }
    if (http.status >= 500)
        return fail(
            failure(FailureKind::Transient, "sending " + range + ": " + describeErrorBody(http)));
    if (http.status != 200 && http.status != 409) {
        // 4xx for the whole batch: unknown or revoked kiosk, too large, bad JSON. The same
        // batch would fail the same way; waiting for a person is the only remedy.
        const std::string code = errorCodeOf(http);
        if (code == "unknown-kiosk" || code == "revoked-kiosk")
            return fail(failure(FailureKind::Health,
                                "the county does not accept this kiosk (" + code +
                                    "): ask the county office to check its enrolment"));
        return fail(failure(FailureKind::Health,
                            "the county refused " + range + ": " + describeErrorBody(http)));
    }
    // 200 (or 409 with a fork): one result per envelope.
    auto answer = envelopeBatchResultFromJson(http.body);
    if (!answer)
        return fail(failure(FailureKind::Health, "the county's answer to " + range +
                                                     " is not a batch result (" +
                                                     answer.error().message + ")"));
    return std::move(answer.value());
}

} // namespace

/// A batch sent and not yet answered. `answer` is the exchange running on its own thread over
/// `connection`; `batch` (its body included) stays in place until that thread is done with it.
struct Forwarder::BatchInFlight {
    explicit BatchInFlight(OutgoingBatch b) : batch(std::move(b)) {}
    OutgoingBatch batch;
    std::future<Result<HttpResponse, NetError>> answer;
};

Result<Forwarder::OutgoingBatch, DrainReport> Forwarder::nextBatch(std::uint64_t afterSequence) {
    // In sequence order, until the body reaches maxBatchBytes (L2) or the protocol's count. The
    // outbox is read a few envelopes at a time, so a batch of large envelopes never holds more
    // than one read's worth beyond its byte budget.
    constexpr std::size_t kEnvelopesPerRead = 8;
    OutgoingBatch batch;
    EnvelopeBatchWriter writer(m_settings.maxBatchBytes);
    bool full = false;
    while (!full && writer.count() < m_settings.maxBatchEnvelopes) {
        const std::size_t want =
            std::min(kEnvelopesPerRead, m_settings.maxBatchEnvelopes - writer.count());
        auto pending = m_outbox->pending(want, afterSequence);
        if (!pending) {
            // A store error may come from a connection gone bad: reopen next time.
            (void)m_outbox->close();
            m_outbox.reset();
            return fail(
                failure(FailureKind::Store, "reading the outbox: " + pending.error().message));
        }
        for (auto& s : pending.value()) {
            if (!writer.add(s.envelope)) {
                full = true;
                break;
            }
            afterSequence = s.envelope.header.sequence;
            batch.envelopes.push_back(std::move(s));
            batch.bySequence.emplace(afterSequence, &batch.envelopes.back());
        }
        if (pending->size() < want)
            break; // nothing more is pending
    }
    batch.body = padRequestBody(writer.body());
    return batch;
}

std::unique_ptr<Forwarder::BatchInFlight> Forwarder::startBatch(OutgoingBatch batch,
                                                                HttpsClient& connection) {
    auto sent = std::make_unique<BatchInFlight>(std::move(batch));
    // The thread reads only the body (owned by *sent, which outlives it: finishBatch waits) and
    // uses only `connection`, which no other thread touches until the answer is taken.
    sent->answer = std::async(std::launch::async, [&connection, body = &sent->batch.body] {
        return connection.request("POST", kEnvelopesPath, *body);
    });
    return sent;
}

void Forwarder::finishBatch(BatchInFlight& sent, DrainReport& report) {
    const OutgoingBatch& batch = sent.batch;
    const std::string range = batch.range();
    auto http = sent.answer.get();
    if (!http) {
        ++report.failedPosts;
        ++m_totalFailedPosts;
        report.failure = kindOf(http.error());
        report.message = "sending " + range + ": " + describeNetError(http.error());
        return;
    }
    auto answer = classifyBatchAnswer(*http, range);
    if (!answer) {
        ++report.failedPosts;
        ++m_totalFailedPosts;
        const DrainReport& failed = answer.error();
        report.failure = failed.failure;
        report.message = failed.message;
        report.retryAfter = failed.retryAfter;
        return;
    }
    const VerifiedAcknowledgements verified = verifyAcknowledgements(*answer, batch);
    // Reading the next batch may have closed the outbox after a store error while this one was
    // in flight: open it again to store what verified.
    if (auto box = outbox(); !box) {
        report.failure = FailureKind::Store;
        report.message = "recording the acknowledgements of " + range + ": " +
                         (box.error().message.empty() ? "the outbox is gone" : box.error().message);
        return;
    }
    const std::uint64_t ackedHere = storeAcknowledgements(verified, report);
    report.acknowledged += ackedHere;
    m_totalAcknowledged += ackedHere;
    if (report.failure != FailureKind::None)
        return;
    if (verified.problem || http->status == 409) {
        report.failure = FailureKind::Health;
        report.message = verified.problem ? *verified.problem
                                          : "the county reports a fork: another envelope with one "
                                            "of these sequence numbers is stored";
        if (verified.fork)
            report.message += " — the county holds a DIFFERENT envelope under this sequence "
                              "(fork): report to the county office";
        return;
    }
    if (ackedHere == 0 && answer->results.empty()) {
        report.failure = FailureKind::Health;
        report.message = "the county answered " + range + " without a result for any envelope";
        return;
    }
    m_log("sent " + range + ": " + std::to_string(batch.bySequence.size()) + " acknowledged");
}

void Forwarder::closeConnections() noexcept {
    m_client.close();
    m_secondClient.close();
}

Forwarder::VerifiedAcknowledgements
Forwarder::verifyAcknowledgements(const EnvelopeBatchResult& answer,
                                  const OutgoingBatch& batch) const {
    VerifiedAcknowledgements out;
    for (const EnvelopeResult& r : answer.results) {
        if (!r.seq) {
            out.problem = "a result in the county's answer has no seq";
            break;
        }
        const std::uint64_t seq = *r.seq;
        auto it = batch.bySequence.find(seq);
        if (it == batch.bySequence.end()) {
            out.problem = "the county answered about #" + std::to_string(seq) +
                          ", which was not in the batch";
            break;
        }
        const StoredEnvelope& env = *it->second;
        if (r.status == EnvelopeResultStatus::Rejected) {
            out.fork = r.error == "fork";
            out.problem = "the county rejected #" + std::to_string(seq) + " (" + r.error +
                          "); it stays in the outbox";
            break;
        }
        const crypto::Acknowledgement& ack = *r.ack;
        // F1: the signature, and that it is about exactly what we sent.
        if (ack.kioskId != m_settings.kioskId || ack.sequence != seq ||
            ack.sequence != env.envelope.header.sequence ||
            !crypto::constantTimeEqual(ack.envelopeHash, env.hash)) {
            out.problem = "the acknowledgement of #" + std::to_string(seq) +
                          " names another kiosk, sequence or envelope hash; not recorded";
            break;
        }
        if (auto verified = crypto::verifyAcknowledgement(ack, m_settings.countySigningKey);
            !verified) {
            out.problem = "the acknowledgement of #" + std::to_string(seq) +
                          " does not carry a valid county signature (is keys/county-signing.pub "
                          "this county's key?); not recorded (" +
                          std::string(crypto::signedMessageFailureName(verified.error())) + ")";
            break;
        }
        out.acks.push_back({&env, ack});
    }
    return out;
}

std::uint64_t Forwarder::storeAcknowledgements(const VerifiedAcknowledgements& verified,
                                               DrainReport& report) {
    // One outbox transaction (one fsync) for the whole batch's acknowledgements.
    std::vector<std::string> ackBytes;
    ackBytes.reserve(verified.acks.size());
    std::vector<outbox::AcknowledgementToStore> toStore;
    toStore.reserve(verified.acks.size());
    for (const auto& [env, ack] : verified.acks) {
        ackBytes.push_back(acknowledgementToJson(ack).dump());
        toStore.push_back(
            {ack.sequence, env->hash, crypto::asBytes(ackBytes.back()), ack.receivedAt});
    }
    const outbox::AcknowledgedBatch recorded = m_outbox->acknowledgeAll(toStore);
    if (recorded.error) {
        report.failure = recorded.error->code == StoreError::Code::AckMismatch ? FailureKind::Health
                                                                               : FailureKind::Store;
        report.message = "recording the acknowledgement of #" +
                         std::to_string(recorded.failedSequence.value_or(0)) + ": " +
                         recorded.error->message;
    }
    return recorded.stored;
}

DrainReport Forwarder::drain() {
    DrainReport report;
    auto box = outbox();
    if (!box) {
        report = box.error();
        if (report.failure != FailureKind::None) // not merely "no outbox yet"
            note(report);
        return report;
    }
    // The pipeline (L1-L3): keep up to kMaxBatchesInFlight batches sent, take their answers in
    // order. The first failure ends sending; the batches already in flight are still finished,
    // and the drain reports that first failure.
    std::deque<std::unique_ptr<BatchInFlight>> inFlight;
    HttpsClient* connections[kMaxBatchesInFlight] = {&m_client, &m_secondClient};
    std::size_t nextConnection = 0;
    std::uint64_t sentUpTo = 0; // the highest sequence sent in this drain
    bool sending = true;
    for (;;) {
        while (sending && inFlight.size() < kMaxBatchesInFlight &&
               report.failure == FailureKind::None && !m_state->stopRequested()) {
            auto batch = nextBatch(sentUpTo);
            if (!batch) {
                report.failure = batch.error().failure;
                report.message = std::move(batch.error().message);
                break;
            }
            if (batch->bySequence.empty()) {
                sending = false;
                break;
            }
            sentUpTo = batch->bySequence.rbegin()->first;
            ++report.posts;
            ++m_totalPosts;
            // Answers come back in order, so the connection of the oldest batch in flight is the
            // one free next: alternating between the two keeps one batch per connection.
            HttpsClient& connection = *connections[nextConnection];
            nextConnection = (nextConnection + 1) % kMaxBatchesInFlight;
            inFlight.push_back(startBatch(std::move(batch.value()), connection));
        }
        if (inFlight.empty())
            break;
        std::unique_ptr<BatchInFlight> oldest = std::move(inFlight.front());
        inFlight.pop_front();
        if (report.failure == FailureKind::None) {
            finishBatch(*oldest, report);
        } else {
            // After a failure: what verifies is still stored (L3), but the first failure stays
            // the drain's.
            DrainReport later;
            finishBatch(*oldest, later);
            report.acknowledged += later.acknowledged;
            report.failedPosts += later.failedPosts;
            if (later.failure != FailureKind::None)
                m_log(later.message);
        }
    }

    if (m_outbox) {
        if (report.failure == FailureKind::None) {
            // Only acknowledged envelopes are ever deleted (outbox invariant 2).
            auto pruned = m_outbox->prune(unixNow(), m_settings.retentionSeconds);
            if (pruned && pruned.value() > 0)
                m_log("pruned " + std::to_string(pruned.value()) +
                      " acknowledged envelope(s) past retention");
        }
        if (auto st = m_outbox->stats())
            report.pending = st->pendingCount;
    }
    note(report);
    return report;
}

DrainReport Forwarder::sendHeartbeat() {
    auto box = outbox();
    crypto::Heartbeat hb;
    hb.kioskId = m_settings.kioskId;
    if (box) {
        auto st = box.value()->stats();
        if (!st)
            return failure(FailureKind::Store, "reading the outbox: " + st.error().message);
        hb.lastSequence = st->lastSequence;
        hb.lastHash = st->lastHash;
        hb.queueLength = st->pendingCount;
    } else if (box.error().failure != FailureKind::None) {
        return box.error();
    }
    hb.freeDiskBytes = freeDiskBytes(m_settings.dataDir);
    hb.sentAt = unixNow();
    hb.version = MINSHENG_VERSION;
    // The configuration extension: what the kiosk window runs and the last refusal, its own
    // (a bundle that did not load) or this forwarder's (a bundle that did not verify).
    const kiosk::ConfigState config = kiosk::readConfigState(m_settings.dataDir);
    hb.configVersion = config.running;
    hb.configFailure = !config.failure.empty() ? config.failure : m_configRefusal;
    if (hb.configFailure.size() > crypto::kMaxConfigFailureBytes)
        hb.configFailure.resize(crypto::kMaxConfigFailureBytes);
    hb = crypto::signHeartbeat(std::move(hb), *m_kioskKey);
    auto res = m_client.request("POST", kHeartbeatPath, padRequestBody(heartbeatToJson(hb).dump()));
    if (!res)
        return failure(kindOf(res.error()), "heartbeat: " + describeNetError(res.error()));
    if (res->status == 429) {
        auto r = failure(FailureKind::RateLimited, "heartbeat: the county asks to slow down");
        r.retryAfter = retryAfterOf(*res);
        return r;
    }
    if (res->status >= 500)
        return failure(FailureKind::Transient, "heartbeat: " + describeErrorBody(*res));
    if (res->status != 200)
        return failure(FailureKind::Health, "heartbeat refused: " + describeErrorBody(*res));
    if (auto answer = heartbeatAnswerFromJson(res->body); !answer)
        return failure(FailureKind::Health,
                       "heartbeat: the county's answer is not a heartbeat answer (" +
                           answer.error().message + ")");
    DrainReport ok;
    ok.pending = hb.queueLength;
    return ok;
}

DrainReport Forwarder::fetchConfiguration() {
    auto res = m_client.request("GET", configPath(m_settings.kioskId), {});
    if (!res)
        return failure(kindOf(res.error()), "configuration: " + describeNetError(res.error()));
    if (res->status == 404)
        return {}; // nothing published for this kiosk
    if (res->status != 200)
        return failure(FailureKind::Transient, "configuration: " + describeErrorBody(*res));
    auto bundle = configBundleFromText(res->body);
    if (!bundle)
        return failure(FailureKind::Health,
                       "configuration: the county's answer is not a configuration bundle (" +
                           bundle.error().message + ")");
    const kiosk::ConfigState state = kiosk::readConfigState(m_settings.dataDir);
    // The version running, or refused before (by the kiosk or here), is not news (U4).
    if (bundle->configVersion == state.running || bundle->configVersion <= state.failed ||
        bundle->configVersion <= m_configRefused)
        return {};
    if (auto checked = kiosk::checkConfigBundle(*bundle, m_settings.countySigningKey,
                                                m_settings.kioskId, state.running, unixNow());
        !checked) {
        // A bundle not yet due is fetched again later; anything else is refused for good.
        if (bundle->notBefore > unixNow() && bundle->configVersion > state.running)
            return {};
        m_configRefused = bundle->configVersion;
        m_configRefusal = checked.error();
        return failure(FailureKind::Health, "configuration refused: " + checked.error());
    }
    if (auto dropped = kiosk::dropIncomingBundle(m_settings.dataDir, *bundle); !dropped)
        return failure(FailureKind::Store, "configuration: " + dropped.error());
    m_configRefusal.clear();
    m_log("configuration version " + std::to_string(bundle->configVersion) +
          " verified and handed to the kiosk");
    return {};
}

std::chrono::milliseconds Forwarder::waitAfter(const DrainReport& report) {
    switch (report.failure) {
    case FailureKind::None:
        m_backoff.reset();
        return 0ms;
    case FailureKind::RateLimited:
        if (report.retryAfter)
            return std::min(*report.retryAfter, m_backoff.cap());
        return m_backoff.next();
    case FailureKind::Health:
        return m_backoff.health();
    case FailureKind::Transient:
    case FailureKind::Store:
        return m_backoff.next();
    }
    return m_backoff.next();
}

int Forwarder::runOnce(std::chrono::milliseconds giveUpAfter) {
    const auto giveUpAt = Clock::now() + giveUpAfter;
    for (;;) {
        DrainReport r = drain();
        if (r.failure == FailureKind::None) {
            const std::uint64_t acked = m_totalAcknowledged;
            DrainReport hb = sendHeartbeat();
            if (hb.failure != FailureKind::None)
                m_log("heartbeat not delivered: " + hb.message);
            m_log("done: " + std::to_string(acked) + " envelope(s) acknowledged in " +
                  std::to_string(m_totalPosts) + " batch POST(s), " +
                  std::to_string(m_totalFailedPosts) + " failed; " + std::to_string(r.pending) +
                  " pending");
            return 0;
        }
        if (r.failure == FailureKind::Health) {
            logHealthOnce(r.message);
            m_log("stopped: " + std::to_string(r.pending) +
                  " envelope(s) still pending; nothing was marked delivered without a verified "
                  "county acknowledgement");
            return kExitHealth;
        }
        const auto wait = waitAfter(r);
        if (Clock::now() + wait > giveUpAt || m_state->stopRequested()) {
            m_log("gave up: " + r.message + "; " + std::to_string(r.pending) +
                  " envelope(s) still pending (they stay in the outbox and are sent later)");
            return r.failure == FailureKind::Store ? kExitStore : kExitUnreachable;
        }
        m_log(r.message + "; retry in " + seconds(wait));
        std::this_thread::sleep_for(wait);
    }
}

void Forwarder::run() {
    auto nextHeartbeat = Clock::now(); // one at start-up: the county sees the kiosk came back
    // Privacy delay of what is pending now (a plain pair: g++ 12 warns on optional here).
    bool sendScheduled = false;
    Clock::time_point sendAt{};
    std::chrono::milliseconds wait = 0ms;
    std::uint64_t rng = m_rngState;
    auto uniform = [&rng](std::int64_t hi) {
        // splitmix64: the delay needs no cryptographic randomness, only spread.
        rng += 0x9e3779b97f4a7c15ull;
        std::uint64_t z = rng;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        return hi <= 0 ? 0 : static_cast<std::int64_t>(z % static_cast<std::uint64_t>(hi + 1));
    };
    m_log("started: county " + m_settings.endpoint.host + ":" + m_settings.endpoint.port +
          ", privacy delay up to " + seconds(m_settings.uploadDelayMax) + ", heartbeat every " +
          seconds(m_settings.heartbeatInterval));

    while (!m_state->stopRequested()) {
        bool woken = false;
        if (wait > 0ms)
            woken = m_state->waitFor(wait);
        if (m_state->stopRequested())
            break;
        wait = m_settings.pollInterval;

        if (Clock::now() >= nextHeartbeat) {
            DrainReport hb = sendHeartbeat();
            if (hb.failure == FailureKind::None) {
                if (DrainReport c = fetchConfiguration(); c.failure != FailureKind::None)
                    m_log(c.message);
                nextHeartbeat = Clock::now() + m_settings.heartbeatInterval;
                m_state->update([&](HealthSnapshot& h) {
                    h.online = true;
                    h.lastSync = unixNow();
                });
            } else {
                // Retried on the next cycle that is allowed to talk to the county.
                nextHeartbeat = Clock::now() + std::min(m_settings.heartbeatInterval,
                                                        std::chrono::milliseconds(60000));
                if (hb.failure == FailureKind::Health)
                    logHealthOnce(hb.message);
            }
        }

        // Anything to send? A cheap look at the head of the queue.
        std::uint64_t pendingNow = 0;
        {
            auto box = outbox();
            if (!box) {
                if (box.error().failure != FailureKind::None) {
                    m_log(box.error().message);
                    wait = m_backoff.next();
                }
                continue;
            }
            auto head = box.value()->pending(1, 0);
            if (!head) {
                m_log("reading the outbox: " + head.error().message);
                (void)m_outbox->close();
                m_outbox.reset();
                wait = m_backoff.next();
                continue;
            }
            pendingNow = head->size();
        }
        if (pendingNow == 0) {
            sendScheduled = false;
            continue;
        }
        if (!woken && m_settings.uploadDelayMax > 0ms) {
            if (!sendScheduled) {
                sendScheduled = true;
                sendAt = Clock::now() +
                         std::chrono::milliseconds(uniform(m_settings.uploadDelayMax.count()));
            }
            if (Clock::now() < sendAt) {
                wait = std::min(
                    m_settings.pollInterval,
                    std::chrono::duration_cast<std::chrono::milliseconds>(sendAt - Clock::now()) +
                        1ms);
                continue;
            }
        }

        DrainReport r = drain();
        if (r.acknowledged > 0 || r.failure == FailureKind::None)
            sendScheduled = false;
        if (r.failure == FailureKind::None) {
            m_backoff.reset();
            continue;
        }
        wait = waitAfter(r);
        if (r.failure == FailureKind::Health)
            logHealthOnce(r.message);
        else
            m_log(r.message + "; retry in " + seconds(wait));
        sendScheduled = false; // the backoff wait already decouples sending from submission time
        if (r.failure == FailureKind::Store)
            continue;
        // A broken connection must not be reused after a failure.
        closeConnections();
    }
    m_log("stopping: " + std::to_string(m_totalAcknowledged) + " acknowledged since start");
}

} // namespace minsheng::forwarder
