// Outbox: the kiosk's durable, encrypted queue of signed, chained envelopes.
//
// The kiosk UI appends an envelope when a parent submits and shows the receipt only after
// append() returned; the forwarder process reads pending() envelopes, sends them, and stores the
// county's acknowledgement with acknowledge(); prune() later removes acknowledged envelopes.
// Both processes open the same file; SQLite's WAL locking and a busy timeout serialise writers.
//
// File, key and pragmas (set on every open, in this order, reasons in outbox.cpp):
//   sqlite3_key("x'<64 hex>'")   raw 256-bit key, no PBKDF2 on open (the key is random already)
//   cipher_page_size = 4096      before anything reads the file; SQLCipher 3.4's default is 1024
//   busy_timeout = 5000 ms, journal_mode = WAL, synchronous = FULL, secure_delete = ON,
//   foreign_keys = ON, temp_store = MEMORY
// Schema, invariants and migrations: outbox_schema.hpp. Operator documentation: docs/outbox.md.
//
// Durability: every mutating call runs in one BEGIN IMMEDIATE transaction and returns success
// only after COMMIT returned; with synchronous = FULL the commit record has been fsync'ed by then.
// On failure the transaction is rolled back and nothing of it remains (acknowledgeAll commits the
// acknowledgements before the first one that failed; see there).
//
// Threads: an Outbox is used by one thread at a time. Do not carry an open Outbox across fork().
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"
#include "sync/store/store_error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct sqlite3;

namespace minsheng::outbox {

// The shared store layer's names the outbox is written in.
using sync::StoreError;
using sync::storeErrorCodeName;

/// The store's file name inside the kiosk's data folder.
inline constexpr const char* kOutboxFileName = "outbox.db";

/// Where the WAL is copied back into outbox.db (a checkpoint: it writes and fsyncs outbox.db).
enum class CheckpointPolicy {
    /// SQLite's default: inside the commit that takes the WAL to 1000 frames. The forwarder
    /// (its acknowledgement commits keep the WAL short while the kiosk is online), tests, tools.
    InCommit,
    /// The kiosk UI: a commit never checkpoints below kDeferredCheckpointBoundFrames, so a
    /// parent's submit writes and syncs the WAL only. checkpoint(kIdleCheckpointFrames), called
    /// when no parent waits, does the copying instead; the bound only matters if that never
    /// happens.
    Deferred,
};

/// Under CheckpointPolicy::Deferred, the WAL size at which a commit checkpoints after all:
/// 8192 frames, about 32 MiB (some 2700 submits of 1 KiB answers without a checkpoint()).
inline constexpr int kDeferredCheckpointBoundFrames = 8192;

/// The WAL size from which the kiosk's between-sessions checkpoint() copies: SQLite's own
/// threshold, so checkpoints stay as rare as before. Rare matters: the first commit after a
/// checkpoint restarts the WAL and syncs its new header, one more fdatasync.
inline constexpr int kIdleCheckpointFrames = 1000;

/// What one checkpoint() did (SQLite's counters, in WAL frames).
struct CheckpointReport {
    int walFrames = 0;    // frames in the WAL
    int copiedFrames = 0; // of those, now copied into outbox.db
};

enum class OpenMode {
    MustExist,       // the forwarder, and the kiosk after its first start: missing is an error
    CreateIfMissing, // first start: create when (and only when) no file of that name exists
};

struct OpenOptions {
    /// Test seam: name of a registered SQLite VFS to open the file through (tests/sync/
    /// fault_vfs.hpp injects write and fsync failures this way). Empty = SQLite's default.
    std::string vfsName;
    /// How long to wait for the other process's write lock before reporting Busy.
    std::chrono::milliseconds busyTimeout{5000};
    /// Run PRAGMA quick_check on open: reads (and so decrypts and authenticates) every page,
    /// turning a damaged page into a Corrupt error at start-up rather than mid-submission.
    bool quickCheckOnOpen = true;
    /// Who checkpoints the WAL (see CheckpointPolicy).
    CheckpointPolicy checkpoint = CheckpointPolicy::InCommit;
};

/// What the kiosk hands over to be signed, chained and stored as a version-2 envelope. The
/// outbox fills in the kiosk id, sequence and previous hash itself. Kind, form and minute are
/// inside the ciphertext, never beside it.
struct EnvelopeDraft {
    crypto::KeyId countyKeyId{};
    crypto::Hash256 receiptTag{}; // a complaint's; a survey's is random (crypto/envelope.hpp)
    crypto::Bytes ciphertext;     // sealed contents (crypto::sealEnvelopeContentsX25519)
};

struct AppendedEnvelope {
    crypto::Envelope envelope;
    crypto::Hash256 hash{}; // crypto::envelopeHash(envelope)
};

struct StoredAcknowledgement {
    crypto::Bytes bytes;          // the county's signed acknowledgement, opaque to the outbox
    std::int64_t receivedDay = 0; // 00:00 UTC of the day it was stored (Unix seconds)
};

struct StoredEnvelope {
    crypto::Envelope envelope;
    crypto::Hash256 hash{};
    std::optional<StoredAcknowledgement> acknowledgement;
};

enum class AckOutcome {
    Stored,        // newly recorded
    AlreadyStored, // this envelope was acknowledged before; the first acknowledgement is kept
};

struct OutboxStats {
    std::uint64_t pendingCount = 0;
    std::uint64_t acknowledgedCount = 0;                   // acknowledged and not yet pruned
    std::uint64_t lastSequence = 0;                        // of the chain head; survives pruning
    crypto::Hash256 lastHash{};                            // of the chain head (zeros: none yet)
    std::optional<std::uint64_t> lastAcknowledgedSequence; // highest ever acknowledged
    std::optional<std::int64_t> lastAcknowledgedDay;       // 00:00 UTC of the latest ack's day
    std::uint64_t fileBytes = 0;                           // outbox.db
    std::uint64_t walBytes = 0;                            // outbox.db-wal (0 when absent)
};

/// One acknowledgement for Outbox::acknowledgeAll.
struct AcknowledgementToStore {
    std::uint64_t sequence = 0;
    crypto::Hash256 envelopeHash{};
    std::span<const std::uint8_t> ackBytes; // must outlive the call
    std::int64_t receivedAt = 0;
};

struct AcknowledgedBatch {
    std::uint64_t stored = 0; // newly recorded and committed (AlreadyStored ones not counted)
    std::optional<StoreError> error; // why the batch stopped early; nullopt when all were done
    std::optional<std::uint64_t> failedSequence; // the acknowledgement that could not be recorded
};

class Outbox {
public:
    /// Opens (or, with CreateIfMissing and no file, creates) the store at `file`.
    ///   `key`      32 bytes from a StoreKeySource (store_key.hpp); KeyUnusable otherwise.
    ///   `kioskId`  [a-z0-9-]{1,64}; stored on creation, compared on every later open.
    /// Never overwrites or recreates an existing file: an empty, foreign or damaged outbox.db is
    /// an error (WrongKeyOrNotAnOutbox / Corrupt), and so is outbox.db missing beside a
    /// leftover outbox.db-wal (the store was moved or deleted).
    [[nodiscard]] static Result<Outbox, StoreError> open(const std::filesystem::path& file,
                                                         const crypto::SecretBytes& key,
                                                         std::string kioskId, OpenMode mode,
                                                         const OpenOptions& options = {});

    Outbox(Outbox&& other) noexcept;
    Outbox& operator=(Outbox&& other) noexcept;
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;
    /// Closes quietly; call close() first to see a failure (e.g. a final checkpoint that failed).
    ~Outbox();

    /// Closes the connection. Errors are reported, the handle is released either way.
    Result<Ok, StoreError> close();

    /// Signs the draft as the next envelope of the chain and commits it durably. On error
    /// nothing was stored (DiskFull: "the submission was NOT saved"), except for Io after a
    /// failed fsync, where the disk's state is unknown and the message says so.
    [[nodiscard]] Result<AppendedEnvelope, StoreError>
    append(const EnvelopeDraft& draft, const crypto::Ed25519SecretKey& kioskKey);

    /// Up to `limit` unacknowledged envelopes with sequence > `afterSequence`, in order.
    [[nodiscard]] Result<std::vector<StoredEnvelope>, StoreError>
    pending(std::size_t limit, std::uint64_t afterSequence = 0);

    /// One envelope (acknowledged or not); UnknownEnvelope if never appended or pruned.
    [[nodiscard]] Result<StoredEnvelope, StoreError> envelope(std::uint64_t sequence);

    /// Every envelope still held, in sequence order (tests, export).
    [[nodiscard]] Result<std::vector<StoredEnvelope>, StoreError> allEnvelopes();

    /// Records the county's acknowledgement of envelope `sequence` whose hash is `envelopeHash`.
    /// UnknownEnvelope if absent, AckMismatch if the hash differs; the ack bytes are stored as
    /// given (verifying the county's signature is the caller's job). Idempotent.
    [[nodiscard]] Result<AckOutcome, StoreError> acknowledge(std::uint64_t sequence,
                                                             const crypto::Hash256& envelopeHash,
                                                             std::span<const std::uint8_t> ackBytes,
                                                             std::int64_t receivedAt);

    /// Records a batch of acknowledgements, in order, in ONE transaction (one fsync), each as
    /// acknowledge() would. Stops at the first one that cannot be recorded (UnknownEnvelope,
    /// AckMismatch, InvalidInput, a store error): the ones before it are committed, it and
    /// the ones after it are not. If the COMMIT fails nothing is recorded (`stored` is 0).
    [[nodiscard]] AcknowledgedBatch acknowledgeAll(std::span<const AcknowledgementToStore> acks);

    /// Deletes acknowledged envelopes whose acknowledgement day ended at least
    /// `retentionSeconds` before `now` (receivedDay + 1 day <= now - retentionSeconds): the
    /// store keeps days, not seconds (schema invariant 9). Returns how many. Unacknowledged
    /// envelopes are never deleted (schema invariant 2).
    [[nodiscard]] Result<std::uint64_t, StoreError> prune(std::int64_t now,
                                                          std::int64_t retentionSeconds);

    [[nodiscard]] Result<OutboxStats, StoreError> stats();

    /// Copies what the WAL holds into outbox.db and fsyncs it, as far as readers allow
    /// (SQLITE_CHECKPOINT_PASSIVE: never waits for the other process, never blocks its writes).
    /// Under CheckpointPolicy::Deferred it does nothing while this connection's last commit
    /// left fewer than `minimumFrames` frames in the WAL (copiedFrames 0). Busy is not an
    /// error: the next call catches up.
    [[nodiscard]] Result<CheckpointReport, StoreError> checkpoint(int minimumFrames = 0);

    /// PRAGMA integrity_check over the whole file: Ok, or Corrupt with SQLite's report.
    [[nodiscard]] Result<Ok, StoreError> integrityCheck();

    const std::filesystem::path& file() const { return m_file; }
    const std::string& kioskId() const { return m_kioskId; }

    /// What the WAL held after this connection's last commit (Deferred policy; 0 otherwise).
    struct WalWatch {
        int frames = 0;
    };

private:
    Outbox(sqlite3* db, std::filesystem::path file, std::string kioskId, CheckpointPolicy policy);

    struct AppendStatements;

    sqlite3* m_db = nullptr;
    std::unique_ptr<WalWatch> m_walWatch; // heap: SQLite's WAL hook keeps its address
    // append()'s two statements, prepared on the first append and kept until close(): compiling
    // them (the INSERT with its triggers, the chain_tip view) cost more CPU than the rest of an
    // append's SQL.
    std::unique_ptr<AppendStatements> m_appendStatements;
    std::filesystem::path m_file;
    std::string m_kioskId;
};

} // namespace minsheng::outbox
