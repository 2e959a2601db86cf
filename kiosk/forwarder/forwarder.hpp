// Forwarder: the kiosk's sending process (`minsheng-kiosk sync`, docs/forwarder.md).
//
// It reads pending envelopes from the outbox the kiosk UI writes, sends them in sequence order in
// batches to the county (docs/protocol.md section 8), and records an acknowledgement only after
// checking it:
//
//   1. the county's Ed25519 signature verifies with keys/county-signing.pub, and
//   2. the acknowledgement names this kiosk, the sequence that was sent and that envelope's hash.
//
// Invariants:
//   F1. outbox.acknowledge() is called only for an acknowledgement that passed 1 and 2; nothing
//       else ever marks an envelope as delivered, and only acknowledged envelopes are pruned.
//   F2. The forwarder never sees plaintext: it handles sealed envelopes and signed messages only.
//   F3. Nothing logged names envelope content or a receipt tag (sequence numbers and counts only).
//   F4. A failure the server cannot fix by waiting (TLS verification, a rejected signature, an
//       unknown or revoked kiosk, a fork, a rejected envelope) is a health error: kept for the
//       staff screen, logged once, and retried only at the backoff cap.
//
// Pipelined drain: while the county handles one batch, the forwarder verifies and stores the
// acknowledgements of the one before and sends the next, so neither side waits for the other's
// fsync. Limits, whatever the backlog:
//   L1. At most kMaxBatchesInFlight (2) batches are in flight, each on a kept-alive TLS
//       connection of its own: at most 2 connections to the county for envelopes (the first one
//       also carries heartbeats and configuration fetches; the status socket's look-ups open
//       their own, one at a time). The server admits 64 per address.
//   L2. A batch is sized by bytes: its body is at most maxBatchBytes (default kDefaultBatchBytes,
//       1 MiB) and at most kMaxBatchEnvelopes envelopes (the protocol's limit); the outbox is
//       read 8 envelopes at a time to fill it. A drain holds at most 2 batches (the next one is
//       read only when fewer are in flight), each ~2 x maxBatchBytes (the envelopes and their
//       body), plus while one is filled the rest of its last read (< 8 envelopes, each under
//       kMaxEnvelopeJsonBytes), plus the answers (each under the client's body limit).
//   L3. Answers are taken in the order the batches were sent; acknowledgements are stored only
//       after verification (F1), batch by batch. Once a batch's answer is taken and it failed,
//       no further batch is sent; the answers of the ones already in flight are still verified
//       and stored (and their failures logged), so an envelope the county acknowledged is not
//       sent again. Envelopes of an unanswered batch stay pending and are resent later; the
//       county answers a resent stored envelope "duplicate" with its acknowledgement, so each
//       is stored once at the county and recorded once here.
//
// Threads: a Forwarder runs on one thread; each batch in flight runs its HTTPS exchange on a
// short-lived thread of its own, which touches only that batch's body and its connection (the
// outbox, verification and the counters stay on the Forwarder's thread). SyncState is the only
// object shared with the status socket's thread.
#pragma once

#include "crypto/keys.hpp"
#include "crypto/result.hpp"
#include "kiosk/forwarder/backoff.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "sync/net/https_client.hpp"
#include "sync/wire/http_bodies.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace minsheng::forwarder {

// The forwarder moves the outbox's envelopes over the shared HTTPS client.
using outbox::AckOutcome;
using outbox::Outbox;
using outbox::StoredEnvelope;
using sync::HttpsClient;
using sync::HttpsClientOptions;
using sync::HttpsEndpoint;
using sync::NetErrorKind;
using sync::StoreError;

/// Limits of POST /v1/envelopes (docs/protocol.md sections 7-8).
using sync::kMaxBatchEnvelopes;
inline constexpr std::size_t kMaxBatchBytes = sync::kMaxEnvelopeBatchBody;
/// The body size a batch is filled to (L2): large enough for 64 envelopes of the usual payload
/// buckets, small enough that a drain's memory stays a few MiB.
inline constexpr std::size_t kDefaultBatchBytes = 1u << 20;
/// Batches sent before the answer of the first is taken (L1): one connection each.
inline constexpr std::size_t kMaxBatchesInFlight = 2;

/// One line per event on stderr (or wherever the sink writes).
using LogSink = std::function<void(const std::string& line)>;

/// What the status socket reports as "health" (docs/protocol.md section 11).
struct HealthSnapshot {
    std::uint64_t queue = 0;
    std::optional<std::int64_t> lastSync; // last exchange the county answered, Unix seconds
    std::optional<std::int64_t> lastAck;  // last verified acknowledgement stored, Unix seconds
    std::optional<std::string> lastError; // the current health error or failure; none when well
    bool online = false;                  // the last exchange with the county succeeded
};

/// Shared between the sending thread, the status socket and the signal handler thread.
class SyncState {
public:
    HealthSnapshot health() const;
    void update(const std::function<void(HealthSnapshot&)>& change);

    /// Wakes the sender now (status socket "sync-now"): skips any wait, privacy delay included.
    void requestSyncNow();
    void requestStop();
    bool stopRequested() const { return m_stop.load(); }
    /// Sleeps up to `d`; returns early (true) on sync-now or stop. Consumes a sync-now request.
    bool waitFor(std::chrono::milliseconds d);

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    HealthSnapshot m_health;
    bool m_syncNow = false;
    std::atomic<bool> m_stop{false};
};

struct ForwarderSettings {
    std::string kioskId;
    HttpsEndpoint endpoint;
    crypto::Ed25519PublicKey countySigningKey{};
    std::filesystem::path dataDir; // for the heartbeat's free-disk figure
    std::size_t maxBatchEnvelopes = kMaxBatchEnvelopes;
    std::size_t maxBatchBytes = kDefaultBatchBytes; // L2; clamped to [64 KiB, kMaxBatchBytes]
    std::chrono::milliseconds retryBase{1000};
    std::chrono::milliseconds retryCap{10 * 60 * 1000};
    /// Privacy delay: a pending envelope is sent after a random wait in [0, uploadDelayMax]
    /// (everything pending by then goes in the same batches). 0 = send at once.
    std::chrono::milliseconds uploadDelayMax{0};
    std::chrono::milliseconds heartbeatInterval{15 * 60 * 1000};
    std::chrono::milliseconds pollInterval{5000}; // how often the outbox is checked
    std::int64_t retentionSeconds = 30 * 86400;
    HttpsClientOptions http{};
    std::uint64_t seed = 0; // backoff and delay randomness; 0 = from the OS
};

/// How the outbox is opened: per drain cycle or once (the caller's choice). `missing` says the
/// store does not exist yet (nothing was ever submitted): not an error, nothing to send.
struct OutboxOpenError {
    bool missing = false;
    std::string message;
};
using OutboxOpener = std::function<Result<Outbox, OutboxOpenError>()>;

enum class FailureKind {
    None,
    Transient,   // network, timeout, 5xx: retry with backoff
    RateLimited, // 429: retry after Retry-After
    Health,      // see F4
    Store,       // the outbox could not be read or written (busy, disk): retry with backoff
};

struct DrainReport {
    std::uint64_t acknowledged = 0; // envelopes newly acknowledged in this drain
    std::uint64_t posts = 0;        // POST /v1/envelopes attempts (answered or not)
    std::uint64_t failedPosts = 0;  // of those, how many got no usable answer
    std::uint64_t pending = 0;      // left pending afterwards (when the outbox could be read)
    FailureKind failure = FailureKind::None;
    std::string message;                                 // what failed, for the log and health
    std::optional<std::chrono::milliseconds> retryAfter; // 429 Retry-After
};

class Forwarder {
public:
    Forwarder(ForwarderSettings settings, OutboxOpener openOutbox,
              std::shared_ptr<crypto::Ed25519SecretKey> kioskKey, std::shared_ptr<SyncState> state,
              LogSink log);
    ~Forwarder();

    /// One pass: sends every pending envelope (batch after batch) until none is left or a step
    /// fails; prunes acknowledged envelopes past retention when all went well.
    DrainReport drain();

    /// POST /v1/heartbeat with the outbox's head and queue. Health or transient failure.
    DrainReport sendHeartbeat();

    /// GET /v1/config/<id>: the newest configuration bundle the county published for this
    /// kiosk. One that passes kiosk::checkConfigBundle (invariant U1 of
    /// kiosk/core/config_update.hpp) is dropped in the data folder for the kiosk window; one that
    /// does not is refused and the refusal carried by the next heartbeat. Called after each
    /// delivered heartbeat.
    DrainReport fetchConfiguration();

    /// `sync --once`: drains now (no privacy delay), retrying transient failures with backoff
    /// for up to `giveUpAfter`; then one heartbeat. 0 when everything pending was acknowledged;
    /// kExitUnreachable / kExitHealth with a message otherwise.
    int runOnce(std::chrono::milliseconds giveUpAfter);

    /// The service: drain, heartbeats, privacy delay, backoff; returns when state->requestStop().
    void run();

    /// Totals since start (tests and the closing log line).
    std::uint64_t totalPosts() const { return m_totalPosts; }
    std::uint64_t totalFailedPosts() const { return m_totalFailedPosts; }
    std::uint64_t totalAcknowledged() const { return m_totalAcknowledged; }

    static constexpr int kExitStore = 3;
    static constexpr int kExitUnreachable = 4;
    static constexpr int kExitHealth = 5;

private:
    // The steps of one batch in drain(): send → classify the answer → verify the
    // acknowledgements → store them. Each failure is a DrainReport that ends the drain.
    struct OutgoingBatch;
    struct BatchInFlight;
    struct VerifiedAcknowledgements;
    Result<OutgoingBatch, DrainReport> nextBatch(std::uint64_t afterSequence);
    std::unique_ptr<BatchInFlight> startBatch(OutgoingBatch batch, HttpsClient& connection);
    /// Takes the answer of `sent` and stores what verifies; a failure is left in `report`.
    void finishBatch(BatchInFlight& sent, DrainReport& report);
    void closeConnections() noexcept;
    VerifiedAcknowledgements verifyAcknowledgements(const sync::EnvelopeBatchResult& answer,
                                                    const OutgoingBatch& batch) const;
    std::uint64_t storeAcknowledgements(const VerifiedAcknowledgements& verified,
                                        DrainReport& report);
    Result<Outbox*, DrainReport> outbox();
    void note(const DrainReport& report);
    void logHealthOnce(const std::string& message);
    std::chrono::milliseconds waitAfter(const DrainReport& report);

    ForwarderSettings m_settings;
    OutboxOpener m_openOutbox;
    std::shared_ptr<crypto::Ed25519SecretKey> m_kioskKey;
    std::shared_ptr<SyncState> m_state;
    LogSink m_log;
    HttpsClient m_client;       // batches, heartbeats, configuration
    HttpsClient m_secondClient; // the second batch in flight (L1)
    Backoff m_backoff;
    std::optional<Outbox> m_outbox;
    std::string m_lastLoggedHealth;
    std::string m_configRefusal;       // the last bundle this forwarder refused, for heartbeats
    std::uint64_t m_configRefused = 0; // its version (not fetched again until a higher one)
    std::uint64_t m_totalPosts = 0;
    std::uint64_t m_totalFailedPosts = 0;
    std::uint64_t m_totalAcknowledged = 0;
    std::uint64_t m_rngState;
};

/// Unix seconds now.
std::int64_t unixNow();

} // namespace minsheng::forwarder
