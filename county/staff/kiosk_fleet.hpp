// The kiosk fleet: every kiosk enrolled in the county folder, with what the intake server knows of
// it (GET /v1/staff/kiosks, docs/protocol.md section 9) and the figures of its last heartbeat
// (section 8): software version, outbox backlog, the configuration version it runs and the reason
// it refused the last one. `minsheng-county kiosks` prints it and the office console's fleet page
// shows it; both get it from readKioskFleet.
//
// The silent alarm is the office's own: a kiosk is silent when the server has had no verified
// request from it for more than N hours (N chosen by whoever looks, 24 by default), or never had
// one. The server's own `silent` flag (fixed at 24 hours) is not used.
#pragma once

#include "county/office/kiosk_registry.hpp"
#include "county/staff/staff_server.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::staff {

inline constexpr int kDefaultSilentHours = 24;
inline constexpr int kMaxSilentHours = 24 * 365;

/// The figures of a kiosk's last heartbeat, as the intake server stored it.
struct HeartbeatFigures {
    std::optional<std::int64_t> sentAt; // Unix seconds by the kiosk's clock, minute precision
    std::string softwareVersion;
    std::optional<std::int64_t> backlog; // envelopes waiting in the kiosk's outbox
    std::int64_t configVersion = 0;      // 0: the configuration it was provisioned with
    std::string configFailure;           // why it refused the last bundle; empty: it refused none
};

/// One enrolled kiosk and the server's view of it.
struct KioskFleetRow {
    std::string id, name;
    std::string keyIdHex;
    bool revoked = false;
    /// The server's record of the kiosk (id, last_seen, last_seq, last_heartbeat, gaps, forks,
    /// …); nullopt when the server was not asked, did not answer, or does not list the kiosk.
    /// Everything below is meaningful only when it is present.
    std::optional<nlohmann::json> health;
    /// The server's time of the kiosk's last verified request; nullopt: never heard from.
    std::optional<std::int64_t> lastSeen;
    /// The last heartbeat; nullopt: the kiosk never sent one.
    std::optional<HeartbeatFigures> heartbeat;
    /// No verified request for more than the chosen hours, or never one.
    bool silent = false;
};

struct KioskFleet {
    std::vector<KioskFleetRow> rows; // by kiosk id
    /// Why the server's view is missing (unreachable, refused); empty when it answered or was
    /// not asked.
    std::string healthNote;
};

/// The server's kiosk health by kiosk id, or why it could not be had (ServerError::unreachable
/// when the network or TLS failed). A 200 answer whose body lists no kiosks is an empty map.
[[nodiscard]] Result<std::map<std::string, nlohmann::json>, ServerError>
fetchKioskHealth(StaffTransport& server);

/// The fleet from the registry and the server's health (`health` null: the registry alone).
/// `now` and `silentHours` decide the silent alarm.
KioskFleet buildKioskFleet(const county::KioskRegistry& registry,
                           const std::map<std::string, nlohmann::json>* health, std::int64_t now,
                           int silentHours);

using StaffServerConnector = std::function<Result<std::unique_ptr<StaffTransport>, ServerError>()>;

/// The fleet as `kiosks` and the console show it: the registry, and the server's health when
/// `connect` (empty: do not ask) gives a server that answers; otherwise `healthNote` says why
/// the registry is shown alone.
KioskFleet readKioskFleet(const county::KioskRegistry& registry,
                          const StaffServerConnector& connect, std::int64_t now, int silentHours);

/// `kiosks --json`'s "fleet" member of a row with health: software_version, backlog,
/// heartbeat_at, config_version and config_failure (only when the kiosk sent a heartbeat), and
/// silent.
nlohmann::json fleetFiguresJson(const KioskFleetRow& row);

} // namespace minsheng::staff
