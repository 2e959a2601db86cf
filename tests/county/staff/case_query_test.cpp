// The case list over a real ledger: every filter, Chinese and Latin text search, the sort
// orders, paging, counts per status, unknown filter values, and the index after a change.
#include "county/staff/case_query.hpp"
#include "county/staff/staff_accounts.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <algorithm>

using namespace minsheng;
using namespace minsheng::staff;
using crypto::CaseStatus;
using nlohmann::json;
using std::chrono::sys_days;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;

namespace {

sys_days day(const char* text) {
    return test::officeDay(text);
}

std::int64_t at(const char* text, int hour, int minute = 0) {
    return test::officeTime(text, hour, minute);
}

const std::string kLongText = "周六上午在居民楼里上数学课，一个学期收费八千元，老师说不要告诉学校，"
                              "孩子每天晚上作业写到十一点，家长很着急，希望教育局尽快查处。";

/// Four complaints and a survey, received 23 November to 1 December 2026:
///   A k1 homework 实验小学 城东街道 "... Tutoring ON Sunday"  due 12-10, assigned to clerk
///   B k1 refund   城西街道 "培训机构不退费"                     due 12-11
///   D k2 refund   城东街道 "机构关门跑路"                       due 12-15, closed "已退费"
///   C k2 homework 实验小学 城东街道 kLongText                   due 12-18
struct CaseList {
    TestCounty county;
    std::unique_ptr<TestCounty::Loaded> loaded = county.load();
    Ledger ledger = county.openLedger();
    CaseRules rules;
    FormCatalog forms = FormCatalog::load(county.dir.formsDir());
    std::int64_t now = at("2026-12-11", 10);
    StaffAccounts accounts{ledger,
                           [this] {
                               return now;
                           }};
    CaseWorkflow workflow{ledger, rules, [this] {
                              return now;
                          }};
    Actor office{};
    StaffUser clerk;
    std::int64_t a = 0, b = 0, c = 0, d = 0;
    CaseIndex index{ledger, rules, forms};

    std::int64_t receive(const std::string& kiosk, std::int64_t when, json answers) {
        auto e = county.make(kiosk, answers);
        REQUIRE(
            ledger.recordBatch({opened(county, *loaded, e.envelope)}, {}, std::nullopt, when).ok());
        return ledger.caseByNumber(kiosk, e.envelope.header.sequence)->id;
    }

    CaseList() {
        a = receive("k1", at("2026-11-23", 10),
                    complaintAnswers("老师周末补课收费 Tutoring ON Sunday"));
        json bAnswers = complaintAnswers("培训机构不退费", "refund");
        bAnswers["township"] = "chengxi_jiedao";
        b = receive("k1", at("2026-11-24", 10), bAnswers);
        d = receive("k2", at("2026-11-26", 10), complaintAnswers("机构关门跑路", "refund"));
        c = receive("k2", at("2026-12-01", 10), complaintAnswers(kLongText));
        const json surveyAnswers = {
            {"school", "yx_shiyan_xiaoxue"}, {"grade", "g3"},         {"homework_load", 4},
            {"after_school_service", 4},     {"teaching_quality", 4}, {"training_burden", 4},
            {"spending_change", 4},          {"overall", 5}};
        auto survey = county.make("k1", surveyAnswers, false);
        REQUIRE(ledger
                    .recordBatch({opened(county, *loaded, survey.envelope)}, {}, std::nullopt,
                                 at("2026-11-27", 10))
                    .ok());
        StatusChange close;
        close.status = CaseStatus::Closed;
        close.reply = "已退费";
        close.result = CaseResult::Resolved;
        REQUIRE(workflow.changeStatus(office, d, close, *county.countySigner).ok());
        auto pw = crypto::SecretBytes::copyOf(std::string_view("a long password"));
        auto added = accounts.add("clerk", StaffRole::Clerk, pw, std::nullopt);
        REQUIRE(added.ok());
        clerk = *added;
        REQUIRE(workflow.assign(office, a, clerk).ok());
        REQUIRE(index.refresh().ok());
    }

    CaseListPage run(CaseQuery q) const { return index.query(q, now); }

    std::vector<std::int64_t> ids(CaseQuery q) const {
        std::vector<std::int64_t> out;
        for (const auto& r : run(std::move(q)).rows)
            out.push_back(r.id);
        return out;
    }
};

using Ids = std::vector<std::int64_t>;

} // namespace

TEST_CASE("utf8Excerpt counts code points and never cuts a character", "[staff][cases]") {
    CHECK(utf8Excerpt("ab中文字", 3) == "ab中…");
    CHECK(utf8Excerpt("ab中文字", 5) == "ab中文字");
    CHECK(utf8Excerpt("", 3).empty());
    CHECK(utf8Excerpt("🙏🙏🙏", 1) == "🙏…");
}

TEST_CASE("the case list filters, searches, sorts and pages", "[staff][cases]") {
    CaseList l;
    REQUIRE(l.index.size() == 5); // four complaints and the survey

    SECTION("the rows say what a list shows") {
        CaseQuery q;
        q.sort = CaseSort::ReceivedAsc;
        const auto page = l.run(q);
        REQUIRE(page.total == 4);
        const CaseListRow& ra = page.rows[0];
        CHECK(ra.caseNumber == "k1/1");
        CHECK(ra.categoryLabel == "作业太多、不合规定");
        CHECK(ra.schoolLabel == "云溪县实验小学");
        CHECK(ra.townshipLabel == "城东街道");
        CHECK(ra.dueDay == day("2026-12-10"));
        CHECK(ra.urgency == Urgency::Red);
        CHECK(ra.handlerId == l.clerk.id);
        CHECK(ra.handlerName == "clerk");
        CHECK(ra.excerpt == "老师周末补课收费 Tutoring ON Sunday");
        CHECK(page.rows[1].urgency == Urgency::Yellow); // B, due tomorrow
        CHECK(page.rows[2].urgency == Urgency::None);   // D, closed
        CHECK(page.rows[3].urgency == Urgency::None);   // C, due in five working days
        CHECK(page.rows[3].excerpt == utf8Excerpt(kLongText, kCaseExcerptCodePoints));
        CHECK(page.rows[3].excerpt.size() < kLongText.size());
    }
    SECTION("status, one or several; counts per status ignore the status filter") {
        CaseQuery q;
        q.statuses = {CaseStatus::Closed};
        auto page = l.run(q);
        CHECK(page.total == 1);
        CHECK(page.rows.at(0).id == l.d);
        CHECK(page.countsByStatus.at(CaseStatus::Received) == 3);
        CHECK(page.countsByStatus.at(CaseStatus::Closed) == 1);
        q.statuses = {CaseStatus::Closed, CaseStatus::Received};
        CHECK(l.run(q).total == 4);
        q.category = "refund";
        page = l.run(q);
        CHECK(page.countsByStatus.at(CaseStatus::Received) == 1);
        CHECK(page.countsByStatus.at(CaseStatus::Closed) == 1);
    }
    SECTION("category, school and township by id or Chinese label; kiosk by id") {
        CaseQuery q;
        q.sort = CaseSort::ReceivedAsc;
        q.category = "refund";
        CHECK(l.ids(q) == Ids{l.b, l.d});
        q.category = "退费难、预收费";
        CHECK(l.ids(q) == Ids{l.b, l.d});
        q.category.reset();
        q.school = "云溪县实验小学";
        CHECK(l.ids(q) == Ids{l.a, l.c});
        q.school = "yx_shiyan_xiaoxue";
        CHECK(l.ids(q) == Ids{l.a, l.c});
        q.school.reset();
        q.township = "城西街道";
        CHECK(l.ids(q) == Ids{l.b});
        q.township = "chengdong_jiedao";
        CHECK(l.ids(q) == Ids{l.a, l.d, l.c});
        q.township.reset();
        q.kioskId = "k2";
        CHECK(l.ids(q) == Ids{l.d, l.c});
    }
    SECTION("received and due date ranges, office-local days, inclusive") {
        CaseQuery q;
        q.sort = CaseSort::ReceivedAsc;
        q.receivedFrom = day("2026-11-24");
        q.receivedTo = day("2026-11-26");
        CHECK(l.ids(q) == Ids{l.b, l.d});
        q = {};
        q.sort = CaseSort::ReceivedAsc;
        q.dueFrom = day("2026-12-11");
        q.dueTo = day("2026-12-15");
        CHECK(l.ids(q) == Ids{l.b, l.d});
    }
    SECTION("urgency, at the query's time") {
        CaseQuery q;
        q.sort = CaseSort::ReceivedAsc;
        q.urgency = UrgencyFilter::Red;
        CHECK(l.ids(q) == Ids{l.a});
        q.urgency = UrgencyFilter::Yellow;
        CHECK(l.ids(q) == Ids{l.b});
        q.urgency = UrgencyFilter::YellowOrRed;
        CHECK(l.ids(q) == Ids{l.a, l.b});
        l.now = at("2026-12-16", 10); // C is due on the second working day after
        q.urgency = UrgencyFilter::Yellow;
        CHECK(l.ids(q) == Ids{l.c});
    }
    SECTION("handler of the newest assignment") {
        CaseQuery q;
        q.handlerId = l.clerk.id;
        CHECK(l.ids(q) == Ids{l.a});
        q.handlerId = l.clerk.id + 100;
        CHECK(l.run(q).total == 0);
    }
    SECTION("free text: Chinese substrings, Latin without regard to case, number and reply") {
        CaseQuery q;
        q.sort = CaseSort::ReceivedAsc;
        q.text = "不退费";
        CHECK(l.ids(q) == Ids{l.b});
        q.text = "tutoring on sunday";
        CHECK(l.ids(q) == Ids{l.a});
        q.text = "希望教育局";
        CHECK(l.ids(q) == Ids{l.c}); // beyond the excerpt
        q.text = "K2/";
        CHECK(l.ids(q) == Ids{l.d, l.c});
        q.text = "已退费"; // D's reply
        CHECK(l.ids(q) == Ids{l.d});
        q.text = "作业太多"; // the category as rendered
        CHECK(l.ids(q) == Ids{l.a, l.c});
        q.text = "没有这句话";
        CHECK(l.run(q).total == 0);
    }
    SECTION("surveys only when asked, and never with a complaint-only filter") {
        CaseQuery q;
        q.includeSurveys = true;
        auto page = l.run(q);
        CHECK(page.total == 5);
        CHECK(std::count_if(page.rows.begin(), page.rows.end(),
                            [](const CaseListRow& r) { return r.survey; }) == 1);
        q.category = "refund";
        CHECK(l.run(q).total == 2);
    }
    SECTION("sort orders") {
        CaseQuery q;
        CHECK(l.ids(q) == Ids{l.c, l.d, l.b, l.a}); // received, newest first
        q.sort = CaseSort::ReceivedAsc;
        CHECK(l.ids(q) == Ids{l.a, l.b, l.d, l.c});
        q.sort = CaseSort::DueAsc;
        CHECK(l.ids(q) == Ids{l.a, l.b, l.d, l.c});
        q.sort = CaseSort::DueDesc;
        CHECK(l.ids(q) == Ids{l.c, l.d, l.b, l.a});
        q.sort = CaseSort::Status; // open first, then finished; received time within
        CHECK(l.ids(q) == Ids{l.a, l.b, l.c, l.d});
    }
    SECTION("paging: total over all matches, limit clamped") {
        CaseQuery q;
        q.sort = CaseSort::ReceivedAsc;
        q.limit = 3;
        auto page = l.run(q);
        CHECK(page.total == 4);
        CHECK(l.ids(q) == Ids{l.a, l.b, l.d});
        q.offset = 3;
        CHECK(l.ids(q) == Ids{l.c});
        q.offset = 10;
        page = l.run(q);
        CHECK(page.rows.empty());
        CHECK(page.total == 4);
        q.offset = 0;
        q.limit = 0;
        CHECK(l.run(q).rows.size() == 1);
    }
    SECTION("a filter value nobody knows is told apart from one without cases") {
        CaseQuery q;
        q.school = "城东小学";
        CHECK(l.run(q).total == 0);
        auto unknown = l.index.describeUnknownFilters(q);
        REQUIRE(unknown.size() == 1);
        CHECK_THAT(unknown[0], Catch::StartsWith("学校「城东小学」不在登记的学校中") &&
                                   Catch::Contains("school 城东小学 is not a known school") &&
                                   Catch::Contains("云溪县城东小学 (yx_chengdong_xiaoxue)"));
        q.school = "云溪县城东小学"; // known, no case
        CHECK(l.run(q).total == 0);
        CHECK(l.index.describeUnknownFilters(q).empty());
        q = {};
        q.kioskId = "k9";
        q.category = "homework";
        unknown = l.index.describeUnknownFilters(q);
        REQUIRE(unknown.size() == 1);
        CHECK_THAT(unknown[0], Catch::Contains("kiosk k9") && Catch::Contains("k1, k2"));
        CHECK(l.index.describeUnknownFilters({}).empty());
    }
}

TEST_CASE("the index changes only when told, case by case or in full", "[staff][cases]") {
    CaseList l;
    StatusChange accept;
    accept.status = CaseStatus::Accepted;
    REQUIRE(l.workflow.changeStatus(l.office, l.b, accept, *l.county.countySigner).ok());
    REQUIRE(l.workflow.extendDeadline(l.office, l.b, day("2026-12-31"), "需要会同核查").ok());
    CaseQuery q;
    q.statuses = {CaseStatus::Accepted};
    CHECK(l.run(q).total == 0); // not re-read yet
    REQUIRE(l.index.updateCase(l.b).ok());
    auto page = l.run(q);
    REQUIRE(page.total == 1);
    CHECK(page.rows[0].id == l.b);
    CHECK(page.rows[0].dueDay == day("2026-12-31")); // the extension is in force
    CHECK(page.rows[0].urgency == Urgency::None);

    const auto e = l.receive("k1", at("2026-12-11", 9), complaintAnswers("新的反映"));
    CHECK(l.run({}).total == 4);
    REQUIRE(l.index.updateCase(e).ok());
    CHECK(l.run({}).total == 5);
    CHECK(l.run({}).rows.at(0).id == e);
    REQUIRE(l.index.refresh().ok());
    CHECK(l.run({}).total == 5);
    CHECK(l.index.updateCase(999999).error().code == LedgerError::Code::NotFound);
}
