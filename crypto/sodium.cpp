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

namespace {

/// Runs a libsodium encoder that writes `encodedLength` characters and a terminating NUL.
template <class Encode>
std::string encodedText(std::size_t encodedLength, Encode encode) {
    std::string out(encodedLength + 1, '\0');
    encode(out.data(), out.size());
    out.pop_back(); // terminating NUL
    return out;
}

constexpr int kBase64Variant = sodium_base64_VARIANT_ORIGINAL;

/// Strict base64 decoding into `out` (at least text.size() / 4 * 3 bytes), re-encoding into
/// `scratch` (at least text.size() + 1 bytes) to refuse non-canonical spellings (non-zero
/// trailing bits), so that one key has one spelling. Returns the decoded length. The caller
/// chooses where `out` and `scratch` live: secret bytes decode into guarded memory.
std::optional<std::size_t> decodeBase64Strict(std::string_view text, std::span<std::uint8_t> out,
                                              std::span<std::uint8_t> scratch) {
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                          kBase64Variant) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    // len <= text.size() / 4 * 3, so the re-encoding (with its NUL) fits in text.size() + 1.
    if (sodium_base64_encoded_len(len, kBase64Variant) != text.size() + 1)
        return std::nullopt;
    sodium_bin2base64(reinterpret_cast<char*>(scratch.data()), scratch.size(), out.data(), len,
                      kBase64Variant);
    if (sodium_memcmp(scratch.data(), text.data(), text.size()) != 0)
        return std::nullopt;
    return len;
}

} // namespace

std::string toHex(std::span<const std::uint8_t> bytes) {
    if (bytes.empty())
        return {};
    return encodedText(bytes.size() * 2, [&](char* out, std::size_t outSize) {
        sodium_bin2hex(out, outSize, bytes.data(), bytes.size());
    });
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
    return encodedText(sodium_base64_encoded_len(bytes.size(), kBase64Variant) - 1,
                       [&](char* out, std::size_t outSize) {
                           sodium_bin2base64(out, outSize, bytes.data(), bytes.size(),
                                             kBase64Variant);
                       });
}

std::optional<Bytes> fromBase64(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    if (text.empty())
        return Bytes{}; // libsodium must not be handed the null data() of an empty vector
    Bytes out(text.size() / 4 * 3);
    Bytes scratch(text.size() + 1);
    auto len = decodeBase64Strict(text, out, scratch);
    if (!len)
        return std::nullopt;
    out.resize(*len);
    return out;
}

std::optional<SecretBytes> secretFromBase64(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    if (text.empty())
        return SecretBytes{};
    SecretBytes out(text.size() / 4 * 3);
    SecretBytes scratch(text.size() + 1);
    auto len = decodeBase64Strict(text, out.span(), scratch.span());
    if (!len)
        return std::nullopt;
    out.truncate(*len);
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
