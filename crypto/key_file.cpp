#include "crypto/key_file.hpp"

#include "crypto/atomic_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sodium.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace minsheng::crypto {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kProtectionNone = "none";
constexpr std::string_view kProtectionArgon = "argon2id-xsalsa20poly1305";
// Bounds on what a file may ask of us: keep a malicious file from making us allocate 4 TiB.
constexpr unsigned long long kMaxOpslimit = 64;
constexpr std::size_t kMaxMemlimit = std::size_t{4} << 30;

struct KindInfo {
    KeyKind kind;
    std::string_view name;
    std::string_view algorithm;
    std::size_t keyBytes;
    bool secret;
};

constexpr KindInfo kKinds[] = {
    {KeyKind::KioskSigningSecret, "kiosk-signing-secret", "ed25519", 64, true},
    {KeyKind::KioskSigningPublic, "kiosk-signing-public", "ed25519", 32, false},
    {KeyKind::CountySealingSecret, "county-sealing-secret", "x25519", 32, true},
    {KeyKind::CountySealingPublic, "county-sealing-public", "x25519", 32, false},
    {KeyKind::CountySigningSecret, "county-signing-secret", "ed25519", 64, true},
    {KeyKind::CountySigningPublic, "county-signing-public", "ed25519", 32, false},
    {KeyKind::ReceiptTagKey, "receipt-tag-key", "blake2b-key", 32, true},
};

const KindInfo& info(KeyKind k) {
    for (const auto& i : kKinds)
        if (i.kind == k)
            return i;
    return kKinds[0];
}

const KindInfo* infoByName(std::string_view name) {
    for (const auto& i : kKinds)
        if (i.name == name)
            return &i;
    return nullptr;
}

/// The key id of key bytes of any kind: the hash of the public key, derived here from a secret
/// one; for the receipt-tag key (which has no public half) the hash of the key itself, taken in
/// place so that the secret is not copied out of guarded memory.
KeyId keyIdOfKey(KeyKind kind, std::span<const std::uint8_t> key) {
    switch (kind) {
    case KeyKind::KioskSigningSecret:
    case KeyKind::CountySigningSecret: {
        std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
        crypto_sign_ed25519_sk_to_pk(pk.data(), key.data());
        return keyIdOf(pk);
    }
    case KeyKind::CountySealingSecret: {
        std::array<std::uint8_t, crypto_scalarmult_BYTES> pk{};
        crypto_scalarmult_base(pk.data(), key.data());
        return keyIdOf(pk);
    }
    default:
        return keyIdOf(key);
    }
}

/// The names a key file may use besides the header and "label", each at most once.
constexpr std::array<std::string_view, 9> kKnownFields = {
    "kind",          "algorithm", "key-id", "protection", "argon2id-opslimit", "argon2id-memlimit",
    "argon2id-salt", "nonce",     "key"};

/// One "name: value" line of a key file. Both views point into the text being parsed, which
/// readKeyFile keeps in guarded memory: a field's value, the secret key among them, is never
/// copied to ordinary memory while the file is parsed.
struct KeyFileField {
    std::string_view value;
    int line = 0;
};

/// The fields of a key file other than the header and labels, by name.
class KeyFileFields {
public:
    bool has(std::string_view name) const { return find(name) != nullptr; }
    /// The field, or an empty value on line 0 when absent.
    KeyFileField get(std::string_view name) const {
        const KeyFileField* f = find(name);
        return f ? *f : KeyFileField{};
    }
    /// False when the name is already there (the caller reports the duplicate).
    bool add(std::string_view name, KeyFileField field) {
        if (has(name))
            return false;
        m_entries[m_count++] = {name, field};
        return true;
    }

private:
    // Only known names are added, each at most once.
    static constexpr std::size_t kCapacity = kKnownFields.size();
    const KeyFileField* find(std::string_view name) const {
        for (std::size_t i = 0; i < m_count; ++i)
            if (m_entries[i].first == name)
                return &m_entries[i].second;
        return nullptr;
    }
    std::array<std::pair<std::string_view, KeyFileField>, kCapacity> m_entries{};
    std::size_t m_count = 0;
};

KeyFileError err(KeyFileErrorCode code, std::string msg) {
    return {code, std::move(msg)};
}

std::string where(const fs::path& p, int line) {
    return p.string() + ":" + std::to_string(line) + ": ";
}

std::string modeString(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

/// A decimal number as the format writes it: 1 to 19 digits, no sign, no leading zero, nothing
/// around it.
std::optional<unsigned long long> parseDecimal(std::string_view text) {
    if (text.empty() || text.size() > 19 || (text.size() > 1 && text.front() == '0'))
        return std::nullopt;
    unsigned long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<unsigned long long>(c - '0');
    }
    return v;
}

/// Derives the file-encryption key from a passphrase (Argon2id).
bool deriveKey(SecretBytes& out, const SecretBytes& passphrase, std::span<const std::uint8_t> salt,
               unsigned long long ops, std::size_t mem) {
    out = SecretBytes(crypto_secretbox_KEYBYTES);
    return crypto_pwhash(out.data(), out.size(), reinterpret_cast<const char*>(passphrase.data()),
                         passphrase.size(), salt.data(), ops, mem,
                         crypto_pwhash_ALG_ARGON2ID13) == 0;
}

} // namespace

std::string_view keyKindName(KeyKind kind) {
    return info(kind).name;
}
bool isSecretKind(KeyKind kind) {
    return info(kind).secret;
}

Result<LoadedKey, KeyFileError> readKeyFile(const fs::path& path, KeyKind expected,
                                            const PassphraseSource& passphrase) {
    const std::string name = path.string();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return fail(err(KeyFileErrorCode::NotFound,
                            name + ": key file not found. Check the path in the configuration, or "
                                   "create the keys (minsheng-county init / provision)."));
        return fail(err(KeyFileErrorCode::Unreadable,
                        name + ": cannot open key file: " + std::strerror(errno) + "."));
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(err(KeyFileErrorCode::Unreadable, name + ": not a regular file."));
    }
    if (st.st_size > 64 * 1024) {
        ::close(fd);
        return fail(err(KeyFileErrorCode::Malformed, name + ": too large to be a key file (" +
                                                         std::to_string(st.st_size) + " bytes)."));
    }
    // Read into guarded memory: the file may hold an unprotected secret key.
    SecretBytes text(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got != text.size())
        return fail(err(KeyFileErrorCode::Unreadable, name + ": could not read the whole file."));
    return parseKeyFile(text.view(), path, static_cast<unsigned>(st.st_mode & 07777), expected,
                        passphrase);
}

Result<LoadedKey, KeyFileError> parseKeyFile(std::string_view all, const fs::path& path,
                                             unsigned fileMode, KeyKind expected,
                                             const PassphraseSource& passphrase) {
    const std::string name = path.string();
    KeyFileFields fields; // views into `all`: see KeyFileField
    std::vector<std::string> labels;
    bool sawHeader = false;
    int lineNo = 0;
    while (!all.empty()) {
        ++lineNo;
        auto nl = all.find('\n');
        std::string_view line = all.substr(0, nl);
        all = nl == std::string_view::npos ? std::string_view{} : all.substr(nl + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#')
            continue;
        auto colon = line.find(':');
        if (colon == std::string_view::npos)
            return fail(err(KeyFileErrorCode::Malformed,
                            where(path, lineNo) + "expected \"name: value\"."));
        const std::string_view key = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        while (!value.empty() && value.back() == ' ')
            value.remove_suffix(1);
        if (!sawHeader) {
            if (key != "minsheng-key")
                return fail(err(KeyFileErrorCode::Malformed,
                                where(path, lineNo) +
                                    "not a Minsheng key file (the first line must be "
                                    "\"minsheng-key: 1\")."));
            if (value != "1")
                return fail(err(KeyFileErrorCode::UnsupportedVersion,
                                where(path, lineNo) + "key file version " + std::string(value) +
                                    " is not supported by this program (it reads version 1); "
                                    "update Minsheng."));
            sawHeader = true;
            continue;
        }
        if (key == "label") {
            labels.emplace_back(value); // labels are public
            continue;
        }
        if (std::find(kKnownFields.begin(), kKnownFields.end(), key) == kKnownFields.end())
            return fail(err(KeyFileErrorCode::Malformed,
                            where(path, lineNo) + "unknown field \"" + std::string(key) + "\"."));
        if (!fields.add(key, {value, lineNo}))
            return fail(
                err(KeyFileErrorCode::Malformed,
                    where(path, lineNo) + "field \"" + std::string(key) + "\" appears twice."));
    }
    if (!sawHeader)
        return fail(err(KeyFileErrorCode::Malformed, name + ": empty file, not a key file."));
    for (const char* required : {"kind", "algorithm", "key-id", "key"})
        if (!fields.has(required))
            return fail(err(KeyFileErrorCode::Malformed,
                            name + ": missing the \"" + required + "\" field."));

    const KeyFileField kindField = fields.get("kind");
    const KindInfo* kind = infoByName(kindField.value);
    if (!kind)
        return fail(err(KeyFileErrorCode::Malformed, where(path, kindField.line) +
                                                         "unknown key kind \"" +
                                                         std::string(kindField.value) + "\"."));
    // Checked once the file says what it holds: a public key may be world-readable, a secret
    // one may not, whatever the caller expected.
    if (kind->secret && (fileMode & 077) != 0)
        return fail(err(KeyFileErrorCode::TooOpen,
                        name +
                            ": this secret key file can be read or written by other users (mode " +
                            modeString(static_cast<mode_t>(fileMode)) +
                            "), so it may already be exposed. Fix it with: chmod 600 " + name +
                            " (and consider replacing the key)."));
    if (kind->kind != expected)
        return fail(err(KeyFileErrorCode::WrongKind,
                        name + ": holds a " + std::string(kind->name) + " key, but a " +
                            std::string(keyKindName(expected)) +
                            " key is needed here. Check which file the configuration points to."));
    if (fields.get("algorithm").value != kind->algorithm)
        return fail(err(KeyFileErrorCode::Malformed, where(path, fields.get("algorithm").line) +
                                                         "algorithm must be " +
                                                         std::string(kind->algorithm) + " for a " +
                                                         std::string(kind->name) + " key."));
    const KeyFileField keyIdField = fields.get("key-id");
    auto keyId = fromHex(keyIdField.value);
    if (!keyId || keyId->size() != 8 || toHex(*keyId) != keyIdField.value)
        return fail(
            err(KeyFileErrorCode::Malformed,
                where(path, keyIdField.line) + "key-id must be 16 hex digits, lower-case."));

    const KeyFileField protectionField = fields.get("protection");
    const std::string_view protection =
        fields.has("protection") ? protectionField.value : kProtectionNone;
    if (!kind->secret && fields.has("protection"))
        return fail(err(KeyFileErrorCode::Malformed, where(path, protectionField.line) +
                                                         "public key files are never protected."));
    // The protection parameters belong to protected files only: one key, one spelling.
    if (protection != kProtectionArgon)
        for (const char* onlyProtected :
             {"argon2id-opslimit", "argon2id-memlimit", "argon2id-salt", "nonce"})
            if (fields.has(onlyProtected))
                return fail(err(KeyFileErrorCode::Malformed,
                                where(path, fields.get(onlyProtected).line) + "field \"" +
                                    onlyProtected +
                                    "\" belongs only to a passphrase-protected secret key."));
    // The stored key is decoded straight into guarded memory: unprotected, it is the secret.
    const KeyFileField keyField = fields.get("key");
    auto stored = secretFromBase64(keyField.value);
    if (!stored)
        return fail(err(KeyFileErrorCode::Malformed,
                        where(path, keyField.line) + "key is not valid base64."));

    SecretBytes keyBytes;
    if (protection == kProtectionNone) {
        keyBytes = std::move(*stored);
    } else if (protection == kProtectionArgon) {
        for (const char* required :
             {"argon2id-opslimit", "argon2id-memlimit", "argon2id-salt", "nonce"})
            if (!fields.has(required))
                return fail(err(KeyFileErrorCode::Malformed,
                                name + ": protected key file is missing \"" + required + "\"."));
        const auto ops = parseDecimal(fields.get("argon2id-opslimit").value);
        const auto mem = parseDecimal(fields.get("argon2id-memlimit").value);
        if (!ops || !mem)
            return fail(err(KeyFileErrorCode::Malformed,
                            name + ": Argon2id limits must be decimal numbers (digits only, no "
                                   "leading zero)."));
        if (*ops < crypto_pwhash_OPSLIMIT_MIN || *ops > kMaxOpslimit ||
            *mem < crypto_pwhash_MEMLIMIT_MIN || *mem > kMaxMemlimit)
            return fail(err(KeyFileErrorCode::Malformed,
                            name + ": Argon2id limits out of the accepted range."));
        auto salt = fromBase64(fields.get("argon2id-salt").value);
        auto nonce = fromBase64(fields.get("nonce").value);
        if (!salt || salt->size() != crypto_pwhash_SALTBYTES || !nonce ||
            nonce->size() != crypto_secretbox_NONCEBYTES ||
            stored->size() != kind->keyBytes + crypto_secretbox_MACBYTES)
            return fail(err(KeyFileErrorCode::Malformed,
                            name + ": salt, nonce or encrypted key has the wrong length."));
        std::optional<SecretBytes> pass = passphrase ? passphrase(path) : std::nullopt;
        if (!pass)
            return fail(err(KeyFileErrorCode::PassphraseNeeded,
                            name + ": this key is protected by a passphrase; enter it when asked "
                                   "or set MINSHENG_PASSPHRASE_FILE."));
        SecretBytes fileKey;
        if (!deriveKey(fileKey, *pass, *salt, *ops, static_cast<std::size_t>(*mem)))
            return fail(err(KeyFileErrorCode::Unreadable,
                            name + ": not enough memory to derive the key from the passphrase."));
        keyBytes = SecretBytes(kind->keyBytes);
        if (crypto_secretbox_open_easy(keyBytes.data(), stored->data(), stored->size(),
                                       nonce->data(), fileKey.data()) != 0)
            return fail(err(KeyFileErrorCode::WrongPassphrase,
                            name + ": wrong passphrase (or the file was altered)."));
    } else {
        return fail(err(KeyFileErrorCode::Malformed, where(path, protectionField.line) +
                                                         "unknown protection \"" +
                                                         std::string(protection) + "\"."));
    }
    if (keyBytes.size() != kind->keyBytes)
        return fail(err(KeyFileErrorCode::Malformed,
                        where(path, keyField.line) + "a " + std::string(kind->name) + " key is " +
                            std::to_string(kind->keyBytes) + " bytes, this one is " +
                            std::to_string(keyBytes.size()) + "."));
    const KeyId id = keyIdOfKey(kind->kind, keyBytes.span());
    if (!constantTimeEqual(id, *keyId))
        return fail(err(KeyFileErrorCode::KeyIdMismatch,
                        where(path, keyIdField.line) +
                            "key-id does not match the key (file edited or damaged)."));
    return LoadedKey{kind->kind, id, std::move(keyBytes), std::move(labels)};
}

Result<Ok, KeyFileError> writeKeyFile(const fs::path& path, KeyKind kind,
                                      std::span<const std::uint8_t> keyBytes,
                                      const std::vector<std::string>& labels,
                                      const SecretBytes* passphrase,
                                      PassphraseProtection protection) {
    const KindInfo& ki = info(kind);
    const std::string name = path.string();
    if (keyBytes.size() != ki.keyBytes)
        throw std::invalid_argument("writeKeyFile: wrong key length for " + std::string(ki.name));
    for (const auto& l : labels)
        if (l.find('\n') != std::string::npos || l.find('\r') != std::string::npos)
            throw std::invalid_argument("writeKeyFile: label contains a line break");

    std::ostringstream header;
    header << "# Minsheng " << (ki.secret ? "SECRET " : "public ") << "key file. "
           << (ki.secret ? "Keep it private (mode 0600); never send it to anyone.\n"
                         : "Safe to share.\n");
    header << "minsheng-key: 1\n"
           << "kind: " << ki.name << "\n"
           << "algorithm: " << ki.algorithm << "\n"
           << "key-id: " << toHex(keyIdOfKey(kind, keyBytes)) << "\n";
    for (const auto& l : labels)
        header << "label: " << l << "\n";

    // Build the whole text in guarded memory: it may contain the unencrypted secret.
    std::string head = header.str();
    std::string tail;
    std::string keyB64;
    if (ki.secret && passphrase) {
        Bytes salt(crypto_pwhash_SALTBYTES), nonce(crypto_secretbox_NONCEBYTES);
        randombytes_buf(salt.data(), salt.size());
        randombytes_buf(nonce.data(), nonce.size());
        SecretBytes fileKey;
        if (!deriveKey(fileKey, *passphrase, salt, protection.opslimit, protection.memlimit))
            return fail(err(KeyFileErrorCode::WriteFailed,
                            name + ": not enough memory for Argon2id with these limits."));
        Bytes boxed(keyBytes.size() + crypto_secretbox_MACBYTES);
        crypto_secretbox_easy(boxed.data(), keyBytes.data(), keyBytes.size(), nonce.data(),
                              fileKey.data());
        tail = "protection: " + std::string(kProtectionArgon) + "\n" +
               "argon2id-opslimit: " + std::to_string(protection.opslimit) + "\n" +
               "argon2id-memlimit: " + std::to_string(protection.memlimit) + "\n" +
               "argon2id-salt: " + toBase64(salt) + "\n" + "nonce: " + toBase64(nonce) + "\n" +
               "key: " + toBase64(boxed) + "\n";
    } else {
        if (ki.secret)
            tail = "protection: none\n";
        keyB64 = toBase64(keyBytes);
    }
    SecretBytes text(head.size() + tail.size() + (keyB64.empty() ? 0 : keyB64.size() + 6));
    std::size_t off = 0;
    auto put = [&](std::string_view s) {
        std::memcpy(text.data() + off, s.data(), s.size());
        off += s.size();
    };
    put(head);
    put(tail);
    if (!keyB64.empty()) {
        put("key: ");
        put(keyB64);
        put("\n");
        sodium_memzero(keyB64.data(), keyB64.size());
    }

    // Public keys too are their owner's alone: a copy for others is made on purpose (the
    // kiosk bundle, a USB stick), never by the folder's mode.
    const mode_t mode = 0600;
    // Never overwrites an existing key; never leaves half a key behind (atomic_file.hpp).
    auto written = writeFileAtomically(
        path, std::span<const std::uint8_t>(text.data(), text.size()), mode, Existing::Refuse);
    if (!written) {
        const auto& e = written.error();
        if (e.code == AtomicFileError::Code::AlreadyExists)
            return fail(err(KeyFileErrorCode::AlreadyExists,
                            name + ": already exists; refusing to overwrite a key. Move it away "
                                   "first if you really mean to replace it."));
        if (e.code == AtomicFileError::Code::Unwritable)
            return fail(err(KeyFileErrorCode::WriteFailed,
                            name + ": cannot create: " + std::strerror(e.sysErrno) + "."));
        return fail(err(KeyFileErrorCode::WriteFailed, name + ": could not write the key file: " +
                                                           std::strerror(e.sysErrno) + "."));
    }
    return Ok{};
}

namespace {

/// readKeyFile, then the key bytes as a public key type (the parser has checked their length).
template <class PublicKey>
Result<PublicKey, KeyFileError> readPublicKey(const fs::path& p, KeyKind kind) {
    auto k = readKeyFile(p, kind);
    if (!k)
        return fail(k.error());
    PublicKey pk;
    std::memcpy(pk.bytes.data(), k->bytes.data(), pk.bytes.size());
    return pk;
}

/// readKeyFile, then the guarded key bytes moved into a secret key type.
template <class SecretKey>
Result<SecretKey, KeyFileError> readSecretKey(const fs::path& p, KeyKind kind,
                                              const PassphraseSource& pass) {
    auto k = readKeyFile(p, kind, pass);
    if (!k)
        return fail(k.error());
    return SecretKey(std::move(k->bytes));
}

} // namespace

Result<Ed25519PublicKey, KeyFileError> readEd25519PublicKey(const fs::path& p, KeyKind kind) {
    return readPublicKey<Ed25519PublicKey>(p, kind);
}

Result<Ed25519SecretKey, KeyFileError> readEd25519SecretKey(const fs::path& p, KeyKind kind,
                                                            const PassphraseSource& pass) {
    return readSecretKey<Ed25519SecretKey>(p, kind, pass);
}

Result<X25519PublicKey, KeyFileError> readX25519PublicKey(const fs::path& p) {
    return readPublicKey<X25519PublicKey>(p, KeyKind::CountySealingPublic);
}

Result<X25519SecretKey, KeyFileError> readX25519SecretKey(const fs::path& p,
                                                          const PassphraseSource& pass) {
    return readSecretKey<X25519SecretKey>(p, KeyKind::CountySealingSecret, pass);
}

Result<ReceiptTagKey, KeyFileError> readReceiptTagKey(const fs::path& p) {
    return readSecretKey<ReceiptTagKey>(p, KeyKind::ReceiptTagKey, {});
}

} // namespace minsheng::crypto
