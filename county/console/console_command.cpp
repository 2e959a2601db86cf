#include "county/console/console_command.hpp"

#include "county/console/api_tokens.hpp"
#include "county/console/console_handler.hpp"
#include "county/office/county_dir.hpp"
#include "county/office/county_tls.hpp"
#include "county/office/envelope_opener.hpp"
#include "county/office/kiosk_registry.hpp"
#include "county/office/passphrase_prompt.hpp"
#include "county/server/https_server.hpp"
#include "county/server/serve_command.hpp"
#include "county/staff/audit_log.hpp"
#include "county/staff/intake.hpp"
#include "county/staff/kiosk_fleet.hpp"
#include "county/staff/ledger_key.hpp"
#include "county/staff/staff_accounts.hpp"
#include "county/staff/staff_server.hpp"
#include "crypto/key_file.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

namespace minsheng::console {

namespace fs = std::filesystem;

namespace {

int complain(const std::string& message) {
    return county::complain(message, "minsheng-county console");
}

struct ConsoleArgs {
    fs::path dir;
    std::string listen = "127.0.0.1:8444";
    std::optional<fs::path> passphraseFile;
    unsigned pullEveryMinutes = 5;
    std::vector<std::string> hosts;
    unsigned idleMinutes = 30;
    std::optional<std::string> server;
};

std::int64_t unixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Whether DIR/tls/ca.key is encrypted with the county passphrase (a protected county).
bool caKeyIsEncrypted(const fs::path& caKey) {
    std::ifstream in(caKey);
    std::string first;
    std::getline(in, first);
    return first.find("ENCRYPTED") != std::string::npos;
}

/// Runs the scheduled pulls and the pushes that follow changes, on its own thread.
class PullScheduler {
public:
    PullScheduler(ConsoleHandler& handler, std::chrono::minutes every,
                  std::function<void(const std::string&)> log)
        : m_handler(handler), m_every(every), m_log(std::move(log)), m_thread([this] { run(); }) {}
    ~PullScheduler() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    /// A status was queued: push within a few seconds (several changes share one push).
    void soon() {
        {
            std::lock_guard lock(m_mutex);
            m_soon = true;
        }
        m_wake.notify_all();
    }

private:
    void run() {
        // A first pull soon after start when pulls are scheduled; none until asked otherwise.
        auto next = m_every.count() > 0 ? std::chrono::steady_clock::now() + std::chrono::seconds(2)
                                        : std::chrono::steady_clock::time_point::max();
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            const bool scheduled = m_every.count() > 0;
            if (m_soon) {
                m_soon = false;
                next = std::min(next, std::chrono::steady_clock::now() + std::chrono::seconds(3));
            }
            if (scheduled || next != std::chrono::steady_clock::time_point::max())
                m_wake.wait_until(lock, next, [this] { return m_stop || m_soon; });
            else
                m_wake.wait(lock, [this] { return m_stop || m_soon; });
            if (m_stop)
                break;
            if (m_soon || std::chrono::steady_clock::now() < next)
                continue;
            lock.unlock();
            auto report = m_handler.pullNow();
            m_log(std::string(report.ok ? "pull: " : "pull failed: ") + report.message);
            lock.lock();
            next = scheduled ? std::chrono::steady_clock::now() + m_every
                             : std::chrono::steady_clock::time_point::max();
        }
    }

    ConsoleHandler& m_handler;
    std::chrono::minutes m_every;
    std::function<void(const std::string&)> m_log;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false, m_soon = false;
    std::thread m_thread; // last: starts after everything it uses
};

int runConsole(const ConsoleArgs& a) {
    county::CountyDir dir(a.dir);
    auto config = county::loadCountyConfig(dir);
    if (!config)
        return complain(config.error().message);
    auto rules = staff::loadCaseRules(dir);
    if (!rules)
        return complain(rules.error().message);
    auto hostPort = server::splitListenAddress(a.listen);
    if (!hostPort)
        return complain("--listen \"" + a.listen +
                        "\" must be HOST:PORT (port 0: any free port), e.g. 127.0.0.1:8444");
    const auto passphrase = county::cachedPassphraseSource(a.passphraseFile);

    // Every key the console needs, unlocked once, held in guarded memory until it exits.
    auto signingKey = crypto::readEd25519SecretKey(
        dir.signingSecretKey(), crypto::KeyKind::CountySigningSecret, passphrase);
    if (!signingKey)
        return complain(signingKey.error().message);
    auto signingPublic =
        crypto::readEd25519PublicKey(dir.signingPublicKey(), crypto::KeyKind::CountySigningPublic);
    if (!signingPublic)
        return complain(signingPublic.error().message);
    auto openingKeys = county::loadOpeningKeys(dir, passphrase);
    if (!openingKeys)
        return complain(openingKeys.error().message);
    auto ledger = staff::openLedger(dir, *config, passphrase, true);
    if (!ledger)
        return complain(ledger.error().message);

    {
        staff::StaffAccounts accounts(*ledger, unixNow);
        auto all = accounts.list();
        if (!all)
            return complain(all.error().message);
        const bool supervisor = std::any_of(all->begin(), all->end(), [](const auto& u) {
            return !u.disabled && u.role == staff::StaffRole::Supervisor;
        });
        if (!supervisor)
            return complain("控制台需要至少一个主管账号 — the console needs an enabled supervisor "
                            "account; create one with `minsheng-county user add --dir " +
                            a.dir.string() + " --name NAME --role supervisor`.");
    }

    // The console's certificate, from the county CA, for loopback and the names given.
    const fs::path cert = dir.tlsDir() / "console.pem", key = dir.tlsDir() / "console.key";
    if (!fs::exists(cert) || !fs::exists(key)) {
        std::vector<std::string> hosts = {"127.0.0.1", "localhost", "::1"};
        if (hostPort->first != "0.0.0.0" && hostPort->first != "::" &&
            std::find(hosts.begin(), hosts.end(), hostPort->first) == hosts.end())
            hosts.push_back(hostPort->first);
        hosts.insert(hosts.end(), a.hosts.begin(), a.hosts.end());
        std::optional<crypto::SecretBytes> caPass;
        if (caKeyIsEncrypted(dir.tlsDir() / "ca.key")) {
            caPass = passphrase(dir.tlsDir() / "ca.key");
            if (!caPass)
                return complain("the county passphrase is needed to certify the console.");
        }
        auto made = county::createConsoleTls(dir.tlsDir(), hosts, caPass ? &*caPass : nullptr);
        if (!made)
            return complain(made.error().message);
    }

    const auto forms = staff::FormCatalog::load(dir.formsDir());
    std::mutex logMutex;
    auto log = [&logMutex](const std::string& line) {
        std::lock_guard lock(logMutex);
        std::cout << line << std::endl;
    };
    for (const auto& w : forms.warnings())
        log("warning: " + w);
    for (const auto& w : rules->calendarWarnings(unixNow()))
        log("warning: " + w);

    auto registry = county::KioskRegistry::load(dir);
    if (!registry)
        return complain(registry.error().message);
    staff::IntakeContext intake;
    intake.registry = &*registry;
    intake.keys = &*openingKeys;
    intake.countySigningKey = *signingPublic;
    intake.revokedAt = county::loadRevocationTimes(dir, *registry);

    ConsoleHooks hooks;
    hooks.clock = unixNow;
    hooks.log = log;
    const std::string serverUrl = a.server.value_or(config->url);
    const staff::StaffServerConnector connect = [&dir, serverUrl] {
        return staff::connectStaffServer(dir, serverUrl);
    };
    hooks.pull = [&intake, &connect](staff::Ledger& l) {
        PullReport report;
        auto server = connect();
        if (!server)
            return PullReport{false, 0, 0, 0, server.error().message};
        const auto now = unixNow();
        auto pulled = staff::pullFromServer(l, **server, intake, now);
        if (!pulled)
            return PullReport{false, 0, 0, 0, "无法连接县服务器 — " + pulled.error().message};
        report.recorded = pulled->recorded;
        report.alarms = pulled->alarms;
        auto pushed = staff::pushPendingStatuses(l, **server, now);
        if (!pushed)
            return PullReport{false, report.recorded, 0, report.alarms, pushed.error().message};
        report.pushed = pushed->pushed;
        report.ok = true;
        report.message = "收到 " + std::to_string(report.recorded) + " 件新反映，推送 " +
                         std::to_string(report.pushed) + " 条状态 — " +
                         std::to_string(report.recorded) + " new report(s), " +
                         std::to_string(report.pushed) + " status change(s) pushed" +
                         (pushed->pending ? ", " + std::to_string(pushed->pending) + " waiting"
                                          : std::string()) +
                         ".";
        return report;
    };
    // The registry is read again for every look, so a kiosk enrolled while the console runs
    // shows up at once.
    hooks.kioskFleet = [&dir, &connect](std::int64_t now,
                                        int silentHours) -> Result<staff::KioskFleet, std::string> {
        auto kiosks = county::KioskRegistry::load(dir);
        if (!kiosks)
            return fail(kiosks.error().message);
        return staff::readKioskFleet(*kiosks, connect, now, silentHours);
    };
    std::function<void()> queued;
    hooks.statusQueued = [&queued] {
        if (queued)
            queued();
    };

    ConsoleOffice office{*ledger,
                         *rules,
                         forms,
                         *signingKey,
                         config->name,
                         dir.root() / "console.toml",
                         dir.keysDir() / "console-api.tokens",
                         dir.root()};
    SessionLimits limits;
    limits.idleSeconds = static_cast<std::int64_t>(a.idleMinutes) * 60;
    ConsoleHandler handler(office, hooks, limits);
    PullScheduler scheduler(handler, std::chrono::minutes(a.pullEveryMinutes), log);
    queued = [&scheduler] {
        scheduler.soon();
    };

    server::ServerOptions o;
    o.listenHost = hostPort->first;
    o.listenPort = hostPort->second;
    o.certificateChain = cert;
    o.privateKey = key;
    o.threads = 2;
    o.maxConnections = 256;
    o.maxConnectionsPerAddress = 64;
    o.maxBufferedBodyBytes = 16u << 20;
    o.log = log;
    o.onReady = [&log, &dir](const std::string& bound) {
        const auto colon = bound.rfind(':');
        const bool v6 = bound.find(':') != colon;
        std::string shown = bound;
        if (bound.rfind("0.0.0.0:", 0) == 0)
            shown = "127.0.0.1" + bound.substr(colon);
        else if (v6 && bound.front() != '[')
            shown = "[" + bound.substr(0, colon) + "]" + bound.substr(colon);
        log("console: https://" + shown + "/");
        log("  浏览器需信任县证书 — browsers must trust the county CA: " +
            dir.tlsCaCert().string());
    };
    auto r = server::runHttpsServer(handler, o);
    queued = nullptr;
    if (!r)
        return complain(r.error().message);
    log("stopped");
    return 0;
}

struct ApiTokenArgs {
    fs::path dir;
    std::optional<fs::path> passphraseFile;
    std::string name;
    bool revoke = false;
};

int runApiToken(const ApiTokenArgs& a) {
    county::CountyDir dir(a.dir);
    auto config = county::loadCountyConfig(dir);
    if (!config)
        return complain(config.error().message);
    auto ledger =
        staff::openLedger(dir, *config, county::cachedPassphraseSource(a.passphraseFile), false);
    if (!ledger)
        return complain(ledger.error().message);
    staff::StaffAccounts accounts(*ledger, unixNow);
    auto user = accounts.find(a.name);
    if (!user)
        return complain(user.error().message);
    const fs::path file = dir.keysDir() / "console-api.tokens";
    auto tokens = ApiTokens::load(file);
    if (!tokens)
        return complain(tokens.error().message);
    if (a.revoke) {
        auto revoked = tokens->revoke(file, a.name);
        if (!revoked)
            return complain(revoked.error().message);
        (void)staff::appendAudit(*ledger, {unixNow(), std::nullopt, "api-token.revoke",
                                           std::nullopt, "account " + a.name});
        std::cout << (*revoked ? "已吊销 Revoked the API token of " : "无令牌 No API token for ")
                  << a.name << ".\n";
        return 0;
    }
    auto token = tokens->issue(file, a.name);
    if (!token)
        return complain(token.error().message);
    (void)staff::appendAudit(
        *ledger, {unixNow(), std::nullopt, "api-token.issue", std::nullopt, "account " + a.name});
    std::cout << "新令牌 New API token for " << a.name << " ("
              << staff::staffRoleChinese(user->role) << " " << staff::staffRoleName(user->role)
              << "), shown only now; any earlier token of this account no longer works:\n"
              << *token << "\n"
              << "Use it as: Authorization: Bearer " << *token << "\n";
    return 0;
}

} // namespace

void addConsoleCommand(county::CountyCommands& commands) {
    auto [tokenCmd, tokenArgs] = commands.add<ApiTokenArgs>(
        "api-token",
        "Issue (or --revoke) the office console API token of a staff account, for another "
        "county system such as a city 12345 platform; the token acts with the account's role.",
        runApiToken);
    county::addDirOption(*tokenCmd, tokenArgs.dir);
    county::addPassphraseFileOption(*tokenCmd, tokenArgs.passphraseFile);
    tokenCmd->add_option("--name", tokenArgs.name, "The staff account the token acts as")
        ->required();
    tokenCmd->add_flag("--revoke", tokenArgs.revoke, "Remove the account's token instead");

    auto [console, args] = commands.add<ConsoleArgs>(
        "console",
        "Run the office console: a web workplace on the office LAN where staff handle cases, "
        "tally the week and export (see docs/console.md).",
        runConsole);
    county::addDirOption(*console, args.dir);
    console
        ->add_option("--listen", args.listen,
                     "HOST:PORT to listen on (port 0 picks a free port; 0.0.0.0 serves the LAN)")
        ->capture_default_str();
    county::addPassphraseFileOption(*console, args.passphraseFile);
    county::addServerOption(*console, args.server);
    console
        ->add_option("--pull-every", args.pullEveryMinutes,
                     "Minutes between pulls from the intake server (0: only when staff ask)")
        ->capture_default_str()
        ->check(CLI::Range(0u, 1440u));
    console->add_option("--host", args.hosts,
                        "Another name or address staff browse to, put in the console's "
                        "certificate when it is first made (repeatable)");
    console
        ->add_option("--idle-minutes", args.idleMinutes,
                     "Minutes of inactivity after which a login expires")
        ->capture_default_str()
        ->check(CLI::Range(1u, 24u * 60u));
}

} // namespace minsheng::console
