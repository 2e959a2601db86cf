#include "crypto/keys.hpp"

#include <algorithm>
#include <sodium.h>
#include <stdexcept>

namespace minsheng::crypto {

KeyId keyIdOf(std::span<const std::uint8_t> publicBytes) {
    const Hash256 h = blake2b256(publicBytes);
    KeyId id{};
    std::copy_n(h.begin(), id.size(), id.begin());
    return id;
}

Ed25519SecretKey::Ed25519SecretKey(SecretBytes bytes64) : m_bytes(std::move(bytes64)) {
    if (m_bytes.size() != crypto_sign_SECRETKEYBYTES)
        throw std::invalid_argument("Ed25519 secret key must be 64 bytes");
}

Ed25519PublicKey Ed25519SecretKey::publicKey() const {
    Ed25519PublicKey pk;
    crypto_sign_ed25519_sk_to_pk(pk.bytes.data(), m_bytes.data());
    return pk;
}

Ed25519Signature Ed25519SecretKey::signDetached(std::span<const std::uint8_t> message) const {
    Ed25519Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), m_bytes.data());
    return sig;
}

Ed25519KeyPair Ed25519KeyPair::generate() {
    Ed25519PublicKey pk;
    SecretBytes sk(crypto_sign_SECRETKEYBYTES);
    crypto_sign_keypair(pk.bytes.data(), sk.data());
    return {pk, Ed25519SecretKey(std::move(sk))};
}

Ed25519KeyPair Ed25519KeyPair::fromSeed(std::span<const std::uint8_t, 32> seed) {
    Ed25519PublicKey pk;
    SecretBytes sk(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(pk.bytes.data(), sk.data(), seed.data());
    return {pk, Ed25519SecretKey(std::move(sk))};
}

bool verifyEd25519(const Ed25519PublicKey& key, std::span<const std::uint8_t> message,
                   std::span<const std::uint8_t> signature) {
    if (signature.size() != crypto_sign_BYTES)
        return false;
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       key.bytes.data()) == 0;
}

X25519SecretKey::X25519SecretKey(SecretBytes bytes32) : m_bytes(std::move(bytes32)) {
    if (m_bytes.size() != crypto_box_SECRETKEYBYTES)
        throw std::invalid_argument("X25519 secret key must be 32 bytes");
}

X25519PublicKey X25519SecretKey::publicKey() const {
    X25519PublicKey pk;
    crypto_scalarmult_base(pk.bytes.data(), m_bytes.data());
    return pk;
}

X25519KeyPair X25519KeyPair::generate() {
    X25519PublicKey pk;
    SecretBytes sk(crypto_box_SECRETKEYBYTES);
    crypto_box_keypair(pk.bytes.data(), sk.data());
    return {pk, X25519SecretKey(std::move(sk))};
}

X25519KeyPair X25519KeyPair::fromSeed(std::span<const std::uint8_t, 32> seed) {
    X25519PublicKey pk;
    SecretBytes sk(crypto_box_SECRETKEYBYTES);
    crypto_box_seed_keypair(pk.bytes.data(), sk.data(), seed.data());
    return {pk, X25519SecretKey(std::move(sk))};
}

ReceiptTagKey::ReceiptTagKey(SecretBytes bytes32) : m_bytes(std::move(bytes32)) {
    if (m_bytes.size() != 32)
        throw std::invalid_argument("receipt tag key must be 32 bytes");
}

ReceiptTagKey ReceiptTagKey::generate() {
    SecretBytes k(32);
    randombytes_buf(k.data(), k.size());
    return ReceiptTagKey(std::move(k));
}

} // namespace minsheng::crypto
