// Acknowledgements, heartbeats and case statuses as they arrive over HTTP.
#include "crypto/sodium.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "sync/wire/strict_json.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace minsheng::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    minsheng::crypto::initSodium();
    JsonParseError err;
    auto j = parseStrictJson({reinterpret_cast<const char*>(data), size}, err);
    if (!j)
        return 0;
    if (auto a = acknowledgementFromJson(*j))
        FUZZ_CHECK(acknowledgementFromJson(acknowledgementToJson(*a)).ok());
    if (auto h = heartbeatFromJson(*j))
        FUZZ_CHECK(heartbeatFromJson(heartbeatToJson(*h)).ok());
    if (auto c = caseStatusFromJson(*j))
        FUZZ_CHECK(caseStatusFromJson(caseStatusToJson(*c)).ok());
    return 0;
}
