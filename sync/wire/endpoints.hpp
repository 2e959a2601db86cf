// The intake server's endpoints and the protocol's size limits (docs/protocol.md sections 7-11),
// declared once for the kiosk side and the county side.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace minsheng::sync {

// ---- Paths -----------------------------------------------------------------------------------
inline constexpr std::string_view kEnvelopesPath = "/v1/envelopes";             // POST, kiosk
inline constexpr std::string_view kHeartbeatPath = "/v1/heartbeat";             // POST, kiosk
inline constexpr std::string_view kStatusPathPrefix = "/v1/status/";            // GET + tag
inline constexpr std::string_view kStaffEnvelopesPath = "/v1/staff/envelopes";  // GET, staff
inline constexpr std::string_view kStaffStatusPathPrefix = "/v1/staff/status/"; // PUT + tag
inline constexpr std::string_view kStaffKiosksPath = "/v1/staff/kiosks";        // GET, staff
inline constexpr std::string_view kConfigPathPrefix = "/v1/config/";            // GET + kiosk id
inline constexpr std::string_view kStaffConfigPath = "/v1/staff/config";        // PUT, staff
inline constexpr std::string_view kHealthzPath = "/healthz";
inline constexpr std::string_view kMetricsPath = "/metrics";

/// "/v1/status/<tag hex>"
std::string statusPath(std::string_view tagHex);
/// "/v1/config/<kiosk id>": the newest configuration bundle for that kiosk
std::string configPath(std::string_view kioskId);
/// "/v1/staff/status/<tag hex>"
std::string staffStatusPath(std::string_view tagHex);

// ---- HTTP limits (section 7) -----------------------------------------------------------------
/// Body of POST /v1/envelopes; also the most a kiosk puts in one batch.
inline constexpr std::size_t kMaxEnvelopeBatchBody = 8u << 20;
/// Body of PUT /v1/staff/config: a signed configuration bundle (its content is at most 1 MiB;
/// JSON escaping can at most double it).
inline constexpr std::size_t kMaxConfigBundleBody = 2u << 20;
/// Body of every other request.
inline constexpr std::size_t kMaxOtherBody = 64u << 10;
/// Request line and header fields together.
inline constexpr std::size_t kMaxHeaderBytes = 8u << 10;
/// Envelopes in one POST /v1/envelopes.
inline constexpr std::size_t kMaxBatchEnvelopes = 64;
/// `limit` of a staff pull: default and largest.
inline constexpr std::uint64_t kDefaultPullLimit = 100;
inline constexpr std::uint64_t kMaxPullLimit = 500;
/// A staff pull page stops adding envelopes past this many bytes (the staff tool's client
/// accepts 16 MiB bodies).
inline constexpr std::size_t kMaxPullBytes = 12u << 20;
/// Longest error message a batch result carries for one envelope.
inline constexpr std::size_t kMaxResultMessageBytes = 4096;

// ---- Status socket limits (section 11) -------------------------------------------------------
/// A request line to the forwarder, without the newline.
inline constexpr std::size_t kMaxStatusRequestLine = 8 * 1024;
/// An answer line from the forwarder, without the newline.
inline constexpr std::size_t kMaxStatusAnswerLine = 64 * 1024;

} // namespace minsheng::sync
