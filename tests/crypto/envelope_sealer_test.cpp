// EnvelopeSealer: the crypto_box_seal construction with the public-key work done beforehand.
#include "crypto/envelope_sealer.hpp"
#include "crypto/sodium.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <cstring>
#include <stdexcept>
#include <string>

using namespace minsheng::crypto;

namespace {

std::span<const std::uint8_t> bytesOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Envelope envelopeAround(Bytes ciphertext, const X25519PublicKey& county) {
    Envelope e;
    e.header.version = kEnvelopeVersion;
    e.header.countyKeyId = county.id();
    e.ciphertext = std::move(ciphertext);
    return e;
}

} // namespace

TEST_CASE("a prepared seal opens with crypto_box_seal_open with its kind and payload intact",
          "[crypto][sealer]") {
    initSodium();
    const auto county = X25519KeyPair::generate();
    EnvelopeSealer sealer(county.publicKey);
    CHECK_FALSE(sealer.hasPreparedKey());
    sealer.prepareNext();
    CHECK(sealer.hasPreparedKey());
    const std::string payload = R"({"form":"complaint","answers":{"what":"周末补课"}})";
    const Bytes ct = sealer.seal(EnvelopeKind::Complaint, bytesOf(payload));
    CHECK_FALSE(sealer.hasPreparedKey()); // one key, one message (invariant 1)

    CHECK(ct.size() == paddingBucketFor(1 + payload.size()) + crypto_box_SEALBYTES);
    auto opened = openEnvelopeContents(envelopeAround(ct, county.publicKey), county);
    REQUIRE(opened.ok());
    CHECK(opened->kind == EnvelopeKind::Complaint);
    CHECK(opened->payload.view() == payload);

    // Byte for byte the sealed-box construction: libsodium's own opener accepts it.
    SecretBytes padded(ct.size() - crypto_box_SEALBYTES);
    CHECK(crypto_box_seal_open(padded.data(), ct.data(), ct.size(), county.publicKey.bytes.data(),
                               county.secretKey.bytes().data()) == 0);
    CHECK(padded.data()[0] == static_cast<std::uint8_t>(EnvelopeKind::Complaint));
}

TEST_CASE("every seal has its own ephemeral key whether prepared or made inline",
          "[crypto][sealer]") {
    initSodium();
    const auto county = X25519KeyPair::generate();
    EnvelopeSealer sealer(county.publicKey);
    const std::string payload = "same words";
    sealer.prepareNext();
    const Bytes a = sealer.seal(EnvelopeKind::Survey, bytesOf(payload));
    const Bytes b = sealer.seal(EnvelopeKind::Survey, bytesOf(payload)); // nothing prepared
    sealer.prepareNext();
    sealer.prepareNext(); // a second call keeps the prepared key, it does not make another
    const Bytes c = sealer.seal(EnvelopeKind::Survey, bytesOf(payload));
    for (const Bytes* x : {&a, &b, &c}) {
        auto opened = openEnvelopeContents(envelopeAround(*x, county.publicKey), county);
        REQUIRE(opened.ok());
        CHECK(opened->payload.view() == payload);
    }
    auto ephemeral = [](const Bytes& x) {
        return Bytes(x.begin(), x.begin() + 32);
    };
    CHECK(ephemeral(a) != ephemeral(b));
    CHECK(ephemeral(b) != ephemeral(c));
    CHECK(ephemeral(a) != ephemeral(c));
}

TEST_CASE(
    "the sealer writes the payload in place and grows its buffer and refuses oversize payloads",
    "[crypto][sealer]") {
    initSodium();
    const auto county = X25519KeyPair::generate();
    EnvelopeSealer sealer(county.publicKey);
    for (std::size_t size : {std::size_t{0}, std::size_t{10}, std::size_t{5000}, std::size_t{100},
                             kMaxPayloadBytes - 1}) {
        INFO(size);
        int calls = 0;
        const Bytes ct =
            sealer.seal(EnvelopeKind::Complaint, size, [&](std::span<std::uint8_t> out) {
                ++calls;
                REQUIRE(out.size() == size);
                std::memset(out.data(), 'q', out.size());
            });
        CHECK(calls == 1);
        auto opened = openEnvelopeContents(envelopeAround(ct, county.publicKey), county);
        REQUIRE(opened.ok());
        CHECK(opened->payload.view() == std::string(size, 'q'));
    }
    CHECK_THROWS_AS(sealer.seal(EnvelopeKind::Complaint, kMaxPayloadBytes, [](auto) {}),
                    std::length_error);

    // A writer that fails leaves the sealer usable, and the next seal is whole.
    sealer.prepareNext();
    CHECK_THROWS_AS(sealer.seal(EnvelopeKind::Complaint, 64,
                                [](std::span<std::uint8_t>) { throw std::runtime_error("x"); }),
                    std::runtime_error);
    CHECK_FALSE(sealer.hasPreparedKey()); // the key of the failed seal is not reused
    const Bytes ct = sealer.seal(EnvelopeKind::Survey, bytesOf(std::string("after")));
    auto opened = openEnvelopeContents(envelopeAround(ct, county.publicKey), county);
    REQUIRE(opened.ok());
    CHECK(opened->payload.view() == "after");
}

TEST_CASE("a sealer for another county key makes envelopes this county cannot open",
          "[crypto][sealer]") {
    initSodium();
    const auto county = X25519KeyPair::generate();
    const auto other = X25519KeyPair::generate();
    EnvelopeSealer sealer(other.publicKey);
    sealer.prepareNext();
    const Bytes ct = sealer.seal(EnvelopeKind::Complaint, bytesOf(std::string("x")));
    CHECK(openPayloadX25519(county, ct).error() == EnvelopeFailure::CannotOpen);
    CHECK(openPayloadX25519(other, ct).ok());
}

TEST_CASE("a moved sealer seals and the moved-from one has no prepared key", "[crypto][sealer]") {
    initSodium();
    const auto county = X25519KeyPair::generate();
    EnvelopeSealer first(county.publicKey);
    first.prepareNext();
    EnvelopeSealer second(std::move(first));
    CHECK(second.hasPreparedKey());
    CHECK_FALSE(first.hasPreparedKey()); // NOLINT(bugprone-use-after-move): the point
    const Bytes ct = second.seal(EnvelopeKind::Complaint, bytesOf(std::string("moved")));
    CHECK(openPayloadX25519(county, ct).ok());
}
