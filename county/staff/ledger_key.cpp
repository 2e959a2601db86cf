#include "county/staff/ledger_key.hpp"

#include "county/office/county_dir.hpp"

#include "crypto/atomic_file.hpp"
#include "sync/store/store_key.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <sodium.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace minsheng::staff {

namespace fs = std::filesystem;
using crypto::SecretBytes;
using Code = LedgerError::Code;

namespace {

struct SaltFile {
    crypto::Bytes salt;
    unsigned long long opslimit = 3;
    std::size_t memlimit = 256u << 20;
};

/// "name: value" lines, as key files are written (docs/protocol.md section 2).
std::map<std::string, std::string> readFields(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        auto colon = line.find(':');
        if (line.empty() || line[0] == '#' || colon == std::string::npos)
            continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        while (!value.empty() && value.back() == ' ')
            value.pop_back();
        out[line.substr(0, colon)] = value;
    }
    return out;
}

Result<SaltFile, LedgerError> readSalt(const fs::path& p) {
    auto text = county::readWholeFile(p);
    if (!text)
        return fail(LedgerError{Code::Missing,
                                p.string() + " cannot be read, but ledger.db exists: the ledger "
                                             "cannot be opened without it. Restore ledger.salt "
                                             "from the office backup (it is not secret)."});
    auto f = readFields(*text);
    SaltFile s;
    auto salt = crypto::fromBase64(f["argon2id-salt"]);
    try {
        s.opslimit = std::stoull(f["argon2id-opslimit"]);
        s.memlimit = static_cast<std::size_t>(std::stoull(f["argon2id-memlimit"]));
    } catch (const std::exception&) {
        salt.reset();
    }
    if (f["minsheng-ledger-salt"] != "1" || !salt || salt->size() != crypto_pwhash_SALTBYTES ||
        s.opslimit < 1 || s.opslimit > 64 || s.memlimit < (8u << 10) ||
        s.memlimit > (std::size_t{4} << 30))
        return fail(LedgerError{Code::Corrupt,
                                p.string() + " is not a valid ledger salt file (it must hold "
                                             "minsheng-ledger-salt: 1, argon2id-salt, "
                                             "argon2id-opslimit and argon2id-memlimit). Restore "
                                             "it from the office backup."});
    s.salt = std::move(*salt);
    return s;
}

/// Invariant 1: created only if absent (crypto/atomic_file.hpp), so an existing salt is never
/// replaced.
Result<Ok, LedgerError> writeSalt(const fs::path& p, const SaltFile& s) {
    const std::string text = "# The salt of the case ledger's key (minsheng-county). Not secret, "
                             "but without it\n# ledger.db cannot be opened: back it up with "
                             "ledger.db.\nminsheng-ledger-salt: 1\nargon2id-salt: " +
                             crypto::toBase64(s.salt) +
                             "\nargon2id-opslimit: " + std::to_string(s.opslimit) +
                             "\nargon2id-memlimit: " + std::to_string(s.memlimit) + "\n";
    auto written = crypto::writeFileAtomically(p, text, 0600, crypto::Existing::Refuse);
    if (!written) {
        using AtomicCode = crypto::AtomicFileError::Code;
        if (written.error().code == AtomicCode::AlreadyExists ||
            written.error().code == AtomicCode::Unwritable)
            return fail(LedgerError{Code::Unwritable,
                                    "cannot create " + p.string() + " (" +
                                        std::strerror(written.error().sysErrno) +
                                        "). Check that the county folder is writable; if the file "
                                        "exists, keep it."});
        return fail(LedgerError{Code::Io, "cannot write " + p.string() + "; check free space."});
    }
    return Ok{};
}

} // namespace

Result<SecretBytes, LedgerError> loadLedgerKey(const county::CountyDir& dir,
                                               const county::CountyConfig& config,
                                               const crypto::PassphraseSource& passphrase,
                                               bool mayCreate) {
    const fs::path ledgerFile = dir.root() / kLedgerFileName;
    std::error_code ec;
    const bool exists = fs::exists(ledgerFile, ec);
    if (!exists && !mayCreate)
        return fail(LedgerError{Code::Missing, ledgerFile.string() +
                                                   " does not exist yet: run `minsheng-county "
                                                   "pull` (or `import`) first."});
    const bool creating = !exists;
    if (!config.passphraseProtected) {
        sync::FileStoreKey source(dir.keysDir() / kLedgerKeyFileName, creating);
        auto key = source.load();
        if (!key)
            return fail(LedgerError{Code::Missing,
                                    key.error().message +
                                        (creating ? ""
                                                  : " The case ledger's key is keys/ledger.key; "
                                                    "restore it from the office backup.")});
        return std::move(key.value());
    }

    const fs::path saltFile = dir.root() / kLedgerSaltFileName;
    if (creating) {
        // Check the passphrase before it becomes the ledger's forever (also when a salt was left
        // by a creation that did not finish).
        auto check = crypto::readKeyFile(dir.sealingSecretKey(),
                                         crypto::KeyKind::CountySealingSecret, passphrase);
        if (!check)
            return fail(LedgerError{Code::WrongKeyOrNotALedger,
                                    check.error().message + " No ledger was created."});
    }
    SaltFile salt;
    if (fs::exists(saltFile, ec)) {
        auto s = readSalt(saltFile);
        if (!s)
            return fail(s.error());
        salt = std::move(s.value());
    } else if (!creating) {
        return fail(LedgerError{Code::Missing,
                                saltFile.string() + " is missing, but " + ledgerFile.string() +
                                    " exists: the ledger cannot be opened without its salt. "
                                    "Restore ledger.salt from the office backup."});
    } else {
        auto fields = readFields(county::readWholeFile(dir.sealingSecretKey()).value_or(""));
        try {
            salt.opslimit = std::stoull(fields.at("argon2id-opslimit"));
            salt.memlimit = static_cast<std::size_t>(std::stoull(fields.at("argon2id-memlimit")));
        } catch (const std::exception&) {
            // keep libsodium's MODERATE defaults
        }
        salt.salt.resize(crypto_pwhash_SALTBYTES);
        randombytes_buf(salt.salt.data(), salt.salt.size());
        if (auto w = writeSalt(saltFile, salt); !w)
            return fail(w.error());
    }

    auto pass = passphrase ? passphrase(ledgerFile) : std::nullopt;
    if (!pass)
        return fail(LedgerError{Code::WrongKeyOrNotALedger,
                                "the case ledger " + ledgerFile.string() +
                                    " needs the county passphrase: run the command in a terminal, "
                                    "or give --passphrase-file (or MINSHENG_PASSPHRASE_FILE)."});
    SecretBytes key(32);
    if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(pass->data()),
                      pass->size(), salt.salt.data(), salt.opslimit, salt.memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail(LedgerError{Code::Io, "not enough memory to derive the ledger key (Argon2id, " +
                                              std::to_string(salt.memlimit >> 20) + " MiB)."});
    return key;
}

Result<Ledger, LedgerError> openLedger(const county::CountyDir& dir,
                                       const county::CountyConfig& config,
                                       const crypto::PassphraseSource& passphrase, bool mayCreate) {
    auto key = loadLedgerKey(dir, config, passphrase, mayCreate);
    if (!key)
        return fail(key.error());
    return Ledger::open(dir.root() / kLedgerFileName, *key,
                        mayCreate ? Ledger::OpenMode::CreateIfMissing
                                  : Ledger::OpenMode::MustExist);
}

} // namespace minsheng::staff
