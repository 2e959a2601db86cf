#include "crypto/signed_messages.hpp"

#include "crypto/byte_writer.hpp"

#include <stdexcept>

namespace minsheng::crypto {
using bytes::putBytes;
using bytes::putDomainTag;
using bytes::putShortString;
using bytes::putU32;
using bytes::putU64;
using bytes::putU8;

Bytes acknowledgementSigningInput(const Acknowledgement& a) {
    Bytes out;
    putDomainTag(out, "minsheng-ack-v1");
    putShortString(out, a.kioskId);
    putU64(out, a.sequence);
    putBytes(out, a.envelopeHash);
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
    putDomainTag(out, "minsheng-hbt-v1");
    putShortString(out, h.kioskId);
    putU64(out, h.lastSequence);
    putBytes(out, h.lastHash);
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
    putDomainTag(out, "minsheng-sts-v1");
    putBytes(out, r.receiptTag);
    putU8(out, static_cast<std::uint8_t>(r.status));
    putU64(out, static_cast<std::uint64_t>(r.receivedAt));
    putU64(out, static_cast<std::uint64_t>(r.updatedAt));
    putU32(out, static_cast<std::uint32_t>(r.reply.size()));
    putBytes(out, asBytes(r.reply));
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
