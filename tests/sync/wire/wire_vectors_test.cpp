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
}
