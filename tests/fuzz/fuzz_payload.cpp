// Opened payloads as the county parses them: accepted payloads are canonical by definition, and
// a refusal's message is UTF-8 whatever bytes came in (it is written into JSON reports).
#include "sync/forms/canonical_payload.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto p = minsheng::forms::parsePayload(text);
    if (p) {
        FUZZ_CHECK(p->answers.is_object());
    } else {
        // dump() throws on a string that is not UTF-8: an uncaught throw is a finding.
        FUZZ_CHECK(!nlohmann::json(p.error()).dump().empty());
    }
    return 0;
}
