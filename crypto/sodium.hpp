// Process-wide libsodium set-up and the small encodings every module shares.
#pragma once

#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::crypto {

/// Calls sodium_init() once. Throws std::runtime_error if libsodium cannot initialise (no
/// entropy source): no key, receipt code or envelope may be made without it.
void initSodium();

using Bytes = std::vector<std::uint8_t>;
using Hash256 = std::array<std::uint8_t, 32>;

std::string toHex(std::span<const std::uint8_t> bytes);
/// Lower- or upper-case hex, no separators. nullopt on odd length or a non-hex character.
std::optional<Bytes> fromHex(std::string_view hex);
/// Standard base64 with padding (RFC 4648 section 4).
std::string toBase64(std::span<const std::uint8_t> bytes);
/// Strict: standard alphabet, padding required, no whitespace. nullopt otherwise.
std::optional<Bytes> fromBase64(std::string_view text);
/// fromBase64 for secret bytes: the decoded bytes, and the re-encoding that checks the text is
/// canonical, exist only in guarded memory (SecretBytes), never on the ordinary heap.
std::optional<SecretBytes> secretFromBase64(std::string_view text);

/// BLAKE2b with a 32-byte output, unkeyed.
Hash256 blake2b256(std::span<const std::uint8_t> data);

inline std::span<const std::uint8_t> asBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// Constant-time equality (sodium_memcmp); false when sizes differ.
bool constantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

} // namespace minsheng::crypto
