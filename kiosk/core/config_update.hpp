// Configuration updates: the county's signed configuration bundles (docs/protocol.md section 8)
// on the kiosk. The forwarder (which has the network) fetches and checks a bundle and drops it in
// the data folder; the kiosk window (which has none) applies it between two parents.
//
//   DATA/config/incoming.json   the newest bundle the forwarder checked; written atomically by
//                               the forwarder, removed by the kiosk once taken or refused
//   DATA/config/<version>/      the files of a bundle the kiosk unpacked (kept: the running one
//                               and the one before it, to fall back to)
//   DATA/config/state.json      {"running","previous","failed","failure"}: written atomically by
//                               the kiosk only; the forwarder reads it for the heartbeat
//
// Invariants:
//   U1. A bundle is applied only if it passes checkConfigBundle (county signature and key id,
//       content hash, meant for this kiosk, a version above the one running, not before its
//       not-before) — in the forwarder before the drop, and again in the kiosk before use.
//   U2. The kiosk switches configuration only after the new one loaded completely (forms with
//       the shared validator, policy pages, contact, and the window's own checks); otherwise it
//       keeps running what it ran and records the failure, which the next heartbeat carries.
//   U3. The switch happens only on an untouched Home screen (KioskFlow::isBetweenSessions), so a
//       parent's session runs from start to end on one configuration.
//   U4. Configuration versions a kiosk runs only grow; a refused version is never retried (a
//       fixed configuration comes as a higher version).
#pragma once

#include "crypto/keys.hpp"
#include "crypto/result.hpp"
#include "crypto/signed_messages.hpp"
#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/policy_texts.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::kiosk {

/// DATA/config
std::filesystem::path configUpdateDir(const std::filesystem::path& dataDir);
/// DATA/config/incoming.json
std::filesystem::path incomingBundleFile(const std::filesystem::path& dataDir);

/// What the kiosk runs, as DATA/config/state.json says.
struct ConfigState {
    std::uint64_t running = 0;  // 0: the configuration it was provisioned with
    std::uint64_t previous = 0; // what it ran before `running` (the fall-back)
    std::uint64_t failed = 0;   // the last version it refused (never retried)
    std::string failure;        // why, at most crypto::kMaxConfigFailureBytes; empty when none
};
/// The state; a missing or unreadable file is the provisioned state (all zero).
ConfigState readConfigState(const std::filesystem::path& dataDir);
[[nodiscard]] Result<Ok, std::string> writeConfigState(const std::filesystem::path& dataDir,
                                                       const ConfigState& state);

/// Invariant U1. The error is a sentence for the heartbeat and the log.
[[nodiscard]] Result<Ok, std::string>
checkConfigBundle(const crypto::ConfigBundle& bundle, const crypto::Ed25519PublicKey& countyKey,
                  const std::string& kioskId, std::uint64_t runningVersion, std::int64_t now);

/// The forwarder's hand-over: writes DATA/config/incoming.json atomically unless it already
/// holds this version or a higher one.
[[nodiscard]] Result<Ok, std::string> dropIncomingBundle(const std::filesystem::path& dataDir,
                                                         const crypto::ConfigBundle& bundle);

/// A configuration the kiosk can run: the kiosk configuration with the bundle's contact and
/// file paths, its forms and its policy pages.
struct RunningConfiguration {
    std::uint64_t version = 0;
    KioskConfig config;
    FormSet forms;
    std::vector<PolicyPage> policy;
};

/// The window's own checks of a loaded configuration (icons, font coverage); nullopt when fine.
using ConfigurationCheck = std::function<std::optional<std::string>(const RunningConfiguration&)>;

/// Loads `base` as overlaid by the unpacked bundle DATA/config/<version> (version 0: `base`
/// itself). Invariant U2's "loaded completely".
[[nodiscard]] Result<RunningConfiguration, std::string>
loadConfiguration(const KioskConfig& base, std::uint64_t version, const ConfigurationCheck& check);

/// Start-up: the version state.json names, else the one before it, else `base` (recording the
/// failure for the heartbeat). Fails only when `base` itself does not load.
[[nodiscard]] Result<RunningConfiguration, std::string>
loadStartupConfiguration(const KioskConfig& base, const ConfigurationCheck& check);

/// What taking DATA/config/incoming.json came to.
struct TakenUpdate {
    std::optional<RunningConfiguration> applied; // set when the kiosk should switch to it
    std::optional<std::string> refused;          // set when the bundle was refused (U2)
};
/// Takes a dropped bundle, if there is one: checks it (U1), unpacks it, loads it (U2), and
/// records the outcome in state.json. Nothing happens (both unset) when there is none.
TakenUpdate takeIncomingBundle(const KioskConfig& base, std::uint64_t runningVersion,
                               const crypto::Ed25519PublicKey& countyKey, std::int64_t now,
                               const ConfigurationCheck& check);

} // namespace minsheng::kiosk
