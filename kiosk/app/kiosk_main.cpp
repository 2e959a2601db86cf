// minsheng-kiosk: the kiosk's program.
//
// This process sees plaintext and never opens a network connection (docs/architecture.md).
// The one exception is `minsheng-kiosk sync`, the forwarder: it always runs as a process of its
// own (a separate service) and handles sealed envelopes only (docs/forwarder.md).
#include "crypto/atomic_file.hpp"
#include "crypto/secret_arena.hpp"
#include "crypto/sodium.hpp"
#include "kiosk/app/ime_helper_command.hpp"
#include "kiosk/app/pinyin_command.hpp"
#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/submission_desk.hpp"
#include "kiosk/forwarder/sync_command.hpp"
#include "kiosk/ui/speak_command.hpp"
#include "kiosk/ui/window_command.hpp"
#include "sync/forms/form_description.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/minute_time.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace minsheng;

namespace {

// Exit status, documented in --help and docs/kiosk-cli.md.
constexpr int kExitInvalidAnswers = 1;
constexpr int kExitUsage = 2;    // bad arguments, configuration, keys
constexpr int kExitNotSaved = 3; // the store refused: the submission was NOT saved

int complain(const std::string& message, int code = kExitUsage) {
    std::cerr << "minsheng-kiosk: " << message << "\n";
    return code;
}

std::optional<kiosk::KioskConfig> loadConfig(const fs::path& path, int& exitCode) {
    auto c = kiosk::loadKioskConfig(path);
    if (!c) {
        exitCode = complain(c.error().toString());
        return std::nullopt;
    }
    return std::move(c.value());
}

/// Reads a whole file (or stdin for "-") straight into guarded memory: it holds a parent's
/// answers.
std::optional<crypto::SecretBytes> readAnswersFile(const std::string& path, std::string& error) {
    int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = path + ": cannot open: " + std::strerror(errno);
        return std::nullopt;
    }
    constexpr std::size_t kLimit = 4u << 20;
    crypto::SecretBytes buf(kLimit);
    std::size_t n = 0;
    for (;;) {
        ssize_t r = ::read(fd, buf.data() + n, buf.size() - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            error = path + ": cannot read: " + std::strerror(errno);
            if (fd != 0)
                ::close(fd);
            return std::nullopt;
        }
        if (r == 0)
            break;
        n += static_cast<std::size_t>(r);
        if (n == buf.size()) {
            error = path + ": larger than 4 MiB; no form accepts answers that long";
            if (fd != 0)
                ::close(fd);
            return std::nullopt;
        }
    }
    if (fd != 0)
        ::close(fd);
    buf.truncate(n);
    return buf;
}

void printFieldErrors(const std::vector<kiosk::FieldError>& errors, std::string_view locale) {
    for (const auto& e : errors)
        std::cerr << "  " << (e.field.empty() ? std::string("(answers)") : e.field) << ": "
                  << e.message.get(locale) << "  [" << kiosk::fieldErrorCodeName(e.code) << "]\n";
}

int runSubmit(const fs::path& configPath, const std::string& formId, const std::string& answersPath,
              std::string locale, bool json) {
    int rc = 0;
    auto config = loadConfig(configPath, rc);
    if (!config)
        return rc;
    if (locale.empty())
        locale = config->locale;
    if (!kiosk::isSupportedLocale(locale))
        return complain("--locale must be zh-CN or en.");
    auto desk = kiosk::SubmissionDesk::open(*config);
    if (!desk)
        return complain(desk.error().message);
    const kiosk::Form* form = desk->form(formId);
    if (!form)
        return complain("no form \"" + formId + "\" in " + configPath.string() +
                        "; the forms are: complaint, survey (see: minsheng-kiosk forms).");
    std::string err;
    auto text = readAnswersFile(answersPath, err);
    if (!text)
        return complain(err);

    crypto::SecretArena arena; // the parent's answers live here and are wiped on return
    auto answers = kiosk::parseAnswersJson(*form, text->view(), &arena);
    text->clear();
    if (!answers) {
        std::cerr << "minsheng-kiosk: the answers in " << answersPath << " do not fit the form \""
                  << formId << "\"; nothing was saved:\n";
        printFieldErrors(answers.error(), locale);
        return kExitInvalidAnswers;
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto receipt = desk->submit(*form, *answers, locale, now);
    if (!receipt) {
        if (receipt.error().kind == kiosk::SubmitError::Kind::Invalid) {
            std::cerr << "minsheng-kiosk: the answers do not fit the form \"" << formId
                      << "\"; nothing was saved:\n";
            printFieldErrors(receipt.error().fieldErrors, locale);
            return kExitInvalidAnswers;
        }
        return complain(receipt.error().storeError->message, kExitNotSaved);
    }
    if (json) {
        nlohmann::json out = {{"sequence", receipt->sequence},
                              {"envelope_hash", crypto::toHex(receipt->envelopeHash)},
                              {"form", formId}};
        if (receipt->receiptCode)
            out["receipt_code"] = receipt->receiptCode->grouped();
        std::cout << out.dump() << "\n";
        return 0;
    }
    std::cout << "已保存 Saved: envelope #" << receipt->sequence << " of kiosk " << config->id
              << ", sealed to the county and committed to the outbox.\n";
    if (receipt->receiptCode)
        std::cout << "回执码 Receipt code: " << receipt->receiptCode->grouped()
                  << "\n(Nobody can recover a lost code: write it down.)\n";
    return 0;
}

int runOutbox(const fs::path& configPath, const std::optional<fs::path>& exportDir, bool json) {
    int rc = 0;
    auto config = loadConfig(configPath, rc);
    if (!config)
        return rc;
    std::error_code ec;
    if (!fs::exists(config->dataDir / outbox::kOutboxFileName, ec))
        return complain((config->dataDir / outbox::kOutboxFileName).string() +
                        " does not exist yet: nothing has been submitted on this kiosk.");
    auto outbox = kiosk::openKioskOutbox(*config);
    if (!outbox)
        return complain(outbox.error().message);
    auto stats = outbox->stats();
    if (!stats)
        return complain(stats.error().message);

    std::size_t exported = 0;
    if (exportDir) {
        fs::create_directories(*exportDir, ec);
        if (ec)
            return complain("cannot create " + exportDir->string() + ": " + ec.message());
        std::uint64_t after = 0;
        for (;;) {
            auto batch = outbox->pending(256, after);
            if (!batch)
                return complain(batch.error().message);
            if (batch->empty())
                break;
            for (const auto& s : *batch) {
                const fs::path file = *exportDir / sync::envelopeExportFileName(s.envelope.header);
                // Sealed, but their headers tell a kiosk, a sequence and a minute: the owner's
                // alone, like every file the kiosk writes (a stick's FAT keeps no modes anyway).
                auto written = crypto::writeFileAtomically(
                    file, sync::envelopeToJson(s.envelope) + "\n", 0600, crypto::Existing::Replace);
                if (!written)
                    return complain("cannot write " + file.string() + " (" +
                                    std::strerror(written.error().sysErrno) +
                                    "; is the stick full or read-only?); exported " +
                                    std::to_string(exported) + " so far.");
                ++exported;
                after = s.envelope.header.sequence;
            }
        }
        ::sync(); // a USB stick is pulled right after this command; make the files durable
    }

    // The outbox keeps days only (kiosk/outbox/outbox_schema.hpp invariant 9).
    auto day = [](const std::optional<std::int64_t>& t) {
        return t ? sync::formatMinuteUtc(sync::floorToMinute(*t)).substr(0, 10) : std::string("-");
    };
    if (json) {
        nlohmann::json out = {
            {"kiosk", config->id},
            {"pending", stats->pendingCount},
            {"acknowledged_held", stats->acknowledgedCount},
            {"last_sequence", stats->lastSequence},
            {"last_acknowledged_sequence", stats->lastAcknowledgedSequence
                                               ? nlohmann::json(*stats->lastAcknowledgedSequence)
                                               : nlohmann::json(nullptr)},
            {"last_acknowledged_day", day(stats->lastAcknowledgedDay)},
            {"file_bytes", stats->fileBytes + stats->walBytes}};
        if (exportDir)
            out["exported"] = exported;
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "Outbox of kiosk " << config->id << " (" << outbox->file().string() << ")\n"
              << "  pending (not yet acknowledged by the county): " << stats->pendingCount << "\n"
              << "  last sequence:                                " << stats->lastSequence << "\n"
              << "  last acknowledgement:                         "
              << (stats->lastAcknowledgedSequence
                      ? "#" + std::to_string(*stats->lastAcknowledgedSequence) + " on " +
                            day(stats->lastAcknowledgedDay)
                      : std::string("none yet"))
              << "\n";
    if (exportDir)
        std::cout << "Exported " << exported << " pending envelope(s) to " << exportDir->string()
                  << ". They stay pending here until the county acknowledges them.\n";
    return 0;
}

int runForms(const fs::path& configPath, bool json, const std::string& example,
             std::string locale) {
    int rc = 0;
    auto config = loadConfig(configPath, rc);
    if (!config)
        return rc;
    auto forms = kiosk::loadFormSet(*config);
    if (!forms)
        return complain(forms.error().toString());
    if (locale.empty())
        locale = config->locale;
    if (!example.empty()) {
        const kiosk::Form* f = example == forms->complaint.id ? &forms->complaint
                               : example == forms->survey.id  ? &forms->survey
                                                              : nullptr;
        if (!f)
            return complain("no form \"" + example + "\"; the forms are: complaint, survey.");
        std::cout << kiosk::exampleAnswers(*f, forms->lists).dump(2) << "\n";
        return 0;
    }
    if (json) {
        std::cout << nlohmann::json::array({kiosk::describeForm(forms->complaint),
                                            kiosk::describeForm(forms->survey)})
                         .dump(2)
                  << "\n";
        return 0;
    }
    std::cout << kiosk::describeFormText(forms->complaint, locale) << "\n"
              << kiosk::describeFormText(forms->survey, locale);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // Everything the kiosk creates is its own alone, as under the appliance unit's UMask=0077,
    // also when it is started from a shell with the usual 022 (files written with an explicit
    // mode, such as exports, set it themselves).
    ::umask(077);
    crypto::initSodium();
    CLI::App app{
        "minsheng-kiosk — the Minsheng (民声) kiosk: parents' reports and surveys, sealed to "
        "the county office and kept in an encrypted outbox.\n"
        "With --config and no subcommand it opens the touch window (docs/kiosk-ui.md).",
        "minsheng-kiosk"};
    app.set_version_flag("--version", std::string(MINSHENG_VERSION));
    app.require_subcommand(0, 1); // none: the touch window (--config, kiosk/ui)
    app.footer("Exit status: 0 success; 1 the answers do not fit the form (nothing saved); "
               "2 bad arguments, configuration or keys; 3 the store refused (NOT saved).\n"
               "See docs/commands.md and docs/kiosk-ui.md.");

    fs::path config;
    bool json = false;
    std::string locale;

    auto* submit = app.add_subcommand(
        "submit", "Validate answers against a form, seal them to the county, sign and store them; "
                  "print the receipt code.");
    std::string formId, answersPath;
    submit->add_option("--config", config, "Kiosk configuration (kiosk.toml)")->required();
    submit->add_option("--form", formId, "complaint or survey")->required();
    submit
        ->add_option("--answers", answersPath,
                     "JSON object of field id -> answer ('-' for stdin); see forms --example")
        ->required();
    submit->add_option("--locale", locale, "Language the answers were given in: zh-CN or en");
    submit->add_flag("--json", json, "Print the result as JSON");

    auto* outbox = app.add_subcommand(
        "outbox", "Show the outbox: queue length, last county acknowledgement and its day.");
    std::optional<fs::path> exportDir;
    outbox->add_option("--config", config, "Kiosk configuration (kiosk.toml)")->required();
    outbox->add_option("--export", exportDir,
                       "Also write every pending envelope as a file into DIR (for kiosks collected "
                       "by USB stick; they stay pending until acknowledged)");
    outbox->add_flag("--json", json, "Print as JSON");

    auto* forms = app.add_subcommand("forms", "List the configured forms and their fields.");
    std::string example;
    forms->add_option("--config", config, "Kiosk configuration (kiosk.toml)")->required();
    forms->add_flag("--json", json, "Machine-readable description");
    forms->add_option("--example", example,
                      "Print a valid answers object for FORM, every free-text field filled");
    forms->add_option("--locale", locale, "zh-CN or en");

    // Subcommands that live in other modules register themselves here. Each sets `run` from its
    // callback when it is the one chosen on the command line; `run` returns the exit status.
    std::function<int()> run;
    // -- subcommand modules --
    kiosk::ui::addWindowCommands(app, run); // the touch window, hash-pin (docs/kiosk-ui.md)
    forwarder::addSyncCommand(app, run);    // sync: the forwarder (docs/forwarder.md)
    kiosk::addPinyinCommand(app, run);      // pinyin: candidates without a screen
    kiosk::addImeHelperCommand(app, run);   // ime-helper: the window's input-method process
    kiosk::ui::addSpeakCommand(app, run);   // speak: read-aloud as the kiosk does it

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }
    try {
        if (run)
            return run();
        if (*submit)
            return runSubmit(config, formId, answersPath, locale, json);
        if (*outbox)
            return runOutbox(config, exportDir, json);
        if (*forms)
            return runForms(config, json, example, locale);
    } catch (const std::bad_alloc&) {
        return complain("out of guarded memory (is RLIMIT_MEMLOCK very low?)", kExitNotSaved);
    }
    return kExitUsage;
}
