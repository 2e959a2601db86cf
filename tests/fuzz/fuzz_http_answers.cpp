// The small bodies: heartbeat request and answer, case status answer and PUT body.
#include "crypto/sodium.hpp"
#include "sync/wire/http_bodies.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace minsheng::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    minsheng::crypto::initSodium();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto hb = heartbeatRequestFromJson(text))
        FUZZ_CHECK(heartbeatRequestFromJson(heartbeatToJson(*hb).dump()).ok());
    if (auto a = heartbeatAnswerFromJson(text)) {
        auto again = heartbeatAnswerFromJson(heartbeatAnswerToJson(*a).dump());
        FUZZ_CHECK(again.ok() && again->serverTime == a->serverTime);
    }
    if (auto s = caseStatusAnswerFromJson(text))
        FUZZ_CHECK(caseStatusAnswerFromJson(caseStatusToJson(*s).dump()).ok());
    if (auto s = caseStatusRequestFromJson(text))
        FUZZ_CHECK(caseStatusRequestFromJson(caseStatusToJson(*s).dump()).ok());
    return 0;
}
