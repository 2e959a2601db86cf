// POST /v1/envelopes as the server reads the request and the forwarder reads the answer.
#include "crypto/sodium.hpp"
#include "sync/wire/http_bodies.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace minsheng::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    minsheng::crypto::initSodium();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto batch = envelopeBatchRequestFromJson(text)) {
        FUZZ_CHECK(!batch->envelopes.empty() && batch->envelopes.size() <= kMaxBatchEnvelopes);
        // The parsed envelopes, written again, are a batch that parses to the same envelopes.
        EnvelopeBatchWriter writer(std::size_t(64) << 20);
        std::size_t parsed = 0;
        for (const auto& e : batch->envelopes)
            if (e.envelope) {
                FUZZ_CHECK(writer.add(e.envelope.value()));
                ++parsed;
            }
        FUZZ_CHECK(parsed == 0 || batch->kioskId);
        if (parsed > 0) {
            auto again = envelopeBatchRequestFromJson(writer.body());
            FUZZ_CHECK(again.ok() && again->envelopes.size() == parsed);
            FUZZ_CHECK(again->kioskId == batch->kioskId);
        }
    }
    if (auto result = envelopeBatchResultFromJson(text)) {
        const std::string written = envelopeBatchResultToJson(*result).dump();
        auto again = envelopeBatchResultFromJson(written);
        FUZZ_CHECK(again.ok() && again->results.size() == result->results.size());
        FUZZ_CHECK(envelopeBatchResultToJson(*again).dump() == written);
    }
    return 0;
}
