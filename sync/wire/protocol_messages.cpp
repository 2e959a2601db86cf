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
    json j = {{"v", 1},
              {"kiosk", h.kioskId},
              {"last_seq", h.lastSequence},
              {"last_hash", crypto::toHex(h.lastHash)},
              {"queue", h.queueLength},
              {"free_disk", h.freeDiskBytes},
              {"sent_at", h.sentAt},
              {"version", h.version},
              {"sig", crypto::toBase64(h.signature)}};
    if (h.configVersion != 0 || !h.configFailure.empty()) {
        j["config_version"] = h.configVersion;
        j["config_failure"] = h.configFailure;
    }
    return j;
}

Result<crypto::Heartbeat, MessageWireError> heartbeatFromJson(const json& j) {
    std::string err;
    crypto::Heartbeat h;
    if (!checkMembers(j,
                      {"v", "kiosk", "last_seq", "last_hash", "queue", "free_disk", "sent_at",
                       "version", "sig"},
                      {"config_version", "config_failure"}, err) ||
        !getVersionOne(j, err) || !getKioskId(j, "kiosk", h.kioskId, err) ||
        !getU64(j, "last_seq", h.lastSequence, err) || !getHex(j, "last_hash", h.lastHash, err) ||
        !getU64(j, "queue", h.queueLength, err) || !getU64(j, "free_disk", h.freeDiskBytes, err) ||
        !getTime(j, "sent_at", h.sentAt, err) || !getString(j, "version", h.version, 32, err) ||
        !getSignature(j, h.signature, err))
        return refuseMessage("heartbeat", err);
    // The extension comes whole or not at all, so its signing input is never ambiguous.
    if (j.contains("config_version") != j.contains("config_failure"))
        return refuseMessage("heartbeat",
                             R"(members "config_version" and "config_failure" come together)");
    if (j.contains("config_version") &&
        (!getU64(j, "config_version", h.configVersion, err) ||
         !getString(j, "config_failure", h.configFailure, crypto::kMaxConfigFailureBytes, err)))
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

json configBundleToJson(const crypto::ConfigBundle& b) {
    json files = json::object();
    for (const auto& f : b.files)
        files[f.name] = f.text;
    return {{"v", b.format},
            {"config_version", b.configVersion},
            {"county_key", crypto::toHex(b.countyKeyId)},
            {"targets", b.targets},
            {"not_before", b.notBefore},
            {"content_hash", crypto::toHex(b.contentHash)},
            {"files", files},
            {"sig", crypto::toBase64(b.signature)}};
}

Result<crypto::ConfigBundle, MessageWireError> configBundleFromJson(const json& j) {
    const char* what = "configuration bundle";
    std::string err;
    crypto::ConfigBundle b;
    if (!checkMembers(j,
                      {"v", "config_version", "county_key", "targets", "not_before", "content_hash",
                       "files", "sig"},
                      {}, err) ||
        !getVersionOne(j, err) || !getU64(j, "config_version", b.configVersion, err) ||
        !getHex(j, "county_key", b.countyKeyId, err) ||
        !getTime(j, "not_before", b.notBefore, err) ||
        !getHex(j, "content_hash", b.contentHash, err) || !getSignature(j, b.signature, err))
        return refuseMessage(what, err);
    if (b.configVersion == 0)
        return refuseMessage(what, R"(member "config_version" must be at least 1)");
    const json& targets = j.at("targets");
    if (!targets.is_array() || targets.size() > crypto::kMaxConfigBundleTargets)
        return refuseMessage(what, R"(member "targets" must be an array of at most 255 kiosk ids)");
    for (const json& t : targets) {
        std::string id;
        if (!getKioskId(json{{"targets", t}}, "targets", id, err))
            return refuseMessage(what, err);
        if (!b.targets.empty() && !(b.targets.back() < id))
            return refuseMessage(what, R"(member "targets" must be ascending without repeats)");
        b.targets.push_back(std::move(id));
    }
    const json& files = j.at("files");
    if (!files.is_object() || files.empty() || files.size() > crypto::kMaxConfigBundleFiles)
        return refuseMessage(what, R"(member "files" must be an object of 1 to 16 files)");
    std::size_t total = 0;
    for (auto it = files.begin(); it != files.end(); ++it) { // nlohmann orders names ascending
        if (!crypto::isValidConfigFileName(it.key()))
            return refuseMessage(what, "file name \"" + it.key() + "\" is not 1-64 of [a-z0-9._-]");
        if (!it.value().is_string())
            return refuseMessage(what, "file \"" + it.key() + "\" must be a string");
        total += it.value().get_ref<const std::string&>().size();
        b.files.push_back({it.key(), it.value().get<std::string>()});
    }
    if (total > crypto::kMaxConfigBundleContentBytes)
        return refuseMessage(what, "the files hold more than 1 MiB");
    return b;
}

Result<crypto::ConfigBundle, MessageWireError> configBundleFromText(std::string_view text) {
    auto doc = parseMessageBody(text, "configuration bundle", 4);
    if (!doc)
        return fail(doc.error());
    return configBundleFromJson(*doc);
}

json errorBody(std::string_view code, std::string_view message) {
    return {{"error", std::string(code)}, {"message", std::string(message)}};
}

} // namespace minsheng::sync
