#include "crypto/envelope_sealer.hpp"

#include <cstring>
#include <sodium.h>
#include <stdexcept>
#include <utility>

namespace minsheng::crypto {

static_assert(crypto_box_PUBLICKEYBYTES == 32 && crypto_box_SEALBYTES == 32 + crypto_box_MACBYTES,
              "the sealed-box layout this file reproduces");

EnvelopeSealer::EnvelopeSealer(const X25519PublicKey& county)
    : m_county(county), m_sharedKey(crypto_box_BEFORENMBYTES) {}

EnvelopeSealer::EnvelopeSealer(EnvelopeSealer&& other) noexcept
    : m_county(other.m_county), m_sharedKey(std::move(other.m_sharedKey)),
      m_ephemeralPublicKey(other.m_ephemeralPublicKey), m_prepared(other.m_prepared),
      m_contents(std::move(other.m_contents)) {
    other.m_prepared = false; // the moved-from sealer has no key to seal with
}

EnvelopeSealer& EnvelopeSealer::operator=(EnvelopeSealer&& other) noexcept {
    if (this != &other) {
        m_county = other.m_county;
        m_sharedKey = std::move(other.m_sharedKey);
        m_ephemeralPublicKey = other.m_ephemeralPublicKey;
        m_prepared = std::exchange(other.m_prepared, false);
        m_contents = std::move(other.m_contents);
        m_contentsBucket = 0;
    }
    return *this;
}

void EnvelopeSealer::prepareNext() {
    if (m_prepared)
        return;
    if (m_sharedKey.size() != crypto_box_BEFORENMBYTES)
        m_sharedKey = SecretBytes(crypto_box_BEFORENMBYTES); // after a move
    unsigned char ephemeralSecret[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(m_ephemeralPublicKey.data(), ephemeralSecret);
    const int rc = crypto_box_beforenm(m_sharedKey.data(), m_county.bytes.data(), ephemeralSecret);
    sodium_memzero(ephemeralSecret, sizeof ephemeralSecret); // invariant 2
    if (rc != 0) {
        sodium_memzero(m_sharedKey.data(), m_sharedKey.size());
        throw std::runtime_error("crypto_box_beforenm failed: the county key is not usable");
    }
    m_prepared = true;
}

std::span<std::uint8_t> EnvelopeSealer::beginContents(EnvelopeKind kind, std::size_t payloadSize) {
    if (payloadSize >= kMaxPayloadBytes)
        throw std::length_error("payload larger than the largest padding bucket");
    const std::size_t bucket = paddingBucketFor(1 + payloadSize);
    if (m_contents.size() < bucket)
        m_contents = SecretBytes(bucket); // the old buffer is wiped as it is freed
    m_contentsBucket = bucket;
    m_contents.data()[0] = static_cast<std::uint8_t>(kind);
    return {m_contents.data() + 1, payloadSize};
}

void EnvelopeSealer::endSeal() noexcept {
    if (m_contentsBucket != 0)
        sodium_memzero(m_contents.data(), m_contentsBucket);
    m_contentsBucket = 0;
    if (m_sharedKey.size() != 0)
        sodium_memzero(m_sharedKey.data(), m_sharedKey.size());
    m_prepared = false;
}

Bytes EnvelopeSealer::finishSeal(std::size_t contentsSize) {
    const std::size_t bucket = m_contentsBucket;
    struct EndSeal {
        EnvelopeSealer& sealer;
        ~EndSeal() { sealer.endSeal(); } // on every path out (invariants 1 and 3)
    } end{*this};

    std::size_t paddedLen = 0;
    // sodium_pad appends 0x80 and zeros up to a multiple of `bucket`; the contents are shorter
    // than one bucket, so the result is exactly one bucket.
    if (sodium_pad(&paddedLen, m_contents.data(), contentsSize, bucket, bucket) != 0 ||
        paddedLen != bucket)
        throw std::logic_error("sodium_pad failed");
    prepareNext(); // a no-op when prepared between sessions

    unsigned char nonce[crypto_box_NONCEBYTES];
    crypto_generichash_state h;
    crypto_generichash_init(&h, nullptr, 0, sizeof nonce);
    crypto_generichash_update(&h, m_ephemeralPublicKey.data(), m_ephemeralPublicKey.size());
    crypto_generichash_update(&h, m_county.bytes.data(), m_county.bytes.size());
    crypto_generichash_final(&h, nonce, sizeof nonce);

    Bytes ciphertext(bucket + crypto_box_SEALBYTES);
    std::memcpy(ciphertext.data(), m_ephemeralPublicKey.data(), m_ephemeralPublicKey.size());
    if (crypto_box_easy_afternm(ciphertext.data() + crypto_box_PUBLICKEYBYTES, m_contents.data(),
                                bucket, nonce, m_sharedKey.data()) != 0)
        throw std::runtime_error("crypto_box_easy_afternm failed");
    return ciphertext;
}

Bytes EnvelopeSealer::seal(EnvelopeKind kind, std::span<const std::uint8_t> payload) {
    return seal(
        kind, payload.size(),
        [&](std::span<std::uint8_t> out) {
            if (!payload.empty())
                std::memcpy(out.data(), payload.data(), payload.size());
        });
}

} // namespace minsheng::crypto
