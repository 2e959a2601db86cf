#include "sync/wire/protocol_messages.hpp"

#include "sync/wire/json_fields.hpp"

namespace minsheng::sync {
using nlohmann::json;
using namespace wire_fields;

json acknowledgementToJson(const crypto::Acknowledgement& a) {
    return {{"kiosk", a.kioskId},
            {"seq", a.sequence},
            {"hash", crypto::toHex(a.envelopeHash)},
            {"received_at", a.receivedAt},
            {"sig", crypto::toBase64(a.signature)}};
}

Result<crypto::Acknowledgement, MessageWireError> acknowledgementFromJson(const json& j) {
    std::string err;
    crypto::Acknowledgement a;
    if (!checkMembers(j, {"kiosk", "seq", "hash", "received_at", "sig"}, {}, err) ||
        !getKioskId(j, "kiosk", a.kioskId, err) || !getU64(j, "seq", a.sequence, err) ||
        !getHex(j, "hash", a.envelopeHash, err) || !getTime(j, "received_at", a.receivedAt, err) ||
        !getSignature(j, a.signature, err))
        return refuseMessage("acknowledgement", err);
    if (a.sequence == 0)
        return refuseMessage("acknowledgement", "member \"seq\" must be at least 1");
    return a;
}

json heartbeatToJson(const crypto::Heartbeat& h) {
    return {{"v", 1},
            {"kiosk", h.kioskId},
            {"last_seq", h.lastSequence},
            {"last_hash", crypto::toHex(h.lastHash)},
            {"queue", h.queueLength},
            {"free_disk", h.freeDiskBytes},
            {"sent_at", h.sentAt},
            {"version", h.version},
            {"sig", crypto::toBase64(h.signature)}};
}

Result<crypto::Heartbeat, MessageWireError> heartbeatFromJson(const json& j) {
    std::string err;
    crypto::Heartbeat h;
    if (!checkMembers(j,
                      {"v", "kiosk", "last_seq", "last_hash", "queue", "free_disk", "sent_at",
                       "version", "sig"},
                      {}, err) ||
        !getVersionOne(j, err) || !getKioskId(j, "kiosk", h.kioskId, err) ||
        !getU64(j, "last_seq", h.lastSequence, err) || !getHex(j, "last_hash", h.lastHash, err) ||
        !getU64(j, "queue", h.queueLength, err) || !getU64(j, "free_disk", h.freeDiskBytes, err) ||
        !getTime(j, "sent_at", h.sentAt, err) || !getString(j, "version", h.version, 32, err) ||
        !getSignature(j, h.signature, err))
        return refuseMessage("heartbeat", err);
    return h;
}

json caseStatusToJson(const crypto::CaseStatusRecord& r) {
    return {{"tag", crypto::toHex(r.receiptTag)},
            {"status", std::string(crypto::caseStatusName(r.status))},
            {"received_at", r.receivedAt},
            {"updated_at", r.updatedAt},
            {"reply", r.reply},
            {"sig", crypto::toBase64(r.signature)}};
}

Result<crypto::CaseStatusRecord, MessageWireError> caseStatusFromJson(const json& j) {
    std::string err, status;
    crypto::CaseStatusRecord r;
    if (!checkMembers(j, {"tag", "status", "received_at", "updated_at", "reply", "sig"}, {}, err) ||
        !getHex(j, "tag", r.receiptTag, err) || !getString(j, "status", status, 32, err) ||
        !getTime(j, "received_at", r.receivedAt, err) ||
        !getTime(j, "updated_at", r.updatedAt, err) ||
        !getString(j, "reply", r.reply, crypto::kMaxReplyBytes, err) ||
        !getSignature(j, r.signature, err))
        return refuseMessage("case status", err);
    auto s = crypto::caseStatusFromName(status);
    if (!s)
        return refuseMessage("case status", "member \"status\" must be one of received, accepted, "
                                            "in_progress, closed, transferred, not_accepted");
    r.status = *s;
    return r;
}

json errorBody(std::string_view code, std::string_view message) {
    return {{"error", std::string(code)}, {"message", std::string(message)}};
}

} // namespace minsheng::sync
