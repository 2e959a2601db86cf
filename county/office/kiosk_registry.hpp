// The county's registry of enrolled kiosks: one public key file per kiosk in DIR/kiosks/.
//
//   DIR/kiosks/<id>.pub       kind kiosk-signing-public, labels "kiosk-id=<id>" and "name=<name>"
//   DIR/kiosks/<id>.revoked   present when the kiosk is revoked (its text says when and why)
//
// A file per kiosk keeps the registry readable and diffable by an office without tools; the
// intake server (county issue) loads the same files.
#pragma once

#include "county/office/county_dir.hpp"
#include "crypto/keys.hpp"
#include "crypto/result.hpp"

#include <map>
#include <string>

namespace minsheng::county {

struct EnrolledKiosk {
    std::string id;
    std::string name;
    crypto::Ed25519PublicKey publicKey;
    bool revoked = false;
};

class KioskRegistry {
public:
    [[nodiscard]] static Result<KioskRegistry, CountyError> load(const CountyDir& dir);
    /// Writes DIR/kiosks/<id>.pub; refuses an id that is already enrolled.
    [[nodiscard]] static Result<Ok, CountyError> enroll(const CountyDir& dir, const std::string& id,
                                                        const std::string& name,
                                                        const crypto::Ed25519PublicKey& key);
    const EnrolledKiosk* find(const std::string& id) const;
    const std::map<std::string, EnrolledKiosk>& all() const { return m_kiosks; }

private:
    std::map<std::string, EnrolledKiosk> m_kiosks;
};

/// [a-z0-9-]{1,64}: kiosk ids appear in file names, envelopes and URLs.
bool isValidKioskId(const std::string& id);

} // namespace minsheng::county
