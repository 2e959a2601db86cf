// Envelope: a sealed payload, a header, and the kiosk's signature over both.
//
// Two versions exist. The kiosk writes version 2 only; the county server and the staff tool
// accept both while version-1 envelopes may still sit in kiosk outboxes (docs/protocol.md
// section 4 gives the transition rule). All integers are big-endian; docs/protocol.md is
// normative and carries test vectors that tests/crypto/protocol_vectors_test.cpp checks against
// this code.
//
// Version 2 signing input: only what the server needs to verify, chain and acknowledge.
//
//   offset size  field
//   0      16    domain tag, ASCII "minsheng-env-v2\0" (15 characters and one zero byte)
//   16     1     protocol version = 2
//   17     1     length K of kiosk id (1..64)
//   18     K     kiosk id, ASCII [a-z0-9-]
//   +0     8     sequence number (>= 1)
//   +8     32    previous envelope hash (32 zero bytes when sequence = 1)
//   +40    8     key id of the county X25519 key the payload is sealed to
//   +48    32    receipt tag (always present: a survey carries 32 random bytes no code maps to,
//                so the header does not tell a complaint from a survey)
//   +80    4     ciphertext length in bytes
//   +84    32    BLAKE2b-256 of the ciphertext
//
//   Sealed plaintext of version 2: 1 byte kind (1 = complaint, 2 = survey), then the payload.
//   The payload itself carries the form id and the creation minute (docs/protocol.md section 3),
//   so kind, form and minute are signed (through the ciphertext hash) but readable only by the
//   county key.
//
// Version 1 signing input (accepted, never written):
//
//   0      16    domain tag, ASCII "minsheng-env-v1\0"
//   16     1     protocol version = 1
//   17     1     kind: 1 = complaint, 2 = survey
//   18     1     length K of kiosk id (1..64)
//   19     K     kiosk id, ASCII [a-z0-9-]
//   +0     8     sequence number (>= 1)
//   +8     32    previous envelope hash (32 zero bytes when sequence = 1)
//   +40    8     created-at, seconds since 1970-01-01 UTC, a multiple of 60 (signed)
//   +48    1     length F of form id (1..64)
//   +49    F     form id, ASCII [a-z0-9_-]
//   +0     8     key id of the county X25519 key the payload is sealed to
//   +8     1     receipt tag present: 0 or 1 (1 for complaints, 0 for surveys)
//   +9     32    receipt tag (32 zero bytes when absent)
//   +41    4     ciphertext length in bytes
//   +45    32    BLAKE2b-256 of the ciphertext
//
//   Sealed plaintext of version 1: the payload.
//
// Both versions:
//   signature     = Ed25519(kiosk secret key, signing input)            64 bytes
//   envelope hash = BLAKE2b-256(signing input || signature)              32 bytes
//
// The envelope hash is what the next envelope's "previous hash" holds and what county
// acknowledgements name; so the chain commits to every header field, the ciphertext and the
// signature of every earlier envelope. A chain may hold version-1 envelopes followed by
// version-2 ones (a kiosk upgraded with envelopes queued).
#pragma once

#include "crypto/keys.hpp"
#include "crypto/result.hpp"
#include "crypto/sodium.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::crypto {

/// The version the kiosk writes.
inline constexpr std::uint8_t kEnvelopeVersion = 2;
/// The version with kind, form and minute in the clear; accepted, never written.
inline constexpr std::uint8_t kEnvelopeVersion1 = 1;
inline constexpr std::size_t kMaxKioskIdLength = 64;
inline constexpr std::size_t kMaxFormIdLength = 64;
/// Largest ciphertext accepted: the largest padding bucket (1 MiB) plus the sealed-box overhead.
inline constexpr std::size_t kMaxCiphertextBytes = (1u << 20) + 48;

enum class EnvelopeKind : std::uint8_t { Complaint = 1, Survey = 2 };
std::string_view envelopeKindName(EnvelopeKind kind); // "complaint" | "survey"
std::optional<EnvelopeKind> envelopeKindFromName(std::string_view name);

/// The fields of both versions. `kind`, `createdAt` and `formId` are header fields of version 1
/// only: a version-2 header leaves them at their defaults and they are neither signed nor sent
/// (the sealed plaintext carries them; see openEnvelopeContents). Code that needs them for any
/// version reads them from the opened envelope.
struct EnvelopeHeader {
    std::uint8_t version = kEnvelopeVersion1;    // the kiosk's outbox sets kEnvelopeVersion
    EnvelopeKind kind = EnvelopeKind::Complaint; // version 1 only
    std::string kioskId;
    std::uint64_t sequence = 0;
    Hash256 previousHash{};
    std::int64_t createdAt = 0; // version 1 only: Unix seconds, multiple of 60
    std::string formId;         // version 1 only
    KeyId countyKeyId{};
    std::optional<Hash256> receiptTag; // version 2: always present
};

/// True for version 1, whose header carries kind, form and minute in the clear.
inline bool headerCarriesMetadata(const EnvelopeHeader& h) {
    return h.version == kEnvelopeVersion1;
}

struct Envelope {
    EnvelopeHeader header;
    Bytes ciphertext;
    Ed25519Signature signature{};
};

/// Why an envelope was rejected. Ordered roughly by how early the check runs.
enum class EnvelopeFailure {
    Malformed,      // a field out of range: id syntax, lengths, time not a minute, ...
    UnknownVersion, // version byte is neither 1 nor 2
    UnknownKiosk,   // the kiosk id is not enrolled (decided by the caller's registry)
    RevokedKiosk,   // enrolled but revoked (decided by the caller's registry)
    BadSignature,   // Ed25519 verification failed
    ChainBreak,     // sequence or previous hash does not follow the last envelope seen
    WrongCountyKey, // sealed to a county key other than the one opening it
    CannotOpen,     // sealed box did not open (tampered ciphertext or wrong key)
    BadPadding,     // opened, but the padding is not ISO/IEC 7816-4
    BadSealedKind,  // version 2: opened, but the first plaintext byte is not a kind
};
std::string_view envelopeFailureName(EnvelopeFailure f); // "malformed", "bad-signature", ...

/// Checks field syntax and ranges (not the signature). nullopt when well-formed.
[[nodiscard]] std::optional<EnvelopeFailure> checkHeaderWellFormed(const EnvelopeHeader& h,
                                                                   std::size_t ciphertextSize);

/// The exact bytes that are signed (layout above). Precondition: checkHeaderWellFormed passed.
Bytes envelopeSigningInput(const EnvelopeHeader& header, std::span<const std::uint8_t> ciphertext);

/// Signs header + ciphertext. Throws std::invalid_argument if the header is not well-formed
/// (a programmer error: the outbox builds headers itself).
Envelope signEnvelope(EnvelopeHeader header, Bytes ciphertext, const Ed25519SecretKey& kioskKey);

Hash256 envelopeHash(const Envelope& envelope);

/// Well-formedness, version and signature: Ok, or the first check that failed. Chain and
/// registry checks are separate because they need state (see ChainVerifier).
[[nodiscard]] Result<Ok, EnvelopeFailure> verifyEnvelope(const Envelope& envelope,
                                                         const Ed25519PublicKey& kioskKey);

/// Follows one kiosk's chain: feed envelopes in sequence order.
class ChainVerifier {
public:
    /// Start of a chain (expects sequence 1 with a zero previous hash)...
    ChainVerifier() = default;
    /// ...or continue after a known envelope.
    ChainVerifier(std::uint64_t lastSequence, const Hash256& lastHash)
        : m_lastSequence(lastSequence), m_lastHash(lastHash) {}

    /// Ok (and the chain moves on) if `envelope` is the direct successor; ChainBreak otherwise
    /// (state unchanged).
    [[nodiscard]] Result<Ok, EnvelopeFailure> accept(const Envelope& envelope);
    std::uint64_t lastSequence() const { return m_lastSequence; }
    const Hash256& lastHash() const { return m_lastHash; }

private:
    std::uint64_t m_lastSequence = 0;
    Hash256 m_lastHash{};
};

// ---- Payload: padding and sealing -------------------------------------------------------------
//
// padded = payload || 0x80 || 0x00... up to the bucket size (ISO/IEC 7816-4, sodium_pad), where
// the bucket is the smallest power of two >= 1024 that is strictly larger than the payload.
// ciphertext = crypto_box_seal(padded, county X25519 public key)   (48 bytes longer)
// The kiosk cannot open what it sealed: crypto_box_seal uses a fresh ephemeral key pair.

inline constexpr std::size_t kMinPaddingBucket = 1024;
inline constexpr std::size_t kMaxPaddingBucket = 1u << 20;
/// Largest payload that fits the largest bucket (one byte is always padding).
inline constexpr std::size_t kMaxPayloadBytes = kMaxPaddingBucket - 1;

std::size_t paddingBucketFor(std::size_t payloadSize);

/// Throws std::length_error when payload exceeds kMaxPayloadBytes (forms bound the size; the
/// caller validates first).
Bytes sealPayloadX25519(const X25519PublicKey& county, std::span<const std::uint8_t> payload);

/// Opens and unpads. CannotOpen or BadPadding on failure.
[[nodiscard]] Result<SecretBytes, EnvelopeFailure>
openPayloadX25519(const X25519KeyPair& county, std::span<const std::uint8_t> ciphertext);

/// Version 2: seals `kind` followed by `payload` (the layout at the top of this file). Throws
/// std::length_error when the two exceed kMaxPayloadBytes.
Bytes sealEnvelopeContentsX25519(const X25519PublicKey& county, EnvelopeKind kind,
                                 std::span<const std::uint8_t> payload);

/// What an envelope holds once opened, whatever its version.
struct OpenedEnvelopeContents {
    EnvelopeKind kind = EnvelopeKind::Complaint; // version 1: the header's; 2: the sealed byte
    SecretBytes payload;                         // the payload bytes (the kind byte removed)
};

/// THE opening of an envelope for the staff side: checks the county key id, opens, unpads and,
/// for version 2, reads the sealed kind. Version 1 takes the kind from its header. Failures:
/// WrongCountyKey, CannotOpen, BadPadding, BadSealedKind, UnknownVersion.
[[nodiscard]] Result<OpenedEnvelopeContents, EnvelopeFailure>
openEnvelopeContents(const Envelope& envelope, const X25519KeyPair& county);

/// openEnvelopeContents without the kind: the payload bytes of either version.
[[nodiscard]] Result<SecretBytes, EnvelopeFailure> openEnvelope(const Envelope& envelope,
                                                                const X25519KeyPair& county);

} // namespace minsheng::crypto
