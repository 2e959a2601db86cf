#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/text_rules.hpp"
#include "sync/forms/toml_reader.hpp"

namespace minsheng::kiosk {

namespace fs = std::filesystem;
using forms::TomlReader;

namespace {

/// The data a kiosk ships with, for the keys a configuration may leave out. The packaged program
/// (/usr/bin/minsheng-kiosk from the .deb) reads what the package installed under
/// /usr/share/minsheng; a program run from a build tree reads the source tree's config/ and the
/// build tree's deployed Rime data, so that a developer's edits take effect without installing.
struct ShippedData {
    fs::path localeDir, policy, rimeData;
};
ShippedData shippedData() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    const fs::path packagedBin = fs::path(MINSHENG_PACKAGE_PREFIX) / "bin";
    if (!ec && exe.parent_path() == packagedBin) {
        const fs::path share = fs::path(MINSHENG_PACKAGE_PREFIX) / "share" / "minsheng";
        return {share / "locale", share / "policy" / "rules.toml", share / "rime"};
    }
    return {fs::path(MINSHENG_CONFIG_DIR) / "locale",
            fs::path(MINSHENG_CONFIG_DIR) / "policy" / "rules.toml",
            fs::path(MINSHENG_RIME_DATA_DIR)};
}

bool isKioskId(std::string_view s) {
    return !s.empty() && s.size() <= 64 &&
           s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

/// A non-empty path string, made absolute against `base`.
std::optional<fs::path> pathValue(TomlReader& r, const toml::table& t, std::string_view key,
                                  const fs::path& base, std::string_view what,
                                  bool required = true) {
    auto s = r.string(t, key, required, what);
    if (!s)
        return std::nullopt;
    if (s->empty()) {
        r.failAt(*t.get(key), std::string(what) + ": \"" + std::string(key) + "\" is empty");
        return std::nullopt;
    }
    fs::path p(*s);
    return (p.is_absolute() ? p : base / p).lexically_normal();
}

/// Text shown on screen: non-empty (unless optional), one line, valid.
std::optional<std::string> displayText(TomlReader& r, const toml::table& t, std::string_view key,
                                       bool required, std::string_view what) {
    auto s = r.string(t, key, required, what);
    if (!s)
        return s;
    if ((required && s->empty()) || checkText(*s, false).problem != TextProblem::None ||
        checkText(*s, false).codePoints > 200) {
        r.failAt(*t.get(key), std::string(what) + ": \"" + std::string(key) +
                                  "\" must be one line of 1-200 characters");
        return std::nullopt;
    }
    return s;
}

} // namespace

Result<KioskConfig, ConfigError> parseKioskConfig(std::string_view text, const fs::path& path) {
    const fs::path file = fs::absolute(path).lexically_normal();
    const fs::path base = file.parent_path();
    auto parsed = forms::parseToml(text, path.string());
    if (!parsed)
        return fail(std::move(parsed.error()));
    const toml::table& root = parsed.value();
    TomlReader r{path.string()};
    KioskConfig c;
    c.file = file;

    r.checkKeys(root,
                {"kiosk", "contact", "forms", "county", "identity", "store", "ui", "input", "staff",
                 "sync"},
                "the kiosk configuration");
    const toml::table* kiosk = r.table(root, "kiosk", true, "the kiosk configuration");
    const toml::table* contact = r.table(root, "contact", true, "the kiosk configuration");
    const toml::table* forms = r.table(root, "forms", true, "the kiosk configuration");
    const toml::table* county = r.table(root, "county", true, "the kiosk configuration");
    const toml::table* identity = r.table(root, "identity", true, "the kiosk configuration");
    const toml::table* store = r.table(root, "store", true, "the kiosk configuration");
    if (!r.ok())
        return fail(r.takeError());

    // [kiosk]
    r.checkKeys(*kiosk,
                {"id", "name", "location", "locale", "data_dir", "idle_timeout_seconds",
                 "survey_min_interval_seconds", "automation", "utc_offset_hours", "demo"},
                "[kiosk]");
    if (auto id = r.string(*kiosk, "id", true, "[kiosk]")) {
        if (!isKioskId(*id)) {
            r.failAt(*kiosk->get("id"),
                     "[kiosk]: id \"" + *id + "\" must be 1-64 characters of a-z, 0-9 and -");
        }
        c.id = *id;
    }
    c.name = displayText(r, *kiosk, "name", true, "[kiosk]").value_or("");
    c.location = displayText(r, *kiosk, "location", true, "[kiosk]").value_or("");
    if (auto locale = r.string(*kiosk, "locale", true, "[kiosk]")) {
        if (!isSupportedLocale(*locale)) {
            r.failAt(*kiosk->get("locale"),
                     "[kiosk]: locale \"" + *locale + "\" must be \"zh-CN\" or \"en\"");
        }
        c.locale = *locale;
    }
    c.dataDir = pathValue(r, *kiosk, "data_dir", base, "[kiosk]").value_or(fs::path());
    c.idleTimeoutSeconds = static_cast<int>(
        r.integer(*kiosk, "idle_timeout_seconds", false, 15, 3600, "[kiosk]").value_or(90));
    c.surveyMinIntervalSeconds = static_cast<int>(
        r.integer(*kiosk, "survey_min_interval_seconds", false, 0, 86400, "[kiosk]").value_or(30));
    c.automation = r.boolean(*kiosk, "automation", false, "[kiosk]").value_or(false);
    c.demo = r.boolean(*kiosk, "demo", false, "[kiosk]").value_or(false);
    c.utcOffsetHours = static_cast<int>(
        r.integer(*kiosk, "utc_offset_hours", false, -12, 14, "[kiosk]").value_or(8));

    // [contact]
    r.checkKeys(*contact, {"hotline", "mailbox"}, "[contact]");
    c.hotline = displayText(r, *contact, "hotline", true, "[contact]").value_or("");
    c.mailbox = displayText(r, *contact, "mailbox", false, "[contact]").value_or("");

    // [forms]
    r.checkKeys(*forms, {"complaint", "survey", "lists"}, "[forms]");
    c.complaintForm = pathValue(r, *forms, "complaint", base, "[forms]").value_or(fs::path());
    c.surveyForm = pathValue(r, *forms, "survey", base, "[forms]").value_or(fs::path());
    c.lists = pathValue(r, *forms, "lists", base, "[forms]").value_or(fs::path());

    // [county]
    r.checkKeys(*county,
                {"url", "sealing_public_key", "signing_public_key", "receipt_tag_key", "ca"},
                "[county]");
    if (auto url = r.string(*county, "url", true, "[county]")) {
        // TLS only: the forwarder refuses plain HTTP, so catch the mistake at load time.
        if (url->rfind("https://", 0) != 0 || url->size() <= 8)
            r.failAt(*county->get("url"), "[county]: url must start with https://");
        c.countyUrl = *url;
    }
    c.countySealingPublicKey =
        pathValue(r, *county, "sealing_public_key", base, "[county]").value_or(fs::path());
    c.countySigningPublicKey =
        pathValue(r, *county, "signing_public_key", base, "[county]").value_or(fs::path());
    c.receiptTagKey =
        pathValue(r, *county, "receipt_tag_key", base, "[county]").value_or(fs::path());
    c.countyCa = pathValue(r, *county, "ca", base, "[county]").value_or(fs::path());

    // [identity]
    r.checkKeys(*identity, {"signing_secret_key"}, "[identity]");
    c.signingSecretKey =
        pathValue(r, *identity, "signing_secret_key", base, "[identity]").value_or(fs::path());

    // [store]
    r.checkKeys(*store, {"key_source", "key_file", "credential", "retention_days"}, "[store]");
    if (auto source = r.string(*store, "key_source", true, "[store]")) {
        if (*source == "file") {
            c.keySource = KeySource::File;
        } else if (*source == "credential") {
            c.keySource = KeySource::Credential;
        } else {
            r.failAt(*store->get("key_source"),
                     "[store]: key_source \"" + *source + "\" must be \"file\" or \"credential\"");
        }
    }
    const bool fromFile = c.keySource == KeySource::File;
    if (r.ok()) {
        c.keyFile =
            pathValue(r, *store, "key_file", c.dataDir, "[store]", fromFile).value_or(fs::path());
        if (!fromFile && !store->get("credential"))
            r.failAt(store->source(), "[store]: key_source = \"credential\" needs credential");
    }
    if (auto cred = r.string(*store, "credential", false, "[store]")) {
        // systemd credential names are file names: no slashes, not empty.
        if (cred->empty() || cred->find('/') != std::string::npos || *cred == "." || *cred == "..")
            r.failAt(*store->get("credential"), "[store]: credential must be a plain name");
        c.credential = *cred;
    }
    c.retentionDays = static_cast<int>(
        r.integer(*store, "retention_days", false, 1, 3650, "[store]").value_or(30));

    // [sync], optional: the forwarder (`minsheng-kiosk sync`, docs/forwarder.md).
    if (const toml::table* sync = r.table(root, "sync", false, "the kiosk configuration")) {
        r.checkKeys(*sync, {"upload_delay_minutes", "heartbeat_minutes"}, "[sync]");
        c.syncUploadDelayMinutes = static_cast<int>(
            r.integer(*sync, "upload_delay_minutes", false, 0, 1440, "[sync]").value_or(20));
        c.syncHeartbeatMinutes = static_cast<int>(
            r.integer(*sync, "heartbeat_minutes", false, 1, 15, "[sync]").value_or(15));
    }

    // [ui], optional: every key has a default that works on a Debian kiosk.
    const ShippedData shipped = shippedData();
    c.uiLocaleDir = shipped.localeDir;
    c.uiPolicy = shipped.policy;
    c.uiPinyinDictionary = "/usr/share/rime-data/terra_pinyin.dict.yaml";
    c.uiHandwritingModel = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";
    if (const toml::table* ui = r.table(root, "ui", false, "the kiosk configuration")) {
        r.checkKeys(*ui,
                    {"font", "locale_dir", "policy", "large_text", "high_contrast", "read_aloud",
                     "read_aloud_voice", "read_aloud_recordings", "espeak_data",
                     "pinyin_dictionary", "handwriting_model"},
                    "[ui]");
        c.uiFont = pathValue(r, *ui, "font", base, "[ui]", false).value_or(c.uiFont);
        c.uiLocaleDir =
            pathValue(r, *ui, "locale_dir", base, "[ui]", false).value_or(c.uiLocaleDir);
        c.uiPolicy = pathValue(r, *ui, "policy", base, "[ui]", false).value_or(c.uiPolicy);
        c.uiLargeText = r.boolean(*ui, "large_text", false, "[ui]").value_or(false);
        c.uiHighContrast = r.boolean(*ui, "high_contrast", false, "[ui]").value_or(false);
        c.uiReadAloud = r.boolean(*ui, "read_aloud", false, "[ui]").value_or(false);
        if (auto voice = r.string(*ui, "read_aloud_voice", false, "[ui]")) {
            if (voice->empty() || voice->find_first_of("/ \t") != std::string::npos) {
                r.failAt(*ui->get("read_aloud_voice"),
                         "[ui]: read_aloud_voice must be an espeak-ng voice name such as "
                         "\"cmn-latn-pinyin\"");
            }
            c.uiReadAloudVoice = *voice;
        }
        c.uiReadAloudRecordings =
            pathValue(r, *ui, "read_aloud_recordings", base, "[ui]", false).value_or(fs::path());
        c.uiEspeakData = pathValue(r, *ui, "espeak_data", base, "[ui]", false).value_or(fs::path());
        c.uiPinyinDictionary = pathValue(r, *ui, "pinyin_dictionary", base, "[ui]", false)
                                   .value_or(c.uiPinyinDictionary);
        c.uiHandwritingModel = pathValue(r, *ui, "handwriting_model", base, "[ui]", false)
                                   .value_or(c.uiHandwritingModel);
    }

    // [input], optional: the on-screen keyboard's pinyin engine (kiosk/core/pinyin_input_method).
    c.inputRimeData = shipped.rimeData;
    if (const toml::table* input = r.table(root, "input", false, "the kiosk configuration")) {
        r.checkKeys(*input, {"pinyin", "rime_data"}, "[input]");
        c.inputPinyin = r.boolean(*input, "pinyin", false, "[input]").value_or(true);
        c.inputRimeData =
            pathValue(r, *input, "rime_data", base, "[input]", false).value_or(c.inputRimeData);
    }

    // [staff], optional: without a PIN hash the staff screen cannot be opened at all.
    if (const toml::table* staff = r.table(root, "staff", false, "the kiosk configuration")) {
        r.checkKeys(*staff, {"pin_hash"}, "[staff]");
        if (auto hash = r.string(*staff, "pin_hash", false, "[staff]")) {
            // Only Argon2id strings as crypto_pwhash_str writes them; a plain PIN here would be
            // readable by anyone who can read this file.
            if (hash->rfind("$argon2id$", 0) != 0 || hash->size() > 127) {
                r.failAt(*staff->get("pin_hash"),
                         "[staff]: pin_hash must be an Argon2id hash; make one with "
                         "`minsheng-kiosk hash-pin`");
            }
            c.staffPinHash = *hash;
        }
    }

    if (!r.ok())
        return fail(r.takeError());
    return c;
}

Result<KioskConfig, ConfigError> loadKioskConfig(const fs::path& path) {
    auto text = forms::readConfigFile(path);
    if (!text)
        return fail(std::move(text.error()));
    return parseKioskConfig(text.value(), path);
}

Result<FormSet, ConfigError> loadFormSet(const KioskConfig& config) {
    return forms::loadFormSet(config.lists, config.complaintForm, config.surveyForm);
}

} // namespace minsheng::kiosk
