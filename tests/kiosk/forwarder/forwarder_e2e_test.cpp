// The forwarder end to end, with the real programs only: `minsheng-county init/provision/serve`,
// `minsheng-kiosk submit/outbox/sync`, on 127.0.0.1. A killed server and the fault proxy stand
// in for a bad network (docs/forwarder.md, "What the tests show").
//
//   MINSHENG_FAULT_ENVELOPES   envelopes sent one per POST through the lossy proxy (default
//                              1100: at the proxy's ~50 % loss that is ~2,200-2,400 POSTs)
//   MINSHENG_KILL_ROUNDS       server kills during the backlog drain (default 20)
#include <catch2/catch.hpp>

#include "kiosk/forwarder/forwarder.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/support/e2e_support.hpp"
#include "tests/support/fault_proxy.hpp"
#include "tests/support/run_process.hpp"

#include <csignal>
#include <map>
#include <random>
#include <regex>
#include <thread>

using namespace minsheng;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> syncArgs(const test::E2eSite& site, std::vector<std::string> extra) {
    std::vector<std::string> a{"sync", "--config", site.config.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

/// Runs `sync` as a child with its logs in the site folder.
std::unique_ptr<test::Child> startSync(test::E2eSite& site, std::vector<std::string> extra,
                                       const std::string& name) {
    return std::make_unique<test::Child>(test::binary("minsheng-kiosk"),
                                         syncArgs(site, std::move(extra)),
                                         site.tmp / (name + ".out"), site.tmp / (name + ".err"));
}

/// Waits (bounded: a failure, never a measurement) until `pred` holds.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 120s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred())
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return pred();
}

/// Every sequence 1..n held by the server exactly once, with the ack the kiosk stored.
void checkDeliveredExactlyOnce(test::E2eSite& site, std::uint16_t port, std::uint64_t n) {
    const auto items = site.serverEnvelopes(port);
    std::map<std::uint64_t, int> count;
    std::map<std::uint64_t, json> serverAck;
    for (const auto& item : items) {
        REQUIRE(item["envelope"]["kiosk"] == site.kioskId);
        const auto seq = item["envelope"]["seq"].get<std::uint64_t>();
        ++count[seq];
        serverAck[seq] = item["ack"];
    }
    REQUIRE(items.size() == n); // nothing duplicated, nothing lost
    for (std::uint64_t s = 1; s <= n; ++s) {
        INFO("sequence " << s);
        REQUIRE(count[s] == 1);
    }
    // The kiosk acknowledged each one with the server's own (first) acknowledgement.
    const auto held = site.allEnvelopes();
    REQUIRE(held.size() == n);
    for (const auto& e : held) {
        INFO("sequence " << e.envelope.header.sequence);
        REQUIRE(e.acknowledgement);
        const json ack = json::parse(
            std::string(e.acknowledgement->bytes.begin(), e.acknowledgement->bytes.end()));
        REQUIRE(ack == serverAck[e.envelope.header.sequence]);
    }
    REQUIRE(site.outboxStats().pendingCount == 0);
}

/// "done: A envelope(s) acknowledged in P batch POST(s), F failed"
std::pair<std::uint64_t, std::uint64_t> postsOf(const std::string& log) {
    static const std::regex done(R"(in (\d+) batch POST\(s\), (\d+) failed)");
    std::smatch m;
    if (!std::regex_search(log, m, done))
        return {0, 0};
    return {std::stoull(m[1]), std::stoull(m[2])};
}

} // namespace

TEST_CASE("submit, then sync --once: the county holds every envelope and the outbox is empty",
          "[forwarder][e2e]") {
    test::E2eSite site;
    test::CountyServer server(site.county, site.tmp.path());
    site.pointKioskAt(server.start());

    // Three submissions through the kiosk's command line.
    auto ex =
        test::runProcess(test::binary("minsheng-kiosk"),
                         {"forms", "--config", site.config.string(), "--example", "complaint"});
    REQUIRE(ex.exitCode == 0);
    for (int i = 0; i < 3; ++i) {
        auto r = test::runProcess(test::binary("minsheng-kiosk"),
                                  {"submit", "--config", site.config.string(), "--form",
                                   "complaint", "--answers", "-", "--json"},
                                  ex.out);
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
    }
    auto r = test::runProcess(test::binary("minsheng-kiosk"), syncArgs(site, {"--once"}));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.err, Catch::Contains("3 envelope(s) acknowledged"));
    auto stats = test::runProcess(test::binary("minsheng-kiosk"),
                                  {"outbox", "--config", site.config.string(), "--json"});
    REQUIRE(stats.exitCode == 0);
    CHECK(json::parse(stats.out)["pending"] == 0);
    checkDeliveredExactlyOnce(site, server.port(), 3);

    // Nothing leaks into the log: no receipt tag, no ciphertext.
    for (const auto& e : site.allEnvelopes()) {
        CHECK(r.err.find(crypto::toHex(*e.envelope.header.receiptTag)) == std::string::npos);
        CHECK(r.err.find(crypto::toBase64(e.envelope.ciphertext).substr(0, 40)) ==
              std::string::npos);
    }

    // Again: nothing pending, nothing sent twice.
    r = test::runProcess(test::binary("minsheng-kiosk"), syncArgs(site, {"--once"}));
    REQUIRE(r.exitCode == 0);
    checkDeliveredExactlyOnce(site, server.port(), 3);
}

TEST_CASE("the server killed and restarted again and again during a backlog drain",
          "[forwarder][e2e][kill]") {
    const int rounds = std::max(20, test::envInt("MINSHENG_KILL_ROUNDS", 20));
    test::E2eSite site;
    test::CountyServer server(site.county, site.tmp.path());
    site.pointKioskAt(server.start());
    auto fwd = startSync(site,
                         {"--batch-size", "4", "--retry-base-ms", "5", "--retry-cap-ms", "200",
                          "--poll-ms", "20", "--seed", "11"},
                         "sync-kill");
    std::mt19937 rng(1234);
    std::uint64_t submitted = 0;
    int killsWithBacklog = 0, rounds_ = 0;
    server.kill();
    // Each round: a backlog builds up while the server is down, the server comes back, the
    // drain gets under way (at least one more acknowledgement while envelopes are still
    // pending) and the server dies again like a power cut. Rounds in which the drain finished
    // before the kill do not count; at most 5 * rounds rounds.
    while (killsWithBacklog < rounds && rounds_ < 5 * rounds) {
        ++rounds_;
        site.submitMany(40);
        submitted += 40;
        const auto before = site.outboxStats().lastAcknowledgedSequence.value_or(0);
        server.start(); // same port
        bool underWay = false;
        REQUIRE(eventually([&] {
            const auto st = site.outboxStats();
            if (st.lastAcknowledgedSequence.value_or(0) <= before)
                return false;
            underWay = st.pendingCount > 0;
            return true;
        }));
        if (underWay && rng() % 2 == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 5));
        server.kill();
        if (underWay)
            ++killsWithBacklog;
        REQUIRE(fwd->running());
    }
    server.start();
    INFO(fwd->err());
    REQUIRE(eventually([&] { return site.outboxStats().pendingCount == 0; }));
    CHECK(killsWithBacklog == rounds);
    CHECK(server.starts() == rounds_ + 2);
    WARN(rounds_ << " rounds, " << killsWithBacklog << " kills during a backlog drain, "
                 << submitted << " envelopes");
    fwd->signal(SIGTERM);
    REQUIRE(fwd->wait(60s) == 0);
    checkDeliveredExactlyOnce(site, server.port(), submitted);
}

TEST_CASE("through a proxy that breaks half the exchanges: 0 lost, 0 duplicated",
          "[forwarder][e2e][faults]") {
    const int envelopes = test::envInt("MINSHENG_FAULT_ENVELOPES", 1100);
    test::E2eSite site;
    test::CountyServer server(site.county, site.tmp.path());
    const auto port = server.start();
    test::FaultRates rates;
    rates.drop = 0.06;
    rates.reset = 0.06;
    rates.truncate = 0.06;
    rates.flip = 0.02;
    rates.delay = 0.05;
    rates.maxDelay = 20ms;
    test::FaultProxy proxy(port, rates, 20260101);
    site.pointKioskAt(proxy.port());
    site.submitMany(envelopes);

    auto fwd = startSync(site,
                         {"--once", "--batch-size", "1", "--retry-base-ms", "1", "--retry-cap-ms",
                          "20", "--give-up-after", "600", "--seed", "5"},
                         "sync-faults");
    const auto rc = fwd->wait(900s);
    const std::string log = fwd->err();
    INFO(log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
    REQUIRE(rc == 0);
    const auto [posts, failed] = postsOf(log);
    const auto c = proxy.counts();
    WARN("fault proxy: " << posts << " POSTs, " << failed << " failed ("
                         << (posts
                                 ? 100.0 * static_cast<double>(failed) / static_cast<double>(posts)
                                 : 0.0)
                         << "%); " << c.connections << " connections, " << c.drops << " drops, "
                         << c.resets << " resets, " << c.truncations << " truncations, " << c.flips
                         << " flips, " << c.delays << " delays");
    CHECK(posts >= static_cast<std::uint64_t>(envelopes));
    if (envelopes >= 1100)
        CHECK(posts >= 2000);
    CHECK(static_cast<double>(failed) >= 0.30 * static_cast<double>(posts));
    checkDeliveredExactlyOnce(site, port, static_cast<std::uint64_t>(envelopes));
}

TEST_CASE("a county certificate from another CA: a health error, and no retry storm",
          "[forwarder][e2e][attack]") {
    test::E2eSite site;
    test::E2eSite stranger; // another county: its CA must not be accepted
    test::CountyServer server(site.county, site.tmp.path());
    const auto port = server.start();
    test::FaultProxy counter(port, {}, 1); // a fault-free proxy, to count connection attempts
    site.pointKioskAt(counter.port());
    fs::copy_file(stranger.county / "tls" / "ca.pem", site.bundle / "keys" / "county-ca.pem",
                  fs::copy_options::overwrite_existing);
    site.submitMany(3);

    auto r = test::runProcess(test::binary("minsheng-kiosk"), syncArgs(site, {"--once"}));
    CHECK(r.exitCode == forwarder::Forwarder::kExitHealth);
    CHECK_THAT(r.err, Catch::Contains("HEALTH ERROR"));
    CHECK_THAT(r.err, Catch::Contains("not trusted"));
    CHECK(site.outboxStats().pendingCount == 3);
    CHECK(counter.counts().connections == 1);

    // The service: the error is kept for the staff screen and it waits (at the cap), it does
    // not hammer the server.
    auto fwd = startSync(site, {"--retry-cap-ms", "600000", "--poll-ms", "20"}, "sync-wrong-ca");
    const fs::path sock = site.bundle / "data" / "forwarder.sock";
    json health;
    REQUIRE(eventually([&] {
        const std::string a = test::socketRequest(sock, R"({"op":"health"})");
        if (a.empty())
            return false;
        health = json::parse(a);
        return health["last_error"].is_string();
    }));
    CHECK(health["online"] == false);
    CHECK(health["queue"] == 3);
    CHECK_THAT(health["last_error"].get<std::string>(), Catch::Contains("not trusted"));
    std::this_thread::sleep_for(1s);
    // One heartbeat and one drain attempt; the next try is minutes away.
    CHECK(counter.counts().connections <= 1 + 3);
    CHECK(site.outboxStats().pendingCount == 3);
    fwd->signal(SIGTERM);
    CHECK(fwd->wait(60s) == 0);
    // "logged once"
    const std::string log = fwd->err();
    std::size_t n = 0;
    for (auto at = log.find("HEALTH ERROR"); at != std::string::npos;
         at = log.find("HEALTH ERROR", at + 1))
        ++n;
    CHECK(n <= 2); // the heartbeat's and the drain's messages differ; neither repeats
}

TEST_CASE("acknowledgements signed by another county are never recorded",
          "[forwarder][e2e][attack]") {
    test::E2eSite site;
    test::E2eSite stranger;
    test::CountyServer server(site.county, site.tmp.path());
    site.pointKioskAt(server.start());
    // The kiosk now expects acknowledgements from another county's signing key.
    fs::copy_file(stranger.county / "keys" / "county-signing.pub",
                  site.bundle / "keys" / "county-signing.pub",
                  fs::copy_options::overwrite_existing);
    site.submitMany(4);
    auto r = test::runProcess(test::binary("minsheng-kiosk"), syncArgs(site, {"--once"}));
    INFO(r.err);
    CHECK(r.exitCode == forwarder::Forwarder::kExitHealth);
    CHECK_THAT(r.err, Catch::Contains("does not carry a valid county signature"));
    const auto st = site.outboxStats();
    CHECK(st.pendingCount == 4);
    CHECK_FALSE(st.lastAcknowledgedSequence);
    for (const auto& e : site.allEnvelopes())
        CHECK_FALSE(e.acknowledgement);
}

TEST_CASE("status look-ups over the local socket: offline while the server is down, the signed "
          "status once it is up",
          "[forwarder][e2e][socket]") {
    test::E2eSite site;
    test::CountyServer server(site.county, site.tmp.path());
    const auto port = server.start();
    site.pointKioskAt(port);
    site.submitMany(1); // a complaint
    const auto held = site.allEnvelopes();
    REQUIRE(held.size() == 1);
    const std::string tag = crypto::toHex(*held[0].envelope.header.receiptTag);
    server.kill();

    auto fwd = startSync(
        site, {"--retry-base-ms", "20", "--retry-cap-ms", "200", "--poll-ms", "20"}, "sync-socket");
    const fs::path sock = site.bundle / "data" / "forwarder.sock";
    REQUIRE(eventually([&] { return fs::exists(sock); }));
    const std::string lookup = R"({"op":"status","tag":")" + tag + "\"}";
    json a = json::parse(test::socketRequest(sock, lookup));
    CHECK(a["ok"] == false);
    CHECK(a["error"] == "offline");
    a = json::parse(test::socketRequest(sock, R"({"op":"health"})"));
    CHECK(a["ok"] == true);
    CHECK(a["online"] == false);

    // The UI kept accepting submissions while offline.
    site.submitMany(2);

    server.start();
    a = json::parse(test::socketRequest(sock, R"({"op":"sync-now"})"));
    CHECK(a["ok"] == true);
    REQUIRE(eventually([&] { return site.outboxStats().pendingCount == 0; }));
    a = json::parse(test::socketRequest(sock, lookup));
    INFO(a.dump());
    CHECK(a["ok"] == true);
    CHECK(a["status"] == "received");
    CHECK(a["verified"] == true);
    CHECK(a["reply"] == "");
    REQUIRE(eventually([&] {
        auto h = json::parse(test::socketRequest(sock, R"({"op":"health"})"));
        return h["online"] == true && h["queue"] == 0 && h["last_ack"].is_number();
    }));

    fwd->signal(SIGTERM);
    CHECK(fwd->wait(60s) == 0);
    CHECK_FALSE(fs::exists(sock));
    CHECK(fwd->err().find(tag) == std::string::npos); // tags are never logged
    checkDeliveredExactlyOnce(site, server.port(), 3);
}
