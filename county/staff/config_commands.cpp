#include "county/staff/config_commands.hpp"

#include "county/office/config_bundle.hpp"
#include "county/office/county_dir.hpp"
#include "county/office/county_tls.hpp"
#include "county/office/passphrase_prompt.hpp"
#include "county/staff/staff_server.hpp"
#include "crypto/key_file.hpp"
#include "sync/wire/endpoints.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <chrono>
#include <iostream>

namespace minsheng::staff {
namespace fs = std::filesystem;
using county::complain;

namespace {

struct PublishOptions {
    fs::path dir;
    std::optional<fs::path> passFile;
    std::optional<std::string> server;
    std::vector<std::string> kiosks{"all"};
    std::optional<std::int64_t> notBefore;
    bool noUpload = false;
};

/// PUT /v1/staff/config with a bundle already recorded in DIR/published.
int uploadBundle(const county::CountyDir& dir, const county::CountyConfig& config,
                 const std::optional<std::string>& server, const crypto::ConfigBundle& bundle) {
    const fs::path file =
        county::publishedDir(dir) / (std::to_string(bundle.configVersion) + ".json");
    auto token = county::readStaffToken(dir.staffTokenFile());
    if (!token)
        return complain(token.error().message);
    auto transport = makeHttpsStaffTransport(server.value_or(config.url), dir.tlsCaCert(), *token);
    if (!transport)
        return complain(transport.error().message);
    auto r = (*transport)
                 ->request("PUT", sync::kStaffConfigPath, sync::configBundleToJson(bundle).dump());
    if (!r)
        return complain("configuration version " + std::to_string(bundle.configVersion) +
                        " is signed and kept in " + file.string() +
                        ", but the intake server could not be reached (" + r.error().message +
                        "). Send it later with: minsheng-county config publish --dir " +
                        dir.root().string() + " --resend " + std::to_string(bundle.configVersion));
    if (r->status != 200)
        return complain("the intake server refused configuration version " +
                        std::to_string(bundle.configVersion) + ": " + describeErrorAnswer(*r));
    return 0;
}

int runPublish(const PublishOptions& o, std::optional<std::uint64_t> resend) {
    county::CountyDir dir(o.dir);
    auto config = county::loadCountyConfig(dir);
    if (!config)
        return complain(config.error().message);
    crypto::ConfigBundle bundle;
    if (resend) {
        const fs::path file = county::publishedDir(dir) / (std::to_string(*resend) + ".json");
        auto text = county::readWholeFile(file);
        if (!text)
            return complain(file.string() + " not found: configuration version " +
                            std::to_string(*resend) + " was never published from here.");
        auto parsed = sync::configBundleFromText(*text);
        if (!parsed)
            return complain(file.string() + ": " + parsed.error().message);
        bundle = std::move(*parsed);
    } else {
        county::PublishRequest request;
        for (const auto& k : o.kiosks)
            if (k != "all")
                request.targets.push_back(k);
        request.notBefore =
            o.notBefore.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
        // Check everything before the passphrase is asked for.
        if (auto checked = county::checkKioskConfiguration(dir, *config); !checked)
            return complain(checked.error().message);
        auto signer = crypto::readEd25519SecretKey(dir.signingSecretKey(),
                                                   crypto::KeyKind::CountySigningSecret,
                                                   county::cachedPassphraseSource(o.passFile));
        if (!signer)
            return complain(signer.error().message);
        auto published = county::publishConfigBundle(dir, request, *signer);
        if (!published)
            return complain(published.error().message);
        bundle = std::move(*published);
    }
    if (!o.noUpload)
        if (int rc = uploadBundle(dir, *config, o.server, bundle); rc != 0)
            return rc;
    std::cout << "已发布 Published configuration version " << bundle.configVersion << " for "
              << (bundle.targets.empty() ? std::string("every kiosk")
                                         : std::to_string(bundle.targets.size()) + " kiosk(s)")
              << (o.noUpload ? " (kept in " + county::publishedDir(dir).string() +
                                   "; not sent: --no-upload)"
                             : "")
              << ".\nEach kiosk fetches it with its next heartbeat and applies it when no one is "
                 "using it; `minsheng-county kiosks` shows the version each kiosk runs.\n";
    return 0;
}

struct CheckOptions {
    fs::path dir;
};

int runCheck(const CheckOptions& o) {
    county::CountyDir dir(o.dir);
    auto config = county::loadCountyConfig(dir);
    if (!config)
        return complain(config.error().message);
    if (auto checked = county::checkKioskConfiguration(dir, *config); !checked)
        return complain(checked.error().message);
    auto last = county::lastPublishedVersion(dir);
    if (!last)
        return complain(last.error().message);
    std::cout << "ok: the kiosk configuration in " << dir.root().string()
              << " is ready to publish (last published version: " << *last << ").\n";
    return 0;
}

struct ResendOptions : PublishOptions {
    std::uint64_t version = 0;
};

} // namespace

void addConfigCommands(county::CountyCommands& commands) {
    auto* group = commands.app().add_subcommand(
        "config", "The county's kiosk configuration: forms, lists, policy pages, contact "
                  "(docs/staff.md, \"Changing what kiosks show\").");
    group->require_subcommand(1);
    {
        auto [sub, o] = commands.add<ResendOptions>(
            *group, "publish",
            "Check the forms, lists, policy pages and contact in the county folder, sign them "
            "as the next configuration version with the county signing key, keep the bundle in "
            "DIR/published and send it to the intake server; kiosks take it with their next "
            "heartbeat and apply it between two parents.",
            [](const ResendOptions& r) {
                return runPublish(r, r.version ? std::optional<std::uint64_t>(r.version)
                                               : std::nullopt);
            });
        county::addDirOption(*sub, o.dir);
        county::addPassphraseFileOption(*sub, o.passFile);
        county::addServerOption(*sub, o.server);
        sub->add_option("--kiosks", o.kiosks,
                        "Kiosk ids the configuration is for, or all (the default)");
        sub->add_option("--not-before", o.notBefore,
                        "Unix time before which kiosks do not apply it (default: now)");
        sub->add_flag("--no-upload", o.noUpload,
                      "Sign and keep the bundle in DIR/published; do not send it");
        sub->add_option("--resend", o.version,
                        "Send the already published version N again (after a network failure)");
    }
    {
        auto [sub, o] = commands.add<CheckOptions>(
            *group, "check",
            "Check the kiosk configuration in the county folder as publish would, without "
            "signing or sending anything.",
            runCheck);
        county::addDirOption(*sub, o.dir);
    }
}

} // namespace minsheng::staff
