#include "county/office/config_bundle.hpp"

#include "county/office/kiosk_registry.hpp"
#include "crypto/atomic_file.hpp"
#include "sync/forms/form_set.hpp"
#include "sync/forms/toml_reader.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <algorithm>
#include <cstring>

namespace minsheng::county {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormFiles[] = {"complaint.toml", "survey.toml", "lists.toml"};

std::string contactToml(const CountyConfig& config) {
    return "# Written by `minsheng-county config publish` from county.toml [kiosk_defaults].\n"
           "[contact]\nhotline = " +
           tomlBasicString(config.hotline) + "\nmailbox = " + tomlBasicString(config.mailbox) +
           "\n";
}

} // namespace

fs::path countyPolicyFile(const CountyDir& dir) {
    return dir.root() / "policy.toml";
}

fs::path publishedDir(const CountyDir& dir) {
    return dir.root() / "published";
}

Result<Ok, CountyError> checkKioskConfiguration(const CountyDir& dir, const CountyConfig& config) {
    const fs::path forms = dir.formsDir();
    auto set =
        forms::loadFormSet(forms / "lists.toml", forms / "complaint.toml", forms / "survey.toml");
    if (!set)
        return countyError(set.error().toString() + " (fix the form in " + forms.string() +
                           "; kiosks load it with the same check)");
    if (config.hotline.empty())
        return countyError(dir.configFile().string() +
                           ": [kiosk_defaults] hotline is empty; kiosks show it to every parent.");
    std::error_code ec;
    if (fs::exists(countyPolicyFile(dir), ec)) {
        auto text = forms::readConfigFile(countyPolicyFile(dir));
        if (!text)
            return countyError(text.error().toString());
        if (auto parsed = forms::parseToml(*text, countyPolicyFile(dir).string()); !parsed)
            return countyError(parsed.error().toString());
    }
    if (config.demo)
        return Ok{};
    // Shipped example values: named by file and key, so the clerk knows what to change.
    const std::string demoHint =
        " Kiosks show this to parents. (A demonstration county may set demo = true in [county] "
        "of " +
        dir.configFile().string() + ".)";
    if (auto p = forms::findPlaceholder(config.hotline))
        return countyError(dir.configFile().string() + ": [kiosk_defaults] hotline still holds " +
                           std::string(p->reason) + " \"" + std::string(p->text) +
                           "\"; set the county's real reporting hotline." + demoHint);
    if (auto p = forms::findPlaceholder(config.mailbox))
        return countyError(dir.configFile().string() + ": [kiosk_defaults] mailbox still holds " +
                           std::string(p->reason) + " \"" + std::string(p->text) +
                           "\"; set the county's real reporting mailbox or address." + demoHint);
    std::vector<fs::path> files;
    for (const char* f : kFormFiles)
        files.push_back(forms / f);
    if (fs::exists(countyPolicyFile(dir), ec))
        files.push_back(countyPolicyFile(dir));
    for (const fs::path& f : files) {
        auto text = readWholeFile(f);
        if (!text)
            return countyError("cannot read " + f.string() + ".");
        if (auto found = forms::findPlaceholderInFile(*text)) {
            const forms::Placeholder& p = found->placeholder;
            return countyError(f.string() + ":" + std::to_string(found->line) + ": still holds " +
                               std::string(p.reason) + " \"" + std::string(p.text) +
                               "\"; replace the example entries with the county's own (for the "
                               "school list: [[lists.schools.items]] labels)." +
                               demoHint);
        }
    }
    return Ok{};
}

Result<std::vector<crypto::ConfigBundleFile>, CountyError>
readKioskConfiguration(const CountyDir& dir, const CountyConfig& config) {
    std::vector<crypto::ConfigBundleFile> files;
    for (const char* f : kFormFiles) {
        auto text = readWholeFile(dir.formsDir() / f);
        if (!text)
            return countyError("cannot read " + (dir.formsDir() / f).string() + ".");
        files.push_back({f, std::move(*text)});
    }
    std::error_code ec;
    if (fs::exists(countyPolicyFile(dir), ec)) {
        auto text = readWholeFile(countyPolicyFile(dir));
        if (!text)
            return countyError("cannot read " + countyPolicyFile(dir).string() + ".");
        files.push_back({kBundlePolicyFile, std::move(*text)});
    }
    files.push_back({kBundleContactFile, contactToml(config)});
    std::size_t total = 0;
    for (const auto& f : files)
        total += f.text.size();
    if (total > crypto::kMaxConfigBundleContentBytes)
        return countyError("the forms and policy pages in " + dir.root().string() +
                           " hold more than 1 MiB; a configuration bundle carries at most that.");
    return files;
}

Result<std::uint64_t, CountyError> lastPublishedVersion(const CountyDir& dir) {
    std::uint64_t last = 0;
    std::error_code ec;
    if (!fs::exists(publishedDir(dir), ec))
        return last;
    for (const auto& entry : fs::directory_iterator(publishedDir(dir), ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".json")
            continue;
        const std::string stem = entry.path().stem().string();
        if (stem.empty() || stem.size() > 15 ||
            stem.find_first_not_of("0123456789") != std::string::npos)
            return countyError(entry.path().string() +
                               " is not a published bundle (NUMBER.json); move it out of " +
                               publishedDir(dir).string() + ".");
        last = std::max<std::uint64_t>(last, std::stoull(stem));
    }
    if (ec)
        return countyError("cannot read " + publishedDir(dir).string() + ": " + ec.message() + ".");
    return last;
}

Result<crypto::ConfigBundle, CountyError>
publishConfigBundle(const CountyDir& dir, const PublishRequest& request,
                    const crypto::Ed25519SecretKey& countySigningKey) {
    auto config = loadCountyConfig(dir);
    if (!config)
        return fail(config.error());
    if (auto checked = checkKioskConfiguration(dir, *config); !checked)
        return fail(checked.error());
    auto registry = KioskRegistry::load(dir);
    if (!registry)
        return fail(registry.error());
    std::vector<std::string> targets = request.targets;
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    if (targets.size() > crypto::kMaxConfigBundleTargets)
        return countyError("a bundle names at most 255 kiosks; publish to all, or in groups.");
    for (const auto& id : targets) {
        const auto* k = registry->find(id);
        if (!k)
            return countyError("kiosk \"" + id + "\" is not enrolled in " +
                               dir.kiosksDir().string() + "; see `minsheng-county kiosks`.");
        if (k->revoked)
            return countyError("kiosk \"" + id + "\" is revoked.");
    }
    auto files = readKioskConfiguration(dir, *config);
    if (!files)
        return fail(files.error());
    auto last = lastPublishedVersion(dir);
    if (!last)
        return fail(last.error());

    crypto::ConfigBundle bundle;
    bundle.configVersion = *last + 1;
    bundle.targets = std::move(targets);
    bundle.notBefore = request.notBefore;
    bundle.files = std::move(*files);
    bundle = crypto::signConfigBundle(std::move(bundle), countySigningKey);

    std::error_code ec;
    fs::create_directories(publishedDir(dir), ec);
    const fs::path file = publishedDir(dir) / (std::to_string(bundle.configVersion) + ".json");
    // Refuse, never replace: a version number names one bundle for ever.
    auto written = crypto::writeFileAtomically(file, sync::configBundleToJson(bundle).dump(2), 0644,
                                               crypto::Existing::Refuse);
    if (!written)
        return countyError("cannot write " + file.string() + " (" +
                           std::strerror(written.error().sysErrno) + "); nothing was published.");
    return bundle;
}

} // namespace minsheng::county
