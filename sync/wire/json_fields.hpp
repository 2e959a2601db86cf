// Member readers shared by the wire parsers (protocol_messages, http_bodies, status_socket).
//
// Each reader checks one member of an object whose members were already checked with
// checkMembers, writes the value on success, and on failure writes a sentence naming the member
// into `err` and returns false, so a parser reads as one chain of `||`. Nothing here throws on
// outside input.
#pragma once

#include "crypto/keys.hpp"
#include "crypto/result.hpp"
#include "crypto/sodium.hpp"
#include "sync/wire/protocol_messages.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace minsheng::sync::wire_fields {

/// Integers above this do not survive a JavaScript reader; the protocol never needs them.
inline constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;

/// `j` is an object with every member of `required`, optionally those of `optional`, and no
/// other.
bool checkMembers(const nlohmann::json& j, std::initializer_list<const char*> required,
                  std::initializer_list<const char*> optional, std::string& err);

/// A non-negative integer of at most kMaxSafeInteger.
bool getU64(const nlohmann::json& j, const char* name, std::uint64_t& out, std::string& err);
/// Unix seconds: a non-negative integer of at most kMaxSafeInteger.
bool getTime(const nlohmann::json& j, const char* name, std::int64_t& out, std::string& err);
/// Unix seconds or null.
bool getOptionalTime(const nlohmann::json& j, const char* name, std::optional<std::int64_t>& out,
                     std::string& err);
bool getString(const nlohmann::json& j, const char* name, std::string& out, std::size_t maxBytes,
               std::string& err);
bool getBool(const nlohmann::json& j, const char* name, bool& out, std::string& err);
/// [a-z0-9-], 1 to 64 characters.
bool getKioskId(const nlohmann::json& j, const char* name, std::string& out, std::string& err);
/// Exactly 2N lower-case hex digits.
bool getHex(const nlohmann::json& j, const char* name, std::uint8_t* out, std::size_t n,
            std::string& err);
template <std::size_t N>
bool getHex(const nlohmann::json& j, const char* name, std::array<std::uint8_t, N>& out,
            std::string& err) {
    return getHex(j, name, out.data(), N, err);
}
/// Base64 of exactly 64 bytes, in member "sig".
bool getSignature(const nlohmann::json& j, crypto::Ed25519Signature& out, std::string& err);
/// Member "v" equal to 1.
bool getVersionOne(const nlohmann::json& j, std::string& err);

/// The error of a message parser: "<what>: <err>".
Failure<MessageWireError> refuseMessage(const char* what, const std::string& err);
/// `body` as strict JSON nested at most `maxDepth` deep; refused as "<what>: <why>".
Result<nlohmann::json, MessageWireError> parseMessageBody(std::string_view body, const char* what,
                                                          int maxDepth);

/// 64 lower-case hex digits: a receipt tag as it appears in paths and on the status socket.
bool isLowerHex64(std::string_view text);

} // namespace minsheng::sync::wire_fields
