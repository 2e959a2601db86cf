#include "sync/wire/status_socket.hpp"

#include "sync/wire/json_fields.hpp"
#include "sync/wire/strict_json.hpp"

#include <nlohmann/json.hpp>

namespace minsheng::sync {
namespace {

using nlohmann::json;
using namespace wire_fields;

Failure<StatusSocketError> malformed(std::string message) {
    return {StatusSocketError{StatusSocketErrorCode::Malformed, std::move(message)}};
}

std::string dumpLine(const json& j) {
    // Messages may quote outside bytes; invalid UTF-8 is replaced rather than thrown on.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json optionalTime(const std::optional<std::int64_t>& t) {
    return t ? json(*t) : json(nullptr);
}

/// Parses an answer line. On {"ok":false,...} returns that error (with `isError` set); on a
/// line that is not an answer at all, Malformed.
Result<json, StatusSocketError> parseAnswer(std::string_view line) {
    if (line.size() > kMaxStatusAnswerLine)
        return malformed("the answer line is over the limit");
    JsonParseError perr;
    auto doc = parseStrictJson(line, perr, 4);
    if (!doc)
        return malformed(perr.message);
    if (!doc->is_object() || !doc->contains("ok") || !(*doc)["ok"].is_boolean())
        return malformed("an answer is a JSON object with \"ok\"");
    if ((*doc)["ok"].get<bool>())
        return std::move(*doc);
    std::string err, code;
    StatusSocketError e;
    if (!checkMembers(*doc, {"ok", "error"}, {"message"}, err) ||
        !getString(*doc, "error", code, 32, err) ||
        (doc->contains("message") && !getString(*doc, "message", e.message, 4096, err)))
        return malformed(err);
    if (code == "offline")
        e.code = StatusSocketErrorCode::Offline;
    else if (code == "not-found")
        e.code = StatusSocketErrorCode::NotFound;
    else if (code == "unavailable")
        e.code = StatusSocketErrorCode::Unavailable;
    else
        return malformed("unknown error code \"" + code + "\"");
    return fail(std::move(e));
}

} // namespace

std::string statusSocketRequestToLine(const StatusSocketRequest& request) {
    switch (request.op) {
    case StatusSocketOp::Status:
        return dumpLine(json{{"op", "status"}, {"tag", request.tagHex}});
    case StatusSocketOp::Health:
        return dumpLine(json{{"op", "health"}});
    case StatusSocketOp::SyncNow:
        return dumpLine(json{{"op", "sync-now"}});
    }
    return {};
}

std::string_view statusSocketErrorCodeName(StatusSocketErrorCode code) {
    switch (code) {
    case StatusSocketErrorCode::Offline:
        return "offline";
    case StatusSocketErrorCode::NotFound:
        return "not-found";
    case StatusSocketErrorCode::Unavailable:
    case StatusSocketErrorCode::Malformed:
        return "unavailable";
    }
    return "unavailable";
}

std::string statusSocketErrorToLine(const StatusSocketError& error) {
    return dumpLine(json{{"ok", false},
                         {"error", std::string(statusSocketErrorCodeName(error.code))},
                         {"message", error.message}});
}

Result<StatusSocketRequest, StatusSocketError> statusSocketRequestFromLine(std::string_view line) {
    auto refuse = [](std::string message) {
        return fail(StatusSocketError{StatusSocketErrorCode::Unavailable, std::move(message)});
    };
    if (line.size() > kMaxStatusRequestLine)
        return refuse("request line over 8 KiB");
    JsonParseError perr;
    auto req = parseStrictJson(line, perr, 4);
    if (!req || !req->is_object() || !req->contains("op") || !(*req)["op"].is_string())
        return refuse("a request is one JSON object with \"op\"");
    const std::string op = (*req)["op"].get<std::string>();
    std::string err;
    StatusSocketRequest out;
    if (op == "health" || op == "sync-now") {
        if (!checkMembers(*req, {"op"}, {}, err))
            return refuse(err);
        out.op = op == "health" ? StatusSocketOp::Health : StatusSocketOp::SyncNow;
        return out;
    }
    if (op == "status") {
        out.op = StatusSocketOp::Status;
        if (!checkMembers(*req, {"op", "tag"}, {}, err) ||
            !getString(*req, "tag", out.tagHex, 64, err) || !isLowerHex64(out.tagHex))
            return refuse("\"tag\" must be 64 lower-case hex digits");
        return out;
    }
    return refuse("unknown op");
}

std::string caseStatusAnswerToLine(const CaseStatusAnswer& a) {
    return dumpLine(json{{"ok", true},
                         {"status", std::string(crypto::caseStatusName(a.status))},
                         {"received_at", a.receivedAt},
                         {"updated_at", a.updatedAt},
                         {"reply", a.reply},
                         {"verified", true}});
}

Result<CaseStatusAnswer, StatusSocketError> caseStatusAnswerFromLine(std::string_view line) {
    auto doc = parseAnswer(line);
    if (!doc)
        return fail(doc.error());
    std::string err, status;
    bool verified = false;
    CaseStatusAnswer a;
    if (!checkMembers(*doc, {"ok", "status", "received_at", "updated_at", "reply", "verified"}, {},
                      err) ||
        !getBool(*doc, "verified", verified, err) || !getString(*doc, "status", status, 32, err) ||
        !getTime(*doc, "received_at", a.receivedAt, err) ||
        !getTime(*doc, "updated_at", a.updatedAt, err) ||
        !getString(*doc, "reply", a.reply, crypto::kMaxReplyBytes, err))
        return malformed(err);
    // A status the forwarder could not verify against the county's signing key is as good as
    // none: showing it would let anyone on the network tell a parent their case was closed.
    if (!verified)
        return malformed("the status is not verified");
    auto s = crypto::caseStatusFromName(status);
    if (!s)
        return malformed("unknown case status \"" + status + "\"");
    a.status = *s;
    return a;
}

std::string healthAnswerToLine(const HealthAnswer& h) {
    return dumpLine(json{{"ok", true},
                         {"queue", h.queue},
                         {"last_sync", optionalTime(h.lastSync)},
                         {"last_ack", optionalTime(h.lastAck)},
                         {"last_error", h.lastError ? json(*h.lastError) : json(nullptr)},
                         {"online", h.online}});
}

Result<HealthAnswer, StatusSocketError> healthAnswerFromLine(std::string_view line) {
    auto doc = parseAnswer(line);
    if (!doc)
        return fail(doc.error());
    std::string err;
    HealthAnswer h;
    if (!checkMembers(*doc, {"ok", "queue", "last_sync", "last_ack", "last_error", "online"}, {},
                      err) ||
        !getU64(*doc, "queue", h.queue, err) ||
        !getOptionalTime(*doc, "last_sync", h.lastSync, err) ||
        !getOptionalTime(*doc, "last_ack", h.lastAck, err) ||
        !getBool(*doc, "online", h.online, err))
        return malformed(err);
    if (!(*doc)["last_error"].is_null()) {
        std::string e;
        if (!getString(*doc, "last_error", e, kMaxHealthErrorBytes, err))
            return malformed(err + " or null");
        h.lastError = std::move(e);
    }
    return h;
}

std::string syncNowAnswerToLine() {
    return dumpLine(json{{"ok", true}});
}

Result<Ok, StatusSocketError> syncNowAnswerFromLine(std::string_view line) {
    auto doc = parseAnswer(line);
    if (!doc)
        return fail(doc.error());
    std::string err;
    if (!checkMembers(*doc, {"ok"}, {}, err))
        return malformed(err);
    return Ok{};
}

} // namespace minsheng::sync
