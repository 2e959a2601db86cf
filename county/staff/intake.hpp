// Getting envelopes into the case ledger: over the network (pull) or from files exported on a
// USB stick (import). Every envelope gets its verdict from county::verifyCountyEnvelope, the
// verification `open` runs too (county/office/envelope_opener.hpp; docs/protocol.md section 5),
// over one ChainRecord per import or pull. The ledger then checks the chain against what it
// already holds and records the verified envelopes, or raises a fork or chain-break alarm.
//
// A refused envelope never stops the rest: it becomes an alarm in the ledger (with the
// envelope's JSON, so it can be examined) and the pull cursor moves past it, so one bad envelope
// cannot wedge the office. The same envelope arriving both ways is recorded once (same kiosk,
// sequence and hash).
//
// Alarm kinds in the ledger: fork, chain-break, bad-ack, bad-payload and revoked-kiosk are
// stored under their own names; every other reason (malformed, unknown-version, unknown-kiosk,
// bad-signature, wrong-county-key, cannot-open, bad-padding) as `rejected`, with the reason's
// name at the start of the alarm's detail.
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

using IntakeContext = county::VerifierContext;

/// The ledger's alarm kind for a verdict's reason (see the top of this file).
AlarmKind alarmKindFor(county::EnvelopeAlarm alarm);

/// county::verifyCountyEnvelope for one envelope, as the ledger takes it: the opened submission,
/// or the alarm to record. `ack` only for the network: the server's acknowledgement as parsed
/// (or why it does not parse), none when the server sent none.
std::variant<OpenedSubmission, Alarm>
checkEnvelope(const crypto::Envelope& envelope, EnvelopeSource source,
              const std::optional<sync::ParsedAcknowledgement>& ack, const IntakeContext& ctx,
              county::ChainRecord& chain, std::int64_t now);

/// One envelope's verdict at intake: county::verifyCountyEnvelope's, or the ledger's fork or
/// chain-break when its history disagrees.
struct IntakeVerdict {
    std::string kioskId;                        // empty when it did not parse
    std::uint64_t sequence = 0;                 // 0 when it did not parse
    std::optional<crypto::Hash256> hash;        // none when it did not parse
    std::optional<county::EnvelopeAlarm> alarm; // none: recorded, now or before
    bool duplicate = false;                     // already held (in the ledger or this batch)
};

struct IntakeSummary {
    std::size_t recorded = 0, duplicates = 0, alarms = 0;
    std::vector<std::string> messages;   // one sentence per alarm or notable event (gaps)
    std::vector<IntakeVerdict> verdicts; // one per envelope, in the order checked
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
