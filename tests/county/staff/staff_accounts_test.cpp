// Staff accounts in the real SQLCipher ledger: Argon2id hashes (never the password), the growing
// lock-out driven by an injected clock, disabled accounts, and the triggers that keep accounts.
#include "county/staff/audit_log.hpp"
#include "county/staff/staff_accounts.hpp"
#include "sync/store/sqlite_store.hpp"
#include "tests/county/staff/staff_test_support.hpp"

#include <sqlite3.h>

using namespace minsheng;
using namespace minsheng::staff;
using test::TestCounty;

namespace {

crypto::SecretBytes pw(std::string_view text) {
    return crypto::SecretBytes::copyOf(text);
}

int rawExec(Ledger& ledger, const std::string& sql) {
    return sqlite3_exec(ledger.connection(), sql.c_str(), nullptr, nullptr, nullptr) & 0xff;
}

} // namespace

TEST_CASE("the lock-out delay grows with each wrong password and is capped", "[staff][accounts]") {
    for (int n = 0; n <= kFreeFailures; ++n)
        CHECK(lockoutDelaySeconds(n) == 0);
    CHECK(lockoutDelaySeconds(kFreeFailures + 1) == 30);
    CHECK(lockoutDelaySeconds(kFreeFailures + 2) == 60);
    CHECK(lockoutDelaySeconds(kFreeFailures + 3) == 120);
    CHECK(lockoutDelaySeconds(kFreeFailures + 7) == 1920);
    CHECK(lockoutDelaySeconds(kFreeFailures + 8) == 3600);
    CHECK(lockoutDelaySeconds(1000) == 3600);
    LoginState s;
    for (int i = 0; i < kFreeFailures; ++i)
        s = afterFailedLogin(s, 1000);
    CHECK(s.lockedUntil == 0);
    s = afterFailedLogin(s, 1000);
    CHECK(s.failedLogins == kFreeFailures + 1);
    CHECK(s.lockedUntil == 1030);
}

TEST_CASE("an account keeps only an Argon2id hash of its password", "[staff][accounts]") {
    TestCounty c;
    auto ledger = c.openLedger();
    std::int64_t now = 1795500000;
    StaffAccounts accounts(ledger, [&] { return now; });
    REQUIRE(*accounts.any() == false);
    auto added = accounts.add("王丽", StaffRole::Supervisor, pw("correct horse 马"), std::nullopt);
    INFO((added ? std::string() : added.error().message));
    REQUIRE(added.ok());
    CHECK(added->role == StaffRole::Supervisor);
    CHECK(*accounts.any() == true);

    sync::sqlite::Stmt s(ledger.connection(), "SELECT password_hash FROM staff_users");
    REQUIRE(s.step() == SQLITE_ROW);
    const std::string stored = s.text(0);
    CHECK(stored.rfind("$argon2id$", 0) == 0);
    CHECK(stored.find("correct horse") == std::string::npos);
    CHECK(verifyPasswordArgon2id(stored, pw("correct horse 马")));
    CHECK_FALSE(verifyPasswordArgon2id(stored, pw("correct horse")));

    CHECK(accounts.add("王丽", StaffRole::Clerk, pw("another long pw"), added->id).error().code ==
          AccountError::Code::NameTaken);
    CHECK(accounts.add("li", StaffRole::Clerk, pw("short"), added->id).error().code ==
          AccountError::Code::WeakPassword);
    CHECK(
        accounts.add("has space", StaffRole::Clerk, pw("long enough pw"), added->id).error().code ==
        AccountError::Code::InvalidName);
    REQUIRE(accounts.add("li.ming", StaffRole::Clerk, pw("long enough pw"), added->id).ok());
    auto all = accounts.list();
    REQUIRE(all.ok());
    REQUIRE(all->size() == 2);
    CHECK(all->at(1).name == "li.ming");

    // Invariant 10: never deleted, never renamed; a hash that is not Argon2id is refused.
    CHECK(rawExec(ledger, "DELETE FROM staff_users") == SQLITE_CONSTRAINT);
    CHECK(rawExec(ledger, "UPDATE staff_users SET name = 'x' WHERE name = 'li.ming'") ==
          SQLITE_CONSTRAINT);
    CHECK(rawExec(ledger, "UPDATE staff_users SET password_hash = 'plain' WHERE id = 1") ==
          SQLITE_CONSTRAINT);

    // Every change is in the audit log, with who made it; no password in it.
    auto audit = readAudit(ledger, {});
    REQUIRE(audit.ok());
    REQUIRE(audit->size() == 2);
    CHECK(audit->at(0).record.action == "user.add");
    CHECK_FALSE(audit->at(0).record.actorId);
    CHECK(audit->at(1).actorName == "王丽");
    for (const auto& e : *audit)
        CHECK(e.record.detail.find("long enough") == std::string::npos);
}

TEST_CASE("wrong passwords lock an account for growing delays", "[staff][accounts]") {
    TestCounty c;
    auto ledger = c.openLedger();
    std::int64_t now = 1795500000;
    StaffAccounts accounts(ledger, [&] { return now; });
    REQUIRE(accounts.add("clerk1", StaffRole::Clerk, pw("a good password"), std::nullopt).ok());
    REQUIRE(accounts.authenticate("clerk1", pw("a good password")).ok());

    using C = AccountError::Code;
    for (int i = 0; i < kFreeFailures; ++i)
        CHECK(accounts.authenticate("clerk1", pw("guess")).error().code == C::WrongPassword);
    // The next failure starts a 30 s lock-out; during it even the right password is refused.
    CHECK(accounts.authenticate("clerk1", pw("guess")).error().code == C::WrongPassword);
    auto locked = accounts.authenticate("clerk1", pw("a good password"));
    REQUIRE_FALSE(locked.ok());
    CHECK(locked.error().code == C::Locked);
    CHECK(locked.error().lockedUntil == now + 30);
    now += 31;
    // One more wrong one: the delay doubles.
    CHECK(accounts.authenticate("clerk1", pw("guess")).error().code == C::WrongPassword);
    CHECK(accounts.authenticate("clerk1", pw("a good password")).error().lockedUntil == now + 60);
    now += 61;
    auto ok = accounts.authenticate("clerk1", pw("a good password"));
    REQUIRE(ok.ok());
    CHECK(ok->failedLogins == 0);
    CHECK(accounts.find("clerk1")->lockedUntil == 0);

    // An unknown name gets the same answer as a wrong password.
    CHECK(accounts.authenticate("nobody", pw("a good password")).error().code == C::WrongPassword);

    // Disabled: refused even with the right password; a new password clears a lock-out.
    REQUIRE(accounts.setDisabled("clerk1", true, std::nullopt).ok());
    CHECK(accounts.authenticate("clerk1", pw("a good password")).error().code == C::Disabled);
    CHECK(accounts.authenticate("clerk1", pw("guess")).error().code == C::WrongPassword);
    REQUIRE(accounts.setDisabled("clerk1", false, std::nullopt).ok());
    for (int i = 0; i <= kFreeFailures; ++i)
        (void)accounts.authenticate("clerk1", pw("guess"));
    REQUIRE(accounts.setPassword("clerk1", pw("a new good password"), std::nullopt).ok());
    CHECK(accounts.authenticate("clerk1", pw("a good password")).error().code == C::WrongPassword);
    CHECK(accounts.authenticate("clerk1", pw("a new good password")).ok());
}
