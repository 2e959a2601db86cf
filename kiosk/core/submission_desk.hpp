// SubmissionDesk: the kiosk's one path from a parent's answers to a durable, sealed envelope.
//
//   validate (form) → canonical payload (guarded memory) → pad + seal to the county X25519 key
//   → receipt code + tag (complaints) → outbox.append: sequence, chain, Ed25519 signature,
//   COMMIT with synchronous=FULL → only then a receipt is returned.
//
// The plaintext exists only in the caller's Answers (a SecretArena) and the payload SecretBytes,
// which is wiped as soon as it is sealed. The desk never touches the network: the forwarder, a
// separate process, reads the same outbox.
#pragma once

#include "crypto/envelope_sealer.hpp"
#include "crypto/keys.hpp"
#include "crypto/receipt_code.hpp"
#include "crypto/result.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "sync/forms/answers.hpp"
#include "sync/forms/validation.hpp"

#include <optional>
#include <string>
#include <vector>

namespace minsheng::kiosk {

/// Why the desk could not be opened: a configuration, key or store problem, with a message that
/// names the file and says what to do.
struct DeskError {
    enum class Kind { Config, Key, Store };
    Kind kind;
    std::string message;
    std::optional<sync::StoreError::Code> storeCode;
};

struct SubmitError {
    enum class Kind { Invalid, Store };
    Kind kind;
    std::vector<FieldError> fieldErrors;        // Invalid
    std::optional<sync::StoreError> storeError; // Store
};

struct SubmitReceipt {
    std::uint64_t sequence = 0;
    crypto::Hash256 envelopeHash{};
    std::optional<crypto::ReceiptCode> receiptCode; // complaints only
};

class SubmissionDesk {
public:
    /// Loads forms and keys named by `config` and opens (on first start: creates) the outbox.
    [[nodiscard]] static Result<SubmissionDesk, DeskError>
    open(const KioskConfig& config, const outbox::OpenOptions& storeOptions = {});

    const KioskConfig& config() const { return m_config; }
    const FormSet& forms() const { return m_forms; }
    /// nullptr for an unknown id. Ids are "complaint" and "survey".
    const Form* form(std::string_view formId) const;
    outbox::Outbox& outbox() { return m_outbox; }

    /// A new configuration version (kiosk/core/config_update.hpp): the same keys and store,
    /// new forms and contact. Called only between sessions.
    void replaceConfiguration(KioskConfig config, FormSet forms) {
        m_config = std::move(config);
        m_forms = std::move(forms);
    }

    /// Validates, seals, signs and durably stores. `nowUnix` is rounded down to the minute.
    [[nodiscard]] Result<SubmitReceipt, SubmitError>
    submit(const Form& form, const Answers& answers, std::string_view locale, std::int64_t nowUnix);

    /// The work a submit need not wait for; call it when no parent is waiting (KioskFlow does,
    /// on the Home screen after a submission; open() does the first time):
    ///   - the next seal's ephemeral key and shared key (crypto::EnvelopeSealer::prepareNext);
    ///   - copying the outbox's WAL into outbox.db once it holds kIdleCheckpointFrames or more
    ///     (Outbox::checkpoint). The desk opens the outbox with CheckpointPolicy::Deferred, so
    ///     submit() writes and syncs the WAL only.
    Result<outbox::CheckpointReport, sync::StoreError> upkeepBetweenSessions();

private:
    SubmissionDesk(KioskConfig config, FormSet forms, crypto::X25519PublicKey county,
                   crypto::ReceiptTagKey tagKey, crypto::Ed25519SecretKey kioskKey,
                   outbox::Outbox outbox);

    KioskConfig m_config;
    FormSet m_forms;
    crypto::EnvelopeSealer m_sealer;
    crypto::ReceiptTagKey m_receiptTagKey;
    crypto::Ed25519SecretKey m_kioskKey;
    outbox::Outbox m_outbox;
};

/// Opens the outbox named by `config` with its store key (file or systemd credential).
[[nodiscard]] Result<outbox::Outbox, DeskError>
openKioskOutbox(const KioskConfig& config, const outbox::OpenOptions& options = {});

} // namespace minsheng::kiosk
