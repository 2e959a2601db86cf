// Registry changes made by staff: enrolling a kiosk whose key was made elsewhere, and revoking a
// kiosk (DIR/kiosks/<id>.revoked, which the intake server and the staff tool both read).
//
//   DIR/kiosks/<id>.revoked   text, written once (O_EXCL):
//                               # Kiosk <id> revoked with minsheng-county revoke.
//                               revoked-at: YYYY-MM-DDTHH:MMZ
//                               reason: <one line>
//
// After a revocation the server refuses the kiosk's new envelopes; the staff tool still records
// what the server acknowledged before the revocation time and marks those cases, and raises an
// alarm for anything later (intake.hpp).
#pragma once

#include "county/office/kiosk_registry.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace minsheng::staff {

/// Reads a kiosk public key for enrolment: a key file of kind kiosk-signing-public, or a file
/// holding just the 64 hex digits of the key.
[[nodiscard]] Result<crypto::Ed25519PublicKey, county::CountyError>
readKioskPublicKey(const std::filesystem::path& file);

/// Writes DIR/kiosks/<id>.revoked. Refuses an unknown or already revoked kiosk.
[[nodiscard]] Result<Ok, county::CountyError> revokeKiosk(const county::CountyDir& dir,
                                                          const std::string& kioskId,
                                                          const std::string& reason,
                                                          std::int64_t now);

} // namespace minsheng::staff
