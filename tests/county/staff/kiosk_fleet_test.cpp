// The kiosk fleet (kiosk_fleet.hpp): the registry joined with the intake server's kiosk health
// through the transport seam, the silent alarm at a chosen number of hours, and the registry
// alone (with the reason) when the server cannot be asked or refuses.
#include "county/staff/kiosk_fleet.hpp"
#include "tests/county/staff/staff_test_support.hpp"

using namespace minsheng;
using namespace minsheng::staff;
using nlohmann::json;
using test::TestCounty;

namespace {

constexpr std::int64_t kNow = 1795430000;

/// Answers GET /v1/staff/kiosks with a fixed body and status, or fails as the network would.
class KioskHealthServer final : public StaffTransport {
public:
    json body = json::object();
    unsigned status = 200;
    bool unreachable = false;
    std::vector<std::string> targets;

    Result<sync::HttpResponse, sync::NetError>
    request(std::string_view method, std::string_view target, std::string_view) override {
        targets.push_back(std::string(method) + " " + std::string(target));
        if (unreachable)
            return fail(sync::NetError{sync::NetErrorKind::Io, "connection refused (scripted)"});
        sync::HttpResponse r;
        r.status = status;
        r.body = body.dump();
        return r;
    }
    std::string describe() const override { return "scripted"; }
};

struct Fleet {
    TestCounty county;
    county::KioskRegistry registry;

    Fleet() : registry(enrolled()) {}

    // TestCounty enrols k1 and k2 itself; the server view below does not list them.

    county::KioskRegistry enrolled() {
        for (const auto& [id, name] :
             {std::pair{"heard", "城东 1 号机"}, std::pair{"quiet", "城西 2 号机"},
              std::pair{"never", "城北 3 号机"}})
            REQUIRE(county::KioskRegistry::enroll(county.dir, id, name,
                                                  crypto::Ed25519KeyPair::generate().publicKey)
                        .ok());
        auto r = county::KioskRegistry::load(county.dir);
        REQUIRE(r.ok());
        return std::move(*r);
    }
};

json heartbeat(std::int64_t sentAt, std::int64_t queue, std::int64_t configVersion,
               const std::string& failure) {
    return {{"kiosk_id", "x"},
            {"last_seq", 4},
            {"queue", queue},
            {"free_disk", 1 << 30},
            {"sent_at", sentAt},
            {"version", "1.4.2"},
            {"config_version", configVersion},
            {"config_failure", failure}};
}

/// The server's view: "heard" an hour ago, "quiet" 30 hours ago (no heartbeat ever, envelopes
/// only), "never" not at all.
json serverView() {
    return {
        {"v", 1},
        {"kiosks",
         json::array({{{"id", "heard"},
                       {"last_seen", kNow - 3600},
                       {"last_seq", 4},
                       {"last_heartbeat", heartbeat(kNow - 3660, 3, 2, "bundle 3: bad signature")},
                       {"silent", false}},
                      {{"id", "quiet"},
                       {"last_seen", kNow - 30 * 3600},
                       {"last_seq", 9},
                       {"last_heartbeat", nullptr},
                       {"silent", true}},
                      {{"id", "never"},
                       {"last_seen", nullptr},
                       {"last_seq", 0},
                       {"last_heartbeat", nullptr},
                       {"silent", true}}})}};
}

StaffServerConnector connectorTo(KioskHealthServer& server) {
    return [&server]() -> Result<std::unique_ptr<StaffTransport>, ServerError> {
        // The fleet owns what the connector gives; hand it a forwarder to the test's server.
        struct Forward final : StaffTransport {
            KioskHealthServer& to;
            explicit Forward(KioskHealthServer& s) : to(s) {}
            Result<sync::HttpResponse, sync::NetError>
            request(std::string_view m, std::string_view t, std::string_view b) override {
                return to.request(m, t, b);
            }
            std::string describe() const override { return to.describe(); }
        };
        return std::unique_ptr<StaffTransport>(std::make_unique<Forward>(server));
    };
}

const KioskFleetRow& row(const KioskFleet& f, const std::string& id) {
    for (const auto& r : f.rows)
        if (r.id == id)
            return r;
    FAIL("no row for " << id);
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("the fleet joins the registry with the server's health and raises the silent alarm "
          "after the chosen hours",
          "[staff][fleet]") {
    Fleet f;
    KioskHealthServer server;
    server.body = serverView();

    const auto fleet = readKioskFleet(f.registry, connectorTo(server), kNow, kDefaultSilentHours);
    CHECK(server.targets == std::vector<std::string>{"GET /v1/staff/kiosks"});
    CHECK(fleet.healthNote.empty());
    REQUIRE(fleet.rows.size() == 5);

    const auto& heard = row(fleet, "heard");
    CHECK(heard.name == "城东 1 号机");
    CHECK(heard.keyIdHex == crypto::toHex(f.registry.find("heard")->publicKey.id()));
    REQUIRE(heard.health);
    CHECK(heard.lastSeen == kNow - 3600);
    REQUIRE(heard.heartbeat);
    CHECK(heard.heartbeat->sentAt == kNow - 3660);
    CHECK(heard.heartbeat->softwareVersion == "1.4.2");
    CHECK(heard.heartbeat->backlog == 3);
    CHECK(heard.heartbeat->configVersion == 2);
    CHECK(heard.heartbeat->configFailure == "bundle 3: bad signature");
    CHECK_FALSE(heard.silent);

    const auto& quiet = row(fleet, "quiet");
    REQUIRE(quiet.health);
    CHECK(quiet.lastSeen == kNow - 30 * 3600);
    CHECK_FALSE(quiet.heartbeat);
    CHECK(quiet.silent);

    const auto& never = row(fleet, "never");
    REQUIRE(never.health);
    CHECK_FALSE(never.lastSeen);
    CHECK_FALSE(never.heartbeat);
    CHECK(never.silent);

    // The office's own hours, not the server's fixed 24: at 48 hours "quiet" is not silent, at
    // 1 hour "heard" (heard 3600 s ago: not more than an hour) is not yet, one second later it is.
    const auto patient = readKioskFleet(f.registry, connectorTo(server), kNow, 48);
    CHECK_FALSE(row(patient, "quiet").silent);
    CHECK(row(patient, "never").silent);
    CHECK_FALSE(row(readKioskFleet(f.registry, connectorTo(server), kNow, 1), "heard").silent);
    CHECK(row(readKioskFleet(f.registry, connectorTo(server), kNow + 1, 1), "heard").silent);

    // `kiosks --json`'s "fleet": the heartbeat's figures when there is one, always the alarm.
    CHECK(fleetFiguresJson(heard) == json{{"software_version", "1.4.2"},
                                          {"backlog", 3},
                                          {"heartbeat_at", kNow - 3660},
                                          {"config_version", 2},
                                          {"config_failure", "bundle 3: bad signature"},
                                          {"silent", false}});
    CHECK(fleetFiguresJson(never) == json{{"silent", true}});
}

TEST_CASE("without the server's view the fleet is the registry alone, and says why",
          "[staff][fleet]") {
    Fleet f;
    KioskHealthServer server;
    server.body = serverView();

    SECTION("not asked (--offline)") {
        const auto fleet = readKioskFleet(f.registry, {}, kNow, kDefaultSilentHours);
        CHECK(fleet.healthNote.empty());
        CHECK(server.targets.empty());
        REQUIRE(fleet.rows.size() == 5);
        for (const auto& r : fleet.rows) {
            CHECK_FALSE(r.health);
            CHECK_FALSE(r.silent);
        }
    }
    SECTION("unreachable") {
        server.unreachable = true;
        const auto fleet = readKioskFleet(f.registry, connectorTo(server), kNow, 24);
        CHECK_THAT(fleet.healthNote, Catch::Contains("not reachable") &&
                                         Catch::Contains("connection refused (scripted)"));
        REQUIRE(fleet.rows.size() == 5);
        CHECK_FALSE(row(fleet, "heard").health);
    }
    SECTION("refused") {
        server.status = 401;
        server.body = {{"error", "unauthorized"}, {"message", "bad staff token"}};
        const auto fleet = readKioskFleet(f.registry, connectorTo(server), kNow, 24);
        CHECK_THAT(fleet.healthNote, Catch::Contains("HTTP 401 unauthorized: bad staff token"));
        CHECK_FALSE(row(fleet, "heard").health);
    }
    SECTION("no connection could be made") {
        const StaffServerConnector broken = [] {
            return Result<std::unique_ptr<StaffTransport>, ServerError>(
                fail(ServerError{false, "keys/staff.token not found"}));
        };
        const auto fleet = readKioskFleet(f.registry, broken, kNow, 24);
        CHECK(fleet.healthNote == "keys/staff.token not found");
        CHECK(fleet.rows.size() == 5);
    }
    SECTION("a kiosk the server does not list") {
        const auto fleet = readKioskFleet(f.registry, connectorTo(server), kNow, 24);
        CHECK(fleet.healthNote.empty());
        CHECK_FALSE(row(fleet, "k1").health);
        CHECK_FALSE(row(fleet, "k1").silent);
        CHECK(row(fleet, "heard").health);
    }
}
