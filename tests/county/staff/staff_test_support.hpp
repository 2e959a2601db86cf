// Shared by the staff tests: a real county folder and enrolled kiosks made in-process, and
// envelopes made with the real crypto (sealed to the county, signed, chained), so ledger and
// intake tests need no child processes.
#pragma once

#include "county/office/county_dir.hpp"
#include "county/office/envelope_opener.hpp"
#include "county/office/kiosk_registry.hpp"
#include "county/staff/case_rules.hpp"
#include "county/staff/intake.hpp"
#include "county/staff/ledger_key.hpp"
#include "crypto/envelope.hpp"
#include "crypto/key_file.hpp"
#include "crypto/receipt_code.hpp"
#include "crypto/signed_messages.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/minute_time.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>

namespace minsheng::test {

/// A kiosk made in the test: its key and its chain head.
struct TestKiosk {
    std::string id;
    crypto::Ed25519KeyPair key = crypto::Ed25519KeyPair::generate();
    std::uint64_t lastSeq = 0;
    crypto::Hash256 lastHash{};
};

struct MadeEnvelope {
    crypto::Envelope envelope;
    std::optional<crypto::ReceiptCode> code;
    nlohmann::json answers;
};

class TestCounty {
public:
    explicit TestCounty(bool fastPassphrase = false) {
        county::InitOptions o;
        o.formsSource = sourceDir() / "config/forms";
        o.demo = true; // kiosks provisioned with the shipped example lists
        if (fastPassphrase) {
            m_pass = crypto::SecretBytes::copyOf(std::string_view("correct horse battery"));
            o.passphrase = &*m_pass;
            o.protection = {1, 8u << 20};
        }
        REQUIRE(county::initCountyDir(dir, o).ok());
        auto cfg = county::loadCountyConfig(dir);
        REQUIRE(cfg.ok());
        config = *cfg;
        auto tag = crypto::readReceiptTagKey(dir.receiptTagKey());
        REQUIRE(tag.ok());
        tagKey = std::make_unique<crypto::ReceiptTagKey>(std::move(*tag));
        auto signer = crypto::readEd25519SecretKey(
            dir.signingSecretKey(), crypto::KeyKind::CountySigningSecret, passphrase());
        REQUIRE(signer.ok());
        countySigner = std::make_unique<crypto::Ed25519SecretKey>(std::move(*signer));
        auto pub = crypto::readX25519PublicKey(dir.sealingPublicKey());
        REQUIRE(pub.ok());
        sealingPublic = *pub;
        kiosk("k1"); // enrolled before any test loads the registry
        kiosk("k2");
    }

    crypto::PassphraseSource passphrase() const {
        if (!m_pass)
            return {};
        const std::string p(m_pass->view());
        return [p](const std::filesystem::path&) {
            return std::optional<crypto::SecretBytes>(crypto::SecretBytes::copyOf(p));
        };
    }

    TestKiosk& kiosk(const std::string& id) {
        auto it = kiosks.find(id);
        if (it != kiosks.end())
            return it->second;
        TestKiosk k;
        k.id = id;
        REQUIRE(county::KioskRegistry::enroll(dir, id, "测试机 " + id, k.key.publicKey).ok());
        return kiosks.emplace(id, std::move(k)).first->second;
    }

    /// A complaint or survey from `kioskId`, next in its chain.
    MadeEnvelope make(const std::string& kioskId, nlohmann::json answers, bool complaint = true,
                      std::int64_t createdAt = 1795428300) {
        const std::string formId = complaint ? "complaint" : "survey";
        nlohmann::json payload = {{"answers", answers},
                                  {"created", sync::formatMinuteUtc(createdAt)},
                                  {"form", formId},
                                  {"form_version", 1},
                                  {"locale", "zh-CN"}};
        MadeEnvelope m = makeSealing(kioskId, payload.dump(), complaint, createdAt);
        m.answers = answers;
        return m;
    }

    /// The next envelope of `kioskId`, sealing `text` as it is (any bytes), with a header for
    /// the complaint or survey form at `createdAt`.
    MadeEnvelope makeSealing(const std::string& kioskId, const std::string& text, bool complaint,
                             std::int64_t createdAt = 1795428300) {
        TestKiosk& k = kiosk(kioskId);
        MadeEnvelope m;
        const std::string formId = complaint ? "complaint" : "survey";
        crypto::EnvelopeHeader h;
        h.kind = complaint ? crypto::EnvelopeKind::Complaint : crypto::EnvelopeKind::Survey;
        h.kioskId = kioskId;
        h.sequence = k.lastSeq + 1;
        h.previousHash = k.lastHash;
        h.createdAt = createdAt;
        h.formId = formId;
        h.countyKeyId = sealingPublic.id();
        if (complaint) {
            m.code = crypto::ReceiptCode::generate();
            h.receiptTag = m.code->tag(*tagKey);
        }
        m.envelope = crypto::signEnvelope(
            h, crypto::sealPayloadX25519(sealingPublic, crypto::asBytes(text)), k.key.secretKey);
        k.lastSeq = h.sequence;
        k.lastHash = crypto::envelopeHash(m.envelope);
        return m;
    }

    /// The county's signed acknowledgement of an envelope, as the server sends it.
    nlohmann::json ack(const crypto::Envelope& e, std::int64_t receivedAt = 1795428400) {
        crypto::Acknowledgement a;
        a.kioskId = e.header.kioskId;
        a.sequence = e.header.sequence;
        a.envelopeHash = crypto::envelopeHash(e);
        a.receivedAt = receivedAt;
        return sync::acknowledgementToJson(crypto::signAcknowledgement(a, *countySigner));
    }

    /// Everything intake needs, loaded from the folder as the staff tool does.
    struct Loaded {
        county::KioskRegistry registry;
        county::CountyOpeningKeys keys;
        staff::IntakeContext ctx;
    };
    std::unique_ptr<Loaded> load() {
        auto reg = county::KioskRegistry::load(dir);
        REQUIRE(reg.ok());
        auto keys = county::loadOpeningKeys(dir, passphrase());
        REQUIRE(keys.ok());
        auto l = std::unique_ptr<Loaded>(new Loaded{std::move(*reg), std::move(*keys), {}});
        l->ctx.registry = &l->registry;
        l->ctx.keys = &l->keys;
        l->ctx.countySigningKey = countySigner->publicKey();
        l->ctx.revokedAt = county::loadRevocationTimes(dir, l->registry);
        return l;
    }

    staff::Ledger openLedger() {
        auto l = staff::openLedger(dir, config, passphrase(), true);
        INFO((l ? std::string() : l.error().message));
        REQUIRE(l.ok());
        return std::move(l.value());
    }

    TempDir tmp{"minsheng-staff"};
    county::CountyDir dir{tmp / "county"};
    county::CountyConfig config;
    std::unique_ptr<crypto::ReceiptTagKey> tagKey;
    std::unique_ptr<crypto::Ed25519SecretKey> countySigner;
    crypto::X25519PublicKey sealingPublic;
    std::map<std::string, TestKiosk> kiosks;

private:
    std::optional<crypto::SecretBytes> m_pass;
};

/// The day "YYYY-MM-DD" (the test fails on anything else).
inline std::chrono::sys_days officeDay(const char* text) {
    auto d = staff::parseDay(text);
    REQUIRE(d);
    return *d;
}

/// Unix seconds of `hour`:`minute` office time (UTC+8, the default rules) on day `text`.
inline std::int64_t officeTime(const char* text, int hour, int minute = 0) {
    return std::chrono::duration_cast<std::chrono::seconds>(officeDay(text).time_since_epoch())
               .count() -
           8 * 3600 + hour * 3600 + minute * 60;
}

inline nlohmann::json complaintAnswers(const std::string& description,
                                       const std::string& category = "homework") {
    nlohmann::json a = {{"category", category},
                        {"description", description},
                        {"anonymous", "yes"},
                        {"district", "chengguan"},
                        {"township", "chengdong_jiedao"}};
    if (category == "homework") {
        a["homework_type"] = "over_60_min_grades_3_6";
        a["grade"] = "g4";
        a["homework_minutes"] = "90_to_120";
        a["school"] = "yx_shiyan_xiaoxue";
    }
    return a;
}

/// Checks one envelope for the ledger as a network item (with ack) or an import.
inline staff::OpenedSubmission opened(TestCounty& c, TestCounty::Loaded& l,
                                      const crypto::Envelope& e,
                                      std::optional<nlohmann::json> ack = std::nullopt) {
    std::optional<sync::ParsedAcknowledgement> parsedAck;
    if (ack)
        parsedAck = sync::acknowledgementFromJson(*ack);
    county::ChainRecord chain; // each envelope on its own: the ledger checks the chain
    auto r = staff::checkEnvelope(
        e, ack ? staff::EnvelopeSource::Network : staff::EnvelopeSource::Import, parsedAck, l.ctx,
        chain, 1795430000);
    if (auto* a = std::get_if<staff::Alarm>(&r))
        FAIL(a->detail);
    (void)c;
    return std::get<staff::OpenedSubmission>(r);
}

} // namespace minsheng::test
