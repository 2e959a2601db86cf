// Getting envelopes into the case ledger: over the network (pull) or from files exported on a
// USB stick (import). Both go through one verify-and-open step that trusts neither the server
// nor the stick (docs/protocol.md section 5, again, on the staff machine):
//
//   parse (malformed, unknown-version) → registry and signature (county::checkEnvelopeOrigin)
//   → for the network: the server's acknowledgement names this envelope and carries a valid
//     county signature → open with the county sealing key (county::openCheckedEnvelope)
//   → parse the canonical payload, which must name the header's form and minute
//   → the ledger checks the chain against what it holds and records it, or raises an alarm.
//
// A failure never stops the rest: it becomes an alarm in the ledger (with the envelope's JSON,
// so it can be examined) and the pull cursor moves past it, so one bad envelope cannot wedge
// the office. The same envelope arriving both ways is recorded once (same kiosk, sequence and
// hash); the same kiosk and sequence with another hash is a fork alarm.
//
// Revoked kiosks: over the network, an envelope the server acknowledged before the revocation
// time is recorded (and shown as coming from a revoked kiosk); anything later, or any import
// from a revoked kiosk, becomes a revoked-kiosk alarm.
#pragma once

#include "county/office/envelope_opener.hpp"
#include "county/staff/ledger.hpp"
#include "county/staff/staff_server.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace minsheng::staff {

struct IntakeContext {
    const county::KioskRegistry* registry = nullptr;
    const county::CountyOpeningKeys* keys = nullptr;
    crypto::Ed25519PublicKey countySigningKey;     // verifies the server's acknowledgements
    std::map<std::string, std::int64_t> revokedAt; // kiosk id → when it was revoked (Unix)
};

/// Revocation times of the revoked kiosks of DIR/kiosks (from each <id>.revoked file's
/// "revoked-at:" line, else the file's modification time).
std::map<std::string, std::int64_t> loadRevocationTimes(const county::CountyDir& dir,
                                                        const county::KioskRegistry& registry);

/// The verify-and-open step for one envelope. `ack` only for the network: the server's
/// acknowledgement as parsed (or why it does not parse), none when the server sent none.
std::variant<OpenedSubmission, Alarm>
checkEnvelope(const crypto::Envelope& envelope, EnvelopeSource source,
              const std::optional<sync::ParsedAcknowledgement>& ack, const IntakeContext& ctx,
              std::int64_t now);

struct IntakeSummary {
    std::size_t recorded = 0, duplicates = 0, alarms = 0;
    std::vector<std::string> messages; // one sentence per alarm or notable event
    void add(const IntakeSummary& other);
};

/// Verifies, opens and records exported envelope files (files or folders of *.msenv.json) in
/// one transaction.
[[nodiscard]] Result<IntakeSummary, LedgerError>
importEnvelopeFiles(Ledger& ledger, const std::vector<std::filesystem::path>& inputs,
                    const IntakeContext& ctx, std::int64_t now);

/// Fetches every envelope after the ledger's cursor, page by page; each page is recorded with
/// the new cursor in one transaction (ledger invariant 4).
[[nodiscard]] Result<IntakeSummary, ServerError>
pullFromServer(Ledger& ledger, StaffTransport& server, const IntakeContext& ctx, std::int64_t now,
               unsigned pageSize = 500);

struct PushSummary {
    std::size_t pushed = 0, pending = 0;
    std::vector<std::string> messages;
};
/// PUTs every queued status change, oldest first (ledger invariant 7). Stops at the first
/// network failure; everything not pushed stays queued.
[[nodiscard]] Result<PushSummary, LedgerError>
pushPendingStatuses(Ledger& ledger, StaffTransport& server, std::int64_t now);

} // namespace minsheng::staff
