// End-to-end helpers for the forwarder tests and the backlog benchmark: a county folder and a
// provisioned kiosk made with the real `minsheng-county init/provision`, the real intake server
// (`minsheng-county serve`) as a child process that can be killed and restarted on its port,
// bulk submissions through the kiosk's SubmissionDesk, and the staff view of what the server
// holds.
#pragma once

#include "kiosk/outbox/outbox.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace minsheng::test {

/// A child process whose stdout and stderr go to files (no pipe to drain).
class Child {
public:
    Child(const std::filesystem::path& program, const std::vector<std::string>& args,
          const std::filesystem::path& outFile, const std::filesystem::path& errFile);
    ~Child(); // SIGKILL + wait if still running
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    pid_t pid() const { return m_pid; }
    void signal(int sig);
    /// Waits up to `limit` (a failure bound, not a measurement); exit code, -1 if killed by a
    /// signal, nullopt if still running at the limit.
    std::optional<int> wait(std::chrono::milliseconds limit);
    bool running();
    std::string out() const;
    std::string err() const;

private:
    pid_t m_pid = -1;
    bool m_reaped = false;
    int m_status = 0;
    std::filesystem::path m_out, m_err;
};

/// `minsheng-county serve --dir DIR --listen 127.0.0.1:PORT` (PORT 0 at first).
class CountyServer {
public:
    /// `extraArgs` go to `serve` (the default lifts the per-kiosk POST rate limit, which the
    /// fault tests would otherwise hit by design: they send thousands of tiny batches).
    explicit CountyServer(std::filesystem::path countyDir, std::filesystem::path logDir,
                          std::vector<std::string> extraArgs = {"--posts-per-minute", "1000000"});
    ~CountyServer();
    /// Starts and waits for the "listening on https://HOST:PORT" line; returns the port.
    std::uint16_t start();
    void kill(); // SIGKILL, like a power cut
    void stop(); // SIGTERM
    bool up() const { return m_child != nullptr; }
    std::uint16_t port() const { return m_port; }
    int starts() const { return m_starts; }

private:
    std::filesystem::path m_dir, m_logDir;
    std::vector<std::string> m_extraArgs;
    std::unique_ptr<Child> m_child;
    std::uint16_t m_port = 0;
    int m_starts = 0;
};

struct E2eSite {
    TempDir tmp{"minsheng-e2e"};
    std::filesystem::path county = tmp / "county";
    std::filesystem::path bundle = tmp / "kiosk";
    std::filesystem::path config = bundle / "kiosk.toml";
    std::string kioskId = "e2e-001";

    E2eSite();
    /// Rewrites [county] url in kiosk.toml to https://127.0.0.1:PORT and adds
    /// [sync] upload_delay_minutes = 0 (tests send at once).
    void pointKioskAt(std::uint16_t port);
    /// Appends `n` envelopes (complaints and surveys alternately) through SubmissionDesk.
    void submitMany(int n);
    /// Outbox statistics (opened without quick_check, beside the forwarder).
    outbox::OutboxStats outboxStats();
    std::vector<outbox::StoredEnvelope> allEnvelopes();
    /// Every item the server holds: GET /v1/staff/envelopes, all pages.
    std::vector<nlohmann::json> serverEnvelopes(std::uint16_t port);
};

/// One request line to a Unix socket, one answer line back (empty on failure).
std::string socketRequest(const std::filesystem::path& socket, const std::string& line);

/// Env var as an int, or `fallback`.
int envInt(const char* name, int fallback);

} // namespace minsheng::test
