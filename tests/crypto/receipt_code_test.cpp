#include <catch2/catch.hpp>

#include "crypto/receipt_code.hpp"

#include <set>

using namespace minsheng::crypto;

TEST_CASE("generated receipt codes are 16 digits that parse back", "[crypto][receipt]") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        ReceiptCode c = ReceiptCode::generate();
        const std::string d = c.digits();
        REQUIRE(d.size() == 16);
        REQUIRE(d.find_first_not_of("0123456789") == std::string::npos);
        auto parsed = ReceiptCode::parse(c.grouped());
        REQUIRE(parsed.ok());
        REQUIRE(parsed->digits() == d);
        seen.insert(d);
    }
    REQUIRE(seen.size() == 1000); // 10^15 space: a collision here means a broken generator
}

TEST_CASE("receipt code grouping and lenient separators", "[crypto][receipt]") {
    // 123456789012345 + Damm check digit
    const std::string body = "123456789012345";
    const std::string full = body + ReceiptCode::dammCheckDigit(body);
    auto c = ReceiptCode::parse(full);
    REQUIRE(c.ok());
    REQUIRE(c->grouped() == full.substr(0, 4) + "-" + full.substr(4, 4) + "-" + full.substr(8, 4) +
                                "-" + full.substr(12, 4));
    REQUIRE(ReceiptCode::parse(" " + full.substr(0, 4) + " " + full.substr(4) + " ").ok());
    REQUIRE(ReceiptCode::parse(full.substr(0, 15)).error() == ReceiptCodeError::WrongLength);
    REQUIRE(ReceiptCode::parse(full + "0").error() == ReceiptCodeError::WrongLength);
    REQUIRE(ReceiptCode::parse(full.substr(0, 15) + "x").error() == ReceiptCodeError::NotDigits);
    // Known Damm example: 572 -> check digit 4 (Damm 2004).
    REQUIRE(ReceiptCode::dammCheckDigit("572") == '4');
}

TEST_CASE("every single-digit error and adjacent transposition is caught", "[crypto][receipt]") {
    for (int round = 0; round < 20; ++round) {
        const std::string d = ReceiptCode::generate().digits();
        for (std::size_t i = 0; i < 16; ++i) {
            for (char x = '0'; x <= '9'; ++x) {
                if (x == d[i])
                    continue;
                std::string typo = d;
                typo[i] = x;
                REQUIRE(ReceiptCode::parse(typo).error() == ReceiptCodeError::BadCheckDigit);
            }
            if (i + 1 < 16 && d[i] != d[i + 1]) {
                std::string swapped = d;
                std::swap(swapped[i], swapped[i + 1]);
                REQUIRE(ReceiptCode::parse(swapped).error() == ReceiptCodeError::BadCheckDigit);
            }
        }
    }
}

TEST_CASE("receipt tags depend on the code and on the county key", "[crypto][receipt]") {
    ReceiptTagKey k1 = ReceiptTagKey::generate();
    ReceiptTagKey k2 = ReceiptTagKey::generate();
    ReceiptCode a = ReceiptCode::generate();
    ReceiptCode b = ReceiptCode::generate();
    REQUIRE(a.tag(k1) == ReceiptCode::parse(a.grouped())->tag(k1));
    REQUIRE(a.tag(k1) != a.tag(k2));
    REQUIRE(a.tag(k1) != b.tag(k1));
}
