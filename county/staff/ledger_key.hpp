// The ledger's key: 32 bytes that SQLCipher uses directly (raw-key form, as the outbox).
//
// Two sources, chosen by county.toml [keys] passphrase_protected:
//
//   true   Argon2id(staff passphrase, salt) with the salt and limits in DIR/ledger.salt:
//            minsheng-ledger-salt: 1
//            argon2id-salt: <base64 of 16 bytes>
//            argon2id-opslimit: <passes>
//            argon2id-memlimit: <bytes>
//          The limits are copied from DIR/keys/county-sealing.key when the ledger is created, so a
//          county made with init's defaults pays libsodium's MODERATE cost (and a test county
//          made with --fast-kdf pays little). The passphrase is the county's: before a new
//          ledger is created the passphrase is checked against county-sealing.key, so a
//          mistyped passphrase can never create a ledger nobody can open.
//   false  a random key in DIR/keys/ledger.key (32 raw bytes, 0600), created with the ledger
//          (sync::FileStoreKey: O_EXCL, fsync, link).
//
// Invariants:
//   1. A salt or key file is created only when ledger.db does not exist; an existing one is
//      never replaced (a new salt would be a new key, and the ledger would be lost).
//   2. Key bytes exist only in SecretBytes and are never printed.
#pragma once

#include "county/office/county_dir.hpp"
#include "county/staff/ledger.hpp"
#include "crypto/key_file.hpp"

namespace minsheng::staff {

inline constexpr const char* kLedgerSaltFileName = "ledger.salt";
inline constexpr const char* kLedgerKeyFileName = "ledger.key"; // in DIR/keys

/// The ledger key of county folder `dir`, creating its salt or key file when the ledger does not
/// exist yet and `mayCreate` is true.
[[nodiscard]] Result<crypto::SecretBytes, LedgerError>
loadLedgerKey(const county::CountyDir& dir, const county::CountyConfig& config,
              const crypto::PassphraseSource& passphrase, bool mayCreate);

/// Opens (or, with mayCreate, creates) DIR/ledger.db with its key.
[[nodiscard]] Result<Ledger, LedgerError> openLedger(const county::CountyDir& dir,
                                                     const county::CountyConfig& config,
                                                     const crypto::PassphraseSource& passphrase,
                                                     bool mayCreate);

} // namespace minsheng::staff
