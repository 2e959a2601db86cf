// The case ledger: the staff machine's encrypted record of every verified, opened submission,
// the case each complaint became, its status history, the queue of statuses still to be pushed
// to the intake server, and the alarms (forks, chain breaks, rejected envelopes).
//
// Schema and numbered invariants: ledger_schema.hpp. Key: ledger_key.hpp. Opening follows the
// discipline the three stores share (sync/store/sqlite_store.hpp): raw SQLCipher key, 4096-byte
// pages, WAL, synchronous = FULL, secure_delete, foreign keys, forward-only migrations that
// re-read user_version under the write lock; created complete or not at all.
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/forms/canonical_payload.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace minsheng::staff {

inline constexpr const char* kLedgerFileName = "ledger.db";

struct LedgerError {
    enum class Code {
        WrongKeyOrNotALedger, // wrong passphrase/key file, or not a ledger
        Corrupt,              // pages or structure damaged, or an invariant trigger fired
        SchemaTooNew,         // written by a newer Minsheng
        Missing,              // ledger.db does not exist (and creation was not asked for)
        Unwritable,           // permissions, read-only file system
        DiskFull,
        Busy,     // another staff command held the lock past the busy timeout
        NotFound, // no such case
        Invalid,  // an argument the caller should not have passed
        Io,
    };
    Code code;
    std::string message; // names the file and says what to do; never holds report contents
};

enum class EnvelopeSource { Network, Import };
std::string_view envelopeSourceName(EnvelopeSource source); // "network" | "import"

/// An envelope the staff tool has checked against the registry and signature (and, for the
/// network, the server's acknowledgement) and opened. The ledger adds the chain check against
/// what it already holds (ledger_schema.hpp invariants 2 and 3).
struct OpenedSubmission {
    crypto::Envelope envelope;
    crypto::Hash256 hash{};
    std::string wire; // the envelope's wire JSON
    EnvelopeSource source = EnvelopeSource::Import;
    std::optional<crypto::Acknowledgement> ack; // verified; network only
    std::string ackJson;
    forms::ParsedPayload payload; // its form id and minute are the submission's (any version)
    crypto::EnvelopeKind kind = crypto::EnvelopeKind::Complaint; // from the opened envelope
};

enum class AlarmKind { Fork, ChainBreak, Rejected, BadAck, BadPayload, RevokedKiosk };
std::string_view alarmKindName(AlarmKind kind); // "fork", "chain-break", ...

struct Alarm {
    AlarmKind kind = AlarmKind::Rejected;
    std::string kioskId;
    std::uint64_t sequence = 0;
    std::optional<crypto::Hash256> hash;
    EnvelopeSource source = EnvelopeSource::Import;
    std::string detail; // a sentence for staff
    std::string wire;   // the offending envelope's JSON, kept for examination (may be empty)
    std::int64_t raisedAt = 0;
};

enum class RecordOutcome {
    Recorded,   // new
    Duplicate,  // the same envelope (same hash) was already recorded; an ack may have been added
    Fork,       // same kiosk and sequence, different envelope: alarm raised, not recorded
    ChainBreak, // its previous hash or its successor's disagrees with the ledger: alarm raised
};
struct RecordResult {
    RecordOutcome outcome;
    std::string message; // for Fork / ChainBreak
};

/// One recorded submission (a complaint with its case state, or a survey).
struct Submission {
    std::int64_t id = 0;
    std::string kioskId;
    std::uint64_t sequence = 0;
    crypto::EnvelopeKind kind = crypto::EnvelopeKind::Complaint;
    std::string formId;
    std::int64_t formVersion = 0;
    std::string locale;
    std::int64_t createdAt = 0; // the kiosk's minute
    nlohmann::json answers;     // object; no contact_* for anonymous complaints
    EnvelopeSource source = EnvelopeSource::Import;
    bool acknowledged = false; // the server's signed ack is recorded
    std::int64_t recordedAt = 0;

    // Complaints only.
    crypto::Hash256 receiptTag{};
    std::string category, school, district, township, community;
    bool anonymous = true;
    std::optional<std::string> contactName, contactPhone;
    std::int64_t receivedAt = 0; // when the county first had it (ack time, else import time)
    crypto::CaseStatus status = crypto::CaseStatus::Received;
    std::int64_t updatedAt = 0;
    std::string reply;

    bool isComplaint() const { return kind == crypto::EnvelopeKind::Complaint; }
    /// "<kiosk>/<sequence>": the case number staff use in lists and on the phone.
    std::string caseNumber() const { return kioskId + "/" + std::to_string(sequence); }
};

struct HistoryEntry {
    std::int64_t id = 0;
    crypto::CaseStatus status = crypto::CaseStatus::Received;
    std::string reply;
    std::int64_t setAt = 0;
    bool signedByStaff = false; // false for the automatic 已接收 entry
    bool pushed = false;
    // Who (ledger_schema.hpp invariant 11): an account, or nobody named (actorId empty: the
    // system when !signedByStaff, else a staff change made without a named account).
    std::optional<std::int64_t> actorId;
    std::string actorName;
    std::string result, unit, reason; // closing result, 转办 destination, reopening reason
};

/// One status_history row to append (invariants 5, 7, 11).
struct StatusRow {
    std::int64_t caseId = 0;
    crypto::CaseStatus status = crypto::CaseStatus::Received;
    std::string reply;
    std::int64_t setAt = 0;
    std::string signedJson; // the county-signed case status (wire form)
    std::optional<std::int64_t> actorId;
    std::string result, unit, reason; // empty = none (stored as NULL)
};

struct PendingPush {
    std::int64_t historyId = 0;
    std::string caseNumber;
    crypto::Hash256 receiptTag{};
    std::string signedJson; // the county-signed case status, ready to PUT
};

struct LedgerStats {
    std::size_t complaints = 0, surveys = 0, alarms = 0, pendingPushes = 0;
    std::int64_t cursor = 0;
};

struct LedgerOpenOptions {
    /// Test seam: a registered SQLite VFS to open the file through (tests/support/fault_vfs.hpp).
    std::string vfsName;
};

class Ledger {
public:
    enum class OpenMode { MustExist, CreateIfMissing };
    [[nodiscard]] static Result<Ledger, LedgerError> open(const std::filesystem::path& file,
                                                          const crypto::SecretBytes& key,
                                                          OpenMode mode,
                                                          const LedgerOpenOptions& options = {});

    Ledger(Ledger&&) noexcept;
    Ledger& operator=(Ledger&&) noexcept;
    ~Ledger();

    const std::filesystem::path& file() const { return m_file; }

    /// One transaction (invariant 4): records each submission (or raises its fork/chain-break
    /// alarm), appends `alarms`, and moves the pull cursor to `cursor` when given. Submissions
    /// are processed in the order given; the result has one entry per submission.
    [[nodiscard]] Result<std::vector<RecordResult>, LedgerError>
    recordBatch(const std::vector<OpenedSubmission>& items, const std::vector<Alarm>& alarms,
                std::optional<std::int64_t> cursor, std::int64_t now);

    [[nodiscard]] Result<std::int64_t, LedgerError> cursor();
    [[nodiscard]] Result<LedgerStats, LedgerError> stats();

    /// Every recorded submission, oldest recorded first.
    [[nodiscard]] Result<std::vector<Submission>, LedgerError> submissions();
    /// The complaint with this receipt tag; NotFound otherwise.
    [[nodiscard]] Result<Submission, LedgerError> caseByTag(const crypto::Hash256& tag);
    /// The complaint "<kiosk>/<sequence>"; NotFound otherwise.
    [[nodiscard]] Result<Submission, LedgerError> caseByNumber(const std::string& kioskId,
                                                               std::uint64_t sequence);
    /// The submission with this id (complaint or survey); NotFound otherwise.
    [[nodiscard]] Result<Submission, LedgerError> submission(std::int64_t id);
    [[nodiscard]] Result<std::vector<HistoryEntry>, LedgerError> history(std::int64_t caseId);
    [[nodiscard]] Result<std::vector<Alarm>, LedgerError> alarms();

    /// Appends a staff status change (invariant 5) and queues it for the server (invariant 7).
    /// `signedJson` is the county-signed case status (wire form). Returns the history id.
    [[nodiscard]] Result<std::int64_t, LedgerError>
    appendStatus(std::int64_t caseId, crypto::CaseStatus status, const std::string& reply,
                 std::int64_t setAt, const std::string& signedJson);
    /// The same, with the actor and the workflow's fields, in its own transaction.
    [[nodiscard]] Result<std::int64_t, LedgerError> appendStatus(const StatusRow& row);
    /// The same inside a transaction the caller holds (case_workflow.cpp appends the audit row
    /// in it too). Returns the history id; on failure the caller rolls back.
    [[nodiscard]] Result<std::int64_t, LedgerError> appendStatusInTransaction(const StatusRow& row);
    /// Staff changes not yet accepted by the server, oldest first.
    [[nodiscard]] Result<std::vector<PendingPush>, LedgerError> pendingPushes();
    [[nodiscard]] Result<Ok, LedgerError> markPushed(std::int64_t historyId, std::int64_t at);

    [[nodiscard]] Result<Ok, LedgerError> integrityCheck();

    /// The open connection, for the modules of minsheng_staff that keep their own tables in the
    /// ledger (staff_accounts, case_workflow, audit_log, period_stats, reply_templates,
    /// follow_up_stats) and follow its invariants
    /// and transaction discipline. Nothing outside county/staff uses it.
    sqlite3* connection() { return m_db; }
    /// A failed SQLite call on this ledger, in the ledger's words (`doing`: "reading").
    LedgerError sqlError(int rc, std::string_view doing) const;

private:
    struct Impl;
    explicit Ledger(std::unique_ptr<Impl> impl, std::filesystem::path file);
    std::unique_ptr<Impl> m_impl;
    std::filesystem::path m_file;
    sqlite3* m_db = nullptr; // owned by m_impl
};

} // namespace minsheng::staff
