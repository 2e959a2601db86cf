// The office console's API through the real programs: a county made by `minsheng-county init`,
// reports from a provisioned kiosk (`minsheng-kiosk submit`, `outbox --export`, `import`),
// accounts made with `user add`, and `minsheng-county console` on 127.0.0.1 as a child process,
// spoken to over HTTPS trusting only the county CA.
#include <catch2/catch.hpp>

#include "sync/net/https_client.hpp"
#include "tests/support/county_site.hpp"
#include "tests/support/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <thread>

using namespace minsheng;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kPassword = "correct horse battery";

struct ConsoleSite : test::CountySite {
    std::unique_ptr<test::Child> console;
    std::string port;

    ConsoleSite() : CountySite("minsheng-console-api", "cs-001", "城东社区 1 号机") {
        json complaint = example("complaint");
        complaint["description"] = "周六在三号楼有老师收费补课，每次两百元，暗号是向日葵";
        REQUIRE(submit("complaint", complaint).exitCode == 0);
        REQUIRE(submit("complaint", example("complaint")).exitCode == 0);
        REQUIRE(submit("survey", example("survey")).exitCode == 0);
        exportToUsb();
        REQUIRE(countyCmd({"import", "--dir", county.string(), usb.string()}).exitCode == 0);
        const fs::path pw = tmp / "pw";
        std::ofstream(pw) << kPassword << "\n";
        fs::permissions(pw, fs::perms::owner_read | fs::perms::owner_write,
                        fs::perm_options::replace);
        auto add = [&](const std::string& name, const std::string& role, bool first) {
            std::vector<std::string> args = {
                "user", "add",    "--dir", county.string(),   "--name",
                name,   "--role", role,    "--password-file", pw.string()};
            if (!first)
                args.insert(args.end(), {"--user", "li"});
            auto r = countyCmd(args);
            INFO(r.out << r.err);
            REQUIRE(r.exitCode == 0);
        };
        add("li", "supervisor", true);
        add("wang", "clerk", false);
        add("zhao", "auditor", false);
    }

    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {
            "console", "--dir", county.string(), "--listen", "127.0.0.1:0", "--pull-every", "0"};
        args.insert(args.end(), extra.begin(), extra.end());
        console = std::make_unique<test::Child>(countyBin, args, tmp / "console.out",
                                                tmp / "console.err");
        const std::regex line(R"(console: https://127\.0\.0\.1:(\d+)/)");
        for (int i = 0; i < 600 && port.empty(); ++i) {
            std::smatch m;
            const auto out = console->out();
            if (std::regex_search(out, m, line))
                port = m[1];
            else if (!console->running())
                FAIL("console exited: " << console->err());
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        REQUIRE(!port.empty());
    }
};

/// One browser-like client: keeps the session cookie and the CSRF token.
struct Client {
    sync::HttpsClient http;
    std::string cookie, csrf;

    explicit Client(const ConsoleSite& s)
        : http(sync::HttpsEndpoint{"127.0.0.1", s.port, s.county / "tls" / "ca.pem"}) {}

    sync::HttpResponse call(const std::string& method, const std::string& target,
                            const json& body = nullptr, bool withCsrf = true) {
        std::map<std::string, std::string> headers;
        if (!cookie.empty())
            headers["Cookie"] = cookie;
        if (withCsrf && !csrf.empty())
            headers["X-CSRF-Token"] = csrf;
        auto r =
            http.request(method, target, body.is_null() ? std::string() : body.dump(), headers);
        REQUIRE(r);
        return *r;
    }
    json getJson(const std::string& target, unsigned expect = 200) {
        auto r = call("GET", target);
        INFO(target << " → " << r.status << " " << r.body);
        REQUIRE(r.status == expect);
        return json::parse(r.body);
    }
    json postJson(const std::string& target, const json& body, unsigned expect = 200) {
        auto r = call("POST", target, body);
        INFO(target << " → " << r.status << " " << r.body);
        REQUIRE(r.status == expect);
        return json::parse(r.body);
    }
    void login(const std::string& user) {
        auto r = call("POST", "/api/session", {{"user", user}, {"password", kPassword}});
        INFO(r.body);
        REQUIRE(r.status == 200);
        const auto setCookie = r.headers.at("set-cookie");
        cookie = setCookie.substr(0, setCookie.find(';'));
        csrf = json::parse(r.body).at("csrf");
    }
};

} // namespace

TEST_CASE("the console logs staff in with a hardened cookie and refuses everything else without "
          "one",
          "[console]") {
    ConsoleSite s;
    s.start();
    Client c(s);
    CHECK(c.call("GET", "/api/cases").status == 401);
    CHECK(c.call("GET", "/api/me").status == 401);

    auto wrong = c.call("POST", "/api/session", {{"user", "li"}, {"password", "wrong password!"}});
    CHECK(wrong.status == 401);
    CHECK(wrong.headers.count("set-cookie") == 0);
    auto unknown = c.call("POST", "/api/session", {{"user", "nobody"}, {"password", kPassword}});
    CHECK(unknown.status == 401);
    CHECK(json::parse(unknown.body)["message"] == json::parse(wrong.body)["message"]);

    auto ok = c.call("POST", "/api/session", {{"user", "li"}, {"password", kPassword}});
    REQUIRE(ok.status == 200);
    const auto setCookie = ok.headers.at("set-cookie");
    CHECK_THAT(setCookie, Catch::Contains("HttpOnly"));
    CHECK_THAT(setCookie, Catch::Contains("Secure"));
    CHECK_THAT(setCookie, Catch::Contains("SameSite=Strict"));
    c.cookie = setCookie.substr(0, setCookie.find(';'));
    c.csrf = json::parse(ok.body).at("csrf");
    const auto me = c.getJson("/api/me");
    CHECK(me["user"] == "li");
    CHECK(me["role"] == "supervisor");
    CHECK(me["csrf"] == c.csrf);

    // Every answer carries the policy, whatever made it.
    for (const auto& target : {"/api/me", "/nowhere", "/api/nowhere"}) {
        auto r = c.call("GET", target);
        INFO(target);
        CHECK_THAT(r.headers["content-security-policy"], Catch::Contains("default-src 'none'"));
        CHECK_THAT(r.headers["content-security-policy"], Catch::Contains("frame-ancestors 'none'"));
        CHECK(r.headers["x-content-type-options"] == "nosniff");
    }

    // Logging out ends the session on the server, not only in the browser.
    const std::string oldCookie = c.cookie;
    c.postJson("/api/logout", json::object());
    c.cookie = oldCookie;
    CHECK(c.call("GET", "/api/me").status == 401);
}

TEST_CASE("changes need the session's CSRF token", "[console]") {
    ConsoleSite s;
    s.start();
    Client c(s);
    c.login("li");
    const auto list = c.getJson("/api/cases");
    REQUIRE(list["total"] == 2);
    const int id = list["cases"][0]["case"];
    const std::string note = "/api/cases/" + std::to_string(id) + "/notes";

    auto none = c.call("POST", note, {{"text", "没有令牌"}}, false);
    CHECK(none.status == 403);
    CHECK(json::parse(none.body)["error"] == "csrf");
    const std::string real = c.csrf;
    c.csrf = std::string(real.size(), '0');
    CHECK(c.call("POST", note, {{"text", "错误令牌"}}).status == 403);
    c.csrf = real;
    c.postJson(note, {{"text", "已电话联系学校"}});

    // Another session's token is not this session's.
    Client other(s);
    other.login("wang");
    other.csrf.swap(c.csrf);
    CHECK(other.call("POST", note, {{"text", "x"}}).status == 403);
}

TEST_CASE("a case is found by a word of its text, assigned, noted, answered and closed, and "
          "counted closed on time",
          "[console]") {
    ConsoleSite s;
    s.start();
    Client sup(s);
    sup.login("li");
    auto found =
        sup.getJson("/api/cases?q=" + std::string("%E5%90%91%E6%97%A5%E8%91%B5")); // 向日葵
    REQUIRE(found["total"] == 1);
    const auto row = found["cases"][0];
    CHECK_THAT(row["excerpt"].get<std::string>(), Catch::Contains("补课"));
    CHECK(row["status"] == "received");
    const std::string base = "/api/cases/" + std::to_string(row["case"].get<int>());
    CHECK(sup.getJson("/api/cases?q=nothing-like-this")["total"] == 0);

    sup.postJson(base + "/assign", {{"handler", "wang"}});
    Client clerk(s);
    clerk.login("wang");
    clerk.postJson(base + "/notes", {{"text", "内部：已约谈培训机构负责人"}});
    // Closing needs a result; the status machine says so.
    auto refused = clerk.call("POST", base + "/status",
                              {{"status", "closed"}, {"reply", "已查处，责令停止违规培训。"}});
    CHECK(refused.status == 400);
    clerk.postJson(
        base + "/status",
        {{"status", "closed"}, {"reply", "已查处，责令停止违规培训。"}, {"result", "resolved"}});

    const auto detail = sup.getJson(base)["case"];
    CHECK(detail["status"] == "closed");
    CHECK(detail["handler"] == "wang");
    CHECK(detail["reply"] == "已查处，责令停止违规培训。");
    bool noteSeen = false;
    for (const auto& e : detail["events"])
        noteSeen = noteSeen || (e["kind"] == "note" && e["actor"] == "wang");
    CHECK(noteSeen);
    // The note is internal: no public field holds it.
    CHECK(detail["reply"].get<std::string>().find("约谈") == std::string::npos);
    for (const auto& h : detail["history"])
        CHECK(h["reply"].get<std::string>().find("约谈") == std::string::npos);

    const auto week = sup.getJson("/api/stats");
    CHECK(week["total"]["closed"] == 1);
    CHECK(week["total"]["closed_on_time"] == 1);
    CHECK(week["total"]["received"] == 2);

    // Who saw and did what is in the audit log, for the supervisor.
    const auto audit = sup.getJson("/api/audit")["entries"];
    bool clerkViewed = false, supervisorAssigned = false;
    for (const auto& e : audit) {
        clerkViewed = clerkViewed || (e["actor"] == "wang");
        supervisorAssigned = supervisorAssigned || (e["actor"] == "li");
    }
    CHECK(clerkViewed);
    CHECK(supervisorAssigned);
}

TEST_CASE("roles: a clerk cannot read the audit log, assign, or lower the minimum group size",
          "[console]") {
    ConsoleSite s;
    s.start();
    Client clerk(s);
    clerk.login("wang");
    CHECK(clerk.call("GET", "/api/audit").status == 403);
    CHECK(clerk.call("GET", "/api/users").status == 403);
    const int id = clerk.getJson("/api/cases")["cases"][0]["case"];
    CHECK(clerk.call("POST", "/api/cases/" + std::to_string(id) + "/assign", {{"handler", "wang"}})
              .status == 403);
    const int floor = clerk.getJson("/api/settings")["min_respondents"];
    CHECK(clerk.call("POST", "/api/settings", {{"min_respondents", 1}}).status == 403);
    CHECK(clerk.call("POST", "/api/settings", {{"min_respondents", floor + 5}}).status == 403);

    Client auditor(s);
    auditor.login("zhao");
    CHECK(auditor.call("GET", "/api/audit").status == 200);
    CHECK(auditor.call("POST", "/api/cases/" + std::to_string(id) + "/notes", {{"text", "x"}})
              .status == 403);

    Client sup(s);
    sup.login("li");
    // Not even a supervisor goes under the county's configured floor.
    CHECK(sup.call("POST", "/api/settings", {{"min_respondents", floor - 1}}).status == 400);
    sup.postJson("/api/settings", {{"min_respondents", floor + 5}});
    CHECK(clerk.getJson("/api/settings")["min_respondents"] == floor + 5);
}

TEST_CASE("a disabled account's sessions end at once", "[console]") {
    ConsoleSite s;
    s.start();
    Client clerk(s);
    clerk.login("wang");
    REQUIRE(clerk.call("GET", "/api/me").status == 200);
    auto r = s.countyCmd(
        {"user", "disable", "--dir", s.county.string(), "--name", "wang", "--user", "li"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(clerk.call("GET", "/api/me").status == 401);
}

TEST_CASE("the console will not start without a supervisor", "[console]") {
    test::CountySite s("minsheng-console-nosup", "cs-002", "城西社区 1 号机");
    auto r = s.countyCmd({"console", "--dir", s.county.string(), "--listen", "127.0.0.1:0"});
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("supervisor"));
}

TEST_CASE("another county system calls the API with a token that acts with its account's role",
          "[console][token]") {
    ConsoleSite s;
    s.start();
    auto issue = s.countyCmd({"api-token", "--dir", s.county.string(), "--name", "wang"});
    INFO(issue.out << issue.err);
    REQUIRE(issue.exitCode == 0);
    std::smatch m;
    REQUIRE(std::regex_search(issue.out, m, std::regex("(mst_[0-9a-f]{64})")));
    const std::string token = m[1];
    CHECK((fs::status(s.county / "keys/console-api.tokens").permissions() &
           fs::perms::others_all) == fs::perms::none);
    CHECK(test::readFile(s.county / "keys/console-api.tokens").find(token) == std::string::npos);

    sync::HttpsClient http(sync::HttpsEndpoint{"127.0.0.1", s.port, s.county / "tls/ca.pem"});
    auto bearer = [&](const std::string& method, const std::string& target, const json& body,
                      const std::string& t) {
        auto r = http.request(method, target, body.is_null() ? std::string() : body.dump(),
                              {{"Authorization", "Bearer " + t}});
        REQUIRE(r);
        return *r;
    };
    auto cases = bearer("GET", "/api/cases", nullptr, token);
    REQUIRE(cases.status == 200);
    const int id = json::parse(cases.body)["cases"][0]["case"];
    // No cookie is involved, so no CSRF token is needed; the clerk's role still applies.
    CHECK(bearer("POST", "/api/cases/" + std::to_string(id) + "/notes",
                 {{"text", "12345 平台转来补充材料"}}, token)
              .status == 200);
    CHECK(bearer("GET", "/api/audit", nullptr, token).status == 403);
    CHECK(bearer("GET", "/api/cases", nullptr, token + "0").status == 401);
    CHECK(bearer("GET", "/api/cases", nullptr, "mst_" + std::string(64, '0')).status == 401);

    // A new token replaces the old one; revoking ends it.
    auto again = s.countyCmd({"api-token", "--dir", s.county.string(), "--name", "wang"});
    REQUIRE(again.exitCode == 0);
    CHECK(bearer("GET", "/api/cases", nullptr, token).status == 401);
    REQUIRE(std::regex_search(again.out, m, std::regex("(mst_[0-9a-f]{64})")));
    const std::string second = m[1];
    CHECK(bearer("GET", "/api/cases", nullptr, second).status == 200);
    REQUIRE(s.countyCmd({"api-token", "--dir", s.county.string(), "--name", "wang", "--revoke"})
                .exitCode == 0);
    CHECK(bearer("GET", "/api/cases", nullptr, second).status == 401);
    CHECK(s.countyCmd({"api-token", "--dir", s.county.string(), "--name", "nobody"}).exitCode == 2);
}

TEST_CASE("the console exports a workbook, one CSV per form and Open311, and audits it",
          "[console][export]") {
    ConsoleSite s;
    s.start();
    Client c(s);
    c.login("wang");
    auto xlsx = c.call("GET", "/api/export?format=xlsx");
    REQUIRE(xlsx.status == 200);
    CHECK(xlsx.body.rfind("PK", 0) == 0); // a zip
    CHECK_THAT(xlsx.headers["content-disposition"], Catch::Contains(".xlsx"));
    auto csv = c.call("GET", "/api/export?format=csv&form=survey");
    REQUIRE(csv.status == 200);
    CHECK(csv.body.rfind("\xEF\xBB\xBF", 0) == 0); // BOM for Excel
    CHECK(c.call("GET", "/api/export?format=csv&form=nothing").status == 404);
    auto open311 = c.getJson("/api/export?format=open311");
    REQUIRE(open311.is_array());
    REQUIRE(open311.size() == 2);
    for (const auto& r : open311)
        CHECK(r["service_request_id"].get<std::string>().find('/') == std::string::npos);
    CHECK(c.call("GET", "/api/export?format=pdf").status == 400);

    Client sup(s);
    sup.login("li");
    int exports = 0;
    const auto audit = sup.getJson("/api/audit");
    for (const auto& e : audit["entries"])
        exports += e["action"] == "export" && e["actor"] == "wang";
    CHECK(exports == 3);
}

TEST_CASE("reply warnings, templates filled for a case, bulk actions, surveys and the printable "
          "week",
          "[console]") {
    ConsoleSite s;
    s.start();
    Client sup(s);
    sup.login("li");
    const auto warnings = sup.postJson("/api/reply-check",
                                       {{"text", "请联系王老师，电话 13812345678。"}})["warnings"];
    REQUIRE(warnings.size() >= 2);
    bool phone = false;
    for (const auto& w : warnings)
        phone = phone || (w["kind"] == "phone" && w["match"] == "13812345678");
    CHECK(phone);
    CHECK(
        sup.postJson("/api/reply-check", {{"text", "已办结，感谢您的反映。"}})["warnings"].empty());

    const auto list = sup.getJson("/api/cases");
    REQUIRE(list["total"] == 2);
    const int a = list["cases"][0]["case"], b = list["cases"][1]["case"];
    const std::string number = list["cases"][0]["number"];
    const auto templates = sup.getJson("/api/templates?case=" + std::to_string(a))["templates"];
    REQUIRE_FALSE(templates.empty());
    bool filled = false;
    for (const auto& t : templates) {
        CHECK(t["body"].get<std::string>().find("{case}") == std::string::npos);
        filled = filled || t["body"].get<std::string>().find(number) != std::string::npos;
    }
    CHECK(filled);

    Client clerk(s);
    clerk.login("wang");
    CHECK(clerk.call("POST", "/api/templates", {{"title", "x"}, {"body", "y"}, {"category", ""}})
              .status == 403);
    const auto added = sup.postJson(
        "/api/templates", {{"title", "补充材料"}, {"body", "请补充材料 {case}"}, {"category", ""}});
    CHECK(added["id"].is_number_integer());

    const auto bulk = clerk.postJson(
        "/api/bulk", {{"cases", {a, b, 999999}}, {"action", "note"}, {"text", "已汇总上报"}});
    REQUIRE(bulk["results"].size() == 3);
    CHECK(bulk["results"][0]["ok"] == true);
    CHECK(bulk["results"][1]["ok"] == true);
    CHECK(bulk["results"][2]["ok"] == false);
    CHECK(bulk["done"] == 2);

    // One survey came in: under the minimum, so no group shows a figure.
    const auto surveys = clerk.getJson("/api/surveys");
    REQUIRE_FALSE(surveys["questions"].empty());
    for (const auto& q : surveys["questions"])
        for (const auto& g : q["groups"]) {
            CHECK(g["hidden"] == true);
            CHECK_FALSE(g.contains("n"));
        }
    CHECK(clerk.call("GET", "/api/surveys?min_respondents=1").status == 400);

    auto weekly = clerk.call("GET", "/print/weekly");
    REQUIRE(weekly.status == 200);
    CHECK_THAT(weekly.headers["content-type"], Catch::StartsWith("text/html"));
    CHECK_THAT(weekly.body, Catch::Contains("填报人"));
    CHECK_THAT(weekly.body, Catch::Contains("<svg"));
    CHECK(weekly.body.find("<script") == std::string::npos);
    CHECK(weekly.body.find("style=") == std::string::npos);
    CHECK(clerk.call("GET", "/print/monthly?month=2026-13").status == 400);
    Client stranger(s);
    CHECK(stranger.call("GET", "/print/weekly").status == 401);
}

TEST_CASE("the case list: mine, urgency, sort, an unknown school explained, and the calendar",
          "[console][cases]") {
    ConsoleSite s;
    s.start();
    Client sup(s);
    sup.login("li");
    const auto all = sup.getJson("/api/cases?sort=received");
    REQUIRE(all["total"] == 2);
    CHECK(all["counts"]["received"] == 2);
    const int first = all["cases"][0]["case"], second = all["cases"][1]["case"];
    CHECK(sup.getJson("/api/cases?sort=-received")["cases"][0]["case"] == second);
    CHECK(sup.call("GET", "/api/cases?sort=sideways").status == 400);
    CHECK(sup.call("GET", "/api/cases?urgency=purple").status == 400);

    sup.postJson("/api/cases/" + std::to_string(first) + "/assign", {{"handler", "wang"}});
    Client clerk(s);
    clerk.login("wang");
    const auto mine = clerk.getJson("/api/cases?mine=1");
    REQUIRE(mine["total"] == 1);
    CHECK(mine["cases"][0]["case"] == first);
    CHECK(mine["cases"][0]["handler"] == "wang");
    // Both came in today: neither is due within two working days, so neither is marked.
    CHECK(clerk.getJson("/api/cases?urgency=yellow_or_red")["total"] == 0);

    const auto none = clerk.getJson("/api/cases?school=%E5%9F%8E%E4%B8%9C%E5%B0%8F%E5%AD%A6");
    CHECK(none["total"] == 0);
    REQUIRE(none["no_match"].is_string());
    CHECK_THAT(none["no_match"].get<std::string>(), Catch::Contains("城东小学"));
    CHECK(clerk.getJson("/api/cases?q=nothing-at-all")["no_match"].is_null());

    const auto year = clerk.getJson("/api/calendar?year=2026");
    CHECK(year["provisional"] == false);
    bool springFestival = false, makeUpSaturday = false;
    for (const auto& d : year["holidays"])
        springFestival = springFestival || d == "2026-02-16";
    for (const auto& d : year["workdays"])
        makeUpSaturday = makeUpSaturday || d == "2026-02-14";
    CHECK(springFestival);
    CHECK(makeUpSaturday);
    CHECK(clerk.getJson("/api/calendar?year=2027")["provisional"] == true);
    CHECK(clerk.call("GET", "/api/calendar?year=20x6").status == 400);
}
