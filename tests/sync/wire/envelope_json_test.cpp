#include <catch2/catch.hpp>

#include "crypto/receipt_code.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/strict_json.hpp"

#include <nlohmann/json.hpp>

using namespace minsheng;
using crypto::EnvelopeFailure;

namespace {

struct Kit {
    crypto::Ed25519KeyPair kiosk = crypto::Ed25519KeyPair::generate();
    crypto::X25519KeyPair county = crypto::X25519KeyPair::generate();

    crypto::Envelope make(crypto::EnvelopeKind kind = crypto::EnvelopeKind::Complaint) {
        crypto::EnvelopeHeader h;
        h.kind = kind;
        h.kioskId = "demo-001";
        h.sequence = 7;
        h.previousHash = crypto::blake2b256(crypto::asBytes("six"));
        h.createdAt = 1795428300;
        h.formId = kind == crypto::EnvelopeKind::Complaint ? "complaint" : "survey";
        h.countyKeyId = county.publicKey.id();
        if (kind == crypto::EnvelopeKind::Complaint)
            h.receiptTag = crypto::blake2b256(crypto::asBytes("tag"));
        return crypto::signEnvelope(
            h, crypto::sealPayloadX25519(county.publicKey, crypto::asBytes("{}")), kiosk.secretKey);
    }
};

} // namespace

TEST_CASE("envelopes round-trip through the JSON wire form", "[wire][envelope]") {
    Kit k;
    for (auto kind : {crypto::EnvelopeKind::Complaint, crypto::EnvelopeKind::Survey}) {
        crypto::Envelope e = k.make(kind);
        const std::string text = sync::envelopeToJson(e);
        auto back = sync::envelopeFromJson(text);
        REQUIRE(back.ok());
        REQUIRE(crypto::envelopeHash(*back) == crypto::envelopeHash(e));
        REQUIRE(crypto::verifyEnvelope(*back, k.kiosk.publicKey).ok());
        REQUIRE(back->header.receiptTag.has_value() == (kind == crypto::EnvelopeKind::Complaint));
        REQUIRE(text.rfind(R"({"v":1,"kind":")", 0) == 0);
    }
    crypto::Envelope e = k.make();
    REQUIRE(sync::envelopeExportFileName(e.header) == "demo-001-0000000007.msenv.json");
}

TEST_CASE("the wire form is compact JSON with its members in the documented order",
          "[wire][envelope]") {
    Kit k;
    for (auto kind : {crypto::EnvelopeKind::Complaint, crypto::EnvelopeKind::Survey}) {
        const crypto::Envelope e = k.make(kind);
        const std::string text = sync::envelopeToJson(e);
        // Re-written member by member in the order docs/protocol.md section 6 gives: the same
        // bytes (what the server stores and staff pull is this text).
        const nlohmann::json parsed = nlohmann::json::parse(text);
        nlohmann::ordered_json ordered;
        for (const char* member : {"v", "kind", "kiosk", "seq", "prev", "created", "form",
                                   "county_key", "receipt_tag", "ciphertext", "sig", "hash"})
            if (parsed.contains(member))
                ordered[member] = parsed[member];
        CHECK(ordered.dump() == text);
        CHECK(nlohmann::json(sync::envelopeToJsonValue(e)) == parsed);
        CHECK(sync::envelopeToJson(e, crypto::envelopeHash(e)) == text);
    }
}

TEST_CASE("flipping any single byte of a wire envelope never yields a valid envelope",
          "[wire][envelope][tamper]") {
    Kit k;
    const crypto::Envelope e = k.make();
    const std::string text = sync::envelopeToJson(e);
    const auto goodHash = crypto::envelopeHash(e);
    // Where each member's value starts and ends, to name the expected reason.
    const auto valueStart = [&](const std::string& member) {
        return text.find("\"" + member + "\":") + member.size() + 3;
    };
    const std::size_t hashStart = valueStart("hash");
    const std::size_t vStart = valueStart("v");
    std::size_t checked = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        for (std::uint8_t bit : {0x01, 0x20, 0x80}) {
            std::string t = text;
            t[i] = static_cast<char>(t[i] ^ bit);
            auto r = sync::envelopeFromJson(t);
            ++checked;
            if (!r.ok()) {
                const auto f = r.error().failure;
                INFO("byte " << i << " bit " << int(bit) << ": " << r.error().message);
                REQUIRE((f == EnvelopeFailure::Malformed || f == EnvelopeFailure::UnknownVersion ||
                         f == EnvelopeFailure::ChainBreak));
                if (i == vStart && f != EnvelopeFailure::Malformed)
                    REQUIRE(f == EnvelopeFailure::UnknownVersion);
                continue;
            }
            // It parsed: then it must be a different envelope whose signature fails, and the
            // flip cannot have been inside "hash" (which must match the recomputed hash).
            INFO("byte " << i << " bit " << int(bit));
            REQUIRE(i < hashStart);
            REQUIRE(crypto::envelopeHash(*r) != goodHash);
            auto v = crypto::verifyEnvelope(*r, k.kiosk.publicKey);
            REQUIRE_FALSE(v.ok());
            REQUIRE(v.error() == EnvelopeFailure::BadSignature);
        }
    }
    REQUIRE(checked == text.size() * 3);
}

TEST_CASE("malformed wire envelopes name the problem", "[wire][envelope]") {
    Kit k;
    const nlohmann::json good = nlohmann::json::parse(sync::envelopeToJson(k.make()));
    auto expectMalformed = [](const nlohmann::json& j, const std::string& mentions) {
        auto r = sync::envelopeFromJson(j.dump());
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.error().failure == EnvelopeFailure::Malformed);
        REQUIRE_THAT(r.error().message, Catch::Contains(mentions));
    };
    for (const char* m : {"v", "kind", "kiosk", "seq", "prev", "created", "form", "county_key",
                          "ciphertext", "sig"}) {
        nlohmann::json j = good;
        j.erase(m);
        if (std::string(m) == "v")
            expectMalformed(j, "\"v\"");
        else
            expectMalformed(j, m);
    }
    nlohmann::json j = good;
    j["extra"] = 1;
    expectMalformed(j, "unknown member \"extra\"");
    j = good;
    j["seq"] = "7";
    expectMalformed(j, "seq");
    j = good;
    j["seq"] = -1;
    expectMalformed(j, "seq");
    j = good;
    j["seq"] = 9007199254740992ULL;
    expectMalformed(j, "seq");
    j = good;
    j["prev"] = std::string(64, 'A');
    expectMalformed(j, "lower-case hex");
    j = good;
    j["created"] = "2026-11-23T10:05:30Z";
    expectMalformed(j, "created");
    j = good;
    j["kind"] = "praise";
    expectMalformed(j, "kind");
    j = good;
    j["sig"] = "AAAA";
    expectMalformed(j, "64 bytes");
    j = good;
    j["ciphertext"] = "not base64!";
    expectMalformed(j, "base64");
    j = good;
    j["hash"] = std::string(64, '0');
    expectMalformed(j, "hash");
    j = good;
    j.erase("receipt_tag"); // a complaint without a receipt tag
    expectMalformed(j, "receipt tag");
    j = good;
    j["v"] = 3;
    auto r = sync::envelopeFromJson(j.dump());
    REQUIRE(r.error().failure == EnvelopeFailure::UnknownVersion);
    // A version-1 body relabelled version 2 still has the clear members version 2 refuses.
    j = good;
    j["v"] = 2;
    auto relabelled = sync::envelopeFromJson(j.dump());
    REQUIRE_FALSE(relabelled.ok());
    REQUIRE(relabelled.error().failure == EnvelopeFailure::Malformed);
    REQUIRE_THAT(relabelled.error().message, Catch::Contains("sealed payload"));

    for (const char* text : {"", "[]", "null", "{", "{\"v\":1,\"v\":1}", "\xff\xfe"}) {
        auto bad = sync::envelopeFromJson(text);
        REQUIRE_FALSE(bad.ok());
        REQUIRE(bad.error().failure == EnvelopeFailure::Malformed);
    }
    REQUIRE_THAT(
        sync::envelopeFromJson(std::string(sync::kMaxEnvelopeJsonBytes + 1, ' ')).error().message,
        Catch::Contains("allowed"));
}

TEST_CASE("strict JSON rejects duplicates and deep nesting", "[wire][json]") {
    sync::JsonParseError e;
    REQUIRE(sync::parseStrictJson(R"({"a":1,"b":{"a":2}})", e));
    REQUIRE_FALSE(sync::parseStrictJson(R"({"a":1,"a":2})", e));
    REQUIRE_THAT(e.message, Catch::Contains("duplicate member \"a\""));
    REQUIRE_FALSE(sync::parseStrictJson(R"({"x":{"a":1,"a":1}})", e));
    REQUIRE_FALSE(sync::parseStrictJson(std::string(100, '[') + std::string(100, ']'), e, 16));
    REQUIRE_THAT(e.message, Catch::Contains("deeper"));
    REQUIRE_FALSE(sync::parseStrictJson("{\"a\":\"\xc3\x28\"}", e)); // invalid UTF-8
    REQUIRE_FALSE(sync::parseStrictJson("{} x", e));
    REQUIRE_THAT(e.message, Catch::Contains("byte"));
}

TEST_CASE("version-2 envelopes round-trip without kind, minute or form", "[wire][envelope][v2]") {
    Kit k;
    for (auto kind : {crypto::EnvelopeKind::Complaint, crypto::EnvelopeKind::Survey}) {
        crypto::EnvelopeHeader h;
        h.version = crypto::kEnvelopeVersion;
        h.kioskId = "demo-001";
        h.sequence = 8;
        h.previousHash = crypto::blake2b256(crypto::asBytes("seven"));
        h.countyKeyId = k.county.publicKey.id();
        h.receiptTag = crypto::blake2b256(crypto::asBytes(crypto::envelopeKindName(kind)));
        const crypto::Envelope e = crypto::signEnvelope(
            h, crypto::sealEnvelopeContentsX25519(k.county.publicKey, kind, crypto::asBytes("{}")),
            k.kiosk.secretKey);
        const std::string text = sync::envelopeToJson(e);
        REQUIRE(text.rfind(R"({"v":2,"kiosk":"demo-001","seq":8,)", 0) == 0);
        for (const char* clear : {"\"kind\"", "\"created\"", "\"form\""})
            CHECK(text.find(clear) == std::string::npos);
        auto back = sync::envelopeFromJson(text);
        REQUIRE(back.ok());
        CHECK(crypto::envelopeHash(*back) == crypto::envelopeHash(e));
        CHECK(crypto::verifyEnvelope(*back, k.kiosk.publicKey).ok());
        // A clear member added to a version-2 envelope is refused, naming where it belongs.
        for (const char* clear : {"kind", "created", "form"}) {
            nlohmann::json j = nlohmann::json::parse(text);
            j[clear] = std::string(clear) == "created" ? "2026-11-23T10:05Z" : "complaint";
            auto r = sync::envelopeFromJson(j.dump());
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().failure == EnvelopeFailure::Malformed);
            CHECK_THAT(r.error().message, Catch::Contains("sealed payload"));
        }
        // Every version-2 envelope carries a receipt tag.
        nlohmann::json noTag = nlohmann::json::parse(text);
        noTag.erase("receipt_tag");
        noTag.erase("hash");
        auto r = sync::envelopeFromJson(noTag.dump());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().failure == EnvelopeFailure::Malformed);
    }
}
