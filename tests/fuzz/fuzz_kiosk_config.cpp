// kiosk.toml
#include "crypto/sodium.hpp"
#include "kiosk/core/kiosk_config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto r = minsheng::kiosk::parseKioskConfig({reinterpret_cast<const char*>(data), size},
                                               "/fuzz/kiosk.toml");
    if (!r)
        FUZZ_CHECK(!r.error().message.empty());
    return 0;
}
