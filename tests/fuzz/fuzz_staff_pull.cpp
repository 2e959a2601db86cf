// GET /v1/staff/envelopes as the staff tool reads the page and the server reads the query.
#include "crypto/sodium.hpp"
#include "sync/wire/http_bodies.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace minsheng;
using namespace minsheng::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    crypto::initSodium();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto page = staffPullPageFromJson(text)) {
        FUZZ_CHECK(page->next >= 0);
        // The well-formed items, written again by the server's writer, parse to as many items.
        std::vector<std::string> envelopes;
        std::vector<crypto::Acknowledgement> acks;
        for (const auto& item : page->items) {
            FUZZ_CHECK(item.hasEnvelope || !item.envelope);
            if (item.hasEnvelope && item.envelope->ok() && item.ack && item.ack->ok()) {
                envelopes.push_back(envelopeToJson(item.envelope->value()));
                acks.push_back(item.ack->value());
            }
        }
        std::vector<StaffPullEntry> entries;
        for (std::size_t i = 0; i < envelopes.size(); ++i)
            entries.push_back({static_cast<std::int64_t>(i + 1), envelopes[i], &acks[i]});
        auto again = staffPullPageFromJson(staffPullPageToJson(entries, page->next));
        FUZZ_CHECK(again.ok() && again->items.size() == entries.size());
    }
    if (auto query = staffPullQueryFromString(text)) {
        const std::string target = staffPullTarget(*query);
        auto again =
            staffPullQueryFromString(std::string_view(target).substr(target.find('?') + 1));
        FUZZ_CHECK(again.ok() && again->after == query->after && again->limit == query->limit);
    }
    return 0;
}
