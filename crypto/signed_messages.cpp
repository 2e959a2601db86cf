#include "crypto/signed_messages.hpp"

#include "crypto/byte_writer.hpp"

#include <algorithm>
#include <sodium.h>
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
    if (h.configVersion != 0 || !h.configFailure.empty()) {
        putU64(out, h.configVersion);
        putU8(out, static_cast<std::uint8_t>(h.configFailure.size() >> 8));
        putU8(out, static_cast<std::uint8_t>(h.configFailure.size() & 0xff));
        putBytes(out, asBytes(h.configFailure));
    }
    return out;
}

Heartbeat signHeartbeat(Heartbeat h, const Ed25519SecretKey& key) {
    if (h.configFailure.size() > kMaxConfigFailureBytes)
        throw std::invalid_argument("heartbeat configuration failure longer than 400 bytes");
    h.signature = key.signDetached(heartbeatSigningInput(h));
    return h;
}

Result<Ok, SignedMessageFailure> verifyHeartbeat(const Heartbeat& h, const Ed25519PublicKey& key) {
    if (h.kioskId.empty() || h.kioskId.size() > 64 || h.version.size() > 32 ||
        h.configFailure.size() > kMaxConfigFailureBytes)
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

// ---- configuration bundles ----------------------------------------------------------------

bool isValidConfigFileName(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '.')
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    return true;
}

const ConfigBundleFile* ConfigBundle::file(std::string_view name) const {
    for (const auto& f : files)
        if (f.name == name)
            return &f;
    return nullptr;
}

bool ConfigBundle::isFor(std::string_view kioskId) const {
    if (targets.empty())
        return true;
    return std::find(targets.begin(), targets.end(), kioskId) != targets.end();
}

Bytes configBundleContentBytes(const std::vector<ConfigBundleFile>& files) {
    Bytes out;
    for (const auto& f : files) {
        putShortString(out, f.name);
        putU32(out, static_cast<std::uint32_t>(f.text.size()));
        putBytes(out, asBytes(f.text));
    }
    return out;
}

Bytes configBundleSigningInput(const ConfigBundle& b) {
    Bytes out;
    putDomainTag(out, "minsheng-cfg-v1");
    putU32(out, b.format);
    putU64(out, b.configVersion);
    putBytes(out, b.countyKeyId);
    putU8(out, static_cast<std::uint8_t>(b.targets.size()));
    for (const auto& t : b.targets)
        putShortString(out, t);
    putU64(out, static_cast<std::uint64_t>(b.notBefore));
    putBytes(out, b.contentHash);
    return out;
}

namespace {

/// Every range rule of a bundle except the signature, the key id and the hash.
bool configBundleInRange(const ConfigBundle& b) {
    if (b.format != kConfigBundleFormat || b.configVersion == 0 || b.notBefore < 0 ||
        b.targets.size() > kMaxConfigBundleTargets || b.files.empty() ||
        b.files.size() > kMaxConfigBundleFiles)
        return false;
    for (std::size_t i = 0; i < b.targets.size(); ++i) {
        const auto& t = b.targets[i];
        if (t.empty() || t.size() > 64 || (i > 0 && !(b.targets[i - 1] < t)))
            return false;
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < b.files.size(); ++i) {
        if (!isValidConfigFileName(b.files[i].name) ||
            (i > 0 && !(b.files[i - 1].name < b.files[i].name)))
            return false;
        total += b.files[i].text.size();
    }
    return total <= kMaxConfigBundleContentBytes;
}

} // namespace

ConfigBundle signConfigBundle(ConfigBundle b, const Ed25519SecretKey& key) {
    std::sort(b.targets.begin(), b.targets.end());
    std::sort(b.files.begin(), b.files.end(),
              [](const ConfigBundleFile& x, const ConfigBundleFile& y) { return x.name < y.name; });
    if (!configBundleInRange(b))
        throw std::invalid_argument("configuration bundle out of range");
    b.countyKeyId = key.publicKey().id();
    b.contentHash = blake2b256(configBundleContentBytes(b.files));
    b.signature = key.signDetached(configBundleSigningInput(b));
    return b;
}

Result<Ok, SignedMessageFailure> verifyConfigBundle(const ConfigBundle& b,
                                                    const Ed25519PublicKey& key) {
    if (!configBundleInRange(b) || b.countyKeyId != key.id())
        return fail(SignedMessageFailure::Malformed);
    // The signature first: it covers the content hash, so a content that does not hash to it is
    // a different (unsigned) content.
    if (auto s = verifySigned(key, configBundleSigningInput(b), b.signature); !s)
        return s;
    if (sodium_memcmp(blake2b256(configBundleContentBytes(b.files)).data(), b.contentHash.data(),
                      b.contentHash.size()) != 0)
        return fail(SignedMessageFailure::BadSignature);
    return Ok{};
}

} // namespace minsheng::crypto
