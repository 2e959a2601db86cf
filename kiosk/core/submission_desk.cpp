#include "kiosk/core/submission_desk.hpp"

#include "crypto/key_file.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/canonical_payload.hpp"
#include "sync/store/store_key.hpp"
#include <sodium.h>

namespace minsheng::kiosk {
namespace fs = std::filesystem;

namespace {

Failure<DeskError> keyError(const crypto::KeyFileError& e) {
    return {DeskError{DeskError::Kind::Key, e.message, std::nullopt}};
}

Failure<DeskError> storeError(const sync::StoreError& e) {
    return {DeskError{DeskError::Kind::Store, e.message, e.code}};
}

std::int64_t floorMinute(std::int64_t t) {
    const std::int64_t r = t % 60;
    return r < 0 ? t - r - 60 : t - r;
}

} // namespace

Result<outbox::Outbox, DeskError> openKioskOutbox(const KioskConfig& config,
                                                  const outbox::OpenOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(config.dataDir, ec))
        return fail(DeskError{DeskError::Kind::Store,
                              config.dataDir.string() +
                                  ": the data folder does not exist. Create it (mode 0700) or fix "
                                  "[kiosk] data_dir in " +
                                  config.file.string() + ".",
                              sync::StoreError::Code::Missing});
    const fs::path file = config.dataDir / outbox::kOutboxFileName;
    const bool firstStart =
        !fs::exists(file, ec) && !fs::exists(fs::path(file.string() + "-wal"), ec);
    std::unique_ptr<sync::StoreKeySource> source;
    if (config.keySource == KeySource::Credential)
        source = std::make_unique<sync::CredentialStoreKey>(config.credential);
    else
        source = std::make_unique<sync::FileStoreKey>(config.keyFile, firstStart);
    auto key = source->load();
    if (!key)
        return storeError(key.error());
    auto outbox = outbox::Outbox::open(
        file, *key, config.id,
        firstStart ? outbox::OpenMode::CreateIfMissing : outbox::OpenMode::MustExist, options);
    if (!outbox)
        return storeError(outbox.error());
    return std::move(outbox.value());
}

Result<SubmissionDesk, DeskError> SubmissionDesk::open(const KioskConfig& config,
                                                       const outbox::OpenOptions& storeOptions) {
    auto forms = loadFormSet(config);
    if (!forms)
        return fail(DeskError{DeskError::Kind::Config, forms.error().toString(), std::nullopt});
    auto county = crypto::readX25519PublicKey(config.countySealingPublicKey);
    if (!county)
        return keyError(county.error());
    auto tagKey = crypto::readReceiptTagKey(config.receiptTagKey);
    if (!tagKey)
        return keyError(tagKey.error());
    auto kioskKey =
        crypto::readEd25519SecretKey(config.signingSecretKey, crypto::KeyKind::KioskSigningSecret);
    if (!kioskKey)
        return keyError(kioskKey.error());
    // The parent waits on the desk's commits: checkpoints happen elsewhere
    // (upkeepBetweenSessions()).
    outbox::OpenOptions options = storeOptions;
    options.checkpoint = outbox::CheckpointPolicy::Deferred;
    auto outbox = openKioskOutbox(config, options);
    if (!outbox)
        return fail(outbox.error());
    SubmissionDesk desk(config, std::move(forms.value()), *county, std::move(tagKey.value()),
                        std::move(kioskKey.value()), std::move(outbox.value()));
    desk.m_sealer.prepareNext(); // the first parent does not wait for it either
    return desk;
}

SubmissionDesk::SubmissionDesk(KioskConfig config, FormSet forms, crypto::X25519PublicKey county,
                               crypto::ReceiptTagKey tagKey, crypto::Ed25519SecretKey kioskKey,
                               outbox::Outbox outbox)
    : m_config(std::move(config)), m_forms(std::move(forms)), m_sealer(county),
      m_receiptTagKey(std::move(tagKey)), m_kioskKey(std::move(kioskKey)),
      m_outbox(std::move(outbox)) {}

const Form* SubmissionDesk::form(std::string_view formId) const {
    if (formId == m_forms.complaint.id)
        return &m_forms.complaint;
    if (formId == m_forms.survey.id)
        return &m_forms.survey;
    return nullptr;
}

Result<outbox::CheckpointReport, sync::StoreError> SubmissionDesk::upkeepBetweenSessions() {
    m_sealer.prepareNext();
    return m_outbox.checkpoint(outbox::kIdleCheckpointFrames);
}

Result<SubmitReceipt, SubmitError> SubmissionDesk::submit(const Form& form, const Answers& answers,
                                                          std::string_view locale,
                                                          std::int64_t nowUnix) {
    auto errors = validateAnswers(form, answers);
    if (!errors.empty())
        return fail(SubmitError{SubmitError::Kind::Invalid, std::move(errors), std::nullopt});

    const std::int64_t created = floorMinute(nowUnix);
    const crypto::EnvelopeKind kind = form.kind == FormKind::Complaint
                                          ? crypto::EnvelopeKind::Complaint
                                          : crypto::EnvelopeKind::Survey;
    outbox::EnvelopeDraft draft;
    draft.countyKeyId = m_sealer.county().id();
    // The canonical payload is written straight into the sealer's guarded buffer, the only
    // plaintext copy outside the session, and wiped there once sealed. Kind, form and minute
    // travel inside the seal only (crypto/envelope.hpp, version 2).
    draft.ciphertext =
        m_sealer.seal(kind, forms::canonicalPayloadSize(form, answers, locale, created),
                      [&](std::span<std::uint8_t> out) {
                          forms::writeCanonicalPayload(form, answers, locale, created, out);
                      });
    std::optional<crypto::ReceiptCode> code;
    if (kind == crypto::EnvelopeKind::Complaint) {
        code = crypto::ReceiptCode::generate();
        draft.receiptTag = code->tag(m_receiptTagKey);
    } else {
        // A survey's tag is random bytes no code maps to, so a header cannot tell the kinds
        // apart by the tag's presence.
        randombytes_buf(draft.receiptTag.data(), draft.receiptTag.size());
    }
    auto appended = m_outbox.append(draft, m_kioskKey);
    if (!appended)
        return fail(SubmitError{SubmitError::Kind::Store, {}, appended.error()});
    return SubmitReceipt{appended->envelope.header.sequence, appended->hash, code};
}

} // namespace minsheng::kiosk
