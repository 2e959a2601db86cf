// Checks the test vectors printed in docs/protocol.md against the code, so the document and the
// implementation cannot drift apart. Run `crypto_tests "[.generate]"` to print a fresh block
// (new sealed ciphertexts; everything else is deterministic) when the format changes on purpose.
#include <catch2/catch.hpp>

#include "crypto/envelope.hpp"
#include "crypto/receipt_code.hpp"
#include "tests/support/temp_dir.hpp"

#include <iostream>
#include <map>
#include <numeric>
#include <sstream>

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

struct VectorKeys {
    Ed25519KeyPair kiosk = Ed25519KeyPair::fromSeed(seedFrom(0x00));
    X25519KeyPair county = X25519KeyPair::fromSeed(seedFrom(0x20));
    ReceiptTagKey tagKey{SecretBytes::copyOf(seedFrom(0x40))};
    ReceiptCode code = *ReceiptCode::parse(std::string("123456789012345") +
                                           ReceiptCode::dammCheckDigit("123456789012345"));
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

std::map<std::string, std::string> readVectors() {
    const std::string doc =
        minsheng::test::readFile(minsheng::test::sourceDir() / "docs/protocol.md");
    auto start = doc.find("```vectors\n");
    REQUIRE(start != std::string::npos);
    start += 11;
    auto end = doc.find("```", start);
    REQUIRE(end != std::string::npos);
    std::map<std::string, std::string> v;
    std::istringstream in(doc.substr(start, end - start));
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(": ");
        if (colon == std::string::npos)
            continue;
        v[line.substr(0, colon)] = line.substr(colon + 2);
    }
    return v;
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
    std::cout << "```vectors\n" << o.str() << "```\n";
}
