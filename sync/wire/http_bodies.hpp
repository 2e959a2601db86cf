// The bodies of the intake server's endpoints (docs/protocol.md sections 7-10), each a typed
// struct with one serialiser and one parser. The kiosk's forwarder, the intake server and the
// staff tool all go through these functions, so producer and consumer cannot drift apart.
//
//   POST /v1/envelopes        request  {"v":1,"envelopes":[envelope, ...]}     EnvelopeBatchWriter
//                             answer   {"v":1,"results":[result, ...]}         EnvelopeBatchResult
//   POST /v1/heartbeat        request  heartbeat (protocol_messages.hpp)          Heartbeat
//                             answer   {"v":1,"server_time":T}                  HeartbeatAnswer
//   GET  /v1/status/{tag}     answer   case status (protocol_messages.hpp)   CaseStatusRecord
//   PUT  /v1/staff/status/{tag} request  case status                          CaseStatusRecord
//   GET  /v1/staff/envelopes  query    ?after=CURSOR&limit=N                     StaffPullQuery
//                             answer   {"v":1,"items":[item, ...],"next":C}     StaffPullPage
//
// Parsers take the body text, parse it with parseStrictJson (duplicate members, depth, UTF-8),
// validate every member, and return a typed error; they never throw on outside input. They do
// not verify signatures: that needs keys (crypto::verify*).
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/result.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/wire/endpoints.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::sync {

// ---- POST /v1/envelopes: the batch -------------------------------------------------------------

/// One member of "envelopes". A member that is not a valid envelope does not spoil the batch:
/// it is answered with its own rejected result.
struct BatchEnvelope {
    /// The member's "seq" when it names one, even if the envelope does not parse: the answer
    /// refers to it.
    std::optional<std::uint64_t> seq;
    Result<crypto::Envelope, EnvelopeWireError> envelope;
};

struct EnvelopeBatchRequest {
    /// In the order sent. The parsed envelopes come from one kiosk, in increasing sequence order.
    std::vector<BatchEnvelope> envelopes;
    /// The kiosk of the parsed envelopes; none when no member parsed.
    std::optional<std::string> kioskId;
};

/// Why the server refuses a whole request body. The names are the wire error codes.
enum class RequestBodyFailure {
    BadJson,        // "bad-json": not strict JSON
    Malformed,      // "malformed": wrong shape; a batch from two kiosks or out of order
    UnknownVersion, // "unknown-version": "v" is an integer other than 1
    TooLarge,       // "too-large": more than kMaxBatchEnvelopes envelopes
    BadPadding,     // "bad-body-padding": padded, but not to the size the padding rule gives
};
std::string_view requestBodyFailureName(RequestBodyFailure f);

struct RequestBodyError {
    RequestBodyFailure failure;
    std::string message; // a sentence for the kiosk's log
};

[[nodiscard]] Result<EnvelopeBatchRequest, RequestBodyError>
envelopeBatchRequestFromJson(std::string_view body);

// ---- Request padding (docs/protocol.md section 7) ----------------------------------------------
//
// The kiosk pads the bodies of POST /v1/envelopes and POST /v1/heartbeat with ASCII spaces to
// the smallest bucket of kMinRequestPadBucket * 2^k bytes (at most kMaxRequestPadBucket) that
// holds the JSON, so an observer of TLS record sizes sees a heartbeat and an upload of one
// envelope of a payload bucket up to 4 KiB as the same 8 KiB. The JSON texts the kiosk writes
// never end in a space, so the padding is exactly the trailing spaces.

inline constexpr std::size_t kMinRequestPadBucket = 8u << 10;
inline constexpr std::size_t kMaxRequestPadBucket = kMaxEnvelopeBatchBody;
inline constexpr char kRequestPadByte = ' ';

/// The padded size of a body whose JSON is `textBytes` long; `textBytes` itself above
/// kMaxRequestPadBucket (such a body is too large for the server anyway).
std::size_t requestPadBucketFor(std::size_t textBytes);
/// `body` (compact JSON) padded to its bucket: the one helper the forwarder pads with.
std::string padRequestBody(std::string body);
/// THE check of the padding, run by every request body parser before the JSON parser: the JSON
/// text of a padded body, the body itself when it has no trailing space (an unpadded body of a
/// kiosk of the previous release), or BadPadding when trailing spaces do not bring the body to
/// exactly requestPadBucketFor(JSON length) bytes.
[[nodiscard]] Result<std::string_view, RequestBodyError> unpadRequestBody(std::string_view body);

/// Builds the request body envelope by envelope, up to a byte limit.
class EnvelopeBatchWriter {
public:
    /// `maxBytes`: the body never grows past it, except that the first envelope is always
    /// taken (one envelope is at most kMaxEnvelopeJsonBytes, below every allowed limit).
    explicit EnvelopeBatchWriter(std::size_t maxBytes = kMaxEnvelopeBatchBody);
    /// Adds `envelope`; false (and nothing added) when it would take the body past the limit
    /// or the batch already holds kMaxBatchEnvelopes.
    bool add(const crypto::Envelope& envelope);
    std::size_t count() const { return m_count; }
    /// The body: {"v":1,"envelopes":[...]} with the envelopes in the order added.
    std::string body() const;

private:
    std::size_t m_maxBytes;
    std::size_t m_count = 0;
    std::string m_body;
};

/// What the server did with one envelope of a batch.
enum class EnvelopeResultStatus { Stored, Duplicate, Rejected };
std::string_view envelopeResultStatusName(EnvelopeResultStatus s); // "stored", ...

struct EnvelopeResult {
    /// The envelope's sequence; none only when the member was too malformed to name one.
    std::optional<std::uint64_t> seq;
    EnvelopeResultStatus status = EnvelopeResultStatus::Rejected;
    /// Stored and Duplicate: the county's signed acknowledgement.
    std::optional<crypto::Acknowledgement> ack;
    /// Rejected: an error code (crypto::envelopeFailureName, "fork", "chain-break") and a
    /// sentence.
    std::string error;
    std::string message;
};

/// The answer to POST /v1/envelopes (status 200, or 409 when a result is a fork): one result per
/// envelope, in the order sent.
struct EnvelopeBatchResult {
    std::vector<EnvelopeResult> results;
};

nlohmann::json envelopeBatchResultToJson(const EnvelopeBatchResult& result);
/// Refuses a result whose shape does not match its status (an ack only with stored/duplicate,
/// error and message only with rejected), an unknown status, and error codes outside
/// [a-z-]{1,64}.
[[nodiscard]] Result<EnvelopeBatchResult, MessageWireError>
envelopeBatchResultFromJson(std::string_view body);

// ---- POST /v1/heartbeat: the request (protocol_messages.hpp) and the answer
// ------------------------------------------------------------

/// The heartbeat request body: strict JSON, an integer "v" other than 1 is UnknownVersion,
/// every other fault Malformed.
[[nodiscard]] Result<crypto::Heartbeat, RequestBodyError>
heartbeatRequestFromJson(std::string_view body);

struct HeartbeatAnswer {
    std::int64_t serverTime = 0; // Unix seconds at the server when it stored the heartbeat
};
nlohmann::json heartbeatAnswerToJson(const HeartbeatAnswer& answer);
[[nodiscard]] Result<HeartbeatAnswer, MessageWireError>
heartbeatAnswerFromJson(std::string_view body);

// ---- GET /v1/status/{tag}: the answer ----------------------------------------------------------

/// The body is the signed case status itself (caseStatusToJson); the signature is the
/// caller's to verify.
[[nodiscard]] Result<crypto::CaseStatusRecord, MessageWireError>
caseStatusAnswerFromJson(std::string_view body);

// ---- PUT /v1/staff/status/{tag}: the request
// -----------------------------------------------------

/// The body is a signed case status (caseStatusToJson); BadJson or Malformed.
[[nodiscard]] Result<crypto::CaseStatusRecord, RequestBodyError>
caseStatusRequestFromJson(std::string_view body);

// ---- GET /v1/staff/envelopes: the pull
// -----------------------------------------------------------

struct StaffPullQuery {
    std::uint64_t after = 0; // cursor: items strictly after it
    std::uint64_t limit = kDefaultPullLimit;
};
/// "/v1/staff/envelopes?after=N&limit=M"
std::string staffPullTarget(const StaffPullQuery& query);
/// The query string (after '?'): only `after` (decimal, at most 15 digits) and `limit` (1 to
/// kMaxPullLimit), each optional.
[[nodiscard]] Result<StaffPullQuery, MessageWireError>
staffPullQueryFromString(std::string_view query);

/// One stored envelope as the server sends it: the envelope's wire text is spliced in as the
/// store holds it.
struct StaffPullEntry {
    std::int64_t cursor = 0;
    std::string_view envelopeJson; // envelopeToJson text
    const crypto::Acknowledgement* ack = nullptr;
};
/// {"v":1,"items":[{"cursor","envelope","ack"}, ...],"next":C}; `next` is the last item's
/// cursor, or `after` when there is none.
std::string staffPullPageToJson(std::span<const StaffPullEntry> entries, std::int64_t after);

/// One item as the staff tool reads it. An item the server got wrong does not spoil the page:
/// the staff tool raises an alarm for it and goes on.
struct StaffPullItem {
    /// The item is an object with an "envelope" member.
    bool hasEnvelope = false;
    /// The envelope, or why it does not parse (only when hasEnvelope).
    std::optional<Result<crypto::Envelope, EnvelopeWireError>> envelope;
    /// The "envelope" member as received, for an alarm (only when hasEnvelope).
    std::string envelopeText;
    /// The acknowledgement, or why it does not parse; none when the item has no "ack".
    std::optional<Result<crypto::Acknowledgement, MessageWireError>> ack;
};

struct StaffPullPage {
    std::vector<StaffPullItem> items;
    std::int64_t next = 0;
};
[[nodiscard]] Result<StaffPullPage, MessageWireError> staffPullPageFromJson(std::string_view body);

} // namespace minsheng::sync
