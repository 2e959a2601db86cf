#include <catch2/catch.hpp>

#include "crypto/envelope.hpp"
#include "crypto/receipt_code.hpp"

#include <sodium.h>

using namespace minsheng::crypto;

namespace {

struct Fixture {
    Ed25519KeyPair kiosk = Ed25519KeyPair::generate();
    X25519KeyPair county = X25519KeyPair::generate();
    ReceiptTagKey tagKey = ReceiptTagKey::generate();

    Envelope make(std::uint64_t seq, const Hash256& prev, std::string_view payload,
                  EnvelopeKind kind = EnvelopeKind::Complaint) {
        EnvelopeHeader h;
        h.kind = kind;
        h.kioskId = "demo-001";
        h.sequence = seq;
        h.previousHash = prev;
        h.createdAt = 1795000000 / 60 * 60;
        h.formId = kind == EnvelopeKind::Complaint ? "complaint" : "survey";
        h.countyKeyId = county.publicKey.id();
        if (kind == EnvelopeKind::Complaint)
            h.receiptTag = ReceiptCode::generate().tag(tagKey);
        return signEnvelope(h, sealPayloadX25519(county.publicKey, asBytes(payload)),
                            kiosk.secretKey);
    }
};

} // namespace

TEST_CASE("a signed envelope verifies and opens to its payload", "[crypto][envelope]") {
    Fixture f;
    const std::string payload = R"({"answers":{"what":"补课 每周六"},"form":"complaint"})";
    Envelope e = f.make(1, {}, payload);
    REQUIRE(verifyEnvelope(e, f.kiosk.publicKey).ok());
    auto opened = openEnvelope(e, f.county);
    REQUIRE(opened.ok());
    REQUIRE(opened->view() == payload);
}

TEST_CASE("padding hides the payload length inside a bucket", "[crypto][envelope]") {
    Fixture f;
    REQUIRE(paddingBucketFor(0) == 1024);
    REQUIRE(paddingBucketFor(1023) == 1024);
    REQUIRE(paddingBucketFor(1024) == 2048);
    REQUIRE(paddingBucketFor(kMaxPayloadBytes) == kMaxPaddingBucket);
    auto a = sealPayloadX25519(f.county.publicKey, asBytes(std::string(10, 'a')));
    auto b = sealPayloadX25519(f.county.publicKey, asBytes(std::string(1000, 'b')));
    REQUIRE(a.size() == b.size());
    REQUIRE(a.size() == 1024 + crypto_box_SEALBYTES);
    auto big = std::string(70000, 'c');
    auto c = sealPayloadX25519(f.county.publicKey, asBytes(big));
    REQUIRE(c.size() == 131072 + crypto_box_SEALBYTES);
    REQUIRE(openPayloadX25519(f.county, c)->view() == big);
    REQUIRE_THROWS_AS(
        sealPayloadX25519(f.county.publicKey, asBytes(std::string(kMaxPayloadBytes + 1, 'x'))),
        std::length_error);
}

TEST_CASE("the wrong county key cannot open, the kiosk cannot open what it sealed",
          "[crypto][envelope]") {
    Fixture f;
    Envelope e = f.make(1, {}, "secret");
    X25519KeyPair other = X25519KeyPair::generate();
    REQUIRE(openEnvelope(e, other).error() == EnvelopeFailure::WrongCountyKey);
    // Even when the key id is made to match, the sealed box itself refuses.
    REQUIRE(openPayloadX25519(other, e.ciphertext).error() == EnvelopeFailure::CannotOpen);
}

TEST_CASE("tampered, truncated and empty ciphertexts are rejected", "[crypto][envelope]") {
    Fixture f;
    Envelope e = f.make(1, {}, "payload");
    for (std::size_t i = 0; i < e.ciphertext.size(); i += 7) {
        Bytes t = e.ciphertext;
        t[i] ^= 0x01;
        REQUIRE(openPayloadX25519(f.county, t).error() == EnvelopeFailure::CannotOpen);
    }
    Bytes shorter(e.ciphertext.begin(), e.ciphertext.end() - 1);
    REQUIRE_FALSE(openPayloadX25519(f.county, shorter).ok());
    REQUIRE(openPayloadX25519(f.county, Bytes{}).error() == EnvelopeFailure::CannotOpen);
}

TEST_CASE("changing any signed field or byte breaks verification with the right reason",
          "[crypto][envelope][tamper]") {
    Fixture f;
    const Envelope good = f.make(3, blake2b256(asBytes("prev")), "payload");
    REQUIRE(verifyEnvelope(good, f.kiosk.publicKey).ok());

    auto expect = [&](Envelope e, EnvelopeFailure why) {
        auto r = verifyEnvelope(e, f.kiosk.publicKey);
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.error() == why);
    };
    for (std::size_t i = 0; i < good.ciphertext.size(); ++i) {
        Envelope e = good;
        e.ciphertext[i] ^= 0x80;
        expect(e, EnvelopeFailure::BadSignature);
    }
    for (std::size_t i = 0; i < good.signature.size(); ++i) {
        Envelope e = good;
        e.signature[i] ^= 0x01;
        expect(e, EnvelopeFailure::BadSignature);
    }
    for (std::size_t i = 0; i < 32; ++i) {
        Envelope e = good;
        e.header.previousHash[i] ^= 0x01;
        expect(e, EnvelopeFailure::BadSignature);
        Envelope t = good;
        (*t.header.receiptTag)[i] ^= 0x01;
        expect(t, EnvelopeFailure::BadSignature);
    }
    for (std::size_t i = 0; i < 8; ++i) {
        Envelope e = good;
        e.header.countyKeyId[i] ^= 0x01;
        expect(e, EnvelopeFailure::BadSignature);
    }
    {
        Envelope e = good;
        e.header.sequence = 4;
        expect(e, EnvelopeFailure::BadSignature);
        e = good;
        e.header.createdAt += 60;
        expect(e, EnvelopeFailure::BadSignature);
        e = good;
        e.header.kioskId = "demo-002";
        expect(e, EnvelopeFailure::BadSignature);
        e = good;
        e.header.formId = "complaint2";
        expect(e, EnvelopeFailure::BadSignature);
        e = good;
        e.header.version = 3;
        expect(e, EnvelopeFailure::UnknownVersion);
        e = good;
        e.header.version = kEnvelopeVersion; // a version-1 header relabelled: clear fields set
        expect(e, EnvelopeFailure::Malformed);
        e = good;
        e.header.createdAt += 1;
        expect(e, EnvelopeFailure::Malformed);
        e = good;
        e.header.kioskId = "Demo 001";
        expect(e, EnvelopeFailure::Malformed);
        e = good;
        e.header.receiptTag.reset(); // a complaint without a receipt tag
        expect(e, EnvelopeFailure::Malformed);
        e = good;
        e.header.sequence = 0;
        expect(e, EnvelopeFailure::Malformed);
        e = good;
        e.ciphertext.resize(100);
        expect(e, EnvelopeFailure::Malformed);
    }
    // Another kiosk's key does not verify it.
    REQUIRE(verifyEnvelope(good, Ed25519KeyPair::generate().publicKey).error() ==
            EnvelopeFailure::BadSignature);
}

TEST_CASE("the chain detects skipped, reordered, replayed and forked envelopes",
          "[crypto][envelope][chain]") {
    Fixture f;
    Envelope e1 = f.make(1, {}, "one");
    Envelope e2 = f.make(2, envelopeHash(e1), "two", EnvelopeKind::Survey);
    Envelope e3 = f.make(3, envelopeHash(e2), "three");

    SECTION("in order") {
        ChainVerifier c;
        REQUIRE(c.accept(e1).ok());
        REQUIRE(c.accept(e2).ok());
        REQUIRE(c.accept(e3).ok());
        REQUIRE(c.lastSequence() == 3);
        REQUIRE(c.lastHash() == envelopeHash(e3));
    }
    SECTION("skipped") {
        ChainVerifier c;
        REQUIRE(c.accept(e1).ok());
        REQUIRE(c.accept(e3).error() == EnvelopeFailure::ChainBreak);
        REQUIRE(c.lastSequence() == 1); // state unchanged by a rejected envelope
    }
    SECTION("reordered") {
        ChainVerifier c;
        REQUIRE(c.accept(e1).ok());
        REQUIRE(c.accept(e3).error() == EnvelopeFailure::ChainBreak);
        REQUIRE(c.accept(e2).ok());
        REQUIRE(c.accept(e3).ok());
    }
    SECTION("replayed") {
        ChainVerifier c;
        REQUIRE(c.accept(e1).ok());
        REQUIRE(c.accept(e1).error() == EnvelopeFailure::ChainBreak);
    }
    SECTION("forked: right sequence, wrong previous hash") {
        Envelope fork2 = f.make(2, blake2b256(asBytes("not e1")), "fork");
        ChainVerifier c;
        REQUIRE(c.accept(e1).ok());
        REQUIRE(c.accept(fork2).error() == EnvelopeFailure::ChainBreak);
    }
    SECTION("continuing from a known point") {
        ChainVerifier c(2, envelopeHash(e2));
        REQUIRE(c.accept(e3).ok());
    }
    SECTION("the first envelope must have a zero previous hash") {
        EnvelopeHeader h = e1.header;
        h.previousHash[0] = 1;
        REQUIRE(checkHeaderWellFormed(h, e1.ciphertext.size()) == EnvelopeFailure::ChainBreak);
    }
}

TEST_CASE("signEnvelope refuses a malformed header", "[crypto][envelope]") {
    Fixture f;
    EnvelopeHeader h;
    h.kioskId = "";
    h.formId = "complaint";
    h.sequence = 1;
    h.receiptTag = Hash256{};
    REQUIRE_THROWS_AS(
        signEnvelope(h, sealPayloadX25519(f.county.publicKey, asBytes("x")), f.kiosk.secretKey),
        std::invalid_argument);
}

namespace {

EnvelopeHeader version2Header(const Fixture& f, std::uint64_t seq, const Hash256& prev) {
    EnvelopeHeader h;
    h.version = kEnvelopeVersion;
    h.kioskId = "demo-001";
    h.sequence = seq;
    h.previousHash = prev;
    h.countyKeyId = f.county.publicKey.id();
    h.receiptTag = blake2b256(asBytes("tag " + std::to_string(seq)));
    return h;
}

} // namespace

TEST_CASE("version 2: kind, form and minute only inside the seal", "[crypto][envelope][v2]") {
    Fixture f;
    const std::string payload = R"({"created":"2026-11-23T10:05Z","form":"survey"})";
    Envelope e = signEnvelope(
        version2Header(f, 1, {}),
        sealEnvelopeContentsX25519(f.county.publicKey, EnvelopeKind::Survey, asBytes(payload)),
        f.kiosk.secretKey);
    REQUIRE(verifyEnvelope(e, f.kiosk.publicKey).ok());
    auto opened = openEnvelopeContents(e, f.county);
    REQUIRE(opened.ok());
    CHECK(opened->kind == EnvelopeKind::Survey);
    CHECK(opened->payload.view() == payload);
    CHECK(openEnvelope(e, f.county)->view() == payload);

    // The signing input names no kind: a complaint and a survey of equal ids sign the same
    // header bytes apart from the tag and ciphertext.
    const Bytes input = envelopeSigningInput(e.header, e.ciphertext);
    CHECK(input.size() == 16 + 1 + 1 + 8 + 8 + 32 + 8 + 32 + 4 + 32);
    CHECK(std::string(input.begin(), input.begin() + 15) == "minsheng-env-v2");

    // Clear fields in a version-2 header are refused, never silently unsigned.
    auto withKind = version2Header(f, 1, {});
    withKind.kind = EnvelopeKind::Survey;
    CHECK(checkHeaderWellFormed(withKind, e.ciphertext.size()) == EnvelopeFailure::Malformed);
    auto withMinute = version2Header(f, 1, {});
    withMinute.createdAt = 1795428300;
    CHECK(checkHeaderWellFormed(withMinute, e.ciphertext.size()) == EnvelopeFailure::Malformed);
    auto withForm = version2Header(f, 1, {});
    withForm.formId = "survey";
    CHECK(checkHeaderWellFormed(withForm, e.ciphertext.size()) == EnvelopeFailure::Malformed);
    auto noTag = version2Header(f, 1, {});
    noTag.receiptTag.reset();
    CHECK(checkHeaderWellFormed(noTag, e.ciphertext.size()) == EnvelopeFailure::Malformed);
    auto v3 = version2Header(f, 1, {});
    v3.version = 3;
    CHECK(checkHeaderWellFormed(v3, e.ciphertext.size()) == EnvelopeFailure::UnknownVersion);
}

TEST_CASE("version 2: a sealed kind byte that is not a kind is refused", "[crypto][envelope][v2]") {
    Fixture f;
    for (std::uint8_t badKind : {0, 3, 0xff}) {
        Bytes contents{badKind, '{', '}'};
        Envelope e =
            signEnvelope(version2Header(f, 1, {}), sealPayloadX25519(f.county.publicKey, contents),
                         f.kiosk.secretKey);
        REQUIRE(verifyEnvelope(e, f.kiosk.publicKey).ok());
        auto opened = openEnvelopeContents(e, f.county);
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error() == EnvelopeFailure::BadSealedKind);
    }
    Envelope empty = signEnvelope(version2Header(f, 1, {}),
                                  sealPayloadX25519(f.county.publicKey, {}), f.kiosk.secretKey);
    CHECK(openEnvelopeContents(empty, f.county).error() == EnvelopeFailure::BadSealedKind);
}

TEST_CASE("a chain may go on from version 1 to version 2", "[crypto][envelope][v2]") {
    Fixture f;
    Envelope one = f.make(1, {}, "first");
    CHECK(one.header.version == kEnvelopeVersion1);
    Envelope two = signEnvelope(
        version2Header(f, 2, envelopeHash(one)),
        sealEnvelopeContentsX25519(f.county.publicKey, EnvelopeKind::Complaint, asBytes("second")),
        f.kiosk.secretKey);
    ChainVerifier chain;
    CHECK(chain.accept(one).ok());
    CHECK(chain.accept(two).ok());
    // Version 1 still opens, its kind from the header.
    auto opened = openEnvelopeContents(one, f.county);
    REQUIRE(opened.ok());
    CHECK(opened->kind == EnvelopeKind::Complaint);
    CHECK(opened->payload.view() == "first");
}
