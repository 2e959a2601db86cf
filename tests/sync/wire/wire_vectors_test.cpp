// The JSON vectors of docs/protocol.md section 12 (an envelope, an acknowledgement, a case
// status, a heartbeat): each parses with the code's parser, re-serialises to the same bytes,
// carries exactly the signing input and signature of the binary vectors, and verifies with the
// vector keys. So a change to the wire form or to the signed fields fails here.
#include <catch2/catch.hpp>

#include "crypto/envelope.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/support/protocol_vectors.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>

using namespace minsheng;
using nlohmann::json;

namespace {

template <class Key>
Key publicKeyFrom(const std::string& hexText) {
    auto b = crypto::fromHex(hexText);
    REQUIRE(b);
    Key k;
    REQUIRE(b->size() == k.bytes.size());
    std::copy(b->begin(), b->end(), k.bytes.begin());
    return k;
}

} // namespace

TEST_CASE("docs/protocol.md envelope wire JSON vector", "[wire][vectors]") {
    auto v = test::protocolVectors();
    const std::string& text = v["envelope-1-wire"];
    auto e = sync::envelopeFromJson(text);
    INFO((e ? std::string() : e.error().message));
    REQUIRE(e.ok());
    CHECK(sync::envelopeToJson(*e) == text);
    CHECK(crypto::toHex(crypto::envelopeSigningInput(e->header, e->ciphertext)) ==
          v["envelope-1-signing-input"]);
    CHECK(crypto::toHex(e->ciphertext) == v["envelope-1-ciphertext"]);
    CHECK(crypto::toHex(e->signature) == v["envelope-1-signature"]);
    CHECK(crypto::toHex(crypto::envelopeHash(*e)) == v["envelope-1-hash"]);
    CHECK(crypto::verifyEnvelope(*e, publicKeyFrom<crypto::Ed25519PublicKey>(v["kiosk-public-key"]))
              .ok());
}

TEST_CASE("docs/protocol.md acknowledgement, case status and heartbeat JSON vectors",
          "[wire][vectors]") {
    auto v = test::protocolVectors();
    const auto county = publicKeyFrom<crypto::Ed25519PublicKey>(v["county-signing-public-key"]);
    const auto kiosk = publicKeyFrom<crypto::Ed25519PublicKey>(v["kiosk-public-key"]);

    auto ack = sync::acknowledgementFromJson(json::parse(v["ack-json"]));
    REQUIRE(ack.ok());
    CHECK(sync::acknowledgementToJson(*ack).dump() == v["ack-json"]);
    CHECK(crypto::toHex(crypto::acknowledgementSigningInput(*ack)) == v["ack-signing-input"]);
    CHECK(crypto::toHex(ack->signature) == v["ack-signature"]);
    CHECK(crypto::verifyAcknowledgement(*ack, county).ok());

    auto status = sync::caseStatusFromJson(json::parse(v["case-status-json"]));
    REQUIRE(status.ok());
    CHECK(sync::caseStatusToJson(*status).dump() == v["case-status-json"]);
    CHECK(crypto::toHex(crypto::caseStatusSigningInput(*status)) == v["case-status-signing-input"]);
    CHECK(crypto::toHex(status->signature) == v["case-status-signature"]);
    CHECK(crypto::verifyCaseStatus(*status, county).ok());

    auto hb = sync::heartbeatFromJson(json::parse(v["heartbeat-json"]));
    REQUIRE(hb.ok());
    CHECK(sync::heartbeatToJson(*hb).dump() == v["heartbeat-json"]);
    CHECK(crypto::toHex(crypto::heartbeatSigningInput(*hb)) == v["heartbeat-signing-input"]);
    CHECK(crypto::toHex(hb->signature) == v["heartbeat-signature"]);
    CHECK(crypto::verifyHeartbeat(*hb, kiosk).ok());

    auto hbc = sync::heartbeatFromJson(json::parse(v["heartbeat-config-json"]));
    REQUIRE(hbc.ok());
    CHECK(sync::heartbeatToJson(*hbc).dump() == v["heartbeat-config-json"]);
    CHECK(crypto::toHex(crypto::heartbeatSigningInput(*hbc)) ==
          v["heartbeat-config-signing-input"]);
    CHECK(crypto::verifyHeartbeat(*hbc, kiosk).ok());
}

TEST_CASE("docs/protocol.md configuration bundle JSON vector", "[wire][vectors]") {
    auto v = test::protocolVectors();
    const auto county = publicKeyFrom<crypto::Ed25519PublicKey>(v["county-signing-public-key"]);
    auto b = sync::configBundleFromText(v["config-bundle-json"]);
    INFO((b ? std::string() : b.error().message));
    REQUIRE(b.ok());
    CHECK(sync::configBundleToJson(*b).dump() == v["config-bundle-json"]);
    CHECK(crypto::toHex(crypto::configBundleSigningInput(*b)) == v["config-bundle-signing-input"]);
    CHECK(crypto::toHex(b->signature) == v["config-bundle-signature"]);
    CHECK(crypto::verifyConfigBundle(*b, county).ok());

    // One parser, strict: unknown members, unsorted targets, odd file names are refused.
    auto j = json::parse(v["config-bundle-json"]);
    auto refused = [](json changed) {
        return !sync::configBundleFromText(changed.dump()).ok();
    };
    json extra = j;
    extra["origin"] = "server";
    CHECK(refused(extra));
    json unsorted = j;
    unsorted["targets"] = {"zz-kiosk", "aa-kiosk"};
    CHECK(refused(unsorted));
    json badName = j;
    badName["files"]["../kiosk.toml"] = "x";
    CHECK(refused(badName));
    json zero = j;
    zero["config_version"] = 0;
    CHECK(refused(zero));
}

TEST_CASE("print the JSON forms of the configuration vectors", "[.generate]") {
    // Rebuilds the JSON lines from the binary vectors' fixed inputs (tests/crypto's generator
    // prints those): the same values, serialised by the code.
    auto v = test::protocolVectors();
    auto hb = sync::heartbeatFromJson(json::parse(v["heartbeat-json"]));
    REQUIRE(hb.ok());
    hb->configVersion = 3;
    hb->configFailure = "configuration version 4 does not load";
    auto sig = crypto::fromHex(v["heartbeat-config-signature"]);
    REQUIRE(sig);
    std::copy(sig->begin(), sig->end(), hb->signature.begin());
    std::cout << "heartbeat-config-json: " << sync::heartbeatToJson(*hb).dump() << "\n";
    crypto::ConfigBundle b;
    b.configVersion = 3;
    b.targets = {"vector-kiosk"};
    b.notBefore = 1795428000;
    b.files = {{"contact.toml", "[contact]\nhotline = \"0571-87654321\"\nmailbox = \"\"\n"}};
    auto seed = crypto::fromHex(v["county-signing-seed"]);
    REQUIRE(seed);
    std::array<std::uint8_t, 32> s{};
    std::copy(seed->begin(), seed->end(), s.begin());
    b = crypto::signConfigBundle(b, crypto::Ed25519KeyPair::fromSeed(s).secretKey);
    std::cout << "config-bundle-json: " << sync::configBundleToJson(b).dump() << "\n";
}

namespace {

/// Envelope 3 of section 12 rebuilt from its binary vectors (version 2: no kind, minute or form).
crypto::Envelope envelope3FromVectors(std::map<std::string, std::string>& v) {
    auto bytes = [&](const std::string& name) {
        auto b = crypto::fromHex(v[name]);
        REQUIRE(b);
        return *b;
    };
    crypto::Envelope e;
    e.header.version = crypto::kEnvelopeVersion;
    e.header.kioskId = "vector-kiosk";
    e.header.sequence = 3;
    const auto prev = bytes("envelope-2-hash");
    REQUIRE(prev.size() == e.header.previousHash.size());
    std::copy(prev.begin(), prev.end(), e.header.previousHash.begin());
    const auto keyId = bytes("county-sealing-key-id");
    REQUIRE(keyId.size() == e.header.countyKeyId.size());
    std::copy(keyId.begin(), keyId.end(), e.header.countyKeyId.begin());
    crypto::Hash256 tag{};
    const auto tagBytes = bytes("envelope-3-receipt-tag");
    REQUIRE(tagBytes.size() == tag.size());
    std::copy(tagBytes.begin(), tagBytes.end(), tag.begin());
    e.header.receiptTag = tag;
    e.ciphertext = bytes("envelope-3-ciphertext");
    const auto sig = bytes("envelope-3-signature");
    REQUIRE(sig.size() == e.signature.size());
    std::copy(sig.begin(), sig.end(), e.signature.begin());
    return e;
}

} // namespace

TEST_CASE("docs/protocol.md version-2 envelope wire JSON vector", "[wire][vectors][v2]") {
    auto v = test::protocolVectors();
    const std::string& text = v["envelope-3-wire"];
    auto e = sync::envelopeFromJson(text);
    INFO((e ? std::string() : e.error().message));
    REQUIRE(e.ok());
    CHECK(e->header.version == 2);
    CHECK(sync::envelopeToJson(*e) == text);
    CHECK(sync::envelopeToJson(envelope3FromVectors(v)) == text);
    CHECK(crypto::toHex(crypto::envelopeSigningInput(e->header, e->ciphertext)) ==
          v["envelope-3-signing-input"]);
    CHECK(crypto::toHex(crypto::envelopeHash(*e)) == v["envelope-3-hash"]);
    CHECK(crypto::verifyEnvelope(*e, publicKeyFrom<crypto::Ed25519PublicKey>(v["kiosk-public-key"]))
              .ok());
    const json members = json::parse(text);
    for (const char* clear : {"kind", "created", "form"})
        CHECK_FALSE(members.contains(clear));
}

TEST_CASE("print the version-2 envelope wire vector", "[.generate]") {
    auto v = test::protocolVectors();
    std::cout << "envelope-3-wire: " << sync::envelopeToJson(envelope3FromVectors(v)) << "\n";
}
