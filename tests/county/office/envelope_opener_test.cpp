#include <catch2/catch.hpp>

#include "county/office/envelope_opener.hpp"
#include "county/office/provisioning.hpp"
#include "crypto/key_file.hpp"
#include "sync/wire/envelope_json.hpp"
#include "tests/support/temp_dir.hpp"

using namespace minsheng;
using county::EnvelopeAlarm;
namespace fs = std::filesystem;

namespace {

// A county with one enrolled kiosk, and a helper that makes that kiosk's chained envelopes the
// way the outbox does (the outbox itself is tested in tests/sync).
struct CountyKit {
    test::TempDir tmp;
    county::CountyDir dir{tmp / "county"};
    fs::path bundle = tmp / "bundle";
    fs::path files = tmp / "usb";
    std::optional<crypto::Ed25519SecretKey> kioskKey;
    crypto::X25519PublicKey countyKey;
    crypto::Hash256 head{};
    std::uint64_t seq = 0;

    CountyKit() {
        county::InitOptions o;
        o.formsSource = test::sourceDir() / "config/forms";
        o.demo = true; // a kiosk provisioned with the shipped example lists
        REQUIRE(county::initCountyDir(dir, o).ok());
        REQUIRE(county::provisionKiosk(dir, {"kiosk-a", "A", "", bundle}).ok());
        kioskKey.emplace(std::move(crypto::readEd25519SecretKey(bundle / "keys/kiosk-signing.key",
                                                                crypto::KeyKind::KioskSigningSecret)
                                       .value()));
        countyKey = crypto::readX25519PublicKey(dir.sealingPublicKey()).value();
        fs::create_directories(files);
    }

    /// A canonical survey payload whose one answer is `text`, at the header's minute.
    static std::string payloadFor(const std::string& text) {
        return R"({"answers":{"note":")" + text +
               R"("},"created":"2026-11-23T10:05Z","form":"survey","form_version":1,)"
               R"("locale":"zh-CN"})";
    }

    crypto::Envelope next(const std::string& text, const std::string& kioskId = "kiosk-a") {
        const std::string payload = payloadFor(text);
        crypto::EnvelopeHeader h;
        h.kind = crypto::EnvelopeKind::Survey;
        h.kioskId = kioskId;
        h.sequence = ++seq;
        h.previousHash = head;
        h.createdAt = 1795428300;
        h.formId = "survey";
        h.countyKeyId = countyKey.id();
        auto e = crypto::signEnvelope(
            h, crypto::sealPayloadX25519(countyKey, crypto::asBytes(payload)), *kioskKey);
        head = crypto::envelopeHash(e);
        return e;
    }

    fs::path write(const crypto::Envelope& e, const std::string& suffix = "") {
        fs::path p = files / (sync::envelopeExportFileName(e.header) + suffix);
        test::writeFile(p, sync::envelopeToJson(e));
        return p;
    }

    std::vector<county::OpenedEnvelope> open() {
        auto reg = county::KioskRegistry::load(dir);
        auto keys = county::loadOpeningKeys(dir, {});
        REQUIRE(reg.ok());
        REQUIRE(keys.ok());
        county::VerifierContext context;
        context.registry = &*reg;
        context.keys = &*keys;
        context.revokedAt = county::loadRevocationTimes(dir, *reg);
        return county::openEnvelopeFiles(county::collectEnvelopeFiles({files}), context);
    }
};

} // namespace

TEST_CASE("a chain of exported envelopes verifies and opens", "[county][open]") {
    CountyKit k;
    for (int i = 1; i <= 5; ++i)
        k.write(k.next("payload " + std::to_string(i)));
    auto results = k.open();
    REQUIRE(results.size() == 5);
    for (std::size_t i = 0; i < results.size(); ++i) {
        INFO(results[i].verdict.problem);
        REQUIRE(results[i].verdict.verified());
        REQUIRE(results[i].payload);
        REQUIRE(results[i].payload->answers.at("note") == "payload " + std::to_string(i + 1));
        REQUIRE(results[i].verdict.notes.empty());
    }
}

TEST_CASE("the opener rejects tampering, strangers, forks and the wrong county",
          "[county][open][attack]") {
    CountyKit k;
    auto e1 = k.next("one");
    auto e2 = k.next("two");
    auto e3 = k.next("three");
    k.write(e1);

    SECTION("a gap is a note, not a failure") {
        k.write(e3);
        auto r = k.open();
        REQUIRE(r.size() == 2);
        REQUIRE(r[1].verdict.verified());
        REQUIRE_THAT(r[1].verdict.notes.at(0), Catch::Contains("gap"));
    }
    SECTION("a tampered file") {
        auto bad = e2;
        bad.ciphertext[100] ^= 1;
        k.write(bad);
        auto r = k.open();
        REQUIRE(r[1].verdict.alarm == EnvelopeAlarm::BadSignature);
        REQUIRE_FALSE(r[1].payload);
    }
    SECTION("a fork: another envelope with the same sequence") {
        k.write(e2);
        k.seq = 1;
        k.head = crypto::envelopeHash(e1);
        auto fork = k.next("forked two");
        k.write(fork, ".fork.msenv.json");
        auto r = k.open();
        REQUIRE(r.size() == 3);
        int forks = 0;
        for (const auto& o : r)
            if (o.verdict.alarm == EnvelopeAlarm::Fork) {
                ++forks;
                REQUIRE_THAT(o.verdict.problem, Catch::Contains("FORK"));
            }
        REQUIRE(forks == 1);
    }
    SECTION("an altered history: right sequence, wrong previous hash, valid signature") {
        k.head = crypto::blake2b256(crypto::asBytes("rewritten"));
        k.seq = 1;
        auto rewritten = k.next("two, rewritten");
        k.write(rewritten);
        auto r = k.open();
        REQUIRE(r[1].verdict.alarm == EnvelopeAlarm::ChainBreak);
    }
    SECTION("an unknown kiosk") {
        k.seq = 0;
        k.head = {};
        k.write(k.next("stranger", "kiosk-zzz"));
        auto r = k.open();
        bool found = false;
        for (const auto& o : r)
            if (o.envelope && o.envelope->header.kioskId == "kiosk-zzz") {
                REQUIRE(o.verdict.alarm == EnvelopeAlarm::UnknownKiosk);
                found = true;
            }
        REQUIRE(found);
    }
    SECTION("sealed to another county") {
        auto other = crypto::X25519KeyPair::generate();
        k.countyKey = other.publicKey;
        k.write(k.next("elsewhere"));
        auto r = k.open();
        REQUIRE(r.back().verdict.alarm == EnvelopeAlarm::WrongCountyKey);
    }
    SECTION("garbage and duplicates") {
        test::writeFile(k.files / "junk.msenv.json", "{not json");
        k.write(e1, ".copy.msenv.json");
        auto r = k.open();
        REQUIRE(r.front().verdict.alarm == EnvelopeAlarm::Malformed);
        REQUIRE_THAT(r.front().verdict.problem, Catch::Contains("junk.msenv.json"));
        // The same envelope twice is verified once and counted once.
        int dups = 0;
        for (const auto& o : r)
            if (o.verdict.duplicate) {
                REQUIRE(o.verdict.verified());
                REQUIRE_FALSE(o.payload);
                ++dups;
            }
        REQUIRE(dups == 1);
    }
}
