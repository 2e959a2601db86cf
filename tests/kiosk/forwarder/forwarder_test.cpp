// minsheng_forwarder without the real county server: backoff, the status socket's request
// handling, and the forwarder's acknowledgement checks against a scripted HTTPS county (the
// only way to make a county answer wrongly on purpose). End-to-end runs against the real
// `minsheng-county serve` are in forwarder_e2e_test.cpp.
#include <catch2/catch.hpp>

#include "crypto/signed_messages.hpp"
#include "kiosk/forwarder/backoff.hpp"
#include "kiosk/forwarder/forwarder.hpp"
#include "kiosk/forwarder/status_server.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/http_bodies.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/kiosk/outbox/outbox_test_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/sync/net/test_tls_server.hpp"

#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <set>

using namespace minsheng;
using namespace minsheng::sync;
using namespace minsheng::forwarder;
using namespace minsheng::outbox;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// ---- a scripted county -------------------------------------------------------------------

enum class CountyMode { Good, BadSignature, WrongHash, WrongKiosk, Reject, Fork, Busy, Limit };

struct ScriptedCounty {
    test::TempDir dir{"minsheng-fwd"};
    test::TestCerts certs = test::makeTestCerts(dir.path(), "county", "127.0.0.1");
    crypto::Ed25519KeyPair signing = crypto::Ed25519KeyPair::generate();
    crypto::Ed25519KeyPair impostor = crypto::Ed25519KeyPair::generate();
    std::mutex mutex;
    CountyMode mode = CountyMode::Good;
    std::set<std::uint64_t> stored;
    int posts = 0;
    int heartbeats = 0;
    std::vector<std::size_t> bodySizes;     // of every POST, as it came over the wire
    std::vector<crypto::Envelope> received; // every envelope offered, in order
    // The connection-drop scenario: the first two envelope POSTs are held until both have
    // arrived (two batches in flight), both are stored, and the answer of the first, the second
    // or both is lost with its connection (bit 1: the first, bit 2: the second).
    int dropAnswersOf = 0;
    std::condition_variable secondPostArrived;
    std::set<std::uint64_t> answered; // sequences whose acknowledgement went out
    int offeredAgainAfterAnswer = 0;  // offers of an envelope already acknowledged to the kiosk
    std::unique_ptr<test::TestTlsServer> server;

    ScriptedCounty() {
        server = std::make_unique<test::TestTlsServer>(
            certs, [this](const test::TestRequest& req) { return handle(req); });
    }

    void setMode(CountyMode m) {
        std::lock_guard l(mutex);
        mode = m;
    }

    test::TestResponse handle(const test::TestRequest& req) {
        std::unique_lock l(mutex);
        bodySizes.push_back(req.body().size());
        if (req.target() == "/v1/heartbeat") {
            // The county's own parser: padding checked and removed, then the JSON.
            auto hb = heartbeatRequestFromJson(req.body());
            REQUIRE(hb);
            REQUIRE(crypto::verifyHeartbeat(*hb, test::testKioskKey().publicKey));
            ++heartbeats;
            return test::jsonResponse(200, R"({"v":1,"server_time":1})", req);
        }
        if (req.target().starts_with("/v1/status/")) {
            crypto::CaseStatusRecord rec;
            auto tag = crypto::fromHex(std::string(req.target().substr(11)));
            std::copy(tag->begin(), tag->end(), rec.receiptTag.begin());
            rec.status = crypto::CaseStatus::Accepted;
            rec.receivedAt = 1700000000;
            rec.updatedAt = 1700000600;
            rec.reply = "已受理";
            rec = crypto::signCaseStatus(rec, mode == CountyMode::BadSignature ? impostor.secretKey
                                                                               : signing.secretKey);
            return test::jsonResponse(200, caseStatusToJson(rec).dump(), req);
        }
        const int post = ++posts;
        if (post == 2)
            secondPostArrived.notify_all();
        // Whichever of the first two POSTs arrives first (they race on two connections) waits
        // for the other, so both batches are in flight before either is answered.
        if (post == 1 && dropAnswersOf != 0)
            REQUIRE(secondPostArrived.wait_for(l, 10s, [this] { return posts >= 2; }));
        if (mode == CountyMode::Busy)
            return test::jsonResponse(503, R"({"error":"internal","message":"busy"})", req);
        if (mode == CountyMode::Limit) {
            auto res = test::jsonResponse(429, R"({"error":"rate-limited","message":"x"})", req);
            res.set("Retry-After", "1");
            return res;
        }
        auto batch = envelopeBatchRequestFromJson(req.body());
        REQUIRE(batch);
        // The first batch starts at #1, the second at #65; each answer is lost at most once.
        int batchBit = 0;
        if (!batch->envelopes.empty() && batch->envelopes.front().envelope) {
            const auto first = batch->envelopes.front().envelope->header.sequence;
            batchBit = first == 1 ? 1 : first == 65 ? 2 : 0;
        }
        const bool dropThisAnswer = post <= 2 && (dropAnswersOf & batchBit) != 0;
        json results = json::array();
        for (auto& member : batch->envelopes) {
            auto& env = member.envelope;
            REQUIRE(env);
            received.push_back(*env);
            const auto seq = env->header.sequence;
            if (answered.count(seq) != 0)
                ++offeredAgainAfterAnswer;
            if (mode == CountyMode::Reject || mode == CountyMode::Fork) {
                results.push_back({{"seq", seq},
                                   {"status", "rejected"},
                                   {"error", mode == CountyMode::Fork ? "fork" : "bad-signature"},
                                   {"message", "no"}});
                continue;
            }
            crypto::Acknowledgement ack;
            ack.kioskId = mode == CountyMode::WrongKiosk ? "someone-else" : env->header.kioskId;
            ack.sequence = seq;
            ack.envelopeHash = crypto::envelopeHash(*env);
            if (mode == CountyMode::WrongHash)
                ack.envelopeHash[0] ^= 1;
            ack.receivedAt = 1700000000 + static_cast<std::int64_t>(seq);
            ack = crypto::signAcknowledgement(
                ack, mode == CountyMode::BadSignature ? impostor.secretKey : signing.secretKey);
            const bool dup = !stored.insert(seq).second;
            results.push_back({{"seq", seq},
                               {"status", dup ? "duplicate" : "stored"},
                               {"ack", acknowledgementToJson(ack)}});
        }
        if (dropThisAnswer)
            throw test::DropConnection{};
        for (const auto& r : results)
            if (r.contains("ack"))
                answered.insert(r["seq"].get<std::uint64_t>());
        return test::jsonResponse(mode == CountyMode::Fork ? 409 : 200,
                                  json{{"v", 1}, {"results", results}}.dump(), req);
    }
};

struct Kiosk {
    test::TempDir dir{"minsheng-fwd-kiosk"};
    crypto::SecretBytes storeKey = test::randomStoreKey();
    fs::path file = dir / "outbox.db";
    crypto::Ed25519KeyPair key = test::testKioskKey();

    Kiosk() { create(); }
    /// A kiosk upgraded from the previous release: its outbox.db holds `count` version-1
    /// envelopes, the first `acknowledged` of them acknowledged, and is migrated on open.
    Kiosk(std::size_t count, std::size_t acknowledged) {
        version1 = test::makeVersion1Outbox(file, storeKey, key.secretKey, count, acknowledged);
        create();
    }
    std::vector<crypto::Envelope> version1;

    void create() {
        auto box = Outbox::open(file, storeKey, test::kTestKioskId, OpenMode::CreateIfMissing);
        REQUIRE(box);
        REQUIRE(box->close());
    }
    void append(int n) {
        auto box = open();
        for (int i = 0; i < n; ++i) {
            auto r = box.append(test::makeDraft(1200), key.secretKey);
            if (!r)
                FAIL(r.error().message);
        }
        REQUIRE(box.close());
    }
    Outbox open() {
        auto box = Outbox::open(file, storeKey, test::kTestKioskId, OpenMode::MustExist);
        REQUIRE(box);
        return std::move(box.value());
    }
    OutboxOpener opener() {
        return [this]() -> Result<Outbox, OutboxOpenError> {
            auto box = Outbox::open(file, storeKey, test::kTestKioskId, OpenMode::MustExist);
            if (!box)
                return fail(OutboxOpenError{false, box.error().message});
            return std::move(box.value());
        };
    }
    OutboxStats stats() {
        auto box = open();
        auto st = box.stats();
        REQUIRE(st);
        return *st;
    }
};

ForwarderSettings settingsFor(ScriptedCounty& county, Kiosk& kiosk) {
    ForwarderSettings s;
    s.kioskId = test::kTestKioskId;
    s.endpoint =
        HttpsEndpoint{"127.0.0.1", std::to_string(county.server->port()), county.certs.caPem};
    s.countySigningKey = county.signing.publicKey;
    s.dataDir = kiosk.dir.path();
    s.retryBase = 1ms;
    s.retryCap = 5ms;
    s.seed = 42;
    return s;
}

std::shared_ptr<crypto::Ed25519SecretKey> secretOf(const crypto::Ed25519KeyPair& kp) {
    return std::make_shared<crypto::Ed25519SecretKey>(kp.secretKey.bytes().copy());
}

struct Logs {
    std::mutex mutex;
    std::vector<std::string> lines;
    LogSink sink() {
        return [this](const std::string& l) {
            std::lock_guard g(mutex);
            lines.push_back(l);
        };
    }
    std::string all() {
        std::lock_guard g(mutex);
        std::string s;
        for (auto& l : lines)
            s += l + "\n";
        return s;
    }
};

/// Every envelope the outbox still holds, each checked to carry an acknowledgement that verifies
/// with the county's key.
std::vector<StoredEnvelope> envelopesAcknowledgedBy(const ScriptedCounty& county, Kiosk& kiosk) {
    auto box = kiosk.open();
    auto all = box.allEnvelopes();
    REQUIRE(all);
    for (const auto& e : *all) {
        REQUIRE(e.acknowledgement);
        auto ack = acknowledgementFromJson(json::parse(
            std::string(e.acknowledgement->bytes.begin(), e.acknowledgement->bytes.end())));
        REQUIRE(ack);
        CHECK(crypto::verifyAcknowledgement(*ack, county.signing.publicKey));
    }
    return std::move(*all);
}

} // namespace

TEST_CASE("full-jitter backoff doubles up to the cap and never exceeds it",
          "[forwarder][backoff]") {
    Backoff b(1000ms, 600000ms, 7);
    CHECK(b.ceiling() == 1000ms);
    for (int i = 0; i < 40; ++i) {
        const auto top = b.ceiling();
        const auto d = b.next();
        CHECK(d >= 0ms);
        CHECK(d <= top);
        CHECK(top <= 600000ms);
    }
    CHECK(b.ceiling() == 600000ms);
    for (int i = 0; i < 20; ++i) {
        const auto h = b.health();
        CHECK(h >= 300000ms);
        CHECK(h <= 600000ms);
    }
    b.reset();
    CHECK(b.ceiling() == 1000ms);
    // The window really is spread: 200 draws from [0, 8 s] are not all alike.
    Backoff c(1000ms, 8000ms, 9);
    for (int i = 0; i < 3; ++i)
        (void)c.next();
    std::set<long> seen;
    for (int i = 0; i < 200; ++i) {
        Backoff d(1000ms, 8000ms, static_cast<std::uint64_t>(i + 1));
        for (int k = 0; k < 3; ++k)
            (void)d.next();
        seen.insert(static_cast<long>(d.next().count() / 1000));
    }
    CHECK(seen.size() >= 5);
}

TEST_CASE("the forwarder delivers in order and records only verified acknowledgements",
          "[forwarder][acks]") {
    ScriptedCounty county;
    Kiosk kiosk;
    kiosk.append(150);
    auto state = std::make_shared<SyncState>();
    Logs logs;
    auto s = settingsFor(county, kiosk);
    s.maxBatchEnvelopes = 64;
    Forwarder fwd(s, kiosk.opener(), secretOf(kiosk.key), state, logs.sink());
    auto r = fwd.drain();
    INFO(logs.all());
    REQUIRE(r.failure == FailureKind::None);
    CHECK(r.acknowledged == 150);
    CHECK(r.posts == 3); // 64 + 64 + 22
    CHECK(r.pending == 0);
    auto st = kiosk.stats();
    CHECK(st.pendingCount == 0);
    CHECK(st.lastAcknowledgedSequence == 150u);
    // Stored acks are the county's, verifiable later.
    const auto all = envelopesAcknowledgedBy(county, kiosk);
    CHECK(state->health().online);
    CHECK_FALSE(state->health().lastError);
    // Nothing in the log names a receipt tag or content: only sequence numbers and counts.
    for (const auto& e : all)
        CHECK(logs.all().find(crypto::toHex(*e.envelope.header.receiptTag)) == std::string::npos);
}

TEST_CASE("batches are filled to a byte size, within the protocol's count",
          "[forwarder][pipeline]") {
    ScriptedCounty county;
    Kiosk kiosk;
    kiosk.append(150); // ~2 KiB of JSON each: 64 of them would be over 128 KiB
    auto state = std::make_shared<SyncState>();
    Logs logs;
    auto s = settingsFor(county, kiosk);
    s.maxBatchBytes = 64 * 1024;
    Forwarder fwd(s, kiosk.opener(), secretOf(kiosk.key), state, logs.sink());
    auto r = fwd.drain();
    INFO(logs.all());
    REQUIRE(r.failure == FailureKind::None);
    CHECK(r.acknowledged == 150);
    CHECK(r.posts > 3);
    std::lock_guard l(county.mutex);
    CHECK(county.received.size() == 150);
    for (const std::size_t bytes : county.bodySizes)
        CHECK(bytes <= s.maxBatchBytes);
}

TEST_CASE("a connection drop with two batches in flight: every envelope arrives and is "
          "acknowledged exactly once",
          "[forwarder][pipeline]") {
    // Which answers the county loses: the first batch's, the second's, or both.
    const int dropAnswersOf = GENERATE(1, 2, 3);
    ScriptedCounty county;
    county.dropAnswersOf = dropAnswersOf;
    Kiosk kiosk;
    kiosk.append(150); // batches of 64, 64 and 22
    auto state = std::make_shared<SyncState>();
    Logs logs;
    auto s = settingsFor(county, kiosk);
    s.maxBatchEnvelopes = 64;
    s.retentionSeconds = std::int64_t{100} * 365 * 86400; // keep the acknowledged to look at
    Forwarder fwd(s, kiosk.opener(), secretOf(kiosk.key), state, logs.sink());
    auto r = fwd.drain();
    INFO(logs.all());
    CHECK(r.failure == FailureKind::Transient);
    CHECK(r.failedPosts == (dropAnswersOf == 3 ? 2u : 1u));
    // The answers that did come back were verified and stored, whichever batch they were for.
    // When the first batch fails, nothing more is sent; when only the second does, the third
    // went out while the second was still in flight, and its answer counts too.
    CHECK(r.posts == (dropAnswersOf == 2 ? 3u : 2u));
    CHECK(r.acknowledged == (dropAnswersOf == 3 ? 0u : dropAnswersOf == 2 ? 64u + 22u : 64u));
    CHECK(kiosk.stats().pendingCount == 150 - r.acknowledged);

    CHECK(fwd.runOnce(60s) == 0);
    CHECK(kiosk.stats().pendingCount == 0);
    std::lock_guard l(county.mutex);
    CHECK(county.stored.size() == 150);
    // An envelope whose acknowledgement reached the kiosk is never offered again; one whose
    // answer was lost is offered again and answered "duplicate" with its acknowledgement.
    CHECK(county.offeredAgainAfterAnswer == 0);
    CHECK(county.received.size() ==
          150 + (dropAnswersOf & 1 ? 64u : 0u) + (dropAnswersOf & 2 ? 64u : 0u));
    CHECK(envelopesAcknowledgedBy(county, kiosk).size() == 150);
}

TEST_CASE("acknowledgements that do not verify are never recorded", "[forwarder][acks]") {
    auto mode = GENERATE(CountyMode::BadSignature, CountyMode::WrongHash, CountyMode::WrongKiosk,
                         CountyMode::Reject, CountyMode::Fork);
    ScriptedCounty county;
    county.setMode(mode);
    Kiosk kiosk;
    kiosk.append(5);
    auto state = std::make_shared<SyncState>();
    Logs logs;
    Forwarder fwd(settingsFor(county, kiosk), kiosk.opener(), secretOf(kiosk.key), state,
                  logs.sink());
    auto r = fwd.drain();
    CHECK(r.failure == FailureKind::Health);
    CHECK(r.acknowledged == 0);
    CHECK(kiosk.stats().pendingCount == 5);
    CHECK(state->health().lastError);
    CHECK_FALSE(state->health().online);
    // --once reports it as a health error at once, without retrying.
    const int postsBefore = county.posts;
    CHECK(fwd.runOnce(60s) == Forwarder::kExitHealth);
    CHECK(county.posts == postsBefore + 1);
    CHECK(kiosk.stats().pendingCount == 5);

    // Once the county answers properly, everything goes through.
    county.setMode(CountyMode::Good);
    CHECK(fwd.runOnce(60s) == 0);
    CHECK(kiosk.stats().pendingCount == 0);
}

TEST_CASE("5xx and 429 are retried, --once gives up after its deadline", "[forwarder][retry]") {
    ScriptedCounty county;
    Kiosk kiosk;
    kiosk.append(3);
    auto state = std::make_shared<SyncState>();
    Logs logs;
    county.setMode(CountyMode::Busy);
    auto s = settingsFor(county, kiosk);
    Forwarder fwd(s, kiosk.opener(), secretOf(kiosk.key), state, logs.sink());
    auto r = fwd.drain();
    CHECK(r.failure == FailureKind::Transient);
    CHECK(fwd.runOnce(50ms) == Forwarder::kExitUnreachable);
    CHECK(county.posts >= 2);
    CHECK(kiosk.stats().pendingCount == 3);

    county.setMode(CountyMode::Limit);
    r = fwd.drain();
    CHECK(r.failure == FailureKind::RateLimited);
    REQUIRE(r.retryAfter);
    CHECK(*r.retryAfter == 1000ms);

    county.setMode(CountyMode::Good);
    CHECK(fwd.runOnce(5s) == 0);
    CHECK(kiosk.stats().pendingCount == 0);
    CHECK(county.heartbeats >= 1);
}

TEST_CASE("a county that does not answer: the message says where to look, nothing is lost",
          "[forwarder][retry]") {
    ScriptedCounty county;
    Kiosk kiosk;
    kiosk.append(2);
    auto s = settingsFor(county, kiosk); // the port of a server that is then stopped
    county.server.reset();
    auto state = std::make_shared<SyncState>();
    Logs logs;
    Forwarder fwd(s, kiosk.opener(), secretOf(kiosk.key), state, logs.sink());
    const auto r = fwd.drain();
    CHECK(r.failure == FailureKind::Transient);
    INFO(r.message);
    CHECK_THAT(r.message, Catch::Contains("127.0.0.1:" + s.endpoint.port));
    CHECK_THAT(r.message, Catch::Contains("minsheng-county serve"));
    CHECK_THAT(r.message, Catch::Contains("[county] url"));
    CHECK(kiosk.stats().pendingCount == 2);
}

TEST_CASE("a county that cannot be verified is a health error", "[forwarder][tls]") {
    ScriptedCounty county;
    Kiosk kiosk;
    kiosk.append(2);
    auto other = test::makeTestCerts(kiosk.dir.path(), "other", "127.0.0.1");
    auto s = settingsFor(county, kiosk);
    s.endpoint.caFile = other.caPem; // pinned to another CA
    auto state = std::make_shared<SyncState>();
    Logs logs;
    Forwarder fwd(s, kiosk.opener(), secretOf(kiosk.key), state, logs.sink());
    CHECK(fwd.runOnce(60s) == Forwarder::kExitHealth);
    CHECK(county.posts == 0);
    CHECK(county.server->requests() == 0);
    REQUIRE(state->health().lastError);
    CHECK_THAT(*state->health().lastError, Catch::Contains("not trusted"));
    CHECK(kiosk.stats().pendingCount == 2);
}

TEST_CASE("status socket requests: health, sync-now, bad input", "[forwarder][socket]") {
    SyncState state;
    state.update([](HealthSnapshot& h) {
        h.queue = 7;
        h.lastSync = 1700000000;
        h.lastError = "county unreachable";
    });
    int lookups = 0, syncs = 0;
    auto lookup = [&](const std::string&) {
        ++lookups;
        return std::string(R"({"ok":false,"error":"offline","message":"x"})");
    };
    auto syncNow = [&] {
        ++syncs;
    };
    auto health = json::parse(answerRequestLine(R"({"op":"health"})", state, lookup, syncNow));
    CHECK(health["ok"] == true);
    CHECK(health["queue"] == 7);
    CHECK(health["last_sync"] == 1700000000);
    CHECK(health["last_ack"].is_null());
    CHECK(health["last_error"] == "county unreachable");
    CHECK(health["online"] == false);

    CHECK(json::parse(answerRequestLine(R"({"op":"sync-now"})", state, lookup, syncNow))["ok"] ==
          true);
    CHECK(syncs == 1);

    const std::string tag(64, 'a');
    CHECK(json::parse(answerRequestLine(R"({"op":"status","tag":")" + tag + "\"}", state, lookup,
                                        syncNow))["error"] == "offline");
    CHECK(lookups == 1);
    for (const char* bad :
         {"", "{", "[]", R"({"op":1})", R"({"op":"status"})", R"({"op":"status","tag":"ABC"})",
          R"({"op":"drop-tables"})", R"({"op":"health","op":"health"})"}) {
        INFO(bad);
        auto a = json::parse(answerRequestLine(bad, state, lookup, syncNow));
        CHECK(a["ok"] == false);
        CHECK(a["error"] == "unavailable");
    }
    CHECK(lookups == 1);
}

namespace {

std::string socketExchange(const fs::path& socket, const std::string& line) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, socket.c_str());
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string out = line + "\n";
    REQUIRE(::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size()));
    std::string in;
    char c;
    while (::recv(fd, &c, 1, 0) == 1 && c != '\n')
        in += c;
    ::close(fd);
    return in;
}

} // namespace

TEST_CASE("the status socket is 0600 and verifies case statuses", "[forwarder][socket]") {
    ScriptedCounty county;
    test::TempDir dir{"minsheng-sock"};
    auto state = std::make_shared<SyncState>();
    Logs logs;
    StatusServerSettings ss;
    ss.socketPath = dir / "forwarder.sock";
    ss.endpoint =
        HttpsEndpoint{"127.0.0.1", std::to_string(county.server->port()), county.certs.caPem};
    ss.countySigningKey = county.signing.publicKey;
    auto server = StatusServer::start(ss, state, logs.sink());
    REQUIRE(server);
    struct stat st {};
    REQUIRE(::lstat(ss.socketPath.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);

    // A second forwarder for the same kiosk is refused while the first answers.
    CHECK_FALSE(StatusServer::start(ss, state, logs.sink()));

    const std::string tag = crypto::toHex(crypto::blake2b256(crypto::asBytes("receipt")));
    auto a = json::parse(socketExchange(ss.socketPath, R"({"op":"status","tag":")" + tag + "\"}"));
    CHECK(a["ok"] == true);
    CHECK(a["status"] == "accepted");
    CHECK(a["reply"] == "已受理");
    CHECK(a["verified"] == true);

    county.setMode(CountyMode::BadSignature);
    a = json::parse(socketExchange(ss.socketPath, R"({"op":"status","tag":")" + tag + "\"}"));
    CHECK(a["ok"] == false);
    CHECK(a["error"] == "unavailable");

    // The county gone: offline, quickly.
    county.server.reset();
    a = json::parse(socketExchange(ss.socketPath, R"({"op":"status","tag":")" + tag + "\"}"));
    CHECK(a["ok"] == false);
    CHECK(a["error"] == "offline");
    CHECK(logs.all().find(tag) == std::string::npos);
    server.value().reset();
    CHECK_FALSE(fs::exists(ss.socketPath));
}

TEST_CASE("an outbox of the previous release is migrated and forwarded: no queued envelope is "
          "lost, and the chain goes on in version 2",
          "[forwarder][migration]") {
    ScriptedCounty county;
    Kiosk kiosk(5, 2); // five version-1 envelopes queued, the first two acknowledged
    kiosk.append(2);   // after the upgrade: version 2
    auto state = std::make_shared<SyncState>();
    Logs logs;
    Forwarder fwd(settingsFor(county, kiosk), kiosk.opener(), secretOf(kiosk.key), state,
                  logs.sink());
    auto r = fwd.drain();
    INFO(logs.all());
    REQUIRE(r.failure == FailureKind::None);
    CHECK(r.acknowledged == 5);
    CHECK(kiosk.stats().pendingCount == 0);

    // The county got envelopes 3 to 5 exactly as the old kiosk signed them, then 6 and 7.
    std::lock_guard l(county.mutex);
    REQUIRE(county.received.size() == 5);
    crypto::ChainVerifier chain(2, crypto::envelopeHash(kiosk.version1[1]));
    for (std::size_t i = 0; i < county.received.size(); ++i) {
        const auto& e = county.received[i];
        INFO("envelope " << e.header.sequence);
        CHECK(e.header.sequence == i + 3);
        CHECK(crypto::verifyEnvelope(e, kiosk.key.publicKey).ok());
        CHECK(chain.accept(e).ok());
        if (i < 3) {
            CHECK(e.header.version == crypto::kEnvelopeVersion1);
            CHECK(crypto::envelopeHash(e) == crypto::envelopeHash(kiosk.version1[i + 2]));
        } else {
            CHECK(e.header.version == crypto::kEnvelopeVersion);
        }
    }
}

TEST_CASE("the forwarder pads every upload and heartbeat body", "[forwarder][padding]") {
    ScriptedCounty county;
    Kiosk kiosk;
    kiosk.append(1);
    auto state = std::make_shared<SyncState>();
    Logs logs;
    Forwarder fwd(settingsFor(county, kiosk), kiosk.opener(), secretOf(kiosk.key), state,
                  logs.sink());
    REQUIRE(fwd.drain().failure == FailureKind::None);
    REQUIRE(fwd.sendHeartbeat().failure == FailureKind::None);
    std::lock_guard l(county.mutex);
    REQUIRE(county.posts == 1);
    REQUIRE(county.heartbeats == 1);
    // One envelope and one heartbeat: two bodies of the same size, the smallest bucket.
    REQUIRE(county.bodySizes.size() == 2);
    CHECK(county.bodySizes[0] == county.bodySizes[1]);
    CHECK(county.bodySizes[0] == kMinRequestPadBucket);
}
