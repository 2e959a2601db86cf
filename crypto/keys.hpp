// Key types. Public keys are plain values; secret keys live in SecretBytes.
//
// Who holds what:
//   kiosk   Ed25519 signing key pair     signs every envelope header and heartbeat
//   county  X25519 sealing key pair      envelopes are sealed to its public half
//   county  Ed25519 signing key pair     signs acknowledgements, case statuses and replies
//   county  receipt tag key (32 bytes)   keyed BLAKE2b of receipt codes; shared with kiosks
#pragma once

#include "crypto/secret_bytes.hpp"
#include "crypto/sodium.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace minsheng::crypto {

/// Short public identifier of a key: the first 8 bytes of BLAKE2b-256 over the public key bytes
/// (over the key itself for the symmetric receipt tag key). Written as 16 lower-case hex digits.
using KeyId = std::array<std::uint8_t, 8>;
KeyId keyIdOf(std::span<const std::uint8_t> publicBytes);

using Ed25519Signature = std::array<std::uint8_t, 64>;

struct Ed25519PublicKey {
    std::array<std::uint8_t, 32> bytes{};
    KeyId id() const { return keyIdOf(bytes); }
};

class Ed25519SecretKey {
public:
    /// Libsodium's 64-byte form (seed || public key), in guarded memory.
    explicit Ed25519SecretKey(SecretBytes bytes64);
    Ed25519PublicKey publicKey() const;
    Ed25519Signature signDetached(std::span<const std::uint8_t> message) const;
    const SecretBytes& bytes() const { return m_bytes; }

private:
    SecretBytes m_bytes;
};

struct Ed25519KeyPair {
    Ed25519PublicKey publicKey;
    Ed25519SecretKey secretKey;
    static Ed25519KeyPair generate();
    /// Deterministic, for test vectors only.
    static Ed25519KeyPair fromSeed(std::span<const std::uint8_t, 32> seed);
};

[[nodiscard]] bool verifyEd25519(const Ed25519PublicKey& key, std::span<const std::uint8_t> message,
                                 std::span<const std::uint8_t> signature);

struct X25519PublicKey {
    std::array<std::uint8_t, 32> bytes{};
    KeyId id() const { return keyIdOf(bytes); }
};

class X25519SecretKey {
public:
    explicit X25519SecretKey(SecretBytes bytes32);
    X25519PublicKey publicKey() const; // crypto_scalarmult_base
    const SecretBytes& bytes() const { return m_bytes; }

private:
    SecretBytes m_bytes;
};

struct X25519KeyPair {
    X25519PublicKey publicKey;
    X25519SecretKey secretKey;
    static X25519KeyPair generate();
    /// Deterministic, for test vectors only.
    static X25519KeyPair fromSeed(std::span<const std::uint8_t, 32> seed);
};

/// The county-wide key for receipt tags (see receipt_code.hpp).
class ReceiptTagKey {
public:
    explicit ReceiptTagKey(SecretBytes bytes32);
    static ReceiptTagKey generate();
    const SecretBytes& bytes() const { return m_bytes; }
    KeyId id() const { return keyIdOf(m_bytes.span()); }

private:
    SecretBytes m_bytes;
};

} // namespace minsheng::crypto
