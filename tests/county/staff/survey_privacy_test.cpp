// Survey privacy that survives arithmetic, through the real programs: surveys submitted with
// `minsheng-kiosk submit`, carried over on the USB stick and imported by `minsheng-county import`
// at a chosen office time (--now), then every way the county releases survey figures — the
// `surveys` command, `report`, and the xlsx/CSV/JSON/Open311 exports — asked before and after
// ONE more survey. The test tries the subtraction (per question, per school, per grade, per
// school × grade, totals) and checks it never gives that survey's answers; it also checks the
// hidden groups and their complements, that no export carries a minute or a comment, and that
// periods other than a whole ended month are refused.
#include <catch2/catch.hpp>

#include "tests/support/county_site.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

using namespace minsheng;
using nlohmann::json;
using test::runProcess;
namespace fs = std::filesystem;

namespace {

// Office times (UTC+8) as Unix seconds: March 2026 is the released month.
constexpr std::int64_t kMarch10 = 1773115200; // 2026-03-10 12:00 +08
constexpr std::int64_t kApril10 = 1775793600; // 2026-04-10 12:00 +08
constexpr std::int64_t kApril12 = 1775966400; // 2026-04-12 12:00 +08
constexpr std::int64_t kMay5 = 1777953600;    // 2026-05-05 12:00 +08

const char* kBigSchool = "yx_shiyan_xiaoxue";
const char* kSmallSchool = "yx_chengdong_xiaoxue";
const char* kMidSchool = "yx_diyi_zhongxue";
const char* kRatings[] = {"homework_load",   "after_school_service", "teaching_quality",
                          "training_burden", "spending_change",      "overall"};

struct Site : test::CountySite {
    Site() : CountySite("minsheng-survey-privacy", "yx-001", "阳光社区 1 号机") {}

    json survey(const std::string& school, const std::string& grade,
                const std::vector<int>& ratings, const std::string& comment) {
        json a = example("survey");
        a["school"] = school;
        a["grade"] = grade;
        for (std::size_t i = 0; i < std::size(kRatings); ++i)
            a[kRatings[i]] = ratings[i];
        a["comment"] = comment;
        return a;
    }
    void submitAll(const std::vector<json>& answers) {
        for (const auto& a : answers) {
            auto r = CountySite::submit("survey", a);
            INFO(r.err);
            REQUIRE(r.exitCode == 0);
        }
    }
    /// Imports what the kiosk holds, recorded at `now`.
    void importAt(std::int64_t now) {
        fs::remove_all(usb);
        exportToUsb();
        auto r = staff({"import", usb.string()}, now);
        INFO(r.out << r.err);
        REQUIRE(r.exitCode == 0);
    }
    test::ProcessResult staff(std::vector<std::string> args, std::int64_t now) {
        args.insert(args.begin() + 1, {"--dir", county.string(), "--now", std::to_string(now)});
        return runProcess(countyBin, args);
    }
    json surveysJson(const std::string& month, std::int64_t now) {
        auto r = staff({"surveys", "--month", month, "--json"}, now);
        INFO(r.out << r.err);
        REQUIRE(r.exitCode == 0);
        return json::parse(r.out);
    }
    /// Every export's survey part as text, and the JSON export's figures.
    struct Exports {
        json figures;     // the JSON export's survey_figures
        json submissions; // the JSON export's submissions
        std::string csv;  // survey.csv
        std::string open311;
    };
    Exports exports(std::int64_t now, const std::string& tag) {
        Exports e;
        const fs::path out = tmp / ("exports-" + tag);
        fs::create_directories(out);
        auto r = staff({"export", "--format", "json", "--out", (out / "all.json").string()}, now);
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
        const json j = json::parse(test::readFile(out / "all.json"));
        e.figures = j.at("survey_figures");
        e.submissions = j.at("submissions");
        r = staff({"export", "--format", "csv", "--out", (out / "csv").string()}, now);
        REQUIRE(r.exitCode == 0);
        e.csv = test::readFile(out / "csv" / "survey.csv");
        // The workbook holds the same tables as the CSV files (buildExportTables); its strings
        // are compressed, so it is only checked to be made.
        r = staff({"export", "--format", "xlsx", "--out", (out / "all.xlsx").string()}, now);
        REQUIRE(r.exitCode == 0);
        r = staff({"export", "--format", "open311"}, now);
        REQUIRE(r.exitCode == 0);
        e.open311 = r.out;
        return e;
    }
};

/// Every shown group of a surveys JSON, by "dimension:id": its respondents and, per rating
/// question, the distribution over the five points.
using Figures = std::map<std::string, std::pair<long, std::map<std::string, std::vector<long>>>>;

Figures shownFigures(const json& stats) {
    Figures out;
    auto add = [&](const std::string& dimension, const json& g) {
        if (g.value("hidden", false))
            return;
        auto& f = out[dimension + ":" + g.at("id").get<std::string>()];
        f.first = g.at("respondents").get<long>();
        for (const char* q : kRatings) {
            const auto& d = g.at("questions").at(q).at("distribution"); // {"1": n, … "5": n}
            for (int point = 1; point <= 5; ++point)
                f.second[q].push_back(d.at(std::to_string(point)).get<long>());
        }
    };
    add("overall", stats.at("overall"));
    for (const char* key : {"by_school", "by_grade", "by_school_grade"})
        for (const auto& g : stats.at(key))
            add(key, g);
    return out;
}

/// What subtracting `before` from `after` tells about the surveys in between: for every group
/// shown in both, the difference of respondents and of each rating's distribution.
bool differenceRevealsOne(const Figures& before, const Figures& after,
                          const std::vector<int>& answers) {
    for (const auto& [id, a] : after) {
        auto b = before.find(id);
        if (b == before.end() || a.first - b->second.first != 1)
            continue;
        // One respondent more in this group: are its answers the difference?
        bool all = true;
        for (std::size_t i = 0; i < std::size(kRatings); ++i) {
            const auto& da = a.second.at(kRatings[i]);
            const auto& db = b->second.second.at(kRatings[i]);
            std::vector<long> diff(da.size());
            for (std::size_t k = 0; k < da.size(); ++k)
                diff[k] = da[k] - db[k];
            std::vector<long> one(da.size(), 0);
            one[answers[i] - 1] = 1;
            all = all && diff == one;
        }
        if (all)
            return true;
    }
    return false;
}

/// Figures of the groups a subtraction of shown parts from a shown total leaves: total minus
/// every shown part, for the county over schools, over grades, and each school over its grades.
std::vector<long> leftOverRespondents(const json& stats) {
    std::vector<long> left;
    const auto& overall = stats.at("overall");
    if (overall.value("hidden", false))
        return left;
    for (const char* key : {"by_school", "by_grade"}) {
        long rest = overall.at("respondents").get<long>();
        for (const auto& g : stats.at(key))
            if (!g.value("hidden", false))
                rest -= g.at("respondents").get<long>();
        left.push_back(rest);
    }
    return left;
}

} // namespace

TEST_CASE("one more survey cannot be isolated by subtracting any two releases",
          "[staff][cli][surveys][privacy]") {
    Site s;
    // March: 6 parents of the big school, 1 of the small one, 5 of the middle school.
    std::vector<json> march;
    for (int i = 0; i < 6; ++i)
        march.push_back(
            s.survey(kBigSchool, "g3", {4, 4, 5, 3, 4, 4}, "三月大校 " + std::to_string(i)));
    march.push_back(s.survey(kSmallSchool, "g3", {2, 2, 2, 2, 2, 2}, "唯一的小学家长说的话"));
    for (int i = 0; i < 5; ++i)
        march.push_back(
            s.survey(kMidSchool, "g5", {3, 5, 4, 4, 5, 3}, "三月中学 " + std::to_string(i)));
    s.submitAll(march);
    s.importAt(kMarch10);

    // March has not ended: nothing of it is released.
    auto early = s.staff({"surveys", "--month", "2026-03", "--json"}, kMarch10);
    CHECK(early.exitCode != 0);
    CHECK(early.out.find("respondents") == std::string::npos);

    const json before = s.surveysJson("2026-03", kApril10);
    const auto exportsBefore = s.exports(kApril10, "before");
    REQUIRE(before.at("overall").at("respondents") == 12);

    // Below-minimum cells and their complements: the small school (1 parent) is hidden, and so
    // is the next smallest school, so the county minus the shown school leaves 6, not 1.
    std::map<std::string, json> schools;
    for (const auto& g : before.at("by_school"))
        schools[g.at("id")] = g;
    CHECK(schools.at(kSmallSchool).value("hidden", false));
    CHECK(schools.at(kMidSchool).value("hidden", false));
    CHECK_FALSE(schools.at(kSmallSchool).contains("respondents"));
    for (long left : leftOverRespondents(before))
        CHECK((left == 0 || left >= before.at("min_respondents").get<long>()));
    for (const auto& g : before.at("by_school_grade"))
        if (g.at("school") == kSmallSchool)
            CHECK(g.value("hidden", false));

    // ONE more survey, with answers nobody else gave, recorded in April.
    const std::vector<int> oneMore = {1, 5, 1, 5, 1, 5};
    s.submitAll({s.survey(kBigSchool, "g3", oneMore, "多出来的那一份")});
    s.importAt(kApril12);

    const json after = s.surveysJson("2026-03", kApril12 + 86400);
    const auto exportsAfter = s.exports(kApril12 + 86400, "after");
    // The released month is the same whenever it is asked for …
    CHECK(shownFigures(before) == shownFigures(after));
    CHECK(exportsBefore.figures == exportsAfter.figures);
    CHECK(exportsBefore.csv == exportsAfter.csv);
    // … so no subtraction — per question, school, grade, school × grade or total — gives it.
    CHECK_FALSE(differenceRevealsOne(shownFigures(before), shownFigures(after), oneMore));

    // April is not released until it has ended; then it holds one survey: all hidden.
    CHECK(s.staff({"surveys", "--month", "2026-04", "--json"}, kApril12 + 86400).exitCode != 0);
    const json april = s.surveysJson("2026-04", kMay5);
    CHECK(april.at("overall").value("hidden", false));
    CHECK(shownFigures(april).empty());
    // Subtracting March from April, or March from the two months' exports, gives nothing either.
    CHECK_FALSE(differenceRevealsOne(shownFigures(before), shownFigures(april), oneMore));
    const auto exportsMay = s.exports(kMay5, "may");
    REQUIRE(exportsMay.figures.size() == 2); // March and April
    for (const auto& month : exportsMay.figures)
        CHECK_FALSE(differenceRevealsOne(shownFigures(before), shownFigures(month), oneMore));

    // Overlapping or arbitrary periods are refused, in Chinese then English.
    for (const auto& range :
         std::vector<std::pair<std::string, std::string>>{{"2026-03-01", "2026-03-15"},
                                                          {"2026-03-02", "2026-03-31"},
                                                          {"2026-03-01", "2026-04-30"},
                                                          {"2026-04-06", "2026-04-12"}}) {
        auto r = s.staff({"surveys", "--from", range.first, "--to", range.second, "--json"}, kMay5);
        INFO(range.first << " – " << range.second);
        CHECK(r.exitCode != 0);
        CHECK(r.out.find("respondents") == std::string::npos);
        const auto zh = r.err.find("整月"), en = r.err.find("whole calendar months");
        CHECK(zh != std::string::npos);
        CHECK(en != std::string::npos);
        CHECK(zh < en);
    }
    auto report = s.staff({"report", "--since", "2026-03-01", "--until", "2026-03-20"}, kMay5);
    REQUIRE(report.exitCode == 0);
    CHECK(report.out.find("n=") == std::string::npos);
    CHECK(report.out.find("whole calendar months") != std::string::npos);

    // No export carries a survey row, its minute or any comment.
    for (const auto* e : {&exportsBefore, &exportsAfter, &exportsMay}) {
        for (const auto& sub : e->submissions)
            CHECK(sub.at("kind") != "survey");
        for (const std::string text :
             {"唯一的小学家长说的话", "多出来的那一份", "三月大校", "三月中学"}) {
            CHECK(e->csv.find(text) == std::string::npos);
            CHECK(e->figures.dump().find(text) == std::string::npos);
            CHECK(e->open311.find(text) == std::string::npos);
        }
        CHECK(e->csv.find("2026-03-10") == std::string::npos); // the recorded/submitted day
        CHECK(e->figures.dump().find("created") == std::string::npos);
    }
}

TEST_CASE("the months a survey export holds are fixed and their hidden groups stay hidden",
          "[staff][cli][surveys][privacy]") {
    Site s;
    std::vector<json> march;
    for (int i = 0; i < 5; ++i)
        march.push_back(s.survey(kBigSchool, "g3", {4, 4, 4, 4, 4, 4}, "x"));
    march.push_back(s.survey(kSmallSchool, "g4", {1, 1, 1, 1, 1, 1}, "y"));
    s.submitAll(march);
    s.importAt(kMarch10);
    const auto e = s.exports(kApril10, "one");
    REQUIRE(e.figures.size() == 1);
    const json& m = e.figures[0];
    CHECK(m.at("month") == "2026-03");
    CHECK(m.at("from") == "2026-03-01");
    CHECK(m.at("to") == "2026-03-31");
    // 5 + 1: the 1 is hidden and, with no other school to hide with, so is the 5; the county
    // total (6) is then the two hidden schools together, which isolates neither.
    for (const auto& g : m.at("by_school"))
        CHECK(g.value("hidden", false));
    for (const auto& g : m.at("by_grade"))
        CHECK(g.value("hidden", false));
    // The CSV prints "*" for every figure of a hidden group, never the small school's n.
    CHECK(e.csv.find("yx_chengdong_xiaoxue,云溪县城东小学,respondents,答卷人数,*,*,*,*") !=
          std::string::npos);
    CHECK(e.csv.find("yx_chengdong_xiaoxue,云溪县城东小学,respondents,答卷人数,1") ==
          std::string::npos);
}

TEST_CASE("every file minsheng-county makes is its owner's alone under umask 022",
          "[staff][cli][modes]") {
    const mode_t saved = ::umask(022);
    {
        Site s;
        s.submitAll({s.survey(kBigSchool, "g3", {4, 4, 4, 4, 4, 4}, "x")});
        s.importAt(kMarch10);
        const fs::path out = s.tmp / "out";
        fs::create_directories(out);
        REQUIRE(s.staff({"export", "--format", "csv", "--out", (out / "csv").string()}, kApril10)
                    .exitCode == 0);
        REQUIRE(
            s.staff({"export", "--format", "json", "--out", (out / "a.json").string()}, kApril10)
                .exitCode == 0);
        REQUIRE(s.staff({"report", "--html", (out / "r.html").string()}, kApril10).exitCode == 0);
        std::size_t files = 0;
        for (const fs::path& root : {s.county, out / "csv"}) {
            for (const auto& e : fs::recursive_directory_iterator(root)) {
                struct stat st {};
                REQUIRE(::lstat(e.path().c_str(), &st) == 0);
                INFO(e.path());
                if (S_ISDIR(st.st_mode)) {
                    CHECK((st.st_mode & 0777) == 0700);
                } else if (S_ISREG(st.st_mode)) {
                    // Public keys and certificates are meant to be copied; still nobody else's.
                    CHECK((st.st_mode & 0077) == 0);
                    ++files;
                }
            }
        }
        for (const char* f : {"a.json", "r.html"}) {
            struct stat st {};
            REQUIRE(::stat((out / f).c_str(), &st) == 0);
            CHECK((st.st_mode & 0777) == 0600);
        }
        CHECK(files >= 10); // config, keys, TLS, ledger, exports
    }
    ::umask(saved);
}
