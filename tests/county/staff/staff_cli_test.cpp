// The staff commands through the real programs: a county made by `minsheng-county init`, a kiosk
// provisioned from it, reports submitted with `minsheng-kiosk submit` and carried over with
// `outbox --export` (the USB stick), then import, cases, case show/set, export and report.
#include <catch2/catch.hpp>

#include "crypto/receipt_code.hpp"
#include "tests/support/county_site.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace minsheng;
using nlohmann::json;
using test::runProcess;
namespace fs = std::filesystem;

namespace {

struct Site : test::CountySite {
    Site() : CountySite("minsheng-staff-cli", "yx-001", "阳光社区 1 号机") {}

    /// Submits and returns the kiosk's JSON receipt.
    json submit(const std::string& form, const json& answers) {
        auto r = CountySite::submit(form, answers);
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
        return json::parse(r.out);
    }
    test::ProcessResult staff(std::vector<std::string> args) {
        // After the subcommand ("cases") or the sub-subcommand ("case show", "user add").
        const bool grouped = args[0] == "case" || args[0] == "user" || args[0] == "template";
        args.insert(args.begin() + (grouped ? 2 : 1), {"--dir", county.string()});
        return runProcess(countyBin, args);
    }
};

/// The office month (UTC+8) the surveys imported now are recorded in: its first and last day,
/// and a --now in the month after it, when it has ended and its survey figures are released.
struct RecordedMonth {
    std::string month, first, last, after;
};
RecordedMonth recordedMonth() {
    using namespace std::chrono;
    const auto local = floor<days>(system_clock::now() + hours(8));
    const year_month_day today(local);
    const year_month m = today.year() / today.month();
    const sys_days first(m / 1), last(m / std::chrono::last);
    auto text = [](sys_days d) {
        const year_month_day x(d);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(x.year()), unsigned(x.month()),
                      unsigned(x.day()));
        return std::string(buf);
    };
    const auto after = duration_cast<seconds>((last + days(2)).time_since_epoch()).count();
    return {text(first).substr(0, 7), text(first), text(last), std::to_string(after)};
}

} // namespace

TEST_CASE("import from a USB export, list, show and set by receipt code, re-import is harmless",
          "[staff][cli]") {
    Site s;
    json complaint = s.example("complaint");
    complaint["description"] = "周六在 3 号楼 \"一对一\" 补课，老师收费 200 元/次 \\ 🙏";
    const std::string code = s.submit("complaint", complaint)["receipt_code"];
    json named = s.example("complaint");
    named["anonymous"] = "no";
    named["contact_name"] = "王女士";
    named["contact_phone"] = "13800000000";
    const std::string namedCode = s.submit("complaint", named)["receipt_code"];
    s.submit("survey", s.example("survey"));
    s.exportToUsb();

    auto r = s.staff({"import", s.usb.string()});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("3 新记录 recorded"));
    REQUIRE(fs::exists(s.county / "ledger.db"));
    REQUIRE(fs::exists(s.county / "keys/ledger.key")); // --no-passphrase county
    struct stat st {};
    REQUIRE(stat((s.county / "keys/ledger.key").c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);

    // The same stick again: nothing new, nothing doubled.
    r = s.staff({"import", s.usb.string()});
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("0 新记录 recorded, 3 已有"));

    r = s.staff({"cases", "--json"});
    REQUIRE(r.exitCode == 0);
    auto cases = json::parse(r.out);
    REQUIRE(cases.size() == 2);
    REQUIRE(cases[0]["case"] == "yx-001/1");
    REQUIRE(cases[0]["status"] == "received");

    // Show by the code the parent reads out (any grouping).
    std::string digits;
    for (char c : code)
        if (c != '-')
            digits += c;
    r = s.staff({"case", "show", digits, "--json"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto shown = json::parse(r.out);
    REQUIRE(shown["case"] == "yx-001/1");
    REQUIRE(shown["answers"]["description"] == complaint["description"]);
    REQUIRE_FALSE(shown.contains("contact"));
    r = s.staff({"case", "show", code});
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("请说说具体情况")); // the form's label
    REQUIRE_THAT(r.out, Catch::Contains("已接收 received"));
    REQUIRE_THAT(r.out, Catch::Contains("到期 Due"));

    // A mistyped code (one digit changed) is caught by the check digit.
    std::string typo = digits;
    typo[5] = typo[5] == '9' ? '0' : static_cast<char>(typo[5] + 1);
    r = s.staff({"case", "show", typo});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("号码有误"));
    r = s.staff({"case", "show", "1234"});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("16"));

    // Set with a Chinese status name; no server: recorded and queued, said plainly.
    r = s.staff({"case", "set", code, "--status", "已受理", "--reply", "已收到，正在核查。"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("已记录 Recorded"));
    REQUIRE_THAT(r.out, Catch::Contains("queued"));
    r = s.staff({"case", "set", "yx-001/1", "--status", "done"});
    REQUIRE(r.exitCode == 2);
    r = s.staff({"case", "set", "yx-001/1", "--status", "in_progress", "--reply",
                 std::string(4001, 'x'), "--offline"});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("4000"));
    r = s.staff({"case", "show", code, "--json"});
    shown = json::parse(r.out);
    REQUIRE(shown["status"] == "accepted");
    REQUIRE(shown["reply"] == "已收到，正在核查。");
    REQUIRE(shown["history"].size() == 2);
    REQUIRE(shown["history"][1]["pushed"] == false);

    // The real-name report shows its contact; filters work.
    r = s.staff({"case", "show", namedCode, "--json"});
    REQUIRE(json::parse(r.out)["contact"]["name"] == "王女士");
    r = s.staff({"cases", "--status", "accepted", "--json"});
    REQUIRE(json::parse(r.out).size() == 1);
    r = s.staff({"cases", "--overdue", "--json"});
    REQUIRE(json::parse(r.out).empty());
    r = s.staff(
        {"cases", "--overdue", "--json", "--now", std::to_string(std::time(nullptr) + 40 * 86400)});
    REQUIRE(json::parse(r.out).size() == 2);
    r = s.staff({"cases", "--now", std::to_string(std::time(nullptr) + 40 * 86400)});
    REQUIRE_THAT(r.out, Catch::Contains("超期 OVERDUE"));
}

TEST_CASE("exports through the command: CSV for Excel, Open311, and the report",
          "[staff][cli][export]") {
    Site s;
    json complaint = s.example("complaint");
    complaint["description"] = "=1+2 这是公式";
    s.submit("complaint", complaint);
    for (int i = 0; i < 5; ++i)
        s.submit("survey", s.example("survey"));
    s.exportToUsb();
    REQUIRE(s.staff({"import", s.usb.string()}).exitCode == 0);

    // CSV: a folder with a file per form and the history, each private to the office.
    const fs::path csvDir = s.tmp / "cases-csv";
    auto r = s.staff({"export", "--format", "csv", "--out", csvDir.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    for (const char* name : {"complaint.csv", "survey.csv", "history.csv"}) {
        INFO(name);
        const std::string text = test::readFile(csvDir / name);
        REQUIRE(text.rfind("\xEF\xBB\xBF", 0) == 0);
        REQUIRE(text.find("\r\n") != std::string::npos);
        struct stat st {};
        REQUIRE(stat((csvDir / name).c_str(), &st) == 0);
        REQUIRE((st.st_mode & 0777) == 0600);
    }
    REQUIRE(test::readFile(csvDir / "complaint.csv").find("'=1+2 这是公式") != std::string::npos);
    // No survey leaves as a row: its table holds the figures of months that have ended, and the
    // month these were recorded in has not — only the two header rows.
    const std::string surveys = test::readFile(csvDir / "survey.csv");
    REQUIRE(std::count(surveys.begin(), surveys.end(), '\n') == 2);

    // The workbook: a file, never standard output.
    const fs::path xlsx = s.tmp / "cases.xlsx";
    r = s.staff({"export", "--format", "xlsx", "--out", xlsx.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE(test::readFile(xlsx).rfind("PK", 0) == 0);
    struct stat st {};
    REQUIRE(stat(xlsx.c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);
    REQUIRE(s.staff({"export", "--format", "xlsx"}).exitCode == 2);

    r = s.staff({"export", "--format", "open311"});
    REQUIRE(r.exitCode == 0);
    auto o = json::parse(r.out);
    REQUIRE(o.size() == 1); // surveys are not service requests
    REQUIRE(o[0]["status"] == "open");
    REQUIRE(o[0]["service_request_id"].get<std::string>().find('/') == std::string::npos);

    r = s.staff({"export", "--format", "open311-services"});
    REQUIRE(r.exitCode == 0);
    auto services = json::parse(r.out);
    REQUIRE_FALSE(services.empty());
    for (const auto& service : services)
        REQUIRE(service["type"] == "realtime");

    r = s.staff({"export", "--format", "xml"});
    REQUIRE(r.exitCode == 2);

    // The survey figures come with a report for a whole month once it has ended.
    const auto month = recordedMonth();
    const fs::path html = s.tmp / "report.html";
    r = s.staff({"report", "--html", html.string(), "--since", month.first, "--until", month.last,
                 "--now", month.after});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("满意度问卷 Surveys: 5"));
    REQUIRE_THAT(r.out, Catch::Contains("n=5")); // 5 respondents: shown
    REQUIRE_THAT(r.out, Catch::Contains("满意率"));
    r = s.staff({"report"}); // everything so far: no released period, no survey figures
    REQUIRE(r.exitCode == 0);
    REQUIRE(r.out.find("n=5") == std::string::npos);
    REQUIRE_THAT(r.out, Catch::Contains("满意度问卷 Surveys: —"));
    REQUIRE_THAT(r.out, Catch::Contains("whole calendar months"));
    r = s.staff({"report", "--min-respondents", "6"}); // only the configured minimum
    REQUIRE(r.exitCode != 0);
    REQUIRE(test::readFile(html).find("<svg") != std::string::npos);
}

TEST_CASE("survey figures and the printable weekly table through the command, and a minimum "
          "that cannot be changed",
          "[staff][cli][surveys]") {
    Site s;
    for (int i = 0; i < 5; ++i)
        s.submit("survey", s.example("survey"));
    s.submit("complaint", s.example("complaint"));
    s.exportToUsb();
    REQUIRE(s.staff({"import", s.usb.string()}).exitCode == 0);

    // By the day the office recorded them: today's month, released once it has ended; a range
    // around it is refused.
    const auto month = recordedMonth();
    auto r = s.staff({"surveys", "--from", "2000-01-01", "--to", "2100-12-31", "--json"});
    REQUIRE(r.exitCode != 0);
    REQUIRE(r.out.find("respondents") == std::string::npos);
    r = s.staff({"surveys", "--month", month.month, "--json"}); // not ended yet
    REQUIRE(r.exitCode != 0);
    r = s.staff({"surveys", "--month", month.month, "--json", "--now", month.after});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    auto j = json::parse(r.out);
    REQUIRE(j["min_respondents"] == 5);
    REQUIRE(j["overall"]["respondents"] == 5);
    for (const auto* id : {"school", "grade", "homework_load", "overall", "still_tutoring",
                           "improvements", "comment"})
        REQUIRE(j["overall"]["questions"].contains(id));
    r = s.staff({"surveys"}); // last month by default
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("满意率 = "));

    // Another minimum, lower or higher, is refused for everyone, with the reason in Chinese, then
    // English: two minimums for one month would undo each other's complementary suppression.
    for (const auto* cmd : {"surveys", "report"})
        for (const auto* min : {"1", "6"}) {
            r = s.staff({cmd, "--min-respondents", min, "--now", month.after});
            INFO(cmd << " " << min);
            REQUIRE(r.exitCode != 0);
            REQUIRE(r.out.find("n=") == std::string::npos);
            const auto zh = r.err.find("只用配置的最少人数"),
                       en = r.err.find("only the configured");
            REQUIRE(zh != std::string::npos);
            REQUIRE(en != std::string::npos);
            REQUIRE(zh < en);
        }
    r = s.staff({"surveys", "--min-respondents", "5", "--month", month.month, "--json", "--now",
                 month.after}); // the configured one
    REQUIRE(r.exitCode == 0);

    // The weekly table as a printable page.
    const fs::path page = s.tmp / "weekly.html";
    r = s.staff({"stats", "--html", page.string()});
    REQUIRE(r.exitCode == 0);
    const std::string html = test::readFile(page);
    REQUIRE(html.find("<svg") != std::string::npos);
    REQUIRE(html.find("填报人") != std::string::npos);
    REQUIRE(html.find("style=") == std::string::npos);
    REQUIRE(html.find("<script") == std::string::npos);
    struct stat st {};
    REQUIRE(stat(page.c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);
    const fs::path monthly = s.tmp / "monthly.html";
    REQUIRE(s.staff({"stats", "--month", "2026-11", "--html", monthly.string()}).exitCode == 0);
    REQUIRE(test::readFile(monthly).find("月报表") != std::string::npos);
    REQUIRE(s.staff({"stats", "--month", "2026-11", "--from", "2026-11-02"}).exitCode != 0);
}

TEST_CASE("a passphrase-protected county asks once and keeps the ledger under it",
          "[staff][cli][passphrase]") {
    test::TempDir tmp{"minsheng-staff-pass"};
    const fs::path county = tmp / "county", bundle = tmp / "kiosk", usb = tmp / "usb";
    const fs::path pass = tmp / "pass.txt", wrong = tmp / "wrong.txt";
    test::writeFile(pass, "a long county passphrase\n");
    test::writeFile(wrong, "not it\n");
    const auto cb = test::binary("minsheng-county"), kb = test::binary("minsheng-kiosk");
    auto r = runProcess(cb, {"init", "--dir", county.string(), "--passphrase-file", pass.string(),
                             "--fast-kdf", "--demo"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE(runProcess(cb, {"provision", "--dir", county.string(), "--kiosk-id", "k1", "--name",
                            "k1", "--out", bundle.string()})
                .exitCode == 0);
    auto ex = runProcess(
        kb, {"forms", "--config", (bundle / "kiosk.toml").string(), "--example", "complaint"});
    REQUIRE(runProcess(kb,
                       {"submit", "--config", (bundle / "kiosk.toml").string(), "--form",
                        "complaint", "--answers", "-"},
                       ex.out)
                .exitCode == 0);
    REQUIRE(runProcess(kb, {"outbox", "--config", (bundle / "kiosk.toml").string(), "--export",
                            usb.string()})
                .exitCode == 0);

    r = runProcess(cb, {"import", "--dir", county.string(), "--passphrase-file", wrong.string(),
                        usb.string()});
    REQUIRE(r.exitCode == 2);
    REQUIRE_FALSE(fs::exists(county / "ledger.db"));
    r = runProcess(
        cb, {"import", "--dir", county.string(), "--passphrase-file", pass.string(), usb.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE(fs::exists(county / "ledger.salt"));
    REQUIRE_FALSE(fs::exists(county / "keys/ledger.key"));
    r = runProcess(cb, {"cases", "--dir", county.string(), "--json"}, {},
                   {{"MINSHENG_PASSPHRASE_FILE", pass.string()}});
    REQUIRE(r.exitCode == 0);
    REQUIRE(json::parse(r.out).size() == 1);
    r = runProcess(cb, {"cases", "--dir", county.string(), "--passphrase-file", wrong.string()});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("ledger.db"));
}

TEST_CASE("a tampered or forked file on the stick raises an alarm and is not recorded",
          "[staff][cli][attack]") {
    Site s;
    s.submit("complaint", s.example("complaint"));
    s.exportToUsb();
    REQUIRE(s.staff({"import", s.usb.string()}).exitCode == 0);
    // A second "envelope #1" with another hash: take the real one, change its receipt tag.
    const fs::path file = s.usb / "yx-001-0000000001.msenv.json";
    json e = json::parse(test::readFile(file));
    e.erase("hash");
    // Another receipt tag: a signed header field (the minute is sealed inside the payload).
    std::string tag = e["receipt_tag"].get<std::string>();
    tag[0] = tag[0] == '0' ? '1' : '0';
    e["receipt_tag"] = tag;
    const fs::path forged = s.tmp / "forged";
    fs::create_directories(forged);
    test::writeFile(forged / "yx-001-0000000001.msenv.json", e.dump());
    auto r = s.staff({"import", forged.string()});
    REQUIRE(r.exitCode == 1);
    REQUIRE_THAT(r.out, Catch::Contains("bad-signature"));
    r = s.staff({"alarms", "--json"});
    REQUIRE(json::parse(r.out).size() == 1);
    r = s.staff({"cases", "--json"});
    REQUIRE(json::parse(r.out).size() == 1);
}

TEST_CASE("enroll a re-keyed kiosk and revoke one", "[staff][cli][registry]") {
    Site s;
    // The provisioned kiosk's public key, as a file, enrolled under a new id.
    auto r = s.staff({"enroll", "--kiosk-id", "yx-002", "--name", "新机器", "--public-key",
                      (s.county / "kiosks/yx-001.pub").string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("key id"));
    r = s.staff({"enroll", "--kiosk-id", "yx-002", "--name", "again", "--public-key",
                 (s.county / "kiosks/yx-001.pub").string()});
    REQUIRE(r.exitCode == 2);
    r = s.staff({"enroll", "--kiosk-id", "yx-003", "--name", "secret", "--public-key",
                 (s.bundle / "keys/kiosk-signing.key").string()});
    REQUIRE(r.exitCode == 2); // never a secret key

    r = s.staff({"revoke", "--kiosk-id", "yx-002", "--reason", "被盗 stolen"});
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(test::readFile(s.county / "kiosks/yx-002.revoked"), Catch::Contains("被盗"));
    r = s.staff({"revoke", "--kiosk-id", "yx-002", "--reason", "again"});
    REQUIRE(r.exitCode == 2);
    r = s.staff({"revoke", "--kiosk-id", "nope", "--reason", "x"});
    REQUIRE(r.exitCode == 2);
    r = s.staff({"kiosks", "--offline", "--json"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto k = json::parse(r.out);
    REQUIRE(k.size() == 2);
    REQUIRE(k[1]["revoked"] == true);
}

TEST_CASE("every staff command explains itself", "[staff][cli][help]") {
    const auto cb = test::binary("minsheng-county");
    for (const auto& sub :
         {"pull", "import", "cases", "alarms", "export", "report", "enroll", "revoke", "kiosks"}) {
        auto r = runProcess(cb, {sub, "--help"});
        INFO(sub);
        REQUIRE(r.exitCode == 0);
        REQUIRE_THAT(r.out, Catch::Contains("--dir"));
    }
    for (const auto& sub : {"stats", "surveys", "audit"}) {
        auto r = runProcess(cb, {sub, "--help"});
        INFO(sub);
        REQUIRE(r.exitCode == 0);
        REQUIRE_THAT(r.out, Catch::Contains("--dir"));
    }
    for (const auto& [group, sub] : {std::pair{"case", "note"},
                                     {"case", "assign"},
                                     {"case", "extend"},
                                     {"user", "add"},
                                     {"user", "list"},
                                     {"user", "disable"},
                                     {"user", "passwd"}}) {
        auto r = runProcess(cb, {group, sub, "--help"});
        INFO(group << " " << sub);
        REQUIRE(r.exitCode == 0);
        REQUIRE_THAT(r.out, Catch::Contains("--user"));
    }
    auto r = runProcess(cb, {"case", "set", "--help"});
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("已办结"));
    REQUIRE_THAT(r.out, Catch::Contains("--result"));
}

TEST_CASE("accounts, named actors, the status machine, notes, stats and the audit log",
          "[staff][cli][accounts]") {
    Site s;
    const std::string code = s.submit("complaint", s.example("complaint"))["receipt_code"];
    s.exportToUsb();
    REQUIRE(s.staff({"import", s.usb.string()}).exitCode == 0);

    // Before any account: commands work unattributed, as a single-user office always did.
    auto r = s.staff({"case", "set", code, "--status", "已受理", "--offline"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("unattributed"));

    const fs::path good = s.tmp / "pw.txt", weak = s.tmp / "weak.txt";
    test::writeFile(good, "a long enough password\n");
    test::writeFile(weak, "short\n");
    r = s.staff(
        {"user", "add", "--name", "li", "--role", "clerk", "--password-file", good.string()});
    REQUIRE(r.exitCode == 2); // the first account must be a supervisor
    REQUIRE_THAT(r.err, Catch::Contains("supervisor"));
    r = s.staff({"user", "add", "--name", "王丽", "--role", "supervisor", "--password-file",
                 weak.string()});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("密码太短"));
    r = s.staff(
        {"user", "add", "--name", "王丽", "--role", "主管", "--password-file", good.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    r = s.staff({"user", "add", "--name", "li", "--role", "clerk", "--password-file", good.string(),
                 "--user", "王丽"});
    REQUIRE(r.exitCode == 0);
    r = s.staff({"user", "list", "--json", "--user", "li"});
    REQUIRE(r.exitCode == 0);
    REQUIRE(json::parse(r.out).size() == 2);

    // Once accounts exist, changes and views need a name.
    r = s.staff({"case", "set", code, "--status", "办理中", "--offline"});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("--user"));
    r = s.staff({"case", "set", code, "--status", "办理中", "--offline", "--user", "nobody"});
    REQUIRE(r.exitCode == 2);
    r = s.staff({"case", "set", code, "--status", "已办结", "--reply", "已退费", "--offline",
                 "--user", "li"});
    REQUIRE(r.exitCode == 2); // no --result
    REQUIRE_THAT(r.err, Catch::Contains("--result"));
    r = s.staff({"case", "note", code, "--text", "已联系学校，老师电话 139", "--user", "li"});
    REQUIRE(r.exitCode == 0);
    r = s.staff({"case", "assign", code, "--to", "li", "--user", "li"});
    REQUIRE(r.exitCode == 2); // clerks do not assign
    r = s.staff({"case", "assign", code, "--to", "li", "--user", "王丽"});
    REQUIRE(r.exitCode == 0);
    r = s.staff({"case", "set", code, "--status", "closed", "--reply", "已退费", "--result",
                 "已解决", "--offline", "--user", "li"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    r = s.staff({"case", "set", code, "--status", "received", "--offline", "--user", "王丽"});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("不允许"));

    r = s.staff({"case", "show", code, "--json", "--user", "王丽"});
    REQUIRE(r.exitCode == 0);
    auto shown = json::parse(r.out);
    REQUIRE(shown["history"].size() == 3);
    REQUIRE(shown["history"][0]["actor"].is_null());
    REQUIRE(shown["history"][1]["actor"].is_null()); // set before accounts existed
    REQUIRE(shown["history"][2]["actor"] == "li");
    REQUIRE(shown["history"][2]["result"] == "resolved");
    REQUIRE(shown["handler"] == "li");
    REQUIRE(shown["internal"].size() == 2);

    r = s.staff({"stats", "--from", "2000-01-01", "--to", "2099-12-31", "--json"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto stats = json::parse(r.out);
    REQUIRE(stats["complete"] == false);
    REQUIRE(stats["total"]["received"] == 1);
    REQUIRE(stats["total"]["closed"] == 1);
    REQUIRE(stats["total"]["closed_on_time"] == 1);
    REQUIRE(stats["by_kiosk"][0]["id"] == "yx-001");

    r = s.staff({"audit", "--json", "--user", "li"});
    REQUIRE(r.exitCode == 2); // clerks do not read the audit log
    r = s.staff({"audit", "--json", "--user", "王丽"});
    REQUIRE(r.exitCode == 0);
    std::vector<std::string> seen;
    for (const auto& row : json::parse(r.out))
        seen.push_back(row["action"].get<std::string>() + " " +
                       (row["actor"].is_null() ? "-" : row["actor"].get<std::string>()));
    REQUIRE(seen == std::vector<std::string>{"case.status -", "user.add -", "user.add 王丽",
                                             "case.note li", "case.assign 王丽", "case.status li",
                                             "case.view 王丽"});
}

TEST_CASE("reply warnings, templates, merging, bulk and follow-ups through the command",
          "[staff][cli][workflow]") {
    Site s;
    json named = s.example("complaint");
    named["anonymous"] = "no";
    named["contact_name"] = "王女士";
    named["contact_phone"] = "13800000000";
    const std::string code = s.submit("complaint", named)["receipt_code"];
    const std::string duplicate = s.submit("complaint", named)["receipt_code"];
    const std::string anonymous = s.submit("complaint", s.example("complaint"))["receipt_code"];
    s.exportToUsb();
    REQUIRE(s.staff({"import", s.usb.string()}).exitCode == 0);

    // A reply with a phone number and a name is refused until confirmed, with the warnings.
    const std::string risky = "请联系王老师 138 1234 5678";
    auto r = s.staff({"case", "status", code, "--status", "已受理", "--reply", risky, "--offline"});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("答复中含有电话号码 138…"));
    REQUIRE_THAT(r.err, Catch::Contains("答复中含有人名 王老师"));
    REQUIRE_THAT(r.err, Catch::Contains("--confirm-reply"));
    r = s.staff({"case", "show", code, "--json"});
    REQUIRE(json::parse(r.out)["status"] == "received"); // nothing was recorded
    r = s.staff({"case", "status", code, "--status", "已受理", "--reply", risky, "--offline",
                 "--confirm-reply"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);

    // Templates: the defaults, filled for a case.
    r = s.staff({"template", "list", "--json"});
    REQUIRE(r.exitCode == 0);
    REQUIRE(json::parse(r.out).size() == 5);
    r = s.staff({"template", "fill", "1", code});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("yx-001/1"));
    REQUIRE(r.out.find("{case}") == std::string::npos);
    r = s.staff({"template", "add", "--title", "补课答复", "--body", "已查处{case}"});
    REQUIRE(r.exitCode == 0);
    REQUIRE(json::parse(s.staff({"template", "list", "--json"}).out).size() == 6);

    // Merge the duplicate, then close both with the bulk command: the merged one is refused
    // on its own (it follows its target) and the command says so with exit 1.
    r = s.staff({"case", "merge", duplicate, "--into", code, "--offline"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    r = s.staff({"case", "merge", code, "--into", code, "--offline"});
    REQUIRE(r.exitCode == 2);
    r = s.staff({"case", "bulk", "--case", code, "--case", duplicate, "--case", anonymous,
                 "--action", "status", "--status", "closed", "--reply", "已责令整改", "--result",
                 "resolved", "--offline", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 1);
    auto outcomes = json::parse(r.out);
    REQUIRE(outcomes.size() == 3);
    REQUIRE(outcomes[0]["done"] == true);
    REQUIRE(outcomes[1]["done"] == false);
    REQUIRE(outcomes[2]["done"] == true);
    auto shown = json::parse(s.staff({"case", "show", duplicate, "--json"}).out);
    REQUIRE(shown["status"] == "closed");
    REQUIRE(shown["reply"] == "已责令整改");
    REQUIRE(shown["merged_into"] == "yx-001/1");

    // Follow-up: refused for the anonymous report, recorded for the named one.
    r = s.staff({"case", "followup", anonymous, "--reached", "yes", "--satisfaction", "满意"});
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("无法回访"));
    r = s.staff({"case", "followup", code, "--reached", "yes", "--satisfaction", "不满意"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("reopen"));
    shown = json::parse(s.staff({"case", "show", code, "--json"}).out);
    REQUIRE(shown["merged_cases"] == json::array({"yx-001/2"}));
    REQUIRE(shown["internal"].back()["kind"] == "followup");
    REQUIRE(shown["internal"].back()["satisfaction"] == "not_satisfied");

    const auto cb = test::binary("minsheng-county");
    for (const auto& [group, sub, option] : {std::tuple{"case", "merge", "--into"},
                                             {"case", "followup", "--satisfaction"},
                                             {"case", "bulk", "--action"},
                                             {"template", "list", "--category"},
                                             {"template", "add", "--title"},
                                             {"template", "edit", "--any-category"},
                                             {"template", "disable", "--user"},
                                             {"template", "fill", "--user"}}) {
        auto h = runProcess(cb, {group, sub, "--help"});
        INFO(group << " " << sub);
        REQUIRE(h.exitCode == 0);
        REQUIRE_THAT(h.out, Catch::Contains(option));
    }
}

TEST_CASE("cases with free text and an unknown school, and the calendar with its provisional "
          "year",
          "[staff][cli][cases][calendar]") {
    Site s;
    json complaint = s.example("complaint");
    complaint["description"] = "周末在居民楼里偷偷补课 Tutoring";
    s.submit("complaint", complaint);
    s.submit("complaint", s.example("complaint"));
    s.exportToUsb();
    REQUIRE(s.staff({"import", s.usb.string()}).exitCode == 0);

    auto r = s.staff({"cases", "--text", "tutoring", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    auto cases = json::parse(r.out);
    REQUIRE(cases.size() == 1);
    REQUIRE_FALSE(cases[0]["excerpt"].get<std::string>().empty());
    r = s.staff({"cases", "--text", "偷偷补课", "--json"});
    REQUIRE(json::parse(r.out).size() == 1);
    r = s.staff({"cases", "--school", "城东小学"});
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.err, Catch::Contains("没有符合条件的案件：学校「城东小学」不在登记的学校中"));
    REQUIRE_THAT(r.out, Catch::Contains("0 件"));
    r = s.staff({"cases", "--sort", "sideways"});
    REQUIRE(r.exitCode != 0);

    REQUIRE(fs::exists(s.county / "calendar.toml"));                    // copied by init
    r = s.staff({"calendar", "--year", "2026", "--now", "1796400000"}); // 2026-12-05
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("2026-02-14 周六") && Catch::Contains("2026-10-07 周三"));
    REQUIRE_THAT(r.err, Catch::Contains("2027 的调休安排尚未录入"));
}
