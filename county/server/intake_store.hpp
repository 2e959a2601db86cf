// IntakeStore: the intake server's durable store (DIR/intake.db). Schema, modes and numbered
// invariants: intake_schema.hpp. Every method is thread-safe (one connection behind a mutex;
// SQLite serialises writers anyway). Batches are group-committed (invariant 5): the store rate
// is set by how many batches share one fsync, not by one fsync per request. What does not need
// the connection is done before a batch joins a group, in the caller's thread: the Ed25519
// signatures of its acknowledgements and "received" statuses (most of a batch's CPU after the
// handler's verification), so the thread holding the connection runs only SQL and the COMMIT.
// The hot statements are prepared once and kept for the connection's life.
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/result.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/store/store_error.hpp"

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct sqlite3;

namespace minsheng::server {

namespace detail {
class IntakeStatements; // intake_store.cpp: the batch path's prepared statements
} // namespace detail

// Errors are the shared store layer's: a code and a sentence naming the file.
using sync::StoreError;

/// Bytes one kiosk may add to the store per UTC day by default (envelopes and alarm evidence;
/// invariant 11). A kiosk sends a few kilobytes per report, so this is thousands of reports a
/// day: a backlog drains within it, a kiosk filling the disk does not.
inline constexpr std::uint64_t kDefaultKioskBytesPerDay = 64u << 20;

struct IntakeStoreOptions {
    /// Test seam: a registered SQLite VFS to open the file through (tests/support/fault_vfs.hpp).
    std::string vfsName;
    std::uint64_t maxKioskBytesPerDay = kDefaultKioskBytesPerDay;
};

/// An envelope that passed syntax, registry and signature checks, ready for the chain checks
/// and the INSERT.
struct CheckedEnvelope {
    const crypto::Envelope* envelope = nullptr;
    crypto::Hash256 hash{};
    std::string json; // wire form
};

enum class StoreOutcome {
    Stored,     // newly stored, `ack` is new
    Duplicate,  // the same envelope hash was stored before, `ack` is the original
    Fork,       // another envelope is stored for (kiosk, sequence); alarm recorded
    ChainBreak, // a stored neighbour disagrees with this envelope's chain link; alarm recorded
    TagReused,  // another stored envelope carries this receipt tag (invariant 10); not stored
    OverQuota,  // the kiosk's bytes for today would exceed its budget (invariant 11); not stored
};

/// The error code a kiosk sees for an outcome that was not stored ("fork", "chain-break",
/// "tag-reused", "over-quota").
std::string_view storeOutcomeErrorName(StoreOutcome outcome);

struct EnvelopeOutcome {
    StoreOutcome outcome = StoreOutcome::Stored;
    crypto::Acknowledgement ack; // Stored, Duplicate
    std::string message;         // the other outcomes: a sentence for the kiosk
};

struct PulledEnvelope {
    std::int64_t cursor = 0;
    std::string envelopeJson;
    crypto::Acknowledgement ack;
};

struct KioskActivity {
    std::optional<std::int64_t> lastContact;
    std::uint64_t lastSequence = 0; // highest stored sequence, 0 when none
    std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps; // missing [from, to], inclusive
    std::uint64_t forks = 0;
    std::uint64_t chainBreaks = 0;
    std::optional<std::string> lastHeartbeatJson;
};

class IntakeStore {
public:
    /// Opens or creates the store; applies migrations. `signingKey` signs acknowledgements and
    /// the initial "received" case status; it must outlive the store.
    [[nodiscard]] static Result<std::unique_ptr<IntakeStore>, StoreError>
    open(const std::filesystem::path& file, const crypto::Ed25519SecretKey& signingKey,
         const IntakeStoreOptions& options = {});
    ~IntakeStore();
    IntakeStore(const IntakeStore&) = delete;
    IntakeStore& operator=(const IntakeStore&) = delete;

    using BatchResult = Result<std::vector<EnvelopeOutcome>, StoreError>;
    using BatchDone = std::function<void(BatchResult)>;

    /// Stores a batch of one kiosk's checked envelopes and records the kiosk's contact time.
    /// The batch joins the next shared transaction (group commit, invariant 5); `done` is called
    /// once, on the store's commit thread, only after that transaction's COMMIT returned (or
    /// failed). One outcome per envelope, in order; on an error nothing of the batch is stored.
    /// `kioskId` and `envelopes` must stay valid until `done` is called; `done` must not throw
    /// and should be quick (the next group waits for it).
    void storeBatchAsync(const std::string& kioskId, std::span<const CheckedEnvelope> envelopes,
                         std::int64_t now, BatchDone done);
    /// storeBatchAsync, waiting for the answer in the calling thread.
    [[nodiscard]] BatchResult storeBatch(const std::string& kioskId,
                                         std::span<const CheckedEnvelope> envelopes,
                                         std::int64_t now);

    [[nodiscard]] Result<Ok, StoreError>
    recordHeartbeat(const std::string& kioskId, const std::string& heartbeatJson, std::int64_t now);

    /// The case status served for a receipt tag; nullopt when unknown.
    [[nodiscard]] Result<std::optional<std::string>, StoreError>
    caseStatus(const crypto::Hash256& tag);
    /// received_at of the first stored complaint with this receipt tag; nullopt when none.
    [[nodiscard]] Result<std::optional<std::int64_t>, StoreError>
    complaintReceivedAt(const crypto::Hash256& tag);
    [[nodiscard]] Result<Ok, StoreError>
    replaceCaseStatus(const crypto::Hash256& tag, const std::string& statusJson, std::int64_t now);

    /// Envelopes with cursor > after, in storage order: at most `limit`, and stopping once
    /// `maxBytes` of envelope text is collected (at least one item is returned if any exists).
    [[nodiscard]] Result<std::vector<PulledEnvelope>, StoreError>
    pull(std::int64_t after, std::size_t limit, std::size_t maxBytes);

    [[nodiscard]] Result<std::map<std::string, KioskActivity>, StoreError> kioskActivity();

    /// Stores a configuration bundle the handler verified with the county signing key.
    /// Conflict when another bundle holds this configuration version (invariant 12); storing
    /// the same bundle again is Ok.
    enum class BundleOutcome { Stored, AlreadyStored, Conflict };
    [[nodiscard]] Result<BundleOutcome, StoreError>
    storeConfigBundle(std::uint64_t configVersion, const std::vector<std::string>& targets,
                      const std::string& bundleJson, std::int64_t now);
    /// The highest-version bundle meant for `kioskId` (targeted at it or at every kiosk), in
    /// wire form; nullopt when none.
    [[nodiscard]] Result<std::optional<std::string>, StoreError>
    latestConfigBundle(const std::string& kioskId);
    /// Each kiosk's last authenticated contact (one row per kiosk: cheap, whatever the store
    /// holds).
    [[nodiscard]] Result<std::map<std::string, std::int64_t>, StoreError> lastContacts();

private:
    struct PendingBatch;
    struct PresignedEnvelope;
    // Runs one batch inside the open group transaction (m_mutex held).
    Result<std::vector<EnvelopeOutcome>, StoreError> storeInGroup(const PendingBatch& batch);
    // Stores every batch of `group` in one transaction and COMMITs it; one result per batch.
    std::vector<BatchResult> commitGroup(const std::vector<std::unique_ptr<PendingBatch>>& group);
    // The commit thread: takes every waiting batch, commits them as one group, answers them.
    void commitLoop();

    IntakeStore(sqlite3* db, std::filesystem::path file, const crypto::Ed25519SecretKey& key,
                std::uint64_t maxKioskBytesPerDay);
    std::mutex m_mutex; // the connection and m_statements
    // Group commit: batches waiting for the next transaction, and the commit thread (started
    // with the store; it answers every waiting batch before the store closes).
    std::mutex m_groupMutex;
    std::condition_variable m_groupWork;
    std::vector<std::unique_ptr<PendingBatch>> m_waiting;
    bool m_stopping = false;
    std::thread m_committer;
    sqlite3* m_db;
    std::unique_ptr<detail::IntakeStatements>
        m_statements; // prepared on m_db; finalized before it closes
    std::filesystem::path m_file;
    const crypto::Ed25519SecretKey& m_key;
    std::uint64_t m_maxKioskBytesPerDay;
};

} // namespace minsheng::server
