// The county's kiosk configuration, published to kiosks as a signed configuration bundle
// (docs/protocol.md section 8, docs/staff.md "Changing what kiosks show").
//
// The county folder is the source of truth; a bundle holds these files:
//   complaint.toml, survey.toml, lists.toml   DIR/forms/ (checked with the kiosk's validator,
//                                             sync/forms/form_set.hpp)
//   policy.toml                               DIR/policy.toml, the 政策须知 pages, when present
//   contact.toml                              [contact] hotline and mailbox, from county.toml
//                                             [kiosk_defaults]
// Every bundle published is kept as DIR/published/<version>.json (wire form, 0644); the highest
// number there is the county's current configuration version, and the next bundle gets the
// next one, so versions only grow.
#pragma once

#include "county/office/county_dir.hpp"
#include "crypto/signed_messages.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace minsheng::county {

/// The file names a bundle may hold (the kiosk takes no others).
inline constexpr const char* kBundleContactFile = "contact.toml";
inline constexpr const char* kBundlePolicyFile = "policy.toml";

/// DIR/policy.toml: the county's own 政策须知 pages (optional).
std::filesystem::path countyPolicyFile(const CountyDir& dir);
/// DIR/published: every bundle the county published.
std::filesystem::path publishedDir(const CountyDir& dir);

/// Checks the county's configuration as kiosks will get it: the forms with the kiosk's
/// validator, the policy file's TOML, and — unless county.toml says demo = true — that no
/// shipped example value (0000-12345678, 示范县, 云溪县, …) is left. The error names the file
/// and the key or line to change.
[[nodiscard]] Result<Ok, CountyError> checkKioskConfiguration(const CountyDir& dir,
                                                              const CountyConfig& config);

/// The files of the next bundle, read from the county folder (after checkKioskConfiguration).
[[nodiscard]] Result<std::vector<crypto::ConfigBundleFile>, CountyError>
readKioskConfiguration(const CountyDir& dir, const CountyConfig& config);

/// The highest configuration version in DIR/published (0 when nothing was published).
[[nodiscard]] Result<std::uint64_t, CountyError> lastPublishedVersion(const CountyDir& dir);

struct PublishRequest {
    std::vector<std::string> targets; // kiosk ids; empty: every kiosk
    std::int64_t notBefore = 0;       // Unix seconds
};

/// Checks, signs and records the next bundle (DIR/published/<version>.json). Each target must
/// be an enrolled kiosk. Uploading it is the caller's step.
[[nodiscard]] Result<crypto::ConfigBundle, CountyError>
publishConfigBundle(const CountyDir& dir, const PublishRequest& request,
                    const crypto::Ed25519SecretKey& countySigningKey);

} // namespace minsheng::county
