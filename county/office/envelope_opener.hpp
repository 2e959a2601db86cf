// The staff side of an envelope: the one verification every staff command runs (`open` on
// exported files, `import` and `pull` into the case ledger), trusting nobody in between, and
// the reading of exported files.
//
// verifyCountyEnvelope gives every envelope exactly one verdict: verified, or an alarm whose
// reason is one name of EnvelopeAlarm (docs/protocol.md section 5 lists them in this order):
//
//   parse (malformed, unknown-version; before this function, by sync::envelopeFromJson)
//   → registry: unknown-kiosk → Ed25519 signature: bad-signature
//   → network only: the server's acknowledgement names this envelope and verifies: bad-ack
//   → revocation: revoked-kiosk, unless a verified acknowledgement shows the server stored the
//     envelope before the kiosk's revocation time
//   → the chain against what the caller holds (ChainRecord): fork, chain-break
//   → the county key id, the sealed box, the padding: wrong-county-key, cannot-open,
//     bad-padding
//   → version 2: the sealed kind byte: bad-payload
//   → the payload (forms::parsePayload: canonical, shape, locale) and, for version 1, its form
//     and minute equal to the signed header's: bad-payload.
//
// Invariants:
//   1. The same envelope, with the same ChainRecord contents and context, gets the same verdict
//      whichever command asks: `open`, `import` and `pull` call this function and nothing else
//      decides a verdict (the ledger adds fork and chain-break against its history, with the
//      same names).
//   2. A ChainRecord holds only verified envelopes: what the ledger would record. An envelope
//      refused for any reason never anchors the chain of the envelopes after it.
//   3. Nothing here throws or aborts on signed input, however hostile its payload.
#pragma once

#include "county/office/county_dir.hpp"
#include "county/office/kiosk_registry.hpp"
#include "crypto/envelope.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/forms/canonical_payload.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::county {

/// Why the staff tool refuses an envelope: the one list `open`, `import` and `pull` use, in the
/// order the checks run (docs/protocol.md section 5).
enum class EnvelopeAlarm {
    Malformed,      // "malformed"
    UnknownVersion, // "unknown-version"
    UnknownKiosk,   // "unknown-kiosk"
    BadSignature,   // "bad-signature"
    BadAck,         // "bad-ack": network only
    RevokedKiosk,   // "revoked-kiosk"
    Fork,           // "fork"
    ChainBreak,     // "chain-break"
    WrongCountyKey, // "wrong-county-key"
    CannotOpen,     // "cannot-open"
    BadPadding,     // "bad-padding"
    BadPayload,     // "bad-payload"
};
std::string_view envelopeAlarmName(EnvelopeAlarm alarm);
/// Every alarm, in check order (for tests and documentation checks).
std::vector<EnvelopeAlarm> allEnvelopeAlarms();
/// The alarm for a crypto-level failure (parse, signature, opening).
EnvelopeAlarm envelopeAlarmFor(crypto::EnvelopeFailure failure);

/// One envelope's verdict.
struct EnvelopeVerdict {
    std::optional<EnvelopeAlarm> alarm; // none: verified
    std::string problem;                // a sentence for staff when alarm is set
    /// Verified, and the very same envelope (same hash) is already held: it is counted once.
    bool duplicate = false;
    /// Remarks that are not failures: sequence numbers missing before this envelope.
    std::vector<std::string> notes;
    bool verified() const { return !alarm.has_value(); }
};

/// The verdict of a file or member that did not parse as an envelope (`where` names it).
EnvelopeVerdict unparsedEnvelopeVerdict(const sync::EnvelopeWireError& error,
                                        const std::string& where);

/// The kiosks' chains as far as the caller holds them: for each kiosk, sequence → (envelope
/// hash, previous hash) of verified envelopes (invariant 2). The rule is the ledger's
/// (county/staff/ledger_schema.hpp invariant 2), so it does not depend on arrival order:
///   same (kiosk, sequence) held with the same hash  → duplicate (verified, counted once)
///   same (kiosk, sequence) held with another hash   → fork
///   sequence − 1 held and its hash ≠ previous hash  → chain-break
///   sequence + 1 held and its previous hash ≠ hash  → chain-break
/// A missing neighbour is not a failure (the envelopes in between may still come): it is a note.
class ChainRecord {
public:
    struct Link {
        crypto::Hash256 hash{};
        crypto::Hash256 previous{};
    };
    /// The verdict of the chain step alone (notes included); duplicate when already held.
    [[nodiscard]] EnvelopeVerdict check(const crypto::Envelope& envelope,
                                        const crypto::Hash256& hash) const;
    void add(const crypto::Envelope& envelope, const crypto::Hash256& hash);

private:
    std::map<std::string, std::map<std::uint64_t, Link>> m_kiosks;
};

/// What the verifier needs besides the envelope. The staff tool fills it from the county folder.
struct VerifierContext {
    const KioskRegistry* registry = nullptr;
    const CountyOpeningKeys* keys = nullptr;
    /// Verifies the intake server's acknowledgements (network only).
    crypto::Ed25519PublicKey countySigningKey;
    /// Kiosk id → revocation time (Unix seconds) for every revoked kiosk (loadRevocationTimes).
    std::map<std::string, std::int64_t> revokedAt;
};

/// Revocation times of the revoked kiosks of DIR/kiosks: each <id>.revoked file's
/// "revoked-at: YYYY-MM-DDTHH:MMZ" line, else the file's modification time.
std::map<std::string, std::int64_t> loadRevocationTimes(const CountyDir& dir,
                                                        const KioskRegistry& registry);

/// How an envelope reached the staff tool.
enum class EnvelopeArrival { File, Network };

struct VerifiedEnvelope {
    EnvelopeVerdict verdict;
    crypto::Hash256 hash{};
    std::optional<crypto::Acknowledgement> ack; // verified; network only
    /// The opened payload, when verified and not a duplicate. Its form id and creation minute
    /// are the submission's, whatever the envelope's version.
    std::optional<forms::ParsedPayload> payload;
    /// Complaint or survey, with `payload`: the header's (version 1) or the sealed byte's (2).
    crypto::EnvelopeKind kind = crypto::EnvelopeKind::Complaint;
};

/// THE verification of one parsed envelope (see the top of this file). `ack` is read only for
/// EnvelopeArrival::Network: the server's acknowledgement as parsed, none when it sent none.
/// A verified envelope that is not a duplicate is added to `chain`.
[[nodiscard]] VerifiedEnvelope
verifyCountyEnvelope(const crypto::Envelope& envelope, EnvelopeArrival arrival,
                     const std::optional<sync::ParsedAcknowledgement>& ack,
                     const VerifierContext& context, ChainRecord& chain);

/// Expands folders to their *.msenv.json files; plain files are taken as given.
std::vector<std::filesystem::path>
collectEnvelopeFiles(const std::vector<std::filesystem::path>& args);

/// One exported file as read: the envelope, or the verdict of why it is not one.
struct EnvelopeFile {
    std::filesystem::path file;
    std::optional<crypto::Envelope> envelope;
    std::string text; // the file's text when it did not parse and is at most 4096 bytes
    EnvelopeVerdict unparsed;
};
/// Reads and parses every file; the result is sorted with unparseable files first, then by
/// kiosk id and sequence (the order verdicts are given in, so gap notes read naturally).
std::vector<EnvelopeFile> readEnvelopeFiles(const std::vector<std::filesystem::path>& files);

struct OpenedEnvelope {
    std::filesystem::path file;
    std::optional<crypto::Envelope> envelope; // absent when the file could not be parsed
    EnvelopeVerdict verdict;
    std::optional<forms::ParsedPayload> payload; // when verified and not a duplicate
    crypto::EnvelopeKind kind = crypto::EnvelopeKind::Complaint; // with `payload`
};

/// `open`: reads, verifies and opens every file with verifyCountyEnvelope over one ChainRecord
/// that starts empty. Sorted as readEnvelopeFiles sorts.
std::vector<OpenedEnvelope> openEnvelopeFiles(const std::vector<std::filesystem::path>& files,
                                              const VerifierContext& context);

} // namespace minsheng::county
