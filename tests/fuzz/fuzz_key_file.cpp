// Key files, as every kind. No passphrase is offered, so a protected file stops before Argon2id
// (whose cost the file itself chooses).
#include "crypto/key_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace minsheng::crypto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    initSodium();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (KeyKind k :
         {KeyKind::KioskSigningSecret, KeyKind::KioskSigningPublic, KeyKind::CountySealingSecret,
          KeyKind::CountySealingPublic, KeyKind::CountySigningSecret, KeyKind::CountySigningPublic,
          KeyKind::ReceiptTagKey}) {
        auto r = parseKeyFile(text, "fuzz.key", 0600, k);
        if (r)
            FUZZ_CHECK(r->kind == k);
        else
            FUZZ_CHECK(!r.error().message.empty());
    }
    return 0;
}
