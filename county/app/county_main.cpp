// minsheng-county: the county's one program. The county folder's commands (init, provision,
// open) are here; the intake server (serve, county/server) and the staff tool (kiosks, pull,
// cases, export, report, …, county/staff) add their own subcommands, each once, through
// county::CountyCommands (county/office/county_cli.hpp).
#include "county/console/console_command.hpp"
#include "county/office/config_bundle.hpp"
#include "county/office/county_cli.hpp"
#include "county/office/county_dir.hpp"
#include "county/office/envelope_opener.hpp"
#include "county/office/kiosk_registry.hpp"
#include "county/office/passphrase_prompt.hpp"
#include "county/office/provisioning.hpp"
#include "county/server/serve_command.hpp"
#include "county/staff/config_commands.hpp"
#include "county/staff/staff_commands.hpp"
#include "crypto/sodium.hpp"
#include "sync/wire/minute_time.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace minsheng;

namespace {

using county::complain;
using county::kExitFailure;

struct InitArgs {
    fs::path dir;
    bool noPassphrase = false;
    std::optional<fs::path> passFile;
    std::string url = "https://127.0.0.1:8443";
    std::string name;
    std::optional<fs::path> forms;
    bool fastKdf = false;
    bool demo = false;
};

int runInit(const InitArgs& a) {
    const fs::path& dir = a.dir;
    const bool noPassphrase = a.noPassphrase;
    const std::optional<fs::path>& passFile = a.passFile;
    county::InitOptions o;
    o.url = a.url;
    if (!a.name.empty())
        o.name = a.name;
    auto formsDir = a.forms ? a.forms : county::defaultFormsDir();
    if (formsDir)
        o.formsSource = *formsDir;
    if (auto calendar = county::defaultCalendarFile())
        o.calendarSource = *calendar;
    std::optional<crypto::SecretBytes> pass;
    if (!noPassphrase) {
        pass = county::readPassphrase(passFile, "New passphrase for the county's secret keys: ");
        if (!pass || pass->size() < 8)
            return complain(
                "a passphrase of at least 8 characters is needed to protect the county's "
                "secret keys (or pass --no-passphrase for a test or demo county).");
        if (!passFile && !std::getenv("MINSHENG_PASSPHRASE_FILE")) {
            auto again = county::readPassphrase(passFile, "Repeat the passphrase: ");
            if (!again || !again->equals(pass->span()))
                return complain("the two passphrases differ; nothing was created.");
        }
        o.passphrase = &*pass;
    }
    if (a.fastKdf)
        o.protection = {1, 8u << 20};
    o.demo = a.demo;
    auto r = county::initCountyDir(county::CountyDir(dir), o);
    if (!r)
        return complain(r.error().message);
    std::cout << "County folder ready: " << dir.string() << "\n"
              << "  keys:    " << (dir / "keys").string()
              << (noPassphrase ? "  (NOT passphrase-protected: for tests and demos only)\n"
                               : "  (secret keys protected by your passphrase)\n")
              << "  forms:   " << (dir / "forms").string() << "\n"
              << "  kiosks:  " << (dir / "kiosks").string() << " (none enrolled yet)\n";
    if (a.demo)
        std::cout << "  A DEMONSTRATION county: its kiosks show the example hotline, address and "
                     "school list.\n";
    else
        std::cout << "Before the first kiosk: put the county's real hotline and mailbox in "
                  << (dir / "county.toml").string() << " [kiosk_defaults], and its schools in "
                  << (dir / "forms" / "lists.toml").string()
                  << " (`minsheng-county config check` names whatever example value is left).\n";
    std::cout << "Next: minsheng-county provision --dir " << dir.string()
              << " --kiosk-id ID --name NAME --out BUNDLE_DIR\n";
    return 0;
}

struct ProvisionArgs {
    fs::path dir;
    county::ProvisionRequest request;
};

int runProvision(const ProvisionArgs& a) {
    const county::ProvisionRequest& req = a.request;
    const county::CountyDir dir(a.dir);
    auto r = county::provisionKiosk(dir, req);
    if (!r)
        return complain(r.error().message);
    std::cout << "Kiosk " << req.kioskId << " enrolled; its bundle is in " << req.bundleDir.string()
              << "\n  Copy the whole folder to the kiosk (it contains the kiosk's secret key) and "
                 "start it with:\n  minsheng-kiosk --config "
              << (req.bundleDir / "kiosk.toml").string() << "\n";
    return 0;
}

struct OpenArgs {
    fs::path dir;
    std::optional<fs::path> passFile;
    bool json = false;
    std::vector<fs::path> inputs;
};

int runOpen(const OpenArgs& a) {
    const bool json = a.json;
    county::CountyDir cd(a.dir);
    auto reg = county::KioskRegistry::load(cd);
    if (!reg)
        return complain(reg.error().message);
    auto keys = county::loadOpeningKeys(cd, county::cachedPassphraseSource(a.passFile));
    if (!keys)
        return complain(keys.error().message);
    auto files = county::collectEnvelopeFiles(a.inputs);
    if (files.empty())
        return complain("no envelope files given (*.msenv.json files or folders holding them).");

    county::VerifierContext context;
    context.registry = &*reg;
    context.keys = &*keys;
    context.revokedAt = county::loadRevocationTimes(cd, *reg);
    // The verification `import` and `pull` run too (county/office/envelope_opener.hpp).
    auto results = county::openEnvelopeFiles(files, context);
    std::size_t ok = 0, bad = 0;
    for (const auto& r : results) {
        nlohmann::json rec;
        rec["file"] = r.file.string();
        if (r.envelope) {
            const auto& h = r.envelope->header;
            rec["kiosk"] = h.kioskId;
            rec["seq"] = h.sequence;
            rec["v"] = h.version;
            if (crypto::headerCarriesMetadata(h)) {
                rec["kind"] = std::string(crypto::envelopeKindName(h.kind));
                rec["created"] = sync::formatMinuteUtc(h.createdAt);
            }
            rec["hash"] = crypto::toHex(crypto::envelopeHash(*r.envelope));
            if (h.receiptTag)
                rec["receipt_tag"] = crypto::toHex(*h.receiptTag);
        }
        rec["notes"] = r.verdict.notes;
        if (r.verdict.alarm) {
            ++bad;
            rec["status"] = std::string(county::envelopeAlarmName(*r.verdict.alarm));
            rec["problem"] = r.verdict.problem;
        } else {
            ++ok;
            rec["status"] = "ok";
            rec["duplicate"] = r.verdict.duplicate;
            if (r.payload) {
                // Kind and minute come from the opened envelope: a version-2 header has neither.
                rec["kind"] = std::string(crypto::envelopeKindName(r.kind));
                rec["created"] = sync::formatMinuteUtc(r.payload->createdAt);
                rec["form"] = r.payload->formId;
                rec["form_version"] = r.payload->formVersion;
                rec["locale"] = r.payload->locale;
                rec["answers"] = r.payload->answers;
            }
        }
        if (json) {
            std::cout << rec.dump() << "\n";
            continue;
        }
        std::cout << "== " << r.file.filename().string() << "\n";
        if (r.envelope)
            std::cout << "   kiosk " << rec["kiosk"].get<std::string>() << "  #" << rec["seq"]
                      << "  " << rec.value("kind", std::string("(sealed)")) << "  "
                      << rec.value("created", std::string("(sealed)")) << "\n";
        for (const auto& n : r.verdict.notes)
            std::cout << "   note: " << n << "\n";
        if (r.verdict.alarm) {
            std::cout << "   REJECTED (" << rec["status"].get<std::string>()
                      << "): " << rec["problem"].get<std::string>() << "\n";
            continue;
        }
        if (!r.payload)
            continue; // a duplicate: shown once, above
        std::cout << "   verified: signature, chain, county key, payload\n"
                  << "   form " << r.payload->formId << " v" << r.payload->formVersion
                  << ", locale " << r.payload->locale << "\n";
        std::cout << "   answers: " << r.payload->answers.dump(2) << "\n";
    }
    std::cerr << ok << " opened, " << bad << " rejected, " << results.size() << " files.\n";
    return bad == 0 ? 0 : kExitFailure;
}

} // namespace

int main(int argc, char** argv) {
    // Everything the county tool creates — ledger and its -wal/-shm, intake store, exports,
    // configuration, keys, TLS material, audit — is its owner's alone (files 0600, folders
    // 0700), also when it is started from a shell with the usual 022. Files written with an
    // explicit mode (crypto/atomic_file.hpp) set it themselves; this covers the rest, such as
    // SQLite's own files and libxlsxwriter's scratch files.
    ::umask(077);
    crypto::initSodium();
    CLI::App app{
        "minsheng-county — the county office's tool for Minsheng (民声) kiosks: county keys, "
        "kiosk provisioning, and opening parents' sealed submissions.\n"
        "Every command works on one county folder (--dir) made by `init`.",
        "minsheng-county"};
    app.set_version_flag("--version", std::string(MINSHENG_VERSION));
    app.require_subcommand(1);
    app.footer("Exit status: 0 success; 1 the command ran but found problems (e.g. rejected "
               "envelopes); 2 bad arguments, configuration or keys.\nSee docs/commands.md and "
               "docs/staff.md.");

    county::CountyCommands commands(app);

    auto [init, initArgs] = commands.add<InitArgs>(
        "init", "Create a county folder: fresh keys, configuration, default forms.", runInit);
    county::addDirOption(*init, initArgs.dir, "County folder to create (must be new or empty)");
    init->add_flag("--no-passphrase", initArgs.noPassphrase,
                   "Leave the county's secret keys unencrypted (tests and demos only)");
    county::addPassphraseFileOption(*init, initArgs.passFile,
                                    "Read the passphrase from this file instead of asking (also "
                                    "MINSHENG_PASSPHRASE_FILE)");
    init->add_option("--url", initArgs.url, "Intake server address kiosks are provisioned with")
        ->capture_default_str();
    init->add_option("--name", initArgs.name, "The county office's name, shown to staff");
    init->add_option("--forms", initArgs.forms,
                     "Folder with complaint.toml, survey.toml, lists.toml to start from "
                     "(default: the shipped forms)");
    init->add_flag("--demo", initArgs.demo,
                   "A demonstration county: its kiosks may show the shipped example hotline, "
                   "address and school list (a real county replaces them before `provision`)");
    init->add_flag("--fast-kdf", initArgs.fastKdf, "Weak Argon2id limits, for tests only")
        ->group("");

    auto [prov, provArgs] = commands.add<ProvisionArgs>(
        "provision",
        "Enrol a new kiosk and write its bundle (configuration, keys, forms) to a folder.",
        runProvision);
    county::ProvisionRequest& req = provArgs.request;
    county::addDirOption(*prov, provArgs.dir);
    prov->add_option("--kiosk-id", req.kioskId, "New kiosk id: 1-64 of a-z, 0-9, '-'")->required();
    prov->add_option("--name", req.name, "Display name, e.g. 阳光社区 1 号机")->required();
    prov->add_option("--location", req.location, "Where it stands, e.g. 阳光社区服务中心一楼");
    prov->add_option("--out", req.bundleDir, "Bundle folder to write (new or empty)")->required();

    // The registry listing, with the intake server's view of each kiosk: the staff tool's.
    staff::addKiosksCommand(commands);

    auto [open, openArgs] = commands.add<OpenArgs>(
        "open", "Verify and decrypt exported envelopes (minsheng-kiosk outbox --export).", runOpen);
    county::addDirOption(*open, openArgs.dir);
    county::addPassphraseFileOption(*open, openArgs.passFile);
    county::addJsonFlag(*open, openArgs.json, "One JSON object per envelope, one per line");
    open->add_option("files", openArgs.inputs, "Envelope files or folders of them")->required();

    server::addServeCommand(commands);
    staff::addStaffCommands(commands);
    staff::addConfigCommands(commands);
    console::addConsoleCommand(commands);

    return commands.parseAndRun(argc, argv);
}
