#include "county/server/serve_command.hpp"

#include "county/office/county_cli.hpp"
#include "county/office/county_dir.hpp"
#include "county/office/county_tls.hpp"
#include "county/office/passphrase_prompt.hpp"
#include "county/server/header_rules.hpp"
#include "county/server/https_server.hpp"
#include "county/server/intake_handler.hpp"
#include "crypto/key_file.hpp"
#include "sync/service/service_notify.hpp"

#include <iostream>
#include <memory>
#include <mutex>
#include <optional>

namespace minsheng::server {
namespace fs = std::filesystem;

std::optional<std::pair<std::string, std::string>> splitListenAddress(const std::string& listen) {
    std::string host, port;
    if (!listen.empty() && listen.front() == '[') {
        const auto close = listen.find("]:");
        if (close == std::string::npos)
            return std::nullopt;
        host = listen.substr(1, close - 1);
        port = listen.substr(close + 2);
    } else {
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos)
            return std::nullopt;
        host = listen.substr(0, colon);
        port = listen.substr(colon + 1);
    }
    if (host.empty() || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::make_pair(host, port);
}

namespace {

int complain(const std::string& message) {
    return county::complain(message, "minsheng-county serve");
}

struct ServeArgs {
    fs::path dir;
    std::string listen;
    std::optional<fs::path> passphraseFile;
    unsigned threads = 0;
    double postsPerMinute = 600;
    std::optional<double> kioskPostsPerMinute;
    std::size_t maxKioskMiBPerDay = kDefaultKioskBytesPerDay >> 20;
    std::size_t maxConnections = 1024;
    std::size_t maxConnectionsPerAddress = 64;
    std::size_t maxBufferedMiB = 128;
};

int runServe(const ServeArgs& a) {
    county::CountyDir dir(a.dir);
    auto config = county::loadCountyConfig(dir);
    if (!config)
        return complain(config.error().message);
    const std::string listen = a.listen.empty() ? config->listen : a.listen;
    auto hostPort = splitListenAddress(listen);
    if (!hostPort)
        return complain("listen address \"" + listen +
                        "\" must be HOST:PORT (port 0: any free "
                        "port), e.g. 127.0.0.1:8443");

    // The county signing key: acknowledgements and initial case statuses. Nothing else.
    auto signingKey =
        crypto::readEd25519SecretKey(dir.signingSecretKey(), crypto::KeyKind::CountySigningSecret,
                                     county::cachedPassphraseSource(a.passphraseFile));
    if (!signingKey)
        return complain(signingKey.error().message);
    auto signingPublic =
        crypto::readEd25519PublicKey(dir.signingPublicKey(), crypto::KeyKind::CountySigningPublic);
    if (!signingPublic)
        return complain(signingPublic.error().message);
    if (signingKey->publicKey().bytes != signingPublic->bytes)
        return complain(dir.signingSecretKey().string() + " and " +
                        dir.signingPublicKey().string() + " are not halves of one key pair.");

    std::mutex logMutex;
    auto log = [&logMutex](const std::string& line) {
        std::lock_guard lock(logMutex);
        std::cout << line << std::endl;
    };

    crypto::SecretBytes staffToken;
    if (auto token = county::readStaffToken(dir.staffTokenFile()))
        staffToken = std::move(*token);
    else
        log("warning: " + token.error().message);

    RegistryCache registry(dir, log);
    if (!registry.loadInitial())
        return county::kExitUsage;
    IntakeStoreOptions storeOptions;
    storeOptions.maxKioskBytesPerDay = static_cast<std::uint64_t>(a.maxKioskMiBPerDay) << 20;
    auto store = IntakeStore::open(dir.intakeDb(), *signingKey, storeOptions);
    if (!store)
        return complain(store.error().message);

    HandlerLimits limits;
    limits.postsPerMinutePerAddress = a.postsPerMinute;
    limits.postsPerMinutePerKiosk = a.kioskPostsPerMinute.value_or(a.postsPerMinute);
    limits.header = loadHeaderRules(dir, log);
    IntakeHandler handler(**store, registry, *signingPublic, staffToken, log, limits);
    ServerOptions o;
    o.listenHost = hostPort->first;
    o.listenPort = hostPort->second;
    o.certificateChain = dir.tlsServerCert();
    o.privateKey = dir.tlsServerKey();
    o.threads = a.threads;
    o.maxConnections = a.maxConnections;
    o.maxConnectionsPerAddress = a.maxConnectionsPerAddress;
    o.maxBufferedBodyBytes = a.maxBufferedMiB << 20;
    o.log = log;
    sync::ServiceNotifier notifier; // systemd Type=notify: READY once the socket listens
    o.onReady = [&log, &notifier](const std::string& bound) {
        log("listening on https://" + bound);
        notifier.ready("listening on https://" + bound);
    };
    auto r = runHttpsServer(handler, o);
    notifier.stopping();
    if (!r)
        return complain(r.error().message);
    log("stopped");
    return 0;
}

} // namespace

void addServeCommand(county::CountyCommands& commands) {
    auto [serve, args] = commands.add<ServeArgs>(
        "serve",
        "Run the county intake server: kiosks deliver envelopes over HTTPS, staff pull "
        "them (see docs/server.md).",
        runServe);
    county::addDirOption(*serve, args.dir);
    serve->add_option("--listen", args.listen,
                      "HOST:PORT to listen on (default: [county] listen in county.toml; port 0 "
                      "picks a free port)");
    county::addPassphraseFileOption(*serve, args.passphraseFile,
                                    "Read the passphrase of the county signing key from this file "
                                    "(also MINSHENG_PASSPHRASE_FILE)");
    serve->add_option("--threads", args.threads,
                      "Request threads (default: 2 per core, at least 4)");
    serve
        ->add_option("--posts-per-minute", args.postsPerMinute,
                     "POST requests allowed per client address and per kiosk per minute")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    serve
        ->add_option("--kiosk-posts-per-minute", args.kioskPostsPerMinute,
                     "POST requests allowed per kiosk per minute, counted only for requests "
                     "the kiosk signed (default: --posts-per-minute)")
        ->check(CLI::PositiveNumber);
    serve
        ->add_option("--max-kiosk-mib-per-day", args.maxKioskMiBPerDay,
                     "MiB one kiosk may add to the store per UTC day (envelopes and alarm "
                     "evidence); past it, its envelopes wait in its outbox")
        ->capture_default_str()
        ->check(CLI::Range(1, 1 << 20));
    serve
        ->add_option("--max-connections", args.maxConnections,
                     "Connections held at once, in all (keep under the open-file limit)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    serve
        ->add_option("--max-connections-per-address", args.maxConnectionsPerAddress,
                     "Connections held at once from one client address")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    serve
        ->add_option("--max-buffered-mib", args.maxBufferedMiB,
                     "MiB of request bodies held at once, all connections together")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
}

} // namespace minsheng::server
