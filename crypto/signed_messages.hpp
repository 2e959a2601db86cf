// The small signed messages of the protocol besides envelopes (docs/protocol.md sections 8-9).
//
// Every signing input starts with a 16-byte domain tag, so a signature made for one kind of
// message can never be replayed as another. Integers are big-endian.
//
// Acknowledgement (county Ed25519 signing key): "the county stored envelope (kiosk, seq, hash)".
//   16  "minsheng-ack-v1\0"
//   1+K kiosk id (length byte, then ASCII)
//   8   sequence
//   32  envelope hash
//   8   received-at, Unix seconds (signed)
//
// Heartbeat (kiosk Ed25519 signing key): "this kiosk's chain head and queue, now".
//   16  "minsheng-hbt-v1\0"
//   1+K kiosk id
//   8   last sequence (0 before the first envelope)
//   32  last envelope hash (zeros before the first envelope)
//   8   queue length (pending envelopes)
//   8   free disk bytes in the data folder
//   8   sent-at, Unix seconds (signed)
//   1+V software version (length byte, then its UTF-8 bytes, at most 32)
//   and, only when the kiosk runs a published configuration or reports a refused one (the
//   configuration extension; a heartbeat without it signs exactly the bytes above):
//   8   configuration version the kiosk runs (0: the one it was provisioned with)
//   2+F last configuration failure (two-byte length, then UTF-8, at most 400; may be empty)
//
// Case status (county Ed25519 signing key; made by the staff tool, served by the intake server
// to kiosks that are shown the receipt code):
//   16  "minsheng-sts-v1\0"
//   32  receipt tag
//   1   status: 1 received 已接收, 2 accepted 已受理, 3 in progress 办理中, 4 closed 已办结,
//               5 transferred 已转办, 6 not accepted 不予受理
//   8   received-at (when the county first stored the complaint), Unix seconds
//   8   updated-at (when this status was set), Unix seconds
//   4   reply length R in bytes (at most 4000)
//   R   public reply, UTF-8 (may be empty)
//
// Configuration bundle (county Ed25519 signing key; made by `minsheng-county config publish`,
// stored and served by the intake server, which cannot make one):
//   16  "minsheng-cfg-v1\0"
//   4   format version (1)
//   8   configuration version (at least 1; a kiosk never takes one lower than it runs)
//   8   county signing key id
//   1   target count T (0: every kiosk of the county), then T kiosk ids (1+K each), ascending
//   8   not-before, Unix seconds: a kiosk does not apply the bundle earlier
//   32  content hash: BLAKE2b-256 of the content bytes (configBundleContentBytes)
// The content is a set of named files, hashed as: for each file in ascending name order,
// 1+N name, 4 length L, L bytes. Invariant: a bundle whose signature verifies and whose content
// hashes to the signed hash is exactly what the county published.
#pragma once

#include "crypto/keys.hpp"
#include "crypto/result.hpp"
#include "crypto/sodium.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::crypto {

/// Why a signed message does not verify. The names are logged and sent as error codes.
enum class SignedMessageFailure {
    Malformed,    // "malformed": a field out of range (id length, version length, reply length)
    BadSignature, // "bad-signature": Ed25519 verification failed
};
std::string_view signedMessageFailureName(SignedMessageFailure f);

struct Acknowledgement {
    std::string kioskId;
    std::uint64_t sequence = 0;
    Hash256 envelopeHash{};
    std::int64_t receivedAt = 0;
    Ed25519Signature signature{};
};
Bytes acknowledgementSigningInput(const Acknowledgement& ack);
Acknowledgement signAcknowledgement(Acknowledgement ack, const Ed25519SecretKey& countySigningKey);
/// Ok when the fields are in range and the county's signature verifies.
[[nodiscard]] Result<Ok, SignedMessageFailure>
verifyAcknowledgement(const Acknowledgement& ack, const Ed25519PublicKey& countySigningKey);

struct Heartbeat {
    std::string kioskId;
    std::uint64_t lastSequence = 0;
    Hash256 lastHash{};
    std::uint64_t queueLength = 0;
    std::uint64_t freeDiskBytes = 0;
    std::int64_t sentAt = 0;
    std::string version;
    Ed25519Signature signature{};
    /// The configuration extension (see above): signed when either is set.
    std::uint64_t configVersion = 0;
    std::string configFailure{}; // at most kMaxConfigFailureBytes
};
inline constexpr std::size_t kMaxConfigFailureBytes = 400;
Bytes heartbeatSigningInput(const Heartbeat& hb);
Heartbeat signHeartbeat(Heartbeat hb, const Ed25519SecretKey& kioskKey);
/// Ok when the fields are in range and the kiosk's signature verifies.
[[nodiscard]] Result<Ok, SignedMessageFailure> verifyHeartbeat(const Heartbeat& hb,
                                                               const Ed25519PublicKey& kioskKey);

enum class CaseStatus : std::uint8_t {
    Received = 1,    // 已接收
    Accepted = 2,    // 已受理
    InProgress = 3,  // 办理中
    Closed = 4,      // 已办结
    Transferred = 5, // 已转办
    NotAccepted = 6, // 不予受理
};
/// "received", "accepted", "in_progress", "closed", "transferred", "not_accepted"
std::string_view caseStatusName(CaseStatus s);
std::optional<CaseStatus> caseStatusFromName(std::string_view name);

inline constexpr std::size_t kMaxReplyBytes = 4000;

struct CaseStatusRecord {
    Hash256 receiptTag{};
    CaseStatus status = CaseStatus::Received;
    std::int64_t receivedAt = 0;
    std::int64_t updatedAt = 0;
    std::string reply; // public reply shown to the parent, UTF-8, at most kMaxReplyBytes
    Ed25519Signature signature{};
};
Bytes caseStatusSigningInput(const CaseStatusRecord& record);
/// Throws std::invalid_argument if the reply is longer than kMaxReplyBytes.
CaseStatusRecord signCaseStatus(CaseStatusRecord record, const Ed25519SecretKey& countySigningKey);
/// Ok when the status and reply are in range and the county's signature verifies.
[[nodiscard]] Result<Ok, SignedMessageFailure>
verifyCaseStatus(const CaseStatusRecord& record, const Ed25519PublicKey& countySigningKey);

inline constexpr std::uint32_t kConfigBundleFormat = 1;
inline constexpr std::size_t kMaxConfigBundleTargets = 255;
inline constexpr std::size_t kMaxConfigBundleFiles = 16;
/// The whole content of a bundle (every file together).
inline constexpr std::size_t kMaxConfigBundleContentBytes = 1u << 20;

struct ConfigBundleFile {
    std::string name; // 1-64 of [a-z0-9._-], e.g. "lists.toml"
    std::string text; // the file's bytes
};

struct ConfigBundle {
    std::uint32_t format = kConfigBundleFormat;
    std::uint64_t configVersion = 0;
    KeyId countyKeyId{};
    std::vector<std::string> targets; // kiosk ids, ascending; empty: every kiosk
    std::int64_t notBefore = 0;
    Hash256 contentHash{};
    std::vector<ConfigBundleFile> files; // ascending by name, names unique
    Ed25519Signature signature{};

    /// The file called `name`, or nullptr.
    const ConfigBundleFile* file(std::string_view name) const;
    /// Whether the bundle is meant for kiosk `kioskId`.
    bool isFor(std::string_view kioskId) const;
};
/// The bytes the content hash is taken over (see above).
Bytes configBundleContentBytes(const std::vector<ConfigBundleFile>& files);
Bytes configBundleSigningInput(const ConfigBundle& bundle);
/// Sorts files and targets, sets the content hash and key id, and signs. Throws
/// std::invalid_argument for a bundle out of range (a programmer error: publish checks first).
ConfigBundle signConfigBundle(ConfigBundle bundle, const Ed25519SecretKey& countySigningKey);
/// Ok when the fields are in range (format 1, version ≥ 1, sorted unique names and targets,
/// limits), the key id names `countySigningKey`, the content hashes to the signed hash and the
/// county's signature verifies. Says nothing about which kiosk or version may take it.
[[nodiscard]] Result<Ok, SignedMessageFailure>
verifyConfigBundle(const ConfigBundle& bundle, const Ed25519PublicKey& countySigningKey);
/// 1-64 of [a-z0-9._-], not starting with '.'.
bool isValidConfigFileName(std::string_view name);

} // namespace minsheng::crypto
