// ConsoleHandler: the office console's every page and API call (docs/console.md) as a function
// from a request to a response, over the county's ledger. No sockets: the HTTPS transport
// (county/server/https_server.hpp) reads requests within its limits and calls handle(); the
// tests call it through the real transport on 127.0.0.1.
//
// Who may do what:
//   - Everything but the login page, its script and style, and POST /api/session needs a live
//     session (cookie, console_sessions.hpp) or an API token (Authorization: Bearer), else 401.
//   - Every POST but the login needs the session's CSRF token in X-CSRF-Token (403 "csrf"
//     otherwise) and a JSON body (Content-Type application/json): a cross-site form cannot send
//     either. API tokens are not cookies, so a browser never sends them on its own; they need no
//     CSRF token.
//   - Each route is authorised by role (case_workflow.hpp's mayPerform): clerks work cases,
//     supervisors also assign, extend, reopen, read the audit log and change settings, auditors
//     read cases and the audit log.
//   - Every view of a report's content and every change appends an audit row (the workflow does
//     it in the change's own transaction).
// Every response carries a strict Content-Security-Policy (no script, style or font from
// anywhere but the console itself, no inline script or style, no framing) and no-store caching.
//
// Thread-safety: the transport calls handle() from several threads. The ledger is one SQLite
// connection, so every use of it is serialised by one mutex; sessions lock on their own, and
// password checks (64 MiB of Argon2id each) run at most kMaxLoginsInFlight at once, outside the
// ledger lock for the hashing itself.
#pragma once

#include "county/console/console_sessions.hpp"
#include "county/server/request_handler.hpp"
#include "county/staff/case_query.hpp"
#include "county/staff/case_rules.hpp"
#include "county/staff/case_workflow.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/kiosk_fleet.hpp"
#include "county/staff/ledger.hpp"
#include "crypto/keys.hpp"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace minsheng::console {

inline constexpr std::size_t kMaxConsoleBody = 256u << 10;
inline constexpr int kMaxLoginsInFlight = 2;

/// What a pull (and the push of queued statuses) did, for the page.
struct PullReport {
    bool ok = false;
    std::size_t recorded = 0, pushed = 0, alarms = 0;
    std::string message; // Chinese first, then English
};

/// The office the console works for. Everything referenced must outlive the handler.
struct ConsoleOffice {
    staff::Ledger& ledger;
    const staff::CaseRules& rules;
    const staff::FormCatalog& forms;
    const crypto::Ed25519SecretKey& countySigningKey;
    std::string countyName;
    /// Where the supervisor's settings are kept (DIR/console.toml); empty: not kept.
    std::filesystem::path settingsFile;
    /// API tokens for other county systems (DIR/keys/console-api.tokens); empty: none.
    std::filesystem::path apiTokensFile;
    /// Where a spreadsheet is built before it is sent (on the ledger's file system: it holds
    /// report content for a moment). Empty: the ledger's folder.
    std::filesystem::path scratchDir;
};

struct ConsoleHooks {
    Clock clock;
    std::function<void(const std::string&)> log;
    /// Pulls new reports and pushes queued statuses; called with the ledger lock held. Empty:
    /// the office has no intake server configured.
    std::function<PullReport(staff::Ledger&)> pull;
    /// The kiosk fleet (kiosk_fleet.hpp) at `now`, silent after `silentHours`: the registry, with
    /// the intake server's view when it answers; or why the registry could not be read. Called
    /// without the ledger lock (it reads no ledger and may wait on the network). Empty: the
    /// fleet page answers 503.
    std::function<Result<staff::KioskFleet, std::string>(std::int64_t now, int silentHours)>
        kioskFleet;
    /// Called after every change that queued a status for the server (the console then pushes
    /// soon rather than at the next scheduled pull).
    std::function<void()> statusQueued;
};

class ConsoleHandler final : public server::RequestHandler {
public:
    ConsoleHandler(ConsoleOffice office, ConsoleHooks hooks, SessionLimits limits = {});

    server::HttpResponse handle(const server::HttpRequest& request) override;
    server::HttpResponse tooLarge(std::string_view what) override;
    server::HttpResponse badFraming(std::string_view why) override;
    server::HttpResponse overloaded(std::string_view what) override;
    std::size_t bodyLimit(std::string_view, std::string_view) const override {
        return kMaxConsoleBody;
    }

    /// A scheduled pull (the console's timer): the same as POST /api/pull, unattributed.
    PullReport pullNow();

    /// The minimum group size survey figures are shown for (the configured value, or what a
    /// supervisor set since).
    int minRespondents() const { return m_minRespondents.load(); }

private:
    struct Caller;
    server::HttpResponse route(const server::HttpRequest& r);
    server::HttpResponse withCaller(const server::HttpRequest& r,
                                    const std::function<server::HttpResponse(Caller&)>& f);

    server::HttpResponse login(const server::HttpRequest& r);
    server::HttpResponse logout(const server::HttpRequest& r);
    server::HttpResponse me(Caller& c);
    server::HttpResponse listCases(Caller& c, std::string_view query);
    server::HttpResponse showCase(Caller& c, std::int64_t id);
    server::HttpResponse changeCase(Caller& c, std::int64_t id, std::string_view what,
                                    const std::string& body);
    server::HttpResponse stats(Caller& c, std::string_view query);
    server::HttpResponse audit(Caller& c, std::string_view query);
    server::HttpResponse users(Caller& c);
    server::HttpResponse settings(Caller& c, const server::HttpRequest& r);
    server::HttpResponse pull(Caller& c);
    server::HttpResponse exportCases(Caller& c, std::string_view query);
    server::HttpResponse replyCheck(Caller& c, const std::string& body);
    server::HttpResponse templates(Caller& c, const server::HttpRequest& r, std::string_view rest,
                                   std::string_view query);
    server::HttpResponse bulk(Caller& c, const std::string& body);
    server::HttpResponse surveys(Caller& c, std::string_view query);
    server::HttpResponse calendar(std::string_view query);
    server::HttpResponse kioskFleet(Caller& c, std::string_view query);
    server::HttpResponse printable(Caller& c, std::string_view which, std::string_view query);

    ConsoleOffice m_office;
    ConsoleHooks m_hooks;
    ConsoleSessions m_sessions;
    /// Call with the ledger lock held: the case list's index, loaded on first use.
    Result<staff::CaseIndex*, staff::LedgerError> caseIndex();
    /// After a change to case `id` (or to every case: nullopt), with the ledger lock held.
    void refreshIndex(std::optional<std::int64_t> id);

    std::mutex m_ledgerMutex;
    std::unique_ptr<staff::CaseIndex> m_index; // guarded by m_ledgerMutex
    std::atomic<int> m_loginsInFlight{0};
    std::atomic<int> m_minRespondents;
};

} // namespace minsheng::console
