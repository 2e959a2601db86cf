// EnvelopeSealer: seals a kiosk's envelope contents to the county key, with the public-key work
// done ahead of the parent's submit.
//
// crypto_box_seal(m, pk) is
//     (epk, esk) = a fresh X25519 key pair
//     k          = crypto_box_beforenm(pk, esk)           (X25519 + HSalsa20)
//     nonce      = BLAKE2b-192(epk || pk)
//     c          = epk || crypto_box_easy_afternm(m, nonce, k)
// The key pair and k do not depend on the message, and the two X25519 operations are most of the
// cost of sealing a form-sized message. prepareNext() does them while no parent is waiting
// (start-up, the Home screen after a submission); seal() then pays only XSalsa20-Poly1305 over the
// padded contents. The output is the crypto_box_seal construction byte for byte, so the county
// opens it with crypto_box_seal_open (openEnvelopeContents) as before. seal() prepares inline when
// nothing was prepared, so a sealer is always usable.
//
// Invariants:
//   1. A prepared key seals exactly one message: seal() wipes k and forgets epk before it
//      returns (or throws). Two envelopes never share an ephemeral key.
//   2. The ephemeral secret key lives only on prepareNext()'s stack and is wiped there; k is
//      kept in guarded memory (SecretBytes) until its one use.
//   3. The contents (kind byte, payload, padding) are written only into one guarded buffer that
//      grows to the largest bucket sealed so far, so a submit allocates no guarded memory once
//      the buffer is big enough. Every byte of the bucket used is wiped before seal() returns or
//      throws.
//   4. The layout is the version-2 contents of crypto/envelope.hpp: kind || payload, padded with
//      sodium_pad to paddingBucketFor(1 + payload size).
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "crypto/secret_bytes.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace minsheng::crypto {

class EnvelopeSealer {
public:
    explicit EnvelopeSealer(const X25519PublicKey& county);
    EnvelopeSealer(EnvelopeSealer&& other) noexcept;
    EnvelopeSealer& operator=(EnvelopeSealer&& other) noexcept;
    EnvelopeSealer(const EnvelopeSealer&) = delete;
    EnvelopeSealer& operator=(const EnvelopeSealer&) = delete;
    ~EnvelopeSealer() = default;

    const X25519PublicKey& county() const { return m_county; }

    /// Makes the ephemeral key pair and the shared key of the next seal now, unless that is done
    /// already. Throws std::runtime_error if the county key is unusable (a low-order point).
    void prepareNext();
    bool hasPreparedKey() const { return m_prepared; }

    /// Seals `kind` and a payload of `payloadSize` bytes that `writePayload` writes in place: it
    /// is called once with a span of exactly that size in guarded memory. Throws
    /// std::length_error when 1 + payloadSize exceeds kMaxPayloadBytes; an exception from
    /// writePayload propagates after the buffer is wiped (invariant 3).
    template <class WritePayload>
    Bytes seal(EnvelopeKind kind, std::size_t payloadSize, WritePayload&& writePayload) {
        const std::span<std::uint8_t> payload = beginContents(kind, payloadSize);
        try {
            writePayload(payload);
        } catch (...) {
            endSeal();
            throw;
        }
        return finishSeal(1 + payloadSize);
    }

    /// The same for a payload that is already in memory.
    Bytes seal(EnvelopeKind kind, std::span<const std::uint8_t> payload);

private:
    std::span<std::uint8_t> beginContents(EnvelopeKind kind, std::size_t payloadSize);
    Bytes finishSeal(std::size_t contentsSize);
    /// Wipes the contents and the shared key (invariants 1 and 3).
    void endSeal() noexcept;

    X25519PublicKey m_county;
    SecretBytes m_sharedKey; // crypto_box_BEFORENMBYTES; meaningful while m_prepared
    std::array<std::uint8_t, 32> m_ephemeralPublicKey{};
    bool m_prepared = false;
    SecretBytes m_contents;           // invariant 3
    std::size_t m_contentsBucket = 0; // the bucket of the seal in progress
};

} // namespace minsheng::crypto
