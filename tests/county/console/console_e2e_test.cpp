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

TEST_CASE("a reply closed in the console reaches the kiosk look-up, the internal note does not",
          "[console][e2e]") {
    test::TempDir tmp{"minsheng-console-e2e"};
    const fs::path county = tmp / "county", bundle = tmp / "kiosk";
    const auto cb = test::binary("minsheng-county"), kb = test::binary("minsheng-kiosk");
    REQUIRE(
        runProcess(cb, {"init", "--dir", county.string(), "--no-passphrase", "--demo"}).exitCode ==
        0);
    REQUIRE(runProcess(cb, {"provision", "--dir", county.string(), "--kiosk-id", "ce-001", "--name",
                            "城南社区 1 号机", "--out", bundle.string()})
                .exitCode == 0);
    test::ServerProcess server(county, tmp / "serve.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
    {
        const fs::path toml = bundle / "kiosk.toml";
        std::string text = test::readFile(toml);
        const std::string key = "url = \"https://127.0.0.1:8443\"";
        REQUIRE(text.find(key) != std::string::npos);
        text.replace(text.find(key), key.size(), "url = \"" + url + "\"");
        test::writeFile(toml, text);
    }
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

    const fs::path pw = tmp / "pw";
    test::writeFile(pw, "correct horse battery\n");
    fs::permissions(pw, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    REQUIRE(runProcess(cb, {"user", "add", "--dir", county.string(), "--name", "li", "--role",
                            "supervisor", "--password-file", pw.string()})
                .exitCode == 0);

    test::Child console(cb,
                        {"console", "--dir", county.string(), "--listen", "127.0.0.1:0", "--server",
                         url, "--pull-every", "0"},
                        tmp / "console.out", tmp / "console.err");
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
    auto login =
        call("POST", "/api/session", {{"user", "li"}, {"password", "correct horse battery"}}, {});
    const auto setCookie = login.headers.at("set-cookie");
    const std::map<std::string, std::string> session = {
        {"Cookie", setCookie.substr(0, setCookie.find(';'))},
        {"X-CSRF-Token", json::parse(login.body).at("csrf")}};

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
