// Answers files (minsheng-kiosk submit --answers) against the shipped complaint and survey forms.
#include "crypto/secret_arena.hpp"
#include "crypto/sodium.hpp"
#include "sync/forms/canonical_payload.hpp"
#include "sync/forms/validation.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace minsheng::forms;

namespace {
struct Forms {
    ListSet lists;
    Form complaint, survey;
};
const Forms& shipped() {
    static const Forms forms = [] {
        const std::string dir = std::string(MINSHENG_SOURCE_DIR) + "/config/forms/";
        auto l = loadLists(dir + "lists.toml");
        FUZZ_CHECK(l.ok());
        auto c = loadForm(dir + "complaint.toml", *l);
        auto s = loadForm(dir + "survey.toml", *l);
        FUZZ_CHECK(c.ok() && s.ok());
        return Forms{std::move(l.value()), std::move(c.value()), std::move(s.value())};
    }();
    return forms;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    minsheng::crypto::initSodium();
    minsheng::crypto::SecretArena arena(1u << 20);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const Form* f : {&shipped().complaint, &shipped().survey}) {
        try {
            auto a = parseAnswersJson(*f, text, &arena);
            if (a && validateAnswers(*f, *a).empty()) {
                // Valid answers must make a payload the county accepts.
                auto payload = buildCanonicalPayload(*f, *a, "zh-CN", 1795428300);
                FUZZ_CHECK(parsePayload(payload.view()).ok());
            }
        } catch (const std::bad_alloc&) {
            // A 1 MiB arena can be exhausted by a huge input; the kiosk reports that state.
        }
        arena.reset();
    }
    return 0;
}
