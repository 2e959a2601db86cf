#include "sync/wire/json_fields.hpp"

#include "sync/wire/strict_json.hpp"

#include <algorithm>
#include <set>

namespace minsheng::sync::wire_fields {

using nlohmann::json;

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

bool getOptionalTime(const json& j, const char* name, std::optional<std::int64_t>& out,
                     std::string& err) {
    if (j.at(name).is_null()) {
        out.reset();
        return true;
    }
    std::int64_t t = 0;
    if (!getTime(j, name, t, err)) {
        err += " or null";
        return false;
    }
    out = t;
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

bool getBool(const json& j, const char* name, bool& out, std::string& err) {
    const json& v = j.at(name);
    if (!v.is_boolean()) {
        err = std::string("member \"") + name + "\" must be true or false";
        return false;
    }
    out = v.get<bool>();
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

bool getHex(const json& j, const char* name, std::uint8_t* out, std::size_t n, std::string& err) {
    const json& v = j.at(name);
    std::optional<crypto::Bytes> b;
    if (v.is_string())
        b = crypto::fromHex(v.get<std::string>());
    if (!b || b->size() != n || crypto::toHex(*b) != v.get<std::string>()) {
        err = std::string("member \"") + name + "\" must be " + std::to_string(2 * n) +
              " lower-case hex digits";
        return false;
    }
    std::copy(b->begin(), b->end(), out);
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

bool getVersionOne(const json& j, std::string& err) {
    std::uint64_t v = 0;
    if (!getU64(j, "v", v, err))
        return false;
    if (v != 1) {
        err = "version " + std::to_string(v) + " is not supported";
        return false;
    }
    return true;
}

Failure<MessageWireError> refuseMessage(const char* what, const std::string& err) {
    return {MessageWireError{std::string(what) + ": " + err}};
}

Result<json, MessageWireError> parseMessageBody(std::string_view body, const char* what,
                                                int maxDepth) {
    JsonParseError perr;
    auto doc = parseStrictJson(body, perr, maxDepth);
    if (!doc)
        return refuseMessage(what, perr.message);
    return std::move(*doc);
}

bool isLowerHex64(std::string_view text) {
    return text.size() == 64 &&
           text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace minsheng::sync::wire_fields
