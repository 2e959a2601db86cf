// The county's TLS material and staff token, made once by `minsheng-county init`.
//
//   DIR/tls/ca.pem        county CA certificate: ECDSA P-256, SHA-256, 10 years, CA:TRUE pathlen 0
//   DIR/tls/ca.key        its private key, PKCS#8 PEM, mode 0600; encrypted (PBES2 AES-256-CBC)
//                         with the county passphrase when the county keys are protected
//   DIR/tls/server.pem    server certificate for the host of the county URL: ECDSA P-256,
//                         2 years, subjectAltName = DNS:<host> or IP:<address>, serverAuth only
//   DIR/tls/server.key    its private key, PKCS#8 PEM, mode 0600, never encrypted (the intake
//                         server starts unattended)
//   DIR/tls/console.pem   the office console's certificate (made when the console first starts):
//                         like server.pem, for the hosts staff browse to (loopback by default)
//   DIR/tls/console.key   its private key, PKCS#8 PEM, mode 0600, never encrypted
//   DIR/keys/staff.token  64 lower-case hex digits (32 random bytes) and a newline, mode 0600:
//                         the Bearer token of the staff endpoints (docs/protocol.md section 9)
//
// Why P-256: every OpenSSL 3 build and every TLS 1.2/1.3 client handles ECDSA P-256 certificates
// (Ed25519 certificates are TLS 1.3-only in practice), and its handshakes are cheap.
// The kiosk trusts exactly this CA (BUNDLE/keys/county-ca.pem), never the system store, and
// checks the host name, so a certificate from any public CA cannot stand in for the county.
//
// Invariants:
//   1. Files are created with O_EXCL: nothing here ever overwrites a key or certificate.
//   2. Private keys are written with mode 0600 and fsync'ed before the function returns.
//   3. This module uses OpenSSL's C API only; crypto/ stays libsodium-only.
#pragma once

#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::county {

struct TlsError {
    std::string message; // a full sentence naming the file and what to do
};

/// The host of an https URL: "https://host[:port][/...]" → host ("[::1]" → "::1").
[[nodiscard]] Result<std::string, TlsError> hostOfHttpsUrl(const std::string& url);

/// Creates DIR/tls/{ca.pem,ca.key,server.pem,server.key} for the host of `countyUrl`.
/// `caKeyPassphrase` (optional) encrypts ca.key. Refuses if any of the files exists.
[[nodiscard]] Result<Ok, TlsError> createCountyTls(const std::filesystem::path& tlsDir,
                                                   const std::string& countyUrl,
                                                   const std::string& countyName,
                                                   const crypto::SecretBytes* caKeyPassphrase);

/// Creates DIR/tls/{console.pem,console.key} for `hosts` (IP addresses or DNS names; the first
/// is the common name), signed by the county CA (ca.key decrypted with `caKeyPassphrase` when it
/// is protected). Refuses if either file exists.
[[nodiscard]] Result<Ok, TlsError> createConsoleTls(const std::filesystem::path& tlsDir,
                                                    const std::vector<std::string>& hosts,
                                                    const crypto::SecretBytes* caKeyPassphrase);

/// Writes a fresh staff token (64 hex digits) to `file` with mode 0600. Refuses to overwrite.
[[nodiscard]] Result<Ok, TlsError> createStaffToken(const std::filesystem::path& file);

/// Reads a staff token file (refused when group or others have any permission bit).
[[nodiscard]] Result<crypto::SecretBytes, TlsError>
readStaffToken(const std::filesystem::path& file);

} // namespace minsheng::county
