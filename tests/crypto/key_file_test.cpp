#include <catch2/catch.hpp>

#include "crypto/key_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <cctype>
#include <sys/stat.h>

using namespace minsheng::crypto;
using minsheng::test::readFile;
using minsheng::test::TempDir;
using minsheng::test::writeFile;

namespace {

// Small Argon2id limits: the format and code path are the same, the test stays fast.
const PassphraseProtection kFast{1, 8u << 20};

PassphraseSource passphraseOf(std::string text) {
    return [text](const std::filesystem::path&) {
        return SecretBytes::copyOf(text);
    };
}

std::filesystem::path writeKioskSecret(const TempDir& dir, const Ed25519KeyPair& kp) {
    auto p = dir / "kiosk.key";
    REQUIRE(writeKeyFile(p, KeyKind::KioskSigningSecret, kp.secretKey.bytes().span()).ok());
    return p;
}

std::string replaceLine(std::string text, const std::string& prefix, const std::string& line) {
    auto at = text.find("\n" + prefix);
    REQUIRE(at != std::string::npos);
    auto end = text.find('\n', at + 1);
    return text.substr(0, at + 1) + line + text.substr(end);
}

} // namespace

TEST_CASE("every key kind round-trips through a key file", "[crypto][keyfile]") {
    TempDir dir;
    auto kiosk = Ed25519KeyPair::generate();
    auto seal = X25519KeyPair::generate();
    auto tagKey = ReceiptTagKey::generate();

    REQUIRE(writeKeyFile(dir / "k.key", KeyKind::KioskSigningSecret, kiosk.secretKey.bytes().span(),
                         {"kiosk demo-001"})
                .ok());
    REQUIRE(writeKeyFile(dir / "k.pub", KeyKind::KioskSigningPublic, kiosk.publicKey.bytes).ok());
    REQUIRE(writeKeyFile(dir / "s.key", KeyKind::CountySealingSecret, seal.secretKey.bytes().span())
                .ok());
    REQUIRE(writeKeyFile(dir / "s.pub", KeyKind::CountySealingPublic, seal.publicKey.bytes).ok());
    REQUIRE(writeKeyFile(dir / "t.key", KeyKind::ReceiptTagKey, tagKey.bytes().span()).ok());

    auto sk = readEd25519SecretKey(dir / "k.key", KeyKind::KioskSigningSecret);
    REQUIRE(sk.ok());
    REQUIRE(sk->publicKey().bytes == kiosk.publicKey.bytes);
    auto pk = readEd25519PublicKey(dir / "k.pub", KeyKind::KioskSigningPublic);
    REQUIRE(pk.ok());
    REQUIRE(pk->bytes == kiosk.publicKey.bytes);
    auto ssk = readX25519SecretKey(dir / "s.key");
    REQUIRE(ssk.ok());
    REQUIRE(ssk->publicKey().bytes == seal.publicKey.bytes);
    REQUIRE(readX25519PublicKey(dir / "s.pub")->bytes == seal.publicKey.bytes);
    REQUIRE(readReceiptTagKey(dir / "t.key")->bytes().equals(tagKey.bytes().span()));

    auto loaded = readKeyFile(dir / "k.key", KeyKind::KioskSigningSecret);
    REQUIRE(loaded->labels == std::vector<std::string>{"kiosk demo-001"});
    // Secret and public halves carry the same key id.
    REQUIRE(loaded->id == readKeyFile(dir / "k.pub", KeyKind::KioskSigningPublic)->id);

    struct stat st {};
    REQUIRE(stat((dir / "k.key").c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);
}

TEST_CASE("key files are never overwritten", "[crypto][keyfile]") {
    TempDir dir;
    auto kp = Ed25519KeyPair::generate();
    auto p = writeKioskSecret(dir, kp);
    const std::string before = readFile(p);
    auto again = writeKeyFile(p, KeyKind::KioskSigningSecret,
                              Ed25519KeyPair::generate().secretKey.bytes().span());
    REQUIRE_FALSE(again.ok());
    REQUIRE(again.error().code == KeyFileErrorCode::AlreadyExists);
    REQUIRE(readFile(p) == before);
}

TEST_CASE("a secret key file readable by others is refused with the fix", "[crypto][keyfile]") {
    TempDir dir;
    auto p = writeKioskSecret(dir, Ed25519KeyPair::generate());
    for (mode_t mode : {0640, 0604, 0620, 0644}) {
        REQUIRE(chmod(p.c_str(), mode) == 0);
        auto r = readKeyFile(p, KeyKind::KioskSigningSecret);
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.error().code == KeyFileErrorCode::TooOpen);
        REQUIRE_THAT(r.error().message, Catch::Contains("chmod 600"));
        REQUIRE_THAT(r.error().message, Catch::Contains(p.string()));
    }
    REQUIRE(chmod(p.c_str(), 0400) == 0);
    REQUIRE(readKeyFile(p, KeyKind::KioskSigningSecret).ok());
}

TEST_CASE("passphrase-protected secret keys", "[crypto][keyfile]") {
    TempDir dir;
    auto seal = X25519KeyPair::generate();
    auto pass = SecretBytes::copyOf(std::string_view("长城 long passphrase"));
    auto p = dir / "s.key";
    REQUIRE(writeKeyFile(p, KeyKind::CountySealingSecret, seal.secretKey.bytes().span(), {}, &pass,
                         kFast)
                .ok());
    const std::string text = readFile(p);
    REQUIRE_THAT(text, Catch::Contains("protection: argon2id-xsalsa20poly1305"));
    REQUIRE(text.find(toBase64(seal.secretKey.bytes().span())) == std::string::npos);

    auto ok = readX25519SecretKey(p, passphraseOf("长城 long passphrase"));
    REQUIRE(ok.ok());
    REQUIRE(ok->publicKey().bytes == seal.publicKey.bytes);

    // The limits are plain decimal numbers: no sign, space, leading zero or trailing text.
    for (const char* spelling : {"+1", "01", "1x", "-1", "0x1", "1 1"}) {
        INFO(spelling);
        auto odd = dir / "odd.key";
        std::filesystem::remove(odd);
        writeFile(odd, replaceLine(text, "argon2id-opslimit",
                                   std::string("argon2id-opslimit: ") + spelling));
        REQUIRE(chmod(odd.c_str(), 0600) == 0);
        auto r =
            readKeyFile(odd, KeyKind::CountySealingSecret, passphraseOf("长城 long passphrase"));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == KeyFileErrorCode::Malformed);
        CHECK_THAT(r.error().message, Catch::Contains("decimal"));
    }

    auto wrong = readKeyFile(p, KeyKind::CountySealingSecret, passphraseOf("wrong"));
    REQUIRE(wrong.error().code == KeyFileErrorCode::WrongPassphrase);
    auto none = readKeyFile(p, KeyKind::CountySealingSecret);
    REQUIRE(none.error().code == KeyFileErrorCode::PassphraseNeeded);
}

TEST_CASE("malformed key files are refused with file, line and reason", "[crypto][keyfile]") {
    TempDir dir;
    // The "upper-case id" case needs a key id with a hex letter in it; about one random key in
    // 1,850 has only digits, which upper-casing leaves valid.
    auto kp = [] {
        for (;;) {
            auto k = Ed25519KeyPair::generate();
            if (toHex(k.publicKey.id()).find_first_of("abcdef") != std::string::npos)
                return k;
        }
    }();
    const std::string good = readFile(writeKioskSecret(dir, kp));
    auto bad = dir / "bad.key";

    struct Case {
        const char* name;
        std::string text;
        KeyFileErrorCode code;
        const char* mentions;
    };
    std::vector<Case> cases = {
        {"empty", "", KeyFileErrorCode::Malformed, "empty"},
        {"not a key file", "hello: world\n", KeyFileErrorCode::Malformed, "first line"},
        {"future version", replaceLine(good, "minsheng-key", "minsheng-key: 2"),
         KeyFileErrorCode::UnsupportedVersion, "version 2"},
        {"no colon", good + "garbage line\n", KeyFileErrorCode::Malformed, "name: value"},
        {"unknown field", good + "colour: blue\n", KeyFileErrorCode::Malformed, "colour"},
        {"duplicate", good + "kind: kiosk-signing-secret\n", KeyFileErrorCode::Malformed, "twice"},
        {"bad base64", replaceLine(good, "key:", "key: ***"), KeyFileErrorCode::Malformed,
         "base64"},
        {"short key", replaceLine(good, "key:", "key: AAAA"), KeyFileErrorCode::Malformed,
         "64 bytes"},
        {"unknown kind", replaceLine(good, "kind", "kind: dragon"), KeyFileErrorCode::Malformed,
         "dragon"},
        {"wrong kind", replaceLine(good, "kind", "kind: county-signing-secret"),
         KeyFileErrorCode::WrongKind, "county-signing-secret"},
        {"wrong algorithm", replaceLine(good, "algorithm", "algorithm: x25519"),
         KeyFileErrorCode::Malformed, "ed25519"},
        {"edited id", replaceLine(good, "key-id", "key-id: 0000000000000000"),
         KeyFileErrorCode::KeyIdMismatch, "key-id"},
        {"bad id", replaceLine(good, "key-id", "key-id: xyz"), KeyFileErrorCode::Malformed,
         "16 hex"},
        {"unknown protection", replaceLine(good, "protection", "protection: rot13"),
         KeyFileErrorCode::Malformed, "rot13"},
        {"upper-case id",
         replaceLine(
             good, "key-id",
             "key-id: " +
                 [&] {
                     std::string id = toHex(kp.publicKey.id());
                     for (char& ch : id)
                         ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                     return id;
                 }()),
         KeyFileErrorCode::Malformed, "lower-case"},
        {"protection parameters without protection",
         good + "nonce: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", KeyFileErrorCode::Malformed, "nonce"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            std::filesystem::remove(bad);
            writeFile(bad, c.text);
            REQUIRE(chmod(bad.c_str(), 0600) == 0);
            auto r = readKeyFile(bad, KeyKind::KioskSigningSecret);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == c.code);
            CHECK_THAT(r.error().message, Catch::Contains(c.mentions));
            CHECK_THAT(r.error().message, Catch::Contains("bad.key"));
        }
    }
    REQUIRE(readKeyFile(dir / "absent.key", KeyKind::KioskSigningSecret).error().code ==
            KeyFileErrorCode::NotFound);
}

TEST_CASE("a public key file where a secret one is expected is a clear error",
          "[crypto][keyfile]") {
    TempDir dir;
    auto kp = Ed25519KeyPair::generate();
    REQUIRE(writeKeyFile(dir / "k.pub", KeyKind::KioskSigningPublic, kp.publicKey.bytes).ok());
    auto r = readKeyFile(dir / "k.pub", KeyKind::KioskSigningSecret);
    REQUIRE(r.error().code == KeyFileErrorCode::WrongKind);
    REQUIRE_THAT(r.error().message, Catch::Contains("kiosk-signing-public"));
}
