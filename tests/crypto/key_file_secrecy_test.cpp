// Key file invariant 3: reading a key file copies no secret into ordinary memory.
//
// This test executable replaces the global operator new and delete. While a HeapWatch is active,
// every block the ordinary heap hands out is remembered, and each one is searched for a marker
// secret (raw and base64) when it is freed and, if still alive, when the watch ends. Secret key
// files made of the marker are then parsed from guarded memory, as readKeyFile does. A copy of
// the key on the ordinary heap that is not wiped before it is freed or that outlives parsing
// (a std::string field value, a std::vector from base64 decoding) is found. Copies on the stack
// and copies wiped before they are freed are out of its reach.
#include <catch2/catch.hpp>

#include "crypto/key_file.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <new>

using namespace minsheng::crypto;

namespace {

constexpr std::size_t kMaxNeedles = 4;
constexpr std::size_t kNeedleBytes = 16;
constexpr std::size_t kMaxWatchedBlocks = 1 << 14;

// The watch's state is plain static storage: the hooks below must not allocate.
std::atomic<bool> g_watching{false};
std::uint8_t g_needles[kMaxNeedles][kNeedleBytes];
std::size_t g_needleCount = 0;
void* g_blocks[kMaxWatchedBlocks];
std::size_t g_blockCount = 0;
bool g_blocksOverflowed = false;
std::size_t g_hits = 0;
// Where the self-test keeps its blocks, so the compiler cannot elide the allocation.
char* volatile g_sink = nullptr;

void scanBlock(const void* p) {
    const std::size_t size = malloc_usable_size(const_cast<void*>(p));
    for (std::size_t n = 0; n < g_needleCount; ++n)
        if (memmem(p, size, g_needles[n], kNeedleBytes) != nullptr)
            ++g_hits;
}

void remember(void* p) {
    if (g_blockCount == kMaxWatchedBlocks) {
        g_blocksOverflowed = true;
        return;
    }
    g_blocks[g_blockCount++] = p;
}

void forget(void* p) {
    for (std::size_t i = 0; i < g_blockCount; ++i)
        if (g_blocks[i] == p) {
            g_blocks[i] = nullptr;
            return;
        }
}

/// Watches the ordinary heap between construction and finish().
class HeapWatch {
public:
    /// `secrets` must stay alive (and unfreed) until finish(): they are searched for, and were
    /// allocated before the watch began.
    explicit HeapWatch(std::initializer_list<std::string_view> secrets) {
        g_needleCount = 0;
        for (auto s : secrets) {
            REQUIRE(s.size() >= kNeedleBytes);
            REQUIRE(g_needleCount < kMaxNeedles);
            std::memcpy(g_needles[g_needleCount++], s.data(), kNeedleBytes);
        }
        g_blockCount = 0;
        g_blocksOverflowed = false;
        g_hits = 0;
        g_watching = true;
    }
    /// Ends the watch: searches the blocks still alive. Returns how many held a secret.
    std::size_t finish() {
        g_watching = false;
        for (std::size_t i = 0; i < g_blockCount; ++i)
            if (g_blocks[i])
                scanBlock(g_blocks[i]);
        return g_hits;
    }
    ~HeapWatch() { g_watching = false; }
    static bool overflowed() { return g_blocksOverflowed; }
};

std::string base64Of(const SecretBytes& key) {
    return toBase64(key.span());
}

/// A key file as writeKeyFile lays it out, for a key the test chose (the marker).
std::string keyFileText(KeyKind kind, std::string_view algorithm, const KeyId& id,
                        const std::string& keyB64, const std::string& extra = {}) {
    return "# test\nminsheng-key: 1\nkind: " + std::string(keyKindName(kind)) +
           "\nalgorithm: " + std::string(algorithm) + "\nkey-id: " + toHex(id) +
           "\nlabel: marker test\nprotection: none\n" + extra + "key: " + keyB64 + "\n";
}

struct Marker {
    KeyKind kind;
    std::string_view algorithm;
    SecretBytes key;
    KeyId id;
    /// The part of the key that is secret (an Ed25519 key ends with its public half).
    std::size_t secretPrefix;
};

std::vector<Marker> markers() {
    std::vector<Marker> out;
    auto kiosk = Ed25519KeyPair::generate();
    out.push_back({KeyKind::KioskSigningSecret, "ed25519", kiosk.secretKey.bytes().copy(),
                   kiosk.publicKey.id(), 32});
    auto seal = X25519KeyPair::generate();
    out.push_back({KeyKind::CountySealingSecret, "x25519", seal.secretKey.bytes().copy(),
                   seal.publicKey.id(), 32});
    auto tag = ReceiptTagKey::generate();
    out.push_back({KeyKind::ReceiptTagKey, "blake2b-key", tag.bytes().copy(), tag.id(), 32});
    return out;
}

/// Parses `text` from guarded memory under a HeapWatch for the marker's secret; returns the
/// number of ordinary heap blocks that held it, and whether parsing accepted the file.
std::pair<std::size_t, bool> parseWatched(const Marker& m, const std::string& text) {
    const std::string b64 = base64Of(m.key);
    // Base64 of the first 12 bytes: 16 characters that only the secret part produces.
    const std::string_view b64Secret(b64.data(), 16);
    const std::string_view raw(reinterpret_cast<const char*>(m.key.data()), m.secretPrefix);
    SecretBytes guarded = SecretBytes::copyOf(std::string_view(text));
    bool accepted = false;
    HeapWatch watch{raw, b64Secret};
    {
        auto r = parseKeyFile(guarded.view(), "marker.key", 0600, m.kind);
        accepted = r.ok() && r->bytes.equals(m.key.span());
    }
    const std::size_t hits = watch.finish();
    return {hits, accepted};
}

} // namespace

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer, memory its runtime hands out through its own operator new (inside
// libstdc++) can reach the replacement operator delete below, which frees it with free(): the
// pairing is deliberate here, so that one check is off for this executable only.
extern "C" const char* __asan_default_options() {
    return "alloc_dealloc_mismatch=0";
}
#endif

// Replacing the global allocation functions is how the watch sees every ordinary heap block.
void* operator new(std::size_t n) {
    void* p = std::malloc(n ? n : 1);
    if (!p)
        throw std::bad_alloc();
    if (g_watching)
        remember(p);
    return p;
}
void operator delete(void* p) noexcept {
    if (p && g_watching) {
        scanBlock(p);
        forget(p);
    }
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    operator delete(p);
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void operator delete[](void* p) noexcept {
    operator delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    operator delete(p);
}

TEST_CASE("the heap watch finds a secret copied to ordinary memory", "[crypto][keyfile]") {
    // The watch itself must be able to fail: a copy of the key in an ordinary heap block is seen
    // when the block is freed during the watch and when it is still alive at the end.
    auto ms = markers();
    const Marker& m = ms[1];
    const std::string_view raw(reinterpret_cast<const char*>(m.key.data()), m.secretPrefix);
    {
        HeapWatch watch{raw};
        g_sink = new char[64];
        std::memcpy(g_sink, raw.data(), raw.size());
        delete[] g_sink;
        REQUIRE(watch.finish() == 1);
    }
    {
        HeapWatch watch{raw};
        g_sink = new char[64];
        std::memcpy(g_sink, raw.data(), raw.size());
        const std::size_t hits = watch.finish();
        delete[] g_sink;
        REQUIRE(hits == 1);
    }
    {
        HeapWatch watch{raw};
        g_sink = new char[64];
        std::memset(g_sink, 'x', 64);
        delete[] g_sink;
        REQUIRE(watch.finish() == 0);
    }
}

TEST_CASE("parsing a secret key file copies no secret into ordinary memory", "[crypto][keyfile]") {
    for (const Marker& m : markers()) {
        DYNAMIC_SECTION(keyKindName(m.kind)) {
            const std::string text = keyFileText(m.kind, m.algorithm, m.id, base64Of(m.key));
            auto [hits, accepted] = parseWatched(m, text);
            REQUIRE(accepted);
            REQUIRE_FALSE(HeapWatch::overflowed());
            CHECK(hits == 0);
        }
    }
}

TEST_CASE("refusing a secret key file copies no secret into ordinary memory", "[crypto][keyfile]") {
    // Files that fail after the key line has been read: the error paths keep the secret too.
    for (const Marker& m : markers()) {
        const std::string key = base64Of(m.key);
        const std::vector<std::pair<const char*, std::string>> refused = {
            {"edited key id", keyFileText(m.kind, m.algorithm, KeyId{}, key)},
            {"unknown field after the key",
             keyFileText(m.kind, m.algorithm, m.id, key) + "colour: blue\n"},
            {"duplicate key", keyFileText(m.kind, m.algorithm, m.id, key) + "key: " + key + "\n"},
            {"missing kind", "minsheng-key: 1\nkey: " + key + "\n"},
            {"wrong algorithm", keyFileText(m.kind, "ed448", m.id, key)},
        };
        for (const auto& [name, text] : refused) {
            DYNAMIC_SECTION(keyKindName(m.kind) << ": " << name) {
                auto [hits, accepted] = parseWatched(m, text);
                REQUIRE_FALSE(accepted);
                REQUIRE_FALSE(HeapWatch::overflowed());
                CHECK(hits == 0);
            }
        }
    }
}

TEST_CASE("every well-formed key file is accepted and every truncation of it refused",
          "[crypto][keyfile]") {
    for (const Marker& m : markers()) {
        const std::string good = keyFileText(m.kind, m.algorithm, m.id, base64Of(m.key));
        // Line endings and comments do not matter.
        std::string crlf;
        for (char c : good)
            crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        for (const std::string& text : {good, crlf, "# a comment\n\n" + good}) {
            auto r = parseKeyFile(text, "k.key", 0600, m.kind);
            REQUIRE(r.ok());
            CHECK(r->bytes.equals(m.key.span()));
            CHECK(r->id == m.id);
            CHECK(r->labels == std::vector<std::string>{"marker test"});
        }
        // Cutting the file anywhere before the key's last character leaves it malformed. A cut
        // inside the key value leaves base64 of the wrong length or a short key.
        const std::size_t keyEnd = good.size() - 1; // the final newline is optional
        for (std::size_t cut = 0; cut < keyEnd; ++cut) {
            auto r = parseKeyFile(std::string_view(good).substr(0, cut), "k.key", 0600, m.kind);
            INFO("cut at " << cut);
            REQUIRE_FALSE(r.ok());
            // A cut inside "minsheng-key: 1" reads as a version this program does not know.
            CHECK((r.error().code == KeyFileErrorCode::Malformed ||
                   r.error().code == KeyFileErrorCode::UnsupportedVersion));
            CHECK_THAT(r.error().message, Catch::Contains("k.key"));
        }
        CHECK(parseKeyFile(std::string_view(good).substr(0, keyEnd), "k.key", 0600, m.kind).ok());
    }
}
