// The staff side of an envelope: read exported files, verify them against the registry and the
// chain (trusting nobody in between), and open them with the county's sealing key.
#pragma once

#include "county/office/county_dir.hpp"
#include "county/office/kiosk_registry.hpp"
#include "crypto/envelope.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::county {

struct OpenedEnvelope {
    std::filesystem::path file;
    std::optional<crypto::Envelope> envelope; // absent when the file could not be parsed
    std::optional<crypto::EnvelopeFailure> failure;
    std::string problem;            // a sentence when failure is set
    std::vector<std::string> notes; // chain remarks that are not failures (e.g. "starts at 5")
    crypto::SecretBytes payload;    // canonical JSON, only when verified and opened
};

/// Why one envelope failed a check, with a sentence for staff.
struct EnvelopeProblem {
    crypto::EnvelopeFailure failure;
    std::string problem;
};

/// Protocol section 5 steps 3-4 for one parsed envelope: the kiosk is enrolled (and, unless
/// `allowRevoked`, not revoked) and its signature verifies. The chain (step 5) needs state and
/// is the caller's: openEnvelopeFiles follows the files given, the staff ledger what it holds.
[[nodiscard]] std::optional<EnvelopeProblem> checkEnvelopeOrigin(const crypto::Envelope& envelope,
                                                                 const KioskRegistry& registry,
                                                                 bool allowRevoked);

/// Step 6: the county key id, the sealed box and the padding. The canonical payload on success.
[[nodiscard]] Result<crypto::SecretBytes, EnvelopeProblem>
openCheckedEnvelope(const crypto::Envelope& envelope, const CountyOpeningKeys& keys);

/// Expands folders to their *.msenv.json files; plain files are taken as given.
std::vector<std::filesystem::path>
collectEnvelopeFiles(const std::vector<std::filesystem::path>& args);

/// Parses, verifies (registry, signature, chain per kiosk in sequence order) and opens every
/// file. The result is sorted by kiosk id, then sequence; unparseable files come first.
std::vector<OpenedEnvelope> openEnvelopeFiles(const std::vector<std::filesystem::path>& files,
                                              const KioskRegistry& registry,
                                              const CountyOpeningKeys& keys);

} // namespace minsheng::county
