#include "county/staff/case_rules.hpp"
#include "county/staff/case_workflow.hpp"
#include "county/staff/ledger.hpp"
#include "county/staff/ledger_schema.hpp"
#include "county/staff/reply_templates.hpp"
#include "sync/store/sqlite_store.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <sodium.h>
#include <sqlite3.h>

using namespace minsheng;
using namespace minsheng::staff;
using nlohmann::json;
using test::complaintAnswers;
using test::opened;
using test::TestCounty;

namespace {

std::size_t countComplaints(Ledger& l) {
    auto s = l.stats();
    REQUIRE(s.ok());
    return s->complaints;
}

/// Opens the ledger file directly with SQLCipher, as an attacker with the key (or a bug) would.
struct RawDb {
    sqlite3* db = nullptr;
    RawDb(const std::filesystem::path& file, const crypto::SecretBytes& key) {
        REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
        std::string hex(2 * key.size() + 1, '\0');
        sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
        hex.pop_back();
        const std::string k = "x'" + hex + "'";
        REQUIRE(sqlite3_key(db, k.data(), static_cast<int>(k.size())) == SQLITE_OK);
        REQUIRE(exec("PRAGMA cipher_page_size = 4096") == SQLITE_OK);
    }
    ~RawDb() { sqlite3_close(db); }
    int exec(const std::string& sql) {
        return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) & 0xff;
    }
};

} // namespace

TEST_CASE("an envelope is recorded once, whichever way it comes", "[staff][ledger]") {
    TestCounty c;
    auto l = c.load();
    auto ledger = c.openLedger();
    auto e1 = c.make("k1", complaintAnswers("作业太多"));
    // First by USB stick, then over the network with the server's acknowledgement.
    auto r = ledger.recordBatch({opened(c, *l, e1.envelope)}, {}, std::nullopt, 1000);
    REQUIRE(r.ok());
    REQUIRE(r->at(0).outcome == RecordOutcome::Recorded);
    r = ledger.recordBatch({opened(c, *l, e1.envelope, c.ack(e1.envelope))}, {}, 5, 1001);
    REQUIRE(r.ok());
    REQUIRE(r->at(0).outcome == RecordOutcome::Duplicate);
    REQUIRE(countComplaints(ledger) == 1);
    auto rows = ledger.submissions();
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 1);
    REQUIRE(rows->at(0).acknowledged); // the ack was attached to the recorded envelope
    REQUIRE(rows->at(0).answers["description"] == "作业太多");
    REQUIRE(*ledger.cursor() == 5);
    // And again in the same batch: still once.
    r = ledger.recordBatch({opened(c, *l, e1.envelope), opened(c, *l, e1.envelope)}, {}, 4, 1002);
    REQUIRE(r.ok());
    REQUIRE(countComplaints(ledger) == 1);
    REQUIRE(*ledger.cursor() == 5); // the cursor never moves back
}

TEST_CASE("a second envelope for the same kiosk and sequence is a fork alarm", "[staff][ledger]") {
    TestCounty c;
    auto l = c.load();
    auto ledger = c.openLedger();
    auto a = c.make("k1", complaintAnswers("第一份"));
    // Rewind the kiosk's chain: the same key signs a different envelope #1 (a copied key).
    c.kiosk("k1").lastSeq = 0;
    c.kiosk("k1").lastHash = {};
    auto b = c.make("k1", complaintAnswers("伪造的第二份"));
    REQUIRE(a.envelope.header.sequence == b.envelope.header.sequence);
    auto r = ledger.recordBatch({opened(c, *l, a.envelope), opened(c, *l, b.envelope)}, {},
                                std::nullopt, 1000);
    REQUIRE(r.ok());
    REQUIRE(r->at(0).outcome == RecordOutcome::Recorded);
    REQUIRE(r->at(1).outcome == RecordOutcome::Fork);
    REQUIRE_THAT(r->at(1).message, Catch::Contains("FORK"));
    auto alarms = ledger.alarms();
    REQUIRE(alarms.ok());
    REQUIRE(alarms->size() == 1);
    REQUIRE(alarms->at(0).kind == AlarmKind::Fork);
    REQUIRE_FALSE(alarms->at(0).wire.empty()); // kept for examination
    auto rows = ledger.submissions();
    REQUIRE(rows->size() == 1);
    REQUIRE(rows->at(0).answers["description"] == "第一份"); // never replaced
}

TEST_CASE("the chain is checked against what the ledger holds, in any arrival order",
          "[staff][ledger]") {
    TestCounty c;
    auto l = c.load();
    auto ledger = c.openLedger();
    auto e1 = c.make("k1", complaintAnswers("一"));
    auto e2 = c.make("k1", complaintAnswers("二"));
    auto e3 = c.make("k1", complaintAnswers("三"));
    // #3 first (a gap is fine: the missing ones may still come), then #1, then #2.
    for (auto* e : {&e3, &e1, &e2}) {
        auto r = ledger.recordBatch({opened(c, *l, e->envelope)}, {}, std::nullopt, 1000);
        REQUIRE(r.ok());
        REQUIRE(r->at(0).outcome == RecordOutcome::Recorded);
    }
    REQUIRE(countComplaints(ledger) == 3);

    // A validly signed #5 that does not chain to a recorded #4 is refused.
    auto e4 = c.make("k1", complaintAnswers("四"));
    REQUIRE(ledger.recordBatch({opened(c, *l, e4.envelope)}, {}, std::nullopt, 1000).ok());
    c.kiosk("k1").lastHash[0] ^= 1; // the kiosk's history "altered"
    auto e5 = c.make("k1", complaintAnswers("五"));
    auto r = ledger.recordBatch({opened(c, *l, e5.envelope)}, {}, std::nullopt, 1000);
    REQUIRE(r.ok());
    REQUIRE(r->at(0).outcome == RecordOutcome::ChainBreak);
    REQUIRE(countComplaints(ledger) == 4);
    REQUIRE(ledger.alarms()->back().kind == AlarmKind::ChainBreak);
}

TEST_CASE("status history is append-only and the case follows it", "[staff][ledger]") {
    TestCounty c;
    auto l = c.load();
    auto ledger = c.openLedger();
    auto e = c.make("k1", complaintAnswers("作业"));
    REQUIRE(ledger.recordBatch({opened(c, *l, e.envelope, c.ack(e.envelope))}, {}, 1, 2000).ok());
    auto cs = ledger.caseByTag(e.code->tag(*c.tagKey));
    REQUIRE(cs.ok());
    REQUIRE(cs->status == crypto::CaseStatus::Received);
    REQUIRE(cs->receivedAt == 1795428400); // the server's acknowledged time
    REQUIRE(ledger.appendStatus(cs->id, crypto::CaseStatus::Accepted, "", 3000, "{}").ok());
    REQUIRE(
        ledger.appendStatus(cs->id, crypto::CaseStatus::Closed, "已办结，谢谢", 4000, "{}").ok());
    auto h = ledger.history(cs->id);
    REQUIRE(h.ok());
    REQUIRE(h->size() == 3);
    REQUIRE(h->at(0).status == crypto::CaseStatus::Received);
    REQUIRE_FALSE(h->at(0).signedByStaff);
    REQUIRE(h->at(2).status == crypto::CaseStatus::Closed);
    auto now = ledger.caseByTag(e.code->tag(*c.tagKey));
    REQUIRE(now->status == crypto::CaseStatus::Closed);
    REQUIRE(now->reply == "已办结，谢谢");
    REQUIRE(ledger.pendingPushes()->size() == 2);
    REQUIRE(ledger.markPushed(h->at(1).id, 5000).ok());
    REQUIRE(ledger.pendingPushes()->size() == 1);

    // Even with the key, raw SQL cannot rewrite history, reopen a case silently or delete.
    auto key = staff::loadLedgerKey(c.dir, c.config, c.passphrase(), false);
    REQUIRE(key.ok());
    RawDb raw(ledger.file(), *key);
    REQUIRE(raw.exec("UPDATE status_history SET reply = 'x'") == SQLITE_CONSTRAINT);
    REQUIRE(raw.exec("DELETE FROM status_history") == SQLITE_CONSTRAINT);
    REQUIRE(raw.exec("UPDATE cases SET status = 3") == SQLITE_CONSTRAINT);
    REQUIRE(raw.exec("DELETE FROM envelopes") == SQLITE_CONSTRAINT);
    REQUIRE(raw.exec("UPDATE envelopes SET answers = '{}'") == SQLITE_CONSTRAINT);
    REQUIRE(raw.exec("UPDATE meta SET cursor = 0") == SQLITE_CONSTRAINT);
    REQUIRE(ledger.history(cs->id)->size() == 3);
}

TEST_CASE("anonymous reports never have identity filled, real-name ones do", "[staff][ledger]") {
    TestCounty c;
    auto l = c.load();
    auto ledger = c.openLedger();
    json anon = complaintAnswers("匿名");
    anon["contact_name"] = "不该出现"; // a kiosk that ignored show_if: the ledger drops it
    json named = complaintAnswers("实名");
    named["anonymous"] = "no";
    named["contact_name"] = "王女士";
    named["contact_phone"] = "13800000000";
    auto a = c.make("k1", anon);
    auto n = c.make("k1", named);
    REQUIRE(ledger
                .recordBatch({opened(c, *l, a.envelope), opened(c, *l, n.envelope)}, {},
                             std::nullopt, 1000)
                .ok());
    auto ra = ledger.caseByTag(a.code->tag(*c.tagKey));
    REQUIRE(ra->anonymous);
    REQUIRE_FALSE(ra->contactName);
    REQUIRE_FALSE(ra->answers.contains("contact_name"));
    auto rn = ledger.caseByTag(n.code->tag(*c.tagKey));
    REQUIRE_FALSE(rn->anonymous);
    REQUIRE(rn->contactName == "王女士");
    REQUIRE(rn->contactPhone == "13800000000");

    auto key = staff::loadLedgerKey(c.dir, c.config, c.passphrase(), false);
    RawDb raw(ledger.file(), *key);
    REQUIRE(raw.exec("UPDATE cases SET contact_name = 'x' WHERE anonymous = 1") ==
            SQLITE_CONSTRAINT);
}

TEST_CASE("the ledger is encrypted, and a wrong key is refused without harm", "[staff][ledger]") {
    TestCounty c(true); // passphrase-protected county, fast Argon2id
    auto l = c.load();
    {
        auto ledger = c.openLedger();
        auto e = c.make("k1", complaintAnswers("MARKER-秘密内容"));
        REQUIRE(ledger.recordBatch({opened(c, *l, e.envelope)}, {}, std::nullopt, 1).ok());
    }
    REQUIRE(std::filesystem::exists(c.dir.root() / "ledger.salt"));
    const std::string bytes = test::readFile(c.dir.root() / "ledger.db");
    REQUIRE(bytes.find("MARKER") == std::string::npos);
    REQUIRE(bytes.compare(0, 15, "SQLite format 3") != 0);

    crypto::PassphraseSource wrong = [](const std::filesystem::path&) {
        return std::optional<crypto::SecretBytes>(
            crypto::SecretBytes::copyOf(std::string_view("not the passphrase")));
    };
    auto bad = staff::openLedger(c.dir, c.config, wrong, false);
    REQUIRE_FALSE(bad.ok());
    REQUIRE(bad.error().code == LedgerError::Code::WrongKeyOrNotALedger);
    REQUIRE(test::readFile(c.dir.root() / "ledger.db") == bytes);
    auto good = staff::openLedger(c.dir, c.config, c.passphrase(), false);
    REQUIRE(good.ok());
    REQUIRE(countComplaints(*good) == 1);
}

TEST_CASE("a mistyped passphrase never creates a ledger", "[staff][ledger]") {
    TestCounty c(true);
    crypto::PassphraseSource wrong = [](const std::filesystem::path&) {
        return std::optional<crypto::SecretBytes>(
            crypto::SecretBytes::copyOf(std::string_view("typo")));
    };
    auto l = staff::openLedger(c.dir, c.config, wrong, true);
    REQUIRE_FALSE(l.ok());
    REQUIRE_FALSE(std::filesystem::exists(c.dir.root() / "ledger.db"));
    REQUIRE_FALSE(std::filesystem::exists(c.dir.root() / "ledger.salt"));
    // Also when a salt was left behind by a creation that did not finish.
    test::writeFile(c.dir.root() / "ledger.salt",
                    "minsheng-ledger-salt: 1\nargon2id-salt: AAECAwQFBgcICQoLDA0ODw==\n"
                    "argon2id-opslimit: 1\nargon2id-memlimit: 8388608\n");
    l = staff::openLedger(c.dir, c.config, wrong, true);
    REQUIRE_FALSE(l.ok());
    REQUIRE_FALSE(std::filesystem::exists(c.dir.root() / "ledger.db"));
    l = staff::openLedger(c.dir, c.config, c.passphrase(), true);
    REQUIRE(l.ok());
}

TEST_CASE("due dates count working days, skipping weekends and holidays", "[staff][rules]") {
    CaseRules r; // 13 working days, UTC+8
    using namespace std::chrono;
    auto at = [](const char* day, int hourLocal) {
        return static_cast<std::int64_t>(sys_seconds{*parseDay(day)}.time_since_epoch().count()) +
               (hourLocal - 8) * 3600;
    };
    // Received Friday 2026-11-20 at 17:00 → 13 working days later: Wednesday 2026-12-09.
    REQUIRE(CaseRules::formatDay(r.dueDate(at("2026-11-20", 17), "")) == "2026-12-09");
    // Received on a Saturday: counting starts on Monday → due Wednesday 2026-12-09 as well.
    REQUIRE(CaseRules::formatDay(r.dueDate(at("2026-11-21", 10), "")) == "2026-12-09");
    // Local time matters: 2026-11-20 23:30 local is still Friday although UTC says 15:30.
    REQUIRE(r.localDay(at("2026-11-20", 23) + 1800) == *parseDay("2026-11-20"));
    // A holiday inside the window pushes it one day; a make-up Saturday pulls it back.
    r.holidays.insert(*parseDay("2026-12-01"));
    REQUIRE(CaseRules::formatDay(r.dueDate(at("2026-11-20", 17), "")) == "2026-12-10");
    r.workdays.insert(*parseDay("2026-11-28"));
    REQUIRE(CaseRules::formatDay(r.dueDate(at("2026-11-20", 17), "")) == "2026-12-09");
    // Per-category limits.
    r.categoryDueWorkingDays["safety"] = 2;
    REQUIRE(CaseRules::formatDay(r.dueDate(at("2026-11-20", 17), "safety")) == "2026-11-24");

    // Overdue: after the end of the due day, unless the case is done.
    const auto received = at("2026-11-20", 17);
    REQUIRE_FALSE(
        r.isOverdue(received, "safety", crypto::CaseStatus::Accepted, at("2026-11-24", 23) + 3599));
    REQUIRE(r.isOverdue(received, "safety", crypto::CaseStatus::Accepted, at("2026-11-25", 0)));
    REQUIRE(r.isOverdue(received, "safety", crypto::CaseStatus::InProgress, at("2026-12-25", 9)));
    REQUIRE_FALSE(r.isOverdue(received, "safety", crypto::CaseStatus::Closed, at("2026-12-25", 9)));
    REQUIRE_FALSE(
        r.isOverdue(received, "safety", crypto::CaseStatus::NotAccepted, at("2026-12-25", 9)));
}

TEST_CASE("status names are accepted in English and Chinese", "[staff][rules]") {
    REQUIRE(parseCaseStatus("in_progress") == crypto::CaseStatus::InProgress);
    REQUIRE(parseCaseStatus("In-Progress") == crypto::CaseStatus::InProgress);
    REQUIRE(parseCaseStatus("办理中") == crypto::CaseStatus::InProgress);
    REQUIRE(parseCaseStatus("不予受理") == crypto::CaseStatus::NotAccepted);
    REQUIRE(parseCaseStatus("已转办") == crypto::CaseStatus::Transferred);
    REQUIRE_FALSE(parseCaseStatus("done"));
    REQUIRE(caseStatusLabel(crypto::CaseStatus::Closed) == "已办结 closed");
}

TEST_CASE("county.toml [cases] is read and checked", "[staff][rules]") {
    TestCounty c;
    std::string toml = test::readFile(c.dir.configFile());
    auto r = loadCaseRules(c.dir);
    REQUIRE(r.ok());
    REQUIRE(r->complaintDueWorkingDays == 13);
    REQUIRE(r->minRespondents == 5);
    test::writeFile(c.dir.configFile(), toml + "\n[cases.category_due_working_days]\nsafety = 3\n");
    // (a sub-table of [cases] written as its own header is also TOML for the same thing)
    r = loadCaseRules(c.dir);
    REQUIRE(r.ok());
    REQUIRE(r->dueWorkingDays("safety") == 3);
    test::writeFile(c.dir.configFile(), toml.replace(toml.find("complaint_due_working_days = 13"),
                                                     31, "complaint_due_working_days = 0"));
    r = loadCaseRules(c.dir);
    REQUIRE_FALSE(r.ok());
    REQUIRE_THAT(r.error().message, Catch::Contains("county.toml:"));
    REQUIRE_THAT(r.error().message, Catch::Contains("complaint_due_working_days"));
}

TEST_CASE("a ledger written before accounts migrates, and its staff rows read as unattributed",
          "[staff][ledger][migration]") {
    TestCounty c;
    auto key = staff::loadLedgerKey(c.dir, c.config, c.passphrase(), true);
    REQUIRE(key.ok());
    const auto file = c.dir.root() / kLedgerFileName;
    {
        // A version-1 ledger as the software before step 2 left it: one case, set 办理中 by staff.
        RawDb raw(file, *key);
        const std::string step1(schema::kMigrations[0].sql);
        REQUIRE(raw.exec(step1) == SQLITE_OK);
        REQUIRE(raw.exec("PRAGMA user_version = 1") == SQLITE_OK);
        REQUIRE(raw.exec(R"sql(
INSERT INTO meta (id, created_at, cursor) VALUES (1, 1000, 0);
INSERT INTO envelopes (id, kiosk_id, sequence, envelope_hash, previous_hash, kind, form_id,
    form_version, locale, created_at, receipt_tag, wire, answers, source, recorded_at)
    VALUES (1, 'k1', 1, randomblob(32), zeroblob(32), 'complaint', 'complaint', 1, 'zh-CN',
            1795428300, randomblob(32), '{}', '{"category":"homework"}', 'import', 1795430000);
INSERT INTO cases (envelope_id, receipt_tag, category, anonymous, received_at, status, updated_at)
    VALUES (1, (SELECT receipt_tag FROM envelopes WHERE id = 1), 'homework', 1, 1795430000, 1,
            1795430000);
INSERT INTO status_history (envelope_id, status, reply, set_at, signed)
    VALUES (1, 1, '', 1795430000, NULL), (1, 3, '正在核查', 1795440000, '{"sig":"old"}');
UPDATE cases SET status = 3, reply = '正在核查', updated_at = 1795440000 WHERE envelope_id = 1;
)sql") == SQLITE_OK);
    }
    auto ledger = Ledger::open(file, *key, Ledger::OpenMode::MustExist);
    INFO((ledger ? std::string() : ledger.error().message));
    REQUIRE(ledger.ok());
    sync::sqlite::Stmt v(ledger->connection(), "PRAGMA user_version");
    REQUIRE(v.step() == SQLITE_ROW);
    CHECK(v.i64(0) == schema::kSchemaVersion);
    auto h = ledger->history(1);
    REQUIRE(h.ok());
    REQUIRE(h->size() == 2);
    CHECK_FALSE(h->at(0).signedByStaff); // the system's 已接收
    CHECK(h->at(1).signedByStaff);       // a staff change nobody is named for
    CHECK_FALSE(h->at(1).actorId);
    CHECK(h->at(1).reply == "正在核查");
    CHECK(h->at(1).result.empty());
    CHECK(ledger->pendingPushes()->size() == 1); // still queued for the server
    // The new tables are there and keep their rules.
    REQUIRE(
        ledger->appendStatus(1, crypto::CaseStatus::InProgress, "新进展", 1795450000, "{}").ok());
    auto exec = [&](const char* sql) {
        return sqlite3_exec(ledger->connection(), sql, nullptr, nullptr, nullptr) & 0xff;
    };
    REQUIRE(exec("INSERT INTO audit_log (at, action) VALUES (1, 'test')") == SQLITE_OK);
    CHECK(exec("DELETE FROM audit_log") == SQLITE_CONSTRAINT);
    CHECK(exec("UPDATE audit_log SET action = 'other'") == SQLITE_CONSTRAINT);
}

TEST_CASE("a ledger written before merges, follow-ups and templates migrates with its events",
          "[staff][ledger][migration]") {
    TestCounty c;
    auto key = staff::loadLedgerKey(c.dir, c.config, c.passphrase(), true);
    REQUIRE(key.ok());
    const auto file = c.dir.root() / kLedgerFileName;
    {
        // A version-2 ledger: two real-name cases, an account, a note, the first case closed.
        RawDb raw(file, *key);
        REQUIRE(raw.exec(std::string(schema::kMigrations[0].sql)) == SQLITE_OK);
        REQUIRE(raw.exec(std::string(schema::kMigrations[1].sql)) == SQLITE_OK);
        REQUIRE(raw.exec("PRAGMA user_version = 2") == SQLITE_OK);
        REQUIRE(raw.exec(R"sql(
INSERT INTO meta (id, created_at, cursor) VALUES (1, 1000, 0);
INSERT INTO envelopes (id, kiosk_id, sequence, envelope_hash, previous_hash, kind, form_id,
    form_version, locale, created_at, receipt_tag, wire, answers, source, recorded_at)
    VALUES (1, 'k1', 1, randomblob(32), zeroblob(32), 'complaint', 'complaint', 1, 'zh-CN',
            1795428300, randomblob(32), '{}', '{"category":"homework"}', 'import', 1795430000),
           (2, 'k1', 2, randomblob(32), zeroblob(32), 'complaint', 'complaint', 1, 'zh-CN',
            1795428300, randomblob(32), '{}', '{"category":"homework"}', 'import', 1795430000);
INSERT INTO cases (envelope_id, receipt_tag, category, anonymous, contact_name, contact_phone,
                   received_at, status, updated_at)
    SELECT id, receipt_tag, 'homework', 0, '王女士', '13800000000', 1795430000, 1, 1795430000
    FROM envelopes;
INSERT INTO status_history (envelope_id, status, reply, set_at, signed)
    VALUES (1, 1, '', 1795430000, NULL), (2, 1, '', 1795430000, NULL),
           (1, 4, '已办结', 1795440000, '{"sig":"old"}');
UPDATE cases SET status = 4, reply = '已办结', updated_at = 1795440000 WHERE envelope_id = 1;
INSERT INTO staff_users (id, name, role, password_hash, created_at)
    VALUES (1, 'boss', 'supervisor', '$argon2id$v=19$m=8,t=1,p=1$x$y', 1000);
INSERT INTO case_events (envelope_id, kind, actor_id, at, text)
    VALUES (2, 'note', 1, 1795435000, '旧备注');
)sql") == SQLITE_OK);
    }
    auto ledger = Ledger::open(file, *key, Ledger::OpenMode::MustExist);
    INFO((ledger ? std::string() : ledger.error().message));
    REQUIRE(ledger.ok());
    sync::sqlite::Stmt v(ledger->connection(), "PRAGMA user_version");
    REQUIRE(v.step() == SQLITE_ROW);
    CHECK(v.i64(0) == 3);
    CHECK(schema::kSchemaVersion == 3);

    std::int64_t now = 1795500000;
    CaseRules rules;
    CaseWorkflow workflow(*ledger, rules, [&] { return now; });
    auto events = workflow.events(2);
    REQUIRE(events.ok());
    REQUIRE(events->size() == 1);
    CHECK(events->at(0).text == "旧备注");
    CHECK(events->at(0).actorName == "boss");

    // The defaults are there once; the new tables work on the old cases.
    ReplyTemplates templates(*ledger, [&] { return now; });
    auto list = templates.list(Actor{});
    REQUIRE(list.ok());
    CHECK(list->size() == 5);
    REQUIRE(workflow.recordFollowUp(Actor{}, 1, {true, Satisfaction::Satisfied, ""}).ok());
    CHECK(workflow.recordFollowUp(Actor{}, 2, {true, Satisfaction::Satisfied, ""}).error().code ==
          WorkflowError::Code::NotAllowed); // not closed
    REQUIRE(workflow.merge(Actor{}, 2, 1, "", *c.countySigner).error().code ==
            WorkflowError::Code::NotAllowed); // case 1 is closed
}
