// The intake server's bodies: each round-trips through its serialiser and parser, and each
// refusal of each parser comes back as its typed error.
#include <catch2/catch.hpp>

#include "sync/wire/http_bodies.hpp"

#include <nlohmann/json.hpp>

using namespace minsheng;
using namespace minsheng::sync;
using nlohmann::json;

namespace {

struct Kit {
    crypto::Ed25519KeyPair kiosk = crypto::Ed25519KeyPair::generate();
    crypto::Ed25519KeyPair county = crypto::Ed25519KeyPair::generate();
    crypto::X25519KeyPair sealing = crypto::X25519KeyPair::generate();

    crypto::Envelope make(std::uint64_t seq, std::string kioskId = "demo-001",
                          std::size_t payloadBytes = 2) {
        crypto::EnvelopeHeader h;
        h.kind = crypto::EnvelopeKind::Survey;
        h.kioskId = std::move(kioskId);
        h.sequence = seq;
        if (seq > 1) // the first envelope of a chain has a zero previous hash
            h.previousHash = crypto::blake2b256(crypto::asBytes(std::to_string(seq)));
        h.createdAt = 1795428300;
        h.formId = "survey";
        h.countyKeyId = sealing.publicKey.id();
        const std::string payload(payloadBytes, 'x');
        return crypto::signEnvelope(
            h, crypto::sealPayloadX25519(sealing.publicKey, crypto::asBytes(payload)),
            kiosk.secretKey);
    }

    crypto::Acknowledgement ack(const crypto::Envelope& e) {
        return crypto::signAcknowledgement(
            {e.header.kioskId, e.header.sequence, crypto::envelopeHash(e), 1795428400, {}},
            county.secretKey);
    }
};

std::string batchOf(const std::vector<json>& members) {
    return json{{"v", 1}, {"envelopes", members}}.dump();
}

RequestBodyFailure batchFailure(std::string_view body) {
    auto r = envelopeBatchRequestFromJson(body);
    REQUIRE_FALSE(r.ok());
    return r.error().failure;
}

} // namespace

TEST_CASE("a batch request round-trips and keeps a bad member as its own result",
          "[wire][bodies][batch]") {
    Kit k;
    EnvelopeBatchWriter writer;
    std::vector<crypto::Envelope> made;
    for (std::uint64_t s = 1; s <= 3; ++s) {
        made.push_back(k.make(s));
        REQUIRE(writer.add(made.back()));
    }
    CHECK(writer.count() == 3);
    const std::string body = writer.body();
    CHECK(body.rfind(R"({"v":1,"envelopes":[{"v":1,)", 0) == 0);
    auto batch = envelopeBatchRequestFromJson(body);
    REQUIRE(batch.ok());
    REQUIRE(batch->envelopes.size() == 3);
    CHECK(batch->kioskId == "demo-001");
    for (std::uint64_t i = 0; i < 3; ++i) {
        REQUIRE(batch->envelopes[i].envelope.ok());
        CHECK(batch->envelopes[i].seq == i + 1);
        CHECK(crypto::envelopeHash(batch->envelopes[i].envelope.value()) ==
              crypto::envelopeHash(made[i]));
    }

    // A member that is not an envelope is kept with its error and the seq it names.
    json member = envelopeToJsonValue(k.make(2));
    member.erase("sig");
    auto mixed = envelopeBatchRequestFromJson(batchOf({envelopeToJsonValue(k.make(1)), member}));
    REQUIRE(mixed.ok());
    REQUIRE(mixed->envelopes.size() == 2);
    CHECK(mixed->envelopes[0].envelope.ok());
    REQUIRE_FALSE(mixed->envelopes[1].envelope.ok());
    CHECK(mixed->envelopes[1].envelope.error().failure == crypto::EnvelopeFailure::Malformed);
    CHECK(mixed->envelopes[1].seq == 2);
    // No member parses: no kiosk.
    auto none = envelopeBatchRequestFromJson(batchOf({json(1)}));
    REQUIRE(none.ok());
    CHECK_FALSE(none->kioskId);
    CHECK_FALSE(none->envelopes[0].seq);
}

TEST_CASE("the batch writer keeps to its byte limit and the envelope count",
          "[wire][bodies][batch]") {
    Kit k;
    const std::string one = envelopeToJson(k.make(1));
    // Room for two envelopes but not three.
    const std::size_t limit = std::string(R"({"v":1,"envelopes":[]})").size() + 2 * one.size() + 1;
    EnvelopeBatchWriter writer(limit);
    REQUIRE(writer.add(k.make(1)));
    REQUIRE(writer.add(k.make(2)));
    CHECK_FALSE(writer.add(k.make(3)));
    CHECK(writer.count() == 2);
    CHECK(writer.body().size() <= limit);
    // The first envelope always goes, whatever the limit.
    EnvelopeBatchWriter tiny(10);
    CHECK(tiny.add(k.make(1)));
    CHECK_FALSE(tiny.add(k.make(2)));
    EnvelopeBatchWriter many;
    for (std::size_t i = 1; i <= kMaxBatchEnvelopes; ++i)
        REQUIRE(many.add(k.make(i)));
    CHECK_FALSE(many.add(k.make(kMaxBatchEnvelopes + 1)));
}

TEST_CASE("every refusal of a batch request has its code", "[wire][bodies][batch]") {
    Kit k;
    using F = RequestBodyFailure;
    const json e1 = envelopeToJsonValue(k.make(1));
    const json e2 = envelopeToJsonValue(k.make(2));
    CHECK(batchFailure("{") == F::BadJson);
    CHECK(batchFailure(R"({"v":1,"v":1,"envelopes":[]})") == F::BadJson);
    CHECK(batchFailure("[]") == F::Malformed);
    CHECK(batchFailure(R"({"v":1,"envelopes":[1],"x":0})") == F::Malformed);
    CHECK(batchFailure(R"({"envelopes":[1]})") == F::Malformed);
    CHECK(batchFailure(R"({"v":"1","envelopes":[1]})") == F::Malformed);
    CHECK(batchFailure(R"({"v":2,"envelopes":[1]})") == F::UnknownVersion);
    CHECK(batchFailure(R"({"v":-1,"envelopes":[1]})") == F::UnknownVersion);
    CHECK(batchFailure(R"({"v":1})") == F::Malformed);
    CHECK(batchFailure(R"({"v":1,"envelopes":[]})") == F::Malformed);
    CHECK(batchFailure(R"({"v":1,"envelopes":{}})") == F::Malformed);
    CHECK(batchFailure(batchOf(std::vector<json>(kMaxBatchEnvelopes + 1, json(1)))) == F::TooLarge);
    CHECK(batchFailure(batchOf({e1, envelopeToJsonValue(k.make(2, "demo-002"))})) == F::Malformed);
    CHECK(batchFailure(batchOf({e2, e1})) == F::Malformed);
    CHECK(batchFailure(batchOf({e1, e1})) == F::Malformed);
    CHECK(requestBodyFailureName(F::BadJson) == "bad-json");
    CHECK(requestBodyFailureName(F::Malformed) == "malformed");
    CHECK(requestBodyFailureName(F::UnknownVersion) == "unknown-version");
    CHECK(requestBodyFailureName(F::TooLarge) == "too-large");
}

TEST_CASE("a batch result round-trips and refuses what does not fit its status",
          "[wire][bodies][batch]") {
    Kit k;
    const auto e = k.make(4);
    EnvelopeBatchResult result;
    result.results.push_back({4, EnvelopeResultStatus::Stored, k.ack(e), {}, {}});
    result.results.push_back({5, EnvelopeResultStatus::Duplicate, k.ack(k.make(5)), {}, {}});
    result.results.push_back({6, EnvelopeResultStatus::Rejected, {}, "bad-signature", "no"});
    result.results.push_back({std::nullopt, EnvelopeResultStatus::Rejected, {}, "malformed", "?"});
    const std::string text = envelopeBatchResultToJson(result).dump();
    auto back = envelopeBatchResultFromJson(text);
    REQUIRE(back.ok());
    REQUIRE(back->results.size() == 4);
    CHECK(back->results[0].status == EnvelopeResultStatus::Stored);
    CHECK(back->results[0].ack->envelopeHash == crypto::envelopeHash(e));
    CHECK(crypto::verifyAcknowledgement(*back->results[0].ack, k.county.publicKey).ok());
    CHECK(back->results[1].status == EnvelopeResultStatus::Duplicate);
    CHECK(back->results[2].error == "bad-signature");
    CHECK(back->results[2].message == "no");
    CHECK_FALSE(back->results[3].seq);
    CHECK(envelopeBatchResultToJson(*back).dump() == text);

    const json ack = acknowledgementToJson(k.ack(e));
    auto refused = [](const json& body) {
        return !envelopeBatchResultFromJson(body.dump()).ok();
    };
    auto one = [](json r) {
        return json{{"v", 1}, {"results", json::array({std::move(r)})}};
    };
    CHECK_FALSE(envelopeBatchResultFromJson("nope").ok());
    CHECK(refused(json::array()));
    CHECK(refused(json{{"v", 2}, {"results", json::array()}}));
    CHECK(refused(json{{"v", 1}}));
    CHECK(refused(json{{"v", 1}, {"results", json::object()}}));
    CHECK(refused(json{{"v", 1}, {"results", json::array()}, {"more", 1}}));
    CHECK(refused(json{{"v", 1}, {"results", std::vector<json>(kMaxBatchEnvelopes + 1, json(1))}}));
    CHECK(refused(one(json(1))));
    CHECK(refused(one({{"seq", 4}, {"ack", ack}})));
    CHECK(refused(one({{"seq", 4}, {"status", "kept"}, {"ack", ack}})));
    CHECK(refused(one({{"seq", 4}, {"status", "stored"}})));
    CHECK(refused(one({{"seq", 4}, {"status", "stored"}, {"ack", 1}})));
    CHECK(refused(one({{"seq", 4}, {"status", "stored"}, {"ack", ack}, {"error", "x"}})));
    CHECK(refused(one({{"seq", "4"}, {"status", "stored"}, {"ack", ack}})));
    CHECK(refused(one({{"seq", -4}, {"status", "stored"}, {"ack", ack}})));
    CHECK(refused(one({{"status", "stored"}, {"ack", ack}})));
    CHECK(refused(one({{"seq", 4}, {"status", "rejected"}, {"error", "fork"}})));
    CHECK(refused(one({{"seq", 4}, {"status", "rejected"}, {"error", "Fork!"}, {"message", ""}})));
    CHECK(refused(one({{"seq", 4}, {"status", "rejected"}, {"error", ""}, {"message", ""}})));
    CHECK(refused(one({{"seq", 4},
                       {"status", "rejected"},
                       {"error", "fork"},
                       {"message", std::string(kMaxResultMessageBytes + 1, 'm')}})));
    CHECK(refused(one(
        {{"seq", 4}, {"status", "rejected"}, {"error", "fork"}, {"message", ""}, {"ack", ack}})));
    CHECK_FALSE(
        refused(one({{"seq", 4}, {"status", "rejected"}, {"error", "fork"}, {"message", ""}})));
}

TEST_CASE("heartbeat request and answer round-trip, refusals are typed", "[wire][bodies]") {
    Kit k;
    auto hb = crypto::signHeartbeat({"demo-001", 3, {}, 2, 1u << 30, 1795428312, "0.1.0", {}},
                                    k.kiosk.secretKey);
    auto back = heartbeatRequestFromJson(heartbeatToJson(hb).dump());
    REQUIRE(back.ok());
    CHECK(crypto::verifyHeartbeat(*back, k.kiosk.publicKey).ok());
    CHECK(heartbeatRequestFromJson("{").error().failure == RequestBodyFailure::BadJson);
    json v2 = heartbeatToJson(hb);
    v2["v"] = 2;
    CHECK(heartbeatRequestFromJson(v2.dump()).error().failure ==
          RequestBodyFailure::UnknownVersion);
    json noKiosk = heartbeatToJson(hb);
    noKiosk.erase("kiosk");
    CHECK(heartbeatRequestFromJson(noKiosk.dump()).error().failure ==
          RequestBodyFailure::Malformed);

    auto answer = heartbeatAnswerFromJson(heartbeatAnswerToJson({1795428360}).dump());
    REQUIRE(answer.ok());
    CHECK(answer->serverTime == 1795428360);
    CHECK(heartbeatAnswerToJson({7}).dump() == R"({"server_time":7,"v":1})");
    for (const char* bad : {"", "[]", R"({"v":1})", R"({"server_time":1})",
                            R"({"v":2,"server_time":1})", R"({"v":1,"server_time":-1})",
                            R"({"v":1,"server_time":"1"})", R"({"v":1,"server_time":1,"x":1})"}) {
        INFO(bad);
        CHECK_FALSE(heartbeatAnswerFromJson(bad).ok());
    }
}

TEST_CASE("case status answer and PUT body parse a signed status and nothing else",
          "[wire][bodies]") {
    Kit k;
    crypto::CaseStatusRecord st;
    st.receiptTag = crypto::blake2b256(crypto::asBytes("t"));
    st.status = crypto::CaseStatus::Accepted;
    st.reply = "已受理";
    st = crypto::signCaseStatus(st, k.county.secretKey);
    const std::string text = caseStatusToJson(st).dump();
    auto a = caseStatusAnswerFromJson(text);
    REQUIRE(a.ok());
    CHECK(crypto::verifyCaseStatus(*a, k.county.publicKey).ok());
    auto p = caseStatusRequestFromJson(text);
    REQUIRE(p.ok());
    CHECK(p->reply == "已受理");
    CHECK_FALSE(caseStatusAnswerFromJson("{").ok());
    CHECK_FALSE(caseStatusAnswerFromJson(R"({"status":"closed"})").ok());
    CHECK(caseStatusRequestFromJson("{").error().failure == RequestBodyFailure::BadJson);
    CHECK(caseStatusRequestFromJson("{}").error().failure == RequestBodyFailure::Malformed);
    CHECK(statusPath("ab") == "/v1/status/ab");
    CHECK(staffStatusPath("ab") == "/v1/staff/status/ab");
}

TEST_CASE("the staff pull query round-trips and refuses anything else", "[wire][bodies][pull]") {
    const std::string target = staffPullTarget({42, 7});
    CHECK(target == "/v1/staff/envelopes?after=42&limit=7");
    auto q = staffPullQueryFromString(target.substr(target.find('?') + 1));
    REQUIRE(q.ok());
    CHECK(q->after == 42);
    CHECK(q->limit == 7);
    auto defaults = staffPullQueryFromString("");
    REQUIRE(defaults.ok());
    CHECK(defaults->after == 0);
    CHECK(defaults->limit == kDefaultPullLimit);
    CHECK(staffPullQueryFromString("limit=500").ok());
    for (const char* bad :
         {"limit=0", "limit=501", "after=-1", "after=", "after", "after=1x",
          "after=1234567890123456", "x=1", "after=1&&limit=2", "limit=2&after=1&x"}) {
        INFO(bad);
        CHECK_FALSE(staffPullQueryFromString(bad).ok());
    }
}

TEST_CASE("a staff pull page round-trips, a bad item does not spoil the page",
          "[wire][bodies][pull]") {
    Kit k;
    const auto e1 = k.make(1), e2 = k.make(2);
    const auto a1 = k.ack(e1), a2 = k.ack(e2);
    const std::string t1 = envelopeToJson(e1), t2 = envelopeToJson(e2);
    const std::vector<StaffPullEntry> entries = {{11, t1, &a1}, {12, t2, &a2}};
    const std::string body = staffPullPageToJson(entries, 10);
    auto page = staffPullPageFromJson(body);
    REQUIRE(page.ok());
    CHECK(page->next == 12);
    REQUIRE(page->items.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& item = page->items[i];
        REQUIRE(item.hasEnvelope);
        REQUIRE(item.envelope->ok());
        REQUIRE(item.ack);
        REQUIRE(item.ack->ok());
        CHECK(crypto::envelopeHash(item.envelope->value()) ==
              crypto::envelopeHash(i == 0 ? e1 : e2));
    }
    // An empty page's next is the cursor asked after.
    auto empty = staffPullPageFromJson(staffPullPageToJson({}, 10));
    REQUIRE(empty.ok());
    CHECK(empty->next == 10);
    CHECK(empty->items.empty());

    // Items the server got wrong come back as such, one by one.
    json broken = json::parse(body);
    broken["items"].push_back(1);
    broken["items"].push_back({{"envelope", {{"v", 1}}}});
    json noAck = broken["items"][0];
    noAck.erase("ack");
    broken["items"].push_back(noAck);
    json badAck = broken["items"][0];
    badAck["ack"]["seq"] = 0;
    broken["items"].push_back(badAck);
    auto mixed = staffPullPageFromJson(broken.dump());
    REQUIRE(mixed.ok());
    REQUIRE(mixed->items.size() == 6);
    CHECK_FALSE(mixed->items[2].hasEnvelope);
    REQUIRE(mixed->items[3].hasEnvelope);
    CHECK_FALSE(mixed->items[3].envelope->ok());
    CHECK(mixed->items[3].envelopeText == R"({"v":1})");
    CHECK_FALSE(mixed->items[4].ack);
    REQUIRE(mixed->items[5].ack);
    CHECK_FALSE(mixed->items[5].ack->ok());

    // The page itself must have its shape.
    for (const char* bad :
         {"", "[]", R"({"v":1,"items":[]})", R"({"v":1,"next":0})", R"({"items":[],"next":0})",
          R"({"v":2,"items":[],"next":0})", R"({"v":1,"items":{},"next":0})",
          R"({"v":1,"items":[],"next":-1})", R"({"v":1,"items":[],"next":"0"})",
          R"({"v":1,"items":[],"next":0,"more":1})", R"({"v":1,"v":1,"items":[],"next":0})"}) {
        INFO(bad);
        CHECK_FALSE(staffPullPageFromJson(bad).ok());
    }
}

namespace {

/// A one-envelope upload as the kiosk makes it: version 2, the payload in `payloadBucket`.
std::string oneEnvelopeUpload(Kit& k, std::size_t payloadBytes) {
    crypto::EnvelopeHeader h;
    h.version = crypto::kEnvelopeVersion;
    h.kioskId = "yx-county-middle-school-0001";
    h.sequence = 123456;
    h.previousHash = crypto::blake2b256(crypto::asBytes("previous"));
    h.countyKeyId = k.sealing.publicKey.id();
    h.receiptTag = crypto::blake2b256(crypto::asBytes("tag"));
    const std::string payload(payloadBytes, 'x');
    EnvelopeBatchWriter writer;
    REQUIRE(writer.add(crypto::signEnvelope(
        h,
        crypto::sealEnvelopeContentsX25519(k.sealing.publicKey, crypto::EnvelopeKind::Complaint,
                                           crypto::asBytes(payload)),
        k.kiosk.secretKey)));
    return writer.body();
}

} // namespace

TEST_CASE("a padded heartbeat and a padded one-envelope upload have the same length",
          "[wire][bodies][padding]") {
    Kit k;
    const auto hb = crypto::signHeartbeat(
        {"yx-county-middle-school-0001", 123456, {}, 3, 1u << 30, 1795428312, "1.4.0", {}},
        k.kiosk.secretKey);
    const std::string heartbeat = heartbeatToJson(hb).dump();
    const std::string paddedHeartbeat = padRequestBody(heartbeat);
    // Unpadded, the two are told apart at a glance...
    const std::string upload = oneEnvelopeUpload(k, 600);
    REQUIRE(heartbeat.size() * 3 < upload.size());
    // ...padded, a heartbeat and an upload of one envelope in the 1, 2 or 4 KiB payload
    // bucket are the same number of bytes.
    for (std::size_t payloadBytes : {10, 600, 1500, 3000, 4000}) {
        INFO("payload " << payloadBytes << " bytes");
        const std::string padded = padRequestBody(oneEnvelopeUpload(k, payloadBytes));
        CHECK(padded.size() == paddedHeartbeat.size());
        auto batch = envelopeBatchRequestFromJson(padded);
        REQUIRE(batch.ok());
        REQUIRE(batch->envelopes.size() == 1);
        CHECK(batch->envelopes[0].envelope.ok());
    }
    CHECK(paddedHeartbeat.size() == kMinRequestPadBucket);
    auto back = heartbeatRequestFromJson(paddedHeartbeat);
    REQUIRE(back.ok());
    CHECK(crypto::verifyHeartbeat(*back, k.kiosk.publicKey).ok());
    // A larger body goes to the next bucket, never to a size of its own.
    const std::string big = padRequestBody(oneEnvelopeUpload(k, 5000)); // 8 KiB payload bucket
    CHECK(big.size() == 2 * kMinRequestPadBucket);
    CHECK(envelopeBatchRequestFromJson(big).ok());
}

TEST_CASE("malformed request padding is refused with a clear error", "[wire][bodies][padding]") {
    Kit k;
    const auto hb = crypto::signHeartbeat({"demo-001", 3, {}, 2, 1u << 30, 1795428312, "0.1.0", {}},
                                          k.kiosk.secretKey);
    const std::string text = heartbeatToJson(hb).dump();
    const std::string padded = padRequestBody(text);
    REQUIRE(padded.size() == kMinRequestPadBucket);

    auto expectBadPadding = [](const std::string& body, const char* why) {
        INFO(why);
        auto check = [](const RequestBodyError& e) {
            CHECK(e.failure == RequestBodyFailure::BadPadding);
            CHECK(requestBodyFailureName(e.failure) == "bad-body-padding");
            CHECK_THAT(e.message, Catch::Contains("padded body is exactly"));
        };
        auto heartbeat = heartbeatRequestFromJson(body);
        REQUIRE_FALSE(heartbeat.ok());
        check(heartbeat.error());
        auto batch = envelopeBatchRequestFromJson(body);
        REQUIRE_FALSE(batch.ok());
        check(batch.error());
    };
    expectBadPadding(padded.substr(0, padded.size() - 1), "one padding byte short");
    expectBadPadding(padded + " ", "one padding byte too many");
    expectBadPadding(text + "   ", "a few spaces, not up to the bucket");
    expectBadPadding(padRequestBody(text) + std::string(kMinRequestPadBucket, ' '),
                     "padded to a larger bucket than the JSON needs");
    auto message = heartbeatRequestFromJson(padded + " ").error().message;
    CHECK_THAT(message, Catch::Contains(std::to_string(kMinRequestPadBucket + 1) + " bytes"));

    // The one unpadding rule: the padded body parses, and so does the unpadded body of a kiosk
    // of the previous release; padding is spaces only, anything else is the JSON's.
    CHECK(heartbeatRequestFromJson(padded).ok());
    CHECK(heartbeatRequestFromJson(text).ok());
    auto unpadded = unpadRequestBody(padded);
    REQUIRE(unpadded.ok());
    CHECK(*unpadded == text);
    std::string dotted = text + std::string(kMinRequestPadBucket - text.size(), '.');
    auto dots = heartbeatRequestFromJson(dotted);
    REQUIRE_FALSE(dots.ok());
    CHECK(dots.error().failure == RequestBodyFailure::BadJson);
}
