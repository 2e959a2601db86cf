#include "county/staff/staff_commands.hpp"

#include "county/office/county_cli.hpp"
#include "county/office/county_dir.hpp"
#include "county/office/county_tls.hpp"
#include "county/office/kiosk_registry.hpp"
#include "county/office/passphrase_prompt.hpp"
#include "county/staff/case_rules.hpp"
#include "county/staff/exporters.hpp"
#include "county/staff/form_catalog.hpp"
#include "county/staff/intake.hpp"
#include "county/staff/ledger_key.hpp"
#include "county/staff/registry_admin.hpp"
#include "county/staff/report.hpp"
#include "crypto/atomic_file.hpp"
#include "crypto/key_file.hpp"
#include "crypto/receipt_code.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace minsheng::staff {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using county::complain;
using county::kExitFailure; // ran, but found problems (alarms, server unreachable)

/// Options every staff command shares.
struct Common {
    fs::path dir;
    std::optional<fs::path> passFile;
    std::optional<std::int64_t> now; // hidden --now UNIX, for tests of due dates

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
    auto token = county::readStaffToken(o.dir.staffTokenFile());
    if (!token)
        return fail(ServerError{false, token.error().message});
    return makeHttpsStaffTransport(serverUrl.value_or(o.config.url), o.dir.tlsCaCert(), *token);
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
    std::string status, category, school;
    bool overdue = false, json = false;
};

int runCases(const CasesOptions& c) {
    auto office = loadOffice(c.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    std::optional<crypto::CaseStatus> status;
    if (!c.status.empty() && !(status = parseCaseStatus(c.status)))
        return complain("--status \"" + c.status +
                        "\" is not a status; use received 已接收, accepted 已受理, in_progress "
                        "办理中, closed 已办结, transferred 已转办 or not_accepted 不予受理.");
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto rows = ledger->submissions();
    if (!rows)
        return complain(rows.error().message);
    const auto forms = FormCatalog::load(o.dir.formsDir());
    for (const auto& w : forms.warnings())
        std::cerr << "minsheng-county: warning: " << w << " (showing ids instead of labels)\n";
    auto registry = county::KioskRegistry::load(o.dir);
    const auto now = c.common.clock();

    json out = json::array();
    std::size_t shown = 0, overdueCount = 0;
    for (const auto& s : *rows) {
        if (!s.isComplaint())
            continue;
        const bool late = o.rules.isOverdue(s.receivedAt, s.category, s.status, now);
        if (status && s.status != *status)
            continue;
        if (!c.category.empty() && c.category != s.category &&
            c.category != forms.categoryLabel(s.category))
            continue;
        if (!c.school.empty() && c.school != s.school &&
            c.school != forms.itemLabel("schools", s.school))
            continue;
        if (c.overdue && !late)
            continue;
        ++shown;
        overdueCount += late;
        const std::string due = CaseRules::formatDay(o.rules.dueDate(s.receivedAt, s.category));
        if (c.json) {
            out.push_back({{"case", s.caseNumber()},
                           {"status", std::string(crypto::caseStatusName(s.status))},
                           {"status_label", std::string(caseStatusChinese(s.status))},
                           {"received", o.rules.formatLocal(s.receivedAt)},
                           {"due", due},
                           {"overdue", late},
                           {"category", s.category},
                           {"category_label", forms.categoryLabel(s.category)},
                           {"school", s.school},
                           {"school_label", forms.itemLabel("schools", s.school)},
                           {"township", s.township},
                           {"township_label", forms.itemLabel("townships", s.township)},
                           {"anonymous", s.anonymous},
                           {"kiosk_revoked", registry && registry->find(s.kioskId) &&
                                                 registry->find(s.kioskId)->revoked},
                           {"reply", s.reply}});
            continue;
        }
        std::cout << s.caseNumber() << "  " << caseStatusLabel(s.status) << "  到期 due " << due
                  << (late ? "  ⚠超期 OVERDUE" : "") << "  " << forms.categoryLabel(s.category);
        if (!s.school.empty())
            std::cout << "  " << forms.itemLabel("schools", s.school);
        if (!s.township.empty())
            std::cout << "  " << forms.itemLabel("townships", s.township);
        std::cout << "  接收 received " << o.rules.formatLocal(s.receivedAt)
                  << kioskNote(registry ? &*registry : nullptr, s.kioskId) << "\n";
    }
    if (c.json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << shown << " 件 case(s)";
    if (overdueCount)
        std::cout << ", " << overdueCount << " 超期 overdue";
    std::cout << ".\n";
    if (auto st = ledger->stats(); st && st->alarms)
        std::cout << "⚠ " << st->alarms << " 警报 alarm(s) in the ledger: minsheng-county alarms "
                  << "--dir " << o.dir.root().string() << "\n";
    return 0;
}

struct CaseOptions {
    Common common;
    std::string ident;
    std::string status;
    std::optional<std::string> reply;
    std::optional<std::string> server;
    bool offline = false, json = false;
};

int runCaseShow(const CaseOptions& c) {
    auto office = loadOffice(c.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto found = findCase(*ledger, o, c.ident);
    if (!found)
        return complain(found.error());
    const Submission& s = *found;
    auto history = ledger->history(s.id);
    if (!history)
        return complain(history.error().message);
    const auto forms = FormCatalog::load(o.dir.formsDir());
    auto registry = county::KioskRegistry::load(o.dir);
    const auto now = c.common.clock();
    const bool late = o.rules.isOverdue(s.receivedAt, s.category, s.status, now);
    const std::string due = CaseRules::formatDay(o.rules.dueDate(s.receivedAt, s.category));
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
        for (const auto& e : *history)
            h.push_back({{"status", std::string(crypto::caseStatusName(e.status))},
                         {"reply", e.reply},
                         {"at", o.rules.formatLocal(e.setAt)},
                         {"by_staff", e.signedByStaff},
                         {"pushed", e.pushed}});
        j["history"] = h;
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << "案件 Case " << s.caseNumber() << "    "
              << (forms.form(s.formId) ? forms.form(s.formId)->title.zh : s.formId) << "\n"
              << "状态 Status:   " << caseStatusLabel(s.status) << "\n"
              << "到期 Due:      " << due << "（" << o.rules.dueWorkingDays(s.category)
              << " 个工作日 working days）" << (late ? "  ⚠ 超期 OVERDUE" : "") << "\n"
              << "接收 Received: " << o.rules.formatLocal(s.receivedAt)
              << "    提交 Submitted: " << o.rules.formatLocal(s.createdAt) << "\n"
              << "来源 Source:   kiosk " << s.kioskId
              << kioskNote(registry ? &*registry : nullptr, s.kioskId) << ", "
              << (s.source == EnvelopeSource::Network ? "network" : "USB import")
              << (s.acknowledged ? " (server acknowledged)" : "") << "\n"
              << "匿名 Anonymous: " << (s.anonymous ? "是 yes — no contact details" : "否 no")
              << "\n";
    if (!s.anonymous)
        std::cout << "联系 Contact:  " << s.contactName.value_or("") << "  "
                  << s.contactPhone.value_or("") << "\n";
    std::cout << "\n—— 反映内容 Report ——\n";
    for (const auto& a : answers)
        if (!isIdentityField(a.fieldId))
            std::cout << "  " << a.label << "\n      " << a.value << "\n";
    std::cout << "\n—— 处理记录 History ——\n";
    for (const auto& e : *history) {
        std::cout << "  " << o.rules.formatLocal(e.setAt) << "  " << caseStatusLabel(e.status);
        if (!e.signedByStaff)
            std::cout << "  (自动 automatic)";
        else
            std::cout << (e.pushed ? "  [已推送 pushed]" : "  [待推送 queued]");
        std::cout << "\n";
        if (!e.reply.empty())
            std::cout << "      回复 Reply: " << e.reply << "\n";
    }
    return 0;
}

int runCaseSet(const CaseOptions& c) {
    auto office = loadOffice(c.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    auto status = parseCaseStatus(c.status);
    if (!status)
        return complain("--status \"" + c.status +
                        "\" is not a status; use received 已接收, accepted 已受理, in_progress "
                        "办理中, closed 已办结, transferred 已转办 or not_accepted 不予受理.");
    const std::string reply = c.reply.value_or("");
    if (reply.size() > crypto::kMaxReplyBytes)
        return complain("--reply is " + std::to_string(reply.size()) +
                        " bytes; a reply shown at "
                        "the kiosk may have at most " +
                        std::to_string(crypto::kMaxReplyBytes) +
                        " bytes (about 1300 Chinese characters). Shorten it.");
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto found = findCase(*ledger, o, c.ident);
    if (!found)
        return complain(found.error());
    auto signer = crypto::readEd25519SecretKey(o.dir.signingSecretKey(),
                                               crypto::KeyKind::CountySigningSecret, o.passphrase);
    if (!signer)
        return complain(signer.error().message);
    const auto now = c.common.clock();
    crypto::CaseStatusRecord record;
    record.receiptTag = found->receiptTag;
    record.status = *status;
    record.receivedAt = found->receivedAt;
    record.updatedAt = std::max(now, found->updatedAt);
    record.reply = reply;
    record = crypto::signCaseStatus(std::move(record), *signer);
    auto id = ledger->appendStatus(found->id, *status, reply, record.updatedAt,
                                   sync::caseStatusToJson(record).dump());
    if (!id)
        return complain(id.error().message);
    std::cout << "已记录 Recorded: case " << found->caseNumber() << " → "
              << caseStatusLabel(*status) << (reply.empty() ? "" : ", with a reply")
              << " (signed with " << o.dir.signingSecretKey().filename().string() << ").\n";
    if (c.offline) {
        std::cout << "未推送 Not pushed (--offline): it is queued and goes to the server at the "
                     "next `pull` or `case set`.\n";
        return 0;
    }
    auto server = connectServer(o, c.server);
    if (!server) {
        std::cout << "未推送 Not pushed: " << server.error().message
                  << "\n  It is queued in the ledger and goes to the server at the next `pull` "
                     "or `case set`.\n";
        return 0;
    }
    auto pushed = pushPendingStatuses(*ledger, **server, now);
    if (!pushed)
        return complain(pushed.error().message);
    if (pushed->pushed)
        std::cout << "已推送 Pushed " << pushed->pushed
                  << " status change(s); parents see it at any kiosk with the receipt code.\n";
    for (const auto& m : pushed->messages)
        std::cout << "  " << m << "\n";
    return 0;
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

// ---- export / report ------------------------------------------------------------------------

struct ExportOptions {
    Common common;
    std::string format;
    std::optional<fs::path> out;
};

int runExport(const ExportOptions& e) {
    auto format = parseExportFormat(e.format);
    if (!format)
        return complain("--format must be csv, json or open311.");
    auto office = loadOffice(e.common);
    if (!office)
        return complain(office.error());
    auto& o = *office;
    auto ledger = openLedger(o.dir, o.config, o.passphrase, false);
    if (!ledger)
        return complain(ledger.error().message);
    auto rows = ledger->submissions();
    if (!rows)
        return complain(rows.error().message);
    const auto forms = FormCatalog::load(o.dir.formsDir());
    ExportContext ctx{&forms, &o.rules, o.config.name, e.common.clock()};
    std::string text = *format == ExportFormat::Csv    ? exportCsv(*rows, ctx)
                       : *format == ExportFormat::Json ? exportJson(*rows, ctx)
                                                       : exportOpen311(*rows, ctx);
    if (!e.out) {
        std::cout << text;
        return 0;
    }
    if (auto w = writePrivateFile(*e.out, text); !w)
        return complain(w.error());
    std::cerr << "已导出 Exported " << rows->size() << " submission(s) to " << e.out->string()
              << " (mode 0600). It holds what parents wrote"
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
    opts.minRespondents = r.minRespondents.value_or(o.rules.minRespondents);
    if (opts.minRespondents < 1)
        return complain("--min-respondents must be at least 1.");
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
};

/// The registry, with each kiosk's health as the intake server reports it (unless --offline or
/// the server cannot be reached: then the registry alone, and a note on standard error).
int runKiosks(const KiosksOptions& k) {
    const fs::path& dir = k.dir;
    const bool asJson = k.json;
    county::CountyDir cd(dir);
    auto reg = county::KioskRegistry::load(cd);
    if (!reg)
        return complain(reg.error().message);
    std::map<std::string, json> health;
    std::string healthNote;
    if (!k.offline) {
        Common c;
        c.dir = dir;
        auto office = loadOffice(c);
        if (!office)
            return complain(office.error());
        auto server = connectServer(*office, k.server);
        if (!server) {
            healthNote = server.error().message;
        } else {
            auto r = (*server)->request("GET", "/v1/staff/kiosks", {});
            if (!r)
                healthNote = "intake server not reachable (" + r.error().message +
                             "); showing the registry only.";
            else if (r->status != 200)
                healthNote = "intake server answered " + describeErrorAnswer(*r) + ".";
            else {
                auto body = json::parse(r->body, nullptr, false);
                if (body.is_object() && body.contains("kiosks") && body["kiosks"].is_array())
                    for (const auto& h : body["kiosks"])
                        if (h.is_object() && h.contains("id") && h["id"].is_string())
                            health[h["id"].get<std::string>()] = h;
            }
        }
    }
    json out = json::array();
    for (const auto& [id, kk] : reg->all()) {
        auto h = health.find(id);
        if (asJson) {
            json j = {{"id", id},
                      {"name", kk.name},
                      {"key_id", crypto::toHex(kk.publicKey.id())},
                      {"revoked", kk.revoked}};
            if (h != health.end())
                j["health"] = h->second;
            out.push_back(std::move(j));
            continue;
        }
        std::cout << id << "\t" << crypto::toHex(kk.publicKey.id()) << "\t"
                  << (kk.revoked ? "REVOKED" : "enrolled") << "\t" << kk.name;
        if (h != health.end()) {
            const auto& v = h->second;
            std::cout << "\tlast seq " << v.value("last_seq", json(0)).dump();
            if (v.contains("last_seen") && v["last_seen"].is_number_integer() &&
                v["last_seen"].get<std::int64_t>() > 0)
                std::cout << ", last seen "
                          << CaseRules{}.formatLocal(v["last_seen"].get<std::int64_t>());
            if (v.value("silent", false))
                std::cout << "  ⚠ 静默 SILENT (no heartbeat for 24 h)";
            if (v.contains("gaps") && v["gaps"].is_array() && !v["gaps"].empty())
                std::cout << "  ⚠ gaps " << v["gaps"].dump();
            if (v.contains("forks") && v["forks"].is_number_integer() &&
                v["forks"].get<std::int64_t>() > 0)
                std::cout << "  ⚠ forks " << v["forks"].get<std::int64_t>();
        }
        std::cout << "\n";
    }
    if (asJson)
        std::cout << out.dump(2) << "\n";
    else if (reg->all().empty())
        std::cout << "No kiosks enrolled yet.\n";
    if (!healthNote.empty())
        std::cerr << "minsheng-county: " << healthNote << "\n";
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
            "cases", "List complaint cases with status and due date.", runCases);
        addCommon(*sub, o.common);
        sub->add_option("--status", o.status, "Only this status (English or Chinese name)");
        sub->add_option("--category", o.category, "Only this category (id or label)");
        sub->add_option("--school", o.school, "Only this school (id or label)");
        sub->add_flag("--overdue", o.overdue, "Only overdue cases");
        county::addJsonFlag(*sub, o.json);
    }
    {
        auto* group =
            commands.app().add_subcommand("case", "Show one case or set its status and reply.");
        group->require_subcommand(1);

        auto [show, s] = commands.add<CaseOptions>(
            *group, "show", "Show a case: the report, its history, due date.", runCaseShow);
        addCommon(*show, s.common);
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
        county::addServerOption(*set, t.server);
        set->add_flag("--offline", t.offline, "Record and queue only; push later");
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
            "Export submissions: csv (Excel/WPS), json, or open311 (GeoReport v2 service "
            "requests).",
            runExport);
        addCommon(*sub, o.common);
        sub->add_option("--format", o.format, "csv, json or open311")->required();
        sub->add_option("--out", o.out, "Output file (mode 0600); default: standard output");
    }
    {
        auto [sub, o] = commands.add<ReportCommandOptions>(
            "report",
            "Tallies by category, school, township, status and overdue; satisfaction averages "
            "(small groups suppressed).",
            runReport);
        addCommon(*sub, o.common);
        sub->add_option("--html", o.html, "Also write a self-contained HTML page here");
        sub->add_option("--min-respondents", o.minRespondents,
                        "Suppress satisfaction figures below this many respondents (default: "
                        "[report] min_respondents, 5)");
        sub->add_option("--since", o.since, "Only submissions received on or after YYYY-MM-DD");
        sub->add_option("--until", o.until, "Only submissions received on or before YYYY-MM-DD");
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
