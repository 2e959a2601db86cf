// The GUI-free kiosk flow: the report and survey journeys, session wipe, idle policy, survey
// interval, staff PIN lock-out, the forwarder client and the UI catalogue. No window.
#include "kiosk/core/forms_vocabulary.hpp"
#include "kiosk/core/forwarder_client.hpp"
#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/core/locale_catalog.hpp"
#include "kiosk/core/policy_texts.hpp"
#include "kiosk/core/staff_pin.hpp"
#include "sync/forms/validation.hpp"
#include "tests/support/form_fixtures.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace minsheng;
using namespace minsheng::kiosk;
using namespace minsheng::forms::test;
namespace fs = std::filesystem;

namespace {

class FakeSubmitter final : public Submitter {
public:
    std::optional<sync::StoreError::Code> failWith;
    int submitted = 0;
    std::string lastDescription;

    Result<SubmitReceipt, SubmitError> submit(const Form& form, const Answers& answers,
                                              std::string_view, std::int64_t) override {
        if (failWith) {
            return fail(
                SubmitError{SubmitError::Kind::Store, {}, sync::StoreError{*failWith, "injected"}});
        }
        auto errors = validateAnswers(form, answers);
        if (!errors.empty())
            return fail(SubmitError{SubmitError::Kind::Invalid, errors, std::nullopt});
        ++submitted;
        if (const Answer* d = answers.get("description"))
            lastDescription = std::string(d->text());
        SubmitReceipt r;
        r.sequence = static_cast<std::uint64_t>(submitted);
        if (form.kind == FormKind::Complaint)
            r.receiptCode = crypto::ReceiptCode::generate();
        return r;
    }
    std::optional<outbox::OutboxStats> outboxStats() override { return outbox::OutboxStats{}; }
    int upkeepCalls = 0;
    void betweenSessions() override { ++upkeepCalls; }
};

struct Fixture {
    KioskConfig config;
    FormSet forms;
    std::vector<PolicyPage> policy;
    FakeSubmitter submitter;
    std::int64_t now = 1'800'000'000;
    std::unique_ptr<KioskFlow> flow;

    explicit Fixture(const std::string& extraConfig = {},
                     const std::function<std::string(std::string)>& edit = {}) {
        auto text = minsheng::test::readFile(configDir() / "kiosk.example.toml") + extraConfig;
        if (edit)
            text = edit(text);
        auto c = parseKioskConfig(text, configDir() / "kiosk.example.toml");
        INFO((c ? std::string() : c.error().toString()));
        REQUIRE(c.ok());
        config = std::move(c.value());
        auto lists = shippedLists();
        forms.complaint = shippedForm("complaint", lists);
        forms.survey = shippedForm("survey", lists);
        forms.lists = std::move(lists);
        auto p = loadPolicyPages(configDir() / "policy" / "rules.toml");
        REQUIRE(p.ok());
        policy = std::move(p.value());
        flow = std::make_unique<KioskFlow>(config, forms, policy, submitter, nullptr, nullptr, now);
    }

    void type(std::string_view text) {
        for (char c : text) {
            flow->typeKey(ImeKey{c == ' ' ? ImeKey::Kind::Space : ImeKey::Kind::Text,
                                 std::string_view(&c, 1)},
                          now);
        }
    }

    /// Walks the report with category "other", typing `description`, to the review.
    void reportToReview(std::string_view description) {
        flow->startReport(now);
        REQUIRE(flow->screen() == Screen::Category);
        flow->chooseCategory("other", now);
        for (int guard = 0; guard < 40 && flow->screen() == Screen::Field; ++guard) {
            if (flow->field()->id == "description")
                type(description);
            flow->next(now);
        }
        REQUIRE(flow->screen() == Screen::Privacy);
        flow->next(now);
        REQUIRE(flow->screen() == Screen::Review);
    }

    void surveyToEnd() {
        flow->startSurvey(now);
        for (int guard = 0; guard < 40 && flow->screen() == Screen::Field; ++guard) {
            const Field& f = *flow->field();
            if (f.type == FieldType::Picker)
                flow->chooseOption(f.items.front().id, now);
            else if (f.type == FieldType::Single)
                flow->chooseOption(f.options.front().id, now);
            else if (f.type == FieldType::Scale)
                flow->setScale(4, now);
            flow->next(now);
        }
    }
};

} // namespace

TEST_CASE("a report goes category → fields → privacy → review → saving → receipt", "[flow]") {
    Fixture fx;
    fx.reportToReview("MARKER-flow-1");
    const auto st = fx.flow->step();
    CHECK(st.index == st.count);
    // The anonymous default is an answer from the moment its screen was shown.
    REQUIRE(fx.flow->session().answers().get("anonymous"));
    CHECK(fx.flow->session().answers().get("anonymous")->text() == "yes");
    fx.flow->submit(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Saving);
    CHECK(fx.submitter.submitted == 0); // nothing is stored until the saving screen was shown
    fx.flow->performPendingSubmit(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Receipt);
    CHECK(fx.submitter.lastDescription == "MARKER-flow-1");
    // Nothing typed survives the submit; only the receipt code remains.
    CHECK(fx.flow->session().answers().empty());
    REQUIRE(crypto::ReceiptCode::parse(fx.flow->session().receiptCode()).ok());
    // The receipt cannot be left before 我已记下.
    fx.flow->finish(fx.now);
    fx.flow->startOver(fx.now);
    CHECK(fx.flow->screen() == Screen::Receipt);
    fx.flow->confirmNoted(fx.now);
    fx.flow->finish(fx.now);
    CHECK(fx.flow->screen() == Screen::Home);
    CHECK(fx.flow->session().receiptCode().empty());
}

TEST_CASE("store upkeep runs on the Home screen after a submission, never while one is on",
          "[flow][store]") {
    Fixture fx;
    fx.flow->tick(fx.now);
    CHECK(fx.submitter.upkeepCalls == 0); // nothing submitted yet: nothing to tidy
    fx.reportToReview("MARKER-upkeep");
    fx.flow->submit(fx.now);
    fx.flow->tick(fx.now);
    fx.flow->performPendingSubmit(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Receipt);
    fx.flow->tick(fx.now);
    CHECK(fx.submitter.upkeepCalls == 0); // the parent is still reading the receipt
    fx.flow->confirmNoted(fx.now);
    fx.flow->finish(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Home);
    fx.flow->tick(fx.now);
    CHECK(fx.submitter.upkeepCalls == 1);
    fx.flow->tick(fx.now + 1);
    CHECK(fx.submitter.upkeepCalls == 1); // once per submission
}

TEST_CASE("a required field refuses next with a message naming it", "[flow]") {
    Fixture fx;
    fx.flow->startReport(fx.now);
    fx.flow->chooseCategory("other", fx.now);
    while (fx.flow->field()->id != "description")
        fx.flow->next(fx.now);
    fx.flow->next(fx.now);
    CHECK(fx.flow->field()->id == "description");
    REQUIRE(fx.flow->session().fieldError.has_value());
    CHECK_THAT(fx.flow->session().fieldError->zh, Catch::Contains("请说说具体情况"));
    fx.type("x");
    CHECK_FALSE(fx.flow->session().fieldError.has_value());
    fx.flow->next(fx.now);
    CHECK(fx.flow->field()->id == "anonymous");
}

TEST_CASE("changing the category drops the old category's answers", "[flow]") {
    Fixture fx;
    fx.flow->startReport(fx.now);
    fx.flow->chooseCategory("disguised_tutoring", fx.now);
    REQUIRE(fx.flow->field()->id == "disguised_type");
    fx.flow->chooseOption("one_on_one", fx.now);
    REQUIRE(fx.flow->session().answers().contains("disguised_type"));
    fx.flow->back(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Category);
    fx.flow->chooseCategory("homework", fx.now);
    CHECK_FALSE(fx.flow->session().answers().contains("disguised_type"));
}

TEST_CASE("review edit links return to the review", "[flow]") {
    Fixture fx;
    fx.reportToReview("first");
    fx.flow->editFromReview("description", fx.now);
    REQUIRE(fx.flow->screen() == Screen::Field);
    fx.flow->clearText(fx.now);
    fx.type("second");
    fx.flow->next(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Review);
    CHECK(fx.flow->session().answers().get("description")->text() == "second");
}

TEST_CASE("store failures become calm trouble states and keep the answers", "[flow]") {
    Fixture fx;
    fx.submitter.failWith = sync::StoreError::Code::DiskFull;
    fx.reportToReview("keep me");
    fx.flow->submit(fx.now);
    fx.flow->performPendingSubmit(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Trouble);
    CHECK(fx.flow->session().trouble == TroubleKind::DiskFull);
    CHECK(fx.flow->session().answers().contains("description"));
    fx.submitter.failWith.reset();
    fx.flow->retryAfterTrouble(fx.now);
    REQUIRE(fx.flow->screen() == Screen::Review);
    fx.flow->submit(fx.now);
    fx.flow->performPendingSubmit(fx.now);
    CHECK(fx.flow->screen() == Screen::Receipt);
    CHECK(fx.flow->recentErrors().front().what == "disk-full");
}

TEST_CASE("a wipe leaves nothing of the session", "[flow][wipe]") {
    Fixture fx;
    fx.flow->setLocale("en", fx.now);
    fx.reportToReview("MARKER-wipe");
    fx.flow->startOver(fx.now);
    const Session& s = fx.flow->session();
    CHECK(s.screen == Screen::Home);
    CHECK(s.answers().empty());
    CHECK(s.journey == Journey::None);
    CHECK(s.lookupDigits().empty());
    CHECK(s.receiptCode().empty());
    CHECK(s.locale == "en"); // 重新开始 keeps this person's display settings...
    fx.now += fx.config.idleTimeoutSeconds + 1;
    CHECK(fx.flow->tick(fx.now)); // ...until the idle timeout resets them too
    CHECK(fx.flow->session().locale == "zh-CN");
}

TEST_CASE("the session arena is wiped byte for byte", "[flow][wipe]") {
    Session s("zh-CN", false, false);
    s.answers().setText("description", "MARKER-arena-7f3a");
    const Answer* a = s.answers().get("description");
    const char* where = a->text().data();
    s.wipe("zh-CN", false, false);
    // The arena's block is still mapped (the session lives on); the bytes must be gone.
    CHECK(std::string_view(where, 17) != "MARKER-arena-7f3a");
}

TEST_CASE("idle policy: warning, then wipe, the receipt gets a longer grace", "[flow][idle]") {
    Fixture fx;
    const auto start = fx.now;
    const int timeout = fx.config.idleTimeoutSeconds;
    CHECK_FALSE(fx.flow->nextDeadline(start)); // an untouched home screen sleeps
    fx.flow->startReport(start);
    const auto warnAt = *fx.flow->nextDeadline(start);
    CHECK(warnAt > start);
    CHECK(warnAt < start + timeout);
    CHECK_FALSE(fx.flow->idleWarningLeft(warnAt - 1));
    REQUIRE(fx.flow->idleWarningLeft(warnAt));
    CHECK(*fx.flow->idleWarningLeft(warnAt) == start + timeout - warnAt);
    CHECK_FALSE(fx.flow->tick(start + timeout - 1));
    fx.flow->noteActivity(start + timeout - 1); // 我还在
    CHECK_FALSE(fx.flow->idleWarningLeft(start + timeout));
    CHECK(fx.flow->tick(start + 2 * timeout));
    CHECK(fx.flow->screen() == Screen::Home);
    CHECK_FALSE(fx.flow->nextDeadline(start + 2 * timeout));
    CHECK(fx.flow->idleTimeoutFor(Screen::Receipt) >= 3 * timeout);
}

TEST_CASE("surveys are at least survey_min_interval_seconds apart", "[flow][survey]") {
    Fixture fx;
    fx.surveyToEnd();
    REQUIRE(fx.flow->screen() == Screen::Saving);
    fx.flow->performPendingSubmit(fx.now);
    REQUIRE(fx.flow->screen() == Screen::SurveyThanks);
    CHECK(fx.submitter.submitted == 1);
    fx.flow->finish(fx.now);
    fx.now += fx.config.surveyMinIntervalSeconds - 1;
    fx.flow->startSurvey(fx.now);
    CHECK(fx.flow->screen() == Screen::SurveyWait);
    // The interval is kept by the flow, not the session: a wipe does not reset it.
    fx.flow->startOver(fx.now);
    fx.flow->startSurvey(fx.now);
    CHECK(fx.flow->screen() == Screen::SurveyWait);
    fx.flow->finish(fx.now);
    fx.now += 1;
    fx.surveyToEnd();
    fx.flow->performPendingSubmit(fx.now);
    CHECK(fx.flow->screen() == Screen::SurveyThanks);
    CHECK(fx.submitter.submitted == 2);
}

TEST_CASE("multiple choice respects max_selections", "[flow][survey]") {
    Fixture fx;
    fx.flow->startSurvey(fx.now);
    while (fx.flow->field()->type != FieldType::Multiple) {
        const Field& f = *fx.flow->field();
        if (f.type == FieldType::Picker)
            fx.flow->chooseOption(f.items.front().id, fx.now);
        else if (f.type == FieldType::Single)
            fx.flow->chooseOption(f.options.front().id, fx.now);
        else if (f.type == FieldType::Scale)
            fx.flow->setScale(1, fx.now);
        fx.flow->next(fx.now);
    }
    const Field& f = *fx.flow->field();
    for (const auto& o : f.options)
        fx.flow->toggleOption(o.id, fx.now);
    CHECK(fx.flow->session().answers().get(f.id)->choices().size() == f.maxSelections);
    fx.flow->toggleOption(f.options.front().id, fx.now);
    CHECK(fx.flow->session().answers().get(f.id)->choices().size() == f.maxSelections - 1);
}

TEST_CASE("staff PIN: hash, verify, lock-out with growing delays", "[flow][staff]") {
    const std::string hash = hashStaffPin("2468");
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(verifyStaffPin(hash, "2468"));
    CHECK_FALSE(verifyStaffPin(hash, "2469"));
    CHECK_FALSE(isValidStaffPin("12a4"));

    StaffPinLock lock;
    std::int64_t t = 1000;
    for (int i = 0; i < StaffPinLock::kFreeAttempts - 1; ++i) {
        lock.recordFailure(t);
        CHECK_FALSE(lock.isLocked(t));
    }
    lock.recordFailure(t);
    CHECK(lock.secondsLeft(t) == StaffPinLock::kFirstLockSeconds);
    t += StaffPinLock::kFirstLockSeconds;
    CHECK_FALSE(lock.isLocked(t));
    lock.recordFailure(t);
    CHECK(lock.secondsLeft(t) == 2 * StaffPinLock::kFirstLockSeconds);
    for (int i = 0; i < 30; ++i)
        lock.recordFailure(t);
    CHECK(lock.secondsLeft(t) == StaffPinLock::kMaxLockSeconds);
    lock.recordSuccess();
    CHECK_FALSE(lock.isLocked(t));

    // Through the flow: wrong PINs lock the pad; the right one opens health, never content.
    Fixture fx("\n[staff]\npin_hash = \"" + hash + "\"\n");
    fx.reportToReview("MARKER-staff");
    fx.flow->openStaff(fx.now);
    REQUIRE(fx.flow->screen() == Screen::StaffPin);
    CHECK(fx.flow->session().answers().empty());
    for (int i = 0; i < StaffPinLock::kFreeAttempts; ++i) {
        fx.type("1111");
        fx.flow->submitStaffPin(fx.now);
    }
    CHECK(fx.flow->staffLock().isLocked(fx.now));
    fx.type("2468");
    fx.flow->submitStaffPin(fx.now);
    CHECK(fx.flow->screen() == Screen::StaffPin); // locked: not even tried
    fx.now += StaffPinLock::kFirstLockSeconds;
    fx.flow->clearText(fx.now);
    fx.type("2468");
    fx.flow->submitStaffPin(fx.now);
    CHECK(fx.flow->screen() == Screen::StaffHealth);
    CHECK(fx.flow->health().outbox.has_value());
}

TEST_CASE("staff mode is off without a PIN hash", "[flow][staff]") {
    Fixture fx;
    fx.flow->openStaff(fx.now);
    CHECK(fx.flow->screen() == Screen::Home);
}

TEST_CASE("[ui] and [staff] configuration keys", "[flow][config]") {
    Fixture plain;
    CHECK(plain.config.uiFont == kDefaultUiFont);
    CHECK(fs::exists(plain.config.uiLocaleDir / "zh-CN.toml"));
    CHECK(plain.config.staffPinHash.empty());
    Fixture ui({}, [](std::string text) {
        // The example's own [ui] section, edited.
        for (auto [from, to] : {std::pair<std::string, std::string>{
                                    "font = \"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc\"",
                                    "font = \"fonts/x.ttf\""},
                                {"large_text = false", "large_text = true"},
                                {"high_contrast = false", "high_contrast = true"}}) {
            const auto pos = text.find(from);
            REQUIRE(pos != std::string::npos);
            text.replace(pos, from.size(), to);
        }
        return text;
    });
    CHECK(ui.config.uiFont == fs::absolute(configDir() / "fonts" / "x.ttf").lexically_normal());
    CHECK(ui.config.uiLargeText);
    CHECK(ui.flow->session().largeText);
    auto bad = parseKioskConfig(minsheng::test::readFile(configDir() / "kiosk.example.toml") +
                                    "\n[staff]\npin_hash = \"1234\"\n",
                                "/etc/kiosk.toml");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::Contains("hash-pin"));
    auto typo = parseKioskConfig(minsheng::test::readFile(configDir() / "kiosk.example.toml") +
                                     "\n[staff]\npin_hsh = \"x\"\n",
                                 "/etc/kiosk.toml");
    REQUIRE_FALSE(typo.ok());
}

TEST_CASE("look-ups: a bad check digit is caught locally, no forwarder is offline", "[flow]") {
    Fixture fx;
    fx.flow->startLookup(fx.now);
    std::string digits = crypto::ReceiptCode::generate().digits();
    std::string wrong = digits;
    wrong[3] = wrong[3] == '9' ? '0' : static_cast<char>(wrong[3] + 1);
    fx.type(wrong);
    fx.flow->lookup(fx.now);
    CHECK(fx.flow->session().lookupBadCode);
    CHECK(fx.flow->screen() == Screen::LookupEntry);
    fx.flow->clearText(fx.now);
    fx.type(digits + "999"); // the pad stops at 16 digits
    CHECK(std::string_view(fx.flow->session().lookupDigits()) == digits);
    fx.flow->lookup(fx.now);
    REQUIRE(fx.flow->screen() == Screen::LookupResult);
    CHECK(fx.flow->session().lookupResult->kind == ForwarderResponse::Kind::Offline);
}

TEST_CASE("forwarder client: responses parsed strictly, no socket is offline", "[forwarder]") {
    using K = ForwarderResponse::Kind;
    auto r = parseStatusResponse(
        R"({"ok":true,"status":"in_progress","received_at":10,"updated_at":20,"reply":"在办","verified":true})");
    CHECK(r.kind == K::Found);
    CHECK(r.status == CaseStatus::InProgress);
    CHECK(r.reply == "在办");
    CHECK(parseStatusResponse(
              R"({"ok":true,"status":"closed","received_at":1,"updated_at":2,"verified":false})")
              .kind == K::Unavailable);
    CHECK(parseStatusResponse(
              R"({"ok":true,"status":"weird","received_at":1,"updated_at":2,"verified":true})")
              .kind == K::Unavailable);
    CHECK(parseStatusResponse(R"({"ok":false,"error":"not-found","message":"x"})").kind ==
          K::NotFound);
    CHECK(parseStatusResponse(R"({"ok":false,"error":"offline"})").kind == K::Offline);
    CHECK(parseStatusResponse("garbage").kind == K::Unavailable);

    minsheng::test::TempDir tmp("minsheng-fwd");
    const fs::path sock = tmp / "forwarder.sock";
    std::atomic<int> wakes{0};
    {
        ForwarderClient c(
            sock, [&] { ++wakes; }, std::chrono::milliseconds(2000));
        const auto id = c.requestStatus(std::string(64, 'a'));
        std::optional<ForwarderResponse> got;
        for (int i = 0; i < 500 && !got; ++i) {
            got = c.takeResponse();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        REQUIRE(got);
        CHECK(got->requestId == id);
        CHECK(got->kind == K::Offline);
    }
    // A forwarder that answers one line, and one that never answers (the deadline holds).
    for (bool answer : {true, false}) {
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, sock.c_str());
        ::unlink(sock.c_str());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
        REQUIRE(::listen(fd, 1) == 0);
        std::string received;
        std::thread server([&] {
            int c = ::accept(fd, nullptr, nullptr);
            char buf[512];
            ssize_t n = ::recv(c, buf, sizeof(buf), 0);
            if (n > 0)
                received.assign(buf, static_cast<std::size_t>(n));
            if (answer) {
                const std::string line =
                    R"({"ok":true,"status":"closed","received_at":1,"updated_at":2,"reply":"","verified":true})"
                    "\n";
                [[maybe_unused]] auto w = ::send(c, line.data(), line.size(), 0);
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(600));
            }
            ::close(c);
        });
        bool offline = true;
        auto line = ForwarderClient::exchange(sock, R"({"op":"status","tag":"ab"})",
                                              std::chrono::milliseconds(300), offline);
        server.join();
        ::close(fd);
        CHECK(received == "{\"op\":\"status\",\"tag\":\"ab\"}\n");
        CHECK_FALSE(offline);
        if (answer) {
            REQUIRE(line);
            CHECK(parseStatusResponse(*line).status == CaseStatus::Closed);
        } else {
            CHECK_FALSE(line);
        }
    }
}

TEST_CASE("every UI string key used in code is in every locale", "[catalog]") {
    auto cat = LocaleCatalog::load(configDir() / "locale");
    INFO((cat ? std::string() : cat.error().toString()));
    REQUIRE(cat.ok());
    std::set<std::string> used;
    const std::regex trCall(R"re(tr\("([a-z_0-9.]+)"\))re");
    const std::regex keyLiteral(
        R"re("((?:top|home|nav|flow|field|list|keyboard|scale|privacy|review|saving|receipt|survey|lookup|status|rules|trouble|idle|staff)\.[a-z_0-9]+)")re");
    // Widget ids that share a section name but are not catalogue keys.
    const std::set<std::string> widgetIds = {"staff.corner", "staff.sync", "receipt.qr"};
    for (const auto& e : fs::directory_iterator(minsheng::test::sourceDir() / "kiosk" / "ui")) {
        if (e.path().extension() != ".cpp")
            continue;
        const std::string src = minsheng::test::readFile(e.path());
        for (const std::regex* re : {&trCall, &keyLiteral}) {
            for (auto it = std::sregex_iterator(src.begin(), src.end(), *re);
                 it != std::sregex_iterator(); ++it) {
                const std::string k = (*it)[1];
                if (!widgetIds.contains(k) && k.back() != '.')
                    used.insert(k);
            }
        }
    }
    for (auto s : {CaseStatus::Received, CaseStatus::Accepted, CaseStatus::InProgress,
                   CaseStatus::Closed, CaseStatus::Transferred, CaseStatus::NotAccepted})
        used.insert("status." + std::string(caseStatusName(s))); // built from the status name
    CHECK(used.size() > 80);
    for (const auto& k : used) {
        INFO(k);
        CHECK(cat->has(k));
    }
    // A catalogue whose locales disagree is refused.
    auto bad = LocaleCatalog::parse("[a]\nb = \"一\"\nc = \"{n} 个\"\n", "zh.toml",
                                    "[a]\nb = \"one\"\n", "en.toml");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().toString(), Catch::Contains("a.c"));
    auto placeholders = LocaleCatalog::parse("[a]\nb = \"{n} 个\"\n", "zh.toml",
                                             "[a]\nb = \"{m} items\"\n", "en.toml");
    CHECK_FALSE(placeholders.ok());
    CHECK(LocaleCatalog::format("第 {n} 步", {{"n", "2"}}) == "第 2 步");
}

TEST_CASE("the shipped policy pages load and cite a source", "[catalog]") {
    auto p = loadPolicyPages(configDir() / "policy" / "rules.toml");
    INFO((p ? std::string() : p.error().toString()));
    REQUIRE(p.ok());
    CHECK(p->size() >= 5);
    for (const auto& page : *p)
        CHECK_FALSE(page.source.zh.empty());
    CHECK_FALSE(
        parsePolicyPages("[[pages]]\ntitle = { zh-CN = \"a\", en = \"b\" }\n", "x.toml").ok());
}
