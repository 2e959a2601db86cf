#include "crypto/envelope.hpp"
#include "crypto/envelope_sealer.hpp"

#include "crypto/byte_writer.hpp"

#include <algorithm>
#include <cstring>
#include <sodium.h>
#include <stdexcept>

namespace minsheng::crypto {
namespace {

constexpr std::string_view kDomainTagV1 = "minsheng-env-v1";
constexpr std::string_view kDomainTagV2 = "minsheng-env-v2";
using bytes::putBytes;
using bytes::putU32;
using bytes::putU64;
using bytes::putU8;

bool validIdChars(std::string_view s, bool allowUnderscore) {
    return std::all_of(
        s.begin(), s.end(),
        [&](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                   (allowUnderscore && c == '_');
        });
}

} // namespace

std::string_view envelopeKindName(EnvelopeKind kind) {
    switch (kind) {
    case EnvelopeKind::Complaint:
        return "complaint";
    case EnvelopeKind::Survey:
        return "survey";
    }
    return "unknown";
}

std::optional<EnvelopeKind> envelopeKindFromName(std::string_view name) {
    if (name == "complaint")
        return EnvelopeKind::Complaint;
    if (name == "survey")
        return EnvelopeKind::Survey;
    return std::nullopt;
}

std::string_view envelopeFailureName(EnvelopeFailure f) {
    switch (f) {
    case EnvelopeFailure::Malformed:
        return "malformed";
    case EnvelopeFailure::UnknownVersion:
        return "unknown-version";
    case EnvelopeFailure::UnknownKiosk:
        return "unknown-kiosk";
    case EnvelopeFailure::RevokedKiosk:
        return "revoked-kiosk";
    case EnvelopeFailure::BadSignature:
        return "bad-signature";
    case EnvelopeFailure::ChainBreak:
        return "chain-break";
    case EnvelopeFailure::WrongCountyKey:
        return "wrong-county-key";
    case EnvelopeFailure::CannotOpen:
        return "cannot-open";
    case EnvelopeFailure::BadPadding:
        return "bad-padding";
    case EnvelopeFailure::BadSealedKind:
        return "bad-sealed-kind";
    }
    return "unknown";
}

std::optional<EnvelopeFailure> checkHeaderWellFormed(const EnvelopeHeader& h,
                                                     std::size_t ciphertextSize) {
    if (h.version != kEnvelopeVersion && h.version != kEnvelopeVersion1)
        return EnvelopeFailure::UnknownVersion;
    if (h.kioskId.empty() || h.kioskId.size() > kMaxKioskIdLength ||
        !validIdChars(h.kioskId, false))
        return EnvelopeFailure::Malformed;
    if (h.sequence == 0)
        return EnvelopeFailure::Malformed;
    if (headerCarriesMetadata(h)) {
        if (h.kind != EnvelopeKind::Complaint && h.kind != EnvelopeKind::Survey)
            return EnvelopeFailure::Malformed;
        if (h.formId.empty() || h.formId.size() > kMaxFormIdLength || !validIdChars(h.formId, true))
            return EnvelopeFailure::Malformed;
        if (h.createdAt % 60 != 0)
            return EnvelopeFailure::Malformed;
        // A complaint must carry a receipt tag (the parent was given a code); a survey must not
        // (surveys are anonymous and never looked up).
        if ((h.kind == EnvelopeKind::Complaint) != h.receiptTag.has_value())
            return EnvelopeFailure::Malformed;
    } else {
        // Version 2: the clear metadata fields are unused and must stay at their defaults, so
        // a header can never claim what its signature does not cover; every envelope carries a
        // tag, so its presence says nothing about the kind.
        if (h.kind != EnvelopeKind::Complaint || h.createdAt != 0 || !h.formId.empty() ||
            !h.receiptTag.has_value())
            return EnvelopeFailure::Malformed;
    }
    if (h.sequence == 1 && std::any_of(h.previousHash.begin(), h.previousHash.end(),
                                       [](std::uint8_t b) { return b != 0; }))
        return EnvelopeFailure::ChainBreak;
    if (ciphertextSize < crypto_box_SEALBYTES + kMinPaddingBucket ||
        ciphertextSize > kMaxCiphertextBytes)
        return EnvelopeFailure::Malformed;
    return std::nullopt;
}

Bytes envelopeSigningInput(const EnvelopeHeader& h, std::span<const std::uint8_t> ciphertext) {
    Bytes out;
    out.reserve(200 + h.kioskId.size() + h.formId.size());
    if (!headerCarriesMetadata(h)) {
        bytes::putDomainTag(out, kDomainTagV2);
        putU8(out, h.version);
        putU8(out, static_cast<std::uint8_t>(h.kioskId.size()));
        putBytes(out, asBytes(h.kioskId));
        putU64(out, h.sequence);
        putBytes(out, h.previousHash);
        putBytes(out, h.countyKeyId);
        putBytes(out, h.receiptTag ? *h.receiptTag : Hash256{});
        putU32(out, static_cast<std::uint32_t>(ciphertext.size()));
        putBytes(out, blake2b256(ciphertext));
        return out;
    }
    bytes::putDomainTag(out, kDomainTagV1);
    putU8(out, h.version);
    putU8(out, static_cast<std::uint8_t>(h.kind));
    putU8(out, static_cast<std::uint8_t>(h.kioskId.size()));
    putBytes(out, asBytes(h.kioskId));
    putU64(out, h.sequence);
    putBytes(out, h.previousHash);
    putU64(out, static_cast<std::uint64_t>(h.createdAt));
    putU8(out, static_cast<std::uint8_t>(h.formId.size()));
    putBytes(out, asBytes(h.formId));
    putBytes(out, h.countyKeyId);
    putU8(out, h.receiptTag ? 1 : 0);
    putBytes(out, h.receiptTag ? *h.receiptTag : Hash256{});
    putU32(out, static_cast<std::uint32_t>(ciphertext.size()));
    putBytes(out, blake2b256(ciphertext));
    return out;
}

Envelope signEnvelope(EnvelopeHeader header, Bytes ciphertext, const Ed25519SecretKey& kioskKey) {
    if (auto bad = checkHeaderWellFormed(header, ciphertext.size()))
        throw std::invalid_argument("signEnvelope: header is not well-formed (" +
                                    std::string(envelopeFailureName(*bad)) + ")");
    Envelope e{std::move(header), std::move(ciphertext), {}};
    e.signature = kioskKey.signDetached(envelopeSigningInput(e.header, e.ciphertext));
    return e;
}

Hash256 envelopeHash(const Envelope& envelope) {
    Bytes input = envelopeSigningInput(envelope.header, envelope.ciphertext);
    putBytes(input, envelope.signature);
    return blake2b256(input);
}

Result<Ok, EnvelopeFailure> verifyEnvelope(const Envelope& envelope,
                                           const Ed25519PublicKey& kioskKey) {
    if (auto bad = checkHeaderWellFormed(envelope.header, envelope.ciphertext.size()))
        return fail(*bad);
    if (!verifyEd25519(kioskKey, envelopeSigningInput(envelope.header, envelope.ciphertext),
                       envelope.signature))
        return fail(EnvelopeFailure::BadSignature);
    return Ok{};
}

Result<Ok, EnvelopeFailure> ChainVerifier::accept(const Envelope& envelope) {
    if (envelope.header.sequence != m_lastSequence + 1)
        return fail(EnvelopeFailure::ChainBreak);
    if (!constantTimeEqual(envelope.header.previousHash, m_lastHash))
        return fail(EnvelopeFailure::ChainBreak);
    m_lastSequence = envelope.header.sequence;
    m_lastHash = envelopeHash(envelope);
    return Ok{};
}

std::size_t paddingBucketFor(std::size_t payloadSize) {
    std::size_t bucket = kMinPaddingBucket;
    while (bucket <= payloadSize && bucket < kMaxPaddingBucket)
        bucket *= 2;
    return bucket;
}

Bytes sealPayloadX25519(const X25519PublicKey& county, std::span<const std::uint8_t> payload) {
    if (payload.size() > kMaxPayloadBytes)
        throw std::length_error("payload larger than the largest padding bucket");
    const std::size_t bucket = paddingBucketFor(payload.size());
    SecretBytes padded(bucket);
    if (!payload.empty())
        std::memcpy(padded.data(), payload.data(), payload.size());
    std::size_t paddedLen = 0;
    // sodium_pad appends 0x80 and zeros up to a multiple of `bucket`; the buffer is exactly one
    // bucket, so the result is exactly `bucket` bytes long.
    if (sodium_pad(&paddedLen, padded.data(), payload.size(), bucket, padded.size()) != 0 ||
        paddedLen != bucket)
        throw std::logic_error("sodium_pad failed");
    Bytes ciphertext(bucket + crypto_box_SEALBYTES);
    if (crypto_box_seal(ciphertext.data(), padded.data(), bucket, county.bytes.data()) != 0)
        throw std::runtime_error("crypto_box_seal failed");
    return ciphertext;
}

Result<SecretBytes, EnvelopeFailure> openPayloadX25519(const X25519KeyPair& county,
                                                       std::span<const std::uint8_t> ciphertext) {
    if (ciphertext.size() < crypto_box_SEALBYTES + kMinPaddingBucket ||
        ciphertext.size() > kMaxCiphertextBytes)
        return fail(EnvelopeFailure::CannotOpen);
    const std::size_t bucket = ciphertext.size() - crypto_box_SEALBYTES;
    // Buckets are powers of two; anything else was not made by sealPayloadX25519.
    if ((bucket & (bucket - 1)) != 0)
        return fail(EnvelopeFailure::BadPadding);
    SecretBytes padded(bucket);
    if (crypto_box_seal_open(padded.data(), ciphertext.data(), ciphertext.size(),
                             county.publicKey.bytes.data(), county.secretKey.bytes().data()) != 0)
        return fail(EnvelopeFailure::CannotOpen);
    std::size_t unpadded = 0;
    if (sodium_unpad(&unpadded, padded.data(), padded.size(), bucket) != 0)
        return fail(EnvelopeFailure::BadPadding);
    padded.truncate(unpadded);
    return padded;
}

Bytes sealEnvelopeContentsX25519(const X25519PublicKey& county, EnvelopeKind kind,
                                 std::span<const std::uint8_t> payload) {
    return EnvelopeSealer(county).seal(kind, payload);
}

Result<OpenedEnvelopeContents, EnvelopeFailure> openEnvelopeContents(const Envelope& envelope,
                                                                     const X25519KeyPair& county) {
    const EnvelopeHeader& h = envelope.header;
    if (h.version != kEnvelopeVersion && h.version != kEnvelopeVersion1)
        return fail(EnvelopeFailure::UnknownVersion);
    if (!constantTimeEqual(h.countyKeyId, county.publicKey.id()))
        return fail(EnvelopeFailure::WrongCountyKey);
    auto opened = openPayloadX25519(county, envelope.ciphertext);
    if (!opened)
        return fail(opened.error());
    if (headerCarriesMetadata(h))
        return OpenedEnvelopeContents{h.kind, std::move(opened.value())};
    const SecretBytes& plain = opened.value();
    if (plain.size() < 1 ||
        (plain.data()[0] != static_cast<std::uint8_t>(EnvelopeKind::Complaint) &&
         plain.data()[0] != static_cast<std::uint8_t>(EnvelopeKind::Survey)))
        return fail(EnvelopeFailure::BadSealedKind);
    OpenedEnvelopeContents out{static_cast<EnvelopeKind>(plain.data()[0]),
                               SecretBytes(plain.size() - 1)};
    if (plain.size() > 1)
        std::memcpy(out.payload.data(), plain.data() + 1, plain.size() - 1);
    return out;
}

Result<SecretBytes, EnvelopeFailure> openEnvelope(const Envelope& envelope,
                                                  const X25519KeyPair& county) {
    auto opened = openEnvelopeContents(envelope, county);
    if (!opened)
        return fail(opened.error());
    return std::move(opened->payload);
}

} // namespace minsheng::crypto
