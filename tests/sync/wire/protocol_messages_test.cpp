#include <catch2/catch.hpp>

#include "sync/wire/protocol_messages.hpp"

using namespace minsheng;

TEST_CASE("signed messages round-trip through JSON values and text", "[wire][messages]") {
    auto county = crypto::Ed25519KeyPair::generate();
    auto ack = crypto::signAcknowledgement(
        {"demo-001", 9, crypto::blake2b256(crypto::asBytes("e")), 1795428312, {}},
        county.secretKey);
    // In memory (signed integers, as built) — the case fuzz_signed_messages found broken...
    auto a1 = sync::acknowledgementFromJson(sync::acknowledgementToJson(ack));
    REQUIRE(a1.ok());
    // ...and through text (unsigned integers, as parsed).
    auto a2 = sync::acknowledgementFromJson(
        nlohmann::json::parse(sync::acknowledgementToJson(ack).dump()));
    REQUIRE(a2.ok());
    REQUIRE(crypto::verifyAcknowledgement(*a2, county.publicKey));

    crypto::Heartbeat hb{"demo-001", 3, {}, 2, 1u << 30, 1795428312, "0.1.0", {}};
    hb = crypto::signHeartbeat(hb, county.secretKey);
    auto h = sync::heartbeatFromJson(sync::heartbeatToJson(hb));
    REQUIRE(h.ok());
    REQUIRE(crypto::verifyHeartbeat(*h, county.publicKey));

    crypto::CaseStatusRecord st;
    st.receiptTag = crypto::blake2b256(crypto::asBytes("t"));
    st.status = crypto::CaseStatus::Closed;
    st.receivedAt = 1795428300;
    st.updatedAt = 1795500000;
    st.reply = "已办结：机构已停止违规培训。";
    st = crypto::signCaseStatus(st, county.secretKey);
    auto s = sync::caseStatusFromJson(nlohmann::json::parse(sync::caseStatusToJson(st).dump()));
    REQUIRE(s.ok());
    REQUIRE(crypto::verifyCaseStatus(*s, county.publicKey));
}

TEST_CASE("malformed signed messages name the member", "[wire][messages]") {
    auto county = crypto::Ed25519KeyPair::generate();
    auto good = sync::acknowledgementToJson(crypto::signAcknowledgement(
        {"demo-001", 9, crypto::blake2b256(crypto::asBytes("e")), 1795428312, {}},
        county.secretKey));
    auto expectBad = [](nlohmann::json j, const std::string& mentions) {
        auto r = sync::acknowledgementFromJson(j);
        REQUIRE_FALSE(r.ok());
        REQUIRE_THAT(r.error().message, Catch::Contains(mentions));
    };
    auto j = good;
    j.erase("sig");
    expectBad(j, "sig");
    j = good;
    j["seq"] = -1;
    expectBad(j, "seq");
    j = good;
    j["seq"] = 0;
    expectBad(j, "seq");
    j = good;
    j["hash"] = "XYZ";
    expectBad(j, "hash");
    j = good;
    j["kiosk"] = "Not Valid";
    expectBad(j, "kiosk");
    j = good;
    j["extra"] = true;
    expectBad(j, "extra");
    expectBad(nlohmann::json::array(), "object");

    auto status = nlohmann::json{{"tag", std::string(64, 'a')},
                                 {"status", "done"},
                                 {"received_at", 1},
                                 {"updated_at", 2},
                                 {"reply", ""},
                                 {"sig", std::string(88, 'A')}};
    auto r = sync::caseStatusFromJson(status);
    REQUIRE_FALSE(r.ok());
    REQUIRE_THAT(r.error().message, Catch::Contains("status"));
}
