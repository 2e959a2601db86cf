// Key files: the one place that reads and writes keys on disk.
//
// Format (version 1), UTF-8 text, one "name: value" per line, '#' starts a comment line:
//
//   minsheng-key: 1                       must be the first non-comment line
//   kind: county-sealing-secret           see KeyKind
//   algorithm: x25519                     ed25519 | x25519 | blake2b-key
//   key-id: 0123456789abcdef              keyIdOf(public key); of the key itself for blake2b-key
//   protection: none                      secret files only: none | argon2id-xsalsa20poly1305
//   argon2id-opslimit: 3                  only when protected
//   argon2id-memlimit: 268435456          only when protected (bytes)
//   argon2id-salt: <base64, 16 bytes>     only when protected
//   nonce: <base64, 24 bytes>             only when protected
//   key: <base64>                         the key bytes (encrypted when protected)
//   label: <free text>                    optional, any number of times
//
// Secret key bytes: ed25519 = 64 bytes (libsodium's seed || public key), x25519 = 32 bytes,
// blake2b-key = 32 bytes. Public key bytes: 32.
// Protection: key = Argon2id(passphrase, salt, opslimit, memlimit) -> 32 bytes;
// stored key = crypto_secretbox_easy(secret key, nonce, key) (XSalsa20-Poly1305).
//
// Invariants:
//   1. Secret key files are created with mode 0600 (O_EXCL: an existing file is never
//      overwritten) and refused on read if group or others have any permission bit.
//   2. key-id is recomputed on read and must match, so a file edited by hand or a key pasted into
//      the wrong file is caught.
//   3. Decrypted secret bytes exist only in SecretBytes. Reading makes no copy of a secret in
//      ordinary memory: readKeyFile reads the file into SecretBytes, parseKeyFile keeps each
//      field as a view into the text it was given, and the key is decoded from base64 straight
//      into SecretBytes (secretFromBase64); the key id of a receipt-tag key is hashed in place.
#pragma once

#include "crypto/keys.hpp"
#include "crypto/result.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::crypto {

enum class KeyKind {
    KioskSigningSecret,
    KioskSigningPublic,
    CountySealingSecret,
    CountySealingPublic,
    CountySigningSecret,
    CountySigningPublic,
    ReceiptTagKey,
};
std::string_view keyKindName(KeyKind kind); // "kiosk-signing-secret", ...
bool isSecretKind(KeyKind kind);

enum class KeyFileErrorCode {
    NotFound,
    Unreadable, // I/O error or not a regular file
    TooOpen,    // secret file readable or writable by group/others
    Malformed,  // syntax, missing or duplicate field, bad base64, wrong length
    UnsupportedVersion,
    WrongKind, // e.g. a public key where a secret key was expected
    KeyIdMismatch,
    PassphraseNeeded, // protected file and no passphrase available
    WrongPassphrase,
    AlreadyExists, // on write
    WriteFailed,   // on write
};

struct KeyFileError {
    KeyFileErrorCode code;
    /// A complete sentence naming the file (and line) and what to do, e.g.
    /// "county.key: readable by group or others (mode 0644); run: chmod 600 county.key".
    std::string message;
};

struct PassphraseProtection {
    /// Defaults: libsodium's MODERATE limits (3 passes, 256 MiB). Tests pass smaller ones.
    unsigned long long opslimit = 3;
    std::size_t memlimit = 256u << 20;
};

/// Supplies the passphrase for a protected file; nullopt if none can be had.
using PassphraseSource = std::function<std::optional<SecretBytes>(const std::filesystem::path&)>;

struct LoadedKey {
    KeyKind kind;
    KeyId id;
    SecretBytes bytes; // secret or public key bytes, decrypted
    std::vector<std::string> labels;
};

[[nodiscard]] Result<LoadedKey, KeyFileError> readKeyFile(const std::filesystem::path& path,
                                                          KeyKind expected,
                                                          const PassphraseSource& passphrase = {});

/// The parser behind readKeyFile, for text already read (and for the fuzzer). `fileMode` is the
/// file's permission bits; `path` is only used in messages. The text is parsed in place, so a
/// caller holding a secret key file keeps it in guarded memory (invariant 3).
[[nodiscard]] Result<LoadedKey, KeyFileError> parseKeyFile(std::string_view text,
                                                           const std::filesystem::path& path,
                                                           unsigned fileMode, KeyKind expected,
                                                           const PassphraseSource& passphrase = {});

/// Writes a new key file; refuses to overwrite. Secret kinds get mode 0600; when `passphrase`
/// is given the key is encrypted with `protection`. The file is fsync'ed before returning.
[[nodiscard]] Result<Ok, KeyFileError> writeKeyFile(const std::filesystem::path& path, KeyKind kind,
                                                    std::span<const std::uint8_t> keyBytes,
                                                    const std::vector<std::string>& labels = {},
                                                    const SecretBytes* passphrase = nullptr,
                                                    PassphraseProtection protection = {});

// Typed conveniences over readKeyFile.
[[nodiscard]] Result<Ed25519PublicKey, KeyFileError>
readEd25519PublicKey(const std::filesystem::path&, KeyKind);
[[nodiscard]] Result<Ed25519SecretKey, KeyFileError>
readEd25519SecretKey(const std::filesystem::path&, KeyKind, const PassphraseSource& = {});
[[nodiscard]] Result<X25519PublicKey, KeyFileError>
readX25519PublicKey(const std::filesystem::path&);
[[nodiscard]] Result<X25519SecretKey, KeyFileError>
readX25519SecretKey(const std::filesystem::path&, const PassphraseSource& = {});
[[nodiscard]] Result<ReceiptTagKey, KeyFileError> readReceiptTagKey(const std::filesystem::path&);

} // namespace minsheng::crypto
