#include "county/office/envelope_opener.hpp"

#include "sync/wire/envelope_json.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace minsheng::county {
namespace fs = std::filesystem;
using crypto::EnvelopeFailure;

std::optional<EnvelopeProblem> checkEnvelopeOrigin(const crypto::Envelope& envelope,
                                                   const KioskRegistry& registry,
                                                   bool allowRevoked) {
    const auto& h = envelope.header;
    const std::string who = h.kioskId + " #" + std::to_string(h.sequence);
    const EnrolledKiosk* kiosk = registry.find(h.kioskId);
    if (!kiosk)
        return EnvelopeProblem{EnvelopeFailure::UnknownKiosk,
                               who + ": kiosk \"" + h.kioskId +
                                   "\" is not enrolled in this county."};
    if (kiosk->revoked && !allowRevoked)
        return EnvelopeProblem{EnvelopeFailure::RevokedKiosk, who + ": kiosk \"" + h.kioskId +
                                                                  "\" is revoked (see kiosks/" +
                                                                  h.kioskId + ".revoked)."};
    if (auto verified = crypto::verifyEnvelope(envelope, kiosk->publicKey); !verified) {
        const EnvelopeFailure bad = verified.error();
        return EnvelopeProblem{bad, who + ": " + std::string(crypto::envelopeFailureName(bad)) +
                                        (bad == EnvelopeFailure::BadSignature
                                             ? " — the envelope was altered or not made by "
                                               "this kiosk."
                                             : ".")};
    }
    return std::nullopt;
}

Result<crypto::SecretBytes, EnvelopeProblem> openCheckedEnvelope(const crypto::Envelope& envelope,
                                                                 const CountyOpeningKeys& keys) {
    auto opened = crypto::openEnvelope(envelope, keys.sealing);
    if (!opened) {
        const auto& h = envelope.header;
        return fail(EnvelopeProblem{
            opened.error(),
            h.kioskId + " #" + std::to_string(h.sequence) + ": " +
                std::string(crypto::envelopeFailureName(opened.error())) +
                (opened.error() == EnvelopeFailure::WrongCountyKey
                     ? " — sealed to another county key; open it with that county's folder."
                     : " — the sealed payload is damaged.")});
    }
    return std::move(opened.value());
}

std::vector<fs::path> collectEnvelopeFiles(const std::vector<fs::path>& args) {
    std::vector<fs::path> out;
    for (const auto& a : args) {
        std::error_code ec;
        if (fs::is_directory(a, ec)) {
            std::vector<fs::path> inDir;
            for (const auto& e : fs::directory_iterator(a, ec)) {
                const std::string n = e.path().filename().string();
                if (n.size() > 11 && n.compare(n.size() - 11, 11, ".msenv.json") == 0)
                    inDir.push_back(e.path());
            }
            std::sort(inDir.begin(), inDir.end());
            out.insert(out.end(), inDir.begin(), inDir.end());
        } else {
            out.push_back(a);
        }
    }
    return out;
}

std::vector<OpenedEnvelope> openEnvelopeFiles(const std::vector<fs::path>& files,
                                              const KioskRegistry& registry,
                                              const CountyOpeningKeys& keys) {
    std::vector<OpenedEnvelope> results;
    results.reserve(files.size());
    for (const auto& f : files) {
        OpenedEnvelope o;
        o.file = f;
        std::ifstream in(f, std::ios::binary);
        if (!in) {
            o.failure = EnvelopeFailure::Malformed;
            o.problem = f.string() + ": cannot read the file.";
            results.push_back(std::move(o));
            continue;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        auto parsed = sync::envelopeFromJson(ss.str());
        if (!parsed) {
            o.failure = parsed.error().failure;
            o.problem = f.string() + ": " + parsed.error().message + ".";
        } else {
            o.envelope = std::move(parsed.value());
        }
        results.push_back(std::move(o));
    }
    // Unparseable first, then by kiosk and sequence: the order a chain is checked in.
    std::stable_sort(results.begin(), results.end(),
                     [](const OpenedEnvelope& a, const OpenedEnvelope& b) {
                         if (a.envelope.has_value() != b.envelope.has_value())
                             return !a.envelope.has_value();
                         if (!a.envelope)
                             return false;
                         if (a.envelope->header.kioskId != b.envelope->header.kioskId)
                             return a.envelope->header.kioskId < b.envelope->header.kioskId;
                         return a.envelope->header.sequence < b.envelope->header.sequence;
                     });

    std::map<std::string, crypto::ChainVerifier> chains;
    for (auto& o : results) {
        if (!o.envelope)
            continue;
        const auto& h = o.envelope->header;
        const std::string who = h.kioskId + " #" + std::to_string(h.sequence);
        if (auto bad = checkEnvelopeOrigin(*o.envelope, registry, true)) {
            o.failure = bad->failure;
            o.problem = std::move(bad->problem);
            continue;
        }
        if (registry.find(h.kioskId)->revoked)
            o.notes.push_back("kiosk " + h.kioskId + " is revoked; treat with care.");

        // The chain: the first envelope seen for a kiosk anchors it (earlier ones may simply not
        // be in this set of files); after that every envelope must follow directly.
        auto it = chains.find(h.kioskId);
        if (it == chains.end()) {
            if (h.sequence != 1)
                o.notes.push_back("envelopes 1 to " + std::to_string(h.sequence - 1) + " of " +
                                  h.kioskId + " are not among these files.");
            chains.emplace(h.kioskId,
                           crypto::ChainVerifier(h.sequence, crypto::envelopeHash(*o.envelope)));
        } else if (!it->second.accept(*o.envelope).ok()) {
            if (h.sequence == it->second.lastSequence() &&
                crypto::constantTimeEqual(crypto::envelopeHash(*o.envelope),
                                          it->second.lastHash())) {
                o.notes.push_back("the same envelope appears twice; listed once.");
                o.failure = EnvelopeFailure::ChainBreak;
                o.problem = who + ": duplicate of the envelope above (same content), skipped.";
                continue;
            }
            if (h.sequence == it->second.lastSequence()) {
                o.failure = EnvelopeFailure::ChainBreak;
                o.problem =
                    who + ": a second, different envelope with the same sequence number (a fork).";
                continue;
            }
            if (h.sequence > it->second.lastSequence() + 1) {
                o.notes.push_back(
                    "gap: envelopes " + std::to_string(it->second.lastSequence() + 1) + " to " +
                    std::to_string(h.sequence - 1) + " of " + h.kioskId + " are missing.");
                it->second = crypto::ChainVerifier(h.sequence, crypto::envelopeHash(*o.envelope));
            } else {
                o.failure = EnvelopeFailure::ChainBreak;
                o.problem = who + ": does not chain to the envelope before it (altered history).";
                continue;
            }
        }

        auto opened = openCheckedEnvelope(*o.envelope, keys);
        if (!opened) {
            o.failure = opened.error().failure;
            o.problem = std::move(opened.error().problem);
            continue;
        }
        o.payload = std::move(opened.value());
    }
    return results;
}

} // namespace minsheng::county
