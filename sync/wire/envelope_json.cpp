#include "sync/wire/envelope_json.hpp"
#include "sync/wire/minute_time.hpp"
#include "sync/wire/strict_json.hpp"

#include <cstdio>
#include <set>

namespace minsheng::sync {
namespace {

using crypto::EnvelopeFailure;
using nlohmann::json;

constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;

Failure<EnvelopeWireError> malformed(std::string msg) {
    return {EnvelopeWireError{EnvelopeFailure::Malformed, std::move(msg)}};
}

// Members of both versions, and those of a version-1 header only (refused in version 2).
const std::set<std::string> kMembers = {"v",           "kiosk",      "seq", "prev", "county_key",
                                        "receipt_tag", "ciphertext", "sig", "hash"};
const std::set<std::string> kVersion1Members = {"kind", "created", "form"};

bool getString(const json& j, const char* name, std::string& out, std::string& err) {
    auto it = j.find(name);
    if (it == j.end()) {
        err = std::string("missing member \"") + name + "\"";
        return false;
    }
    if (!it->is_string()) {
        err = std::string("member \"") + name + "\" must be a string";
        return false;
    }
    out = it->get<std::string>();
    return true;
}

template <std::size_t N>
bool getHexArray(const json& j, const char* name, std::array<std::uint8_t, N>& out,
                 std::string& err) {
    std::string s;
    if (!getString(j, name, s, err))
        return false;
    auto b = crypto::fromHex(s);
    if (!b || b->size() != N || s != crypto::toHex(*b)) {
        err = std::string("member \"") + name + "\" must be " + std::to_string(N * 2) +
              " lower-case hex digits";
        return false;
    }
    std::copy(b->begin(), b->end(), out.begin());
    return true;
}

} // namespace

namespace {

/// The wire form's members in the documented order (docs/protocol.md section 6). nlohmann's
/// default object sorts members; ordered_json keeps this order for people reading export files.
nlohmann::ordered_json orderedEnvelope(const crypto::Envelope& e, const crypto::Hash256& hash) {
    nlohmann::ordered_json o;
    const bool v1 = crypto::headerCarriesMetadata(e.header);
    o["v"] = e.header.version;
    if (v1)
        o["kind"] = std::string(crypto::envelopeKindName(e.header.kind));
    o["kiosk"] = e.header.kioskId;
    o["seq"] = e.header.sequence;
    o["prev"] = crypto::toHex(e.header.previousHash);
    if (v1) {
        o["created"] = formatMinuteUtc(e.header.createdAt);
        o["form"] = e.header.formId;
    }
    o["county_key"] = crypto::toHex(e.header.countyKeyId);
    if (e.header.receiptTag)
        o["receipt_tag"] = crypto::toHex(*e.header.receiptTag);
    o["ciphertext"] = crypto::toBase64(e.ciphertext);
    o["sig"] = crypto::toBase64(e.signature);
    o["hash"] = crypto::toHex(hash);
    return o;
}

} // namespace

json envelopeToJsonValue(const crypto::Envelope& e) {
    return json::parse(orderedEnvelope(e, crypto::envelopeHash(e)).dump());
}

std::string envelopeToJson(const crypto::Envelope& e) {
    // Built in wire order and written once: the intake server calls this for every envelope it
    // stores.
    return orderedEnvelope(e, crypto::envelopeHash(e)).dump();
}

std::string envelopeToJson(const crypto::Envelope& e, const crypto::Hash256& hash) {
    return orderedEnvelope(e, hash).dump();
}

Result<crypto::Envelope, EnvelopeWireError> envelopeFromJson(std::string_view text) {
    if (text.size() > kMaxEnvelopeJsonBytes)
        return malformed("envelope is " + std::to_string(text.size()) + " bytes, more than the " +
                         std::to_string(kMaxEnvelopeJsonBytes) + " allowed");
    JsonParseError perr;
    auto j = parseStrictJson(text, perr, 4);
    if (!j)
        return malformed("not valid JSON: " + perr.message);
    return envelopeFromJsonValue(*j);
}

Result<crypto::Envelope, EnvelopeWireError> envelopeFromJsonValue(const json& j) {
    if (!j.is_object())
        return malformed("an envelope must be a JSON object");
    auto v = j.find("v");
    if (v == j.end())
        return malformed("missing member \"v\"");
    if (!v->is_number_unsigned())
        return malformed("member \"v\" must be a positive integer");
    const std::uint64_t version = v->get<std::uint64_t>();
    if (version != crypto::kEnvelopeVersion && version != crypto::kEnvelopeVersion1)
        return fail(EnvelopeWireError{EnvelopeFailure::UnknownVersion,
                                      "envelope version " + std::to_string(version) +
                                          " is not supported (this program reads versions 1 "
                                          "and 2)"});
    const bool v1 = version == crypto::kEnvelopeVersion1;
    for (const auto& item : j.items())
        if (!kMembers.count(item.key()) && !(v1 && kVersion1Members.count(item.key())))
            return malformed("unknown member \"" + item.key() + "\"" +
                             (kVersion1Members.count(item.key())
                                  ? " (a version-2 envelope keeps it inside the sealed payload)"
                                  : ""));

    crypto::Envelope e;
    e.header.version = static_cast<std::uint8_t>(version);
    std::string err, s;
    if (v1) {
        if (!getString(j, "kind", s, err))
            return malformed(err);
        auto kind = crypto::envelopeKindFromName(s);
        if (!kind)
            return malformed("member \"kind\" must be \"complaint\" or \"survey\"");
        e.header.kind = *kind;
        if (!getString(j, "form", e.header.formId, err))
            return malformed(err);
    }
    if (!getString(j, "kiosk", e.header.kioskId, err))
        return malformed(err);

    auto seq = j.find("seq");
    if (seq == j.end() || !seq->is_number_unsigned() || seq->get<std::uint64_t>() == 0 ||
        seq->get<std::uint64_t>() > kMaxSafeInteger)
        return malformed("member \"seq\" must be an integer from 1 to 2^53-1");
    e.header.sequence = seq->get<std::uint64_t>();

    if (!getHexArray(j, "prev", e.header.previousHash, err) ||
        !getHexArray(j, "county_key", e.header.countyKeyId, err))
        return malformed(err);
    if (v1) {
        if (!getString(j, "created", s, err))
            return malformed(err);
        auto created = parseMinuteUtc(s);
        if (!created)
            return malformed("member \"created\" must be a UTC minute like 2026-11-23T10:05Z");
        e.header.createdAt = *created;
    }

    if (j.contains("receipt_tag")) {
        crypto::Hash256 tag{};
        if (!getHexArray(j, "receipt_tag", tag, err))
            return malformed(err);
        e.header.receiptTag = tag;
    }

    if (!getString(j, "ciphertext", s, err))
        return malformed(err);
    auto ct = crypto::fromBase64(s);
    if (!ct)
        return malformed("member \"ciphertext\" is not canonical base64");
    e.ciphertext = std::move(*ct);

    if (!getString(j, "sig", s, err))
        return malformed(err);
    auto sig = crypto::fromBase64(s);
    if (!sig || sig->size() != e.signature.size())
        return malformed("member \"sig\" must be base64 of 64 bytes");
    std::copy(sig->begin(), sig->end(), e.signature.begin());

    if (auto bad = crypto::checkHeaderWellFormed(e.header, e.ciphertext.size())) {
        if (*bad == EnvelopeFailure::UnknownVersion)
            return fail(EnvelopeWireError{*bad, "unsupported envelope version"});
        return fail(EnvelopeWireError{
            *bad,
            "header fields out of range (" + std::string(crypto::envelopeFailureName(*bad)) +
                (v1 ? "): check kiosk and form ids, that \"created\" is a whole minute, that "
                      "complaints and only complaints carry a receipt tag, and the ciphertext "
                      "size"
                    : "): check the kiosk id, that a receipt tag is present, and the "
                      "ciphertext size")});
    }

    if (j.contains("hash")) {
        crypto::Hash256 claimed{};
        if (!getHexArray(j, "hash", claimed, err))
            return malformed(err);
        if (!crypto::constantTimeEqual(claimed, crypto::envelopeHash(e)))
            return malformed("member \"hash\" does not match the envelope's contents");
    }
    return e;
}

std::string envelopeExportFileName(const crypto::EnvelopeHeader& h) {
    char seq[32];
    std::snprintf(seq, sizeof seq, "%010llu", static_cast<unsigned long long>(h.sequence));
    return h.kioskId + "-" + seq + ".msenv.json";
}

} // namespace minsheng::sync
