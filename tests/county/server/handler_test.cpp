// The request handler without sockets: the bad-input matrix of docs/protocol.md section 7, the
// chain rules of section 8 and the store's invariants (county/server/intake_schema.hpp).
#include "county/server/intake_handler.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/minute_time.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/county/server/server_test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

using namespace minsheng;
using namespace minsheng::server;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    test::TempDir tmp{"minsheng-handler"};
    test::TestCounty county{tmp.path(), {"k1", "k2"}};
    crypto::Ed25519SecretKey signingKey = county.signingSecret();
    std::unique_ptr<IntakeStore> store;
    RegistryCache registry{county::CountyDir(county.dir), [](const std::string&) {
                           }};
    crypto::SecretBytes token = crypto::SecretBytes::copyOf(county.staffToken);
    std::int64_t clock = sync::nowMinute(); // the test kiosks stamp envelopes with the real minute
    std::unique_ptr<IntakeHandler> handler;
    test::TestKiosk k1{county, "k1"};

    explicit Fixture(HandlerLimits limits = {}, IntakeStoreOptions storeOptions = {}) {
        auto s = IntakeStore::open(county.dir / "intake.db", signingKey, storeOptions);
        REQUIRE(s.ok());
        store = std::move(*s);
        REQUIRE(registry.loadInitial());
        handler = std::make_unique<IntakeHandler>(
            *store, registry, county.signingPublic, token, [](const std::string&) {},
            std::move(limits), [this] { return clock; });
    }

    HttpResponse call(std::string method, std::string target, std::string body = {},
                      std::string contentType = "application/json", std::string auth = {}) {
        HttpRequest r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.contentType = std::move(contentType);
        r.authorization = std::move(auth);
        r.body = std::move(body);
        r.clientAddress = "192.0.2.1";
        return handler->handle(r);
    }
    HttpResponse post(const std::vector<crypto::Envelope>& envelopes) {
        return call("POST", "/v1/envelopes", test::batchJson(envelopes));
    }
    std::string bearer() const { return "Bearer " + county.staffToken; }
};

std::string errorCode(const HttpResponse& r) {
    auto j = json::parse(r.body);
    REQUIRE(j.is_object());
    REQUIRE(j.size() == 2);
    REQUIRE(j["message"].is_string());
    return j["error"].get<std::string>();
}

json results(const HttpResponse& r) {
    return json::parse(r.body)["results"];
}

} // namespace

TEST_CASE("bad input is answered with the documented status and error body", "[server][handler]") {
    Fixture f;
    struct Case {
        const char* name;
        HttpResponse response;
        unsigned status;
        const char* code;
    };
    auto env = f.k1.next();
    const std::string good = test::batchJson({env});
    const std::string one = sync::envelopeToJson(env);
    std::vector<Case> cases = {
        {"unknown path", f.call("GET", "/v1/nothing"), 404, "not-found"},
        {"root", f.call("GET", "/"), 404, "not-found"},
        {"wrong method", f.call("GET", "/v1/envelopes"), 405, "method-not-allowed"},
        {"wrong method on status", f.call("POST", "/v1/status/00", "{}"), 405,
         "method-not-allowed"},
        {"wrong content type", f.call("POST", "/v1/envelopes", good, "text/plain"), 415,
         "bad-content-type"},
        {"no content type", f.call("POST", "/v1/envelopes", good, ""), 415, "bad-content-type"},
        {"other charset", f.call("POST", "/v1/envelopes", good, "application/json; charset=gbk"),
         415, "bad-content-type"},
        {"not json", f.call("POST", "/v1/envelopes", "{\"v\":1,"), 400, "bad-json"},
        {"empty body", f.call("POST", "/v1/envelopes", ""), 400, "bad-json"},
        {"duplicate member", f.call("POST", "/v1/envelopes", R"({"v":1,"v":1,"envelopes":[]})"),
         400, "bad-json"},
        {"invalid utf-8", f.call("POST", "/v1/envelopes", "{\"v\":1,\"x\":\"\xff\"}"), 400,
         "bad-json"},
        {"number out of range", f.call("POST", "/v1/envelopes", R"({"v":1e999})"), 400, "bad-json"},
        {"heartbeat number out of range", f.call("POST", "/v1/heartbeat", R"({"v":1e999})"), 400,
         "bad-json"},
        {"array body", f.call("POST", "/v1/envelopes", "[]"), 400, "malformed"},
        {"no envelopes", f.call("POST", "/v1/envelopes", R"({"v":1})"), 400, "malformed"},
        {"empty batch", f.call("POST", "/v1/envelopes", R"({"v":1,"envelopes":[]})"), 400,
         "malformed"},
        {"unknown member", f.call("POST", "/v1/envelopes", R"({"v":1,"envelopes":[],"x":1})"), 400,
         "malformed"},
        {"v a string", f.call("POST", "/v1/envelopes", R"({"v":"1","envelopes":[]})"), 400,
         "malformed"},
        {"unknown version", f.call("POST", "/v1/envelopes", R"({"v":2,"envelopes":[{}]})"), 400,
         "unknown-version"},
        {"too many envelopes",
         f.call(
             "POST", "/v1/envelopes",
             "{\"v\":1,\"envelopes\":[" +
                 [&] {
                     std::string s;
                     for (int i = 0; i < 65; ++i)
                         s += (i ? "," : "") + one;
                     return s;
                 }() +
                 "]}"),
         413, "too-large"},
        {"body over 64 KiB", f.call("POST", "/v1/heartbeat", std::string(70000, ' ')), 413,
         "too-large"},
        {"heartbeat malformed", f.call("POST", "/v1/heartbeat", R"({"v":1})"), 400, "malformed"},
        {"heartbeat version", f.call("POST", "/v1/heartbeat", R"({"v":7})"), 400,
         "unknown-version"},
        {"status tag not hex", f.call("GET", "/v1/status/xyz"), 400, "malformed"},
        {"status unknown tag", f.call("GET", "/v1/status/" + std::string(64, 'a')), 404,
         "not-found"},
        {"staff without token", f.call("GET", "/v1/staff/kiosks"), 401, "unauthorized"},
        {"staff wrong token",
         f.call("GET", "/v1/staff/kiosks", "", "", "Bearer " + std::string(64, '0')), 401,
         "unauthorized"},
        {"staff token prefix",
         f.call("GET", "/v1/staff/kiosks", "", "", "Bearer " + f.county.staffToken.substr(0, 63)),
         401, "unauthorized"},
        {"staff bad query", f.call("GET", "/v1/staff/envelopes?limit=501", "", "", f.bearer()), 400,
         "malformed"},
        {"staff unknown query", f.call("GET", "/v1/staff/envelopes?x=1", "", "", f.bearer()), 400,
         "malformed"},
    };
    for (auto& c : cases) {
        INFO(c.name << ": " << c.response.body);
        CHECK(c.response.status == c.status);
        CHECK(c.response.contentType == "application/json");
        CHECK(errorCode(c.response) == c.code);
    }
    auto allow = f.call("PUT", "/v1/envelopes", good);
    REQUIRE(allow.headers.size() == 1);
    CHECK(allow.headers[0] == std::pair<std::string, std::string>("Allow", "POST"));

    // Malformed envelopes inside a well-formed batch are rejected one by one, naming the member.
    json bad = json::parse(one);
    bad.erase("sig");
    auto r = f.call("POST", "/v1/envelopes", json{{"v", 1}, {"envelopes", {bad}}}.dump());
    CHECK(r.status == 200);
    CHECK(results(r)[0]["status"] == "rejected");
    CHECK(results(r)[0]["error"] == "malformed");
    CHECK(results(r)[0]["message"].get<std::string>().find("\"sig\"") != std::string::npos);
    bad = json::parse(one);
    bad["v"] = 3;
    r = f.call("POST", "/v1/envelopes", json{{"v", 1}, {"envelopes", {bad}}}.dump());
    CHECK(results(r)[0]["error"] == "unknown-version");

    // Every reject is counted by reason.
    const std::string metrics = f.handler->metricsText();
    for (const char* reason : {"not-found", "method-not-allowed", "bad-content-type", "bad-json",
                               "malformed", "unknown-version", "too-large", "unauthorized"})
        CHECK(metrics.find("minsheng_rejects_total{reason=\"" + std::string(reason) + "\"}") !=
              std::string::npos);
}

TEST_CASE("a batch is checked, stored and acknowledged, resends are idempotent",
          "[server][handler]") {
    Fixture f;
    std::vector<crypto::Envelope> chain;
    for (int i = 0; i < 3; ++i)
        chain.push_back(
            f.k1.next(i == 0 ? crypto::EnvelopeKind::Complaint : crypto::EnvelopeKind::Survey));
    auto r = f.post(chain);
    REQUIRE(r.status == 200);
    auto res = results(r);
    REQUIRE(res.size() == 3);
    std::vector<json> acks;
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(res[i]["seq"] == i + 1);
        CHECK(res[i]["status"] == "stored");
        auto ack = sync::acknowledgementFromJson(res[i]["ack"]);
        REQUIRE(ack.ok());
        CHECK(crypto::verifyAcknowledgement(*ack, f.county.signingPublic));
        CHECK(ack->envelopeHash == crypto::envelopeHash(chain[i]));
        CHECK(ack->receivedAt == f.clock);
        acks.push_back(res[i]["ack"]);
    }
    f.clock += 600;
    r = f.post(chain);
    REQUIRE(r.status == 200);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(results(r)[i]["status"] == "duplicate");
        CHECK(results(r)[i]["ack"] == acks[i]); // the original acknowledgement, original time
    }
    // The complaint's receipt tag now has a signed "received" status.
    auto s = f.call("GET", "/v1/status/" + crypto::toHex(*chain[0].header.receiptTag));
    REQUIRE(s.status == 200);
    auto rec = sync::caseStatusFromJson(json::parse(s.body));
    REQUIRE(rec.ok());
    CHECK(rec->status == crypto::CaseStatus::Received);
    CHECK(crypto::verifyCaseStatus(*rec, f.county.signingPublic));

    // Staff pull: storage order, cursors, next.
    auto p = f.call("GET", "/v1/staff/envelopes?after=0&limit=2", "", "", f.bearer());
    REQUIRE(p.status == 200);
    auto pj = json::parse(p.body);
    REQUIRE(pj["items"].size() == 2);
    CHECK(pj["items"][0]["ack"] == acks[0]);
    CHECK(sync::envelopeFromJsonValue(pj["items"][1]["envelope"]).ok());
    p = f.call("GET", "/v1/staff/envelopes?after=" + std::to_string(pj["next"].get<int>()), "", "",
               f.bearer());
    pj = json::parse(p.body);
    REQUIRE(pj["items"].size() == 1);
    CHECK(pj["items"][0]["envelope"]["seq"] == 3);
}

TEST_CASE("forks, gaps, back-filled gaps and chain breaks", "[server][handler]") {
    Fixture f;
    auto e1 = f.k1.next();
    auto e2 = f.k1.next();
    auto e3 = f.k1.next();
    auto e4 = f.k1.next();
    auto e5 = f.k1.next();
    REQUIRE(f.post({e1, e2}).status == 200);

    SECTION("fork: same sequence, other content -> 409, alarm, stored envelope kept") {
        auto fork = f.k1.make(2, crypto::envelopeHash(e1));
        auto r = f.post({fork});
        CHECK(r.status == 409);
        CHECK(results(r)[0]["error"] == "fork");
        CHECK(f.post({e2}).status == 200); // the original is still the stored one
        CHECK(results(f.post({e2}))[0]["status"] == "duplicate");
        auto k = json::parse(f.call("GET", "/v1/staff/kiosks", "", "", f.bearer()).body);
        CHECK(k["kiosks"][0]["forks"] == 1);
        CHECK(f.handler->metricsText().find("minsheng_rejects_total{reason=\"fork\"} 1") !=
              std::string::npos);
    }
    SECTION("gap accepted and recorded, then closed when the missing envelope arrives") {
        auto r = f.post({e5});
        CHECK(r.status == 200);
        CHECK(results(r)[0]["status"] == "stored");
        auto k = json::parse(f.call("GET", "/v1/staff/kiosks", "", "", f.bearer()).body);
        CHECK(k["kiosks"][0]["gaps"] == json::parse("[[3,4]]"));
        CHECK(k["kiosks"][0]["last_seq"] == 5);
        REQUIRE(f.post({e3, e4}).status == 200);
        k = json::parse(f.call("GET", "/v1/staff/kiosks", "", "", f.bearer()).body);
        CHECK(k["kiosks"][0]["gaps"].empty());
    }
    SECTION("a wrong previous hash after a stored envelope is a chain break") {
        auto bad = f.k1.make(3, crypto::envelopeHash(e1));
        auto r = f.post({bad});
        CHECK(r.status == 200);
        CHECK(results(r)[0]["error"] == "chain-break");
    }
    SECTION("a back-filled envelope must chain to its stored successor") {
        REQUIRE(f.post({e4}).status == 200);
        auto other = f.k1.make(3, crypto::envelopeHash(e2)); // fits 2, but 4 names e3
        CHECK(results(f.post({other}))[0]["error"] == "chain-break");
        CHECK(results(f.post({e3}))[0]["status"] == "stored");
    }
    SECTION("sequence 1 with a non-zero previous hash is malformed") {
        auto k2 = test::TestKiosk(f.county, "k2");
        crypto::Hash256 prev{};
        prev[0] = 1;
        json bad = json::parse(sync::envelopeToJson(k2.make(2, prev)));
        bad["seq"] = 1;
        bad.erase("hash");
        auto r = f.call("POST", "/v1/envelopes", json{{"v", 1}, {"envelopes", {bad}}}.dump());
        CHECK(results(r)[0]["status"] == "rejected");
    }
}

TEST_CASE("registry, signatures and batch rules", "[server][handler]") {
    Fixture f;
    test::TestKiosk k2(f.county, "k2");
    SECTION("forged: signed by another kiosk's key") {
        auto e = k2.make(1, {});
        json j = json::parse(sync::envelopeToJson(e));
        j["kiosk"] = "k1";
        j.erase("hash");
        auto r = f.call("POST", "/v1/envelopes", json{{"v", 1}, {"envelopes", {j}}}.dump());
        CHECK(results(r)[0]["error"] == "bad-signature");
    }
    SECTION("tampered ciphertext") {
        auto e = f.k1.next();
        e.ciphertext[100] ^= 1;
        json j = json::parse(sync::envelopeToJson(e));
        auto r = f.call("POST", "/v1/envelopes", json{{"v", 1}, {"envelopes", {j}}}.dump());
        CHECK(results(r)[0]["error"] == "bad-signature");
    }
    SECTION("unknown kiosk") {
        json j = json::parse(sync::envelopeToJson(k2.make(1, {})));
        j["kiosk"] = "nobody";
        j.erase("hash");
        auto r = f.call("POST", "/v1/envelopes", json{{"v", 1}, {"envelopes", {j}}}.dump());
        CHECK(r.status == 403);
        CHECK(errorCode(r) == "unknown-kiosk");
    }
    SECTION("revoked kiosk, noticed without a restart") {
        test::writeFile(f.county.dir / "kiosks" / "k1.revoked", "stolen\n");
        auto r = f.post({f.k1.next()});
        CHECK(r.status == 403);
        CHECK(errorCode(r) == "revoked-kiosk");
        auto hb = f.call("POST", "/v1/heartbeat", sync::heartbeatToJson(f.k1.heartbeat()).dump());
        CHECK(errorCode(hb) == "revoked-kiosk");
    }
    SECTION("two kiosks in one batch") {
        auto r = f.post({f.k1.next(), k2.next()});
        CHECK(r.status == 400);
        CHECK(errorCode(r) == "malformed");
    }
    SECTION("decreasing sequence order") {
        auto a = f.k1.next();
        auto b = f.k1.next();
        CHECK(errorCode(f.post({b, a})) == "malformed");
    }
    SECTION("heartbeat verified and stored; silent after 24 h") {
        auto hb = f.k1.heartbeat();
        auto r = f.call("POST", "/v1/heartbeat", sync::heartbeatToJson(hb).dump());
        CHECK(r.status == 200);
        CHECK(json::parse(r.body)["server_time"] == f.clock);
        auto forged = hb;
        forged.queueLength += 1;
        CHECK(errorCode(f.call("POST", "/v1/heartbeat", sync::heartbeatToJson(forged).dump())) ==
              "bad-signature");
        auto k = json::parse(f.call("GET", "/v1/staff/kiosks", "", "", f.bearer()).body);
        CHECK(k["kiosks"][0]["id"] == "k1");
        CHECK(k["kiosks"][0]["last_heartbeat"]["queue"] == 2);
        CHECK(k["kiosks"][0]["silent"] == false);
        CHECK(k["kiosks"][1]["silent"] == true); // k2: never heard from
        f.clock += 24 * 3600 + 1;
        k = json::parse(f.call("GET", "/v1/staff/kiosks", "", "", f.bearer()).body);
        CHECK(k["kiosks"][0]["silent"] == true);
    }
}

TEST_CASE("staff status replaces the served status only when properly signed",
          "[server][handler]") {
    Fixture f;
    auto complaint = f.k1.next(crypto::EnvelopeKind::Complaint);
    REQUIRE(f.post({complaint}).status == 200);
    const auto tag = *complaint.header.receiptTag;
    const std::string path = "/v1/staff/status/" + crypto::toHex(tag);
    crypto::CaseStatusRecord rec;
    rec.receiptTag = tag;
    rec.status = crypto::CaseStatus::Accepted;
    rec.receivedAt = f.clock;
    rec.updatedAt = f.clock + 60;
    rec.reply = "已受理，正在核查。";
    rec = crypto::signCaseStatus(rec, f.signingKey);
    const std::string body = sync::caseStatusToJson(rec).dump();

    CHECK(f.call("PUT", path, body).status == 401);
    auto forged = rec;
    forged.reply = "已办结";
    CHECK(errorCode(f.call("PUT", path, sync::caseStatusToJson(forged).dump(), "application/json",
                           f.bearer())) == "bad-signature");
    CHECK(errorCode(f.call("PUT", "/v1/staff/status/" + std::string(64, 'b'), body,
                           "application/json", f.bearer())) == "malformed");
    auto unknown = rec;
    unknown.receiptTag[0] ^= 1;
    unknown = crypto::signCaseStatus(unknown, f.signingKey);
    CHECK(f.call("PUT", "/v1/staff/status/" + crypto::toHex(unknown.receiptTag),
                 sync::caseStatusToJson(unknown).dump(), "application/json", f.bearer())
              .status == 404);
    auto ok = f.call("PUT", path, body, "application/json", f.bearer());
    CHECK(ok.status == 200);
    auto served = f.call("GET", "/v1/status/" + crypto::toHex(tag));
    CHECK(json::parse(served.body) == json::parse(body));
}

TEST_CASE("status look-ups are limited to 10 per minute per address", "[server][handler]") {
    Fixture f;
    const std::string target = "/v1/status/" + std::string(64, 'c');
    for (int i = 0; i < 10; ++i)
        CHECK(f.call("GET", target).status == 404);
    auto r = f.call("GET", target);
    CHECK(r.status == 429);
    CHECK(errorCode(r) == "rate-limited");
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].first == "Retry-After");
    CHECK(std::stoi(r.headers[0].second) >= 1);
    HttpRequest other;
    other.method = "GET";
    other.target = target;
    other.clientAddress = "192.0.2.99";
    CHECK(f.handler->handle(other).status == 404); // another address has its own budget
}

TEST_CASE("stored envelopes cannot be updated or deleted", "[server][store]") {
    Fixture f;
    REQUIRE(f.post({f.k1.next()}).status == 200);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((f.county.dir / "intake.db").c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    CHECK(sqlite3_exec(db, "UPDATE envelopes SET received_at = 0", nullptr, nullptr, nullptr) !=
          SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM envelopes", nullptr, nullptr, nullptr) != SQLITE_OK);
    sqlite3_close(db);
}

namespace {

/// `e` with its header changed by `edit`, signed again with `kiosk`'s key (what a misbehaving
/// enrolled kiosk can send).
crypto::Envelope resigned(const test::TestKiosk& kiosk, crypto::Envelope e,
                          const std::function<void(crypto::EnvelopeHeader&)>& edit) {
    edit(e.header);
    return crypto::signEnvelope(std::move(e.header), std::move(e.ciphertext), kiosk.key());
}

/// An envelope claiming kiosk k1 but signed by `other` (no key of k1 needed).
std::string forgedBatchForK1(const test::TestKiosk& other, std::uint64_t seq) {
    json j = json::parse(sync::envelopeToJson(other.make(seq, {})));
    j["kiosk"] = "k1";
    j.erase("hash");
    return json{{"v", 1}, {"envelopes", {j}}}.dump();
}

std::uint64_t forkAlarms(IntakeStore& store, const std::string& kiosk) {
    auto a = store.kioskActivity();
    REQUIRE(a.ok());
    auto it = a->find(kiosk);
    return it == a->end() ? 0 : it->second.forks;
}

} // namespace

TEST_CASE("a forger cannot spend a kiosk's POST budget", "[server][handler][limits]") {
    HandlerLimits limits;
    limits.postsPerMinutePerKiosk = 3;
    Fixture f(limits);
    test::TestKiosk k2(f.county, "k2");
    for (std::uint64_t i = 1; i <= 20; ++i) {
        auto r = f.call("POST", "/v1/envelopes", forgedBatchForK1(k2, i));
        REQUIRE(r.status == 200);
        CHECK(results(r)[0]["error"] == "bad-signature");
        crypto::Heartbeat hb = f.k1.heartbeat();
        hb.signature[0] ^= 1;
        CHECK(errorCode(f.call("POST", "/v1/heartbeat", sync::heartbeatToJson(hb).dump())) ==
              "bad-signature");
    }
    // The real k1 still has its whole budget: three signed POSTs pass, the fourth is limited.
    for (int i = 0; i < 3; ++i) {
        auto r = f.post({f.k1.next()});
        REQUIRE(r.status == 200);
        CHECK(results(r)[0]["status"] == "stored");
    }
    CHECK(f.post({f.k1.next()}).status == 429);
}

TEST_CASE("header rules: created far ahead, unknown forms, reused receipt tags",
          "[server][handler][header]") {
    HandlerLimits limits;
    limits.header.forms = {{"complaint", crypto::EnvelopeKind::Complaint},
                           {"survey", crypto::EnvelopeKind::Survey}};
    Fixture f(limits);
    SECTION("created in the year 9999 is refused, within a day ahead is accepted") {
        auto far = resigned(f.k1, f.k1.make(1, {}), [](crypto::EnvelopeHeader& h) {
            h.createdAt = 253402300740; // 9999-12-31 23:59
        });
        auto r = f.post({far});
        CHECK(results(r)[0]["status"] == "rejected");
        CHECK(results(r)[0]["error"] == "bad-created");
        auto near = resigned(f.k1, f.k1.make(1, {}), [&](crypto::EnvelopeHeader& h) {
            h.createdAt = f.clock + kMaxCreatedAheadSeconds - 60;
        });
        CHECK(results(f.post({near}))[0]["status"] == "stored");
        auto old = resigned(f.k1, f.k1.make(2, crypto::envelopeHash(near)),
                            [](crypto::EnvelopeHeader& h) { h.createdAt = 1700000040; });
        CHECK(results(f.post({old}))[0]["status"] == "stored"); // a months-old backlog is fine
    }
    SECTION("a form the county does not have, or of the other kind, is refused") {
        auto unknown = resigned(f.k1, f.k1.make(1, {}),
                                [](crypto::EnvelopeHeader& h) { h.formId = "lottery"; });
        CHECK(results(f.post({unknown}))[0]["error"] == "unknown-form");
        auto wrongKind = resigned(f.k1, f.k1.make(1, {}),
                                  [](crypto::EnvelopeHeader& h) { h.formId = "complaint"; });
        CHECK(results(f.post({wrongKind}))[0]["error"] == "unknown-form");
        CHECK(results(f.post({f.k1.make(1, {})}))[0]["status"] == "stored");
    }
    SECTION("a receipt tag another stored complaint carries is refused") {
        test::TestKiosk k2(f.county, "k2");
        auto first = f.k1.next(crypto::EnvelopeKind::Complaint);
        REQUIRE(results(f.post({first}))[0]["status"] == "stored");
        auto copy =
            resigned(k2, k2.make(1, {}, crypto::EnvelopeKind::Complaint),
                     [&](crypto::EnvelopeHeader& h) { h.receiptTag = first.header.receiptTag; });
        auto r = f.call("POST", "/v1/envelopes", test::batchJson({copy}));
        CHECK(results(r)[0]["error"] == "tag-reused");
        // The first complaint's status is the one served.
        auto st = f.call("GET", "/v1/status/" + crypto::toHex(*first.header.receiptTag));
        CHECK(st.status == 200);
        CHECK(json::parse(st.body)["received_at"] == f.clock);
    }
}

TEST_CASE("a fork sent again adds no second alarm", "[server][handler][header]") {
    Fixture f;
    auto e1 = f.k1.next();
    REQUIRE(results(f.post({e1}))[0]["status"] == "stored");
    auto fork = resigned(f.k1, e1, [](crypto::EnvelopeHeader& h) { h.createdAt += 60; });
    for (int i = 0; i < 5; ++i)
        CHECK(results(f.post({fork}))[0]["error"] == "fork");
    CHECK(forkAlarms(*f.store, "k1") == 1);
    auto fork2 = resigned(f.k1, e1, [](crypto::EnvelopeHeader& h) { h.createdAt += 120; });
    CHECK(results(f.post({fork2}))[0]["error"] == "fork");
    CHECK(forkAlarms(*f.store, "k1") == 2); // another offered envelope is other evidence
}

TEST_CASE("one kiosk's bytes per day are bounded, and the next day it delivers again",
          "[server][handler][header]") {
    IntakeStoreOptions options;
    options.maxKioskBytesPerDay = 6000;
    Fixture f({}, options);
    f.clock = f.clock / 86400 * 86400 + 3600; // early in a UTC day
    test::TestKiosk k2(f.county, "k2");
    std::vector<crypto::Envelope> sent;
    std::size_t stored = 0;
    std::string lastError;
    for (int i = 0; i < 12 && lastError.empty(); ++i) {
        sent.push_back(f.k1.next());
        auto r = results(f.post({sent.back()}));
        if (r[0]["status"] == "stored")
            ++stored;
        else
            lastError = r[0]["error"];
    }
    CHECK(lastError == "over-quota");
    CHECK(stored >= 1);
    CHECK(stored * sync::envelopeToJson(sent.front()).size() <= 6000);
    // Another kiosk is not affected.
    CHECK(results(f.call("POST", "/v1/envelopes", test::batchJson({k2.next()})))[0]["status"] ==
          "stored");
    // Forks past the budget are still answered as forks, without keeping more evidence.
    auto fork = resigned(f.k1, sent.front(), [](crypto::EnvelopeHeader& h) { h.createdAt += 60; });
    CHECK(results(f.post({fork}))[0]["error"] == "fork");
    CHECK(forkAlarms(*f.store, "k1") == 0);
    // The next UTC day the refused envelope is stored.
    f.clock += 86400;
    CHECK(results(f.post({sent.back()}))[0]["status"] == "stored");
}

TEST_CASE("metrics count kiosks without naming them", "[server][handler][metrics]") {
    Fixture f;
    REQUIRE(results(f.post({f.k1.next()}))[0]["status"] == "stored");
    // A handler started later learns the last contacts from the store once, at start.
    IntakeHandler restarted(*f.store, f.registry, f.county.signingPublic, f.token, {}, {},
                            [&f] { return f.clock; });
    for (auto* text : {&restarted}) {
        const std::string m = text->metricsText();
        CHECK(m.find("minsheng_kiosks{state=\"silent\"} 1") != std::string::npos);
    }
    f.clock += kSilentAfterSeconds + 60;
    CHECK(restarted.metricsText().find("minsheng_kiosks{state=\"silent\"} 2") != std::string::npos);
    f.clock -= kSilentAfterSeconds + 60;
    auto r = f.call("GET", "/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("minsheng_kiosks{state=\"enrolled\"} 2") != std::string::npos);
    CHECK(r.body.find("minsheng_kiosks{state=\"silent\"} 1") != std::string::npos); // k2
    CHECK(r.body.find("minsheng_envelopes_stored_total 1") != std::string::npos);
    CHECK(r.body.find("k1") == std::string::npos);
    CHECK(r.body.find("k2") == std::string::npos);
}

TEST_CASE("configuration bundles: stored only when the county signed them, served per kiosk",
          "[server][handler][config]") {
    Fixture f;
    auto bundle = [&](std::uint64_t version, std::vector<std::string> targets,
                      const crypto::Ed25519SecretKey& key) {
        crypto::ConfigBundle b;
        b.configVersion = version;
        b.targets = std::move(targets);
        b.notBefore = f.clock;
        b.files = {
            {"contact.toml", "[contact]\nhotline = \"0571-" + std::to_string(version) + "\"\n"}};
        return sync::configBundleToJson(crypto::signConfigBundle(b, key)).dump();
    };
    auto put = [&](const std::string& body, std::string auth) {
        return f.call("PUT", "/v1/staff/config", body, "application/json", std::move(auth));
    };
    auto served = [&](const std::string& kiosk) -> std::optional<std::uint64_t> {
        auto r = f.call("GET", "/v1/config/" + kiosk);
        if (r.status != 200)
            return std::nullopt;
        auto b = sync::configBundleFromText(r.body);
        REQUIRE(b.ok());
        REQUIRE(crypto::verifyConfigBundle(*b, f.county.signingPublic).ok());
        return b->configVersion;
    };

    CHECK(f.call("GET", "/v1/config/k1").status == 404);
    CHECK(f.call("GET", "/v1/config/nobody").status == 403);
    const std::string v1 = bundle(1, {}, f.signingKey);
    CHECK(put(v1, {}).status == 401);
    // Another county's key: the server cannot be made to serve a bundle it did not get signed.
    const auto other = crypto::Ed25519KeyPair::generate();
    CHECK(errorCode(put(bundle(1, {}, other.secretKey), f.bearer())) == "malformed");
    auto tampered = json::parse(v1);
    tampered["files"]["contact.toml"] = "[contact]\nhotline = \"0000\"\n";
    CHECK(errorCode(put(tampered.dump(), f.bearer())) == "bad-signature");
    CHECK(put(v1, f.bearer()).status == 200);
    CHECK(put(v1, f.bearer()).status == 200); // the same again
    CHECK(f.call("PUT", "/v1/staff/config", bundle(1, {"k2"}, f.signingKey), "application/json",
                 f.bearer())
              .status == 409);
    CHECK(served("k1") == 1u);
    CHECK(served("k2") == 1u);
    // Version 2 only for k2: k1 keeps being served version 1.
    REQUIRE(put(bundle(2, {"k2"}, f.signingKey), f.bearer()).status == 200);
    CHECK(served("k1") == 1u);
    CHECK(served("k2") == 2u);
    // The body limit of this endpoint is its own.
    CHECK(bodyLimitFor("PUT", "/v1/staff/config") == sync::kMaxConfigBundleBody);
    CHECK(bodyLimitFor("PUT", "/v1/staff/status/x") == kMaxOtherBody);
}
