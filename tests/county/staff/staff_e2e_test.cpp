// End to end through the real programs and the real network path on 127.0.0.1:
//   minsheng-county init / provision (3 kiosks) → minsheng-kiosk submit (100 mixed complaints
//   and surveys) → minsheng-kiosk sync --once (the forwarder) → minsheng-county serve (the
//   intake server, TLS with the county CA) → minsheng-county pull (verify, open, record) →
//   export: every submission exactly once with its text intact → case set (signed, pushed) →
//   GET /v1/status/{tag} serves it with a county signature that verifies.
#include <catch2/catch.hpp>

#include "crypto/key_file.hpp"
#include "crypto/receipt_code.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/net/https_client.hpp"
#include "sync/wire/http_bodies.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/county/server/server_test_support.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

using namespace minsheng;
using nlohmann::json;
using test::runProcess;
namespace fs = std::filesystem;

namespace {

void setCountyUrl(const fs::path& kioskToml, const std::string& url) {
    std::string text = test::readFile(kioskToml);
    const std::string key = "url = \"https://127.0.0.1:8443\"";
    const auto at = text.find(key);
    REQUIRE(at != std::string::npos);
    text.replace(at, key.size(), "url = \"" + url + "\"");
    test::writeFile(kioskToml, text);
}

} // namespace

TEST_CASE("100 submissions from 3 kiosks reach the ledger exactly once, and a staff status "
          "comes back signed",
          "[staff][e2e]") {
    test::TempDir tmp{"minsheng-staff-e2e"};
    const fs::path county = tmp / "county";
    const auto cb = test::binary("minsheng-county"), kb = test::binary("minsheng-kiosk");
    auto r = runProcess(cb, {"init", "--dir", county.string(), "--no-passphrase", "--demo"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const std::vector<std::string> kiosks = {"yx-a", "yx-b", "yx-c"};
    for (const auto& k : kiosks) {
        r = runProcess(cb, {"provision", "--dir", county.string(), "--kiosk-id", k, "--name",
                            "机器 " + k, "--out", (tmp / k).string()});
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
    }
    test::ServerProcess server(county, tmp / "serve.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
    for (const auto& k : kiosks)
        setCountyUrl(tmp / k / "kiosk.toml", url);

    auto example = [&](const std::string& form) {
        auto e = runProcess(kb, {"forms", "--config", (tmp / kiosks[0] / "kiosk.toml").string(),
                                 "--example", form});
        REQUIRE(e.exitCode == 0);
        return json::parse(e.out);
    };
    const json complaintBase = example("complaint"), surveyBase = example("survey");

    // 100 submissions: every third a survey; texts unique, with quotes, commas, a backslash,
    // a formula-like start, a newline and emoji.
    std::map<std::string, std::string> expected; // unique text → kind
    std::vector<std::string> codes;
    for (int i = 0; i < 100; ++i) {
        const std::string& k = kiosks[static_cast<std::size_t>(i) % kiosks.size()];
        const bool survey = i % 3 == 2;
        json a = survey ? surveyBase : complaintBase;
        const std::string text = (i % 5 == 0 ? "=SUM(A1) " : "") + std::string("第") +
                                 std::to_string(i) + "份 \"引号\", 逗号 \\ 🙏\n第二行 #" +
                                 std::to_string(i);
        a[survey ? "comment" : "description"] = text;
        auto s = runProcess(kb,
                            {"submit", "--config", (tmp / k / "kiosk.toml").string(), "--form",
                             survey ? "survey" : "complaint", "--answers", "-", "--json"},
                            a.dump());
        INFO(s.err);
        REQUIRE(s.exitCode == 0);
        expected[text] = survey ? "survey" : "complaint";
        if (!survey)
            codes.push_back(json::parse(s.out)["receipt_code"]);
    }
    REQUIRE(expected.size() == 100);

    // The forwarder of each kiosk sends everything now.
    for (const auto& k : kiosks) {
        auto s = runProcess(kb, {"sync", "--config", (tmp / k / "kiosk.toml").string(), "--once",
                                 "--upload-delay-minutes", "0", "--give-up-after", "20"});
        INFO(s.out << s.err << server.log());
        REQUIRE(s.exitCode == 0);
    }

    // Staff pull: verified and opened here; small pages to cross page boundaries.
    r = runProcess(cb, {"pull", "--dir", county.string(), "--server", url, "--page-size", "7"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("100 新记录 recorded"));
    r = runProcess(cb, {"pull", "--dir", county.string(), "--server", url});
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("0 新记录 recorded"));

    r = runProcess(cb, {"export", "--dir", county.string(), "--format", "json"});
    REQUIRE(r.exitCode == 0);
    // Every complaint exactly once; no survey leaves as a row, and no survey comment at all.
    auto exported = json::parse(r.out)["submissions"];
    REQUIRE(exported.size() == 100 - 33);
    std::set<std::string> seen;
    for (const auto& s : exported) {
        REQUIRE(s["kind"] == "complaint");
        const std::string text = s["answers"]["description"];
        REQUIRE(expected.count(text) == 1);
        REQUIRE(expected[text] == s["kind"]);
        REQUIRE(seen.insert(text).second); // exactly once
        REQUIRE(s["acknowledged"] == true);
    }
    for (const auto& [text, kind] : expected)
        if (kind == "survey")
            REQUIRE(r.out.find(json(text).dump()) == std::string::npos);

    // Staff set a status by receipt code; the server serves it, signed by the county.
    const std::string code = codes.at(3);
    r = runProcess(cb, {"case", "set", "--dir", county.string(), code, "--status", "办理中",
                        "--reply", "已转交教育局核查，请耐心等待。", "--server", url});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("已推送 Pushed 1"));

    auto tagKey = crypto::readReceiptTagKey(county / "keys/receipt-tag.key");
    REQUIRE(tagKey.ok());
    auto countyPub = crypto::readEd25519PublicKey(county / "keys/county-signing.pub",
                                                  crypto::KeyKind::CountySigningPublic);
    REQUIRE(countyPub.ok());
    auto endpoint = sync::parseHttpsUrl(url, county / "tls/ca.pem");
    REQUIRE(endpoint.ok());
    sync::HttpsClient client(*endpoint);
    auto lookup = [&](const std::string& c) {
        auto tag = crypto::ReceiptCode::parse(c)->tag(*tagKey);
        auto resp = client.request("GET", "/v1/status/" + crypto::toHex(tag));
        REQUIRE(resp.ok());
        INFO(resp->body);
        REQUIRE(resp->status == 200);
        auto rec = sync::caseStatusFromJson(json::parse(resp->body));
        REQUIRE(rec.ok());
        REQUIRE(crypto::verifyCaseStatus(*rec, *countyPub));
        REQUIRE(rec->receiptTag == tag);
        return *rec;
    };
    auto set = lookup(code);
    REQUIRE(set.status == crypto::CaseStatus::InProgress);
    REQUIRE(set.reply == "已转交教育局核查，请耐心等待。");
    auto untouched = lookup(codes.at(4));
    REQUIRE(untouched.status == crypto::CaseStatus::Received);
    REQUIRE(untouched.reply.empty());

    // Kiosk health from the server.
    r = runProcess(cb, {"kiosks", "--dir", county.string(), "--server", url, "--json"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto health = json::parse(r.out);
    REQUIRE(health.size() == 3);
    REQUIRE(health[0].contains("health"));
}

TEST_CASE("a kiosk upgraded mid-chain: version-1 envelopes are still stored by the server and "
          "opened by the staff tool, with the version-2 ones after them",
          "[staff][e2e][v1]") {
    test::TempDir tmp{"minsheng-staff-v1"};
    test::TestCounty county(tmp / "county", {"yx-old"});
    test::TestKiosk kiosk(county, "yx-old");
    test::ServerProcess server(county.dir, tmp / "serve.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
    const auto cb = test::binary("minsheng-county");

    auto payload = [](const std::string& form, const std::string& minute, const json& answers) {
        return json{{"answers", answers},
                    {"created", minute},
                    {"form", form},
                    {"form_version", 1},
                    {"locale", "zh-CN"}}
            .dump();
    };
    // Queued before the upgrade: version 1, kind and minute in the clear header.
    const auto c1 = kiosk.nextVersion1(
        crypto::EnvelopeKind::Complaint, 1795428300,
        payload("complaint", "2026-11-23T10:05Z", {{"description", "旧版投诉 v1-complaint"}}));
    const auto s1 = kiosk.nextVersion1(
        crypto::EnvelopeKind::Survey, 1795428360,
        payload("survey", "2026-11-23T10:06Z", {{"comment", "旧版问卷 v1-survey"}}));
    // After the upgrade: version 2 on the same chain.
    const auto c2 = kiosk.nextVersion2(
        crypto::EnvelopeKind::Complaint,
        payload("complaint", "2026-11-23T10:07Z", {{"description", "新版投诉 v2-complaint"}}));
    const auto s2 = kiosk.nextVersion2(
        crypto::EnvelopeKind::Survey,
        payload("survey", "2026-11-23T10:08Z", {{"comment", "新版问卷 v2-survey"}}));
    REQUIRE(c1.header.version == 1);
    REQUIRE(c2.header.version == 2);

    test::TestClient client(server.port(), county.caFile());
    // The old kiosk's body is unpadded; the new kiosk pads (docs/protocol.md section 7).
    auto old = client.request("POST", "/v1/envelopes", test::batchJson({c1, s1}));
    INFO(old.body << server.log());
    REQUIRE(old.status == 200);
    const json oldAnswer = json::parse(old.body); // the range-for needs a living object
    for (const auto& result : oldAnswer["results"])
        CHECK(result["status"] == "stored");
    auto upgraded =
        client.request("POST", "/v1/envelopes", sync::padRequestBody(test::batchJson({c2, s2})));
    INFO(upgraded.body);
    REQUIRE(upgraded.status == 200);
    const json upgradedAnswer = json::parse(upgraded.body);
    for (const auto& result : upgradedAnswer["results"])
        CHECK(result["status"] == "stored");

    auto r = runProcess(cb, {"pull", "--dir", county.dir.string(), "--server", url});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("4 新记录 recorded"));
    r = runProcess(cb, {"export", "--dir", county.dir.string(), "--format", "json"});
    REQUIRE(r.exitCode == 0);
    // Surveys leave the ledger only as figures (docs/staff.md, "Released periods"), so the
    // export lists the two complaints: a survey read as a complaint would show up here.
    const auto exported = json::parse(r.out)["submissions"];
    REQUIRE(exported.size() == 2);
    // Kind and minute: from the header for version 1, from the sealed contents for version 2.
    std::map<std::uint64_t, std::pair<std::string, std::string>> bySequence;
    for (const auto& s : exported)
        bySequence[s["sequence"].get<std::uint64_t>()] = {s["kind"], s["created"]};
    REQUIRE(bySequence.size() == 2);
    REQUIRE(bySequence.count(1) == 1);
    REQUIRE(bySequence.count(3) == 1);
    CHECK(bySequence[1].first == "complaint");
    CHECK(bySequence[3].first == "complaint");
    CHECK(bySequence[1].second != bySequence[3].second); // each its own minute
    for (std::uint64_t seq : {1, 3})
        CHECK_THAT(bySequence[seq].second, // the office's local time: the minute is the same
                   Catch::Contains(":0" + std::to_string(4 + seq)));
    // The case list holds the two complaints (the pull recorded all four).
    r = runProcess(cb, {"cases", "--dir", county.dir.string(), "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE(json::parse(r.out).size() == 2);
}
