// Provisioning: everything a new kiosk needs, in one folder (the "bundle") that is carried to
// the kiosk on a USB stick, plus the kiosk's enrolment in the county registry.
//
//   BUNDLE/kiosk.toml                  the kiosk's configuration
//   BUNDLE/keys/kiosk-signing.key      the kiosk's fresh Ed25519 secret key (0600)
//   BUNDLE/keys/county-sealing.pub     county keys the kiosk seals to and verifies with
//   BUNDLE/keys/county-signing.pub
//   BUNDLE/keys/receipt-tag.key        (0600)
//   BUNDLE/keys/county-ca.pem          the county CA, the forwarder's only TLS trust anchor
//   BUNDLE/forms/*.toml                the county's forms and lists
//   BUNDLE/data/                       created empty; the outbox goes here
#pragma once

#include "county/office/county_dir.hpp"

namespace minsheng::county {

struct ProvisionRequest {
    std::string kioskId;
    std::string name;
    std::string location;
    std::filesystem::path bundleDir;
};

[[nodiscard]] Result<Ok, CountyError> provisionKiosk(const CountyDir& dir,
                                                     const ProvisionRequest& request);

} // namespace minsheng::county
