// outbox_crash_child DATA_DIR: appends envelopes to DATA_DIR/outbox.db in an endless loop and,
// after each append() returned, prints its sequence number on a line of its own (flushed), then
// checkpoints as the kiosk does between sessions (outbox CheckpointPolicy::Deferred). The
// crash test SIGKILLs it at a random moment and checks that every printed number survived.
//
// The store key is DATA_DIR/outbox.key (created on the first run, as the kiosk does); the kiosk
// signing key is the fixed test key, so the test can verify what this process signed.
#include "kiosk/outbox/outbox.hpp"
#include "sync/store/store_key.hpp"
#include "tests/kiosk/outbox/outbox_test_support.hpp"

#include <cstdio>
#include <filesystem>
#include <sodium.h>

int main(int argc, char** argv) {
    using namespace minsheng;
    if (argc != 2) {
        std::fprintf(stderr, "usage: outbox_crash_child DATA_DIR\n");
        return 2;
    }
    crypto::initSodium();
    const std::filesystem::path dir = argv[1];
    const auto file = dir / outbox::kOutboxFileName;
    // Create the key only while there is no outbox (store_key.hpp invariant 1).
    sync::FileStoreKey keySource(dir / "outbox.key", !std::filesystem::exists(file));
    auto key = keySource.load();
    if (!key) {
        std::fprintf(stderr, "key: %s\n", key.error().message.c_str());
        return 1;
    }
    // As the kiosk UI opens it: commits do not checkpoint, the loop does between appends.
    outbox::OpenOptions options;
    options.checkpoint = outbox::CheckpointPolicy::Deferred;
    auto box = outbox::Outbox::open(file, *key, test::kTestKioskId,
                                    outbox::OpenMode::CreateIfMissing, options);
    if (!box) {
        std::fprintf(stderr, "open: %s\n", box.error().message.c_str());
        return 1;
    }
    std::fputs("ready\n", stdout);
    std::fflush(stdout);
    const auto kiosk = test::testKioskKey();
    for (;;) {
        // 1072 bytes is the smallest well-formed ciphertext (sealed-box overhead + the smallest
        // padding bucket), so sizes are drawn from 1072..5000.
        const std::size_t size = 1072 + randombytes_uniform(5000 - 1072 + 1);
        auto r = box->append(test::makeDraft(size), kiosk.secretKey);
        if (!r) {
            std::fprintf(stderr, "append: %s\n", r.error().message.c_str());
            return 1;
        }
        std::printf("%llu\n", static_cast<unsigned long long>(r->envelope.header.sequence));
        std::fflush(stdout);
        // The kiosk's between-sessions checkpoint, so kills also land in checkpoints and in the
        // WAL restarts after them.
        if (auto c = box->checkpoint(outbox::kIdleCheckpointFrames); !c) {
            std::fprintf(stderr, "checkpoint: %s\n", c.error().message.c_str());
            return 1;
        }
    }
}
