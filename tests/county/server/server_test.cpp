// The real `minsheng-county serve` on 127.0.0.1 with the county's own CA, driven over TLS.
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/county/server/server_test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

using namespace minsheng;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Site {
    test::TempDir tmp{"minsheng-server"};
    test::TestCounty county{tmp.path(), {"k1", "k2"}};
    test::ServerProcess server{county.dir, tmp / "server.log"};
    test::TestKiosk k1{county, "k1"};

    test::TestClient client() { return test::TestClient(server.port(), county.caFile()); }
    std::map<std::string, std::string> bearer() const {
        return {{"Authorization", "Bearer " + county.staffToken}};
    }
};

std::string code(const test::Reply& r) {
    auto j = json::parse(r.body);
    return j.at("error").get<std::string>();
}

} // namespace

TEST_CASE("kiosk envelopes over TLS: stored, acknowledged, idempotent, fork, gap",
          "[server][e2e]") {
    Site s;
    auto c = s.client();
    auto e1 = s.k1.next(crypto::EnvelopeKind::Complaint);
    auto e2 = s.k1.next();
    auto r = c.request("POST", "/v1/envelopes", test::batchJson({e1, e2}));
    REQUIRE(r.status == 200);
    auto res = json::parse(r.body)["results"];
    REQUIRE(res.size() == 2);
    for (int i = 0; i < 2; ++i) {
        CHECK(res[i]["status"] == "stored");
        auto ack = sync::acknowledgementFromJson(res[i]["ack"]);
        REQUIRE(ack.ok());
        CHECK(crypto::verifyAcknowledgement(*ack, s.county.signingPublic));
        CHECK(ack->kioskId == "k1");
        CHECK(ack->sequence == static_cast<std::uint64_t>(i + 1));
    }
    // Resend on the same kept-alive connection: the original acks.
    r = c.request("POST", "/v1/envelopes", test::batchJson({e1, e2}));
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["results"][0]["status"] == "duplicate");
    CHECK(json::parse(r.body)["results"][0]["ack"] == res[0]["ack"]);
    // Fork.
    r = c.request("POST", "/v1/envelopes",
                  test::batchJson({s.k1.make(2, crypto::envelopeHash(e1))}));
    CHECK(r.status == 409);
    CHECK(json::parse(r.body)["results"][0]["error"] == "fork");
    // Replay of sequence 1 with other content is a fork too.
    r = c.request("POST", "/v1/envelopes", test::batchJson({s.k1.make(1, {})}));
    CHECK(r.status == 409);
    // Gap: 3 and 4 skipped.
    s.k1.next();
    s.k1.next();
    r = c.request("POST", "/v1/envelopes", test::batchJson({s.k1.next()}));
    CHECK(json::parse(r.body)["results"][0]["status"] == "stored");
    r = c.request("GET", "/v1/staff/kiosks", "", "", s.bearer());
    REQUIRE(r.status == 200);
    auto k = json::parse(r.body)["kiosks"][0];
    CHECK(k["id"] == "k1");
    CHECK(k["gaps"] == json::parse("[[3,4]]"));
    CHECK(k["forks"] == 2);
    CHECK(k["last_seq"] == 5);
    // Heartbeat.
    r = c.request("POST", "/v1/heartbeat", sync::heartbeatToJson(s.k1.heartbeat()).dump());
    CHECK(r.status == 200);
    // Status before and after a staff PUT.
    const std::string tag = crypto::toHex(*e1.header.receiptTag);
    r = c.request("GET", "/v1/status/" + tag);
    REQUIRE(r.status == 200);
    auto received = sync::caseStatusFromJson(json::parse(r.body));
    REQUIRE(received.ok());
    CHECK(received->status == crypto::CaseStatus::Received);
    CHECK(crypto::verifyCaseStatus(*received, s.county.signingPublic));
    crypto::CaseStatusRecord rec = *received;
    rec.status = crypto::CaseStatus::Closed;
    rec.updatedAt += 3600;
    rec.reply = "经核查，已责令整改。";
    rec = crypto::signCaseStatus(rec, s.county.signingSecret());
    CHECK(c.request("PUT", "/v1/staff/status/" + tag, sync::caseStatusToJson(rec).dump()).status ==
          401);
    r = c.request("PUT", "/v1/staff/status/" + tag, sync::caseStatusToJson(rec).dump(),
                  "application/json", s.bearer());
    CHECK(r.status == 200);
    r = c.request("GET", "/v1/status/" + tag);
    auto closed = sync::caseStatusFromJson(json::parse(r.body));
    REQUIRE(closed.ok());
    CHECK(closed->status == crypto::CaseStatus::Closed);
    CHECK(closed->reply == rec.reply);
    CHECK(crypto::verifyCaseStatus(*closed, s.county.signingPublic));
    // Staff pull.
    r = c.request("GET", "/v1/staff/envelopes?after=0&limit=500", "", "", s.bearer());
    CHECK(json::parse(r.body)["items"].size() == 3);
    CHECK(c.request("GET", "/v1/staff/envelopes").status == 401);
    // Operations.
    r = c.request("GET", "/healthz");
    CHECK(r.status == 200);
    CHECK(r.body == "ok");
    r = c.request("GET", "/metrics");
    CHECK(r.status == 200);
    CHECK(r.body.find("minsheng_envelopes_stored_total 3") != std::string::npos);
    CHECK(r.body.find("minsheng_rejects_total{reason=\"fork\"} 2") != std::string::npos);
    CHECK(r.body.find("minsheng_requests_total{endpoint=\"envelopes\"}") != std::string::npos);
    CHECK(r.body.find("minsheng_kiosks{state=\"enrolled\"} 2") != std::string::npos);
    CHECK(r.body.find("minsheng_kiosks{state=\"silent\"} 1") != std::string::npos); // k2
    CHECK(r.body.find("\"k1\"") == std::string::npos); // no kiosk is named
    CHECK(r.body.find("\"k2\"") == std::string::npos);
    CHECK(s.server.stop() == 0);
    // The log has one line per request and never a receipt tag or a payload.
    const std::string log = s.server.log();
    CHECK(log.find(tag) == std::string::npos);
    CHECK(log.find("envelopes 200") != std::string::npos);
}

TEST_CASE("rejections over TLS: forged, tampered, revoked, unknown, bad input", "[server][e2e]") {
    Site s;
    auto c = s.client();
    test::TestKiosk k2(s.county, "k2");
    auto post = [&](const json& envelope) {
        return c.request("POST", "/v1/envelopes", json{{"v", 1}, {"envelopes", {envelope}}}.dump());
    };
    // Forged: k1's id, k2's key.
    json forged = json::parse(sync::envelopeToJson(k2.make(1, {})));
    forged["kiosk"] = "k1";
    forged.erase("hash");
    auto r = post(forged);
    CHECK(json::parse(r.body)["results"][0]["error"] == "bad-signature");
    // Tampered.
    auto e = s.k1.next();
    auto tampered = e;
    tampered.ciphertext[0] ^= 0x80;
    r = post(json::parse(sync::envelopeToJson(tampered)));
    CHECK(json::parse(r.body)["results"][0]["error"] == "bad-signature");
    // Unknown kiosk.
    json unknown = json::parse(sync::envelopeToJson(k2.make(1, {})));
    unknown["kiosk"] = "ghost";
    unknown.erase("hash");
    r = post(unknown);
    CHECK(r.status == 403);
    CHECK(code(r) == "unknown-kiosk");
    // Bad input.
    r = c.request("POST", "/v1/envelopes", test::batchJson({e}), "text/plain");
    CHECK(r.status == 415);
    CHECK(code(r) == "bad-content-type");
    r = c.request("POST", "/v1/envelopes", "{\"v\":1,\"envelopes\":[");
    CHECK(r.status == 400);
    CHECK(code(r) == "bad-json");
    r = c.request("POST", "/v1/envelopes", R"({"v":2,"envelopes":[]})");
    CHECK(code(r) == "unknown-version");
    r = c.request("GET", "/v1/nothing");
    CHECK(r.status == 404);
    r = c.request("DELETE", "/v1/envelopes");
    CHECK(r.status == 405);
    // Revoked, without restarting the server.
    test::writeFile(s.county.dir / "kiosks" / "k1.revoked", "lost\n");
    r = c.request("POST", "/v1/envelopes", test::batchJson({e}));
    CHECK(r.status == 403);
    CHECK(code(r) == "revoked-kiosk");
    // Oversize: a Content-Length over 8 MiB is answered 413 before the body is sent.
    auto big = s.client();
    big.writeRaw("POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                 "application/json\r\nContent-Length: 9000000\r\n\r\n");
    r = big.readReply();
    CHECK(r.status == 413);
    CHECK(code(r) == "too-large");
    auto big2 = s.client();
    r = big2.request("POST", "/v1/heartbeat", std::string(65 * 1024 + 1, ' '));
    CHECK(r.status == 413);
    // Headers over 8 KiB.
    auto hdr = s.client();
    r = hdr.request("GET", "/healthz", "", "", {{"X-Padding", std::string(9000, 'a')}});
    CHECK(r.status == 413);
    r = c.request("GET", "/metrics");
    for (const char* reason :
         {"bad-signature", "unknown-kiosk", "revoked-kiosk", "bad-content-type", "bad-json",
          "unknown-version", "too-large", "not-found", "method-not-allowed"})
        CHECK(r.body.find("minsheng_rejects_total{reason=\"" + std::string(reason) + "\"}") !=
              std::string::npos);
    CHECK(s.server.stop() == 0);
}

TEST_CASE("TLS: a client trusting another CA fails the handshake, TLS 1.2 minimum",
          "[server][e2e][tls]") {
    Site s;
    test::TempDir other{"minsheng-other-county"};
    test::TestCounty otherCounty(other.path(), {});
    test::TestClient wrong(s.server.port(), otherCounty.caFile());
    auto err = wrong.connect();
    REQUIRE(err.has_value());
    CHECK(err->find("certificate verify failed") != std::string::npos);
    auto right = s.client();
    CHECK_FALSE(right.connect().has_value());
    CHECK(s.server.stop() == 0);
}

TEST_CASE("status look-ups over TLS: 429 after 10 per minute", "[server][e2e]") {
    Site s;
    auto c = s.client();
    const std::string target = "/v1/status/" + std::string(64, 'd');
    for (int i = 0; i < 10; ++i)
        CHECK(c.request("GET", target).status == 404);
    auto r = c.request("GET", target);
    CHECK(r.status == 429);
    CHECK(code(r) == "rate-limited");
    CHECK(std::stoi(r.headers.at("retry-after")) >= 1);
    CHECK(s.server.stop() == 0);
}

TEST_CASE("SIGTERM: stops accepting, finishes the request in flight, exits 0", "[server][e2e]") {
    Site s;
    auto idle = s.client();
    REQUIRE(idle.request("GET", "/healthz").status == 200); // an idle kept-alive connection
    auto c = s.client();
    const std::string body = test::batchJson({s.k1.next()});
    const std::string head = "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                             "application/json\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n";
    c.writeRaw(head + body.substr(0, body.size() / 2));
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the header is read by now
    s.server.signalTerm();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(test::tcpConnects(s.server.port())); // no longer accepting
    c.writeRaw(body.substr(body.size() / 2));
    auto r = c.readReply();
    CHECK(r.status == 200);
    CHECK(json::parse(r.body)["results"][0]["status"] == "stored");
    CHECK(r.headers.at("connection") == "close");
    CHECK(s.server.wait() == 0);
    CHECK(s.server.log().find("stopped") != std::string::npos);
}

TEST_CASE("kill -9 under load: every acknowledged envelope is in the store", "[server][e2e]") {
    // Group commit answers a batch only after the shared COMMIT that holds it returned. Kiosks
    // post concurrently until the server is killed mid-load; a restarted server must then hold
    // every envelope any kiosk was told was stored (re-sending it answers "duplicate").
    test::TempDir tmp{"minsheng-server-kill"};
    const std::vector<std::string> ids{"k1", "k2", "k3", "k4", "k5", "k6"};
    test::TestCounty county{tmp.path(), ids};
    std::vector<test::TestKiosk> kiosks;
    for (const auto& id : ids)
        kiosks.emplace_back(county, id);
    std::mutex ackedMutex;
    std::vector<std::vector<crypto::Envelope>> acked(ids.size());
    std::atomic<std::size_t> ackedCount{0};
    {
        test::ServerProcess server{
            county.dir, tmp / "server.log", {"--posts-per-minute", "1e9", "--threads", "4"}};
        std::atomic<bool> stop{false};
        std::vector<std::thread> posters;
        for (std::size_t k = 0; k < ids.size(); ++k)
            posters.emplace_back([&, k] {
                try {
                    test::TestClient c(server.port(), county.caFile());
                    while (!stop) {
                        std::vector<crypto::Envelope> batch;
                        for (int i = 0; i < 4; ++i)
                            batch.push_back(kiosks[k].next());
                        auto r = c.request("POST", "/v1/envelopes", test::batchJson(batch));
                        if (r.status != 200)
                            return;
                        const auto results = json::parse(r.body).at("results");
                        std::lock_guard lock(ackedMutex);
                        for (std::size_t i = 0; i < results.size(); ++i)
                            if (results[i].at("status") == "stored" && results[i].contains("ack")) {
                                acked[k].push_back(batch[i]);
                                ++ackedCount;
                            }
                    }
                } catch (const std::exception&) {
                    // the connection died with the server: whatever was unanswered is not acked
                }
            });
        for (int i = 0; i < 600 && ackedCount < 200; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        server.signalKill();
        CHECK(server.wait() == -SIGKILL);
        stop = true;
        for (auto& t : posters)
            t.join();
    }
    REQUIRE(ackedCount > 0);
    test::ServerProcess restarted{county.dir, tmp / "server-2.log", {"--posts-per-minute", "1e9"}};
    std::size_t duplicates = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        test::TestClient c(restarted.port(), county.caFile());
        for (std::size_t from = 0; from < acked[k].size(); from += 16) {
            std::vector<crypto::Envelope> batch(
                acked[k].begin() + static_cast<std::ptrdiff_t>(from),
                acked[k].begin() +
                    static_cast<std::ptrdiff_t>(std::min(acked[k].size(), from + 16)));
            auto r = c.request("POST", "/v1/envelopes", test::batchJson(batch));
            INFO(r.body);
            REQUIRE(r.status == 200);
            const json answer = json::parse(r.body);
            REQUIRE(answer.at("results").size() == batch.size());
            for (const auto& result : answer.at("results")) {
                INFO("kiosk " << ids[k] << " sequence " << result.at("seq"));
                CHECK(result.at("status") == "duplicate");
                duplicates += result.at("status") == "duplicate";
            }
        }
    }
    CHECK(duplicates == ackedCount);
}
