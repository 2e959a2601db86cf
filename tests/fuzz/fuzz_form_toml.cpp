// Form definitions (and, through the first byte, the lists file).
#include "sync/forms/form.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <fstream>
#include <sstream>

using namespace minsheng::forms;

namespace {
const ListSet& shippedLists() {
    static const ListSet lists = [] {
        auto l = loadLists(std::string(MINSHENG_SOURCE_DIR) + "/config/forms/lists.toml");
        FUZZ_CHECK(l.ok());
        return std::move(l.value());
    }();
    return lists;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1) {
        auto l = parseLists(text, "fuzz-lists.toml");
        if (!l)
            FUZZ_CHECK(!l.error().message.empty());
        return 0;
    }
    auto f = parseForm(text, "fuzz-form.toml", shippedLists());
    if (f)
        FUZZ_CHECK(!f->id.empty());
    return 0;
}
