#include "county/console/console_handler.hpp"

#include "county/console/api_tokens.hpp"
#include "county/console/web_assets.hpp"
#include "county/staff/audit_log.hpp"
#include "county/staff/exporters.hpp"
#include "county/staff/period_stats.hpp"
#include "county/staff/reply_check.hpp"
#include "county/staff/reply_templates.hpp"
#include "county/staff/staff_accounts.hpp"
#include "county/staff/survey_stats.hpp"
#include "county/staff/weekly_table.hpp"
#include "crypto/atomic_file.hpp"
#include "crypto/secret_bytes.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>

namespace minsheng::console {

using nlohmann::json;
using server::HttpRequest;
using server::HttpResponse;
using staff::Actor;
using staff::StaffRole;

namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::string dumpJson(const json& j) {
    // Report text may hold bytes that are not UTF-8 (it was validated as UTF-8 at the kiosk,
    // but the console must never fail a page over one): replace rather than throw.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse jsonResponse(unsigned status, const json& body, std::string route) {
    HttpResponse r;
    r.status = status;
    r.body = dumpJson(body);
    r.route = std::move(route);
    return r;
}

HttpResponse errorResponse(unsigned status, std::string_view code, const std::string& message,
                           std::string route = "api") {
    return jsonResponse(status, json{{"error", code}, {"message", message}}, std::move(route));
}

HttpResponse unauthorized() {
    return errorResponse(401, "unauthorized", "请先登录 — log in first (or the session expired).");
}

HttpResponse forbidden(std::string_view what) {
    return errorResponse(403, "forbidden",
                         "您的角色不能" + std::string(what) + " — your role may not do this.");
}

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 &&
                   hexValue(s[i + 2]) >= 0) {
            out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// The query string's parameters (the last of a repeated name wins).
std::map<std::string, std::string> queryParameters(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty())
            continue;
        const auto eq = pair.find('=');
        out[percentDecode(pair.substr(0, eq))] =
            eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1));
    }
    return out;
}

std::optional<std::int64_t> parseInteger(std::string_view text) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

/// The request body as a JSON object, or the 400 that says why not.
Result<json, HttpResponse> jsonBody(const HttpRequest& r) {
    if (r.contentType.rfind("application/json", 0) != 0)
        return fail(errorResponse(415, "bad-request",
                                  "请求须为 JSON — send the body as application/json."));
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail(errorResponse(400, "bad-request",
                                  "请求内容不是 JSON 对象 — the body is not a JSON object."));
    return j;
}

/// A string member (absent: empty), or nullopt when it is present and not a string.
std::optional<std::string> stringMember(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null())
        return std::string();
    if (!it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

HttpResponse badField(const char* name) {
    return errorResponse(400, "bad-request",
                         std::string("字段 ") + name + " 应为文字 — \"" + name +
                             "\" must be a string.");
}

unsigned statusForWorkflowError(staff::WorkflowError::Code code) {
    using Code = staff::WorkflowError::Code;
    switch (code) {
    case Code::Forbidden:
        return 403;
    case Code::NotAllowed:
        return 409;
    case Code::MissingField:
    case Code::Invalid:
        return 400;
    case Code::NotFound:
        return 404;
    case Code::Storage:
        return 500;
    }
    return 500;
}

HttpResponse workflowError(const staff::WorkflowError& e) {
    using Code = staff::WorkflowError::Code;
    const char* code = e.code == Code::Forbidden      ? "forbidden"
                       : e.code == Code::NotAllowed   ? "not-allowed"
                       : e.code == Code::MissingField ? "missing-field"
                       : e.code == Code::Invalid      ? "invalid"
                       : e.code == Code::NotFound     ? "not-found"
                                                      : "storage";
    return errorResponse(statusForWorkflowError(e.code), code, e.message);
}

HttpResponse ledgerError(const staff::LedgerError& e) {
    return errorResponse(e.code == staff::LedgerError::Code::NotFound ? 404 : 500,
                         e.code == staff::LedgerError::Code::NotFound ? "not-found" : "storage",
                         e.message);
}

std::string_view statusName(crypto::CaseStatus s) {
    return crypto::caseStatusName(s);
}

/// What every answer of the console carries, whichever path made it.
HttpResponse handleDefaults(HttpResponse r) {
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
    return r;
}

} // namespace

/// Who is calling: the account behind the session or token.
struct ConsoleHandler::Caller {
    Actor actor;
    std::optional<ConsoleSession> session; // none for API tokens
    const HttpRequest* request = nullptr;

    StaffRole role() const { return actor.user ? actor.user->role : StaffRole::Supervisor; }
    bool isSupervisor() const { return role() == StaffRole::Supervisor; }
};

ConsoleHandler::ConsoleHandler(ConsoleOffice office, ConsoleHooks hooks, SessionLimits limits)
    : m_office(std::move(office)), m_hooks(std::move(hooks)), m_sessions(m_hooks.clock, limits),
      m_minRespondents(m_office.rules.minRespondents) {
    if (!m_hooks.log)
        m_hooks.log = [](const std::string&) {
        };
    if (m_office.settingsFile.empty())
        return;
    // A supervisor's setting survives a restart; the configured value stays the floor.
    std::ifstream in(m_office.settingsFile);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("min_respondents = ", 0) == 0)
            if (auto v = parseInteger(line.substr(18));
                v && *v >= m_office.rules.minRespondents && *v <= 1000)
                m_minRespondents = static_cast<int>(*v);
}

HttpResponse ConsoleHandler::handle(const HttpRequest& request) {
    return handleDefaults(route(request));
}

HttpResponse ConsoleHandler::tooLarge(std::string_view what) {
    return handleDefaults(
        errorResponse(413, "too-large", "请求过大 — " + std::string(what) + " is over the limit."));
}

HttpResponse ConsoleHandler::badFraming(std::string_view why) {
    return handleDefaults(
        errorResponse(400, "bad-request", "请求格式有误 — malformed request: " + std::string(why)));
}

HttpResponse ConsoleHandler::overloaded(std::string_view what) {
    auto r = errorResponse(503, "busy", "系统繁忙，请稍后再试 — busy (" + std::string(what) + ").");
    r.headers.emplace_back("Retry-After", "2");
    return handleDefaults(std::move(r));
}

HttpResponse ConsoleHandler::route(const HttpRequest& r) {
    const auto q = r.target.find('?');
    const std::string path = r.target.substr(0, q);
    const std::string_view query =
        q == std::string::npos ? std::string_view() : std::string_view(r.target).substr(q + 1);
    const bool get = r.method == "GET", post = r.method == "POST";

    if (get && (path == "/" || path == "/index.html")) {
        auto page = findWebAsset("index.html");
        if (!page)
            return errorResponse(404, "not-found", "页面未构建 — the console's pages are missing.",
                                 "page");
        HttpResponse resp;
        resp.contentType = std::string(page->contentType);
        resp.body = std::string(page->bytes);
        resp.route = "page";
        return resp;
    }
    if (get && path == "/favicon.ico") {
        // Browsers ask for it on every page the console serves whole (the printable tables).
        HttpResponse none;
        none.status = 204;
        none.contentType = "image/x-icon";
        none.route = "static";
        return none;
    }
    if (get && path.rfind("/static/", 0) == 0) {
        const std::string name = path.substr(8);
        auto asset = name.find('/') == std::string::npos ? findWebAsset(name) : std::nullopt;
        if (!asset)
            return errorResponse(404, "not-found", "没有此文件 — no such file.", "static");
        HttpResponse resp;
        resp.contentType = std::string(asset->contentType);
        resp.body = std::string(asset->bytes);
        resp.route = "static";
        return resp;
    }
    if (path == "/api/session") {
        if (!post)
            return errorResponse(405, "method", "只接受 POST — use POST.");
        return login(r);
    }
    if (get && (path == "/print/weekly" || path == "/print/monthly"))
        return withCaller(r, [&](Caller& c) { return printable(c, path.substr(7), query); });
    if (path.rfind("/api/", 0) != 0)
        return errorResponse(404, "not-found", "没有此页面 — no such page.", "unknown");

    return withCaller(r, [&](Caller& c) -> HttpResponse {
        if (post && path == "/api/logout")
            return logout(r);
        if (get && path == "/api/me")
            return me(c);
        if (get && path == "/api/cases")
            return listCases(c, query);
        if (path.rfind("/api/cases/", 0) == 0) {
            std::string_view rest = std::string_view(path).substr(11);
            const auto slash = rest.find('/');
            auto id = parseInteger(rest.substr(0, slash));
            if (!id)
                return errorResponse(404, "not-found", "没有此案件 — no such case.");
            if (get && slash == std::string_view::npos)
                return showCase(c, *id);
            if (post && slash != std::string_view::npos)
                return changeCase(c, *id, rest.substr(slash + 1), r.body);
        }
        if (get && path == "/api/stats")
            return stats(c, query);
        if (get && path == "/api/audit")
            return audit(c, query);
        if (get && path == "/api/users")
            return users(c);
        if (path == "/api/settings" && (get || post))
            return settings(c, r);
        if (post && path == "/api/pull")
            return pull(c);
        if (get && path == "/api/export")
            return exportCases(c, query);
        if (post && path == "/api/reply-check")
            return replyCheck(c, r.body);
        if (path == "/api/templates" || path.rfind("/api/templates/", 0) == 0)
            return templates(c, r, std::string_view(path).substr(14), query);
        if (post && path == "/api/bulk")
            return bulk(c, r.body);
        if (get && path == "/api/surveys")
            return surveys(c, query);
        if (get && path == "/api/calendar")
            return calendar(query);
        if (get && path == "/api/kiosks")
            return kioskFleet(c, query);
        return errorResponse(404, "not-found", "没有此接口 — no such API call.", "unknown");
    });
}

HttpResponse ConsoleHandler::withCaller(const HttpRequest& r,
                                        const std::function<HttpResponse(Caller&)>& f) {
    Caller caller;
    caller.request = &r;
    std::optional<std::int64_t> userId;
    std::optional<std::string> tokenAccount;
    if (r.authorization.rfind("Bearer ", 0) == 0) {
        // Another county system: the token names the account; no cookie, so no CSRF token.
        if (m_office.apiTokensFile.empty())
            return unauthorized();
        auto tokens = ApiTokens::load(m_office.apiTokensFile);
        if (!tokens) {
            m_hooks.log("error: " + tokens.error().message);
            return unauthorized();
        }
        tokenAccount = tokens->accountFor(std::string_view(r.authorization).substr(7));
        if (!tokenAccount)
            return unauthorized();
    } else {
        auto session = m_sessions.touch(cookieValue(r.cookie, kSessionCookieName));
        if (!session)
            return unauthorized();
        if (r.method != "GET" && !csrfTokenMatches(*session, r.csrfToken))
            return errorResponse(403, "csrf",
                                 "页面已过期，请刷新 — the request lacks this session's CSRF token "
                                 "(reload the page).");
        userId = session->userId;
        caller.session = std::move(session);
    }
    if (r.method != "GET" && r.contentType.rfind("application/json", 0) != 0)
        return errorResponse(415, "bad-request",
                             "请求须为 JSON — send the body as application/json.");
    {
        std::lock_guard lock(m_ledgerMutex);
        staff::StaffAccounts accounts(m_office.ledger, m_hooks.clock);
        auto user = userId ? accounts.findById(*userId) : accounts.find(*tokenAccount);
        if (!user || user->disabled) {
            if (userId)
                m_sessions.closeAllOf(*userId);
            return unauthorized();
        }
        caller.actor = Actor{std::move(*user)};
    }
    return f(caller);
}

HttpResponse ConsoleHandler::login(const HttpRequest& r) {
    auto body = jsonBody(r);
    if (!body)
        return body.error();
    auto name = stringMember(*body, "user");
    auto password = stringMember(*body, "password");
    if (!name || !password || name->empty() || password->empty())
        return errorResponse(400, "bad-request",
                             "请填写账号和密码 — give \"user\" and \"password\".");
    if (m_loginsInFlight.fetch_add(1) >= kMaxLoginsInFlight) {
        m_loginsInFlight.fetch_sub(1);
        auto busy = errorResponse(503, "busy", "登录繁忙，请稍后再试 — too many logins at once.");
        busy.headers.emplace_back("Retry-After", "1");
        return busy;
    }
    auto secret = crypto::SecretBytes::copyOf(std::string_view(*password));
    sodium_memzero(password->data(), password->size());
    Result<staff::StaffUser, staff::AccountError> user = fail(staff::AccountError{});
    {
        // The check costs 64 MiB of Argon2id and reads and writes the account's failure count;
        // the ledger lock is held for all of it.
        std::lock_guard lock(m_ledgerMutex);
        staff::StaffAccounts accounts(m_office.ledger, m_hooks.clock);
        user = accounts.authenticate(*name, secret);
        if (user)
            (void)staff::appendAudit(m_office.ledger, {m_hooks.clock(), user->id, "session.open",
                                                       std::nullopt, "office console"});
    }
    m_loginsInFlight.fetch_sub(1);
    if (!user) {
        using Code = staff::AccountError::Code;
        const auto& e = user.error();
        if (e.code == Code::Locked) {
            auto locked = errorResponse(423, "locked", e.message, "session");
            locked.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(
                                                           1, e.lockedUntil - m_hooks.clock())));
            return locked;
        }
        if (e.code == Code::Storage)
            return errorResponse(500, "storage", e.message, "session");
        // Wrong password, unknown or disabled account: one answer, so names cannot be probed.
        return errorResponse(401, "unauthorized", "账号或密码不正确 — wrong user name or password.",
                             "session");
    }
    auto opened = m_sessions.open(user->id);
    auto resp = jsonResponse(200,
                             json{{"csrf", opened.session.csrfToken},
                                  {"user", user->name},
                                  {"role", staff::staffRoleName(user->role)},
                                  {"role_label", staff::staffRoleChinese(user->role)}},
                             "session");
    resp.headers.emplace_back("Set-Cookie", sessionCookie(opened.cookieValue));
    resp.logNote = "user " + std::to_string(user->id);
    return resp;
}

HttpResponse ConsoleHandler::logout(const HttpRequest& r) {
    m_sessions.close(cookieValue(r.cookie, kSessionCookieName));
    auto resp = jsonResponse(200, json{{"ok", true}}, "logout");
    resp.headers.emplace_back("Set-Cookie", expiredSessionCookie());
    return resp;
}

HttpResponse ConsoleHandler::me(Caller& c) {
    const auto& u = *c.actor.user;
    return jsonResponse(200,
                        json{{"user", u.name},
                             {"role", staff::staffRoleName(u.role)},
                             {"role_label", staff::staffRoleChinese(u.role)},
                             {"csrf", c.session ? c.session->csrfToken : std::string()},
                             {"county", m_office.countyName}},
                        "me");
}

namespace {

/// What the parent wrote in their own words: the description, else the longest answer.
std::string excerptFor(const staff::FormCatalog& forms, const staff::Submission& s) {
    std::string best;
    for (const auto& a : forms.render(s, false)) {
        if (a.fieldId == "description") {
            best = a.value;
            break;
        }
        if (a.value.size() > best.size())
            best = a.value;
    }
    return staff::utf8Excerpt(best.empty() ? forms.categoryLabel(s.category) : best,
                              staff::kCaseExcerptCodePoints);
}

json caseRowJson(const staff::FormCatalog& forms, const staff::CaseRules& rules,
                 const staff::Submission& s, std::chrono::sys_days due, const std::string& handler,
                 std::int64_t now) {
    json row{{"case", s.id},
             {"number", s.caseNumber()},
             {"status", statusName(s.status)},
             {"status_label", staff::caseStatusChinese(s.status)},
             {"category", s.category},
             {"category_label", forms.categoryLabel(s.category)},
             {"school", s.school},
             {"school_label", forms.itemLabel("schools", s.school)},
             {"township", s.township},
             {"township_label", forms.itemLabel("townships", s.township)},
             {"kiosk", s.kioskId},
             {"received", rules.formatIso(s.receivedAt)},
             {"due", staff::CaseRules::formatDay(due)},
             {"urgency", staff::urgencyName(staff::caseUrgency(due, s.status, rules, now))},
             {"handler", handler.empty() ? json(nullptr) : json(handler)},
             {"excerpt", excerptFor(forms, s)}};
    return row;
}

json figuresJson(const staff::PeriodFigures& f) {
    return json{{"received", f.received},
                {"accepted", f.accepted},
                {"transferred", f.transferred},
                {"closed", f.closed},
                {"closed_on_time", f.closedOnTime},
                {"open_at_end", f.openAtEnd},
                {"overdue_at_end", f.overdueAtEnd},
                {"average_handling_working_days", f.averageHandlingWorkingDays},
                {"longest_handling_working_days", f.longestHandlingWorkingDays}};
}

/// A query's day parameter, or `fallback` when absent; nullopt when present and not a date.
std::optional<std::optional<std::chrono::sys_days>>
dayParameter(const std::map<std::string, std::string>& q, const std::string& name) {
    auto it = q.find(name);
    if (it == q.end() || it->second.empty())
        return std::optional<std::chrono::sys_days>();
    auto day = staff::parseDay(it->second);
    if (!day)
        return std::nullopt;
    return std::optional<std::chrono::sys_days>(*day);
}

HttpResponse badDay(const std::string& name) {
    return errorResponse(400, "bad-request",
                         "日期格式应为 YYYY-MM-DD — \"" + name + "\" must be a date, YYYY-MM-DD.");
}

/// The status change a body asks for ({"status","reply","result","unit","reason"}), or the 400
/// that says what is wrong. `reply` is nullopt when the body has no "reply" member.
Result<std::pair<staff::StatusChange, bool>, HttpResponse> statusChangeFrom(const json& body) {
    staff::StatusChange change;
    auto status = stringMember(body, "status");
    auto reply = stringMember(body, "reply");
    auto result = stringMember(body, "result");
    auto unit = stringMember(body, "unit");
    auto reason = stringMember(body, "reason");
    if (!status || !reply || !result || !unit || !reason)
        return fail(badField("status/reply/result/unit/reason"));
    auto parsed = staff::parseCaseStatus(*status);
    if (!parsed)
        return fail(
            errorResponse(400, "bad-request", "没有此状态 — unknown status \"" + *status + "\"."));
    change.status = *parsed;
    change.reply = *reply;
    change.unit = *unit;
    change.reason = *reason;
    if (!result->empty() && !(change.result = staff::parseCaseResult(*result)))
        return fail(errorResponse(400, "bad-request",
                                  "没有此办理结果 — unknown result \"" + *result + "\"."));
    if (change.reply.size() > crypto::kMaxReplyBytes)
        return fail(errorResponse(400, "invalid",
                                  "答复过长 — the reply is over " +
                                      std::to_string(crypto::kMaxReplyBytes) + " bytes."));
    return std::pair{std::move(change), body.contains("reply")};
}

/// The account a body's "handler" names, or the error to answer.
Result<staff::StaffUser, HttpResponse> handlerFrom(const json& body, staff::Ledger& ledger,
                                                   const Clock& clock) {
    auto name = stringMember(body, "handler");
    if (!name)
        return fail(badField("handler"));
    staff::StaffAccounts accounts(ledger, clock);
    auto handler = accounts.find(*name);
    if (!handler)
        return fail(
            errorResponse(404, "not-found", "没有此账号 — no account named \"" + *name + "\"."));
    return std::move(*handler);
}
} // namespace

Result<staff::CaseIndex*, staff::LedgerError> ConsoleHandler::caseIndex() {
    if (!m_index) {
        auto index =
            std::make_unique<staff::CaseIndex>(m_office.ledger, m_office.rules, m_office.forms);
        if (auto loaded = index->refresh(); !loaded)
            return fail(loaded.error());
        m_index = std::move(index);
    }
    return m_index.get();
}

void ConsoleHandler::refreshIndex(std::optional<std::int64_t> id) {
    if (!m_index)
        return;
    // A failed update leaves the index stale; drop it so the next list reloads it whole.
    if (!(id ? m_index->updateCase(*id) : m_index->refresh()))
        m_index.reset();
}

HttpResponse ConsoleHandler::listCases(Caller& c, std::string_view query) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::View))
        return forbidden("查看案件");
    const auto q = queryParameters(query);
    auto get = [&q](const char* name) {
        auto it = q.find(name);
        return it == q.end() ? std::string() : it->second;
    };
    staff::CaseQuery cq;
    auto from = dayParameter(q, "from");
    auto to = dayParameter(q, "to");
    auto dueFrom = dayParameter(q, "due_from");
    auto dueTo = dayParameter(q, "due_to");
    if (!from)
        return badDay("from");
    if (!to)
        return badDay("to");
    if (!dueFrom)
        return badDay("due_from");
    if (!dueTo)
        return badDay("due_to");
    cq.receivedFrom = *from;
    cq.receivedTo = *to;
    cq.dueFrom = *dueFrom;
    cq.dueTo = *dueTo;
    if (!get("status").empty()) {
        auto status = staff::parseCaseStatus(get("status"));
        if (!status)
            return errorResponse(400, "bad-request",
                                 "没有此状态 — unknown status \"" + get("status") + "\".");
        cq.statuses.push_back(*status);
    }
    if (!get("urgency").empty() && !(cq.urgency = staff::parseUrgencyFilter(get("urgency"))))
        return errorResponse(400, "bad-request",
                             "紧急程度应为 yellow、red 或 yellow_or_red — unknown urgency.");
    // The page's short sort names ("-received" newest first), and the library's.
    static const std::map<std::string, staff::CaseSort, std::less<>> kSorts = {
        {"-received", staff::CaseSort::ReceivedDesc},
        {"received", staff::CaseSort::ReceivedAsc},
        {"due", staff::CaseSort::DueAsc},
        {"-due", staff::CaseSort::DueDesc}};
    if (const auto sort = get("sort"); !sort.empty()) {
        if (auto it = kSorts.find(sort); it != kSorts.end())
            cq.sort = it->second;
        else if (auto named = staff::parseCaseSort(sort))
            cq.sort = *named;
        else
            return errorResponse(400, "bad-request", "没有此排序 — unknown sort \"" + sort + "\".");
    }
    for (auto [name, field] :
         {std::pair{"category", &cq.category}, std::pair{"school", &cq.school},
          std::pair{"township", &cq.township}, std::pair{"kiosk", &cq.kioskId}})
        if (!get(name).empty())
            *field = get(name);
    if (get("mine") == "1" && c.actor.user)
        cq.handlerId = c.actor.user->id;
    cq.text = get("q");
    cq.offset = static_cast<std::size_t>(
        std::max<std::int64_t>(0, parseInteger(get("offset")).value_or(0)));
    cq.limit = static_cast<std::size_t>(
        std::clamp<std::int64_t>(parseInteger(get("limit")).value_or(staff::kDefaultCaseListLimit),
                                 1, staff::kMaxCaseListLimit));
    const auto now = m_hooks.clock();

    std::lock_guard lock(m_ledgerMutex);
    auto index = caseIndex();
    if (!index)
        return ledgerError(index.error());
    const auto page = (*index)->query(cq, now);
    json rows = json::array();
    for (const auto& r : page.rows)
        rows.push_back({{"case", r.id},
                        {"number", r.caseNumber},
                        {"status", statusName(r.status)},
                        {"status_label", staff::caseStatusChinese(r.status)},
                        {"category", r.category},
                        {"category_label", r.categoryLabel},
                        {"school", r.school},
                        {"school_label", r.schoolLabel},
                        {"township", r.township},
                        {"township_label", r.townshipLabel},
                        {"kiosk", r.kioskId},
                        {"received", m_office.rules.formatIso(r.receivedAt)},
                        {"due", staff::CaseRules::formatDay(r.dueDay)},
                        {"urgency", staff::urgencyName(r.urgency)},
                        {"handler", r.handlerName.empty() ? json(nullptr) : json(r.handlerName)},
                        {"excerpt", r.excerpt}});
    json counts = json::object();
    for (const auto& [status, n] : page.countsByStatus)
        counts[std::string(statusName(status))] = n;
    std::string noMatch;
    if (page.total == 0)
        for (const auto& sentence : (*index)->describeUnknownFilters(cq))
            noMatch += (noMatch.empty() ? "" : " ") + sentence;
    return jsonResponse(200,
                        json{{"cases", rows},
                             {"total", page.total},
                             {"offset", cq.offset},
                             {"limit", cq.limit},
                             {"counts", counts},
                             {"no_match", noMatch.empty() ? json(nullptr) : json(noMatch)}},
                        "cases");
}

HttpResponse ConsoleHandler::showCase(Caller& c, std::int64_t id) {
    std::lock_guard lock(m_ledgerMutex);
    auto found = m_office.ledger.submission(id);
    if (!found)
        return ledgerError(found.error());
    if (!found->isComplaint())
        return errorResponse(404, "not-found",
                             "这是问卷，不是案件 — this is a survey, not a case.");
    staff::CaseWorkflow workflow(m_office.ledger, m_office.rules, m_hooks.clock);
    auto file = workflow.viewCase(c.actor, *found);
    if (!file)
        return workflowError(file.error());
    const auto& s = file->submission;
    const auto now = m_hooks.clock();
    json out =
        caseRowJson(m_office.forms, m_office.rules, s, file->dueDate, file->handlerName, now);
    json answers = json::array();
    for (const auto& a : m_office.forms.render(s, !s.anonymous))
        answers.push_back({{"id", a.fieldId}, {"label", a.label}, {"value", a.value}});
    out["answers"] = answers;
    out["anonymous"] = s.anonymous;
    out["contact"] = s.anonymous ? json(nullptr)
                                 : json{{"name", s.contactName.value_or("")},
                                        {"phone", s.contactPhone.value_or("")}};
    out["reply"] = s.reply;
    out["submitted"] = m_office.rules.formatIso(s.createdAt);
    json history = json::array();
    for (const auto& h : file->history)
        history.push_back(
            {{"status", statusName(h.status)},
             {"status_label", staff::caseStatusChinese(h.status)},
             {"at", m_office.rules.formatIso(h.setAt)},
             {"actor",
              h.signedByStaff ? (h.actorName.empty() ? "未署名" : h.actorName) : "系统 system"},
             {"reply", h.reply},
             {"result", h.result},
             {"unit", h.unit},
             {"reason", h.reason},
             {"pushed", h.pushed}});
    out["history"] = history;
    json events = json::array();
    for (const auto& e : file->events) {
        json ev{{"kind", staff::caseEventKindName(e.kind)},
                {"at", m_office.rules.formatIso(e.at)},
                {"actor", e.actorName},
                {"text", e.text},
                {"handler", e.handlerName}};
        if (e.dueDay)
            ev["due"] = staff::CaseRules::formatDay(*e.dueDay);
        events.push_back(ev);
    }
    out["events"] = events;
    json transitions = json::array();
    for (auto to : {crypto::CaseStatus::Accepted, crypto::CaseStatus::InProgress,
                    crypto::CaseStatus::Transferred, crypto::CaseStatus::NotAccepted,
                    crypto::CaseStatus::Closed}) {
        if (!staff::isAllowedTransition(s.status, to))
            continue;
        const auto action = staff::isReopening(s.status, to) ? staff::CaseAction::Reopen
                                                             : staff::CaseAction::ChangeStatus;
        if (staff::mayPerform(c.actor, action))
            transitions.push_back(statusName(to));
    }
    out["transitions"] = transitions;
    const bool open = !staff::isFinalStatus(s.status);
    out["can"] = {{"assign", open && staff::mayPerform(c.actor, staff::CaseAction::Assign)},
                  {"extend", open && staff::mayPerform(c.actor, staff::CaseAction::Extend)},
                  {"note", staff::mayPerform(c.actor, staff::CaseAction::Note)}};
    auto resp = jsonResponse(200, json{{"case", out}}, "case");
    resp.logNote = "case " + std::to_string(id);
    return resp;
}

HttpResponse ConsoleHandler::changeCase(Caller& c, std::int64_t id, std::string_view what,
                                        const std::string& rawBody) {
    json body = json::parse(rawBody, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return errorResponse(400, "bad-request",
                             "请求内容不是 JSON 对象 — the body is not a JSON object.");
    std::lock_guard lock(m_ledgerMutex);
    staff::CaseWorkflow workflow(m_office.ledger, m_office.rules, m_hooks.clock);
    Result<Ok, staff::WorkflowError> done = Ok{};
    bool queued = false;
    if (what == "status") {
        auto parsed = statusChangeFrom(body);
        if (!parsed)
            return parsed.error();
        auto& [change, hasReply] = *parsed;
        // No "reply" member: the public reply stays what it is (an empty string clears it).
        if (!hasReply)
            if (auto current = m_office.ledger.submission(id))
                change.reply = current->reply;
        auto changed = workflow.changeStatus(c.actor, id, change, m_office.countySigningKey);
        if (!changed)
            return workflowError(changed.error());
        queued = true;
    } else if (what == "notes") {
        auto text = stringMember(body, "text");
        if (!text)
            return badField("text");
        done = workflow.addNote(c.actor, id, *text);
    } else if (what == "assign") {
        auto handler = handlerFrom(body, m_office.ledger, m_hooks.clock);
        if (!handler)
            return handler.error();
        done = workflow.assign(c.actor, id, *handler);
    } else if (what == "extend") {
        auto due = stringMember(body, "due");
        auto reason = stringMember(body, "reason");
        if (!due || !reason)
            return badField("due/reason");
        auto day = staff::parseDay(*due);
        if (!day)
            return badDay("due");
        done = workflow.extendDeadline(c.actor, id, *day, *reason);
    } else if (what == "merge") {
        auto note = stringMember(body, "note");
        if (!note || !body.contains("into") || !body["into"].is_number_integer())
            return errorResponse(400, "bad-request",
                                 "请给出合并到的案件号 — give \"into\" as a case id.");
        auto merged = workflow.merge(c.actor, id, body["into"].get<std::int64_t>(), *note,
                                     m_office.countySigningKey);
        if (!merged)
            return workflowError(merged.error());
        queued = true;
    } else if (what == "followup") {
        auto satisfaction = stringMember(body, "satisfaction");
        auto note = stringMember(body, "note");
        if (!satisfaction || !note || !body.contains("reached") || !body["reached"].is_boolean())
            return errorResponse(400, "bad-request",
                                 "请说明是否联系上 — give \"reached\" (true or false).");
        staff::FollowUp followUp;
        followUp.reached = body["reached"].get<bool>();
        followUp.note = *note;
        if (followUp.reached) {
            // The page's short names, and the library's.
            const std::string name =
                *satisfaction == "basically" ? "basically_satisfied" : *satisfaction;
            followUp.satisfaction = staff::parseSatisfaction(name);
            if (!followUp.satisfaction)
                return errorResponse(400, "bad-request",
                                     "满意度应为 satisfied、basically 或 not_satisfied — unknown "
                                     "satisfaction \"" +
                                         *satisfaction + "\".");
        }
        done = workflow.recordFollowUp(c.actor, id, followUp);
    } else {
        return errorResponse(404, "not-found", "没有此操作 — no such action.");
    }
    if (!done)
        return workflowError(done.error());
    refreshIndex(what == "merge" ? std::nullopt : std::optional<std::int64_t>(id));
    if (queued && m_hooks.statusQueued)
        m_hooks.statusQueued();
    auto resp = jsonResponse(200, json{{"ok", true}}, "case-" + std::string(what));
    resp.logNote = "case " + std::to_string(id);
    return resp;
}

HttpResponse ConsoleHandler::stats(Caller& c, std::string_view query) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::View))
        return forbidden("查看统计");
    const auto q = queryParameters(query);
    auto from = dayParameter(q, "from");
    auto to = dayParameter(q, "to");
    if (!from)
        return badDay("from");
    if (!to)
        return badDay("to");
    const auto now = m_hooks.clock();
    // This week, Monday to Sunday, in the office's time zone, unless a period is given.
    const auto today = m_office.rules.localDay(now);
    const auto monday = today - std::chrono::days((std::chrono::weekday(today).iso_encoding() - 1));
    const auto first = from->value_or(monday);
    const auto last = to->value_or(first + std::chrono::days(6));
    if (last < first)
        return errorResponse(400, "bad-request",
                             "结束日期早于开始日期 — \"to\" is before \"from\".");
    std::lock_guard lock(m_ledgerMutex);
    auto cases = staff::loadCaseTimelines(m_office.ledger);
    if (!cases)
        return ledgerError(cases.error());
    const auto st = staff::computePeriodStats(*cases, m_office.rules, first, last, now);
    auto groups = [](const std::vector<staff::PeriodGroup>& gs, auto label) {
        json out = json::array();
        for (const auto& g : gs) {
            json row = figuresJson(g.figures);
            row["id"] = g.id;
            row["label"] = label(g.id);
            out.push_back(row);
        }
        return out;
    };
    const auto& f = m_office.forms;
    return jsonResponse(
        200,
        json{{"from", staff::CaseRules::formatDay(first)},
             {"to", staff::CaseRules::formatDay(last)},
             {"complete", st.complete},
             {"total", figuresJson(st.total)},
             {"by_category",
              groups(st.byCategory, [&f](const std::string& id) { return f.categoryLabel(id); })},
             {"by_township",
              groups(st.byTownship,
                     [&f](const std::string& id) { return f.itemLabel("townships", id); })},
             {"by_school",
              groups(st.bySchool,
                     [&f](const std::string& id) { return f.itemLabel("schools", id); })},
             {"by_kiosk", groups(st.byKiosk, [](const std::string& id) { return id; })}},
        "stats");
}

HttpResponse ConsoleHandler::audit(Caller& c, std::string_view query) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::ReadAudit))
        return forbidden("查看审计日志");
    const auto q = queryParameters(query);
    const auto limitText = q.count("limit") ? q.at("limit") : std::string("200");
    const auto limit = static_cast<std::size_t>(
        std::clamp<std::int64_t>(parseInteger(limitText).value_or(200), 1, 5000));
    std::lock_guard lock(m_ledgerMutex);
    auto entries = staff::readAudit(m_office.ledger, {});
    if (!entries)
        return ledgerError(entries.error());
    json out = json::array();
    for (auto it = entries->rbegin(); it != entries->rend() && out.size() < limit; ++it)
        out.push_back({{"at", m_office.rules.formatIso(it->record.at)},
                       {"actor", it->actorName.empty() ? "未署名" : it->actorName},
                       {"action", it->record.action},
                       {"case", it->caseNumber.empty() ? json(nullptr) : json(it->caseNumber)},
                       {"detail", it->record.detail}});
    // Reading the audit log is itself recorded.
    (void)staff::appendAudit(m_office.ledger,
                             {m_hooks.clock(), c.actor.id(), "audit.read", std::nullopt, ""});
    return jsonResponse(200, json{{"entries", out}}, "audit");
}

HttpResponse ConsoleHandler::users(Caller& c) {
    if (!c.isSupervisor())
        return forbidden("管理账号");
    std::lock_guard lock(m_ledgerMutex);
    staff::StaffAccounts accounts(m_office.ledger, m_hooks.clock);
    auto all = accounts.list();
    if (!all)
        return errorResponse(500, "storage", all.error().message);
    json out = json::array();
    for (const auto& u : *all)
        out.push_back({{"name", u.name},
                       {"role", staff::staffRoleName(u.role)},
                       {"role_label", staff::staffRoleChinese(u.role)},
                       {"disabled", u.disabled}});
    return jsonResponse(200, json{{"users", out}}, "users");
}

HttpResponse ConsoleHandler::settings(Caller& c, const HttpRequest& r) {
    const int floor = m_office.rules.minRespondents;
    if (r.method == "GET")
        return jsonResponse(
            200,
            json{{"min_respondents", m_minRespondents.load()}, {"min_respondents_floor", floor}},
            "settings");
    if (!c.isSupervisor())
        return forbidden("修改设置");
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("min_respondents") ||
        !body["min_respondents"].is_number_integer())
        return errorResponse(
            400, "bad-request",
            "min_respondents 应为整数 — give \"min_respondents\" as a whole number.");
    const auto n = body["min_respondents"].get<std::int64_t>();
    if (n < floor || n > 1000)
        return errorResponse(400, "invalid",
                             "最少人数不能低于县里配置的 " + std::to_string(floor) +
                                 " — the minimum group size may not be set below " +
                                 std::to_string(floor) + " (county.toml [report]) nor above 1000.");
    std::lock_guard lock(m_ledgerMutex);
    if (!m_office.settingsFile.empty()) {
        const std::string text = "# Written by the office console: the settings a supervisor made "
                                 "there.\n[report]\nmin_respondents = " +
                                 std::to_string(n) + "\n";
        auto written = crypto::writeFileAtomically(m_office.settingsFile, text, 0600,
                                                   crypto::Existing::Replace);
        if (!written)
            return errorResponse(500, "storage",
                                 "无法保存设置 — cannot write " + m_office.settingsFile.string());
    }
    m_minRespondents = static_cast<int>(n);
    (void)staff::appendAudit(m_office.ledger,
                             {m_hooks.clock(), c.actor.id(), "settings.change", std::nullopt,
                              "min_respondents=" + std::to_string(n)});
    return jsonResponse(200, json{{"ok", true}, {"min_respondents", n}}, "settings");
}

HttpResponse ConsoleHandler::pull(Caller& c) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::ChangeStatus))
        return forbidden("收取新的反映");
    auto report = pullNow();
    return jsonResponse(report.ok ? 200 : 502,
                        json{{"ok", report.ok},
                             {"pulled", report.recorded},
                             {"pushed", report.pushed},
                             {"alarms", report.alarms},
                             {"message", report.message}},
                        "pull");
}

HttpResponse ConsoleHandler::exportCases(Caller& c, std::string_view query) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::View))
        return forbidden("导出");
    const auto q = queryParameters(query);
    const std::string formatName = q.count("format") ? q.at("format") : std::string("xlsx");
    const auto format = staff::parseExportFormat(formatName);
    if (!format)
        return errorResponse(400, "bad-request",
                             "导出格式应为 xlsx、csv、json、open311 或 open311-services — unknown "
                             "format \"" +
                                 formatName + "\".");
    const auto now = m_hooks.clock();
    const std::string stem =
        "minsheng-" + staff::CaseRules::formatDay(m_office.rules.localDay(now));
    HttpResponse resp;
    resp.route = "export";
    if (*format == staff::ExportFormat::Open311Services) {
        resp.body = staff::exportOpen311Services(m_office.forms);
        resp.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"open311-services.json\"");
        return resp;
    }
    // One CSV file per form: ?form=ID (default the complaint form), or form=history.
    const std::string form = q.count("form") ? q.at("form") : std::string("complaint");
    if (*format == staff::ExportFormat::Csv && form != "history" && !m_office.forms.form(form))
        return errorResponse(404, "not-found", "没有此表单 — no form \"" + form + "\".");
    std::lock_guard lock(m_ledgerMutex);
    auto rows = m_office.ledger.submissions();
    if (!rows)
        return ledgerError(rows.error());
    auto extras = staff::readCaseExtras(m_office.ledger, m_office.rules, *rows, now);
    if (!extras)
        return errorResponse(500, "storage", extras.error().message);
    staff::ExportContext ctx{&m_office.forms, &m_office.rules, m_office.countyName, now,
                             m_minRespondents.load()};
    // An export shows every report's content: audited before it is sent.
    if (auto logged = staff::appendAudit(
            m_office.ledger,
            {now, c.actor.id(), "export", std::nullopt,
             "console " + formatName + ", " + std::to_string(rows->size()) + " submissions"});
        !logged)
        return ledgerError(logged.error());
    std::string fileName;
    switch (*format) {
    case staff::ExportFormat::Xlsx: {
        auto bytes = staff::exportXlsxBytes(*rows, *extras, ctx,
                                            m_office.scratchDir.empty()
                                                ? m_office.ledger.file().parent_path()
                                                : m_office.scratchDir);
        if (!bytes)
            return errorResponse(500, "storage", bytes.error().message);
        resp.body = std::move(*bytes);
        resp.contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        fileName = stem + ".xlsx";
        break;
    }
    case staff::ExportFormat::Csv: {
        for (auto& f : staff::exportCsvPerForm(*rows, *extras, ctx))
            if (f.fileName == form + ".csv")
                resp.body = std::move(f.bytes), fileName = stem + "-" + f.fileName;
        if (fileName.empty())
            return errorResponse(404, "not-found", "没有此表单 — no form \"" + form + "\".");
        resp.contentType = "text/csv; charset=utf-8";
        break;
    }
    case staff::ExportFormat::Json:
        resp.body = staff::exportJson(*rows, *extras, ctx);
        fileName = stem + ".json";
        break;
    case staff::ExportFormat::Open311:
    case staff::ExportFormat::Open311Services:
        resp.body = staff::exportOpen311(*rows, *extras, ctx);
        fileName = stem + "-open311.json";
        break;
    }
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    resp.logNote = std::to_string(rows->size()) + " submissions";
    return resp;
}

HttpResponse ConsoleHandler::replyCheck(Caller& c, const std::string& rawBody) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::View))
        return forbidden("检查答复");
    json body = json::parse(rawBody, nullptr, false);
    auto text = body.is_object() ? stringMember(body, "text") : std::nullopt;
    if (!text)
        return badField("text");
    json warnings = json::array();
    for (const auto& w : staff::checkPublicReply(*text))
        warnings.push_back({{"kind", staff::replyWarningKindName(w.kind)},
                            {"match", w.matched},
                            {"offset", w.offset},
                            {"message", w.message}});
    return jsonResponse(200, json{{"warnings", warnings}}, "reply-check");
}

HttpResponse ConsoleHandler::templates(Caller& c, const HttpRequest& r, std::string_view rest,
                                       std::string_view query) {
    auto templateJson = [](const staff::ReplyTemplate& t, const std::string& body) {
        return json{{"id", t.id},
                    {"title", t.title},
                    {"category", t.category ? json(*t.category) : json(nullptr)},
                    {"body", body},
                    {"disabled", t.disabled}};
    };
    std::lock_guard lock(m_ledgerMutex);
    staff::ReplyTemplates store(m_office.ledger, m_hooks.clock);
    if (r.method == "GET" && rest.empty()) {
        const auto q = queryParameters(query);
        std::optional<std::string> category;
        if (q.count("category") && !q.at("category").empty())
            category = q.at("category");
        // With ?case=ID the placeholders are filled from that case.
        std::optional<staff::TemplateValues> values;
        if (q.count("case")) {
            auto id = parseInteger(q.at("case"));
            auto found =
                id ? m_office.ledger.submission(*id)
                   : Result<staff::Submission, staff::LedgerError>(
                         fail(staff::LedgerError{staff::LedgerError::Code::NotFound, "no case"}));
            if (!found)
                return ledgerError(found.error());
            staff::CaseWorkflow workflow(m_office.ledger, m_office.rules, m_hooks.clock);
            auto events = workflow.events(found->id);
            if (!events)
                return workflowError(events.error());
            staff::CaseFile file;
            file.submission = *found;
            file.dueDate = staff::effectiveDueDate(found->receivedAt, found->category, *events,
                                                   m_office.rules, m_hooks.clock());
            values = staff::templateValues(file, m_office.forms.categoryLabel(found->category),
                                           m_office.rules);
            if (!category)
                category = found->category;
        }
        auto list = store.list(c.actor, category, q.count("all") > 0);
        if (!list)
            return workflowError(list.error());
        json out = json::array();
        for (const auto& t : *list)
            out.push_back(templateJson(t, values ? staff::fillTemplate(t.body, *values) : t.body));
        return jsonResponse(200, json{{"templates", out}}, "templates");
    }
    if (r.method != "POST")
        return errorResponse(405, "method", "只接受 GET 或 POST — use GET or POST.");
    json body = json::parse(r.body, nullptr, false);
    if (!body.is_object())
        return errorResponse(400, "bad-request",
                             "请求内容不是 JSON 对象 — the body is not a JSON object.");
    // POST /api/templates: a new one; POST /api/templates/ID: new text; .../ID/disable.
    const auto slash = rest.empty() ? std::string_view::npos : rest.find('/', 1);
    const std::int64_t id =
        rest.empty()
            ? 0
            : parseInteger(rest.substr(1, slash == std::string_view::npos ? std::string_view::npos
                                                                          : slash - 1))
                  .value_or(-1);
    if (id < 0 || (slash != std::string_view::npos && rest.substr(slash) != "/disable"))
        return errorResponse(404, "not-found", "没有此模板 — no such template.");
    if (slash != std::string_view::npos) {
        auto disabled = store.disable(c.actor, id);
        if (!disabled)
            return workflowError(disabled.error());
        return jsonResponse(200, json{{"ok", true}}, "templates");
    }
    auto title = stringMember(body, "title");
    auto text = stringMember(body, "body");
    auto category = stringMember(body, "category");
    if (!title || !text || !category)
        return badField("title/body/category");
    staff::TemplateDraft draft{
        *title, category->empty() ? std::nullopt : std::optional<std::string>(*category), *text};
    if (rest.empty()) {
        auto added = store.add(c.actor, draft);
        if (!added)
            return workflowError(added.error());
        return jsonResponse(200, json{{"ok", true}, {"id", *added}}, "templates");
    }
    auto updated = store.update(c.actor, id, draft);
    if (!updated)
        return workflowError(updated.error());
    return jsonResponse(200, json{{"ok", true}}, "templates");
}

HttpResponse ConsoleHandler::bulk(Caller& c, const std::string& rawBody) {
    json body = json::parse(rawBody, nullptr, false);
    if (!body.is_object() || !body.contains("cases") || !body["cases"].is_array() ||
        body["cases"].size() > 500)
        return errorResponse(400, "bad-request",
                             "请给出案件列表（至多 500 件） — give \"cases\", a list of at most "
                             "500 case ids.");
    std::vector<std::int64_t> ids;
    for (const auto& v : body["cases"]) {
        if (!v.is_number_integer())
            return errorResponse(400, "bad-request", "案件号应为整数 — case ids are integers.");
        ids.push_back(v.get<std::int64_t>());
    }
    auto action = stringMember(body, "action");
    if (!action)
        return badField("action");
    std::lock_guard lock(m_ledgerMutex);
    staff::BulkAction bulkAction;
    bool statusChange = false;
    if (*action == "assign") {
        auto handler = handlerFrom(body, m_office.ledger, m_hooks.clock);
        if (!handler)
            return handler.error();
        bulkAction = staff::BulkAssign{*handler};
    } else if (*action == "note") {
        auto text = stringMember(body, "text");
        if (!text)
            return badField("text");
        bulkAction = staff::BulkNote{*text};
    } else if (*action == "status") {
        auto parsed = statusChangeFrom(body);
        if (!parsed)
            return parsed.error();
        const auto& change = parsed->first;
        bulkAction = change;
        statusChange = true;
    } else {
        return errorResponse(400, "bad-request",
                             "批量操作应为 assign、status 或 note — unknown action \"" + *action +
                                 "\".");
    }
    staff::CaseWorkflow workflow(m_office.ledger, m_office.rules, m_hooks.clock);
    const auto outcomes = workflow.bulkApply(c.actor, ids, bulkAction,
                                             statusChange ? &m_office.countySigningKey : nullptr);
    json results = json::array();
    std::size_t done = 0;
    for (const auto& o : outcomes) {
        results.push_back({{"case", o.caseId},
                           {"ok", !o.refused},
                           {"message", o.refused ? o.refused->message : std::string()}});
        done += !o.refused;
    }
    for (const auto& o : outcomes)
        if (!o.refused)
            refreshIndex(o.caseId);
    if (statusChange && done && m_hooks.statusQueued)
        m_hooks.statusQueued();
    auto resp = jsonResponse(200, json{{"results", results}, {"done", done}}, "bulk");
    resp.logNote = std::to_string(done) + "/" + std::to_string(outcomes.size());
    return resp;
}

namespace {

/// A period from ?from=&to= (this week by default) or ?month=YYYY-MM.
struct PeriodQuery {
    std::chrono::sys_days from{}, to{};
    std::optional<std::chrono::year_month> month;
};

Result<PeriodQuery, HttpResponse> periodQuery(const std::map<std::string, std::string>& q,
                                              std::chrono::sys_days today) {
    PeriodQuery p;
    if (q.count("month") && !q.at("month").empty()) {
        p.month = staff::parseMonth(q.at("month"));
        if (!p.month)
            return fail(errorResponse(400, "bad-request",
                                      "月份格式应为 YYYY-MM — \"month\" must be YYYY-MM."));
        std::tie(p.from, p.to) = staff::monthDays(*p.month);
        return p;
    }
    auto from = dayParameter(q, "from");
    auto to = dayParameter(q, "to");
    if (!from)
        return fail(badDay("from"));
    if (!to)
        return fail(badDay("to"));
    const auto week = staff::weekContaining(today);
    p.from = from->value_or(week.first);
    p.to = to->value_or(*from ? p.from + std::chrono::days(6) : week.second);
    if (p.to < p.from)
        return fail(
            errorResponse(400, "bad-request", "结束日期早于开始日期 — \"to\" is before \"from\"."));
    return p;
}

} // namespace

HttpResponse ConsoleHandler::surveys(Caller& c, std::string_view query) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::View))
        return forbidden("查看满意度");
    auto q = queryParameters(query);
    const auto now = m_hooks.clock();
    if (!q.count("month") && !q.count("from") && !q.count("to")) {
        // Survey figures are released per ended month (survey_stats.hpp): last month by default.
        const std::chrono::year_month_day today(m_office.rules.localDay(now));
        q["month"] =
            staff::formatSurveyMonth(today.year() / today.month() - std::chrono::months(1));
    }
    auto period = periodQuery(q, m_office.rules.localDay(now));
    if (!period)
        return period.error();
    std::optional<int> requested;
    if (q.count("min_respondents"))
        if (auto v = parseInteger(q.at("min_respondents")); v && *v > 0 && *v < 100000)
            requested = static_cast<int>(*v);
    auto minimum = staff::effectiveMinRespondents(m_minRespondents.load(), requested);
    if (!minimum)
        return errorResponse(400, "invalid", minimum.error().message);
    const auto* form = m_office.forms.form("survey");
    if (!form)
        return errorResponse(404, "not-found", "没有满意度问卷 — the survey form is missing.");
    std::lock_guard lock(m_ledgerMutex);
    auto rows = m_office.ledger.submissions();
    if (!rows)
        return ledgerError(rows.error());
    auto released = staff::releasedSurveyStats(*rows, *form, m_office.rules, period->from,
                                               period->to, now, *minimum);
    if (!released)
        return errorResponse(400, "bad-request", released.error().message);
    const auto& st = *released;
    // The page's shape: one entry per question, its groups (county, schools, grades) with n,
    // 满意率 (a fraction) and the average; a hidden group carries no figure at all.
    json questions = json::array();
    for (std::size_t i = 0; i < st.questions.size(); ++i) {
        const auto& question = st.questions[i];
        json groups = json::array();
        auto add = [&](const char* dimension, const staff::SurveyGroup& g) {
            json row{{"dimension", dimension},
                     {"id", g.id},
                     {"label", g.label.zh.empty() ? g.id : g.label.zh},
                     {"hidden", g.hidden()}};
            if (!g.hidden()) {
                const auto& f = g.questions[i];
                const bool rating = question.kind == staff::SurveyQuestionKind::Rating;
                row["n"] = f.answered;
                row["satisfaction_rate"] =
                    rating && f.answered ? json(f.satisfiedPercent / 100.0) : json(nullptr);
                row["average"] = rating && f.answered ? json(f.average) : json(nullptr);
            }
            groups.push_back(row);
        };
        add("overall", st.overall);
        for (const auto& g : st.bySchool)
            add("school", g);
        for (const auto& g : st.byGrade)
            add("grade", g);
        questions.push_back({{"id", question.id},
                             {"label", question.label.zh},
                             {"kind", staff::surveyQuestionKindName(question.kind)},
                             {"groups", groups}});
    }
    return jsonResponse(200,
                        json{{"min_respondents", st.minRespondents},
                             {"from", staff::CaseRules::formatDay(st.from)},
                             {"to", staff::CaseRules::formatDay(st.to)},
                             {"questions", questions},
                             {"detail", staff::surveyStatsJson(st)}},
                        "surveys");
}

HttpResponse ConsoleHandler::printable(Caller& c, std::string_view which, std::string_view query) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::View))
        return forbidden("查看统计");
    const auto q = queryParameters(query);
    const auto now = m_hooks.clock();
    auto period = periodQuery(q, m_office.rules.localDay(now));
    if (!period)
        return period.error();
    if (which == "monthly" && !period->month) {
        // The month of the period's first day.
        const std::chrono::year_month_day first(period->from);
        period->month = first.year() / first.month();
        std::tie(period->from, period->to) = staff::monthDays(*period->month);
    }
    std::lock_guard lock(m_ledgerMutex);
    auto timelines = staff::loadCaseTimelines(m_office.ledger);
    if (!timelines)
        return ledgerError(timelines.error());
    auto rows = m_office.ledger.submissions();
    if (!rows)
        return ledgerError(rows.error());
    // Only a released period prints survey figures: an ended month, never a week
    // (survey_stats.hpp).
    std::optional<staff::SurveyStats> surveyFigures;
    if (const auto* form = m_office.forms.form("survey"))
        if (auto released = staff::releasedSurveyStats(*rows, *form, m_office.rules, period->from,
                                                       period->to, now, m_minRespondents.load()))
            surveyFigures = std::move(*released);
    const auto labels = staff::periodLabels(m_office.forms);
    const staff::PrintOptions options{m_office.countyName, q.count("lang") && q.at("lang") == "en"};
    const auto stats =
        staff::computePeriodStats(*timelines, m_office.rules, period->from, period->to, now);
    HttpResponse resp;
    resp.contentType = "text/html; charset=utf-8";
    resp.route = "print";
    if (which == "weekly") {
        resp.body = staff::weeklyTableHtml(stats, surveyFigures ? &*surveyFigures : nullptr, labels,
                                           options);
        return resp;
    }
    std::vector<staff::PeriodStats> weeks;
    for (const auto& [from, to] : staff::weeksOfMonth(*period->month))
        weeks.push_back(staff::computePeriodStats(*timelines, m_office.rules, from, to, now));
    resp.body = staff::monthlyTableHtml(stats, weeks, surveyFigures ? &*surveyFigures : nullptr,
                                        labels, options);
    return resp;
}

HttpResponse ConsoleHandler::calendar(std::string_view query) {
    const auto q = queryParameters(query);
    const auto now = m_hooks.clock();
    const std::chrono::year_month_day today(m_office.rules.localDay(now));
    const auto year = q.count("year") ? parseInteger(q.at("year"))
                                      : std::optional<std::int64_t>(int(today.year()));
    if (!year || *year < 2000 || *year > 2100)
        return errorResponse(400, "bad-request",
                             "年份应在 2000–2100 — \"year\" must be 2000–2100.");
    const auto first = std::chrono::sys_days(std::chrono::year(int(*year)) / 1 / 1);
    const auto last = std::chrono::sys_days(std::chrono::year(int(*year)) / 12 / 31);
    json holidays = json::array(), workdays = json::array();
    for (auto d : m_office.rules.holidays)
        if (d >= first && d <= last)
            holidays.push_back(staff::CaseRules::formatDay(d));
    for (auto d : m_office.rules.workdays)
        if (d >= first && d <= last)
            workdays.push_back(staff::CaseRules::formatDay(d));
    const auto entry = m_office.rules.calendarYears.find(int(*year));
    const auto warning = m_office.rules.calendarWarning(int(*year));
    return jsonResponse(
        200,
        json{{"year", *year},
             {"provisional",
              entry != m_office.rules.calendarYears.end() && entry->second.provisional},
             {"source", entry != m_office.rules.calendarYears.end() ? entry->second.source : ""},
             {"file", m_office.rules.calendarFile.string()},
             {"holidays", holidays},
             {"workdays", workdays},
             {"warning", warning ? json(*warning) : json(nullptr)}},
        "calendar");
}

HttpResponse ConsoleHandler::kioskFleet(Caller& c, std::string_view query) {
    if (!staff::mayPerform(c.actor, staff::CaseAction::View))
        return forbidden("查看自助机状态");
    const auto q = queryParameters(query);
    int silentHours = staff::kDefaultSilentHours;
    if (auto it = q.find("silent_hours"); it != q.end() && !it->second.empty()) {
        const auto n = parseInteger(it->second);
        if (!n || *n < 1 || *n > staff::kMaxSilentHours)
            return errorResponse(
                400, "bad-request",
                "静默小时数应为 1–" + std::to_string(staff::kMaxSilentHours) +
                    " 的整数 — \"silent_hours\" must be a whole number from 1 to " +
                    std::to_string(staff::kMaxSilentHours) + ".");
        silentHours = static_cast<int>(*n);
    }
    if (!m_hooks.kioskFleet)
        return errorResponse(503, "unavailable",
                             "未配置自助机名册 — this console has no kiosk registry to show.");
    const auto now = m_hooks.clock();
    auto fleet = m_hooks.kioskFleet(now, silentHours);
    if (!fleet)
        return errorResponse(500, "registry", fleet.error());
    const auto& rules = m_office.rules;
    auto timeAndAge = [&rules, now](std::optional<std::int64_t> at, json& row, const char* name,
                                    const char* ageName) {
        row[name] = at ? json(rules.formatIso(*at)) : json(nullptr);
        row[ageName] = at ? json(now - *at) : json(nullptr);
    };
    json kiosks = json::array();
    for (const auto& k : fleet->rows) {
        json row{{"id", k.id},
                 {"name", k.name},
                 {"key_id", k.keyIdHex},
                 {"revoked", k.revoked},
                 {"known", k.health.has_value()}};
        timeAndAge(k.health ? k.lastSeen : std::nullopt, row, "last_seen", "last_seen_age_seconds");
        if (k.health && k.heartbeat) {
            const auto& hb = *k.heartbeat;
            json beat{{"software_version", hb.softwareVersion},
                      {"backlog", hb.backlog ? json(*hb.backlog) : json(nullptr)},
                      {"config_version", hb.configVersion},
                      {"config_failure", hb.configFailure}};
            timeAndAge(hb.sentAt, beat, "at", "age_seconds");
            row["heartbeat"] = std::move(beat);
        } else {
            row["heartbeat"] = nullptr;
        }
        // Unknown without the server's view: the page says so rather than raise an alarm.
        row["silent"] = k.health ? json(k.silent) : json(nullptr);
        kiosks.push_back(std::move(row));
    }
    return jsonResponse(
        200,
        json{{"silent_hours", silentHours},
             {"default_silent_hours", staff::kDefaultSilentHours},
             {"max_silent_hours", staff::kMaxSilentHours},
             {"now", rules.formatIso(now)},
             {"server_ok", fleet->healthNote.empty()},
             {"server_message",
              fleet->healthNote.empty()
                  ? json(nullptr)
                  : json("无法取得县服务器上的自助机状态，仅显示名册 — " + fleet->healthNote)},
             {"kiosks", kiosks}},
        "kiosks");
}

PullReport ConsoleHandler::pullNow() {
    if (!m_hooks.pull)
        return PullReport{false, 0, 0, 0,
                          "未配置县服务器 — no intake server is configured for this office."};
    std::lock_guard lock(m_ledgerMutex);
    auto report = m_hooks.pull(m_office.ledger);
    if (report.recorded || report.pushed)
        refreshIndex(std::nullopt);
    return report;
}

} // namespace minsheng::console
