// Envelope wire form: whatever parses must re-serialise to a text that parses to the same
// envelope (same envelope hash).
#include "crypto/sodium.hpp"
#include "sync/wire/envelope_json.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    minsheng::crypto::initSodium();
    auto e = minsheng::sync::envelopeFromJson({reinterpret_cast<const char*>(data), size});
    if (!e)
        return 0;
    auto again = minsheng::sync::envelopeFromJson(minsheng::sync::envelopeToJson(*e));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(minsheng::crypto::envelopeHash(*again) == minsheng::crypto::envelopeHash(*e));
    return 0;
}
