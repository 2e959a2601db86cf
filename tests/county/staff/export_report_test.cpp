// Exports (the .xlsx workbook, CSV per form, JSON, Open311 requests and services) and the report's
// small-group suppression, on ledger rows made with the real crypto and the county's real forms.
#include "county/staff/case_workflow.hpp"
#include "county/staff/exporters.hpp"
#include "county/staff/report.hpp"
#include "tests/county/staff/staff_test_support.hpp"
#include "tests/support/run_process.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <tuple>

using namespace minsheng;
using namespace minsheng::staff;
using nlohmann::json;
namespace fs = std::filesystem;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;

namespace {

/// Splits CSV text into records of cells (RFC 4180, CRLF record separator).
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                cell += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            rows.back().push_back(cell);
            cell.clear();
        } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.back().push_back(cell);
            cell.clear();
            rows.emplace_back();
            ++i;
        } else {
            REQUIRE(ch != '\n'); // a bare LF outside quotes would split a record in Excel
            cell += ch;
        }
    }
    if (rows.back().empty())
        rows.pop_back();
    return rows;
}

struct Fixture {
    TestCounty c;
    std::unique_ptr<TestCounty::Loaded> l = c.load();
    Ledger ledger = c.openLedger();
    FormCatalog forms = FormCatalog::load(c.dir.formsDir());
    CaseRules rules;
    std::int64_t now = 1795430000;
    CaseWorkflow workflow{ledger, rules, [this] {
                              return now;
                          }};

    /// Records complaints (and surveys) from kiosk k1, in this order, and returns every row.
    std::vector<Submission> record(const std::vector<json>& complaints,
                                   const std::vector<json>& surveys = {}) {
        std::vector<OpenedSubmission> subs;
        for (const auto& a : complaints)
            subs.push_back(opened(c, *l, c.make("k1", a).envelope));
        for (const auto& a : surveys)
            subs.push_back(opened(c, *l, c.make("k1", a, false).envelope));
        REQUIRE(ledger.recordBatch(subs, {}, std::nullopt, now).ok());
        return rows();
    }

    std::vector<Submission> rows() {
        auto r = ledger.submissions();
        REQUIRE(r.ok());
        return *r;
    }

    /// A signed status change by the office (no accounts yet: unattributed), a minute later.
    void change(std::uint64_t sequence, StatusChange ch) {
        now += 60;
        auto cs = ledger.caseByNumber("k1", sequence);
        REQUIRE(cs.ok());
        auto done = workflow.changeStatus(Actor{}, cs->id, ch, *c.countySigner);
        INFO((done ? std::string() : done.error().message));
        REQUIRE(done.ok());
    }

    CaseExtrasById extras(const std::vector<Submission>& rows) {
        auto x = readCaseExtras(ledger, rules, rows, now);
        REQUIRE(x.ok());
        return *x;
    }

    ExportContext context() { return ExportContext{&forms, &rules, "示范县“双减”办", now}; }
};

StatusChange to(crypto::CaseStatus status, std::string reply = {}) {
    StatusChange ch;
    ch.status = status;
    ch.reply = std::move(reply);
    return ch;
}

json survey(int homeworkLoad) {
    return {{"school", "yx_shiyan_xiaoxue"},
            {"grade", "g3"},
            {"homework_load", homeworkLoad},
            {"after_school_service", 4},
            {"teaching_quality", 4},
            {"training_burden", 4},
            {"spending_change", 4},
            {"overall", 3},
            {"improvements", {"homework_design", "sports_arts"}}};
}

/// An anonymous complaint with a formula in it, a real-name one with a mobile number (which
/// Excel would turn into 1.38E+10) and an institution named by digits, and one survey.
std::vector<Submission> recordMixed(Fixture& f, json& anon, json& named) {
    anon = complaintAnswers("=cmd|' /C calc'!A0 周六\"一对一\"补课, 收费 200 元\n第二行 🙏");
    named = complaintAnswers("实名反映", "safety");
    named["safety_type"] = "fire_safety";
    named["institution_name"] = "007";
    named["anonymous"] = "no";
    named["contact_name"] = "王女士";
    named["contact_phone"] = "13800138000";
    return f.record({anon, named}, {survey(5)});
}

/// The table's column index of the column whose id (header row 2) is `id`.
std::size_t columnOf(const std::vector<std::vector<std::string>>& table, const std::string& id) {
    REQUIRE(table.size() >= 2);
    for (std::size_t i = 0; i < table[1].size(); ++i)
        if (table[1][i] == id)
            return i;
    FAIL("no column " << id);
    return 0;
}

const ExportFile& fileNamed(const std::vector<ExportFile>& files, const std::string& name) {
    for (const auto& f : files)
        if (f.fileName == name)
            return f;
    FAIL("no file " << name);
    return files.front();
}

/// The ids a form's table must have in header row 2: the leading columns, every question in
/// the form's order, then (complaint forms) the case columns.
std::vector<std::string> expectedIds(const forms::Form& form, bool complaint) {
    std::vector<std::string> ids = {"case", "submitted", "form_version"};
    for (const auto& field : form.fields)
        ids.push_back(field.id);
    if (complaint)
        for (const char* id : {"status", "received", "due", "overdue", "closed", "closed_on_time",
                               "handler", "reply"})
            ids.push_back(id);
    return ids;
}

// ---- reading an .xlsx (a zip of XML files) through unzip ----------------------------------------

fs::path unzipProgram() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        const fs::path candidate = fs::path(dirs.substr(start, end - start)) / "unzip";
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        start = end + 1;
    }
    FAIL("unzip is needed to read the workbook (scripts/install-deps.sh installs it)");
    return {};
}

std::string unzipMember(const fs::path& zip, const std::string& member) {
    auto r = test::runProcess(unzipProgram(), {"-p", zip.string(), member});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return r.out;
}

std::string xmlUnescape(std::string s) {
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"&lt;", "<"},
                                   {"&gt;", ">"},
                                   {"&quot;", "\""},
                                   {"&apos;", "'"},
                                   {"&amp;", "&"}})
        for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
            s.replace(p, from.size(), to);
    return s;
}

/// The shared strings table, in order.
std::vector<std::string> sharedStrings(const fs::path& xlsx) {
    const std::string xml = unzipMember(xlsx, "xl/sharedStrings.xml");
    std::vector<std::string> out;
    for (auto p = xml.find("<si>"); p != std::string::npos; p = xml.find("<si>", p + 4)) {
        const auto t = xml.find('>', xml.find("<t", p)) + 1;
        out.push_back(xmlUnescape(xml.substr(t, xml.find("</t>", t) - t)));
    }
    return out;
}

/// "A1"-style reference of a 0-based row and column.
std::string cellRef(std::size_t row, std::size_t col) {
    std::string letters;
    for (std::size_t n = col + 1; n > 0; n = (n - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
    return letters + std::to_string(row + 1);
}

struct SheetCell {
    std::string type;  // the t attribute: "s" (shared string), "inlineStr", or "" for a number
    std::string value; // <v>: the number, or the shared string's index
};

std::optional<SheetCell> cellAt(const std::string& sheetXml, const std::string& ref) {
    const auto p = sheetXml.find("<c r=\"" + ref + "\"");
    if (p == std::string::npos)
        return std::nullopt;
    const auto openEnd = sheetXml.find('>', p);
    const std::string open = sheetXml.substr(p, openEnd - p);
    SheetCell c;
    if (const auto t = open.find(" t=\""); t != std::string::npos)
        c.type = open.substr(t + 4, open.find('"', t + 4) - (t + 4));
    if (open.back() == '/')
        return c;
    const auto v = sheetXml.find("<v>", openEnd);
    const auto close = sheetXml.find("</c>", openEnd);
    if (v != std::string::npos && v < close)
        c.value = sheetXml.substr(v + 3, sheetXml.find("</v>", v) - v - 3);
    return c;
}

} // namespace

TEST_CASE("csv cells are guarded and quoted", "[staff][export]") {
    REQUIRE(csvCell("plain") == "plain");
    REQUIRE(csvCell("中文") == "中文");
    REQUIRE(csvCell("a,b") == "\"a,b\"");
    REQUIRE(csvCell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    REQUIRE(csvCell("two\nlines") == "\"two\nlines\"");
    REQUIRE(csvCell("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
    REQUIRE(csvCell("+1") == "'+1");
    REQUIRE(csvCell("-2") == "'-2");
    REQUIRE(csvCell("@SUM(A1)") == "'@SUM(A1)");
    REQUIRE(csvCell("\tx") == "'\tx");
    REQUIRE(csvCell("0571-12345678") == "0571-12345678");
}

TEST_CASE("the CSV export writes a file per form with a column per question and no identity "
          "for anonymous reports",
          "[staff][export]") {
    Fixture f;
    json anon, named;
    auto rows = recordMixed(f, anon, named);
    const auto files = exportCsvPerForm(rows, f.extras(rows), f.context());
    REQUIRE(files.size() == 3);

    const auto& complaintCsv = fileNamed(files, "complaint.csv").bytes;
    REQUIRE(complaintCsv.rfind("\xEF\xBB\xBF", 0) == 0); // BOM
    auto table = parseCsv(complaintCsv.substr(3));
    REQUIRE(table.size() == 4); // two header rows, two complaints
    const auto* complaintForm = f.forms.form("complaint");
    REQUIRE(table[1] == expectedIds(*complaintForm, true));
    for (const auto& field : complaintForm->fields)
        REQUIRE(table[0][columnOf(table, field.id)] == field.label.zh);
    for (const auto& r : table)
        REQUIRE(r.size() == table[0].size());
    const auto& a = table[2];
    const auto& n = table[3];
    auto col = [&](const std::string& id) {
        return columnOf(table, id);
    };
    REQUIRE(a[col("case")] == "k1/1");
    REQUIRE(a[col("description")] == "'" + anon["description"].get<std::string>());
    REQUIRE(a[col("category")] == "作业太多、不合规定");
    REQUIRE(a[col("grade")] == f.forms.valueText("complaint", "grade", "g4"));
    REQUIRE(a[col("school")] == "云溪县实验小学");
    REQUIRE(a[col("contact_name")].empty());
    REQUIRE(a[col("contact_phone")].empty());
    REQUIRE(a[col("status")] == "已接收");
    REQUIRE(a[col("received")] == f.rules.formatLocal(1795430000));
    REQUIRE(a[col("submitted")] == f.rules.formatLocal(1795428300));
    REQUIRE(a[col("closed")].empty());
    REQUIRE(n[col("contact_name")] == "王女士");
    REQUIRE(n[col("contact_phone")] == "13800138000");
    REQUIRE(n[col("institution_name")] == "007");
    REQUIRE(n[col("category")] == "安全隐患");
    REQUIRE(n[col("grade")].empty()); // a question of another category
    // Nothing identifying in the anonymous row, anywhere.
    for (const auto& cell : a)
        REQUIRE(cell.find("王女士") == std::string::npos);

    const auto& surveyCsv = fileNamed(files, "survey.csv").bytes;
    REQUIRE(surveyCsv.rfind("\xEF\xBB\xBF", 0) == 0);
    auto st = parseCsv(surveyCsv.substr(3));
    // Surveys leave only as figures of ended months with enough respondents (docs/staff.md,
    // "Released periods"): one survey of a month not yet over gives the header rows alone, and
    // never the survey's row, its free text or its school.
    REQUIRE(st.size() == 2);
    REQUIRE(surveyCsv.find("作业布置得更合理") == std::string::npos);
    REQUIRE(surveyCsv.find("云溪县实验小学") == std::string::npos);

    auto history = parseCsv(fileNamed(files, "history.csv").bytes.substr(3));
    REQUIRE(history.size() == 4); // the automatic 已接收 of each complaint
    REQUIRE(history[2][columnOf(history, "case")] == "k1/1");
    REQUIRE(history[2][columnOf(history, "status")] == "已接收");
    REQUIRE(history[2][columnOf(history, "actor")] == "系统 system");
}

TEST_CASE("the workbook has a sheet per form and the history, phones as text and scores as "
          "numbers",
          "[staff][export][xlsx]") {
    Fixture f;
    json anon, named;
    auto rows = recordMixed(f, anon, named);
    auto transfer = to(crypto::CaseStatus::Transferred);
    transfer.unit = "县市场监管局";
    f.change(1, transfer);
    auto close = to(crypto::CaseStatus::Closed, "已责令整改");
    close.result = CaseResult::Resolved;
    f.change(2, close);
    rows = f.rows();

    const fs::path folder = f.c.tmp / "exports";
    fs::create_directories(folder);
    const fs::path xlsx = folder / "台账.xlsx";
    auto written = exportXlsx(rows, f.extras(rows), f.context(), xlsx);
    INFO((written ? std::string() : written.error().message));
    REQUIRE(written.ok());
    struct stat st {};
    REQUIRE(::stat(xlsx.c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);
    REQUIRE(std::distance(fs::directory_iterator(folder), fs::directory_iterator()) == 1);

    const auto tables = buildExportTables(rows, f.extras(rows), f.context());
    REQUIRE(tables.size() == 3);
    const std::string workbook = unzipMember(xlsx, "xl/workbook.xml");
    REQUIRE_THAT(workbook, Catch::Contains("name=\"" + f.forms.form("complaint")->title.zh + "\""));
    REQUIRE_THAT(workbook,
                 Catch::Contains("name=\"" + f.forms.form("survey")->title.zh + " 统计\""));
    REQUIRE_THAT(workbook, Catch::Contains("name=\"处理记录 history\""));
    const auto strings = sharedStrings(xlsx);
    auto stringAt = [&](const std::string& sheet, std::size_t row, std::size_t col) {
        auto cell = cellAt(sheet, cellRef(row, col));
        REQUIRE(cell);
        REQUIRE(cell->type == "s");
        const auto index = std::stoul(cell->value);
        REQUIRE(index < strings.size());
        return strings[index];
    };
    auto columnIn = [](const ExportTable& t, const std::string& id) {
        for (std::size_t i = 0; i < t.columns.size(); ++i)
            if (t.columns[i].id == id)
                return i;
        FAIL("no column " << id);
        return std::size_t{0};
    };

    // Complaints: the header has the questions; digit strings are text, never numbers.
    const std::string sheet1 = unzipMember(xlsx, "xl/worksheets/sheet1.xml");
    REQUIRE_THAT(sheet1, Catch::Contains("xSplit=\"1\" ySplit=\"2\"")); // frozen headers
    const auto& complaints = tables[0];
    for (const auto& field : f.forms.form("complaint")->fields) {
        REQUIRE(stringAt(sheet1, 0, columnIn(complaints, field.id)) == field.label.zh);
        REQUIRE(stringAt(sheet1, 1, columnIn(complaints, field.id)) == field.id);
    }
    REQUIRE(stringAt(sheet1, 3, columnIn(complaints, "contact_phone")) == "13800138000");
    REQUIRE(stringAt(sheet1, 3, columnIn(complaints, "institution_name")) == "007");
    REQUIRE(stringAt(sheet1, 2, columnIn(complaints, "description")) ==
            anon["description"].get<std::string>()); // text cells are never formulas
    REQUIRE_FALSE(cellAt(sheet1, cellRef(2, columnIn(complaints, "contact_phone"))));
    REQUIRE(stringAt(sheet1, 2, columnIn(complaints, "status")) == "已转办");
    REQUIRE_FALSE(cellAt(sheet1, cellRef(2, columnIn(complaints, "closed"))));
    REQUIRE(stringAt(sheet1, 3, columnIn(complaints, "status")) == "已办结");
    REQUIRE(stringAt(sheet1, 3, columnIn(complaints, "closed")) == f.rules.formatLocal(f.now));
    REQUIRE(stringAt(sheet1, 3, columnIn(complaints, "closed_on_time")) == "是");
    REQUIRE(stringAt(sheet1, 3, columnIn(complaints, "reply")) == "已责令整改");

    // Surveys: the figures sheet, released for ended months only (docs/staff.md); this
    // survey's month is not over, so the sheet has its two header rows and nothing of the
    // survey, its free text included.
    const std::string sheet2 = unzipMember(xlsx, "xl/worksheets/sheet2.xml");
    const auto& surveys = tables[1];
    REQUIRE(surveys.rows.empty());
    REQUIRE(stringAt(sheet2, 0, columnIn(surveys, "satisfaction_rate")) == "满意率");
    REQUIRE(stringAt(sheet2, 1, columnIn(surveys, "satisfaction_rate")) == "satisfaction_rate");
    REQUIRE_FALSE(cellAt(sheet2, cellRef(2, 0)));
    for (const auto& text : strings)
        REQUIRE(text.find("作业布置得更合理") == std::string::npos);

    // History: one row per status change, with the unit and the result.
    const std::string sheet3 = unzipMember(xlsx, "xl/worksheets/sheet3.xml");
    const auto& history = tables[2];
    REQUIRE(history.rows.size() == 4); // two automatic 已接收, one 已转办, one 已办结
    REQUIRE(stringAt(sheet3, 3, columnIn(history, "status")) == "已转办");
    REQUIRE(stringAt(sheet3, 3, columnIn(history, "unit")) == "县市场监管局");
    REQUIRE(stringAt(sheet3, 5, columnIn(history, "result")) == "已解决");
    REQUIRE(stringAt(sheet3, 5, columnIn(history, "actor")) == "未署名 unattributed");

    // The bytes API gives the same kind of file, for a download.
    auto bytes = exportXlsxBytes(rows, f.extras(rows), f.context(), folder);
    REQUIRE(bytes.ok());
    REQUIRE(bytes->rfind("PK\x03\x04", 0) == 0);
    REQUIRE(std::distance(fs::directory_iterator(folder), fs::directory_iterator()) == 1);
}

TEST_CASE("sheet names follow Excel's rules and stay unique", "[staff][export][xlsx]") {
    Fixture f;
    // Submissions of forms the catalogue does not know get sheets named by their form ids.
    auto rows = f.record({complaintAnswers("一")});
    Submission other = rows[0];
    other.formId = "history";
    Submission longer = rows[0];
    longer.formId = "a-form-id-much-longer-than-thirty-one-characters";
    rows.push_back(other);
    rows.push_back(longer);
    const auto tables = buildExportTables(rows, f.extras(rows), f.context());
    std::set<std::string> names;
    for (const auto& t : tables) {
        INFO(t.sheetName);
        REQUIRE(t.sheetName.size() <= 31 * 3);
        REQUIRE(t.sheetName.find_first_of("[]:*?/\\") == std::string::npos);
        std::string lower = t.sheetName;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        REQUIRE(lower != "history");
        REQUIRE(names.insert(lower).second);
    }
    REQUIRE(tables[2].sheetName == "a-form-id-much-longer-than-thir"); // 31 characters
    REQUIRE(tables[3].sheetName == "history (2)");
    REQUIRE(tables[3].fileStem == "history-form"); // history.csv is the history table's
    REQUIRE(tables[4].fileStem == "history");
    const fs::path xlsx = f.c.tmp / "odd.xlsx";
    REQUIRE(exportXlsx(rows, f.extras(rows), f.context(), xlsx).ok());
}

TEST_CASE("the JSON export carries each case's history and closing", "[staff][export]") {
    Fixture f;
    json named = complaintAnswers("实名");
    named["anonymous"] = "no";
    named["contact_name"] = "李大爷";
    named["contact_phone"] = "13900000000";
    auto rows = f.record({complaintAnswers("匿名"), named});
    auto close = to(crypto::CaseStatus::Closed, "已整改");
    close.result = CaseResult::Explained;
    f.change(1, close);
    rows = f.rows();

    auto j = json::parse(exportJson(rows, f.extras(rows), f.context()));
    REQUIRE(j["v"] == 1);
    REQUIRE(j["submissions"].size() == 2);
    const auto& first = j["submissions"][0];
    REQUIRE_FALSE(first.contains("contact"));
    REQUIRE(first["status"] == "closed");
    REQUIRE(first["closed"] == f.rules.formatIso(f.now));
    REQUIRE(first["closed_on_time"] == true);
    REQUIRE(first["history"].size() == 2);
    REQUIRE(first["history"][1]["result"] == "explained");
    REQUIRE(j["submissions"][1]["closed"].is_null());
    REQUIRE(j["submissions"][1]["contact"]["name"] == "李大爷");
}

TEST_CASE("Open311 requests have ids without '/', the parent's submission time and GeoReport's "
          "two states",
          "[staff][export][open311]") {
    Fixture f;
    json named = complaintAnswers("实名");
    named["anonymous"] = "no";
    named["contact_name"] = "李大爷";
    named["contact_phone"] = "13900000000";
    auto rows = f.record({complaintAnswers("匿名"), named, complaintAnswers("转办"),
                          complaintAnswers("不受理"), complaintAnswers("办理中")},
                         {survey(4)});
    auto close = to(crypto::CaseStatus::Closed, "已整改");
    close.result = CaseResult::Resolved;
    f.change(1, close);
    auto transfer = to(crypto::CaseStatus::Transferred, "已转交");
    transfer.unit = "县市场监管局";
    f.change(3, transfer);
    f.change(4, to(crypto::CaseStatus::NotAccepted, "不属于“双减”范围"));
    f.change(5, to(crypto::CaseStatus::InProgress));
    rows = f.rows();

    auto o = json::parse(exportOpen311(rows, f.extras(rows), f.context()));
    REQUIRE(o.is_array());
    REQUIRE(o.size() == 5); // surveys are not service requests
    for (const char* key : {"service_request_id", "status", "status_notes", "service_name",
                            "service_code", "description", "agency_responsible", "service_notice",
                            "requested_datetime", "updated_datetime", "expected_datetime",
                            "address", "address_id", "zipcode", "lat", "long", "media_url"})
        REQUIRE(o[0].contains(key));
    for (const auto& r : o)
        REQUIRE(r["service_request_id"].get<std::string>().find('/') == std::string::npos);
    REQUIRE(o[0]["service_request_id"] == "k1-1");
    REQUIRE(o[4]["service_request_id"] == "k1-5");
    // requested_datetime: when the parent submitted (the kiosk's minute), not when the county
    // received it.
    REQUIRE(rows[0].createdAt != rows[0].receivedAt);
    REQUIRE(o[0]["requested_datetime"] == f.rules.formatIso(rows[0].createdAt));
    REQUIRE(o[0]["updated_datetime"] == f.rules.formatIso(rows[0].updatedAt));
    REQUIRE(o[0]["status"] == "closed");
    REQUIRE(o[0]["status_notes"] == "已办结 closed。已整改");
    REQUIRE(o[1]["status"] == "open");
    REQUIRE(o[2]["status"] == "open"); // 已转办: another unit is handling it
    REQUIRE_THAT(o[2]["status_notes"].get<std::string>(), Catch::Contains("已转办"));
    REQUIRE_THAT(o[2]["status_notes"].get<std::string>(), Catch::Contains("县市场监管局"));
    REQUIRE(o[3]["status"] == "closed"); // 不予受理, with the reason told to the parent
    REQUIRE_THAT(o[3]["status_notes"].get<std::string>(), Catch::Contains("不属于“双减”范围"));
    REQUIRE(o[4]["status"] == "open");
    REQUIRE(o[0]["service_code"] == "homework");
    REQUIRE(o[0]["service_name"] == "作业太多、不合规定");
    REQUIRE(o[0]["description"] == "匿名");
    REQUIRE(o[0]["address"] == "城关片区 城东街道");
    // Open311 carries no contact at all, not even for real-name reports.
    REQUIRE(o.dump().find("李大爷") == std::string::npos);
    REQUIRE(o.dump().find("13900000000") == std::string::npos);
}

TEST_CASE("the Open311 services list names every category of the complaint form",
          "[staff][export][open311]") {
    Fixture f;
    auto services = json::parse(exportOpen311Services(f.forms));
    const auto* category = f.forms.form("complaint")->find("category");
    REQUIRE(category);
    REQUIRE(services.size() == category->options.size());
    for (std::size_t i = 0; i < services.size(); ++i) {
        const auto& s = services[i];
        REQUIRE(s["service_code"] == category->options[i].id);
        REQUIRE(s["service_name"] == category->options[i].label.zh);
        REQUIRE_FALSE(s["description"].get<std::string>().empty());
        REQUIRE(s["metadata"] == false);
        REQUIRE(s["type"] == "realtime");
    }
}

TEST_CASE("satisfaction figures below the minimum number of respondents are suppressed",
          "[staff][report]") {
    Fixture f;
    // School A: 6 parents, B: 7, C: 3 (a small class). Overall: 16.
    std::vector<OpenedSubmission> subs;
    auto survey = [&](const std::string& school, int score) {
        json a = {{"school", school},          {"grade", "g3"},         {"homework_load", score},
                  {"after_school_service", 4}, {"teaching_quality", 4}, {"training_burden", 4},
                  {"spending_change", 4},      {"overall", score}};
        subs.push_back(opened(f.c, *f.l, f.c.make("k1", a, false).envelope));
    };
    for (int i = 0; i < 6; ++i)
        survey("yx_shiyan_xiaoxue", 5);
    for (int i = 0; i < 7; ++i)
        survey("yx_chengdong_xiaoxue", 3);
    for (int i = 0; i < 3; ++i)
        survey("donghu_zhongxin_xiaoxue", 1);
    REQUIRE(f.ledger.recordBatch(subs, {}, std::nullopt, 1795430000).ok());
    auto rows = *f.ledger.submissions();
    // Survey figures are released for a whole month once it has ended: November, in December.
    const std::int64_t december2 = test::officeTime("2026-12-02", 12);
    ReportOptions opts;
    opts.since = test::officeDay("2026-11-01");
    opts.until = test::officeDay("2026-11-30");
    auto r = buildReport(rows, f.forms, f.rules, december2, opts, "示范县");
    REQUIRE(r.satisfaction);
    const auto& sat = *r.satisfaction;
    REQUIRE(sat.overall.respondents == 16);
    const auto q = static_cast<std::size_t>(
        std::find_if(sat.questions.begin(), sat.questions.end(),
                     [](const SurveyQuestion& x) { return x.id == "homework_load"; }) -
        sat.questions.begin());
    REQUIRE(q < sat.questions.size());
    auto rowOf = [&](const std::string& id) -> const SurveyGroup& {
        for (const auto& s : sat.bySchool)
            if (s.id == id)
                return s;
        FAIL("no row " << id);
        return sat.overall;
    };
    REQUIRE(rowOf("donghu_zhongxin_xiaoxue").visibility == Visibility::HiddenSmall); // 3 < 5
    // Only one school below the minimum: the smallest shown school is hidden too, or
    // C = total - A - B. Hidden schools keep no figure at all, not even their n.
    REQUIRE(rowOf("yx_shiyan_xiaoxue").visibility == Visibility::HiddenComplementary);
    REQUIRE(rowOf("yx_shiyan_xiaoxue").respondents == 0);
    REQUIRE_FALSE(rowOf("yx_chengdong_xiaoxue").hidden());
    REQUIRE(rowOf("yx_chengdong_xiaoxue").questions[q].average == Approx(3.0));
    REQUIRE(rowOf("yx_chengdong_xiaoxue").questions[q].satisfiedPercent == 0.0);
    REQUIRE_FALSE(sat.overall.hidden());
    // County-wide: 6 of 16 answered 5 → 满意率 37.5%.
    REQUIRE(sat.overall.questions[q].satisfiedPercent == Approx(37.5));

    const std::string text = reportText(r);
    REQUIRE_THAT(text, Catch::Contains("满意度问卷 Surveys: 16"));
    REQUIRE_THAT(text, Catch::Contains("满意率 0.0%  平均 avg 3.00  n=7"));
    REQUIRE(text.find("1.00") == std::string::npos); // school C's average appears nowhere
    REQUIRE(text.find("n=6") == std::string::npos);  // nor A's n, which would give C's
    REQUIRE(text.find("n=3") == std::string::npos);
    const std::string html = reportHtml(r);
    REQUIRE(html.find("1.00") == std::string::npos);
    REQUIRE(html.find("<td>7</td>") != std::string::npos); // B's n is shown
    REQUIRE(html.find("<svg") != std::string::npos);
    REQUIRE(html.find("http://www.w3.org/2000/svg") != std::string::npos);
    REQUIRE(html.find("src=") == std::string::npos); // self-contained
    REQUIRE(html.find("<script") == std::string::npos);
    REQUIRE(html.find("href=") == std::string::npos);

    // With a threshold of 3, C is shown.
    opts.minRespondents = 3;
    auto r3 = buildReport(rows, f.forms, f.rules, december2, opts, "示范县");
    REQUIRE(reportText(r3).find("满意率 0.0%  平均 avg 1.00  n=3") != std::string::npos);

    // Before November has ended, or for any span that is not a whole month, no survey figure.
    for (const auto& [since, until, now] :
         {std::tuple{"2026-11-01", "2026-11-30", std::int64_t(1795430000)},
          std::tuple{"2026-11-01", "2026-11-29", december2},
          std::tuple{"2026-11-23", "2026-11-23", december2}}) {
        opts.since = test::officeDay(since);
        opts.until = test::officeDay(until);
        const auto withheld = buildReport(rows, f.forms, f.rules, now, opts, "示范县");
        CHECK_FALSE(withheld.satisfaction);
        CHECK(reportText(withheld).find("n=") == std::string::npos);
        CHECK(reportText(withheld).find("whole calendar months") != std::string::npos);
    }
    opts.since.reset();
    opts.until.reset();
    CHECK_FALSE(buildReport(rows, f.forms, f.rules, december2, opts, "示范县").satisfaction);
    opts.since = test::officeDay("2026-11-01");
    opts.until = test::officeDay("2026-11-30");
    r3 = buildReport(rows, f.forms, f.rules, december2, opts, "示范县");
    REQUIRE(reportText(r3).find("满意率 0.0%  平均 avg 1.00  n=3") != std::string::npos);
}

TEST_CASE("the report tallies complaints by category, school, township, status and overdue",
          "[staff][report]") {
    Fixture f;
    auto rows = f.record({complaintAnswers("a"), complaintAnswers("b"),
                          complaintAnswers("c", "advertising"), complaintAnswers("d", "safety")});
    auto cs = f.ledger.caseByNumber("k1", 4);
    REQUIRE(f.ledger.appendStatus(cs->id, crypto::CaseStatus::Closed, "", 1795440000, "{}").ok());
    rows = *f.ledger.submissions();
    ReportOptions opts;
    // 30 days later: every open case is overdue.
    auto r = buildReport(rows, f.forms, f.rules, 1795430000 + 30 * 86400, opts, "示范县");
    REQUIRE(r.complaints == 4);
    REQUIRE(r.byCategory.at(0).id == "homework");
    REQUIRE(r.byCategory.at(0).count == 2);
    REQUIRE(r.byCategory.at(0).label == "作业太多、不合规定");
    REQUIRE(r.overdue == 3);
    REQUIRE(r.open == 3);
    REQUIRE(r.byTownship.at(0).label == "城东街道");
    auto html = reportHtml(r);
    REQUIRE(html.find("作业太多、不合规定") != std::string::npos);
    REQUIRE(htmlEscape("<b>\"x\"&'") == "&lt;b&gt;&quot;x&quot;&amp;&#39;");
}
