#include "sync/wire/protocol_messages.hpp"

#include <set>

namespace minsheng::sync {
namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;

/// Checks that `j` is an object with exactly the members `required` (+ `optional`).
bool checkMembers(const json& j, std::initializer_list<const char*> required,
                  std::initializer_list<const char*> optional, std::string& err) {
    if (!j.is_object()) {
        err = "must be a JSON object";
        return false;
    }
    std::set<std::string> allowed;
    for (const char* r : required) {
        allowed.insert(r);
        if (!j.contains(r)) {
            err = std::string("missing member \"") + r + "\"";
            return false;
        }
    }
    for (const char* o : optional)
        allowed.insert(o);
    for (const auto& item : j.items())
        if (!allowed.count(item.key())) {
            err = "unknown member \"" + item.key() + "\"";
            return false;
        }
    return true;
}

bool getU64(const json& j, const char* name, std::uint64_t& out, std::string& err) {
    const json& v = j.at(name);
    // A value built in memory from a signed integer is number_integer, one parsed from text is
    // number_unsigned: both are fine when non-negative (found by fuzz_signed_messages).
    const bool nonNegative =
        v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    if (!nonNegative || v.get<std::uint64_t>() > kMaxSafeInteger) {
        err = std::string("member \"") + name + "\" must be a non-negative integer below 2^53";
        return false;
    }
    out = v.get<std::uint64_t>();
    return true;
}

bool getTime(const json& j, const char* name, std::int64_t& out, std::string& err) {
    std::uint64_t u = 0;
    if (!getU64(j, name, u, err))
        return false;
    out = static_cast<std::int64_t>(u);
    return true;
}

bool getString(const json& j, const char* name, std::string& out, std::size_t maxBytes,
               std::string& err) {
    const json& v = j.at(name);
    if (!v.is_string() || v.get_ref<const std::string&>().size() > maxBytes) {
        err = std::string("member \"") + name + "\" must be a string of at most " +
              std::to_string(maxBytes) + " bytes";
        return false;
    }
    out = v.get<std::string>();
    return true;
}

bool getKioskId(const json& j, const char* name, std::string& out, std::string& err) {
    if (!getString(j, name, out, 64, err))
        return false;
    bool ok = !out.empty();
    for (char c : out)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (!ok)
        err = std::string("member \"") + name + "\" must be a kiosk id ([a-z0-9-], 1-64)";
    return ok;
}

template <std::size_t N>
bool getHex(const json& j, const char* name, std::array<std::uint8_t, N>& out, std::string& err) {
    const json& v = j.at(name);
    std::optional<crypto::Bytes> b;
    if (v.is_string())
        b = crypto::fromHex(v.get<std::string>());
    if (!b || b->size() != N || crypto::toHex(*b) != v.get<std::string>()) {
        err = std::string("member \"") + name + "\" must be " + std::to_string(2 * N) +
              " lower-case hex digits";
        return false;
    }
    std::copy(b->begin(), b->end(), out.begin());
    return true;
}

bool getSignature(const json& j, crypto::Ed25519Signature& out, std::string& err) {
    const json& v = j.at("sig");
    std::optional<crypto::Bytes> b;
    if (v.is_string())
        b = crypto::fromBase64(v.get<std::string>());
    if (!b || b->size() != out.size()) {
        err = "member \"sig\" must be base64 of 64 bytes";
        return false;
    }
    std::copy(b->begin(), b->end(), out.begin());
    return true;
}

Failure<MessageWireError> bad(const char* what, const std::string& err) {
    return {MessageWireError{std::string(what) + ": " + err}};
}

} // namespace

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
        return bad("acknowledgement", err);
    if (a.sequence == 0)
        return bad("acknowledgement", "member \"seq\" must be at least 1");
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
    std::uint64_t v = 0;
    if (!checkMembers(j,
                      {"v", "kiosk", "last_seq", "last_hash", "queue", "free_disk", "sent_at",
                       "version", "sig"},
                      {}, err) ||
        !getU64(j, "v", v, err) || !getKioskId(j, "kiosk", h.kioskId, err) ||
        !getU64(j, "last_seq", h.lastSequence, err) || !getHex(j, "last_hash", h.lastHash, err) ||
        !getU64(j, "queue", h.queueLength, err) || !getU64(j, "free_disk", h.freeDiskBytes, err) ||
        !getTime(j, "sent_at", h.sentAt, err) || !getString(j, "version", h.version, 32, err) ||
        !getSignature(j, h.signature, err))
        return bad("heartbeat", err);
    if (v != 1)
        return bad("heartbeat", "version " + std::to_string(v) + " is not supported");
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
        return bad("case status", err);
    auto s = crypto::caseStatusFromName(status);
    if (!s)
        return bad("case status", "member \"status\" must be one of received, accepted, "
                                  "in_progress, closed, transferred, not_accepted");
    r.status = *s;
    return r;
}

json errorBody(std::string_view code, std::string_view message) {
    return {{"error", std::string(code)}, {"message", std::string(message)}};
}

} // namespace minsheng::sync
