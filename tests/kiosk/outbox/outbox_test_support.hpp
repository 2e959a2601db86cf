// Helpers shared by the outbox tests and the crash child: a fixed kiosk signing key (so a
// separate process's envelopes can be verified), drafts, and a chain checker.
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "kiosk/outbox/outbox.hpp"

#include <array>
#include <cstdint>
#include <sodium.h>
#include <string>

namespace minsheng::test {

inline constexpr const char* kTestKioskId = "kiosk-test-01";

/// Deterministic, so the crash child and the test process agree on the kiosk key.
inline crypto::Ed25519KeyPair testKioskKey() {
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i)
        seed[i] = static_cast<std::uint8_t>(0xA0 + i);
    return crypto::Ed25519KeyPair::fromSeed(seed);
}

inline crypto::SecretBytes randomStoreKey() {
    crypto::SecretBytes key(32);
    randombytes_buf(key.data(), key.size());
    return key;
}

/// A draft whose "ciphertext" is random bytes (the outbox does not open it), optionally with a
/// marker string written into the middle so a test can search the disk for it.
inline outbox::EnvelopeDraft makeDraft(std::size_t ciphertextBytes,
                                       std::int64_t createdAt = 1717171200,
                                       const std::string& marker = {}) {
    outbox::EnvelopeDraft d;
    d.kind = crypto::EnvelopeKind::Complaint;
    d.formId = "homework-load";
    d.createdAt = createdAt;
    for (std::size_t i = 0; i < d.countyKeyId.size(); ++i)
        d.countyKeyId[i] = static_cast<std::uint8_t>(i + 1);
    crypto::Hash256 tag{};
    randombytes_buf(tag.data(), tag.size());
    d.receiptTag = tag;
    d.ciphertext.resize(ciphertextBytes);
    randombytes_buf(d.ciphertext.data(), d.ciphertext.size());
    if (!marker.empty() && marker.size() <= ciphertextBytes) {
        std::size_t at = (ciphertextBytes - marker.size()) / 2;
        std::copy(marker.begin(), marker.end(), d.ciphertext.begin() + static_cast<long>(at));
    }
    return d;
}

/// Checks signatures and the chain from `verifier`'s state; returns "" or what is wrong.
inline std::string checkChain(const std::vector<outbox::StoredEnvelope>& envelopes,
                              const crypto::Ed25519PublicKey& kioskKey,
                              crypto::ChainVerifier& verifier) {
    for (const auto& e : envelopes) {
        std::string where = "envelope " + std::to_string(e.envelope.header.sequence) + ": ";
        if (auto v = crypto::verifyEnvelope(e.envelope, kioskKey); !v)
            return where + std::string(crypto::envelopeFailureName(v.error()));
        if (auto c = verifier.accept(e.envelope); !c)
            return where + std::string(crypto::envelopeFailureName(c.error()));
        if (crypto::envelopeHash(e.envelope) != e.hash)
            return where + "stored hash differs from the recomputed one";
    }
    return {};
}

} // namespace minsheng::test
