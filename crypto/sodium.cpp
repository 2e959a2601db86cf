#include "crypto/sodium.hpp"

#include <sodium.h>
#include <stdexcept>

namespace minsheng::crypto {

void initSodium() {
    // sodium_init() is idempotent and thread-safe; -1 means no usable entropy source, and then
    // nothing this program makes (keys, receipt codes, sealed boxes) could be trusted.
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium could not be initialised (no entropy source?)");
}

std::string toHex(std::span<const std::uint8_t> bytes) {
    if (bytes.empty())
        return {};
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
    out.pop_back();
    return out;
}

std::optional<Bytes> fromHex(std::string_view hex) {
    if (hex.size() % 2 != 0)
        return std::nullopt;
    if (hex.empty())
        return Bytes{}; // libsodium must not be handed the null data() of an empty vector
    Bytes out(hex.size() / 2);
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
        len != out.size() || end != hex.data() + hex.size())
        return std::nullopt;
    return out;
}

std::string toBase64(std::span<const std::uint8_t> bytes) {
    if (bytes.empty())
        return {};
    const auto variant = sodium_base64_VARIANT_ORIGINAL;
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
    out.pop_back(); // terminating NUL
    return out;
}

std::optional<Bytes> fromBase64(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    if (text.empty())
        return Bytes{}; // libsodium must not be handed the null data() of an empty vector
    Bytes out(text.size() / 4 * 3);
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    // Reject non-canonical encodings (non-zero trailing bits) so one key has one spelling.
    if (toBase64(out) != text)
        return std::nullopt;
    return out;
}

Hash256 blake2b256(std::span<const std::uint8_t> data) {
    Hash256 h{};
    crypto_generichash(h.data(), h.size(), data.data(), data.size(), nullptr, 0);
    return h;
}

bool constantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    if (a.size() != b.size())
        return false;
    if (a.empty())
        return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace minsheng::crypto
