#include <catch2/catch.hpp>

#include "crypto/secret_arena.hpp"
#include "crypto/secret_bytes.hpp"
#include "crypto/sodium.hpp"

#include <memory_resource>
#include <string>

using namespace minsheng::crypto;

TEST_CASE("SecretBytes copies, compares in constant time and truncates", "[crypto][memory]") {
    SecretBytes a = SecretBytes::copyOf(std::string_view("secret answer"));
    REQUIRE(a.size() == 13);
    REQUIRE(a.view() == "secret answer");
    SecretBytes b = a.copy();
    REQUIRE(b.equals(a.span()));
    b.data()[0] = 'S';
    REQUIRE_FALSE(b.equals(a.span()));
    b.truncate(6);
    REQUIRE(b.view() == "Secret");
    SecretBytes moved = std::move(a);
    REQUIRE(a.empty());
    REQUIRE(moved.view() == "secret answer");
    moved.clear();
    REQUIRE(moved.empty());
}

TEST_CASE("SecretArena keeps pmr strings in guarded memory and wipes them on reset",
          "[crypto][memory]") {
    SecretArena arena(64 * 1024);
    const char* where = nullptr;
    std::size_t len = 0;
    {
        std::pmr::string s("UNIQUE-MARKER-0123456789-this-is-long-enough-to-allocate", &arena);
        where = s.data();
        len = s.size();
        REQUIRE(std::string_view(where, len).find("UNIQUE-MARKER") == 0);
    }
    arena.reset();
    // The block is still mapped (the arena owns it); every byte of it must now be zero.
    for (std::size_t i = 0; i < len; ++i)
        REQUIRE(where[i] == 0);
}

TEST_CASE("SecretArena refuses to spill onto the heap when full", "[crypto][memory]") {
    SecretArena arena(16 * 1024);
    std::pmr::vector<std::pmr::string> v(&arena);
    REQUIRE_THROWS_AS(
        [&] {
            for (int i = 0; i < 10000; ++i)
                v.emplace_back(std::string(100, 'x'));
        }(),
        std::bad_alloc);
}

TEST_CASE("hex and base64 round-trip and reject bad input", "[crypto][encoding]") {
    const Bytes data{0x00, 0x01, 0xfe, 0xff, 0x10};
    REQUIRE(toHex(data) == "0001feff10");
    REQUIRE(*fromHex("0001FEff10") == data);
    REQUIRE_FALSE(fromHex("abc"));
    REQUIRE_FALSE(fromHex("zz"));
    REQUIRE_FALSE(fromHex("00 1"));
    REQUIRE(toBase64(data) == "AAH+/xA=");
    REQUIRE(*fromBase64("AAH+/xA=") == data);
    REQUIRE_FALSE(fromBase64("AAH+/xA"));  // no padding
    REQUIRE_FALSE(fromBase64("AAH-_xA=")); // URL alphabet
    REQUIRE_FALSE(fromBase64("AAH+/xB=")); // non-canonical trailing bits
    REQUIRE_FALSE(fromBase64("AA H+/xA="));
    REQUIRE(fromBase64("")->empty());
}
