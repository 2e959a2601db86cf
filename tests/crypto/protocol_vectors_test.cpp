// Checks the test vectors printed in docs/protocol.md against the code, so the document and the
// implementation cannot drift apart. Run `crypto_tests "[.generate]"` to print a fresh block
// (new sealed ciphertexts; everything else is deterministic) when the format changes on purpose.
#include <catch2/catch.hpp>

#include "crypto/envelope.hpp"
#include "crypto/key_file.hpp"
#include "crypto/receipt_code.hpp"
#include "crypto/signed_messages.hpp"
#include "tests/support/protocol_vectors.hpp"
#include "tests/support/temp_dir.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <tuple>

using namespace minsheng::crypto;

namespace {

std::array<std::uint8_t, 32> seedFrom(std::uint8_t first) {
    std::array<std::uint8_t, 32> s{};
    std::iota(s.begin(), s.end(), first);
    return s;
}

const std::string kPayload1 =
    R"({"answers":{"category":"homework_burden","what":"三年级每天作业超过两小时"},)"
    R"("created":"2026-11-23T10:05Z","form":"complaint","form_version":1,"locale":"zh-CN"})";
const std::string kPayload2 =
    R"({"answers":{"overall":5},"created":"2026-11-23T10:07Z","form":"survey","form_version":1,"locale":"zh-CN"})";

// Version 2 (section 4): envelope 3, a complaint, and envelope 4, a survey, continue the chain of
// envelopes 1 and 2.
const std::string kPayload3 =
    R"({"answers":{"category":"paid_tutoring","what":"周六补课收费"},)"
    R"("created":"2026-11-23T10:09Z","form":"complaint","form_version":1,"locale":"zh-CN"})";
const std::string kPayload4 =
    R"({"answers":{"overall":4},"created":"2026-11-23T10:11Z","form":"survey","form_version":1,"locale":"zh-CN"})";

struct VectorKeys {
    Ed25519KeyPair kiosk = Ed25519KeyPair::fromSeed(seedFrom(0x00));
    X25519KeyPair county = X25519KeyPair::fromSeed(seedFrom(0x20));
    ReceiptTagKey tagKey{SecretBytes::copyOf(seedFrom(0x40))};
    Ed25519KeyPair countySigning = Ed25519KeyPair::fromSeed(seedFrom(0x60));
    ReceiptCode code = *ReceiptCode::parse(std::string("123456789012345") +
                                           ReceiptCode::dammCheckDigit("123456789012345"));
    ReceiptCode code3 = *ReceiptCode::parse(std::string("987654321098765") +
                                            ReceiptCode::dammCheckDigit("987654321098765"));
    /// The survey's tag: random bytes on a kiosk, bytes 80 81 … 9f here.
    Hash256 surveyTag4 = seedFrom(0x80);
};

EnvelopeHeader header1(const VectorKeys& k) {
    EnvelopeHeader h;
    h.kind = EnvelopeKind::Complaint;
    h.kioskId = "vector-kiosk";
    h.sequence = 1;
    h.createdAt = 1795428300; // 2026-11-23T10:05Z
    h.formId = "complaint";
    h.countyKeyId = k.county.publicKey.id();
    h.receiptTag = k.code.tag(k.tagKey);
    return h;
}

EnvelopeHeader header2(const VectorKeys& k, const Hash256& prev) {
    EnvelopeHeader h;
    h.kind = EnvelopeKind::Survey;
    h.kioskId = "vector-kiosk";
    h.sequence = 2;
    h.previousHash = prev;
    h.createdAt = 1795428420; // 2026-11-23T10:07Z
    h.formId = "survey";
    h.countyKeyId = k.county.publicKey.id();
    return h;
}

EnvelopeHeader header3(const VectorKeys& k, const Hash256& prev) {
    EnvelopeHeader h;
    h.version = kEnvelopeVersion;
    h.kioskId = "vector-kiosk";
    h.sequence = 3;
    h.previousHash = prev;
    h.countyKeyId = k.county.publicKey.id();
    h.receiptTag = k.code3.tag(k.tagKey);
    return h;
}

EnvelopeHeader header4(const VectorKeys& k, const Hash256& prev) {
    EnvelopeHeader h;
    h.version = kEnvelopeVersion;
    h.kioskId = "vector-kiosk";
    h.sequence = 4;
    h.previousHash = prev;
    h.countyKeyId = k.county.publicKey.id();
    h.receiptTag = k.surveyTag4;
    return h;
}

// The signed messages of sections 8 and 9, with fixed values.
Acknowledgement vectorAck(const VectorKeys& k, const Hash256& envelope1Hash) {
    Acknowledgement a;
    a.kioskId = "vector-kiosk";
    a.sequence = 1;
    a.envelopeHash = envelope1Hash;
    a.receivedAt = 1795428312;
    return signAcknowledgement(a, k.countySigning.secretKey);
}

CaseStatusRecord vectorCaseStatus(const VectorKeys& k) {
    CaseStatusRecord r;
    r.receiptTag = k.code.tag(k.tagKey);
    r.status = CaseStatus::Accepted;
    r.receivedAt = 1795428312;
    r.updatedAt = 1795432020;
    r.reply = "已受理，三个工作日内答复。";
    return signCaseStatus(r, k.countySigning.secretKey);
}

Heartbeat vectorHeartbeat(const VectorKeys& k, const Hash256& envelope2Hash) {
    Heartbeat h;
    h.kioskId = "vector-kiosk";
    h.lastSequence = 2;
    h.lastHash = envelope2Hash;
    h.queueLength = 0;
    h.freeDiskBytes = 12884901888;
    h.sentAt = 1795428480;
    h.version = "1.0.0";
    return signHeartbeat(h, k.kiosk.secretKey);
}

/// The heartbeat above from a kiosk that runs configuration version 3 and refused version 4.
Heartbeat vectorHeartbeatWithConfig(const VectorKeys& k, const Hash256& envelope2Hash) {
    Heartbeat h = vectorHeartbeat(k, envelope2Hash);
    h.configVersion = 3;
    h.configFailure = "configuration version 4 does not load";
    return signHeartbeat(h, k.kiosk.secretKey);
}

ConfigBundle vectorConfigBundle(const VectorKeys& k) {
    ConfigBundle b;
    b.configVersion = 3;
    b.targets = {"vector-kiosk"};
    b.notBefore = 1795428000;
    b.files = {{"contact.toml", "[contact]\nhotline = \"0571-87654321\"\nmailbox = \"\"\n"}};
    return signConfigBundle(b, k.countySigning.secretKey);
}

/// A complaint payload of 1 000 to 2 047 bytes: padded to the 2 KiB bucket.
std::string payload2k() {
    std::string what;
    for (int i = 0; i < 30; ++i)
        what += "三年级每天作业超过两小时。";
    return R"({"answers":{"category":"homework_burden","what":")" + what +
           R"("},"created":"2026-11-23T10:05Z","form":"complaint","form_version":1,)"
           R"("locale":"zh-CN"})";
}

// Key files: the passphrase and Argon2id limits of the protected example.
const std::string kVectorPassphrase = "vector passphrase 口令";
const PassphraseProtection kVectorProtection{1, 8192};

/// The key bytes and labels each key-file vector holds.
struct KeyFileVector {
    const char* name;
    KeyKind kind;
    std::vector<std::string> labels;
};
const std::vector<KeyFileVector> kKeyFileVectors = {
    {"key-file-kiosk-signing-secret", KeyKind::KioskSigningSecret, {"kiosk-id=vector-kiosk"}},
    {"key-file-kiosk-signing-public",
     KeyKind::KioskSigningPublic,
     {"kiosk-id=vector-kiosk", "name=向量测试机"}},
    {"key-file-county-sealing-secret", KeyKind::CountySealingSecret, {}},
    {"key-file-county-sealing-public", KeyKind::CountySealingPublic, {}},
    {"key-file-county-signing-secret", KeyKind::CountySigningSecret, {}},
    {"key-file-county-signing-public", KeyKind::CountySigningPublic, {}},
    {"key-file-receipt-tag-key", KeyKind::ReceiptTagKey, {}},
};

Bytes keyBytesOf(const VectorKeys& k, KeyKind kind) {
    switch (kind) {
    case KeyKind::KioskSigningSecret:
        return Bytes(k.kiosk.secretKey.bytes().data(),
                     k.kiosk.secretKey.bytes().data() + k.kiosk.secretKey.bytes().size());
    case KeyKind::KioskSigningPublic:
        return Bytes(k.kiosk.publicKey.bytes.begin(), k.kiosk.publicKey.bytes.end());
    case KeyKind::CountySealingSecret:
        return Bytes(k.county.secretKey.bytes().data(),
                     k.county.secretKey.bytes().data() + k.county.secretKey.bytes().size());
    case KeyKind::CountySealingPublic:
        return Bytes(k.county.publicKey.bytes.begin(), k.county.publicKey.bytes.end());
    case KeyKind::CountySigningSecret:
        return Bytes(k.countySigning.secretKey.bytes().data(),
                     k.countySigning.secretKey.bytes().data() +
                         k.countySigning.secretKey.bytes().size());
    case KeyKind::CountySigningPublic:
        return Bytes(k.countySigning.publicKey.bytes.begin(),
                     k.countySigning.publicKey.bytes.end());
    case KeyKind::ReceiptTagKey:
        return Bytes(k.tagKey.bytes().data(), k.tagKey.bytes().data() + k.tagKey.bytes().size());
    }
    return {};
}

/// The one protected example: the staff tool's sealing key.
bool isProtectedVector(KeyKind kind) {
    return kind == KeyKind::CountySealingSecret;
}

/// The key file text writeKeyFile makes for a vector (a fresh salt and nonce when protected).
std::string writtenKeyFile(const VectorKeys& k, const KeyFileVector& v) {
    minsheng::test::TempDir dir;
    const auto path = dir / "vector.key";
    const Bytes key = keyBytesOf(k, v.kind);
    const SecretBytes pass = SecretBytes::copyOf(kVectorPassphrase);
    REQUIRE(writeKeyFile(path, v.kind, key, v.labels, isProtectedVector(v.kind) ? &pass : nullptr,
                         kVectorProtection)
                .ok());
    return minsheng::test::readFile(path);
}

/// The value of field `name` in a key file's text.
std::string keyFileField(const std::string& text, const std::string& name) {
    const auto at = text.find("\n" + name + ": ");
    REQUIRE(at != std::string::npos);
    const auto start = at + name.size() + 3;
    return text.substr(start, text.find('\n', start) - start);
}

std::map<std::string, std::string> readVectors() {
    return minsheng::test::protocolVectors();
}

Bytes hex(const std::string& s) {
    auto b = fromHex(s);
    REQUIRE(b.has_value());
    return *b;
}

} // namespace

TEST_CASE("docs/protocol.md test vectors match the implementation", "[crypto][vectors]") {
    VectorKeys k;
    auto v = readVectors();
    REQUIRE(v.size() >= 16);

    CHECK(v["kiosk-public-key"] == toHex(k.kiosk.publicKey.bytes));
    CHECK(v["kiosk-key-id"] == toHex(k.kiosk.publicKey.id()));
    CHECK(v["county-sealing-public-key"] == toHex(k.county.publicKey.bytes));
    CHECK(v["county-sealing-key-id"] == toHex(k.county.publicKey.id()));
    CHECK(v["receipt-code"] == k.code.grouped());
    CHECK(v["receipt-tag"] == toHex(k.code.tag(k.tagKey)));

    // Envelope 1: the sealed payload opens to the documented plaintext...
    const Bytes ct1 = hex(v["envelope-1-ciphertext"]);
    CHECK(v["envelope-1-payload"] == kPayload1);
    auto opened1 = openPayloadX25519(k.county, ct1);
    REQUIRE(opened1.ok());
    CHECK(opened1->view() == kPayload1);
    // ...and the deterministic parts are byte-exact.
    Envelope e1 = signEnvelope(header1(k), ct1, k.kiosk.secretKey);
    CHECK(toHex(envelopeSigningInput(e1.header, e1.ciphertext)) == v["envelope-1-signing-input"]);
    CHECK(toHex(e1.signature) == v["envelope-1-signature"]);
    CHECK(toHex(envelopeHash(e1)) == v["envelope-1-hash"]);
    CHECK(verifyEnvelope(e1, k.kiosk.publicKey).ok());

    const Bytes ct2 = hex(v["envelope-2-ciphertext"]);
    auto opened2 = openPayloadX25519(k.county, ct2);
    REQUIRE(opened2.ok());
    CHECK(opened2->view() == kPayload2);
    CHECK(v["envelope-2-payload"] == kPayload2);
    Envelope e2 = signEnvelope(header2(k, envelopeHash(e1)), ct2, k.kiosk.secretKey);
    CHECK(toHex(envelopeSigningInput(e2.header, e2.ciphertext)) == v["envelope-2-signing-input"]);
    CHECK(toHex(e2.signature) == v["envelope-2-signature"]);
    CHECK(toHex(envelopeHash(e2)) == v["envelope-2-hash"]);

    ChainVerifier chain;
    CHECK(chain.accept(e1).ok());
    CHECK(chain.accept(e2).ok());
}

TEST_CASE("docs/protocol.md version-2 envelope vectors match the implementation",
          "[crypto][vectors][v2]") {
    VectorKeys k;
    auto v = readVectors();
    CHECK(v["envelope-3-receipt-code"] == k.code3.grouped());
    CHECK(v["envelope-3-receipt-tag"] == toHex(k.code3.tag(k.tagKey)));
    CHECK(v["envelope-4-receipt-tag"] == toHex(k.surveyTag4));
    Hash256 hash2{};
    const Bytes h2 = hex(v["envelope-2-hash"]);
    REQUIRE(h2.size() == hash2.size());
    std::copy(h2.begin(), h2.end(), hash2.begin());

    // Envelope 3: the sealed plaintext is the kind byte and the payload...
    const Bytes ct3 = hex(v["envelope-3-ciphertext"]);
    CHECK(v["envelope-3-payload"] == kPayload3);
    auto sealed3 = openPayloadX25519(k.county, ct3);
    REQUIRE(sealed3.ok());
    REQUIRE(sealed3->size() == kPayload3.size() + 1);
    CHECK(sealed3->data()[0] == 1);
    // ...and the deterministic parts are byte-exact: no kind, minute or form in the header.
    Envelope e3 = signEnvelope(header3(k, hash2), ct3, k.kiosk.secretKey);
    CHECK(toHex(envelopeSigningInput(e3.header, e3.ciphertext)) == v["envelope-3-signing-input"]);
    CHECK(toHex(e3.signature) == v["envelope-3-signature"]);
    CHECK(toHex(envelopeHash(e3)) == v["envelope-3-hash"]);
    CHECK(verifyEnvelope(e3, k.kiosk.publicKey).ok());
    auto opened3 = openEnvelopeContents(e3, k.county);
    REQUIRE(opened3.ok());
    CHECK(opened3->kind == EnvelopeKind::Complaint);
    CHECK(opened3->payload.view() == kPayload3);

    const Bytes ct4 = hex(v["envelope-4-ciphertext"]);
    CHECK(v["envelope-4-payload"] == kPayload4);
    Envelope e4 = signEnvelope(header4(k, envelopeHash(e3)), ct4, k.kiosk.secretKey);
    CHECK(toHex(envelopeSigningInput(e4.header, e4.ciphertext)) == v["envelope-4-signing-input"]);
    CHECK(toHex(e4.signature) == v["envelope-4-signature"]);
    CHECK(toHex(envelopeHash(e4)) == v["envelope-4-hash"]);
    auto opened4 = openEnvelopeContents(e4, k.county);
    REQUIRE(opened4.ok());
    CHECK(opened4->kind == EnvelopeKind::Survey);
    CHECK(opened4->payload.view() == kPayload4);

    // The two signing inputs have the same length and layout: nothing in them tells a
    // complaint from a survey.
    CHECK(envelopeSigningInput(e3.header, e3.ciphertext).size() ==
          envelopeSigningInput(e4.header, e4.ciphertext).size());

    // One chain: version 1 (envelopes 1, 2) then version 2 (3, 4).
    ChainVerifier chain(2, hash2);
    CHECK(chain.accept(e3).ok());
    CHECK(chain.accept(e4).ok());
}

TEST_CASE("docs/protocol.md key file vectors: every kind, as the code writes and reads them",
          "[crypto][vectors][keyfile]") {
    VectorKeys k;
    auto v = readVectors();
    CHECK(v["county-signing-public-key"] == toHex(k.countySigning.publicKey.bytes));
    CHECK(v["key-file-passphrase"] == kVectorPassphrase);
    for (const auto& kv : kKeyFileVectors) {
        INFO(kv.name);
        REQUIRE(v.count(kv.name) == 1);
        const std::string& text = v[kv.name];
        const SecretBytes pass = SecretBytes::copyOf(kVectorPassphrase);
        auto loaded = parseKeyFile(text, kv.name, 0600, kv.kind, [&](const auto&) {
            return std::optional<SecretBytes>(pass.copy());
        });
        INFO((loaded ? std::string() : loaded.error().message));
        REQUIRE(loaded.ok());
        const Bytes key = keyBytesOf(k, kv.kind);
        CHECK(constantTimeEqual(loaded->bytes.span(), key));
        CHECK(loaded->labels == kv.labels);
        const std::string written = writtenKeyFile(k, kv);
        if (!isProtectedVector(kv.kind)) {
            // Deterministic: the document holds byte for byte what writeKeyFile writes.
            CHECK(written == text);
            continue;
        }
        // Protected: the salt and nonce are fresh each time, so recompute the encrypted key
        // from the document's own salt and nonce with the primitives section 2 names...
        CHECK(keyFileField(text, "argon2id-opslimit") == "1");
        CHECK(keyFileField(text, "argon2id-memlimit") == "8192");
        const Bytes salt = *fromBase64(keyFileField(text, "argon2id-salt"));
        const Bytes nonce = *fromBase64(keyFileField(text, "nonce"));
        REQUIRE(salt.size() == crypto_pwhash_SALTBYTES);
        REQUIRE(nonce.size() == crypto_secretbox_NONCEBYTES);
        std::array<std::uint8_t, crypto_secretbox_KEYBYTES> fileKey{};
        REQUIRE(crypto_pwhash(fileKey.data(), fileKey.size(), kVectorPassphrase.data(),
                              kVectorPassphrase.size(), salt.data(), 1, 8192,
                              crypto_pwhash_ALG_ARGON2ID13) == 0);
        Bytes boxed(key.size() + crypto_secretbox_MACBYTES);
        crypto_secretbox_easy(boxed.data(), key.data(), key.size(), nonce.data(), fileKey.data());
        CHECK(keyFileField(text, "key") == toBase64(boxed));
        // ...and every other line is what writeKeyFile writes.
        auto withoutRandom = [](std::string t) {
            for (const char* field : {"argon2id-salt", "nonce", "key"}) {
                const auto at = t.find(std::string("\n") + field + ": ");
                REQUIRE(at != std::string::npos);
                t.erase(at + 1, t.find('\n', at + 1) - at);
            }
            return t;
        };
        CHECK(withoutRandom(written) == withoutRandom(text));
    }
}

TEST_CASE("docs/protocol.md vectors of acknowledgements, case statuses and heartbeats",
          "[crypto][vectors]") {
    VectorKeys k;
    auto v = readVectors();
    const Hash256 hash1 = *[&] {
        auto b = fromHex(v["envelope-1-hash"]);
        REQUIRE(b);
        Hash256 h{};
        std::copy(b->begin(), b->end(), h.begin());
        return std::optional<Hash256>(h);
    }();
    Hash256 hash2{};
    const Bytes h2 = hex(v["envelope-2-hash"]);
    std::copy(h2.begin(), h2.end(), hash2.begin());

    const Acknowledgement ack = vectorAck(k, hash1);
    CHECK(toHex(acknowledgementSigningInput(ack)) == v["ack-signing-input"]);
    CHECK(toHex(ack.signature) == v["ack-signature"]);
    CHECK(verifyAcknowledgement(ack, k.countySigning.publicKey).ok());

    const CaseStatusRecord status = vectorCaseStatus(k);
    CHECK(toHex(caseStatusSigningInput(status)) == v["case-status-signing-input"]);
    CHECK(toHex(status.signature) == v["case-status-signature"]);
    CHECK(verifyCaseStatus(status, k.countySigning.publicKey).ok());

    const Heartbeat hb = vectorHeartbeat(k, hash2);
    CHECK(toHex(heartbeatSigningInput(hb)) == v["heartbeat-signing-input"]);
    CHECK(toHex(hb.signature) == v["heartbeat-signature"]);
    CHECK(verifyHeartbeat(hb, k.kiosk.publicKey).ok());

    const Heartbeat hbc = vectorHeartbeatWithConfig(k, hash2);
    CHECK(toHex(heartbeatSigningInput(hbc)) == v["heartbeat-config-signing-input"]);
    CHECK(toHex(hbc.signature) == v["heartbeat-config-signature"]);
    CHECK(verifyHeartbeat(hbc, k.kiosk.publicKey).ok());
}

TEST_CASE("docs/protocol.md vector of a configuration bundle", "[crypto][vectors]") {
    VectorKeys k;
    auto v = readVectors();
    const ConfigBundle b = vectorConfigBundle(k);
    CHECK(toHex(configBundleContentBytes(b.files)) == v["config-bundle-content"]);
    CHECK(toHex(b.contentHash) == v["config-bundle-content-hash"]);
    CHECK(toHex(configBundleSigningInput(b)) == v["config-bundle-signing-input"]);
    CHECK(toHex(b.signature) == v["config-bundle-signature"]);
    CHECK(verifyConfigBundle(b, k.countySigning.publicKey).ok());

    // Every signed field and the content are covered.
    ConfigBundle changed = b;
    changed.files[0].text += " ";
    CHECK(verifyConfigBundle(changed, k.countySigning.publicKey).error() ==
          SignedMessageFailure::BadSignature);
    changed = b;
    changed.configVersion = 4;
    CHECK_FALSE(verifyConfigBundle(changed, k.countySigning.publicKey).ok());
    changed = b;
    changed.targets = {"other-kiosk"};
    CHECK_FALSE(verifyConfigBundle(changed, k.countySigning.publicKey).ok());
    changed = b;
    changed.notBefore += 1;
    CHECK_FALSE(verifyConfigBundle(changed, k.countySigning.publicKey).ok());
    // Another county's key: refused by key id before any signature check.
    const auto other = Ed25519KeyPair::fromSeed(seedFrom(0x80));
    CHECK(verifyConfigBundle(b, other.publicKey).error() == SignedMessageFailure::Malformed);
    const ConfigBundle forged = signConfigBundle(b, other.secretKey);
    CHECK_FALSE(verifyConfigBundle(forged, k.countySigning.publicKey).ok());
}

TEST_CASE("docs/protocol.md vector of a payload in the 2 KiB bucket", "[crypto][vectors]") {
    VectorKeys k;
    auto v = readVectors();
    const std::string payload = payload2k();
    CHECK(v["payload-2k"] == payload);
    REQUIRE(payload.size() >= 1024);
    REQUIRE(paddingBucketFor(payload.size()) == 2048);
    const Bytes ct = hex(v["payload-2k-ciphertext"]);
    CHECK(ct.size() == 2048 + 48);
    auto opened = openPayloadX25519(k.county, ct);
    REQUIRE(opened.ok());
    CHECK(opened->view() == payload);
}

TEST_CASE("docs/protocol.md prints the Damm table the code uses", "[crypto][vectors]") {
    auto v = readVectors();
    std::vector<std::string> rows;
    std::istringstream in(v["damm-table"]);
    std::string line;
    while (std::getline(in, line)) {
        std::string digits;
        for (char c : line)
            if (c >= '0' && c <= '9')
                digits += c;
        rows.push_back(digits);
    }
    REQUIRE(rows.size() == 10);
    // Row 0 is the interim digit after one digit; row r, column c the interim digit after any
    // digit a with T[0][a] = r followed by c.
    for (char a = '0'; a <= '9'; ++a) {
        const int r = ReceiptCode::dammCheckDigit(std::string(1, a)) - '0';
        CHECK(rows[0][static_cast<std::size_t>(a - '0')] == '0' + r);
        for (char c = '0'; c <= '9'; ++c) {
            INFO("row " << r << " column " << c);
            CHECK(rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c - '0')] ==
                  ReceiptCode::dammCheckDigit(std::string{a, c}));
        }
    }
}

TEST_CASE("print a fresh vectors block", "[.generate]") {
    VectorKeys k;
    std::ostringstream o;
    o << "kiosk-seed: " << toHex(seedFrom(0x00)) << "\n";
    o << "kiosk-public-key: " << toHex(k.kiosk.publicKey.bytes) << "\n";
    o << "kiosk-key-id: " << toHex(k.kiosk.publicKey.id()) << "\n";
    o << "county-sealing-seed: " << toHex(seedFrom(0x20)) << "\n";
    o << "county-sealing-public-key: " << toHex(k.county.publicKey.bytes) << "\n";
    o << "county-sealing-secret-key: " << toHex(k.county.secretKey.bytes().span()) << "\n";
    o << "county-sealing-key-id: " << toHex(k.county.publicKey.id()) << "\n";
    o << "receipt-tag-key: " << toHex(seedFrom(0x40)) << "\n";
    o << "receipt-code: " << k.code.grouped() << "\n";
    o << "receipt-tag: " << toHex(k.code.tag(k.tagKey)) << "\n";
    Envelope e1 = signEnvelope(
        header1(k), sealPayloadX25519(k.county.publicKey, asBytes(kPayload1)), k.kiosk.secretKey);
    o << "envelope-1-payload: " << kPayload1 << "\n";
    o << "envelope-1-ciphertext: " << toHex(e1.ciphertext) << "\n";
    o << "envelope-1-signing-input: " << toHex(envelopeSigningInput(e1.header, e1.ciphertext))
      << "\n";
    o << "envelope-1-signature: " << toHex(e1.signature) << "\n";
    o << "envelope-1-hash: " << toHex(envelopeHash(e1)) << "\n";
    Envelope e2 =
        signEnvelope(header2(k, envelopeHash(e1)),
                     sealPayloadX25519(k.county.publicKey, asBytes(kPayload2)), k.kiosk.secretKey);
    o << "envelope-2-payload: " << kPayload2 << "\n";
    o << "envelope-2-ciphertext: " << toHex(e2.ciphertext) << "\n";
    o << "envelope-2-signing-input: " << toHex(envelopeSigningInput(e2.header, e2.ciphertext))
      << "\n";
    o << "envelope-2-signature: " << toHex(e2.signature) << "\n";
    o << "envelope-2-hash: " << toHex(envelopeHash(e2)) << "\n";
    // The messages name the envelopes the document already holds, when it holds them.
    const auto existing = readVectors();
    auto hashIn = [&](const char* name, const Envelope& fresh) {
        Hash256 h = envelopeHash(fresh);
        if (auto b = existing.count(name) ? fromHex(existing.at(name)) : std::nullopt;
            b && b->size() == h.size())
            std::copy(b->begin(), b->end(), h.begin());
        return h;
    };
    const Acknowledgement ack = vectorAck(k, hashIn("envelope-1-hash", e1));
    o << "ack-signing-input: " << toHex(acknowledgementSigningInput(ack)) << "\n";
    o << "ack-signature: " << toHex(ack.signature) << "\n";
    const CaseStatusRecord status = vectorCaseStatus(k);
    o << "case-status-signing-input: " << toHex(caseStatusSigningInput(status)) << "\n";
    o << "case-status-signature: " << toHex(status.signature) << "\n";
    const Heartbeat hb = vectorHeartbeat(k, hashIn("envelope-2-hash", e2));
    o << "heartbeat-signing-input: " << toHex(heartbeatSigningInput(hb)) << "\n";
    o << "heartbeat-signature: " << toHex(hb.signature) << "\n";
    const Heartbeat hbc = vectorHeartbeatWithConfig(k, hashIn("envelope-2-hash", e2));
    o << "heartbeat-config-signing-input: " << toHex(heartbeatSigningInput(hbc)) << "\n";
    o << "heartbeat-config-signature: " << toHex(hbc.signature) << "\n";
    const ConfigBundle cb = vectorConfigBundle(k);
    o << "config-bundle-content: " << toHex(configBundleContentBytes(cb.files)) << "\n";
    o << "config-bundle-content-hash: " << toHex(cb.contentHash) << "\n";
    o << "config-bundle-signing-input: " << toHex(configBundleSigningInput(cb)) << "\n";
    o << "config-bundle-signature: " << toHex(cb.signature) << "\n";
    o << "payload-2k: " << payload2k() << "\n";
    o << "payload-2k-ciphertext: "
      << toHex(sealPayloadX25519(k.county.publicKey, asBytes(payload2k()))) << "\n";
    o << "county-signing-seed: " << toHex(seedFrom(0x60)) << "\n";
    o << "county-signing-public-key: " << toHex(k.countySigning.publicKey.bytes) << "\n";
    o << "key-file-passphrase: " << kVectorPassphrase << "\n";
    const Hash256 hash2 = hashIn("envelope-2-hash", e2);
    Envelope e3 = signEnvelope(
        header3(k, hash2),
        sealEnvelopeContentsX25519(k.county.publicKey, EnvelopeKind::Complaint, asBytes(kPayload3)),
        k.kiosk.secretKey);
    Envelope e4 = signEnvelope(
        header4(k, envelopeHash(e3)),
        sealEnvelopeContentsX25519(k.county.publicKey, EnvelopeKind::Survey, asBytes(kPayload4)),
        k.kiosk.secretKey);
    o << "envelope-3-receipt-code: " << k.code3.grouped() << "\n";
    o << "envelope-3-receipt-tag: " << toHex(k.code3.tag(k.tagKey)) << "\n";
    for (const auto& [n, e, payload] :
         {std::tuple{3, &e3, &kPayload3}, std::tuple{4, &e4, &kPayload4}}) {
        const std::string p = "envelope-" + std::to_string(n) + "-";
        if (n == 4)
            o << p << "receipt-tag: " << toHex(k.surveyTag4) << "\n";
        o << p << "payload: " << *payload << "\n";
        o << p << "ciphertext: " << toHex(e->ciphertext) << "\n";
        o << p << "signing-input: " << toHex(envelopeSigningInput(e->header, e->ciphertext))
          << "\n";
        o << p << "signature: " << toHex(e->signature) << "\n";
        o << p << "hash: " << toHex(envelopeHash(*e)) << "\n";
    }
    std::cout << "```vectors\n" << o.str() << "```\n";
    for (const auto& kv : kKeyFileVectors)
        std::cout << "\n```vector " << kv.name << "\n" << writtenKeyFile(k, kv) << "```\n";
}
