// The office console's API through the real programs: a county made by `minsheng-county init`,
// reports from a provisioned kiosk (`minsheng-kiosk submit`, `outbox --export`, `import`),
// accounts made with `user add`, and `minsheng-county console` on 127.0.0.1 as a child process,
// spoken to over HTTPS trusting only the county CA.
#include <catch2/catch.hpp>

#include "sync/net/https_client.hpp"
#include "tests/support/county_site.hpp"
#include "tests/support/e2e_support.hpp"

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
