// Receipt codes: what a parent takes home to look up their case.
//
// 16 decimal digits: 15 from the CSPRNG (randombytes_uniform, no modulo bias) followed by a
// Damm check digit over those 15. The Damm algorithm catches every single-digit error and every
// transposition of adjacent digits, so a mistyped code is caught at the kiosk before any lookup.
// Shown grouped 4-4-4-4 ("1234-5678-9012-3456").
//
// Only a tag travels: receipt tag = BLAKE2b-256(key = county receipt tag key,
// message = "minsheng-receipt-v1:" || the 16 ASCII digits). The key is shared by the county and
// its kiosks, so the intake server (which does not hold it) cannot turn stored tags back into
// codes by trying all 10^15 of them.
#pragma once

#include "crypto/keys.hpp"
#include "crypto/result.hpp"

#include <array>
#include <string>
#include <string_view>

namespace minsheng::crypto {

enum class ReceiptCodeError {
    WrongLength,   // not 16 digits after removing spaces and dashes
    NotDigits,     // a character other than 0-9, space or '-'
    BadCheckDigit, // "号码有误，请核对"
};

class ReceiptCode {
public:
    static ReceiptCode generate();
    /// Accepts digits with optional spaces or dashes anywhere.
    [[nodiscard]] static Result<ReceiptCode, ReceiptCodeError> parse(std::string_view text);

    std::string digits() const;  // "1234567890123456"
    std::string grouped() const; // "1234-5678-9012-3456"
    Hash256 tag(const ReceiptTagKey& key) const;

    /// The Damm check digit of a string of decimal digits.
    static char dammCheckDigit(std::string_view digits);

private:
    std::array<char, 16> m_digits{};
};

} // namespace minsheng::crypto
