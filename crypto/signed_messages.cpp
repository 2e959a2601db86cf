#include "crypto/signed_messages.hpp"

#include <stdexcept>

namespace minsheng::crypto {
namespace {

void put(Bytes& out, std::string_view domain16) {
    out.insert(out.end(), domain16.begin(), domain16.end());
    out.push_back(0); // the 16th byte
}
void putU8(Bytes& out, std::uint8_t v) {
    out.push_back(v);
}
void putU32(Bytes& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}
void putU64(Bytes& out, std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}
void putShortString(Bytes& out, std::string_view s) {
    if (s.size() > 255)
        throw std::invalid_argument("signed message string longer than 255 bytes");
    putU8(out, static_cast<std::uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
}
void putHash(Bytes& out, const Hash256& h) {
    out.insert(out.end(), h.begin(), h.end());
}

} // namespace

Bytes acknowledgementSigningInput(const Acknowledgement& a) {
    Bytes out;
    put(out, "minsheng-ack-v1");
    putShortString(out, a.kioskId);
    putU64(out, a.sequence);
    putHash(out, a.envelopeHash);
    putU64(out, static_cast<std::uint64_t>(a.receivedAt));
    return out;
}

Acknowledgement signAcknowledgement(Acknowledgement a, const Ed25519SecretKey& key) {
    a.signature = key.signDetached(acknowledgementSigningInput(a));
    return a;
}

std::string_view signedMessageFailureName(SignedMessageFailure f) {
    switch (f) {
    case SignedMessageFailure::Malformed:
        return "malformed";
    case SignedMessageFailure::BadSignature:
        return "bad-signature";
    }
    return "malformed";
}

namespace {
Result<Ok, SignedMessageFailure> verifySigned(const Ed25519PublicKey& key, const Bytes& input,
                                              const Ed25519Signature& signature) {
    if (!verifyEd25519(key, input, signature))
        return fail(SignedMessageFailure::BadSignature);
    return Ok{};
}
} // namespace

Result<Ok, SignedMessageFailure> verifyAcknowledgement(const Acknowledgement& a,
                                                       const Ed25519PublicKey& key) {
    if (a.kioskId.empty() || a.kioskId.size() > 64)
        return fail(SignedMessageFailure::Malformed);
    return verifySigned(key, acknowledgementSigningInput(a), a.signature);
}

Bytes heartbeatSigningInput(const Heartbeat& h) {
    Bytes out;
    put(out, "minsheng-hbt-v1");
    putShortString(out, h.kioskId);
    putU64(out, h.lastSequence);
    putHash(out, h.lastHash);
    putU64(out, h.queueLength);
    putU64(out, h.freeDiskBytes);
    putU64(out, static_cast<std::uint64_t>(h.sentAt));
    putShortString(out, h.version);
    return out;
}

Heartbeat signHeartbeat(Heartbeat h, const Ed25519SecretKey& key) {
    h.signature = key.signDetached(heartbeatSigningInput(h));
    return h;
}

Result<Ok, SignedMessageFailure> verifyHeartbeat(const Heartbeat& h, const Ed25519PublicKey& key) {
    if (h.kioskId.empty() || h.kioskId.size() > 64 || h.version.size() > 32)
        return fail(SignedMessageFailure::Malformed);
    return verifySigned(key, heartbeatSigningInput(h), h.signature);
}

std::string_view caseStatusName(CaseStatus s) {
    switch (s) {
    case CaseStatus::Received:
        return "received";
    case CaseStatus::Accepted:
        return "accepted";
    case CaseStatus::InProgress:
        return "in_progress";
    case CaseStatus::Closed:
        return "closed";
    case CaseStatus::Transferred:
        return "transferred";
    case CaseStatus::NotAccepted:
        return "not_accepted";
    }
    return "unknown";
}

std::optional<CaseStatus> caseStatusFromName(std::string_view name) {
    for (auto s : {CaseStatus::Received, CaseStatus::Accepted, CaseStatus::InProgress,
                   CaseStatus::Closed, CaseStatus::Transferred, CaseStatus::NotAccepted})
        if (caseStatusName(s) == name)
            return s;
    return std::nullopt;
}

Bytes caseStatusSigningInput(const CaseStatusRecord& r) {
    Bytes out;
    put(out, "minsheng-sts-v1");
    putHash(out, r.receiptTag);
    putU8(out, static_cast<std::uint8_t>(r.status));
    putU64(out, static_cast<std::uint64_t>(r.receivedAt));
    putU64(out, static_cast<std::uint64_t>(r.updatedAt));
    putU32(out, static_cast<std::uint32_t>(r.reply.size()));
    out.insert(out.end(), r.reply.begin(), r.reply.end());
    return out;
}

CaseStatusRecord signCaseStatus(CaseStatusRecord r, const Ed25519SecretKey& key) {
    if (r.reply.size() > kMaxReplyBytes)
        throw std::invalid_argument("case reply longer than 4000 bytes");
    r.signature = key.signDetached(caseStatusSigningInput(r));
    return r;
}

Result<Ok, SignedMessageFailure> verifyCaseStatus(const CaseStatusRecord& r,
                                                  const Ed25519PublicKey& key) {
    if (r.reply.size() > kMaxReplyBytes || !caseStatusFromName(caseStatusName(r.status)))
        return fail(SignedMessageFailure::Malformed);
    return verifySigned(key, caseStatusSigningInput(r), r.signature);
}

} // namespace minsheng::crypto
