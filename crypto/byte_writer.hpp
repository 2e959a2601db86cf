// The byte writers behind every signed input in crypto/ (envelopes, acknowledgements, heartbeats,
// case statuses). Internal to crypto/: the layouts they write are documented where each input is
// built (envelope.hpp, signed_messages.hpp).
//
// Invariants:
//   1. Integers are written big-endian with a fixed width, so one value has one encoding.
//   2. A domain tag is 15 characters and a zero byte: 16 bytes that name the message and its
//      version, so that a signature over one kind of message is never valid for another.
#pragma once

#include "crypto/sodium.hpp"

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>

namespace minsheng::crypto::bytes {

inline constexpr std::size_t kDomainTagLength = 15;

inline void putU8(Bytes& out, std::uint8_t v) {
    out.push_back(v);
}

inline void putU32(Bytes& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}

inline void putU64(Bytes& out, std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}

inline void putBytes(Bytes& out, std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
}

/// `tag` (15 characters, e.g. "minsheng-ack-v1") and the zero byte that makes 16. Throws
/// std::invalid_argument for another length: the tags are constants, so that is a programmer
/// error.
inline void putDomainTag(Bytes& out, std::string_view tag) {
    if (tag.size() != kDomainTagLength)
        throw std::invalid_argument("a domain tag is 15 characters");
    putBytes(out, asBytes(tag));
    putU8(out, 0);
}

/// A one-byte length and the bytes. Throws std::invalid_argument above 255 bytes: the callers
/// bound their strings far lower before signing.
inline void putShortString(Bytes& out, std::string_view s) {
    if (s.size() > 255)
        throw std::invalid_argument("signed message string longer than 255 bytes");
    putU8(out, static_cast<std::uint8_t>(s.size()));
    putBytes(out, asBytes(s));
}

} // namespace minsheng::crypto::bytes
