// Opened payloads as the county parses them: accepted payloads are canonical by definition.
#include "sync/forms/canonical_payload.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto p = minsheng::forms::parsePayload(text);
    if (p)
        FUZZ_CHECK(p->answers.is_object());
    return 0;
}
