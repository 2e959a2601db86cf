// The loop a parent sees, through the office console: minsheng-kiosk submit → sync --once (the
// forwarder) → minsheng-county serve → the console pulls, staff note, reply and close in it →
// the console pushes → the kiosk's look-up (GET /v1/status/{tag} on the intake server) shows the
// reply, signed by the county, and nothing of the internal note.
#include <catch2/catch.hpp>

#include "crypto/key_file.hpp"
#include "crypto/receipt_code.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/net/https_client.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/county/server/server_test_support.hpp"
#include "tests/support/e2e_support.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

using namespace minsheng;
using nlohmann::json;
using test::runProcess;
namespace fs = std::filesystem;

namespace {

/// Points a provisioned kiosk's bundle at the intake server on `url`.
void pointKioskAt(const fs::path& bundle, const std::string& url) {
    const fs::path toml = bundle / "kiosk.toml";
    std::string text = test::readFile(toml);
    const std::string key = "url = \"https://127.0.0.1:8443\"";
    REQUIRE(text.find(key) != std::string::npos);
    text.replace(text.find(key), key.size(), "url = \"" + url + "\"");
    test::writeFile(toml, text);
}

/// A supervisor account "li" with `password`.
void addSupervisor(const fs::path& county, const fs::path& tmp, const std::string& password) {
    const fs::path pw = tmp / "pw";
    test::writeFile(pw, password + "\n");
    fs::permissions(pw, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    REQUIRE(runProcess(test::binary("minsheng-county"),
                       {"user", "add", "--dir", county.string(), "--name", "li", "--role",
                        "supervisor", "--password-file", pw.string()})
                .exitCode == 0);
}

/// The port `minsheng-county console` announces ("console: https://127.0.0.1:PORT/").
std::string consolePort(test::Child& console) {
    std::string port;
    const std::regex line(R"(console: https://127\.0\.0\.1:(\d+)/)");
    for (int i = 0; i < 600 && port.empty(); ++i) {
        std::smatch m;
        const auto out = console.out();
        if (std::regex_search(out, m, line))
            port = m[1];
        else if (!console.running())
            FAIL("console exited: " << console.err());
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(!port.empty());
    return port;
}

/// The session headers (cookie and CSRF token) of a login as `user`.
std::map<std::string, std::string> login(sync::HttpsClient& http, const std::string& user,
                                         const std::string& password) {
    auto r = http.request("POST", "/api/session",
                          json{{"user", user}, {"password", password}}.dump(), {});
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 200);
    const auto setCookie = r->headers.at("set-cookie");
    return {{"Cookie", setCookie.substr(0, setCookie.find(';'))},
            {"X-CSRF-Token", json::parse(r->body).at("csrf")}};
}

/// A demonstration county (the shipped example lists are allowed) in `county`.
void initDemoCounty(const fs::path& county) {
    const auto r = runProcess(test::binary("minsheng-county"),
                              {"init", "--dir", county.string(), "--no-passphrase", "--demo"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
}

/// A kiosk bundle for `id` in `out`, enrolled in `county`.
void provisionKiosk(const fs::path& county, const std::string& id, const std::string& name,
                    const fs::path& out) {
    const auto r = runProcess(test::binary("minsheng-county"),
                              {"provision", "--dir", county.string(), "--kiosk-id", id, "--name",
                               name, "--out", out.string()});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
}

} // namespace

TEST_CASE("a reply closed in the console reaches the kiosk look-up, the internal note does not",
          "[console][e2e]") {
    test::TempDir tmp{"minsheng-console-e2e"};
    const fs::path county = tmp / "county", bundle = tmp / "kiosk";
    const auto cb = test::binary("minsheng-county"), kb = test::binary("minsheng-kiosk");
    initDemoCounty(county);
    provisionKiosk(county, "ce-001", "城南社区 1 号机", bundle);
    test::ServerProcess server(county, tmp / "serve.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
    pointKioskAt(bundle, url);
    auto e = runProcess(
        kb, {"forms", "--config", (bundle / "kiosk.toml").string(), "--example", "complaint"});
    REQUIRE(e.exitCode == 0);
    json answers = json::parse(e.out);
    answers["description"] = "托管班里有在职老师讲新课，每月收费一千二";
    auto submitted = runProcess(kb,
                                {"submit", "--config", (bundle / "kiosk.toml").string(), "--form",
                                 "complaint", "--answers", "-", "--json"},
                                answers.dump());
    INFO(submitted.err);
    REQUIRE(submitted.exitCode == 0);
    const std::string code = json::parse(submitted.out)["receipt_code"];
    auto synced = runProcess(kb, {"sync", "--config", (bundle / "kiosk.toml").string(), "--once",
                                  "--upload-delay-minutes", "0", "--give-up-after", "20"});
    INFO(synced.out << synced.err);
    REQUIRE(synced.exitCode == 0);

    addSupervisor(county, tmp.path(), "correct horse battery");

    test::Child console(cb,
                        {"console", "--dir", county.string(), "--listen", "127.0.0.1:0", "--server",
                         url, "--pull-every", "0"},
                        tmp / "console.out", tmp / "console.err");
    const std::string port = consolePort(console);

    sync::HttpsClient http(sync::HttpsEndpoint{"127.0.0.1", port, county / "tls/ca.pem"});
    auto call = [&](const std::string& method, const std::string& target, const json& body,
                    const std::map<std::string, std::string>& headers) {
        auto r =
            http.request(method, target, body.is_null() ? std::string() : body.dump(), headers);
        REQUIRE(r);
        INFO(target << " → " << r->status << " " << r->body);
        REQUIRE(r->status == 200);
        return *r;
    };
    const auto session = login(http, "li", "correct horse battery");

    auto pulled = json::parse(call("POST", "/api/pull", json::object(), session).body);
    CHECK(pulled["pulled"] == 1);
    auto list = json::parse(call("GET", "/api/cases", nullptr, session).body);
    REQUIRE(list["total"] == 1);
    const std::string base = "/api/cases/" + std::to_string(list["cases"][0]["case"].get<int>());
    call("POST", base + "/notes", {{"text", "内部备注：举报人可能是机构前员工"}}, session);
    call("POST", base + "/status",
         {{"status", "closed"},
          {"reply", "经核查属实，已责令该托管班停止违规培训并退费。"},
          {"result", "resolved"}},
         session);
    auto pushed = json::parse(call("POST", "/api/pull", json::object(), session).body);
    INFO(pushed.dump());
    CHECK(pushed["pushed"] == 1);

    // What the kiosk's look-up gets from the intake server.
    auto tagKey = crypto::readReceiptTagKey(county / "keys/receipt-tag.key");
    REQUIRE(tagKey.ok());
    auto countyPub = crypto::readEd25519PublicKey(county / "keys/county-signing.pub",
                                                  crypto::KeyKind::CountySigningPublic);
    REQUIRE(countyPub.ok());
    auto endpoint = sync::parseHttpsUrl(url, county / "tls/ca.pem");
    REQUIRE(endpoint.ok());
    sync::HttpsClient kioskSide(*endpoint);
    const auto tag = crypto::ReceiptCode::parse(code)->tag(*tagKey);
    auto resp = kioskSide.request("GET", "/v1/status/" + crypto::toHex(tag));
    REQUIRE(resp.ok());
    INFO(resp->body);
    REQUIRE(resp->status == 200);
    CHECK(resp->body.find("内部备注") == std::string::npos);
    CHECK(resp->body.find("前员工") == std::string::npos);
    auto status = sync::caseStatusFromJson(json::parse(resp->body));
    REQUIRE(status.ok());
    CHECK(crypto::verifyCaseStatus(*status, *countyPub));
    CHECK(status->status == crypto::CaseStatus::Closed);
    CHECK(status->reply == "经核查属实，已责令该托管班停止违规培训并退费。");
}

TEST_CASE("the console's fleet page: a kiosk's heartbeat as the intake server got it, a kiosk "
          "never heard from, the silent alarm, and the registry alone when the server is down",
          "[console][e2e][fleet]") {
    test::TempDir tmp{"minsheng-console-fleet"};
    const fs::path county = tmp / "county", heard = tmp / "heard", never = tmp / "never";
    const auto cb = test::binary("minsheng-county"), kb = test::binary("minsheng-kiosk");
    initDemoCounty(county);
    provisionKiosk(county, "cf-001", "城南社区 1 号机", heard);
    provisionKiosk(county, "cf-002", "城北社区 2 号机", never);
    auto server = std::make_unique<test::ServerProcess>(county, tmp / "serve.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(server->port());
    // cf-001's forwarder runs once: nothing to upload, then its heartbeat. cf-002 never runs.
    pointKioskAt(heard, url);
    auto synced = runProcess(kb, {"sync", "--config", (heard / "kiosk.toml").string(), "--once",
                                  "--give-up-after", "20"});
    INFO(synced.out << synced.err);
    REQUIRE(synced.exitCode == 0);
    REQUIRE(synced.err.find("heartbeat not delivered") == std::string::npos);
    addSupervisor(county, tmp.path(), "correct horse battery");

    // What `minsheng-county kiosks` prints, to compare the page's rows with.
    auto cli = runProcess(cb, {"kiosks", "--dir", county.string(), "--server", url, "--json"});
    INFO(cli.err);
    REQUIRE(cli.exitCode == 0);
    const json listed = json::parse(cli.out);
    REQUIRE(listed.size() == 2);
    REQUIRE(listed[0]["id"] == "cf-001");
    const json cliFleet = listed[0].at("fleet");

    test::Child console(cb,
                        {"console", "--dir", county.string(), "--listen", "127.0.0.1:0", "--server",
                         url, "--pull-every", "0"},
                        tmp / "console.out", tmp / "console.err");
    sync::HttpsClient http(
        sync::HttpsEndpoint{"127.0.0.1", consolePort(console), county / "tls/ca.pem"});
    auto get = [&](const std::string& target, const std::map<std::string, std::string>& headers,
                   unsigned expect) {
        auto r = http.request("GET", target, {}, headers);
        REQUIRE(r);
        INFO(target << " → " << r->status << " " << r->body);
        REQUIRE(r->status == expect);
        return json::parse(r->body);
    };
    CHECK(get("/api/kiosks", {}, 401)["error"] == "unauthorized");
    const auto session = login(http, "li", "correct horse battery");

    auto fleet = get("/api/kiosks", session, 200);
    INFO(fleet.dump(2));
    CHECK(fleet["silent_hours"] == 24);
    CHECK(fleet["default_silent_hours"] == 24);
    CHECK(fleet["server_ok"] == true);
    CHECK(fleet["server_message"].is_null());
    REQUIRE(fleet["kiosks"].size() == 2);
    const json& one = fleet["kiosks"][0];
    CHECK(one["id"] == "cf-001");
    CHECK(one["name"] == "城南社区 1 号机");
    CHECK(one["key_id"] == listed[0]["key_id"]);
    CHECK(one["revoked"] == false);
    CHECK(one["known"] == true);
    CHECK(one["silent"] == false);
    CHECK(one["last_seen"].is_string());
    REQUIRE(one["heartbeat"].is_object());
    const json& beat = one["heartbeat"];
    CHECK(beat["software_version"] == cliFleet["software_version"]);
    CHECK_FALSE(beat["software_version"].get<std::string>().empty());
    CHECK(beat["backlog"] == 0);
    CHECK(beat["backlog"] == cliFleet["backlog"]);
    CHECK(beat["config_version"] == 0);
    CHECK(beat["config_failure"] == "");
    CHECK(beat["at"].is_string());
    CHECK(beat["age_seconds"].is_number_integer());
    const json& two = fleet["kiosks"][1];
    CHECK(two["id"] == "cf-002");
    CHECK(two["name"] == "城北社区 2 号机");
    CHECK(two["known"] == true);
    CHECK(two["heartbeat"].is_null()); // never sent one
    CHECK(two["last_seen"].is_null());
    CHECK(two["silent"] == true); // never heard from: the alarm stands whatever the hours
    CHECK(listed[1].at("fleet")["silent"] == true);

    // The hours are the page's to choose, within the command line's range.
    auto week = get("/api/kiosks?silent_hours=168", session, 200);
    CHECK(week["silent_hours"] == 168);
    CHECK(week["kiosks"][0]["silent"] == false);
    CHECK(week["kiosks"][1]["silent"] == true);
    for (const char* bad : {"0", "-3", "8761", "abc", "2.5"})
        CHECK(get(std::string("/api/kiosks?silent_hours=") + bad, session, 400)["error"] ==
              "bad-request");

    // The intake server goes away: the registry alone, no alarm it cannot know, and why.
    REQUIRE(server->stop() == 0);
    server.reset();
    auto alone = get("/api/kiosks", session, 200);
    INFO(alone.dump(2));
    CHECK(alone["server_ok"] == false);
    CHECK_THAT(alone["server_message"].get<std::string>(), Catch::Contains("县服务器"));
    REQUIRE(alone["kiosks"].size() == 2);
    for (const auto& k : alone["kiosks"]) {
        CHECK(k["known"] == false);
        CHECK(k["silent"].is_null());
        CHECK(k["heartbeat"].is_null());
    }
}
