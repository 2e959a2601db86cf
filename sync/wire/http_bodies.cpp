#include "sync/wire/http_bodies.hpp"

#include "sync/wire/json_fields.hpp"
#include "sync/wire/strict_json.hpp"

#include <charconv>

namespace minsheng::sync {
namespace {

using nlohmann::json;
using namespace wire_fields;

Failure<RequestBodyError> refuse(RequestBodyFailure f, std::string message) {
    return {RequestBodyError{f, std::move(message)}};
}

/// A request body as strict JSON, its padding removed first (unpadRequestBody); BadPadding or
/// BadJson when it is not.
Result<json, RequestBodyError> parseRequestBody(std::string_view body) {
    auto unpadded = unpadRequestBody(body);
    if (!unpadded)
        return fail(unpadded.error());
    JsonParseError perr;
    auto doc = parseStrictJson(*unpadded, perr);
    if (!doc)
        return refuse(RequestBodyFailure::BadJson, perr.message);
    return std::move(*doc);
}

/// An error code of a rejected result: [a-z-], 1 to 64 characters.
bool getErrorCode(const json& j, std::string& out, std::string& err) {
    if (!getString(j, "error", out, 64, err))
        return false;
    const bool ok =
        !out.empty() && out.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos;
    if (!ok)
        err = "member \"error\" must be an error code ([a-z-], 1-64)";
    return ok;
}

std::optional<std::uint64_t> parseDecimal(std::string_view s) {
    if (s.empty() || s.size() > 15)
        return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

} // namespace

std::string statusPath(std::string_view tagHex) {
    return std::string(kStatusPathPrefix) + std::string(tagHex);
}

std::string configPath(std::string_view kioskId) {
    return std::string(kConfigPathPrefix) + std::string(kioskId);
}

std::string staffStatusPath(std::string_view tagHex) {
    return std::string(kStaffStatusPathPrefix) + std::string(tagHex);
}

// ---- the batch request -------------------------------------------------------------------------

std::string_view requestBodyFailureName(RequestBodyFailure f) {
    switch (f) {
    case RequestBodyFailure::BadJson:
        return "bad-json";
    case RequestBodyFailure::Malformed:
        return "malformed";
    case RequestBodyFailure::UnknownVersion:
        return "unknown-version";
    case RequestBodyFailure::TooLarge:
        return "too-large";
    case RequestBodyFailure::BadPadding:
        return "bad-body-padding";
    }
    return "malformed";
}

// ---- request padding ---------------------------------------------------------------------------

std::size_t requestPadBucketFor(std::size_t textBytes) {
    std::size_t bucket = kMinRequestPadBucket;
    while (bucket < textBytes && bucket < kMaxRequestPadBucket)
        bucket *= 2;
    return bucket < textBytes ? textBytes : bucket;
}

std::string padRequestBody(std::string body) {
    body.resize(requestPadBucketFor(body.size()), kRequestPadByte);
    return body;
}

Result<std::string_view, RequestBodyError> unpadRequestBody(std::string_view body) {
    const std::size_t text = body.find_last_not_of(kRequestPadByte) + 1; // npos + 1 == 0
    if (text == body.size())
        return body; // unpadded: a kiosk of the previous release (docs/protocol.md section 7)
    if (body.size() != requestPadBucketFor(text))
        return refuse(RequestBodyFailure::BadPadding,
                      "the body is " + std::to_string(body.size()) +
                          " bytes: " + std::to_string(text) + " bytes of JSON and " +
                          std::to_string(body.size() - text) +
                          " padding spaces, but a padded body is exactly " +
                          std::to_string(requestPadBucketFor(text)) +
                          " bytes long (the smallest 8 KiB * 2^k that holds the JSON)");
    return body.substr(0, text);
}

Result<EnvelopeBatchRequest, RequestBodyError> envelopeBatchRequestFromJson(std::string_view body) {
    auto doc = parseRequestBody(body);
    if (!doc)
        return fail(doc.error());
    const json& j = *doc;
    if (!j.is_object())
        return refuse(RequestBodyFailure::Malformed,
                      "the body must be a JSON object {\"v\", \"envelopes\"}");
    for (const auto& item : j.items())
        if (item.key() != "v" && item.key() != "envelopes")
            return refuse(RequestBodyFailure::Malformed, "unknown member \"" + item.key() + "\"");
    if (!j.contains("v") || !j["v"].is_number_integer())
        return refuse(RequestBodyFailure::Malformed, "member \"v\" must be the integer 1");
    if (!j["v"].is_number_unsigned() || j["v"].get<std::uint64_t>() != 1)
        return refuse(RequestBodyFailure::UnknownVersion,
                      "member \"v\": only protocol version 1 is known");
    if (!j.contains("envelopes") || !j["envelopes"].is_array() || j["envelopes"].empty())
        return refuse(RequestBodyFailure::Malformed,
                      "member \"envelopes\" must be an array of 1 to " +
                          std::to_string(kMaxBatchEnvelopes) + " envelopes");
    const json& items = j["envelopes"];
    if (items.size() > kMaxBatchEnvelopes)
        return refuse(RequestBodyFailure::TooLarge, "member \"envelopes\": at most " +
                                                        std::to_string(kMaxBatchEnvelopes) +
                                                        " envelopes per batch");

    EnvelopeBatchRequest batch;
    batch.envelopes.reserve(items.size());
    std::uint64_t lastSeq = 0;
    for (const json& item : items) {
        std::optional<std::uint64_t> seq;
        if (item.is_object() && item.contains("seq") && item["seq"].is_number_unsigned())
            seq = item["seq"].get<std::uint64_t>();
        auto parsed = envelopeFromJsonValue(item);
        if (parsed) {
            const auto& h = parsed->header;
            if (batch.kioskId && *batch.kioskId != h.kioskId)
                return refuse(RequestBodyFailure::Malformed,
                              "all envelopes of a batch must come from one kiosk");
            if (batch.kioskId && h.sequence <= lastSeq)
                return refuse(RequestBodyFailure::Malformed,
                              "envelopes of a batch must be in increasing sequence order");
            batch.kioskId = h.kioskId;
            lastSeq = h.sequence;
            seq = h.sequence;
        }
        batch.envelopes.push_back(BatchEnvelope{seq, std::move(parsed)});
    }
    return batch;
}

namespace {
constexpr std::string_view kBatchOpening = "{\"v\":1,\"envelopes\":[";
constexpr std::string_view kBatchClosing = "]}";
} // namespace

EnvelopeBatchWriter::EnvelopeBatchWriter(std::size_t maxBytes)
    : m_maxBytes(maxBytes), m_body(kBatchOpening) {}

bool EnvelopeBatchWriter::add(const crypto::Envelope& envelope) {
    if (m_count >= kMaxBatchEnvelopes)
        return false;
    const std::string text = envelopeToJson(envelope);
    // The separator and the closing bracket must fit too.
    if (m_count > 0 && m_body.size() + text.size() + 1 + kBatchClosing.size() > m_maxBytes)
        return false;
    if (m_count > 0)
        m_body += ',';
    m_body += text;
    ++m_count;
    return true;
}

std::string EnvelopeBatchWriter::body() const {
    return m_body + std::string(kBatchClosing);
}

// ---- the batch result --------------------------------------------------------------------------

std::string_view envelopeResultStatusName(EnvelopeResultStatus s) {
    switch (s) {
    case EnvelopeResultStatus::Stored:
        return "stored";
    case EnvelopeResultStatus::Duplicate:
        return "duplicate";
    case EnvelopeResultStatus::Rejected:
        return "rejected";
    }
    return "rejected";
}

json envelopeBatchResultToJson(const EnvelopeBatchResult& batch) {
    json results = json::array();
    for (const EnvelopeResult& e : batch.results) {
        json r;
        r["seq"] = e.seq ? json(*e.seq) : json(nullptr);
        r["status"] = std::string(envelopeResultStatusName(e.status));
        if (e.status == EnvelopeResultStatus::Rejected) {
            r["error"] = e.error;
            r["message"] = e.message;
        } else if (e.ack) {
            r["ack"] = acknowledgementToJson(*e.ack);
        }
        results.push_back(std::move(r));
    }
    return json{{"v", 1}, {"results", std::move(results)}};
}

Result<EnvelopeBatchResult, MessageWireError> envelopeBatchResultFromJson(std::string_view body) {
    auto doc = parseMessageBody(body, "batch result", 8);
    if (!doc)
        return fail(doc.error());
    std::string err;
    if (!checkMembers(*doc, {"v", "results"}, {}, err) || !getVersionOne(*doc, err))
        return refuseMessage("batch result", err);
    const json& results = (*doc)["results"];
    if (!results.is_array())
        return refuseMessage("batch result", "member \"results\" must be an array");
    if (results.size() > kMaxBatchEnvelopes)
        return refuseMessage("batch result", "more results than a batch holds envelopes");
    EnvelopeBatchResult out;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const json& r = results[i];
        const std::string where = "result " + std::to_string(i);
        EnvelopeResult e;
        std::string status;
        if (!r.is_object() || !r.contains("status") || !getString(r, "status", status, 16, err))
            return refuseMessage("batch result", where + ": must be an object with a \"status\"");
        if (status == "stored" || status == "duplicate") {
            e.status =
                status == "stored" ? EnvelopeResultStatus::Stored : EnvelopeResultStatus::Duplicate;
            if (!checkMembers(r, {"seq", "status", "ack"}, {}, err))
                return refuseMessage("batch result", where + ": " + err);
            auto ack = acknowledgementFromJson(r["ack"]);
            if (!ack)
                return refuseMessage("batch result", where + ": " + ack.error().message);
            e.ack = std::move(ack.value());
        } else if (status == "rejected") {
            e.status = EnvelopeResultStatus::Rejected;
            if (!checkMembers(r, {"seq", "status", "error", "message"}, {}, err) ||
                !getErrorCode(r, e.error, err) ||
                !getString(r, "message", e.message, kMaxResultMessageBytes, err))
                return refuseMessage("batch result", where + ": " + err);
        } else {
            return refuseMessage("batch result", where + ": unknown status \"" + status + "\"");
        }
        if (!r["seq"].is_null()) {
            std::uint64_t seq = 0;
            if (!getU64(r, "seq", seq, err))
                return refuseMessage("batch result", where + ": " + err + " or null");
            e.seq = seq;
        }
        out.results.push_back(std::move(e));
    }
    return out;
}

// ---- heartbeat answer --------------------------------------------------------------------------

json heartbeatAnswerToJson(const HeartbeatAnswer& answer) {
    return json{{"v", 1}, {"server_time", answer.serverTime}};
}

Result<HeartbeatAnswer, MessageWireError> heartbeatAnswerFromJson(std::string_view body) {
    auto doc = parseMessageBody(body, "heartbeat answer", 4);
    if (!doc)
        return fail(doc.error());
    std::string err;
    HeartbeatAnswer a;
    if (!checkMembers(*doc, {"v", "server_time"}, {}, err) || !getVersionOne(*doc, err) ||
        !getTime(*doc, "server_time", a.serverTime, err))
        return refuseMessage("heartbeat answer", err);
    return a;
}

Result<crypto::Heartbeat, RequestBodyError> heartbeatRequestFromJson(std::string_view body) {
    auto doc = parseRequestBody(body);
    if (!doc)
        return fail(doc.error());
    const json& j = *doc;
    if (j.is_object() && j.contains("v") && j["v"].is_number_integer() &&
        !(j["v"].is_number_unsigned() && j["v"].get<std::uint64_t>() == 1))
        return refuse(RequestBodyFailure::UnknownVersion,
                      "member \"v\": only protocol version 1 is known");
    auto hb = heartbeatFromJson(j);
    if (!hb)
        return refuse(RequestBodyFailure::Malformed, hb.error().message);
    return std::move(hb.value());
}

// ---- case status answer ------------------------------------------------------------------------

Result<crypto::CaseStatusRecord, MessageWireError> caseStatusAnswerFromJson(std::string_view body) {
    auto doc = parseMessageBody(body, "case status", 4);
    if (!doc)
        return fail(doc.error());
    return caseStatusFromJson(*doc);
}

Result<crypto::CaseStatusRecord, RequestBodyError>
caseStatusRequestFromJson(std::string_view body) {
    auto doc = parseRequestBody(body);
    if (!doc)
        return fail(doc.error());
    auto record = caseStatusFromJson(*doc);
    if (!record)
        return refuse(RequestBodyFailure::Malformed, record.error().message);
    return std::move(record.value());
}

// ---- staff pull --------------------------------------------------------------------------------

std::string staffPullTarget(const StaffPullQuery& q) {
    return std::string(kStaffEnvelopesPath) + "?after=" + std::to_string(q.after) +
           "&limit=" + std::to_string(q.limit);
}

Result<StaffPullQuery, MessageWireError> staffPullQueryFromString(std::string_view query) {
    StaffPullQuery out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const auto value = parseDecimal(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (key == "after" && value)
            out.after = *value;
        else if (key == "limit" && value && *value >= 1 && *value <= kMaxPullLimit)
            out.limit = *value;
        else
            return fail(MessageWireError{"query: after=CURSOR (a non-negative integer) and "
                                         "limit=N (1 to " +
                                         std::to_string(kMaxPullLimit) + ") only"});
    }
    return out;
}

std::string staffPullPageToJson(std::span<const StaffPullEntry> entries, std::int64_t after) {
    std::string body = "{\"v\":1,\"items\":[";
    std::int64_t next = after;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const StaffPullEntry& e = entries[i];
        if (i)
            body += ',';
        body += "{\"cursor\":" + std::to_string(e.cursor) + ",\"envelope\":";
        body += e.envelopeJson;
        body += ",\"ack\":" + acknowledgementToJson(*e.ack).dump() + "}";
        next = e.cursor;
    }
    body += "],\"next\":" + std::to_string(next) + "}";
    return body;
}

Result<StaffPullPage, MessageWireError> staffPullPageFromJson(std::string_view body) {
    auto doc = parseMessageBody(body, "pull page", 16);
    if (!doc)
        return fail(doc.error());
    std::string err;
    StaffPullPage page;
    if (!checkMembers(*doc, {"v", "items", "next"}, {}, err) || !getVersionOne(*doc, err) ||
        !getTime(*doc, "next", page.next, err))
        return refuseMessage("pull page", err);
    const json& items = (*doc)["items"];
    if (!items.is_array())
        return refuseMessage("pull page", "member \"items\" must be an array");
    page.items.reserve(items.size());
    for (const json& item : items) {
        StaffPullItem it;
        it.hasEnvelope = item.is_object() && item.contains("envelope");
        if (it.hasEnvelope) {
            it.envelope = envelopeFromJsonValue(item["envelope"]);
            if (!it.envelope->ok())
                it.envelopeText =
                    item["envelope"].dump(-1, ' ', false, json::error_handler_t::replace);
            if (item.contains("ack"))
                it.ack = acknowledgementFromJson(item["ack"]);
        }
        page.items.push_back(std::move(it));
    }
    return page;
}

} // namespace minsheng::sync
