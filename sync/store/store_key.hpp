// The outbox's store key: 32 random bytes that SQLCipher uses directly as its AES-256 key
// (raw-key form, no KDF), so opening the store costs nothing per start.
//
// Where the key comes from:
//   FileStoreKey        a 0600 file beside the kiosk's other secrets (development, tests, and
//                       images without systemd credentials).
//   CredentialStoreKey  $CREDENTIALS_DIRECTORY/<name>, i.e. systemd's LoadCredential= or
//                       LoadCredentialEncrypted= (the key then lives sealed to the TPM, not in
//                       clear beside the outbox: docs/outbox.md).
//
// Invariants:
//   1. A key is created only when the caller says the outbox does not exist yet; a key that
//      exists is never regenerated or overwritten (creation is crypto::writeFileAtomically with
//      Existing::Refuse: a temporary file link()ed into place, which fails if the name exists). A
//      lost key means a lost outbox, so an accident must not cause one.
//   2. A key file is refused if group or others have any permission bit, or if it is not
//      exactly 32 bytes (a truncated or padded key would be a different key).
//   3. Key bytes exist only in SecretBytes; nothing here logs or formats them.
#pragma once

#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"
#include "sync/store/store_error.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace minsheng::sync {

inline constexpr std::size_t kStoreKeyBytes = 32;

class StoreKeySource {
public:
    virtual ~StoreKeySource() = default;
    /// The 32 key bytes, or Missing / KeyUnusable / Io / Unwritable.
    [[nodiscard]] virtual Result<crypto::SecretBytes, StoreError> load() = 0;
};

/// A raw 32-byte key in a file of its own.
class FileStoreKey final : public StoreKeySource {
public:
    /// `createIfMissing`: pass true only when the outbox file does not exist yet (invariant 1).
    /// Creation writes a temporary file (0600) beside `path`, fsyncs it, links it to `path`
    /// (fails if `path` appeared meanwhile, in which case that key is read instead), and fsyncs
    /// the folder (crypto/atomic_file.hpp).
    FileStoreKey(std::filesystem::path path, bool createIfMissing);
    [[nodiscard]] Result<crypto::SecretBytes, StoreError> load() override;

private:
    std::filesystem::path m_path;
    bool m_createIfMissing;
};

/// A systemd credential: `$CREDENTIALS_DIRECTORY/<name>` holding exactly 32 raw bytes, or 64 hex
/// digits optionally followed by one newline.
class CredentialStoreKey final : public StoreKeySource {
public:
    explicit CredentialStoreKey(std::string name);
    [[nodiscard]] Result<crypto::SecretBytes, StoreError> load() override;

private:
    std::string m_name;
};

} // namespace minsheng::sync
