#include <catch2/catch.hpp>

#include "crypto/signed_messages.hpp"

using namespace minsheng::crypto;

TEST_CASE("acknowledgements verify only unchanged and with the county key", "[crypto][signed]") {
    auto county = Ed25519KeyPair::generate();
    Acknowledgement a{"demo-001", 42, blake2b256(asBytes("env")), 1795428312, {}};
    a = signAcknowledgement(a, county.secretKey);
    REQUIRE(verifyAcknowledgement(a, county.publicKey));
    REQUIRE_FALSE(verifyAcknowledgement(a, Ed25519KeyPair::generate().publicKey));
    auto t = a;
    t.sequence = 43;
    REQUIRE_FALSE(verifyAcknowledgement(t, county.publicKey));
    t = a;
    t.kioskId = "demo-002";
    REQUIRE_FALSE(verifyAcknowledgement(t, county.publicKey));
    t = a;
    t.envelopeHash[31] ^= 1;
    REQUIRE_FALSE(verifyAcknowledgement(t, county.publicKey));
    t = a;
    t.receivedAt += 1;
    REQUIRE_FALSE(verifyAcknowledgement(t, county.publicKey));
    for (std::size_t i = 0; i < 64; ++i) {
        t = a;
        t.signature[i] ^= 0x10;
        REQUIRE_FALSE(verifyAcknowledgement(t, county.publicKey));
    }
}

TEST_CASE("a signature for one message kind is not valid for another", "[crypto][signed]") {
    auto key = Ed25519KeyPair::generate();
    Heartbeat h{"demo-001", 5, blake2b256(asBytes("h")), 0, 1000, 1795428312, "0.1.0", {}};
    h = signHeartbeat(h, key.secretKey);
    REQUIRE(verifyHeartbeat(h, key.publicKey));
    REQUIRE(acknowledgementSigningInput({"demo-001", 5, h.lastHash, 0, {}}).size() > 16);
    // Domain tags differ in the first 16 bytes of every signing input.
    auto ai = acknowledgementSigningInput({"demo-001", 5, h.lastHash, 1795428312, {}});
    auto hi = heartbeatSigningInput(h);
    REQUIRE(std::string(ai.begin(), ai.begin() + 16) != std::string(hi.begin(), hi.begin() + 16));
    auto t = h;
    t.queueLength = 1;
    REQUIRE_FALSE(verifyHeartbeat(t, key.publicKey));
    t = h;
    t.version = "0.1.1";
    REQUIRE_FALSE(verifyHeartbeat(t, key.publicKey));
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
    REQUIRE(verifyCaseStatus(r, county.publicKey));
    auto t = r;
    t.reply += "!";
    REQUIRE_FALSE(verifyCaseStatus(t, county.publicKey));
    t = r;
    t.status = CaseStatus::Closed;
    REQUIRE_FALSE(verifyCaseStatus(t, county.publicKey));
    REQUIRE(caseStatusFromName("in_progress") == CaseStatus::InProgress);
    REQUIRE_FALSE(caseStatusFromName("done"));
    r.reply.assign(kMaxReplyBytes + 1, 'x');
    REQUIRE_THROWS_AS(signCaseStatus(r, county.secretKey), std::invalid_argument);
}
