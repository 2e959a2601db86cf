// The messages of the kiosk's local status socket between the UI process and the forwarder
// (docs/protocol.md section 11): one JSON object per line each way, the line without its "\n".
//
//   request                          answer
//   {"op":"status","tag":HEX}        {"ok":true,"status","received_at","updated_at","reply",
//                                     "verified":true}                           CaseStatusAnswer
//   {"op":"health"}                  {"ok":true,"queue","last_sync","last_ack","last_error",
//                                     "online"}                                   HealthAnswer
//   {"op":"sync-now"}                {"ok":true}
//   any                              {"ok":false,"error":CODE,"message":TEXT}  StatusSocketError
//
// The forwarder writes the answers (status_server.cpp), the UI reads them
// (kiosk/core/forwarder_client.cpp); both use only these functions. Parsers never throw.
#pragma once

#include "crypto/result.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/wire/endpoints.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::sync {

// ---- requests ----------------------------------------------------------------------------------

enum class StatusSocketOp { Status, Health, SyncNow };

struct StatusSocketRequest {
    StatusSocketOp op = StatusSocketOp::Health;
    std::string tagHex; // Status: the receipt tag, 64 lower-case hex digits
};

std::string statusSocketRequestToLine(const StatusSocketRequest& request);

// ---- errors ------------------------------------------------------------------------------------

/// The error codes of {"ok":false,...}. Malformed is the reader's own verdict on a line that is
/// not a valid answer; the forwarder never sends it (it is written as "unavailable").
enum class StatusSocketErrorCode { Offline, NotFound, Unavailable, Malformed };
std::string_view statusSocketErrorCodeName(StatusSocketErrorCode code); // "offline", ...

struct StatusSocketError {
    StatusSocketErrorCode code = StatusSocketErrorCode::Unavailable;
    std::string message;
};
std::string statusSocketErrorToLine(const StatusSocketError& error);

/// A request line the forwarder does not accept: not strict JSON, unknown or missing members,
/// an unknown op, a tag that is not 64 lower-case hex digits. The error's code is Unavailable,
/// as the forwarder answers it.
[[nodiscard]] Result<StatusSocketRequest, StatusSocketError>
statusSocketRequestFromLine(std::string_view line);

// ---- answers -----------------------------------------------------------------------------------

/// A case status the forwarder verified with the county signing key ("verified":true is part
/// of the answer; a line without it is refused).
struct CaseStatusAnswer {
    crypto::CaseStatus status = crypto::CaseStatus::Received;
    std::int64_t receivedAt = 0;
    std::int64_t updatedAt = 0;
    std::string reply; // at most crypto::kMaxReplyBytes
};
std::string caseStatusAnswerToLine(const CaseStatusAnswer& answer);
/// The forwarder's {"ok":false} comes back as that error; anything else that is not a verified
/// status is Malformed.
[[nodiscard]] Result<CaseStatusAnswer, StatusSocketError>
caseStatusAnswerFromLine(std::string_view line);

struct HealthAnswer {
    std::uint64_t queue = 0;
    std::optional<std::int64_t> lastSync;
    std::optional<std::int64_t> lastAck;
    std::optional<std::string> lastError;
    bool online = false;
};
std::string healthAnswerToLine(const HealthAnswer& answer);
[[nodiscard]] Result<HealthAnswer, StatusSocketError> healthAnswerFromLine(std::string_view line);

/// {"ok":true}
std::string syncNowAnswerToLine();
[[nodiscard]] Result<Ok, StatusSocketError> syncNowAnswerFromLine(std::string_view line);

/// Longest last_error a health answer carries.
inline constexpr std::size_t kMaxHealthErrorBytes = 4096;

} // namespace minsheng::sync
