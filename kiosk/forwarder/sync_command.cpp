#include "kiosk/forwarder/sync_command.hpp"

#include "crypto/key_file.hpp"
#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/submission_desk.hpp"
#include "kiosk/forwarder/forwarder.hpp"
#include "kiosk/forwarder/status_server.hpp"
#include "sync/service/service_notify.hpp"

#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace minsheng::forwarder {

using namespace minsheng::sync; // wire messages, strict JSON, the HTTPS client

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kExitUsage = 2;

struct SyncOptions {
    fs::path config;
    bool once = false;
    int giveUpAfterSeconds = 60;
    // Tuning for tests and operators; the defaults are the documented behaviour.
    int retryBaseMs = 1000;
    int retryCapMs = 10 * 60 * 1000;
    int batchSize = static_cast<int>(kMaxBatchEnvelopes);
    int pollMs = 5000;
    std::uint64_t seed = 0;
    int uploadDelayMinutes = -1; // -1: from the configuration
    int heartbeatSeconds = 0;    // 0: [sync] heartbeat_minutes of the configuration
};

LogSink stderrLog() {
    auto mutex = std::make_shared<std::mutex>();
    return [mutex](const std::string& line) {
        std::lock_guard lock(*mutex);
        std::cerr << "minsheng-kiosk sync: " << line << "\n" << std::flush;
    };
}

int complain(const std::string& message) {
    std::cerr << "minsheng-kiosk sync: " << message << "\n";
    return kExitUsage;
}

int runSync(const SyncOptions& o) {
    auto loaded = kiosk::loadKioskConfig(o.config);
    if (!loaded)
        return complain(loaded.error().toString());
    const kiosk::KioskConfig config = std::move(loaded.value());

    auto endpoint = parseHttpsUrl(config.countyUrl, config.countyCa);
    if (!endpoint)
        return complain(config.file.string() + ": [county] url: " + endpoint.error());
    auto countyKey = crypto::readEd25519PublicKey(config.countySigningPublicKey,
                                                  crypto::KeyKind::CountySigningPublic);
    if (!countyKey)
        return complain(countyKey.error().message);
    auto kioskKey =
        crypto::readEd25519SecretKey(config.signingSecretKey, crypto::KeyKind::KioskSigningSecret);
    if (!kioskKey)
        return complain(kioskKey.error().message);

    ForwarderSettings s;
    s.kioskId = config.id;
    s.endpoint = endpoint.value();
    s.countySigningKey = countyKey.value();
    s.dataDir = config.dataDir;
    s.maxBatchEnvelopes = static_cast<std::size_t>(std::max(1, o.batchSize));
    s.retryBase = std::chrono::milliseconds(std::max(1, o.retryBaseMs));
    s.retryCap = std::chrono::milliseconds(std::max(o.retryBaseMs, o.retryCapMs));
    const int delayMinutes =
        o.uploadDelayMinutes >= 0 ? o.uploadDelayMinutes : config.syncUploadDelayMinutes;
    s.uploadDelayMax = std::chrono::minutes(delayMinutes);
    s.heartbeatInterval =
        o.heartbeatSeconds > 0
            ? std::chrono::milliseconds(std::chrono::seconds(o.heartbeatSeconds))
            : std::chrono::milliseconds(std::chrono::minutes(config.syncHeartbeatMinutes));
    s.pollInterval = std::chrono::milliseconds(std::max(10, o.pollMs));
    s.retentionSeconds = static_cast<std::int64_t>(config.retentionDays) * 86400;
    s.seed = o.seed;

    OutboxOpener opener = [config]() -> Result<Outbox, OutboxOpenError> {
        std::error_code ec;
        const fs::path file = config.dataDir / outbox::kOutboxFileName;
        if (!fs::exists(file, ec) && !fs::exists(fs::path(file.string() + "-wal"), ec))
            return fail(OutboxOpenError{true, file.string() + " does not exist yet"});
        auto box = kiosk::openKioskOutbox(config);
        if (!box)
            return fail(OutboxOpenError{false, box.error().message});
        return std::move(box.value());
    };

    LogSink log = stderrLog();
    auto state = std::make_shared<SyncState>();
    auto key = std::make_shared<crypto::Ed25519SecretKey>(std::move(kioskKey.value()));

    if (o.once) {
        Forwarder fwd(s, opener, key, state, log);
        return fwd.runOnce(std::chrono::seconds(std::max(0, o.giveUpAfterSeconds)));
    }

    // The service. SIGTERM/SIGINT are taken by a thread of their own (sigwait), so that every
    // other thread runs with them blocked and the sender stops between two steps.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    StatusServerSettings ss;
    ss.socketPath = config.dataDir / "forwarder.sock";
    ss.endpoint = s.endpoint;
    ss.countySigningKey = s.countySigningKey;
    auto server = StatusServer::start(ss, state, log);
    if (!server)
        return complain(server.error());

    std::thread signalThread([&signals, state] {
        int sig = 0;
        sigwait(&signals, &sig);
        state->requestStop();
    });
    int rc = 0;
    // systemd (Type=notify): the status socket is up and the sender about to start.
    ServiceNotifier notifier;
    notifier.ready("forwarding to " + s.endpoint.host + ":" + s.endpoint.port);
    {
        Forwarder fwd(s, opener, key, state, log);
        fwd.run();
    }
    notifier.stopping();
    state->requestStop();
    // Wake the signal thread if the stop came from elsewhere.
    pthread_kill(signalThread.native_handle(), SIGTERM);
    signalThread.join();
    server.value().reset();
    return rc;
}

} // namespace

void addSyncCommand(CLI::App& app, std::function<int()>& run) {
    auto o = std::make_shared<SyncOptions>();
    auto* cmd = app.add_subcommand(
        "sync", "The forwarder: send sealed envelopes to the county server (pinned CA), store its "
                "verified acknowledgements, answer the UI's status look-ups. See "
                "docs/forwarder.md.");
    cmd->add_option("--config", o->config, "Kiosk configuration (kiosk.toml)")->required();
    cmd->add_flag("--once", o->once,
                  "Send everything pending now (no privacy delay) and exit: 0 when all are "
                  "acknowledged, 4 county unreachable, 5 health error, 3 outbox error");
    cmd->add_option("--give-up-after", o->giveUpAfterSeconds,
                    "With --once: keep retrying network failures this many seconds (default 60)");
    cmd->add_option("--retry-base-ms", o->retryBaseMs,
                    "First retry window in ms (default 1000; full-jitter exponential backoff)");
    cmd->add_option("--retry-cap-ms", o->retryCapMs,
                    "Longest retry window in ms (default 600000); also the health-error wait");
    cmd->add_option("--batch-size", o->batchSize, "Envelopes per POST, 1-64 (default 64)");
    cmd->add_option("--poll-ms", o->pollMs,
                    "How often the outbox is checked for new envelopes (default 5000)");
    cmd->add_option("--upload-delay-minutes", o->uploadDelayMinutes,
                    "Override [sync] upload_delay_minutes (0 = send at once)");
    cmd->add_option("--heartbeat-seconds", o->heartbeatSeconds,
                    "Override [sync] heartbeat_minutes: heartbeat (and configuration fetch) "
                    "every N seconds");
    cmd->add_option("--seed", o->seed, "Seed of backoff and delay randomness (tests)");
    cmd->callback([o, &run] {
        run = [o] {
            return runSync(*o);
        };
    });
}

} // namespace minsheng::forwarder
