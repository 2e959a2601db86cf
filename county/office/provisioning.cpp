#include "county/office/provisioning.hpp"

#include "county/office/config_bundle.hpp"
#include "county/office/kiosk_registry.hpp"
#include "crypto/atomic_file.hpp"
#include "crypto/key_file.hpp"

#include <fstream>
#include <sstream>

namespace minsheng::county {
namespace fs = std::filesystem;
using crypto::KeyKind;

Result<Ok, CountyError> provisionKiosk(const CountyDir& dir, const ProvisionRequest& req) {
    if (!isValidKioskId(req.kioskId))
        return countyError("kiosk id \"" + req.kioskId +
                           "\" is not valid: use 1-64 lower-case letters, digits and '-'.");
    auto config = loadCountyConfig(dir);
    if (!config)
        return fail(config.error());
    auto registry = KioskRegistry::load(dir);
    if (!registry)
        return fail(registry.error());
    if (registry->find(req.kioskId))
        return countyError("kiosk \"" + req.kioskId +
                           "\" is already enrolled. Each kiosk id is used once; " +
                           "pick a new one (a replaced kiosk gets a new id).");
    // What the kiosk will show parents, checked as `config publish` checks it, before anything
    // is written or enrolled: a demonstration county alone may hand out the example values.
    if (auto checked = checkKioskConfiguration(dir, *config); !checked)
        return countyError(checked.error().message + " Nothing was enrolled.");
    std::error_code ec;
    if (fs::exists(req.bundleDir, ec) && !fs::is_empty(req.bundleDir, ec))
        return countyError(
            req.bundleDir.string() +
            " is not empty; provisioning writes a fresh bundle into a new or empty folder.");

    const fs::path keys = req.bundleDir / "keys";
    const fs::path forms = req.bundleDir / "forms";
    for (const fs::path& p : {req.bundleDir, keys, forms, req.bundleDir / "data"}) {
        fs::create_directories(p, ec);
        if (ec)
            return countyError("cannot create " + p.string() + ": " + ec.message() + ".");
    }
    fs::permissions(keys, fs::perms::owner_all, fs::perm_options::replace, ec);
    fs::permissions(req.bundleDir / "data", fs::perms::owner_all, fs::perm_options::replace, ec);

    // Copy the county's public keys and the receipt tag key, re-reading each so a damaged county
    // file is caught here and not on the kiosk.
    auto sealPub = crypto::readKeyFile(dir.sealingPublicKey(), KeyKind::CountySealingPublic);
    auto signPub = crypto::readKeyFile(dir.signingPublicKey(), KeyKind::CountySigningPublic);
    auto tagKey = crypto::readKeyFile(dir.receiptTagKey(), KeyKind::ReceiptTagKey);
    for (auto* r : {&sealPub, &signPub, &tagKey})
        if (!*r)
            return countyError(r->error().message);
    auto kiosk = crypto::Ed25519KeyPair::generate();
    struct Out {
        fs::path path;
        KeyKind kind;
        std::span<const std::uint8_t> bytes;
        std::vector<std::string> labels;
    };
    const Out outs[] = {
        {keys / "kiosk-signing.key",
         KeyKind::KioskSigningSecret,
         kiosk.secretKey.bytes().span(),
         {"kiosk-id=" + req.kioskId}},
        {keys / "county-sealing.pub", KeyKind::CountySealingPublic, sealPub->bytes.span(), {}},
        {keys / "county-signing.pub", KeyKind::CountySigningPublic, signPub->bytes.span(), {}},
        {keys / "receipt-tag.key", KeyKind::ReceiptTagKey, tagKey->bytes.span(), {}},
    };
    for (const auto& o : outs) {
        auto r = crypto::writeKeyFile(o.path, o.kind, o.bytes, o.labels);
        if (!r)
            return countyError(r.error().message);
    }
    // The county CA: the only certificate the kiosk's forwarder trusts.
    if (!fs::exists(dir.tlsCaCert(), ec))
        return countyError(
            dir.tlsCaCert().string() +
            " not found: this county folder has no TLS material (made by `minsheng-county "
            "init`); without it a kiosk cannot verify the county server.");
    fs::copy_file(dir.tlsCaCert(), keys / "county-ca.pem", ec);
    if (ec)
        return countyError("cannot copy " + dir.tlsCaCert().string() + ": " + ec.message() + ".");
    for (const char* f : {"complaint.toml", "survey.toml", "lists.toml"}) {
        fs::copy_file(dir.formsDir() / f, forms / f, ec);
        if (ec)
            return countyError("cannot copy " + (dir.formsDir() / f).string() + ": " +
                               ec.message() + ".");
    }

    std::ostringstream t;
    t << "# Minsheng kiosk configuration, written by `minsheng-county provision`.\n"
      << "# Relative paths are relative to this file's folder. See config/kiosk.example.toml.\n\n"
      << "[kiosk]\n"
      << "id = " << tomlBasicString(req.kioskId) << "\n"
      << "name = " << tomlBasicString(req.name) << "\n"
      << "location = " << tomlBasicString(req.location.empty() ? req.name : req.location) << "\n"
      << "locale = \"zh-CN\"\n"
      << "data_dir = \"data\"\n"
      << "idle_timeout_seconds = 90\n"
      << "survey_min_interval_seconds = 30\n"
      << "automation = false\n"
      << (config->demo ? "# A demonstration kiosk of a demonstration county: it may show the "
                         "example values.\ndemo = true\n"
                       : "")
      << "\n"
      << "[contact]\n"
      << "hotline = " << tomlBasicString(config->hotline) << "\n"
      << "mailbox = " << tomlBasicString(config->mailbox) << "\n\n"
      << "[forms]\n"
      << "complaint = \"forms/complaint.toml\"\n"
      << "survey = \"forms/survey.toml\"\n"
      << "lists = \"forms/lists.toml\"\n\n"
      << "[county]\n"
      << "url = " << tomlBasicString(config->url) << "\n"
      << "sealing_public_key = \"keys/county-sealing.pub\"\n"
      << "signing_public_key = \"keys/county-signing.pub\"\n"
      << "receipt_tag_key = \"keys/receipt-tag.key\"\n"
      << "ca = \"keys/county-ca.pem\"\n\n"
      << "[identity]\n"
      << "signing_secret_key = \"keys/kiosk-signing.key\"\n\n"
      << "[store]\n"
      << "key_source = \"file\"\n"
      << "key_file = \"outbox.key\"\n"
      << "credential = \"minsheng-outbox-key\"\n"
      << "retention_days = 30\n";
    if (auto w = crypto::writeFileAtomically(req.bundleDir / "kiosk.toml", t.str(), 0600,
                                             crypto::Existing::Replace);
        !w)
        return countyError(w.error().message);

    // Enrol last: a bundle that failed half-way leaves no kiosk in the registry.
    return KioskRegistry::enroll(dir, req.kioskId, req.name, kiosk.publicKey);
}

} // namespace minsheng::county
