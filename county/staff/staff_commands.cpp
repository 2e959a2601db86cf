#include "county/staff/staff_commands.hpp"

#include "county/office/county_cli.hpp"
#include "county/office/county_dir.hpp"
#include "county/office/county_tls.hpp"
#include "county/office/kiosk_registry.hpp"
#include "county/office/passphrase_prompt.hpp"
#include "county/staff/audit_log.hpp"
#include "county/staff/case_query.hpp"
#include "county/staff/case_rules.hpp"
#include "county/staff/case_workflow.hpp"
#include "county/staff/exporters.hpp"
#include "county/staff/follow_up_stats.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/intake.hpp"
#include "county/staff/kiosk_fleet.hpp"
#include "county/staff/ledger_key.hpp"
#include "county/staff/new_password_prompt.hpp"
#include "county/staff/period_stats.hpp"
#include "county/staff/registry_admin.hpp"
#include "county/staff/reply_check.hpp"
#include "county/staff/reply_templates.hpp"
#include "county/staff/report.hpp"
#include "county/staff/staff_accounts.hpp"
#include "county/staff/survey_stats.hpp"
#include "county/staff/weekly_table.hpp"
#include "crypto/atomic_file.hpp"
#include "crypto/key_file.hpp"
#include "crypto/receipt_code.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <iostream>
#include <memory>
#include <tuple>
#include <unistd.h>

namespace minsheng::staff {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using county::complain;
using county::kExitFailure; // ran, but found problems (alarms, server unreachable)
using county::kExitUsage;   // refused: bad arguments, or a reply with warnings not confirmed

/// Options every staff command shares.
struct Common {
    fs::path dir;
    std::optional<fs::path> passFile;
    std::optional<std::int64_t> now; // hidden --now UNIX, for tests of due dates
    std::optional<std::string> user; // --user NAME, else MINSHENG_USER

    std::int64_t clock() const {
        if (now)
            return *now;
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

/// --now, hidden: what `clock()` returns.
void addNowOption(CLI::App& sub, Common& c) {
    sub.add_option("--now", c.now, "Pretend it is this Unix time (tests)")->group("");
}

void addCommon(CLI::App& sub, Common& c) {
    county::addDirOption(sub, c.dir, "County folder (made by init)");
    county::addPassphraseFileOption(
        sub, c.passFile,
        "Read the county passphrase from this file (also MINSHENG_PASSPHRASE_FILE)");
    addNowOption(sub, c);
}

/// --user NAME: the staff account doing this (docs/staff.md, "Accounts").
void addUserOption(CLI::App& sub, Common& c) {
    sub.add_option("--user", c.user,
                   "Staff account doing this (also MINSHENG_USER); required once accounts exist");
}

/// Who is acting: --user, else MINSHENG_USER, else nobody named — allowed only while the ledger
/// has no accounts (case_workflow.hpp). The command line does not ask for the account's
/// password: whoever runs it holds the ledger's key already; names make the work accountable.
Result<Actor, std::string> resolveActor(Ledger& ledger, const Common& c) {
    std::optional<std::string> name = c.user;
    if (!name)
        if (const char* env = std::getenv("MINSHENG_USER"); env && *env)
            name = env;
    StaffAccounts accounts(ledger, [&c] { return c.clock(); });
    if (!name) {
        auto any = accounts.any();
        if (!any)
            return fail(any.error().message);
        if (*any)
            return fail(std::string("请署名 This ledger has staff accounts: name yourself with "
                                    "--user NAME (or MINSHENG_USER); see `minsheng-county user "
                                    "list`."));
        return Actor{};
    }
    auto user = accounts.find(*name);
    if (!user)
        return fail(user.error().message);
    if (user->disabled)
        return fail("账户已停用 The account \"" + *name + "\" is disabled.");
    return Actor{std::move(*user)};
}

/// What most commands load first: configuration and the ledger.
struct Office {
    county::CountyDir dir;
    county::CountyConfig config;
    CaseRules rules;
    crypto::PassphraseSource passphrase;
};

Result<Office, std::string> loadOffice(const Common& c) {
    county::CountyDir dir(c.dir);
    auto config = county::loadCountyConfig(dir);
    if (!config)
        return fail(config.error().message);
    auto rules = loadCaseRules(dir);
    if (!rules)
        return fail(rules.error().message);
    return Office{dir, std::move(*config), std::move(*rules),
                  county::cachedPassphraseSource(c.passFile)};
}

Result<std::unique_ptr<StaffTransport>, ServerError>
connectServer(const Office& o, const std::optional<std::string>& serverUrl) {
    return connectStaffServer(o.dir, serverUrl.value_or(o.config.url));
}

/// A receipt code ("1234-5678-9012-3456") or a case number ("kiosk-id/17").
Result<Submission, std::string> findCase(Ledger& ledger, const Office& o,
                                         const std::string& ident) {
    if (auto slash = ident.find('/'); slash != std::string::npos) {
        const std::string kiosk = ident.substr(0, slash);
        const std::string seq = ident.substr(slash + 1);
        if (!county::isValidKioskId(kiosk) || seq.empty() || seq.size() > 15 ||
            seq.find_first_not_of("0123456789") != std::string::npos)
            return fail("\"" + ident +
                        "\" is not a case number (KIOSK-ID/SEQUENCE, e.g. "
                        "yx-001/17) nor a receipt code.");
        auto c = ledger.caseByNumber(kiosk, std::stoull(seq));
        if (!c)
            return fail(c.error().message);
        return std::move(c.value());
    }
    auto code = crypto::ReceiptCode::parse(ident);
    if (!code) {
        switch (code.error()) {
        case crypto::ReceiptCodeError::WrongLength:
            return fail("回执码应为16位数字 — \"" + ident +
                        "\" does not have 16 digits. Ask the parent to read the code again.");
        case crypto::ReceiptCodeError::NotDigits:
            return fail("回执码只有数字 — \"" + ident +
                        "\" holds characters other than digits, spaces and dashes.");
        case crypto::ReceiptCodeError::BadCheckDigit:
            return fail("号码有误，请核对 — the check digit of \"" + ident +
                        "\" does not match: a digit was misheard or mistyped. Ask the parent to "
                        "read the code again, slowly.");
        }
    }
    auto tagKey = crypto::readReceiptTagKey(o.dir.receiptTagKey());
    if (!tagKey)
        return fail(tagKey.error().message);
    auto c = ledger.caseByTag(code->tag(*tagKey));
    if (!c)
        return fail(c.error().message);
    return std::move(c.value());
}

/// Writes `text` to `file` with mode 0600 (exports hold what parents wrote), atomically.
Result<Ok, std::string> writePrivateFile(const fs::path& file, const std::string& text) {
    auto written = crypto::writeFileAtomically(file, text, 0600, crypto::Existing::Replace);
    if (!written) {
        if (written.error().code == crypto::AtomicFileError::Code::DiskFull)
            return fail("cannot write " + file.string() + " (is the disk full?).");
        return fail("cannot write " + file.string() + " (" +
                    std::strerror(written.error().sysErrno) + ").");
    }
    return Ok{};
}

std::string kioskNote(const county::KioskRegistry* reg, const std::string& kioskId) {
    if (!reg)
        return {};
    const auto* k = reg->find(kioskId);
    if (!k)
        return "（机器已不在登记中 kiosk no longer enrolled）";
    return k->revoked ? "（机器已吊销 kiosk revoked）" : "";
}

// ---- pull / import --------------------------------------------------------------------------

struct PullOptions {
    Common common;
    std::optional<std::string> server;
    std::vector<fs::path> imports;
    bool importOnly = false;
    unsigned pageSize = 500;
};

int runPull(const PullOptions& p) {
    auto office = loadOffice(p.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    auto registry = county::KioskRegistry::load(o.dir);
    if (!registry)
        return complain(registry.error().message);
    auto signing = crypto::readEd25519PublicKey(o.dir.signingPublicKey(),
                                                crypto::KeyKind::CountySigningPublic);
    if (!signing)
        return complain(signing.error().message);
    auto keys = county::loadOpeningKeys(o.dir, o.passphrase);
    if (!keys)
        return complain(keys.error().message);
    auto ledger = openLedger(o.dir, o.config, o.passphrase, true);
    if (!ledger)
        return complain(ledger.error().message);

    IntakeContext ctx;
    ctx.registry = &*registry;
    ctx.keys = &*keys;
    ctx.countySigningKey = *signing;
    ctx.revokedAt = county::loadRevocationTimes(o.dir, *registry);
    const auto now = p.common.clock();

    IntakeSummary total;
    bool failed = false;
    if (!p.imports.empty()) {
        auto r = importEnvelopeFiles(*ledger, p.imports, ctx, now);
        if (!r)
            return complain(r.error().message);
        std::cout << "导入 Import: " << r->recorded << " 新记录 recorded, " << r->duplicates
                  << " 已有 already in the ledger, " << r->alarms << " 警报 alarms.\n";
        total.add(*r);
    }
    if (!p.importOnly) {
        auto server = connectServer(o, p.server);
        if (!server) {
            std::cerr << "minsheng-county: " << server.error().message << "\n";
            failed = true;
        } else {
            auto r = pullFromServer(*ledger, **server, ctx, now, p.pageSize);
            if (!r) {
                std::cerr << "minsheng-county: " << r.error().message
                          << "\n  Nothing after the last complete page was recorded; run pull "
                             "again when the server is back.\n";
                failed = true;
            } else {
                std::cout << "收取 Pull from " << (*server)->describe() << ": " << r->recorded
                          << " 新记录 recorded, " << r->duplicates << " 已有 already recorded, "
                          << r->alarms << " 警报 alarms.\n";
                total.add(*r);
            }
            if (!failed) {
                auto pushed = pushPendingStatuses(*ledger, **server, now);
                if (!pushed)
                    return complain(pushed.error().message);
                if (pushed->pushed)
                    std::cout << "推送 Pushed " << pushed->pushed
                              << " 状态变更 status change(s) to the server.\n";
                for (const auto& m : pushed->messages)
                    std::cout << "  " << m << "\n";
            }
        }
    }
    for (const auto& m : total.messages)
        std::cout << "  ⚠ " << m << "\n";
    if (auto st = ledger->stats()) {
        std::cout << "台账 Ledger: " << st->complaints << " 投诉 complaints, " << st->surveys
                  << " 问卷 surveys, " << st->alarms << " 警报 alarms";
        if (st->pendingPushes)
            std::cout << ", " << st->pendingPushes << " 待推送 status change(s) queued";
        std::cout << ".\n";
    }
    return failed || total.alarms ? kExitFailure : 0;
}

// ---- cases / case show / case set / alarms --------------------------------------------------

struct CasesOptions {
    Common common;
    std::string status, category, school, township, kiosk, text, from, to, sort = "received_asc";
    std::optional<int> dueWithin;
    bool overdue = false, mine = false, json = false;
    std::size_t limit = kDefaultCaseListLimit, offset = 0;
};

/// The last day within `n` working days after `today` (today itself when n is 0 and today is
/// not a working day).
std::chrono::sys_days withinWorkingDays(const CaseRules& rules, std::chrono::sys_days today,
                                        int n) {
    std::chrono::sys_days day = today;
    for (int left = n, guard = 0; left > 0 && guard < 3660; ++guard) {
        day += std::chrono::days{1};
        if (rules.isWorkingDay(day) && --left == 0)
            break;
    }
    return day;
}

/// The command line's options as a CaseQuery; an error names the option.
Result<CaseQuery, std::string> casesQuery(const CasesOptions& c, const CaseRules& rules) {
    CaseQuery q;
    for (std::size_t at = 0; !c.status.empty() && at <= c.status.size();) {
        const auto comma = std::min(c.status.find(',', at), c.status.size());
        const std::string one = c.status.substr(at, comma - at);
        auto st = parseCaseStatus(one);
        if (!st)
            return fail("--status \"" + one +
                        "\" is not a status; use received 已接收, accepted 已受理, in_progress "
                        "办理中, closed 已办结, transferred 已转办 or not_accepted 不予受理 "
                        "(several: separated by commas).");
        q.statuses.push_back(*st);
        at = comma + 1;
    }
    auto optional = [](const std::string& v) {
        return v.empty() ? std::nullopt : std::optional<std::string>(v);
    };
    q.category = optional(c.category);
    q.school = optional(c.school);
    q.township = optional(c.township);
    q.kioskId = optional(c.kiosk);
    q.text = c.text;
    for (auto [text, out, name] :
         {std::tuple{&c.from, &q.receivedFrom, "--from"}, std::tuple{&c.to, &q.receivedTo, "--to"}})
        if (!text->empty() && !(*out = parseDay(*text)))
            return fail(std::string(name) + " \"" + *text + "\" is not a date; write YYYY-MM-DD.");
    auto sort = parseCaseSort(c.sort);
    if (!sort)
        return fail("--sort \"" + c.sort +
                    "\" is not an order; use received_desc, received_asc, due_asc, due_desc or "
                    "status.");
    q.sort = *sort;
    if (c.overdue)
        q.urgency = UrgencyFilter::Red;
    if (c.dueWithin) {
        q.dueTo = withinWorkingDays(rules, rules.localDay(c.common.clock()), *c.dueWithin);
        if (q.statuses.empty())
            q.statuses = {crypto::CaseStatus::Received, crypto::CaseStatus::Accepted,
                          crypto::CaseStatus::InProgress};
    }
    q.limit = c.limit;
    q.offset = c.offset;
    return q;
}

int runCases(const CasesOptions& c) {
    auto office = loadOffice(c.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    auto query = casesQuery(c, o.rules);
    if (!query)
        return complain(query.error());
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    if (c.mine) {
        auto actor = resolveActor(*ledger, c.common);
        if (!actor)
            return complain(actor.error());
        if (!actor->id())
            return complain("--mine needs a staff account: name yourself with --user NAME (or "
                            "MINSHENG_USER).");
        query->handlerId = actor->id();
    }
    const auto forms = FormCatalog::load(o.dir.formsDir());
    for (const auto& w : forms.warnings())
        std::cerr << "minsheng-county: warning: " << w << " (showing ids instead of labels)\n";
    CaseIndex index(*ledger, o.rules, forms);
    if (auto loaded = index.refresh(); !loaded)
        return complain(loaded.error().message);
    auto registry = county::KioskRegistry::load(o.dir);
    const auto now = c.common.clock();
    const CaseListPage page = index.query(*query, now);
    if (page.total == 0)
        for (const auto& unknown : index.describeUnknownFilters(*query))
            std::cerr << "没有符合条件的案件：" << unknown << " — no case matches.\n";

    json out = json::array();
    std::size_t overdueCount = 0;
    for (const auto& r : page.rows) {
        const bool late = r.urgency == Urgency::Red;
        overdueCount += late;
        const std::string due = CaseRules::formatDay(r.dueDay);
        if (c.json) {
            out.push_back({{"case", r.caseNumber},
                           {"status", std::string(crypto::caseStatusName(r.status))},
                           {"status_label", std::string(caseStatusChinese(r.status))},
                           {"received", o.rules.formatLocal(r.receivedAt)},
                           {"due", due},
                           {"overdue", late},
                           {"urgency", std::string(urgencyName(r.urgency))},
                           {"category", r.category},
                           {"category_label", r.categoryLabel},
                           {"school", r.school},
                           {"school_label", r.schoolLabel},
                           {"township", r.township},
                           {"township_label", r.townshipLabel},
                           {"kiosk", r.kioskId},
                           {"handler", r.handlerName},
                           {"excerpt", r.excerpt},
                           {"kiosk_revoked", registry && registry->find(r.kioskId) &&
                                                 registry->find(r.kioskId)->revoked}});
            continue;
        }
        std::cout << r.caseNumber << "  " << caseStatusLabel(r.status) << "  到期 due " << due
                  << (late                           ? "  ⚠超期 OVERDUE"
                      : r.urgency == Urgency::Yellow ? "  ●将到期 DUE SOON"
                                                     : "")
                  << "  " << r.categoryLabel;
        if (!r.schoolLabel.empty())
            std::cout << "  " << r.schoolLabel;
        if (!r.townshipLabel.empty())
            std::cout << "  " << r.townshipLabel;
        std::cout << "  接收 received " << o.rules.formatLocal(r.receivedAt);
        if (!r.handlerName.empty())
            std::cout << "  承办 handler " << r.handlerName;
        std::cout << kioskNote(registry ? &*registry : nullptr, r.kioskId) << "\n";
        if (!r.excerpt.empty() && r.excerpt != r.categoryLabel)
            std::cout << "    " << r.excerpt << "\n";
    }
    if (c.json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (page.rows.size() < page.total)
        std::cout << "第 " << query->offset + 1 << "–" << query->offset + page.rows.size()
                  << " 件 shown, ";
    std::cout << page.total << " 件 case(s)";
    if (overdueCount)
        std::cout << ", " << overdueCount << " 超期 overdue";
    std::cout << ".\n";
    if (query->offset + page.rows.size() < page.total)
        std::cout << "更多 More: --offset " << query->offset + page.rows.size() << "\n";
    if (auto st = ledger->stats(); st && st->alarms)
        std::cout << "⚠ " << st->alarms << " 警报 alarm(s) in the ledger: minsheng-county alarms "
                  << "--dir " << o.dir.root().string() << "\n";
    return 0;
}

// ---- calendar -------------------------------------------------------------------------------

struct CalendarOptions {
    Common common;
    std::optional<int> year;
};

int runCalendar(const CalendarOptions& c) {
    county::CountyDir dir(c.common.dir);
    auto rules = loadCaseRules(dir);
    if (!rules)
        return complain(rules.error().message);
    using namespace std::chrono;
    const std::int64_t now = c.common.clock();
    const int y = c.year ? *c.year : static_cast<int>(year_month_day{rules->localDay(now)}.year());
    static const char* kWeekdays[] = {"周日", "周一", "周二", "周三", "周四", "周五", "周六"};
    std::vector<sys_days> off, working;
    for (sys_days d{year{y} / January / 1}; d <= sys_days{year{y} / December / 31}; d += days{1}) {
        const bool weekend = weekday{d} == Saturday || weekday{d} == Sunday;
        if (!weekend && !rules->isWorkingDay(d))
            off.push_back(d);
        else if (weekend && rules->isWorkingDay(d))
            working.push_back(d);
    }
    std::cout << y << " 年办公日历 office calendar ("
              << (rules->calendarFile.empty() ? std::string("no calendar.toml")
                                              : rules->calendarFile.string())
              << ")\n";
    if (auto info = rules->calendarYears.find(y); info != rules->calendarYears.end()) {
        if (!info->second.source.empty())
            std::cout << "来源 source: " << info->second.source << "\n";
        if (info->second.provisional)
            std::cout << "暂定 provisional: statutory holidays only\n";
    }
    std::cout << "休息的工作日 non-working weekdays (" << off.size() << "):\n";
    for (auto d : off)
        std::cout << "  " << CaseRules::formatDay(d) << " " << kWeekdays[weekday{d}.c_encoding()]
                  << "\n";
    std::cout << "上班的周末 working weekend days (" << working.size() << "):\n";
    for (auto d : working)
        std::cout << "  " << CaseRules::formatDay(d) << " " << kWeekdays[weekday{d}.c_encoding()]
                  << "\n";
    std::vector<std::string> warnings = rules->calendarWarnings(now);
    const int current = static_cast<int>(year_month_day{rules->localDay(now)}.year());
    if (y != current && y != current + 1)
        if (auto w = rules->calendarWarning(y))
            warnings.push_back(*w);
    for (const auto& w : warnings)
        std::cerr << "minsheng-county: warning: " << w << "\n";
    if (rules->calendarFile.empty())
        if (auto shipped = county::defaultCalendarFile())
            std::cerr << "minsheng-county: the shipped calendar is " << shipped->string()
                      << "; copy it to " << dir.calendarFile().string() << " and edit it.\n";
    return 0;
}

struct CaseOptions {
    Common common;
    std::string ident;
    std::string status;
    std::optional<std::string> reply;
    std::string result, unit, reason;
    std::optional<std::string> server;
    bool offline = false, json = false;
    bool confirmReply = false;
};

/// Prints the reply's warnings (reply_check.hpp) on standard error. True when the reply may go:
/// no warnings, or staff confirmed with --confirm-reply.
bool replyCleared(const std::string& reply, bool confirmed) {
    const auto warnings = checkPublicReply(reply);
    for (const auto& w : warnings)
        std::cerr << "minsheng-county: ⚠ " << w.message << "\n";
    if (warnings.empty() || confirmed)
        return true;
    std::cerr << "minsheng-county: 未发送 Not sent: check the reply; if it is meant to say this, "
                 "run the command again with --confirm-reply.\n";
    return false;
}

/// Loads the office and opens the ledger (creating it when `mayCreateLedger`), names the acting
/// account, and returns `act(office, ledger, actor)`.
template <class Act>
int withActor(const Common& common, bool mayCreateLedger, Act act) {
    auto office = loadOffice(common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    auto ledger = openLedger(o.dir, o.config, o.passphrase, mayCreateLedger);
    if (!ledger)
        return complain(ledger.error().message);
    auto actor = resolveActor(*ledger, common);
    if (!actor)
        return complain(actor.error());
    return act(o, *ledger, *actor);
}

/// One case being worked: what withCase() hands its action.
struct CaseAtHand {
    Office& office;
    Ledger& ledger;
    CaseWorkflow& workflow;
    const Actor& actor;
    const Submission& found;
};

/// Loads the office and the ledger, finds the case `options.ident` and the acting account
/// (`options.common`), and returns `act(CaseAtHand&)`.
template <class Options, class Act>
int withCase(const Options& options, Act act) {
    const Common& common = options.common;
    return withActor(common, false, [&](Office& o, Ledger& ledger, const Actor& actor) {
        auto found = findCase(ledger, o, options.ident);
        if (!found)
            return complain(found.error());
        CaseWorkflow workflow(ledger, o.rules, [&common] { return common.clock(); });
        CaseAtHand at{o, ledger, workflow, actor, *found};
        return act(at);
    });
}

int runCaseShow(const CaseOptions& c) {
    return withCase(
        c,
        [&](CaseAtHand& at) {
            const Office& o = at.office;
            auto file =
                at.workflow.viewCase(at.actor, at.found); // audited before anything is printed
            if (!file)
                return complain(file.error().message);
            const Submission& s = file->submission;
            const auto* history = &file->history;
            const auto forms = FormCatalog::load(o.dir.formsDir());
            auto registry = county::KioskRegistry::load(o.dir);
            const auto now = c.common.clock();
            const bool late = !isFinalStatus(s.status) && o.rules.localDay(now) > file->dueDate;
            const std::string due = CaseRules::formatDay(file->dueDate);
            const auto answers = forms.render(s, true);

            if (c.json) {
                json j = {{"case", s.caseNumber()},
                          {"status", std::string(crypto::caseStatusName(s.status))},
                          {"status_label", std::string(caseStatusChinese(s.status))},
                          {"received", o.rules.formatLocal(s.receivedAt)},
                          {"submitted", o.rules.formatLocal(s.createdAt)},
                          {"due", due},
                          {"overdue", late},
                          {"reply", s.reply},
                          {"anonymous", s.anonymous},
                          {"answers", s.answers}};
                if (!s.anonymous)
                    j["contact"] = {{"name", s.contactName.value_or("")},
                                    {"phone", s.contactPhone.value_or("")}};
                json a = json::array();
                for (const auto& r : answers)
                    a.push_back({{"field", r.fieldId}, {"label", r.label}, {"value", r.value}});
                j["answers_text"] = a;
                json h = json::array();
                for (const auto& e : *history) {
                    json row = {{"status", std::string(crypto::caseStatusName(e.status))},
                                {"reply", e.reply},
                                {"at", o.rules.formatLocal(e.setAt)},
                                {"by_staff", e.signedByStaff},
                                {"actor", e.actorId ? json(e.actorName) : json(nullptr)},
                                {"pushed", e.pushed}};
                    for (const auto& [key, value] :
                         {std::pair{"result", &e.result}, {"unit", &e.unit}, {"reason", &e.reason}})
                        if (!value->empty())
                            row[key] = *value;
                    h.push_back(std::move(row));
                }
                j["history"] = h;
                json ev = json::array();
                for (const auto& e : file->events) {
                    json row = {{"kind", std::string(caseEventKindName(e.kind))},
                                {"at", o.rules.formatLocal(e.at)},
                                {"actor", e.actorId ? json(e.actorName) : json(nullptr)}};
                    if (!e.text.empty())
                        row["text"] = e.text;
                    if (e.handlerId)
                        row["handler"] = e.handlerName;
                    if (e.dueDay)
                        row["due"] = CaseRules::formatDay(*e.dueDay);
                    if (e.kind == CaseEvent::Kind::Merge) {
                        row["other_case"] = e.otherCaseNumber;
                        row["merged_away"] = e.mergedAway;
                    }
                    if (e.followUp) {
                        row["reached"] = e.followUp->reached;
                        if (e.followUp->satisfaction)
                            row["satisfaction"] =
                                std::string(satisfactionName(*e.followUp->satisfaction));
                    }
                    ev.push_back(std::move(row));
                }
                j["internal"] =
                    ev; // notes, assignments, extensions: never pushed, never shown to parents
                j["handler"] = file->handlerId ? json(file->handlerName) : json(nullptr);
                j["merged_into"] = json(nullptr);
                json merged = json::array();
                for (const auto& e : file->events)
                    if (e.kind == CaseEvent::Kind::Merge) {
                        if (e.mergedAway)
                            j["merged_into"] = e.otherCaseNumber;
                        else
                            merged.push_back(e.otherCaseNumber);
                    }
                j["merged_cases"] = merged;
                std::cout << j.dump(2) << "\n";
                return 0;
            }
            std::cout << "案件 Case " << s.caseNumber() << "    "
                      << (forms.form(s.formId) ? forms.form(s.formId)->title.zh : s.formId) << "\n"
                      << "状态 Status:   " << caseStatusLabel(s.status) << "\n"
                      << "到期 Due:      " << due << "（" << o.rules.dueWorkingDays(s.category)
                      << " 个工作日 working days"
                      << (file->dueDate != o.rules.dueDate(s.receivedAt, s.category)
                              ? ", 已延期 extended"
                              : "")
                      << "）" << (late ? "  ⚠ 超期 OVERDUE" : "") << "\n"
                      << "承办 Handler:  "
                      << (file->handlerId ? file->handlerName : std::string("未指派 not assigned"))
                      << "\n"
                      << "接收 Received: " << o.rules.formatLocal(s.receivedAt)
                      << "    提交 Submitted: " << o.rules.formatLocal(s.createdAt) << "\n"
                      << "来源 Source:   kiosk " << s.kioskId
                      << kioskNote(registry ? &*registry : nullptr, s.kioskId) << ", "
                      << (s.source == EnvelopeSource::Network ? "network" : "USB import")
                      << (s.acknowledged ? " (server acknowledged)" : "") << "\n"
                      << "匿名 Anonymous: "
                      << (s.anonymous ? "是 yes — no contact details" : "否 no") << "\n";
            if (!s.anonymous)
                std::cout << "联系 Contact:  " << s.contactName.value_or("") << "  "
                          << s.contactPhone.value_or("") << "\n";
            std::cout << "\n—— 反映内容 Report ——\n";
            for (const auto& a : answers)
                if (!isIdentityField(a.fieldId))
                    std::cout << "  " << a.label << "\n      " << a.value << "\n";
            std::cout << "\n—— 处理记录 History ——\n";
            for (const auto& e : *history) {
                std::cout << "  " << o.rules.formatLocal(e.setAt) << "  "
                          << caseStatusLabel(e.status);
                if (!e.signedByStaff)
                    std::cout << "  (自动 automatic)";
                else
                    std::cout << "  "
                              << (e.actorId ? e.actorName : std::string("未署名 unattributed"))
                              << (e.pushed ? "  [已推送 pushed]" : "  [待推送 queued]");
                std::cout << "\n";
                if (!e.result.empty())
                    std::cout << "      结果 Result: "
                              << caseResultChinese(
                                     parseCaseResult(e.result).value_or(CaseResult::Resolved))
                              << " " << e.result << "\n";
                if (!e.unit.empty())
                    std::cout << "      承办单位 Unit: " << e.unit << "\n";
                if (!e.reason.empty())
                    std::cout << "      理由 Reason: " << e.reason << "\n";
                if (!e.reply.empty())
                    std::cout << "      回复 Reply: " << e.reply << "\n";
            }
            if (!file->events.empty()) {
                std::cout << "\n—— 内部记录 Internal (never shown to the parent) ——\n";
                for (const auto& e : file->events) {
                    std::cout << "  " << o.rules.formatLocal(e.at) << "  "
                              << (e.actorId ? e.actorName : std::string("未署名 unattributed"))
                              << "  ";
                    switch (e.kind) {
                    case CaseEvent::Kind::Note:
                        std::cout << "备注 note: " << e.text;
                        break;
                    case CaseEvent::Kind::Assign:
                        std::cout << "指派 assigned to " << e.handlerName;
                        break;
                    case CaseEvent::Kind::Extend:
                        std::cout << "延期 extended to "
                                  << (e.dueDay ? CaseRules::formatDay(*e.dueDay) : std::string("?"))
                                  << ": " << e.text;
                        break;
                    case CaseEvent::Kind::Merge:
                        std::cout << (e.mergedAway ? "合并 merged into case " : "合并 case ")
                                  << e.otherCaseNumber << (e.mergedAway ? "" : " merged into this")
                                  << (e.text.empty() ? "" : ": " + e.text);
                        break;
                    case CaseEvent::Kind::FollowUp:
                        std::cout << "回访 follow-up: "
                                  << (!e.followUp || !e.followUp->reached
                                          ? std::string("未联系上 not reached")
                                          : "已联系 reached, " +
                                                std::string(satisfactionChinese(
                                                    *e.followUp->satisfaction)) +
                                                " " +
                                                std::string(
                                                    satisfactionName(*e.followUp->satisfaction)))
                                  << (e.text.empty() ? "" : ": " + e.text);
                        break;
                    }
                    std::cout << "\n";
                }
            }
            return 0;
        });
}

/// Pushes the queued statuses to the server, unless `offline`; a server that cannot be reached
/// leaves them queued (invariant 7) and is not a failure. Says what happened on `out`.
int pushQueued(const Office& o, Ledger& ledger, const std::optional<std::string>& serverUrl,
               bool offline, std::int64_t now, std::ostream& out = std::cout) {
    if (offline) {
        out << "未推送 Not pushed (--offline): it is queued and goes to the server at "
               "the next `pull` or `case set`.\n";
        return 0;
    }
    auto server = connectServer(o, serverUrl);
    if (!server) {
        out << "未推送 Not pushed: " << server.error().message
            << "\n  It is queued in the ledger and goes to the server at the next "
               "`pull` or `case set`.\n";
        return 0;
    }
    auto pushed = pushPendingStatuses(ledger, **server, now);
    if (!pushed)
        return complain(pushed.error().message);
    if (pushed->pushed)
        out << "已推送 Pushed " << pushed->pushed
            << " status change(s); parents see it at any kiosk with the receipt code.\n";
    for (const auto& m : pushed->messages)
        out << "  " << m << "\n";
    return 0;
}

/// --status/--reply/--result/--unit/--reason as a StatusChange, or why not.
Result<StatusChange, std::string> parseStatusChange(const std::string& statusText,
                                                    const std::optional<std::string>& reply,
                                                    const std::string& resultText,
                                                    const std::string& unit,
                                                    const std::string& reason) {
    auto status = parseCaseStatus(statusText);
    if (!status)
        return fail("--status \"" + statusText +
                    "\" is not a status; use received 已接收, accepted 已受理, in_progress "
                    "办理中, closed 已办结, transferred 已转办 or not_accepted 不予受理.");
    StatusChange change;
    change.status = *status;
    change.reply = reply.value_or("");
    change.unit = unit;
    change.reason = reason;
    if (change.reply.size() > crypto::kMaxReplyBytes)
        return fail("--reply is " + std::to_string(change.reply.size()) +
                    " bytes; a reply shown at the kiosk may have at most " +
                    std::to_string(crypto::kMaxReplyBytes) +
                    " bytes (about 1300 Chinese characters). Shorten it.");
    if (!resultText.empty() && !(change.result = parseCaseResult(resultText)))
        return fail("--result \"" + resultText +
                    "\" is not a result; use resolved 已解决, partly_resolved 部分解决, "
                    "explained 已解释说明 or unfounded 反映不属实.");
    return change;
}

/// The county signing key, read (and its passphrase asked for) only when a change will be made.
Result<crypto::Ed25519SecretKey, std::string> readSigner(const Office& o) {
    auto signer = crypto::readEd25519SecretKey(o.dir.signingSecretKey(),
                                               crypto::KeyKind::CountySigningSecret, o.passphrase);
    if (!signer)
        return fail(signer.error().message);
    return std::move(*signer);
}

int runCaseSet(const CaseOptions& c) {
    auto parsed = parseStatusChange(c.status, c.reply, c.result, c.unit, c.reason);
    if (!parsed)
        return complain(parsed.error());
    const StatusChange& change = *parsed;
    return withCase(c, [&](CaseAtHand& at) {
        const Office& o = at.office;
        // Refused changes are refused before the signing key (and its passphrase) is asked for.
        if (auto refused = checkStatusChange(at.found.status, change))
            return complain(refused->message);
        if (!replyCleared(change.reply, c.confirmReply))
            return kExitUsage;
        auto signer = readSigner(o);
        if (!signer)
            return complain(signer.error());
        auto id = at.workflow.changeStatus(at.actor, at.found.id, change, *signer);
        if (!id)
            return complain(id.error().message);
        std::cout << "已记录 Recorded: case " << at.found.caseNumber() << " → "
                  << caseStatusLabel(change.status)
                  << (change.reply.empty() ? "" : ", with a reply") << " by " << at.actor.label()
                  << " (signed with " << o.dir.signingSecretKey().filename().string() << ").\n";
        if (change.status == crypto::CaseStatus::Closed)
            if (auto merged = at.workflow.mergedCases(at.found.id); merged && !merged->empty())
                std::cout << "合并案件同时办结 The " << merged->size()
                          << " case(s) merged into it were closed with the same reply (those "
                             "still open).\n";
        return pushQueued(o, at.ledger, c.server, c.offline, c.common.clock());
    });
}

struct AlarmsOptions {
    Common common;
    bool json = false;
};

int runAlarms(const AlarmsOptions& a) {
    const Common& c = a.common;
    const bool asJson = a.json;
    auto office = loadOffice(c);
    if (!office)
        return complain(office.error());
    auto ledger = openLedger(office->dir, office->config, office->passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto alarms = ledger->alarms();
    if (!alarms)
        return complain(alarms.error().message);
    json out = json::array();
    for (const auto& a : *alarms) {
        if (asJson) {
            out.push_back({{"kind", std::string(alarmKindName(a.kind))},
                           {"kiosk", a.kioskId},
                           {"seq", a.sequence},
                           {"source", std::string(envelopeSourceName(a.source))},
                           {"at", office->rules.formatLocal(a.raisedAt)},
                           {"detail", a.detail}});
            continue;
        }
        std::cout << office->rules.formatLocal(a.raisedAt) << "  " << alarmKindName(a.kind) << "  "
                  << envelopeSourceName(a.source) << "  " << a.detail << "\n";
    }
    if (asJson)
        std::cout << out.dump(2) << "\n";
    else if (alarms->empty())
        std::cout << "没有警报 No alarms.\n";
    return 0;
}

// ---- case note / assign / extend ------------------------------------------------------------

struct CaseEventOptions {
    Common common;
    std::string ident;
    std::string text;    // note
    std::string handler; // assign --to
    std::string until;   // extend
    std::string reason;  // extend
};

int runCaseNote(const CaseEventOptions& c) {
    return withCase(
        c,
        [&](CaseAtHand& at) {
            if (auto done = at.workflow.addNote(at.actor, at.found.id, c.text); !done)
                return complain(done.error().message);
            std::cout << "已记录备注 Note added to case " << at.found.caseNumber() << " by "
                      << at.actor.label()
                      << " (internal: never pushed, never shown to the parent).\n";
            return 0;
        });
}

int runCaseAssign(const CaseEventOptions& c) {
    return withCase(
        c,
        [&](CaseAtHand& at) {
            StaffAccounts accounts(
                at.ledger, [&c] { return c.common.clock(); });
            auto handler = accounts.find(c.handler);
            if (!handler)
                return complain(handler.error().message);
            if (auto done = at.workflow.assign(at.actor, at.found.id, *handler); !done)
                return complain(done.error().message);
            std::cout << "已指派 Case " << at.found.caseNumber() << " assigned to " << handler->name
                      << " by " << at.actor.label() << ".\n";
            return 0;
        });
}

int runCaseExtend(const CaseEventOptions& c) {
    const auto until = parseDay(c.until);
    if (!until)
        return complain("--until \"" + c.until + "\" is not a date; write YYYY-MM-DD.");
    return withCase(c, [&](CaseAtHand& at) {
        if (auto done = at.workflow.extendDeadline(at.actor, at.found.id, *until, c.reason); !done)
            return complain(done.error().message);
        std::cout << "已延期 Case " << at.found.caseNumber() << " is now due "
                  << CaseRules::formatDay(*until) << " (by " << at.actor.label() << ").\n";
        return 0;
    });
}

// ---- case merge / followup / bulk -----------------------------------------------------------

struct CaseMergeOptions {
    Common common;
    std::string ident, into, note;
    std::optional<std::string> server;
    bool offline = false;
};

int runCaseMerge(const CaseMergeOptions& c) {
    return withCase(
        c,
        [&](CaseAtHand& at) {
            auto target = findCase(at.ledger, at.office, c.into);
            if (!target)
                return complain(target.error());
            if (!mayPerform(at.actor, CaseAction::Merge))
                return complain(forbiddenError(at.actor, "merge cases").message);
            auto signer = readSigner(at.office);
            if (!signer)
                return complain(signer.error());
            auto id = at.workflow.merge(at.actor, at.found.id, target->id, c.note, *signer);
            if (!id)
                return complain(id.error().message);
            std::cout << "已合并 Case " << at.found.caseNumber() << " merged into "
                      << target->caseNumber() << " by " << at.actor.label()
                      << ". Its parent is told: " << kMergedReply << "\n  Closing "
                      << target->caseNumber() << " closes it with the same reply.\n";
            return pushQueued(at.office, at.ledger, c.server, c.offline, c.common.clock());
        });
}

struct CaseFollowUpOptions {
    Common common;
    std::string ident, reached, satisfaction, note;
};

int runCaseFollowUp(const CaseFollowUpOptions& c) {
    FollowUp f;
    if (c.reached == "yes" || c.reached == "是")
        f.reached = true;
    else if (c.reached != "no" && c.reached != "否")
        return complain("--reached \"" + c.reached + "\": write yes 是 or no 否.");
    if (!c.satisfaction.empty() && !(f.satisfaction = parseSatisfaction(c.satisfaction)))
        return complain(
            "--satisfaction \"" + c.satisfaction +
            "\" is not a satisfaction; use satisfied 满意, basically_satisfied 基本满意 "
            "or not_satisfied 不满意.");
    f.note = c.note;
    return withCase(c, [&](CaseAtHand& at) {
        if (auto done = at.workflow.recordFollowUp(at.actor, at.found.id, f); !done)
            return complain(done.error().message);
        std::cout << "已记录回访 Follow-up recorded for case " << at.found.caseNumber() << " by "
                  << at.actor.label() << ": "
                  << (f.satisfaction ? std::string(satisfactionChinese(*f.satisfaction)) + " " +
                                           std::string(satisfactionName(*f.satisfaction))
                                     : std::string("未联系上 not reached"))
                  << ".\n";
        if (f.satisfaction == Satisfaction::NotSatisfied)
            std::cout << "  不满意: a supervisor may reopen the case — `minsheng-county case set "
                      << at.found.caseNumber()
                      << " --status in_progress --reason \"回访不满意…\"`.\n";
        return 0;
    });
}

struct CaseBulkOptions {
    Common common;
    std::vector<std::string> idents;
    std::string action;
    std::string handler, text;                // assign --to, note --text
    std::string status, result, unit, reason; // status
    std::optional<std::string> reply;
    std::optional<std::string> server;
    bool offline = false, confirmReply = false, json = false;
};

int runCaseBulk(const CaseBulkOptions& c) {
    if (c.action != "assign" && c.action != "status" && c.action != "note")
        return complain("--action \"" + c.action + "\": use assign, status or note.");
    std::optional<StatusChange> change;
    if (c.action == "status") {
        auto parsed = parseStatusChange(c.status, c.reply, c.result, c.unit, c.reason);
        if (!parsed)
            return complain(parsed.error());
        change = *parsed;
        if (!replyCleared(change->reply, c.confirmReply))
            return kExitUsage;
    }
    return withActor(c.common, false, [&](Office& o, Ledger& ledger, const Actor& actor) {
        // Every case is named correctly before any is changed.
        std::vector<Submission> cases;
        for (const auto& ident : c.idents) {
            auto found = findCase(ledger, o, ident);
            if (!found)
                return complain(ident + ": " + found.error());
            cases.push_back(std::move(*found));
        }
        BulkAction action = BulkNote{c.text};
        std::optional<crypto::Ed25519SecretKey> signer;
        if (change) {
            auto read = readSigner(o);
            if (!read)
                return complain(read.error());
            signer.emplace(std::move(*read));
            action = *change;
        } else if (c.action == "assign") {
            StaffAccounts accounts(ledger, [&c] { return c.common.clock(); });
            auto handler = accounts.find(c.handler);
            if (!handler)
                return complain(handler.error().message);
            action = BulkAssign{*handler};
        }
        CaseWorkflow workflow(ledger, o.rules, [&c] { return c.common.clock(); });
        std::vector<std::int64_t> ids;
        for (const auto& s : cases)
            ids.push_back(s.id);
        const auto outcomes = workflow.bulkApply(actor, ids, action, signer ? &*signer : nullptr);
        std::size_t done = 0;
        json out = json::array();
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            const auto& r = outcomes[i];
            done += !r.refused;
            if (c.json) {
                out.push_back({{"case", cases[i].caseNumber()},
                               {"done", !r.refused},
                               {"error", r.refused ? json(r.refused->message) : json(nullptr)}});
                continue;
            }
            std::cout << "  " << cases[i].caseNumber() << "  "
                      << (r.refused ? "未办理 refused: " + r.refused->message
                                    : std::string("已办理 done"))
                      << "\n";
        }
        if (c.json)
            std::cout << out.dump(2) << "\n";
        else
            std::cout << "批量 Bulk " << c.action << ": " << done << " of " << outcomes.size()
                      << " case(s) done by " << actor.label() << ".\n";
        if (change && done > 0)
            if (int rc = pushQueued(o, ledger, c.server, c.offline, c.common.clock(),
                                    c.json ? std::cerr : std::cout);
                rc != 0)
                return rc;
        return done == outcomes.size() ? 0 : kExitFailure;
    });
}

// ---- template list / add / edit / disable / fill --------------------------------------------

struct TemplateOptions {
    Common common;
    std::int64_t id = 0;
    std::optional<std::string> title, body, category;
    bool anyCategory = false, all = false, json = false;
    std::string ident; // fill: the case
};

int runTemplateList(const TemplateOptions& t) {
    return withActor(
        t.common, false,
        [&](Office& o, Ledger& ledger, const Actor& actor) {
            ReplyTemplates templates(
                ledger, [&t] { return t.common.clock(); });
            auto list = templates.list(actor, t.category, t.all);
            if (!list)
                return complain(list.error().message);
            const auto forms = FormCatalog::load(o.dir.formsDir());
            json out = json::array();
            for (const auto& r : *list) {
                if (t.json) {
                    out.push_back(
                        {{"id", r.id},
                         {"title", r.title},
                         {"category", r.category ? json(*r.category) : json(nullptr)},
                         {"body", r.body},
                         {"created_by", r.createdBy ? json(r.createdByName) : json(nullptr)},
                         {"updated",
                          r.updatedAt ? json(o.rules.formatLocal(r.updatedAt)) : json(nullptr)},
                         {"disabled", r.disabled}});
                    continue;
                }
                std::cout << "#" << r.id << "  " << r.title << "  ["
                          << (r.category ? forms.categoryLabel(*r.category)
                                         : std::string("所有类别 any category"))
                          << "]" << (r.disabled ? "  (已停用 disabled)" : "") << "\n    " << r.body
                          << "\n";
            }
            if (t.json)
                std::cout << out.dump(2) << "\n";
            else if (list->empty())
                std::cout << "没有模板 No reply templates.\n";
            return 0;
        });
}

int runTemplateAdd(const TemplateOptions& t) {
    return withActor(
        t.common, false,
        [&](Office&, Ledger& ledger, const Actor& actor) {
            ReplyTemplates templates(
                ledger, [&t] { return t.common.clock(); });
            auto id = templates.add(actor, {t.title.value_or(""), t.category, t.body.value_or("")});
            if (!id)
                return complain(id.error().message);
            std::cout << "已添加模板 Template #" << *id << " added by " << actor.label() << ".\n";
            return 0;
        });
}

int runTemplateEdit(const TemplateOptions& t) {
    return withActor(
        t.common, false,
        [&](Office&, Ledger& ledger, const Actor& actor) {
            ReplyTemplates templates(
                ledger, [&t] { return t.common.clock(); });
            auto current = templates.find(actor, t.id);
            if (!current)
                return complain(current.error().message);
            TemplateDraft draft{t.title.value_or(current->title),
                                t.anyCategory ? std::nullopt
                                : t.category  ? t.category
                                              : current->category,
                                t.body.value_or(current->body)};
            if (auto done = templates.update(actor, t.id, draft); !done)
                return complain(done.error().message);
            std::cout << "已修改模板 Template #" << t.id << " edited by " << actor.label() << ".\n";
            return 0;
        });
}

int runTemplateDisable(const TemplateOptions& t) {
    return withActor(
        t.common, false,
        [&](Office&, Ledger& ledger, const Actor& actor) {
            ReplyTemplates templates(
                ledger, [&t] { return t.common.clock(); });
            if (auto done = templates.disable(actor, t.id); !done)
                return complain(done.error().message);
            std::cout << "已停用模板 Template #" << t.id << " disabled by " << actor.label()
                      << ".\n";
            return 0;
        });
}

int runTemplateFill(const TemplateOptions& t) {
    return withCase(
        t,
        [&](CaseAtHand& at) {
            ReplyTemplates templates(
                at.ledger, [&t] { return t.common.clock(); });
            auto found = templates.find(at.actor, t.id);
            if (!found)
                return complain(found.error().message);
            auto file = at.workflow.viewCase(at.actor, at.found);
            if (!file)
                return complain(file.error().message);
            const auto forms = FormCatalog::load(at.office.dir.formsDir());
            const std::string reply = fillTemplate(
                found->body,
                templateValues(*file, forms.categoryLabel(at.found.category), at.office.rules));
            std::cout << reply << "\n";
            for (const auto& w : checkPublicReply(reply))
                std::cerr << "minsheng-county: ⚠ " << w.message << "\n";
            return 0;
        });
}

// ---- stats / audit --------------------------------------------------------------------------

struct StatsOptions {
    Common common;
    std::string from, to, month;
    bool json = false;
    std::optional<fs::path> html;
    bool english = false;
};

/// The days a period command covers: --from and --to, or --month YYYY-MM, or by default this
/// week (Monday–Sunday, office-local).
Result<DayRange, std::string> periodOf(const std::string& fromText, const std::string& toText,
                                       const std::string& monthText, const CaseRules& rules,
                                       std::int64_t now) {
    if (!monthText.empty()) {
        if (!fromText.empty() || !toText.empty())
            return fail(std::string("--month 与 --from/--to 只能选一种 Give either --month or "
                                    "--from and --to."));
        const auto month = parseMonth(monthText);
        if (!month)
            return fail("--month \"" + monthText + "\" is not a month; write YYYY-MM.");
        return monthDays(*month);
    }
    if (fromText.empty() && toText.empty())
        return weekContaining(rules.localDay(now));
    const auto from = parseDay(fromText);
    const auto to = parseDay(toText);
    if (!from || !to)
        return fail(
            std::string("--from and --to must both be dates, YYYY-MM-DD (office-local days)."));
    if (*to < *from)
        return fail("--to " + toText + " is before --from " + fromText + ".");
    return DayRange{*from, *to};
}

/// The survey figures for a period, when the county has a survey form; the refusal's message
/// when the period is not one that is released (survey_stats.hpp).
Result<std::optional<SurveyStats>, std::string> surveysOf(Ledger& ledger, const FormCatalog& forms,
                                                          const CaseRules& rules, DayRange days,
                                                          std::int64_t now, int minRespondents) {
    const auto* form = forms.form("survey");
    if (!form)
        return std::optional<SurveyStats>();
    auto rows = ledger.submissions();
    if (!rows)
        return fail(rows.error().message);
    auto released =
        releasedSurveyStats(*rows, *form, rules, days.first, days.second, now, minRespondents);
    if (!released)
        return fail(released.error().message);
    return std::optional<SurveyStats>(std::move(*released));
}

json figuresJson(const PeriodFigures& f) {
    return {{"received", f.received},
            {"accepted", f.accepted},
            {"transferred", f.transferred},
            {"closed", f.closed},
            {"closed_on_time", f.closedOnTime},
            {"open_at_end", f.openAtEnd},
            {"overdue_at_end", f.overdueAtEnd},
            {"average_handling_working_days", f.averageHandlingWorkingDays},
            {"longest_handling_working_days", f.longestHandlingWorkingDays}};
}

void printFigures(const std::string& label, const PeriodFigures& f) {
    char avg[32];
    std::snprintf(avg, sizeof avg, "%.1f", f.averageHandlingWorkingDays);
    std::cout << label << "\t" << f.received << "\t" << f.accepted << "\t" << f.transferred << "\t"
              << f.closed << "\t" << f.closedOnTime << "\t" << avg << "\t"
              << f.longestHandlingWorkingDays << "\t" << f.openAtEnd << "\t" << f.overdueAtEnd
              << "\n";
}

int runStats(const StatsOptions& st) {
    auto office = loadOffice(st.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    const auto days = periodOf(st.from, st.to, st.month, o.rules, st.common.clock());
    if (!days)
        return complain(days.error());
    const auto [from, to] = *days;
    const std::string fromText = CaseRules::formatDay(from), toText = CaseRules::formatDay(to);
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto timelines = loadCaseTimelines(*ledger);
    if (!timelines)
        return complain(timelines.error().message);
    const auto now = st.common.clock();
    const auto stats = computePeriodStats(*timelines, o.rules, from, to, now);
    const auto forms = FormCatalog::load(o.dir.formsDir());
    if (st.html) {
        // A week is never a released survey period; an ended month is (survey_stats.hpp).
        auto surveys = surveysOf(*ledger, forms, o.rules, *days, now, o.rules.minRespondents);
        const SurveyStats* surveyFigures = surveys && *surveys ? &**surveys : nullptr;
        const auto labels = periodLabels(forms);
        const PrintOptions print{o.config.name, st.english};
        std::string page;
        if (st.month.empty()) {
            page = weeklyTableHtml(stats, surveyFigures, labels, print);
        } else {
            std::vector<PeriodStats> weeks;
            for (const auto& [wf, wt] : weeksOfMonth(*parseMonth(st.month)))
                weeks.push_back(computePeriodStats(*timelines, o.rules, wf, wt, now));
            page = monthlyTableHtml(stats, weeks, surveyFigures, labels, print);
        }
        if (auto w = writePrivateFile(*st.html, page); !w)
            return complain(w.error());
        std::cerr << "HTML: " << st.html->string() << " (mode 0600)\n";
    }
    struct Breakdown {
        const char* key;
        const char* title;
        const std::vector<PeriodGroup>* groups;
        std::function<std::string(const std::string&)> label;
    };
    const Breakdown breakdowns[] = {
        {"by_category", "按类别 By category", &stats.byCategory,
         [&](const std::string& id) {
             return forms.categoryLabel(id);
         }},
        {"by_township", "按乡镇 By township", &stats.byTownship,
         [&](const std::string& id) {
             return forms.itemLabel("townships", id);
         }},
        {"by_school", "按学校 By school", &stats.bySchool,
         [&](const std::string& id) {
             return forms.itemLabel("schools", id);
         }},
        {"by_kiosk", "按机器 By kiosk", &stats.byKiosk,
         [](const std::string& id) {
             return id;
         }},
    };
    if (st.json) {
        json j = {{"from", fromText},
                  {"to", toText},
                  {"complete", stats.complete},
                  {"handling_time_unit", "working_days"},
                  {"total", figuresJson(stats.total)}};
        for (const auto& b : breakdowns) {
            json rows = json::array();
            for (const auto& g : *b.groups) {
                json row = figuresJson(g.figures);
                row["id"] = g.id;
                row["label"] = g.id.empty() ? std::string() : b.label(g.id);
                rows.push_back(std::move(row));
            }
            j[b.key] = rows;
        }
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << o.config.name << "  " << fromText << " – " << toText
              << (stats.complete ? "" : "  （未结束，数字为暂定 period not over: provisional）")
              << "\n办理时长按工作日计 Handling time in working days.\n\n";
    const char* header = "\t收到 received\t受理 accepted\t转办 transferred\t办结 closed\t按时办结 "
                         "on time\t平均时长 avg\t最长 longest\t期末未结 open\t期末超期 overdue\n";
    std::cout << header;
    printFigures("合计 Total", stats.total);
    for (const auto& b : breakdowns) {
        std::cout << "\n" << b.title << "\n";
        for (const auto& g : *b.groups)
            printFigures(g.id.empty() ? std::string("（未填 not given）") : b.label(g.id),
                         g.figures);
    }
    return 0;
}

struct SurveysOptions {
    Common common;
    std::string from, to, month;
    std::optional<int> minRespondents;
    bool json = false;
    bool english = false;
};

int runSurveys(const SurveysOptions& sv) {
    auto office = loadOffice(sv.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    const auto min = effectiveMinRespondents(o.rules.minRespondents, sv.minRespondents);
    if (!min)
        return complain(min.error().message);
    const auto now = sv.common.clock();
    std::string month = sv.month;
    if (month.empty() && sv.from.empty() && sv.to.empty()) {
        const std::chrono::year_month_day today(o.rules.localDay(now));
        month = formatSurveyMonth(today.year() / today.month() - std::chrono::months(1));
    }
    const auto days = periodOf(sv.from, sv.to, month, o.rules, now);
    if (!days)
        return complain(days.error());
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    const auto forms = FormCatalog::load(o.dir.formsDir());
    auto surveys = surveysOf(*ledger, forms, o.rules, *days, now, *min);
    if (!surveys)
        return complain(surveys.error());
    if (!*surveys)
        return complain("没有满意度问卷表 The county has no survey form (forms/survey.toml).");
    if (sv.json)
        std::cout << surveyStatsJson(**surveys, sv.english).dump(2) << "\n";
    else
        std::cout << surveyStatsText(**surveys, o.config.name);
    return 0;
}

struct AuditOptions {
    Common common;
    std::string ident;
    bool json = false;
};

int runAudit(const AuditOptions& a) {
    return withActor(
        a.common, false,
        [&](Office& o, Ledger& ledger, const Actor& actor) {
            if (!mayPerform(actor, CaseAction::ReadAudit))
                return complain(
                    "无权查看审计日志 Only a supervisor or an auditor may read the audit log.");
            AuditFilter filter;
            if (!a.ident.empty()) {
                auto found = findCase(ledger, o, a.ident);
                if (!found)
                    return complain(found.error());
                filter.caseId = found->id;
            }
            auto rows = readAudit(ledger, filter);
            if (!rows)
                return complain(rows.error().message);
            json out = json::array();
            for (const auto& e : *rows) {
                const std::string who = e.record.actorId ? e.actorName : "";
                if (a.json) {
                    out.push_back(
                        {{"at", o.rules.formatLocal(e.record.at)},
                         {"actor", e.record.actorId ? json(who) : json(nullptr)},
                         {"action", e.record.action},
                         {"case", e.caseNumber.empty() ? json(nullptr) : json(e.caseNumber)},
                         {"detail", e.record.detail}});
                    continue;
                }
                std::cout << o.rules.formatLocal(e.record.at) << "  "
                          << (who.empty() ? std::string("未署名 unattributed") : who) << "  "
                          << e.record.action << "  " << e.caseNumber << "  " << e.record.detail
                          << "\n";
            }
            if (a.json)
                std::cout << out.dump(2) << "\n";
            else if (rows->empty())
                std::cout << "审计日志为空 The audit log is empty.\n";
            return 0;
        });
}

// ---- user add / list / disable / passwd -----------------------------------------------------

struct UserOptions {
    Common common;
    std::string name, role;
    std::optional<fs::path> passwordFile;
    bool enable = false, json = false;
};

/// Runs `act(accounts, actor)` on the office's ledger, created if need be: accounts may be made
/// before the first pull. Each command checks what the actor may do.
template <class Act>
int withAccounts(const UserOptions& u, bool mayCreateLedger, Act act) {
    return withActor(
        u.common, mayCreateLedger,
        [&](Office&, Ledger& ledger, const Actor& actor) {
            StaffAccounts accounts(
                ledger, [&u] { return u.common.clock(); });
            return act(accounts, actor);
        });
}

int runUserAdd(const UserOptions& u) {
    const auto role = parseStaffRole(u.role);
    if (!role)
        return complain("--role \"" + u.role +
                        "\" is not a role; use clerk 经办人, supervisor 主管 or auditor 审计员.");
    if (!isValidStaffName(u.name))
        return complain("用户名无效 \"" + u.name +
                        "\": 1-64 letters, digits, '.', '_' or '-' (Chinese names are fine).");
    return withAccounts(u, true, [&](StaffAccounts& accounts, const Actor& actor) {
        if (!actor.user && *role != StaffRole::Supervisor)
            return complain("第一个账户须为主管 The first account must be a supervisor "
                            "(--role supervisor): only a supervisor can add the others.");
        if (actor.user && actor.user->role != StaffRole::Supervisor)
            return complain("无权操作 Only a supervisor may add accounts.");
        auto password = readNewPassword(u.passwordFile, u.name);
        if (!password)
            return complain(password.error());
        auto added = accounts.add(u.name, *role, *password, actor.id());
        if (!added)
            return complain(added.error().message);
        std::cout << "已添加 Account " << added->name << " added: " << staffRoleChinese(added->role)
                  << " " << staffRoleName(added->role) << ". Only its Argon2id hash is kept.\n";
        return 0;
    });
}

int runUserList(const UserOptions& u) {
    return withAccounts(
        u, false,
        [&](StaffAccounts& accounts, const Actor&) {
            auto users = accounts.list();
            if (!users)
                return complain(users.error().message);
            const auto now = u.common.clock();
            const CaseRules calendar; // formatLocal only (the default offset)
            json out = json::array();
            for (const auto& x : *users) {
                if (u.json) {
                    out.push_back({{"name", x.name},
                                   {"role", std::string(staffRoleName(x.role))},
                                   {"disabled", x.disabled},
                                   {"locked", x.lockedUntil > now}});
                    continue;
                }
                std::cout << x.name << "\t" << staffRoleChinese(x.role) << " "
                          << staffRoleName(x.role) << "\t"
                          << (x.disabled ? "已停用 disabled" : "启用 enabled")
                          << (x.lockedUntil > now
                                  ? "\t暂时锁定 locked until " + calendar.formatLocal(x.lockedUntil)
                                  : std::string())
                          << "\n";
            }
            if (u.json)
                std::cout << out.dump(2) << "\n";
            else if (users->empty())
                std::cout << "还没有账户 No staff accounts yet: minsheng-county user add --dir D "
                             "--name NAME --role supervisor\n";
            return 0;
        });
}

int runUserDisable(const UserOptions& u) {
    return withAccounts(
        u, false,
        [&](StaffAccounts& accounts, const Actor& actor) {
            if (!actor.user || actor.user->role != StaffRole::Supervisor)
                return complain(
                    "无权操作 Only a supervisor (--user) may disable or enable accounts.");
            if (!u.enable && actor.user->name == u.name)
                return complain("不能停用自己 A supervisor cannot disable their own account.");
            auto done = accounts.setDisabled(u.name, !u.enable, actor.id());
            if (!done)
                return complain(done.error().message);
            std::cout << (u.enable ? "已启用 Account enabled: " : "已停用 Account disabled: ")
                      << u.name << ".\n";
            return 0;
        });
}

int runUserPasswd(const UserOptions& u) {
    return withAccounts(
        u, false,
        [&](StaffAccounts& accounts, const Actor& actor) {
            const bool self = actor.user && actor.user->name == u.name;
            if (!self && (!actor.user || actor.user->role != StaffRole::Supervisor))
                return complain("无权操作 Only the account itself or a supervisor (--user) may set "
                                "its password.");
            if (auto target = accounts.find(u.name); !target)
                return complain(target.error().message);
            auto password = readNewPassword(u.passwordFile, u.name);
            if (!password)
                return complain(password.error());
            auto done = accounts.setPassword(u.name, *password, actor.id());
            if (!done)
                return complain(done.error().message);
            std::cout << "已更改密码 Password of " << u.name
                      << " changed; its lock-out is cleared.\n";
            return 0;
        });
}

// ---- export / report ------------------------------------------------------------------------

struct ExportOptions {
    Common common;
    std::string format;
    std::optional<fs::path> out;
};

int runExport(const ExportOptions& e) {
    auto format = parseExportFormat(e.format);
    if (!format)
        return complain("--format must be xlsx, csv, json, open311 or open311-services.");
    if (*format == ExportFormat::Xlsx && !e.out)
        return complain("--format xlsx needs --out FILE.xlsx (a workbook is not printed).");
    if (*format == ExportFormat::Csv && !e.out)
        return complain("--format csv needs --out FOLDER: it writes one file per form there, "
                        "and history.csv.");
    auto office = loadOffice(e.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    const auto forms = FormCatalog::load(o.dir.formsDir());
    auto emit = [&](const std::string& text) {
        if (!e.out) {
            std::cout << text;
            return 0;
        }
        if (auto w = writePrivateFile(*e.out, text); !w)
            return complain(w.error());
        return 0;
    };
    if (*format == ExportFormat::Open311Services) // the complaint form's categories: no reports
        return emit(exportOpen311Services(forms));

    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto rows = ledger->submissions();
    if (!rows)
        return complain(rows.error().message);
    auto actor = resolveActor(*ledger, e.common);
    if (!actor)
        return complain(actor.error());
    if (!mayPerform(*actor, CaseAction::View))
        return complain("无权导出 \"" + actor->label() + "\" may not read reports.");
    // An export shows every report's content: audited before it is written.
    if (auto logged = appendAudit(
            *ledger, {e.common.clock(), actor->id(), "export", std::nullopt,
                      e.format + ", " + std::to_string(rows->size()) + " submission(s)"});
        !logged)
        return complain(logged.error().message);
    auto cases = readCaseExtras(*ledger, o.rules, *rows, e.common.clock());
    if (!cases)
        return complain(cases.error().message);
    ExportContext ctx{&forms, &o.rules, o.config.name, e.common.clock(), o.rules.minRespondents};
    int written = 0;
    switch (*format) {
    case ExportFormat::Xlsx:
        if (auto w = exportXlsx(*rows, *cases, ctx, *e.out); !w)
            return complain(w.error().message);
        break;
    case ExportFormat::Csv:
        if (auto w = writeExportFiles(exportCsvPerForm(*rows, *cases, ctx), *e.out); !w)
            return complain(w.error().message);
        break;
    case ExportFormat::Json:
        written = emit(exportJson(*rows, *cases, ctx));
        break;
    case ExportFormat::Open311:
        written = emit(exportOpen311(*rows, *cases, ctx));
        break;
    case ExportFormat::Open311Services: // answered above, without the ledger
        break;
    }
    if (written != 0 || !e.out)
        return written;
    std::cerr << "已导出 Exported " << rows->size() << " submission(s) to " << e.out->string()
              << (*format == ExportFormat::Csv ? " (one file per form and history.csv, each" : " (")
              << " mode 0600). It holds what parents wrote"
              << (*format == ExportFormat::Open311 ? "" : " and real-name reporters' contacts")
              << ": keep it on the office machine.\n";
    return 0;
}

struct ReportCommandOptions {
    Common common;
    std::optional<fs::path> html;
    std::optional<int> minRespondents;
    std::string since, until;
};

int runReport(const ReportCommandOptions& r) {
    auto office = loadOffice(r.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    ReportOptions opts;
    const auto min = effectiveMinRespondents(o.rules.minRespondents, r.minRespondents);
    if (!min)
        return complain(min.error().message);
    opts.minRespondents = *min;
    if (!r.since.empty() && !(opts.since = parseDay(r.since)))
        return complain("--since \"" + r.since + "\" is not a date; write YYYY-MM-DD.");
    if (!r.until.empty() && !(opts.until = parseDay(r.until)))
        return complain("--until \"" + r.until + "\" is not a date; write YYYY-MM-DD.");
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto rows = ledger->submissions();
    if (!rows)
        return complain(rows.error().message);
    const auto forms = FormCatalog::load(o.dir.formsDir());
    const auto data = buildReport(*rows, forms, o.rules, r.common.clock(), opts, o.config.name);
    std::cout << reportText(data);
    if (r.html) {
        if (auto w = writePrivateFile(*r.html, reportHtml(data)); !w)
            return complain(w.error());
        std::cerr << "HTML: " << r.html->string() << "\n";
    }
    return 0;
}

// ---- kiosks (extended), enroll, revoke ------------------------------------------------------

struct KiosksOptions {
    fs::path dir;
    bool json = false;
    std::optional<std::string> server;
    bool offline = false;
    int silentHours = kDefaultSilentHours;
};

/// The registry, with each kiosk's health as the intake server reports it (unless --offline or
/// the server cannot be reached: then the registry alone, and a note on standard error).
int runKiosks(const KiosksOptions& k) {
    county::CountyDir cd(k.dir);
    auto reg = county::KioskRegistry::load(cd);
    if (!reg)
        return complain(reg.error().message);
    std::optional<Office> office;
    if (!k.offline) {
        Common c;
        c.dir = k.dir;
        auto loaded = loadOffice(c);
        if (!loaded)
            return complain(loaded.error());
        office = std::move(*loaded);
    }
    StaffServerConnector connect;
    if (office)
        connect = [&office, &k] {
            return connectServer(*office, k.server);
        };
    const KioskFleet fleet = readKioskFleet(*reg, connect, Common{}.clock(), k.silentHours);
    json out = json::array();
    for (const auto& row : fleet.rows) {
        if (k.json) {
            json j = {{"id", row.id},
                      {"name", row.name},
                      {"key_id", row.keyIdHex},
                      {"revoked", row.revoked}};
            if (row.health) {
                j["health"] = *row.health;
                j["fleet"] = fleetFiguresJson(row);
            }
            out.push_back(std::move(j));
            continue;
        }
        std::cout << row.id << "\t" << row.keyIdHex << "\t"
                  << (row.revoked ? "REVOKED" : "enrolled") << "\t" << row.name;
        if (row.health) {
            const auto& v = *row.health;
            std::cout << "\tlast seq " << v.value("last_seq", json(0)).dump();
            if (row.lastSeen && *row.lastSeen > 0)
                std::cout << ", last seen " << CaseRules{}.formatLocal(*row.lastSeen);
            if (row.heartbeat && row.heartbeat->sentAt)
                std::cout << ", heartbeat " << CaseRules{}.formatLocal(*row.heartbeat->sentAt)
                          << ", software " << row.heartbeat->softwareVersion << ", backlog "
                          << (row.heartbeat->backlog ? std::to_string(*row.heartbeat->backlog)
                                                     : std::string("null"))
                          << ", configuration v" << row.heartbeat->configVersion;
            if (row.heartbeat && !row.heartbeat->configFailure.empty())
                std::cout << "  ⚠ configuration refused: " << row.heartbeat->configFailure;
            if (row.silent)
                std::cout << "  ⚠ 静默 SILENT (no contact for " << k.silentHours << " h)";
            if (v.contains("gaps") && v["gaps"].is_array() && !v["gaps"].empty())
                std::cout << "  ⚠ gaps " << v["gaps"].dump();
            if (v.contains("forks") && v["forks"].is_number_integer() &&
                v["forks"].get<std::int64_t>() > 0)
                std::cout << "  ⚠ forks " << v["forks"].get<std::int64_t>();
        }
        std::cout << "\n";
    }
    if (k.json)
        std::cout << out.dump(2) << "\n";
    else if (fleet.rows.empty())
        std::cout << "No kiosks enrolled yet.\n";
    if (!fleet.healthNote.empty())
        std::cerr << "minsheng-county: " << fleet.healthNote << "\n";
    return 0;
}

struct EnrollOptions {
    fs::path dir;
    std::string kioskId, name;
    fs::path publicKey;
};

int runEnroll(const EnrollOptions& e) {
    county::CountyDir cd(e.dir);
    auto key = readKioskPublicKey(e.publicKey);
    if (!key)
        return complain(key.error().message);
    auto r = county::KioskRegistry::enroll(cd, e.kioskId, e.name, *key);
    if (!r)
        return complain(r.error().message);
    std::cout << "Kiosk " << e.kioskId << " (" << e.name << ") enrolled with key id "
              << crypto::toHex(key->id())
              << ".\n  Confirm the key id with whoever set up the kiosk (read it aloud); the "
                 "intake server picks the kiosk up from "
              << (cd.kiosksDir() / (e.kioskId + ".pub")).string() << ".\n";
    return 0;
}

struct RevokeOptions {
    Common common;
    std::string kioskId, reason;
};

int runRevoke(const RevokeOptions& r) {
    county::CountyDir cd(r.common.dir);
    if (r.reason.empty())
        return complain("--reason must say why (it is kept in the revocation file).");
    auto done = revokeKiosk(cd, r.kioskId, r.reason, r.common.clock());
    if (!done)
        return complain(done.error().message);
    std::cout << "已吊销 Kiosk " << r.kioskId
              << " revoked: " << (cd.kiosksDir() / (r.kioskId + ".revoked")).string()
              << "\n  The intake server refuses its new envelopes; its cases already in the "
                 "ledger are marked “机器已吊销 kiosk revoked” in `cases`, and anything it sent "
                 "after now raises an alarm at the next pull.\n";
    return 0;
}

} // namespace

void addKiosksCommand(county::CountyCommands& commands) {
    auto [sub, o] = commands.add<KiosksOptions>("kiosks", "List enrolled kiosks.", runKiosks);
    county::addDirOption(*sub, o.dir);
    county::addJsonFlag(*sub, o.json);
    county::addServerOption(*sub, o.server);
    sub->add_flag("--offline", o.offline, "Do not ask the server for kiosk health");
    sub->add_option("--silent-hours", o.silentHours,
                    "Flag a kiosk as silent after this many hours without contact (default 24)")
        ->check(CLI::Range(1, kMaxSilentHours));
}

void addStaffCommands(county::CountyCommands& commands) {
    {
        auto [sub, o] = commands.add<PullOptions>(
            "pull",
            "Fetch new envelopes from the intake server, verify and open them here, and record "
            "them in the case ledger; push queued case statuses.",
            runPull);
        addCommon(*sub, o.common);
        county::addServerOption(*sub, o.server);
        sub->add_option("--import", o.imports,
                        "Also import exported envelope files or folders (USB stick)");
        sub->add_flag("--no-network", o.importOnly, "Only --import; do not contact the server");
        sub->add_option("--page-size", o.pageSize, "Envelopes per request")
            ->check(CLI::Range(1u, 500u))
            ->group("");
    }
    {
        auto [sub, o] = commands.add<PullOptions>(
            "import",
            "Verify, open and record envelope files exported with `minsheng-kiosk outbox "
            "--export` (no network).",
            runPull);
        o.importOnly = true;
        addCommon(*sub, o.common);
        sub->add_option("files", o.imports, "Envelope files or folders of them")->required();
    }
    {
        auto [sub, o] = commands.add<CasesOptions>(
            "cases",
            "List complaint cases with status, due date (extensions included), a yellow marker "
            "(●将到期: due within [cases] warn_within_working_days working days) or a red one "
            "(⚠超期: overdue), and the start of the report's text. Oldest first, 50 a page. When "
            "nothing matches because a --category, --school, --township or --kiosk value is not "
            "known, the reason goes to stderr and the exit status is still 0.",
            runCases);
        addCommon(*sub, o.common);
        addUserOption(*sub, o.common);
        sub->add_option("--status", o.status,
                        "Only these statuses (English or Chinese names, separated by commas)");
        sub->add_option("--category", o.category, "Only this category (id or label)");
        sub->add_option("--school", o.school, "Only this school (id or label)");
        sub->add_option("--township", o.township, "Only this township (id or label)");
        sub->add_option("--kiosk", o.kiosk, "Only this kiosk id");
        sub->add_option("--text", o.text,
                        "Only cases whose answers, case number or reply contain this text");
        sub->add_option("--from", o.from, "Received on or after this day (YYYY-MM-DD)");
        sub->add_option("--to", o.to, "Received on or before this day (YYYY-MM-DD)");
        sub->add_option("--due-within", o.dueWithin,
                        "Only open cases due within N working days (overdue ones included)")
            ->check(CLI::Range(0, 365));
        sub->add_flag("--overdue", o.overdue, "Only overdue cases");
        sub->add_flag("--mine", o.mine, "Only cases assigned to the --user account");
        sub->add_option("--sort", o.sort,
                        "received_asc (default), received_desc, due_asc, due_desc or status");
        sub->add_option("--limit", o.limit, "Cases a page (1-200, default 50)")
            ->check(CLI::Range(std::size_t{1}, kMaxCaseListLimit));
        sub->add_option("--offset", o.offset, "Skip this many cases (the next page)");
        county::addJsonFlag(*sub, o.json);
    }
    {
        auto [sub, o] = commands.add<CalendarOptions>(
            "calendar",
            "Show the office calendar of a year: the weekdays off and the weekend days worked "
            "(DIR/calendar.toml and county.toml); warns when this or next year's holidays are "
            "missing or provisional.",
            runCalendar);
        county::addDirOption(*sub, o.common.dir, "County folder (made by init)");
        addNowOption(*sub, o.common);
        sub->add_option("--year", o.year, "The year to show (default: this year)")
            ->check(CLI::Range(2000, 2100));
    }
    {
        auto* group = commands.app().add_subcommand(
            "case", "Show one case, set its status and reply, add a note, assign it, extend its "
                    "deadline, merge a duplicate, record a follow-up (回访), or do one of these to "
                    "several cases at once (bulk).");
        group->require_subcommand(1);

        auto [show, s] = commands.add<CaseOptions>(
            *group, "show", "Show a case: the report, its history, due date.", runCaseShow);
        addCommon(*show, s.common);
        addUserOption(*show, s.common);
        show->add_option("case", s.ident,
                         "Receipt code the parent reads out (1234-5678-9012-3456) or case number "
                         "(KIOSK-ID/SEQ)")
            ->required();
        county::addJsonFlag(*show, s.json);

        auto [set, t] = commands.add<CaseOptions>(
            *group, "set",
            "Set a case's status (and public reply), signed with the county key, and push it to "
            "the server for the kiosks.",
            runCaseSet);
        addCommon(*set, t.common);
        set->add_option("case", t.ident, "Receipt code or case number (KIOSK-ID/SEQ)")->required();
        set->add_option("--status", t.status,
                        "received|accepted|in_progress|closed|transferred|not_accepted, or "
                        "已接收|已受理|办理中|已办结|已转办|不予受理")
            ->required();
        set->add_option("--reply", t.reply,
                        "Public reply shown to the parent at the kiosk (at most 4000 bytes)");
        set->add_option("--result", t.result,
                        "Closing only, required: resolved 已解决 | partly_resolved 部分解决 | "
                        "explained 已解释说明 | unfounded 反映不属实 (internal)");
        set->add_option("--unit", t.unit,
                        "Transferring only, required: the destination unit (internal)");
        set->add_option("--reason", t.reason,
                        "Reopening a finished case, required: why (internal)");
        addUserOption(*set, t.common);
        county::addServerOption(*set, t.server);
        set->add_flag("--offline", t.offline, "Record and queue only; push later");
        set->add_flag("--confirm-reply", t.confirmReply,
                      "Send the reply even though it seems to hold a phone number, ID number or "
                      "name (without it such a reply is refused, exit 2, with the warnings)");
        set->alias("status");

        const char* caseHelp = "Receipt code or case number (KIOSK-ID/SEQ)";
        auto [note, n] = commands.add<CaseEventOptions>(
            *group, "note", "Add an internal note (never pushed, never shown to the parent).",
            runCaseNote);
        addCommon(*note, n.common);
        addUserOption(*note, n.common);
        note->add_option("case", n.ident, caseHelp)->required();
        note->add_option("--text", n.text, "The note (at most 8000 bytes)")->required();

        auto [assign, g] = commands.add<CaseEventOptions>(
            *group, "assign", "Assign an open case to a handler (supervisors).", runCaseAssign);
        addCommon(*assign, g.common);
        addUserOption(*assign, g.common);
        assign->add_option("case", g.ident, caseHelp)->required();
        assign->add_option("--to", g.handler, "The handler's account (clerk or supervisor)")
            ->required();

        auto [extend, x] = commands.add<CaseEventOptions>(
            *group, "extend", "Move an open case's due date later, with a reason (supervisors).",
            runCaseExtend);
        addCommon(*extend, x.common);
        addUserOption(*extend, x.common);
        extend->add_option("case", x.ident, caseHelp)->required();
        extend->add_option("--until", x.until, "The new due date, YYYY-MM-DD")->required();
        extend->add_option("--reason", x.reason, "Why (kept in the ledger)")->required();

        auto [merge, m] = commands.add<CaseMergeOptions>(
            *group, "merge",
            "Merge a duplicate case into the case that is worked for both (supervisors): its "
            "parent is told 合并办理 and, when the other case is closed, gets the same reply.",
            runCaseMerge);
        addCommon(*merge, m.common);
        addUserOption(*merge, m.common);
        merge->add_option("case", m.ident, "The duplicate: receipt code or case number")
            ->required();
        merge->add_option("--into", m.into, "The case it duplicates, which stays open")->required();
        merge->add_option("--note", m.note, "Why they are the same matter (internal)");
        county::addServerOption(*merge, m.server);
        merge->add_flag("--offline", m.offline, "Record and queue only; push later");

        auto [followup, f] = commands.add<CaseFollowUpOptions>(
            *group, "followup",
            "Record a follow-up call (回访) on a closed case whose reporter left a phone number.",
            runCaseFollowUp);
        addCommon(*followup, f.common);
        addUserOption(*followup, f.common);
        followup->add_option("case", f.ident, caseHelp)->required();
        followup->add_option("--reached", f.reached, "yes 是 | no 否: was the reporter reached")
            ->required();
        followup->add_option(
            "--satisfaction", f.satisfaction,
            "When reached, required: satisfied 满意 | basically_satisfied 基本满意 "
            "| not_satisfied 不满意");
        followup->add_option("--note", f.note, "What was said (internal)");

        auto [bulk, b] = commands.add<CaseBulkOptions>(
            *group, "bulk",
            "Apply one assignment, status change or note to several cases (--case repeated); "
            "each case is done whole or refused on its own. Exit 1 when any was refused.",
            runCaseBulk);
        addCommon(*bulk, b.common);
        addUserOption(*bulk, b.common);
        bulk->add_option("--case", b.idents, "A case (receipt code or case number); repeat it")
            ->required();
        bulk->add_option("--action", b.action, "assign | status | note")->required();
        bulk->add_option("--to", b.handler, "assign: the handler's account");
        bulk->add_option("--text", b.text, "note: the note");
        bulk->add_option("--status", b.status, "status: the new status, as for `case set`");
        bulk->add_option("--reply", b.reply, "status: the public reply, the same for every case");
        bulk->add_option("--result", b.result, "status: closing only, the result");
        bulk->add_option("--unit", b.unit, "status: transferring only, the destination unit");
        bulk->add_option("--reason", b.reason, "status: reopening only, why");
        bulk->add_flag("--confirm-reply", b.confirmReply,
                       "Send a reply that seems to hold a phone number, ID number or name");
        county::addServerOption(*bulk, b.server);
        bulk->add_flag("--offline", b.offline, "Record and queue only; push later");
        county::addJsonFlag(*bulk, b.json);
    }
    {
        auto* group = commands.app().add_subcommand(
            "template", "Reply templates (答复模板): list them, fill one for a case; supervisors "
                        "add, edit and disable them.");
        group->require_subcommand(1);

        auto [list, l] = commands.add<TemplateOptions>(
            *group, "list", "List the reply templates (for a category: its own and the general).",
            runTemplateList);
        addCommon(*list, l.common);
        addUserOption(*list, l.common);
        list->add_option("--category", l.category, "Only those for this category id");
        list->add_flag("--all", l.all, "Also the disabled ones");
        county::addJsonFlag(*list, l.json);

        const char* placeholders =
            "The text; {case} {category} {received} {due} are filled from the case";
        auto [add, a] = commands.add<TemplateOptions>(
            *group, "add", "Add a reply template (supervisors).", runTemplateAdd);
        addCommon(*add, a.common);
        addUserOption(*add, a.common);
        add->add_option("--title", a.title, "A short name, e.g. 办结答复")->required();
        add->add_option("--body", a.body, placeholders)->required();
        add->add_option("--category", a.category, "Only for this category id (default: any)");

        auto [edit, e] = commands.add<TemplateOptions>(
            *group, "edit", "Change a template's title, text or category (supervisors).",
            runTemplateEdit);
        addCommon(*edit, e.common);
        addUserOption(*edit, e.common);
        edit->add_option("id", e.id, "The template's number (see `template list`)")->required();
        edit->add_option("--title", e.title, "The new title");
        edit->add_option("--body", e.body, placeholders);
        edit->add_option("--category", e.category, "Only for this category id");
        edit->add_flag("--any-category", e.anyCategory, "For every category");

        auto [disable, d] = commands.add<TemplateOptions>(
            *group, "disable", "Disable a template: no longer offered, kept in the ledger.",
            runTemplateDisable);
        addCommon(*disable, d.common);
        addUserOption(*disable, d.common);
        disable->add_option("id", d.id, "The template's number")->required();

        auto [fill, fl] = commands.add<TemplateOptions>(
            *group, "fill",
            "Print a template filled for a case, to edit and pass to `case set --reply`.",
            runTemplateFill);
        addCommon(*fill, fl.common);
        addUserOption(*fill, fl.common);
        fill->add_option("id", fl.id, "The template's number")->required();
        fill->add_option("case", fl.ident, "Receipt code or case number (KIOSK-ID/SEQ)")
            ->required();
    }
    {
        auto [sub, o] = commands.add<StatsOptions>(
            "stats",
            "A period's figures from the case history: received, accepted, transferred, closed, "
            "closed on time, handling time (working days), open and overdue at the end; by "
            "category, township, school and kiosk. The same period always gives the same "
            "figures.",
            runStats);
        addCommon(*sub, o.common);
        sub->add_option("--from", o.from,
                        "First day, YYYY-MM-DD (office-local); default: this week's Monday");
        sub->add_option("--to", o.to, "Last day, YYYY-MM-DD (inclusive); default: this Sunday");
        sub->add_option("--month", o.month, "A whole month, YYYY-MM, instead of --from/--to");
        county::addJsonFlag(*sub, o.json);
        sub->add_option("--html", o.html,
                        "Also write the printable table here (周报表, or 月报表 with --month; "
                        "A4, mode 0600)");
        sub->add_flag("--english", o.english, "English labels in the printable table");
    }
    {
        auto [sub, o] = commands.add<SurveysOptions>(
            "surveys",
            "The satisfaction survey's figures for a month that has ended: every question (满意率, "
            "average, counts), overall, per school, per grade and per school × grade; groups "
            "below the minimum number of respondents are hidden.",
            runSurveys);
        addCommon(*sub, o.common);
        sub->add_option("--month", o.month,
                        "A whole month that has ended, YYYY-MM; default: last month");
        sub->add_option("--from", o.from,
                        "First day, YYYY-MM-DD: accepted only as a whole ended month's first");
        sub->add_option("--to", o.to, "Last day, YYYY-MM-DD: only as that month's last");
        sub->add_option("--min-respondents", o.minRespondents,
                        "Only county.toml [report] min_respondents is accepted (another value "
                        "is refused)");
        county::addJsonFlag(*sub, o.json);
        sub->add_flag("--english", o.english, "English labels in the JSON");
    }
    {
        auto [sub, o] = commands.add<AuditOptions>(
            "audit",
            "The audit log: every change and every view of a report's content — who, when, "
            "what (supervisors and auditors).",
            runAudit);
        addCommon(*sub, o.common);
        addUserOption(*sub, o.common);
        sub->add_option("--case", o.ident, "Only this case (receipt code or KIOSK-ID/SEQ)");
        county::addJsonFlag(*sub, o.json);
    }
    {
        auto* group = commands.app().add_subcommand(
            "user", "Staff accounts: add, list, disable, passwd (stored in the case ledger).");
        group->require_subcommand(1);
        auto [add, a] = commands.add<UserOptions>(
            *group, "add",
            "Add a staff account. The first must be a supervisor; after that, a supervisor "
            "(--user) adds the others.",
            runUserAdd);
        addCommon(*add, a.common);
        add->add_option("--name", a.name, "Account name, e.g. wang.li or 王丽")->required();
        add->add_option("--role", a.role, "clerk 经办人 | supervisor 主管 | auditor 审计员")
            ->required();
        add->add_option("--password-file", a.passwordFile,
                        "Read the password from this file's first line (else asked twice)");
        addUserOption(*add, a.common);

        auto [list, l] =
            commands.add<UserOptions>(*group, "list", "List staff accounts.", runUserList);
        addCommon(*list, l.common);
        addUserOption(*list, l.common);
        county::addJsonFlag(*list, l.json);

        auto [disable, d] = commands.add<UserOptions>(
            *group, "disable",
            "Disable an account (accounts are never deleted; --enable turns it back on).",
            runUserDisable);
        addCommon(*disable, d.common);
        disable->add_option("--name", d.name, "The account")->required();
        disable->add_flag("--enable", d.enable, "Enable it again instead");
        addUserOption(*disable, d.common);

        auto [passwd, p] = commands.add<UserOptions>(
            *group, "passwd", "Set an account's password (its own, or any as a supervisor).",
            runUserPasswd);
        addCommon(*passwd, p.common);
        passwd->add_option("--name", p.name, "The account")->required();
        passwd->add_option("--password-file", p.passwordFile,
                           "Read the password from this file's first line (else asked twice)");
        addUserOption(*passwd, p.common);
    }
    {
        auto [sub, o] = commands.add<AlarmsOptions>(
            "alarms", "List forks, chain breaks and rejected envelopes recorded by pull/import.",
            runAlarms);
        addCommon(*sub, o.common);
        county::addJsonFlag(*sub, o.json);
    }
    {
        auto [sub, o] = commands.add<ExportOptions>(
            "export",
            "Export submissions: xlsx (Excel/WPS: a sheet per form and the history), csv (a file "
            "per form), json, open311 (GeoReport v2 service requests) or open311-services.",
            runExport);
        addCommon(*sub, o.common);
        sub->add_option("--format", o.format, "xlsx, csv, json, open311 or open311-services")
            ->required();
        sub->add_option("--out", o.out,
                        "Output file (mode 0600; a folder for csv); default for json and "
                        "open311: standard output");
        addUserOption(*sub, o.common);
    }
    {
        auto [sub, o] = commands.add<ReportCommandOptions>(
            "report",
            "Tallies by category, school, township, status and overdue; the satisfaction "
            "survey's figures (small groups hidden) when --since/--until are a whole month that "
            "has ended.",
            runReport);
        addCommon(*sub, o.common);
        sub->add_option("--html", o.html, "Also write a self-contained HTML page here");
        sub->add_option("--min-respondents", o.minRespondents,
                        "Only county.toml [report] min_respondents is accepted (another value "
                        "is refused)");
        sub->add_option("--since", o.since,
                        "Only complaints received (surveys recorded) on or after YYYY-MM-DD");
        sub->add_option("--until", o.until,
                        "Only complaints received (surveys recorded) on or before YYYY-MM-DD");
    }
    {
        auto [sub, o] = commands.add<EnrollOptions>(
            "enroll", "Enrol a kiosk whose key was made elsewhere (e.g. re-keyed on site).",
            runEnroll);
        county::addDirOption(*sub, o.dir);
        sub->add_option("--kiosk-id", o.kioskId, "New kiosk id: 1-64 of a-z, 0-9, '-'")->required();
        sub->add_option("--name", o.name, "Display name, e.g. 阳光社区 1 号机")->required();
        sub->add_option("--public-key", o.publicKey,
                        "The kiosk's public key file (kiosk-signing-public) or its 64 hex digits")
            ->required();
    }
    {
        auto [sub, o] = commands.add<RevokeOptions>(
            "revoke",
            "Revoke a kiosk (lost, stolen, compromised): the server refuses its new envelopes "
            "and its cases are marked.",
            runRevoke);
        county::addDirOption(*sub, o.common.dir);
        sub->add_option("--kiosk-id", o.kioskId, "Kiosk to revoke")->required();
        sub->add_option("--reason", o.reason, "Why (kept in the revocation file)")->required();
        addNowOption(*sub, o.common);
    }
}

} // namespace minsheng::staff
