// Pull through the transport seam (a scripted server made of real envelopes and real county
// signatures) and import of files: what is recorded, what raises alarms, and that an
// interrupted pull neither loses nor duplicates.
#include "county/staff/intake.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <deque>

using namespace minsheng;
using namespace minsheng::staff;
using nlohmann::json;
using test::complaintAnswers;
using test::MadeEnvelope;
using test::TestCounty;

namespace {

/// Serves a fixed list of stored items like GET /v1/staff/envelopes, records PUTs, and can be
/// told to fail the n-th request.
class ScriptedServer final : public StaffTransport {
public:
    std::vector<json> items; // {"envelope", "ack"}; the cursor is the index + 1
    std::vector<std::pair<std::string, std::string>> puts;
    int failAt = -1; // 0-based request number that fails with a network error
    int requests = 0;
    unsigned putStatus = 200;

    Result<sync::HttpResponse, sync::NetError>
    request(std::string_view method, std::string_view target, std::string_view body) override {
        if (requests++ == failAt)
            return fail(sync::NetError{sync::NetErrorKind::Io, "connection reset (scripted)"});
        sync::HttpResponse r;
        r.status = 200;
        const std::string t(target);
        if (method == "PUT") {
            puts.emplace_back(t, std::string(body));
            r.status = putStatus;
            r.body = putStatus == 200 ? "{\"v\":1}" : "{\"error\":\"not-found\",\"message\":\"x\"}";
            return r;
        }
        const auto after = std::stoll(t.substr(t.find("after=") + 6));
        const auto limit = std::stoll(t.substr(t.find("limit=") + 6));
        json page = {{"v", 1}, {"items", json::array()}, {"next", after}};
        for (auto i = after; i < static_cast<std::int64_t>(items.size()) && i < after + limit;
             ++i) {
            json item = items[static_cast<std::size_t>(i)];
            item["cursor"] = i + 1;
            page["items"].push_back(item);
            page["next"] = i + 1;
        }
        r.body = page.dump();
        return r;
    }
    std::string describe() const override { return "scripted"; }
};

json item(TestCounty& c, const crypto::Envelope& e) {
    return {{"envelope", sync::envelopeToJsonValue(e)}, {"ack", c.ack(e)}};
}

} // namespace

TEST_CASE("pull records every envelope once, even when interrupted at every request",
          "[staff][pull]") {
    TestCounty c;
    auto l = c.load();
    std::vector<test::MadeEnvelope> made;
    for (int i = 0; i < 7; ++i)
        made.push_back(c.make(i % 2 ? "k2" : "k1",
                              complaintAnswers("第" + std::to_string(i) + "份"), i % 3 != 2));
    // Fail request n (n = 0..4) of a first pull with pages of 2, then pull again to the end.
    for (int failAt = 0; failAt < 5; ++failAt) {
        DYNAMIC_SECTION("network fails at request " << failAt) {
            auto ledger = c.openLedger();
            ScriptedServer s;
            for (const auto& m : made)
                s.items.push_back(item(c, m.envelope));
            s.failAt = failAt;
            auto first = pullFromServer(ledger, s, l->ctx, 1795430000, 2);
            REQUIRE_FALSE(first.ok());
            REQUIRE(first.error().unreachable);
            REQUIRE(*ledger.cursor() == std::min<std::int64_t>(2 * failAt, 7));
            s.failAt = -1;
            auto second = pullFromServer(ledger, s, l->ctx, 1795430000, 2);
            REQUIRE(second.ok());
            REQUIRE(second->alarms == 0);
            REQUIRE(second->duplicates == 0);
            auto rows = ledger.submissions();
            REQUIRE(rows->size() == 7);
            REQUIRE(*ledger.cursor() == 7);
            // A third pull finds nothing new.
            auto third = pullFromServer(ledger, s, l->ctx, 1795430000, 2);
            REQUIRE(third.ok());
            REQUIRE(third->recorded == 0);
        }
    }
}

TEST_CASE("pull trusts neither the server's envelopes nor its acknowledgements",
          "[staff][pull][attack]") {
    TestCounty c;
    auto l = c.load();
    auto ledger = c.openLedger();
    auto good = c.make("k1", complaintAnswers("真的"));
    auto second = c.make("k1", complaintAnswers("第二份"));
    ScriptedServer s;
    s.items.push_back(item(c, good.envelope));

    // An envelope whose ciphertext the server altered (re-hashing nothing): bad signature.
    json tampered = item(c, second.envelope);
    std::string ct = tampered["envelope"]["ciphertext"];
    ct[10] = ct[10] == 'A' ? 'B' : 'A';
    tampered["envelope"]["ciphertext"] = ct;
    tampered["envelope"].erase("hash");
    s.items.push_back(tampered);

    // A valid envelope with an acknowledgement signed by some other key.
    auto third = c.make("k1", complaintAnswers("第三份"));
    json forgedAck = item(c, third.envelope);
    forgedAck["ack"]["sig"] = crypto::toBase64(crypto::Ed25519Signature{});
    s.items.push_back(forgedAck);

    // An envelope from a kiosk that is not enrolled.
    TestCounty other;
    auto stranger = other.make("zz", complaintAnswers("外县"));
    s.items.push_back({{"envelope", sync::envelopeToJsonValue(stranger.envelope)},
                       {"ack", c.ack(stranger.envelope)}});

    auto r = pullFromServer(ledger, s, l->ctx, 1795430000);
    REQUIRE(r.ok());
    REQUIRE(r->recorded == 1);
    REQUIRE(r->alarms == 3);
    REQUIRE(*ledger.cursor() == 4); // the bad ones do not wedge the office
    auto alarms = ledger.alarms();
    REQUIRE(alarms->size() == 3);
    REQUIRE(alarms->at(0).kind == AlarmKind::Rejected);
    REQUIRE_THAT(alarms->at(0).detail, Catch::Contains("bad-signature"));
    REQUIRE(alarms->at(1).kind == AlarmKind::BadAck);
    REQUIRE(alarms->at(2).kind == AlarmKind::Rejected);
    REQUIRE_THAT(alarms->at(2).detail, Catch::Contains("not enrolled"));
}

TEST_CASE("queued statuses are pushed in order and stay queued while the server is away",
          "[staff][push]") {
    TestCounty c;
    auto l = c.load();
    auto ledger = c.openLedger();
    auto e = c.make("k1", complaintAnswers("作业"));
    ScriptedServer s;
    s.items.push_back(item(c, e.envelope));
    REQUIRE(pullFromServer(ledger, s, l->ctx, 1795430000).ok());
    auto cs = ledger.caseByTag(e.code->tag(*c.tagKey));
    REQUIRE(ledger.appendStatus(cs->id, crypto::CaseStatus::Accepted, "", 1795440000, "{\"a\":1}")
                .ok());
    REQUIRE(ledger.appendStatus(cs->id, crypto::CaseStatus::Closed, "好", 1795450000, "{\"a\":2}")
                .ok());
    s.failAt = s.requests; // the next request fails
    auto p = pushPendingStatuses(ledger, s, 1795460000);
    REQUIRE(p.ok());
    REQUIRE(p->pushed == 0);
    REQUIRE(ledger.pendingPushes()->size() == 2);
    s.putStatus = 404; // the server does not hold it (came by USB only)
    p = pushPendingStatuses(ledger, s, 1795460000);
    REQUIRE(p.ok());
    REQUIRE(p->pushed == 0);
    REQUIRE_THAT(p->messages.at(0), Catch::Contains("USB"));
    s.putStatus = 200;
    s.puts.clear();
    p = pushPendingStatuses(ledger, s, 1795460000);
    REQUIRE(p.ok());
    REQUIRE(p->pushed == 2);
    REQUIRE(s.puts.size() == 2);
    REQUIRE(s.puts[0].first == "/v1/staff/status/" + crypto::toHex(e.code->tag(*c.tagKey)));
    REQUIRE(s.puts[0].second == "{\"a\":1}");
    REQUIRE(s.puts[1].second == "{\"a\":2}");
    REQUIRE(ledger.pendingPushes()->empty());
}

TEST_CASE("a revoked kiosk: what the server acknowledged before stays, later is an alarm",
          "[staff][revoke]") {
    TestCounty c;
    auto before = c.make("k1", complaintAnswers("吊销前"));
    auto after = c.make("k1", complaintAnswers("吊销后"));
    test::writeFile(c.dir.kiosksDir() / "k1.revoked",
                    "revoked-at: " + sync::formatMinuteUtc(1795428960) + "\nreason: stolen\n");
    auto l = c.load();
    REQUIRE(l->ctx.revokedAt.at("k1") == 1795428960);
    auto ledger = c.openLedger();
    ScriptedServer s;
    s.items.push_back({{"envelope", sync::envelopeToJsonValue(before.envelope)},
                       {"ack", c.ack(before.envelope, 1795428900)}});
    s.items.push_back({{"envelope", sync::envelopeToJsonValue(after.envelope)},
                       {"ack", c.ack(after.envelope, 1795429100)}});
    auto r = pullFromServer(ledger, s, l->ctx, 1795430000);
    REQUIRE(r.ok());
    REQUIRE(r->recorded == 1);
    REQUIRE(ledger.alarms()->at(0).kind == AlarmKind::RevokedKiosk);
}

TEST_CASE("open and import give every envelope the same verdict", "[staff][open][verdict]") {
    TestCounty c;
    const auto created = 1795428300;
    // A survey payload as given, sealed under a survey header of minute `created` (10:05).
    auto survey = [&](const std::string& answersMember, const std::string& minute) {
        return c.makeSealing("k1",
                             "{" + answersMember + R"(,"created":")" + minute +
                                 R"(","form":"survey","form_version":1,"locale":"zh-CN"})",
                             false, created);
    };
    auto good = c.make("k1", complaintAnswers("好的"));
    // The payload's minute is not the signed header's.
    auto mismatch = survey(R"("answers":{"overall":5})", "2026-11-23T10:06Z");
    auto third = c.make("k1", complaintAnswers("第三"));
    // A second, different #3 signed with the kiosk's key.
    c.kiosk("k1").lastSeq = 2;
    c.kiosk("k1").lastHash = crypto::envelopeHash(mismatch.envelope);
    auto fork = c.make("k1", complaintAnswers("分叉"));
    c.kiosk("k1").lastHash = crypto::envelopeHash(third.envelope);
    (void)c.make("k1", complaintAnswers("缺失")); // #4 never reaches the county
    auto afterGap = c.make("k1", complaintAnswers("缺口之后"));
    // Not canonical: a space after the colon.
    auto notCanonical = survey(R"("answers": {"overall":5})", "2026-11-23T10:05Z");
    auto fromRevoked = c.make("k2", complaintAnswers("吊销"));
    test::writeFile(c.dir.kiosksDir() / "k2.revoked",
                    "revoked-at: " + sync::formatMinuteUtc(created) + "\nreason: stolen\n");

    const auto usb = c.tmp / "usb";
    std::filesystem::create_directories(usb);
    for (const auto* m : {&good, &mismatch, &third, &afterGap, &notCanonical, &fromRevoked})
        test::writeFile(usb / sync::envelopeExportFileName(m->envelope.header),
                        sync::envelopeToJson(m->envelope));
    test::writeFile(usb / ("z-fork-" + sync::envelopeExportFileName(fork.envelope.header)),
                    sync::envelopeToJson(fork.envelope));

    auto l = c.load();
    const auto opened = county::openEnvelopeFiles(county::collectEnvelopeFiles({usb}), l->ctx);
    auto ledger = c.openLedger();
    auto imported = importEnvelopeFiles(ledger, {usb}, l->ctx, 1795430000);
    REQUIRE(imported.ok());

    // (kiosk, sequence, hash) → verdict name, from each command.
    using Key = std::tuple<std::string, std::uint64_t, std::string>;
    auto name = [](const std::optional<county::EnvelopeAlarm>& a) {
        return a ? std::string(county::envelopeAlarmName(*a)) : std::string("verified");
    };
    std::map<Key, std::string> byOpen, byImport;
    for (const auto& o : opened) {
        REQUIRE(o.envelope);
        byOpen[{o.envelope->header.kioskId, o.envelope->header.sequence,
                crypto::toHex(crypto::envelopeHash(*o.envelope))}] = name(o.verdict.alarm);
    }
    for (const auto& v : imported->verdicts) {
        REQUIRE(v.hash);
        byImport[{v.kioskId, v.sequence, crypto::toHex(*v.hash)}] = name(v.alarm);
    }
    REQUIRE(opened.size() == 7);
    REQUIRE(imported->verdicts.size() == 7);
    CHECK(byOpen == byImport);

    auto verdictOf = [&](const MadeEnvelope& m) {
        const auto& h = m.envelope.header;
        return byImport.at(
            {h.kioskId, h.sequence, crypto::toHex(crypto::envelopeHash(m.envelope))});
    };
    CHECK(verdictOf(good) == "verified");
    CHECK(verdictOf(mismatch) == "bad-payload");
    CHECK(verdictOf(third) == "verified");
    CHECK(verdictOf(fork) == "fork");
    CHECK(verdictOf(afterGap) == "verified");
    CHECK(verdictOf(notCanonical) == "bad-payload");
    CHECK(verdictOf(fromRevoked) == "revoked-kiosk");
    CHECK(imported->recorded == 3);

    // Both say where the chain has a gap: #4 is missing before #5.
    bool openGap = false;
    for (const auto& o : opened)
        for (const auto& n : o.verdict.notes)
            openGap = openGap || n.find("gap: envelopes 4 to 4 of k1") != std::string::npos;
    bool importGap = false;
    for (const auto& m : imported->messages)
        importGap = importGap || m.find("gap: envelopes 4 to 4 of k1") != std::string::npos;
    CHECK(openGap);
    CHECK(importGap);

    // The reasons are the one list: every alarm name is documented in docs/protocol.md section 5.
    const std::string doc = test::readFile(test::sourceDir() / "docs/protocol.md");
    const auto section5 = doc.substr(doc.find("## 5."), doc.find("## 6.") - doc.find("## 5."));
    for (auto a : county::allEnvelopeAlarms())
        CHECK_THAT(section5,
                   Catch::Contains("`" + std::string(county::envelopeAlarmName(a)) + "`"));
}
