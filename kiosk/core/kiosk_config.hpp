// The kiosk's own configuration file (config/kiosk.example.toml is the annotated example).
//
// loadKioskConfig() checks every key and returns typed values with absolute paths:
//   1. Unknown sections and keys are errors, as in form files.
//   2. Relative paths are resolved against the directory of the configuration file, except
//      store.key_file, which is relative to data_dir (the outbox key lives with the outbox).
//   3. Files are not opened here (keys, forms): each is read by the module that uses it, which
//      reports its own errors; loadFormSet() reads the forms.
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/config_error.hpp"
#include "sync/forms/form.hpp"

#include <filesystem>
#include <string>

namespace minsheng::kiosk {

/// Debian's fonts-wqy-microhei: covers every character of the shipped forms and catalogues.
inline constexpr const char* kDefaultUiFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

enum class KeySource {
    File,       // store.key_file, a key file the kiosk creates on first start
    Credential, // a systemd credential (LoadCredential=), read from $CREDENTIALS_DIRECTORY
};

struct KioskConfig {
    std::filesystem::path file; // the configuration file itself, absolute

    // [kiosk]
    std::string id;       // [a-z0-9-]{1,64}; goes into every envelope header
    std::string name;     // shown on screen and in the county's kiosk registry
    std::string location; // shown on screen
    std::string locale;   // "zh-CN" | "en": the language a new session starts in
    std::filesystem::path dataDir;
    int idleTimeoutSeconds = 90;       // 15..3600
    int surveyMinIntervalSeconds = 30; // 0..86400
    bool automation = false;           // test automation interface; never on a real kiosk
    /// A demonstration kiosk, allowed to show the shipped example values (placeholder hotline,
    /// 示范县 address, the fictional 云溪县 school list); a real kiosk refuses to start with them
    /// (shipped_examples.hpp). Written by `minsheng-county provision` for a demo county only.
    bool demo = false;
    /// Offset from UTC of the dates shown to parents (-12..14; China Standard Time is 8, with
    /// no daylight saving). Not the system time zone: an appliance's clock runs in UTC, and the
    /// county tool shows the same dates with its own utc_offset_hours.
    int utcOffsetHours = 8;

    // [contact]
    std::string hotline; // free text shown to parents, e.g. "0571-12345"
    std::string mailbox; // free text; may be empty

    // [forms]
    std::filesystem::path complaintForm;
    std::filesystem::path surveyForm;
    std::filesystem::path lists;

    // [county]
    std::string countyUrl; // https://host[:port]
    std::filesystem::path countySealingPublicKey;
    std::filesystem::path countySigningPublicKey;
    std::filesystem::path receiptTagKey;
    std::filesystem::path countyCa; // PEM: the county CA, the forwarder's only TLS trust anchor

    // [identity]
    std::filesystem::path signingSecretKey;

    // [store]
    KeySource keySource = KeySource::File;
    std::filesystem::path keyFile; // absolute (resolved against dataDir)
    std::string credential;        // credential name for KeySource::Credential
    int retentionDays = 30;        // 1..3650

    // [ui] (optional section): the touch window. Files are checked when the window starts.
    std::filesystem::path uiFont = kDefaultUiFont; // a TrueType/TTC font with Chinese glyphs
    std::filesystem::path uiLocaleDir; // zh-CN.toml, en.toml; default: config/locale of the source
    std::filesystem::path uiPolicy; // 政策须知 pages; default: config/policy/rules.toml, likewise
    bool uiLargeText = false;    // what a new session starts with; parents can toggle per session
    bool uiHighContrast = false; // likewise
    bool uiReadAloud = false;    // likewise: each screen read aloud (the speaker button toggles)
    std::string uiReadAloudVoice = "cmn-latn-pinyin"; // espeak-ng voice for Mandarin (pinyin)
    std::filesystem::path uiReadAloudRecordings;      // optional: folder with index.toml and WAVs
    std::filesystem::path uiEspeakData;       // optional: espeak-ng-data; default libespeak-ng's
    std::filesystem::path uiPinyinDictionary; // terra_pinyin.dict.yaml (read_aloud.hpp)
    std::filesystem::path uiHandwritingModel; // zinnia model (handwriting_recognizer.hpp)

    // [input] (optional section): the on-screen keyboard.
    bool inputPinyin = true; // 中/英 keyboard with pinyin; false: letters only
    /// Deployed Rime data (rime_deployer --build of assets/rime); default: the build tree's
    /// rime/ folder. The packaged kiosk sets /usr/share/minsheng/rime.
    std::filesystem::path inputRimeData;

    // [sync] (optional section): the forwarder process, docs/forwarder.md
    int syncUploadDelayMinutes = 20; // 0..1440: random 0..N minute wait before sending (privacy)
    int syncHeartbeatMinutes = 15;   // 1..15: signed heartbeat interval

    // [staff] (optional section)
    std::string staffPinHash; // Argon2id hash from `minsheng-kiosk hash-pin`; empty = staff off
};

Result<KioskConfig, ConfigError> loadKioskConfig(const std::filesystem::path& path);
/// Parses configuration text as if it were the file `path` (relative paths resolve against
/// path's directory); the file itself is not read.
Result<KioskConfig, ConfigError> parseKioskConfig(std::string_view toml,
                                                  const std::filesystem::path& path);

/// The forms named in [forms], through the shared validator (sync/forms/form_set.hpp).
Result<FormSet, ConfigError> loadFormSet(const KioskConfig& config);

} // namespace minsheng::kiosk
