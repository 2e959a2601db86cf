#include "kiosk/core/config_update.hpp"

#include "crypto/atomic_file.hpp"
#include "kiosk/core/shipped_examples.hpp"
#include "sync/forms/toml_reader.hpp"
#include "sync/wire/endpoints.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <toml++/toml.h>

namespace minsheng::kiosk {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kStateFile = "state.json";
/// The files a bundle may bring; anything else in a bundle is refused.
constexpr const char* kKnownFiles[] = {"complaint.toml", "survey.toml", "lists.toml", "policy.toml",
                                       "contact.toml"};

std::optional<std::string> readSmallFile(const fs::path& file, std::size_t limit) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    std::string text = out.str();
    if (text.size() > limit)
        return std::nullopt;
    return text;
}

fs::path versionDir(const fs::path& dataDir, std::uint64_t version) {
    return configUpdateDir(dataDir) / std::to_string(version);
}

std::string clip(std::string s) {
    if (s.size() > crypto::kMaxConfigFailureBytes) {
        s.resize(crypto::kMaxConfigFailureBytes - 3);
        // Do not end inside a UTF-8 sequence.
        while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80)
            s.pop_back();
        if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80))
            s.pop_back();
        s += "...";
    }
    return s;
}

/// [contact] hotline and mailbox of a bundle's contact.toml.
Result<Ok, std::string> readContact(const fs::path& file, KioskConfig& config) {
    auto text = forms::readConfigFile(file);
    if (!text)
        return fail(text.error().toString());
    auto table = forms::parseToml(*text, file.string());
    if (!table)
        return fail(table.error().toString());
    const auto* contact = (*table)["contact"].as_table();
    if (!contact)
        return fail(file.string() + ": [contact] is missing");
    for (auto&& [key, value] : *contact) {
        if (key.str() != "hotline" && key.str() != "mailbox")
            return fail(file.string() + ": unknown key \"" + std::string(key.str()) +
                        "\" in [contact]");
        if (!value.is_string())
            return fail(file.string() + ": [contact] " + std::string(key.str()) +
                        " must be a string");
    }
    auto hotline = (*contact)["hotline"].value<std::string>();
    if (!hotline || hotline->empty())
        return fail(file.string() + ": [contact] hotline is missing or empty");
    config.hotline = *hotline;
    config.mailbox = (*contact)["mailbox"].value_or(std::string());
    return Ok{};
}

void removeQuietly(const fs::path& p) {
    std::error_code ec;
    fs::remove_all(p, ec);
}

} // namespace

fs::path configUpdateDir(const fs::path& dataDir) {
    return dataDir / "config";
}

fs::path incomingBundleFile(const fs::path& dataDir) {
    return configUpdateDir(dataDir) / "incoming.json";
}

ConfigState readConfigState(const fs::path& dataDir) {
    ConfigState s;
    auto text = readSmallFile(configUpdateDir(dataDir) / kStateFile, 4096);
    if (!text)
        return s;
    auto j = json::parse(*text, nullptr, false);
    if (!j.is_object())
        return s;
    auto u64 = [&j](const char* name) -> std::uint64_t {
        return j.contains(name) && j[name].is_number_unsigned() ? j[name].get<std::uint64_t>() : 0;
    };
    s.running = u64("running");
    s.previous = u64("previous");
    s.failed = u64("failed");
    if (j.contains("failure") && j["failure"].is_string())
        s.failure = clip(j["failure"].get<std::string>());
    return s;
}

Result<Ok, std::string> writeConfigState(const fs::path& dataDir, const ConfigState& s) {
    std::error_code ec;
    fs::create_directories(configUpdateDir(dataDir), ec);
    const json j = {{"running", s.running},
                    {"previous", s.previous},
                    {"failed", s.failed},
                    {"failure", clip(s.failure)}};
    auto written = crypto::writeFileAtomically(
        configUpdateDir(dataDir) / kStateFile,
        j.dump(-1, ' ', false, json::error_handler_t::replace), 0644, crypto::Existing::Replace);
    if (!written)
        return fail("cannot write " + (configUpdateDir(dataDir) / kStateFile).string());
    return Ok{};
}

Result<Ok, std::string> checkConfigBundle(const crypto::ConfigBundle& b,
                                          const crypto::Ed25519PublicKey& countyKey,
                                          const std::string& kioskId, std::uint64_t runningVersion,
                                          std::int64_t now) {
    const std::string v = "configuration version " + std::to_string(b.configVersion);
    if (b.countyKeyId != countyKey.id())
        return fail(v + " is signed by another key (" + crypto::toHex(b.countyKeyId) +
                    ") than this county's signing key (" + crypto::toHex(countyKey.id()) + ")");
    if (auto verified = crypto::verifyConfigBundle(b, countyKey); !verified)
        return fail(v + " does not verify with the county signing key (" +
                    std::string(crypto::signedMessageFailureName(verified.error())) + ")");
    if (!b.isFor(kioskId))
        return fail(v + " is not meant for kiosk " + kioskId);
    if (b.configVersion <= runningVersion)
        return fail(v + " is not newer than the running version " + std::to_string(runningVersion));
    if (b.notBefore > now)
        return fail(v + " is not to be applied before " + std::to_string(b.notBefore));
    for (const auto& f : b.files) {
        bool known = false;
        for (const char* k : kKnownFiles)
            known = known || f.name == k;
        if (!known)
            return fail(v + " holds a file this kiosk does not know: " + f.name);
    }
    return Ok{};
}

Result<Ok, std::string> dropIncomingBundle(const fs::path& dataDir,
                                           const crypto::ConfigBundle& bundle) {
    if (auto text = readSmallFile(incomingBundleFile(dataDir), sync::kMaxConfigBundleBody))
        if (auto held = sync::configBundleFromText(*text);
            held && held->configVersion >= bundle.configVersion)
            return Ok{};
    std::error_code ec;
    fs::create_directories(configUpdateDir(dataDir), ec);
    auto written = crypto::writeFileAtomically(incomingBundleFile(dataDir),
                                               sync::configBundleToJson(bundle).dump(), 0644,
                                               crypto::Existing::Replace);
    if (!written)
        return fail("cannot write " + incomingBundleFile(dataDir).string());
    return Ok{};
}

Result<RunningConfiguration, std::string>
loadConfiguration(const KioskConfig& base, std::uint64_t version, const ConfigurationCheck& check) {
    RunningConfiguration out;
    out.version = version;
    out.config = base;
    fs::path contactFile = base.file; // where the hotline and mailbox come from
    if (version > 0) {
        const fs::path dir = versionDir(base.dataDir, version);
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            return fail("configuration version " + std::to_string(version) + ": " + dir.string() +
                        " is missing");
        // Each file the bundle brings replaces the one kiosk.toml names.
        auto has = [&dir, &ec](const char* name) {
            return fs::exists(dir / name, ec);
        };
        if (has("complaint.toml"))
            out.config.complaintForm = dir / "complaint.toml";
        if (has("survey.toml"))
            out.config.surveyForm = dir / "survey.toml";
        if (has("lists.toml"))
            out.config.lists = dir / "lists.toml";
        if (has("policy.toml"))
            out.config.uiPolicy = dir / "policy.toml";
        if (has("contact.toml")) {
            contactFile = dir / "contact.toml";
            if (auto c = readContact(contactFile, out.config); !c)
                return fail(c.error());
        }
    }
    auto forms = loadFormSet(out.config);
    if (!forms)
        return fail(forms.error().toString());
    out.forms = std::move(*forms);
    auto policy = loadPolicyPages(out.config.uiPolicy);
    if (!policy)
        return fail(policy.error().toString());
    out.policy = std::move(*policy);
    if (auto e = findShippedExample(out.config, contactFile))
        return fail(*e);
    if (check)
        if (auto e = check(out))
            return fail(*e);
    return out;
}

Result<RunningConfiguration, std::string>
loadStartupConfiguration(const KioskConfig& base, const ConfigurationCheck& check) {
    ConfigState state = readConfigState(base.dataDir);
    for (std::uint64_t v : {state.running, state.previous}) {
        if (v == 0)
            break;
        auto loaded = loadConfiguration(base, v, check);
        if (loaded) {
            if (v != state.running) {
                state.failed = state.running;
                state.running = v;
                state.previous = 0;
                (void)writeConfigState(base.dataDir, state);
            }
            return loaded;
        }
        state.failure = clip(loaded.error());
    }
    auto loaded = loadConfiguration(base, 0, check);
    if (loaded && state.running != 0) {
        state.failed = state.running;
        state.running = 0;
        state.previous = 0;
        (void)writeConfigState(base.dataDir, state);
    }
    return loaded;
}

TakenUpdate takeIncomingBundle(const KioskConfig& base, std::uint64_t runningVersion,
                               const crypto::Ed25519PublicKey& countyKey, std::int64_t now,
                               const ConfigurationCheck& check) {
    TakenUpdate out;
    const fs::path incoming = incomingBundleFile(base.dataDir);
    std::error_code ec;
    if (!fs::exists(incoming, ec))
        return out;
    ConfigState state = readConfigState(base.dataDir);
    auto refuse = [&](std::uint64_t version, std::string why) {
        state.failed = std::max(state.failed, version);
        state.failure = clip(why);
        (void)writeConfigState(base.dataDir, state);
        removeQuietly(incoming);
        out.refused = why;
        return out;
    };
    auto text = readSmallFile(incoming, sync::kMaxConfigBundleBody);
    if (!text)
        return refuse(0, "the dropped configuration bundle cannot be read");
    auto bundle = sync::configBundleFromText(*text);
    if (!bundle)
        return refuse(0, bundle.error().message);
    if (bundle->notBefore > now)
        return out; // kept for later
    if (auto checked = checkConfigBundle(*bundle, countyKey, base.id, runningVersion, now);
        !checked)
        return refuse(bundle->configVersion, checked.error());

    // Unpack into a fresh folder, then load from there (U2).
    const fs::path dir = versionDir(base.dataDir, bundle->configVersion);
    removeQuietly(dir);
    fs::create_directories(dir, ec);
    for (const auto& f : bundle->files) {
        auto w = crypto::writeFileAtomically(dir / f.name, f.text, 0644, crypto::Existing::Replace);
        if (!w) {
            removeQuietly(dir);
            return out; // a disk problem, not the bundle's: tried again later
        }
    }
    auto loaded = loadConfiguration(base, bundle->configVersion, check);
    if (!loaded) {
        removeQuietly(dir);
        return refuse(bundle->configVersion, "configuration version " +
                                                 std::to_string(bundle->configVersion) +
                                                 " does not load: " + loaded.error());
    }
    // Keep the running version (the fall-back) and drop older ones.
    for (const auto& entry : fs::directory_iterator(configUpdateDir(base.dataDir), ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory() && name != std::to_string(bundle->configVersion) &&
            name != std::to_string(runningVersion))
            removeQuietly(entry.path());
    }
    state.previous = runningVersion;
    state.running = bundle->configVersion;
    state.failure.clear();
    if (auto w = writeConfigState(base.dataDir, state); !w)
        return out; // not switched: the state must say what runs
    removeQuietly(incoming);
    out.applied = std::move(*loaded);
    return out;
}

} // namespace minsheng::kiosk
