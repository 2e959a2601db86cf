#include "crypto/receipt_code.hpp"

#include <sodium.h>

namespace minsheng::crypto {
namespace {

// Damm's totally anti-symmetric quasigroup of order 10 (H. Michael Damm, 2004).
constexpr std::uint8_t kDamm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

constexpr char kTagContext[] = "minsheng-receipt-v1:";

} // namespace

char ReceiptCode::dammCheckDigit(std::string_view digits) {
    std::uint8_t interim = 0;
    for (char c : digits)
        interim = kDamm[interim][static_cast<std::uint8_t>(c - '0')];
    return static_cast<char>('0' + interim);
}

ReceiptCode ReceiptCode::generate() {
    ReceiptCode code;
    for (std::size_t i = 0; i < 15; ++i)
        code.m_digits[i] = static_cast<char>('0' + randombytes_uniform(10));
    code.m_digits[15] = dammCheckDigit({code.m_digits.data(), 15});
    return code;
}

Result<ReceiptCode, ReceiptCodeError> ReceiptCode::parse(std::string_view text) {
    ReceiptCode code;
    std::size_t n = 0;
    for (char c : text) {
        if (c == ' ' || c == '-')
            continue;
        if (c < '0' || c > '9')
            return fail(ReceiptCodeError::NotDigits);
        if (n == 16)
            return fail(ReceiptCodeError::WrongLength);
        code.m_digits[n++] = c;
    }
    if (n != 16)
        return fail(ReceiptCodeError::WrongLength);
    // A valid Damm-checked string has interim digit 0 after all 16 digits.
    if (dammCheckDigit({code.m_digits.data(), 16}) != '0')
        return fail(ReceiptCodeError::BadCheckDigit);
    return code;
}

std::string ReceiptCode::digits() const {
    return {m_digits.data(), m_digits.size()};
}

std::string ReceiptCode::grouped() const {
    std::string out;
    for (std::size_t i = 0; i < 16; ++i) {
        if (i > 0 && i % 4 == 0)
            out.push_back('-');
        out.push_back(m_digits[i]);
    }
    return out;
}

Hash256 ReceiptCode::tag(const ReceiptTagKey& key) const {
    Hash256 tag{};
    crypto_generichash_state st;
    crypto_generichash_init(&st, key.bytes().data(), key.bytes().size(), tag.size());
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kTagContext),
                              sizeof kTagContext - 1);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(m_digits.data()),
                              m_digits.size());
    crypto_generichash_final(&st, tag.data(), tag.size());
    sodium_memzero(&st, sizeof st);
    return tag;
}

} // namespace minsheng::crypto
