// The envelope's JSON wire form (docs/protocol.md section 6): HTTP bodies and export files.
// envelopeFromJson is the only place that turns outside bytes into a crypto::Envelope.
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/result.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace minsheng::sync {

struct EnvelopeWireError {
    crypto::EnvelopeFailure failure; // Malformed or UnknownVersion
    std::string message;             // which member is wrong and how
};

/// Largest JSON text accepted for one envelope: base64 of the largest ciphertext plus headroom.
inline constexpr std::size_t kMaxEnvelopeJsonBytes =
    (crypto::kMaxCiphertextBytes / 3 + 1) * 4 + 4096;

nlohmann::json envelopeToJsonValue(const crypto::Envelope& envelope);
/// Compact JSON text with members in a fixed order (v, kind, kiosk, seq, prev, created, form,
/// county_key, receipt_tag, ciphertext, sig, hash).
std::string envelopeToJson(const crypto::Envelope& envelope);
/// The same text, for a caller that already holds crypto::envelopeHash(envelope).
std::string envelopeToJson(const crypto::Envelope& envelope, const crypto::Hash256& hash);

/// Full structural validation: every member present with the right type and syntax, nothing
/// unknown or duplicated, the header well-formed (crypto::checkHeaderWellFormed), and `hash`,
/// when present, equal to the recomputed envelope hash. Does NOT check the signature or chain:
/// that needs the kiosk registry (crypto::verifyEnvelope, crypto::ChainVerifier).
[[nodiscard]] Result<crypto::Envelope, EnvelopeWireError> envelopeFromJson(std::string_view text);
[[nodiscard]] Result<crypto::Envelope, EnvelopeWireError>
envelopeFromJsonValue(const nlohmann::json& value);

/// "<kiosk>-<seq as 10 digits>.msenv.json"
std::string envelopeExportFileName(const crypto::EnvelopeHeader& header);

} // namespace minsheng::sync
