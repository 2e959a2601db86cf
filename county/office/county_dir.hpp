// The county office's directory: one folder that holds everything a county needs, so an office,
// a test or a new user can run every staff command from it.
//
//   DIR/county.toml                configuration (written by init; see docs/staff.md)
//   DIR/keys/county-sealing.key    X25519 secret: opens envelopes     (0600, passphrase)
//   DIR/keys/county-sealing.pub    X25519 public: given to kiosks
//   DIR/keys/county-signing.key    Ed25519 secret: signs acks/replies (0600, passphrase)
//   DIR/keys/county-signing.pub    Ed25519 public: given to kiosks
//   DIR/keys/receipt-tag.key       receipt tag key: given to kiosks   (0600)
//   DIR/forms/*.toml               the forms and lists this county's kiosks use
//   DIR/calendar.toml              holidays and make-up working days (from config/calendar)
//   DIR/kiosks/<id>.pub            enrolled kiosks' public keys (see kiosk_registry.hpp)
//   DIR/keys/staff.token           Bearer token of the staff endpoints (0600)
//   DIR/tls/ca.pem, ca.key         county CA (ca.key 0600); county/office/county_tls.hpp
//   DIR/tls/server.pem, server.key the intake server's certificate for the county URL's host
//   DIR/intake.db                  the intake server's store (county/server/intake_schema.hpp)
//   DIR/ledger.db, DIR/ledger.salt the staff tool's case ledger and its key salt, or
//   DIR/keys/ledger.key            its random key on --no-passphrase counties (docs/staff.md)
#pragma once

#include "crypto/key_file.hpp"
#include "crypto/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::county {

struct CountyError {
    std::string message; // a full sentence naming the file and what to do
};

/// `fail(CountyError{message})`, for returning from a function of this folder.
inline Failure<CountyError> countyError(std::string message) {
    return {CountyError{std::move(message)}};
}

struct CountyConfig {
    std::string name;
    std::string url = "https://127.0.0.1:8443";
    std::string listen = "127.0.0.1:8443";
    bool passphraseProtected = true;
    std::string hotline;
    std::string mailbox;
    /// [county] demo = true: a demonstration county, allowed to keep the shipped example values
    /// (placeholder hotline, 示范县 address, 云溪县 schools) on its kiosks.
    bool demo = false;
};

class CountyDir {
public:
    explicit CountyDir(std::filesystem::path root) : m_root(std::move(root)) {}
    const std::filesystem::path& root() const { return m_root; }
    std::filesystem::path configFile() const { return m_root / "county.toml"; }
    std::filesystem::path keysDir() const { return m_root / "keys"; }
    std::filesystem::path formsDir() const { return m_root / "forms"; }
    /// The office calendar: public holidays and make-up working days (docs/staff.md).
    std::filesystem::path calendarFile() const { return m_root / "calendar.toml"; }
    std::filesystem::path kiosksDir() const { return m_root / "kiosks"; }
    std::filesystem::path sealingSecretKey() const { return keysDir() / "county-sealing.key"; }
    std::filesystem::path sealingPublicKey() const { return keysDir() / "county-sealing.pub"; }
    std::filesystem::path signingSecretKey() const { return keysDir() / "county-signing.key"; }
    std::filesystem::path signingPublicKey() const { return keysDir() / "county-signing.pub"; }
    std::filesystem::path receiptTagKey() const { return keysDir() / "receipt-tag.key"; }
    std::filesystem::path staffTokenFile() const { return keysDir() / "staff.token"; }
    std::filesystem::path tlsDir() const { return m_root / "tls"; }
    std::filesystem::path tlsCaCert() const { return tlsDir() / "ca.pem"; }
    std::filesystem::path tlsServerCert() const { return tlsDir() / "server.pem"; }
    std::filesystem::path tlsServerKey() const { return tlsDir() / "server.key"; }
    std::filesystem::path intakeDb() const { return m_root / "intake.db"; }

private:
    std::filesystem::path m_root;
};

struct InitOptions {
    std::string name = "示范县“双减”工作领导小组办公室";
    std::string url = "https://127.0.0.1:8443";
    std::string hotline = "0000-12345678";
    std::string mailbox = "示范县教育局“双减”办，示范路 1 号";
    /// nullptr: keys unprotected (--no-passphrase, for tests and demos).
    const crypto::SecretBytes* passphrase = nullptr;
    /// [county] demo: a demonstration county, whose kiosks may keep the example values above.
    bool demo = false;
    crypto::PassphraseProtection protection{};
    /// Folder holding complaint.toml, survey.toml and lists.toml to copy into DIR/forms.
    std::filesystem::path formsSource;
    /// The calendar to copy to DIR/calendar.toml (defaultCalendarFile()); empty: none.
    std::filesystem::path calendarSource;
};

/// Creates DIR (or uses it if empty) with fresh keys and configuration. Refuses a folder that
/// already holds a county: keys are never overwritten.
/// The `listen` init writes for a county url: its port (443 when it names none), on 127.0.0.1
/// (or [::1]) when the url names loopback, else on 0.0.0.0.
std::string defaultListenFor(const std::string& url);

[[nodiscard]] Result<Ok, CountyError> initCountyDir(const CountyDir& dir,
                                                    const InitOptions& options);

/// DIR/county.toml. When it is missing, the error lists countyFoldersNear(DIR).
[[nodiscard]] Result<CountyConfig, CountyError> loadCountyConfig(const CountyDir& dir);
/// Folders holding a county.toml in or next to `folder` (its children, its parent, its siblings)
/// and in or under the working directory: what a mistyped --dir probably meant.
std::vector<std::filesystem::path> countyFoldersNear(const std::filesystem::path& folder);

/// A TOML basic string literal (quoted, with the escapes TOML requires) for files we write.
/// The whole of a (small) file, or nullopt when it cannot be opened.
std::optional<std::string> readWholeFile(const std::filesystem::path& file);

std::string tomlBasicString(const std::string& text);

/// Where the shipped default forms are: $MINSHENG_CONFIG_DIR/forms, the installed share
/// folder, then the source tree this binary was built from.
std::optional<std::filesystem::path> defaultFormsDir();

/// The shipped office calendar's file name under config/calendar (share/minsheng/calendar).
inline constexpr const char* kShippedCalendarName = "cn.toml";
/// The shipped office calendar, found like defaultFormsDir() (calendar/cn.toml).
std::optional<std::filesystem::path> defaultCalendarFile();

/// The county keys a staff command needs to open envelopes.
struct CountyOpeningKeys {
    crypto::X25519KeyPair sealing;
};
[[nodiscard]] Result<CountyOpeningKeys, CountyError>
loadOpeningKeys(const CountyDir& dir, const crypto::PassphraseSource& passphrase);

} // namespace minsheng::county
