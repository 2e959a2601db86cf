#include <catch2/catch.hpp>

#include "crypto/signed_messages.hpp"

using namespace minsheng::crypto;

TEST_CASE("acknowledgements verify only unchanged and with the county key", "[crypto][signed]") {
    auto county = Ed25519KeyPair::generate();
    Acknowledgement a{"demo-001", 42, blake2b256(asBytes("env")), 1795428312, {}};
    a = signAcknowledgement(a, county.secretKey);
    REQUIRE(verifyAcknowledgement(a, county.publicKey).ok());
    REQUIRE(verifyAcknowledgement(a, Ed25519KeyPair::generate().publicKey).error() ==
            SignedMessageFailure::BadSignature);
    auto t = a;
    t.sequence = 43;
    REQUIRE(verifyAcknowledgement(t, county.publicKey).error() ==
            SignedMessageFailure::BadSignature);
    t = a;
    t.kioskId = "demo-002";
    REQUIRE(verifyAcknowledgement(t, county.publicKey).error() ==
            SignedMessageFailure::BadSignature);
    t = a;
    t.envelopeHash[31] ^= 1;
    REQUIRE(verifyAcknowledgement(t, county.publicKey).error() ==
            SignedMessageFailure::BadSignature);
    t = a;
    t.receivedAt += 1;
    REQUIRE(verifyAcknowledgement(t, county.publicKey).error() ==
            SignedMessageFailure::BadSignature);
    for (std::size_t i = 0; i < 64; ++i) {
        t = a;
        t.signature[i] ^= 0x10;
        REQUIRE(verifyAcknowledgement(t, county.publicKey).error() ==
                SignedMessageFailure::BadSignature);
    }
}

TEST_CASE("a signature for one message kind is not valid for another", "[crypto][signed]") {
    auto key = Ed25519KeyPair::generate();
    Heartbeat h{"demo-001", 5, blake2b256(asBytes("h")), 0, 1000, 1795428312, "0.1.0", {}};
    h = signHeartbeat(h, key.secretKey);
    REQUIRE(verifyHeartbeat(h, key.publicKey).ok());
    REQUIRE(acknowledgementSigningInput({"demo-001", 5, h.lastHash, 0, {}}).size() > 16);
    // Domain tags differ in the first 16 bytes of every signing input.
    auto ai = acknowledgementSigningInput({"demo-001", 5, h.lastHash, 1795428312, {}});
    auto hi = heartbeatSigningInput(h);
    REQUIRE(std::string(ai.begin(), ai.begin() + 16) != std::string(hi.begin(), hi.begin() + 16));
    auto t = h;
    t.queueLength = 1;
    REQUIRE(verifyHeartbeat(t, key.publicKey).error() == SignedMessageFailure::BadSignature);
    t = h;
    t.version = "0.1.1";
    REQUIRE(verifyHeartbeat(t, key.publicKey).error() == SignedMessageFailure::BadSignature);
}

TEST_CASE("case statuses carry a signed reply", "[crypto][signed]") {
    auto county = Ed25519KeyPair::generate();
    CaseStatusRecord r;
    r.receiptTag = blake2b256(asBytes("tag"));
    r.status = CaseStatus::InProgress;
    r.receivedAt = 1795428300;
    r.updatedAt = 1795500000;
    r.reply = "已转交城关街道办事处核查，请耐心等待。";
    r = signCaseStatus(r, county.secretKey);
    REQUIRE(verifyCaseStatus(r, county.publicKey).ok());
    auto t = r;
    t.reply += "!";
    REQUIRE(verifyCaseStatus(t, county.publicKey).error() == SignedMessageFailure::BadSignature);
    t = r;
    t.status = CaseStatus::Closed;
    REQUIRE(verifyCaseStatus(t, county.publicKey).error() == SignedMessageFailure::BadSignature);
    REQUIRE(caseStatusFromName("in_progress") == CaseStatus::InProgress);
    REQUIRE_FALSE(caseStatusFromName("done"));
    r.reply.assign(kMaxReplyBytes + 1, 'x');
    REQUIRE_THROWS_AS(signCaseStatus(r, county.secretKey), std::invalid_argument);
}

TEST_CASE("signed messages with fields out of range are malformed, not badly signed",
          "[crypto][signed]") {
    auto key = Ed25519KeyPair::generate();
    Acknowledgement a = signAcknowledgement({"demo-001", 1, {}, 0, {}}, key.secretKey);
    a.kioskId.clear();
    REQUIRE(verifyAcknowledgement(a, key.publicKey).error() == SignedMessageFailure::Malformed);
    a.kioskId.assign(65, 'k');
    REQUIRE(verifyAcknowledgement(a, key.publicKey).error() == SignedMessageFailure::Malformed);

    Heartbeat h = signHeartbeat({"demo-001", 0, {}, 0, 0, 0, "0.1.0", {}}, key.secretKey);
    h.version.assign(33, 'v');
    REQUIRE(verifyHeartbeat(h, key.publicKey).error() == SignedMessageFailure::Malformed);

    CaseStatusRecord r = signCaseStatus({}, key.secretKey);
    REQUIRE(verifyCaseStatus(r, key.publicKey).ok());
    r.status = static_cast<CaseStatus>(9);
    REQUIRE(verifyCaseStatus(r, key.publicKey).error() == SignedMessageFailure::Malformed);
    r = signCaseStatus({}, key.secretKey);
    r.reply.assign(kMaxReplyBytes + 1, 'x');
    REQUIRE(verifyCaseStatus(r, key.publicKey).error() == SignedMessageFailure::Malformed);

    REQUIRE(signedMessageFailureName(SignedMessageFailure::Malformed) == "malformed");
    REQUIRE(signedMessageFailureName(SignedMessageFailure::BadSignature) == "bad-signature");
}
