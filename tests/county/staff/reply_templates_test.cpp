// Reply templates in the ledger: the defaults step 3 ships, who may change them, the audit rows,
// listing by category, and the placeholders filled from a case.
#include "county/staff/audit_log.hpp"
#include "county/staff/reply_templates.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <sqlite3.h>

using namespace minsheng;
using namespace minsheng::staff;
using test::TestCounty;
using Code = WorkflowError::Code;

namespace {

struct Office {
    TestCounty county;
    Ledger ledger = county.openLedger();
    std::int64_t now = 1795500000;
    StaffAccounts accounts{ledger,
                           [this] {
                               return now;
                           }};
    ReplyTemplates templates{ledger, [this] {
                                 return now;
                             }};
    Actor supervisor, clerk, auditor;

    Office() {
        auto pw = crypto::SecretBytes::copyOf(std::string_view("a long password"));
        supervisor.user = *accounts.add("boss", StaffRole::Supervisor, pw, std::nullopt);
        clerk.user = *accounts.add("clerk", StaffRole::Clerk, pw, supervisor.id());
        auditor.user = *accounts.add("audit", StaffRole::Auditor, pw, supervisor.id());
    }

    std::vector<std::string> titles(const Actor& who, std::optional<std::string> category = {},
                                    bool all = false) {
        auto list = templates.list(who, category, all);
        REQUIRE(list.ok());
        std::vector<std::string> out;
        for (const auto& t : *list)
            out.push_back(t.title);
        return out;
    }
};

} // namespace

TEST_CASE("a new ledger has the default templates, and everyone who reads cases sees them",
          "[staff][templates]") {
    Office o;
    const std::vector<std::string> defaults{"受理告知", "办理中告知", "转办告知", "办结答复",
                                            "不予受理说明"};
    CHECK(o.titles(o.clerk) == defaults);
    CHECK(o.titles(o.auditor) == defaults);
    auto list = o.templates.list(o.clerk);
    REQUIRE(list.ok());
    for (const auto& t : *list) {
        CHECK_FALSE(t.category);
        CHECK_FALSE(t.createdBy);
        CHECK(t.body.find("{case}") != std::string::npos);
    }
}

TEST_CASE("only a supervisor adds, edits and disables templates, each with an audit row",
          "[staff][templates]") {
    Office o;
    const TemplateDraft draft{"作业时长答复", std::string("homework"),
                              "您反映的{category}问题（{case}）已转学校整改。"};
    CHECK(o.templates.add(o.clerk, draft).error().code == Code::Forbidden);
    CHECK(o.templates.add(o.auditor, draft).error().code == Code::Forbidden);
    CHECK(o.templates.add(o.supervisor, {"", std::nullopt, "x"}).error().code ==
          Code::MissingField);
    CHECK(o.templates.add(o.supervisor, {"t", std::nullopt, std::string(5000, 'x')}).error().code ==
          Code::Invalid);
    o.now += 10;
    auto id = o.templates.add(o.supervisor, draft);
    REQUIRE(id.ok());
    auto added = o.templates.find(o.clerk, *id);
    REQUIRE(added.ok());
    CHECK(added->createdByName == "boss");
    CHECK(added->updatedAt == o.now);

    // For a category: its own and the general ones; another category does not see it.
    CHECK(o.titles(o.clerk, std::string("homework")).back() == "作业时长答复");
    CHECK(o.titles(o.clerk, std::string("fees")).size() == 5);
    CHECK(o.titles(o.clerk).size() == 6);

    TemplateDraft edited = draft;
    edited.body = "已整改：{case}";
    CHECK(o.templates.update(o.clerk, *id, edited).error().code == Code::Forbidden);
    CHECK(o.templates.update(o.supervisor, 999, edited).error().code == Code::NotFound);
    o.now += 10;
    REQUIRE(o.templates.update(o.supervisor, *id, edited).ok());
    CHECK(o.templates.find(o.clerk, *id)->body == "已整改：{case}");

    CHECK(o.templates.disable(o.clerk, *id).error().code == Code::Forbidden);
    REQUIRE(o.templates.disable(o.supervisor, *id).ok());
    CHECK(o.titles(o.clerk).size() == 5);
    CHECK(o.titles(o.clerk, std::nullopt, true).size() == 6);
    CHECK(o.templates.find(o.clerk, *id)->disabled);

    auto audit = readAudit(o.ledger, {std::nullopt, o.supervisor.id(), std::nullopt, std::nullopt});
    REQUIRE(audit.ok());
    std::vector<std::string> actions;
    for (const auto& a : *audit)
        if (a.record.action.rfind("template.", 0) == 0)
            actions.push_back(a.record.action);
    CHECK(actions == std::vector<std::string>{"template.add", "template.edit", "template.disable"});
    // Never deleted.
    CHECK((sqlite3_exec(o.ledger.connection(), "DELETE FROM reply_templates", nullptr, nullptr,
                        nullptr) &
           0xff) == SQLITE_CONSTRAINT);
}

TEST_CASE("placeholders are filled from the case, other braces are left", "[staff][templates]") {
    const TemplateValues v{"k1/7", "作业过多", "2026-11-02", "2026-11-16"};
    CHECK(fillTemplate("案件{case}（{category}）于{received}收到，{due}前答复。", v) ==
          "案件k1/7（作业过多）于2026-11-02收到，2026-11-16前答复。");
    CHECK(fillTemplate("{case}{case} {unknown} {case", v) == "k1/7k1/7 {unknown} {case");
    CHECK(fillTemplate("", v).empty());

    CaseFile file;
    file.submission.kioskId = "k1";
    file.submission.sequence = 7;
    file.submission.receivedAt = 1795428300;
    CaseRules rules;
    file.dueDate = rules.dueDate(file.submission.receivedAt, "homework");
    const auto values = templateValues(file, "作业过多", rules);
    CHECK(values.caseNumber == "k1/7");
    CHECK(values.received == CaseRules::formatDay(rules.localDay(1795428300)));
    CHECK(values.due == CaseRules::formatDay(file.dueDate));
}
