#include "county/office/envelope_opener.hpp"

#include "sync/wire/minute_time.hpp"

#include <algorithm>
#include <fstream>
#include <sys/stat.h>

namespace minsheng::county {
namespace fs = std::filesystem;
using crypto::EnvelopeFailure;

namespace {

std::string who(const crypto::EnvelopeHeader& h) {
    return h.kioskId + " #" + std::to_string(h.sequence);
}

EnvelopeVerdict alarmVerdict(EnvelopeAlarm alarm, std::string problem) {
    EnvelopeVerdict v;
    v.alarm = alarm;
    v.problem = std::move(problem);
    return v;
}

} // namespace

std::string_view envelopeAlarmName(EnvelopeAlarm alarm) {
    switch (alarm) {
    case EnvelopeAlarm::Malformed:
        return "malformed";
    case EnvelopeAlarm::UnknownVersion:
        return "unknown-version";
    case EnvelopeAlarm::UnknownKiosk:
        return "unknown-kiosk";
    case EnvelopeAlarm::BadSignature:
        return "bad-signature";
    case EnvelopeAlarm::BadAck:
        return "bad-ack";
    case EnvelopeAlarm::RevokedKiosk:
        return "revoked-kiosk";
    case EnvelopeAlarm::Fork:
        return "fork";
    case EnvelopeAlarm::ChainBreak:
        return "chain-break";
    case EnvelopeAlarm::WrongCountyKey:
        return "wrong-county-key";
    case EnvelopeAlarm::CannotOpen:
        return "cannot-open";
    case EnvelopeAlarm::BadPadding:
        return "bad-padding";
    case EnvelopeAlarm::BadPayload:
        return "bad-payload";
    }
    return "malformed";
}

std::vector<EnvelopeAlarm> allEnvelopeAlarms() {
    return {
        EnvelopeAlarm::Malformed,    EnvelopeAlarm::UnknownVersion, EnvelopeAlarm::UnknownKiosk,
        EnvelopeAlarm::BadSignature, EnvelopeAlarm::BadAck,         EnvelopeAlarm::RevokedKiosk,
        EnvelopeAlarm::Fork,         EnvelopeAlarm::ChainBreak,     EnvelopeAlarm::WrongCountyKey,
        EnvelopeAlarm::CannotOpen,   EnvelopeAlarm::BadPadding,     EnvelopeAlarm::BadPayload};
}

EnvelopeAlarm envelopeAlarmFor(EnvelopeFailure failure) {
    switch (failure) {
    case EnvelopeFailure::Malformed:
        return EnvelopeAlarm::Malformed;
    case EnvelopeFailure::UnknownVersion:
        return EnvelopeAlarm::UnknownVersion;
    case EnvelopeFailure::UnknownKiosk:
        return EnvelopeAlarm::UnknownKiosk;
    case EnvelopeFailure::RevokedKiosk:
        return EnvelopeAlarm::RevokedKiosk;
    case EnvelopeFailure::BadSignature:
        return EnvelopeAlarm::BadSignature;
    case EnvelopeFailure::ChainBreak:
        return EnvelopeAlarm::ChainBreak;
    case EnvelopeFailure::WrongCountyKey:
        return EnvelopeAlarm::WrongCountyKey;
    case EnvelopeFailure::CannotOpen:
        return EnvelopeAlarm::CannotOpen;
    case EnvelopeFailure::BadPadding:
        return EnvelopeAlarm::BadPadding;
    case EnvelopeFailure::BadSealedKind:
        return EnvelopeAlarm::BadPayload;
    }
    return EnvelopeAlarm::Malformed;
}

EnvelopeVerdict unparsedEnvelopeVerdict(const sync::EnvelopeWireError& error,
                                        const std::string& where) {
    return alarmVerdict(envelopeAlarmFor(error.failure), where + ": " + error.message + ".");
}

// ---- the chain ---------------------------------------------------------------------------------

EnvelopeVerdict ChainRecord::check(const crypto::Envelope& envelope,
                                   const crypto::Hash256& hash) const {
    const auto& h = envelope.header;
    EnvelopeVerdict v;
    const auto kiosk = m_kiosks.find(h.kioskId);
    if (kiosk == m_kiosks.end()) {
        if (h.sequence > 1)
            v.notes.push_back("envelopes 1 to " + std::to_string(h.sequence - 1) + " of " +
                              h.kioskId + " are not among these.");
        return v;
    }
    const auto& links = kiosk->second;
    if (auto same = links.find(h.sequence); same != links.end()) {
        if (crypto::constantTimeEqual(same->second.hash, hash)) {
            v.duplicate = true;
            v.notes.push_back("the same envelope appears twice; counted once.");
            return v;
        }
        return alarmVerdict(EnvelopeAlarm::Fork,
                            who(h) +
                                ": FORK — a second, different envelope with the same kiosk "
                                "and sequence (hash " +
                                crypto::toHex(same->second.hash).substr(0, 16) +
                                "…). The kiosk's key may have been copied: check the kiosk and "
                                "consider `minsheng-county revoke`.");
    }
    const auto before = h.sequence > 1 ? links.find(h.sequence - 1) : links.end();
    if (before != links.end() && !crypto::constantTimeEqual(before->second.hash, h.previousHash))
        return alarmVerdict(EnvelopeAlarm::ChainBreak,
                            who(h) + ": CHAIN BREAK — its previous hash is not the hash of #" +
                                std::to_string(h.sequence - 1) +
                                ": the kiosk's history was altered, or an envelope was forged "
                                "with its key.");
    if (auto after = links.find(h.sequence + 1);
        after != links.end() && !crypto::constantTimeEqual(after->second.previous, hash))
        return alarmVerdict(EnvelopeAlarm::ChainBreak,
                            who(h) + ": CHAIN BREAK — #" + std::to_string(h.sequence + 1) +
                                " does not chain to it: the kiosk's history was altered, or an "
                                "envelope was forged with its key.");
    if (before == links.end()) {
        // The highest sequence held below this one, if any, bounds the gap.
        auto below = links.lower_bound(h.sequence);
        const std::uint64_t from = below == links.begin() ? 1 : std::prev(below)->first + 1;
        v.notes.push_back("gap: envelopes " + std::to_string(from) + " to " +
                          std::to_string(h.sequence - 1) + " of " + h.kioskId +
                          " are not among these.");
    }
    return v;
}

void ChainRecord::add(const crypto::Envelope& envelope, const crypto::Hash256& hash) {
    m_kiosks[envelope.header.kioskId][envelope.header.sequence] = {hash,
                                                                   envelope.header.previousHash};
}

// ---- revocation --------------------------------------------------------------------------------

std::map<std::string, std::int64_t> loadRevocationTimes(const CountyDir& dir,
                                                        const KioskRegistry& registry) {
    std::map<std::string, std::int64_t> out;
    for (const auto& [id, k] : registry.all()) {
        if (!k.revoked)
            continue;
        const fs::path file = dir.kiosksDir() / (id + ".revoked");
        std::int64_t at = 0;
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("revoked-at:", 0) == 0) {
                std::string v = line.substr(11);
                v.erase(0, v.find_first_not_of(' '));
                if (auto t = sync::parseMinuteUtc(v))
                    at = *t;
            }
        if (at == 0) {
            struct stat st {};
            at = ::stat(file.c_str(), &st) == 0 ? st.st_mtime : 0;
        }
        out[id] = at;
    }
    return out;
}

// ---- the verification --------------------------------------------------------------------------

VerifiedEnvelope verifyCountyEnvelope(const crypto::Envelope& envelope, EnvelopeArrival arrival,
                                      const std::optional<sync::ParsedAcknowledgement>& ack,
                                      const VerifierContext& ctx, ChainRecord& chain) {
    const auto& h = envelope.header;
    VerifiedEnvelope out;
    out.hash = crypto::envelopeHash(envelope);
    auto refuse = [&](EnvelopeAlarm alarm, std::string problem) {
        out.verdict = alarmVerdict(alarm, std::move(problem));
        return std::move(out);
    };

    // Registry and signature. A revoked kiosk's signature is still checked first: only a
    // genuine envelope can be excused by an acknowledgement older than the revocation.
    const EnrolledKiosk* kiosk = ctx.registry->find(h.kioskId);
    if (!kiosk)
        return refuse(EnvelopeAlarm::UnknownKiosk,
                      who(h) + ": kiosk \"" + h.kioskId + "\" is not enrolled in this county.");
    if (auto verified = crypto::verifyEnvelope(envelope, kiosk->publicKey); !verified)
        return refuse(envelopeAlarmFor(verified.error()),
                      who(h) + ": " + std::string(crypto::envelopeFailureName(verified.error())) +
                          (verified.error() == EnvelopeFailure::BadSignature
                               ? " — the envelope was altered or not made by this kiosk."
                               : "."));

    if (arrival == EnvelopeArrival::Network) {
        if (!ack)
            return refuse(EnvelopeAlarm::BadAck,
                          who(h) + ": the server sent it without its acknowledgement.");
        if (!*ack)
            return refuse(EnvelopeAlarm::BadAck, who(h) +
                                                     ": the server's acknowledgement is "
                                                     "malformed (" +
                                                     ack->error().message + ").");
        const crypto::Acknowledgement& a = ack->value();
        if (a.kioskId != h.kioskId || a.sequence != h.sequence ||
            !crypto::constantTimeEqual(a.envelopeHash, out.hash) ||
            !crypto::verifyAcknowledgement(a, ctx.countySigningKey).ok())
            return refuse(EnvelopeAlarm::BadAck,
                          who(h) + ": the server's acknowledgement does not verify with "
                                   "keys/county-signing.pub or names another envelope: the "
                                   "intake server may be compromised; check it.");
        out.ack = a;
    }

    if (kiosk->revoked) {
        const auto r = ctx.revokedAt.find(h.kioskId);
        const bool storedBefore =
            out.ack && r != ctx.revokedAt.end() && out.ack->receivedAt < r->second;
        if (!storedBefore)
            return refuse(EnvelopeAlarm::RevokedKiosk,
                          who(h) + ": kiosk \"" + h.kioskId + "\" is revoked (kiosks/" + h.kioskId +
                              ".revoked) and this envelope " +
                              (out.ack ? "reached the server after the revocation"
                                       : "carries no acknowledgement showing it was stored "
                                         "before the revocation") +
                              ".");
    }

    EnvelopeVerdict linked = chain.check(envelope, out.hash);
    if (linked.alarm)
        return refuse(*linked.alarm, std::move(linked.problem));
    out.verdict = std::move(linked);
    if (out.verdict.duplicate)
        return out;

    auto opened = crypto::openEnvelopeContents(envelope, ctx.keys->sealing);
    if (!opened)
        return refuse(envelopeAlarmFor(opened.error()),
                      who(h) + ": " + std::string(crypto::envelopeFailureName(opened.error())) +
                          (opened.error() == EnvelopeFailure::WrongCountyKey
                               ? " — sealed to another county key; open it with that county's "
                                 "folder."
                               : " — the sealed payload is damaged."));
    auto payload = forms::parsePayload(opened->payload.view());
    if (!payload)
        return refuse(EnvelopeAlarm::BadPayload, who(h) +
                                                     ": the payload opened but is not a valid "
                                                     "Minsheng payload (" +
                                                     payload.error() + ").");
    // A version-1 header repeats the form and minute in the clear; both must agree. A version-2
    // envelope has them only in the payload.
    if (crypto::headerCarriesMetadata(h) &&
        (payload->formId != h.formId || payload->createdAt != h.createdAt))
        return refuse(EnvelopeAlarm::BadPayload,
                      who(h) + ": the payload's form or minute (" + payload->formId + ", " +
                          payload->created + ") disagrees with the signed header's (" + h.formId +
                          ", " + sync::formatMinuteUtc(h.createdAt) + ").");
    out.kind = opened->kind;
    out.payload = std::move(payload.value());
    chain.add(envelope, out.hash);
    return out;
}

// ---- files -------------------------------------------------------------------------------------

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

std::vector<EnvelopeFile> readEnvelopeFiles(const std::vector<fs::path>& files) {
    std::vector<EnvelopeFile> out;
    out.reserve(files.size());
    for (const auto& f : files) {
        EnvelopeFile e;
        e.file = f;
        std::error_code ec;
        const auto size = fs::file_size(f, ec);
        auto text = !ec && size <= sync::kMaxEnvelopeJsonBytes ? readWholeFile(f) : std::nullopt;
        if (!text) {
            e.unparsed =
                alarmVerdict(EnvelopeAlarm::Malformed,
                             f.string() + ": cannot be read, or larger than any envelope.");
        } else if (auto parsed = sync::envelopeFromJson(*text); !parsed) {
            e.unparsed = unparsedEnvelopeVerdict(parsed.error(), f.string());
            if (text->size() <= 4096)
                e.text = std::move(*text);
        } else {
            e.envelope = std::move(parsed.value());
        }
        out.push_back(std::move(e));
    }
    // Unparseable first, then by kiosk and sequence.
    std::stable_sort(out.begin(), out.end(), [](const EnvelopeFile& a, const EnvelopeFile& b) {
        if (a.envelope.has_value() != b.envelope.has_value())
            return !a.envelope.has_value();
        if (!a.envelope)
            return false;
        if (a.envelope->header.kioskId != b.envelope->header.kioskId)
            return a.envelope->header.kioskId < b.envelope->header.kioskId;
        return a.envelope->header.sequence < b.envelope->header.sequence;
    });
    return out;
}

std::vector<OpenedEnvelope> openEnvelopeFiles(const std::vector<fs::path>& files,
                                              const VerifierContext& context) {
    std::vector<OpenedEnvelope> results;
    ChainRecord chain;
    for (auto& f : readEnvelopeFiles(files)) {
        OpenedEnvelope o;
        o.file = std::move(f.file);
        if (!f.envelope) {
            o.verdict = std::move(f.unparsed);
        } else {
            auto v = verifyCountyEnvelope(*f.envelope, EnvelopeArrival::File, std::nullopt, context,
                                          chain);
            o.verdict = std::move(v.verdict);
            o.payload = std::move(v.payload);
            o.kind = v.kind;
            o.envelope = std::move(f.envelope);
        }
        results.push_back(std::move(o));
    }
    return results;
}

} // namespace minsheng::county
