// KioskFlow: the kiosk's screens as a state machine, without a window.
//
// The front end draws flow.session() and calls the event methods below; it holds no business
// state of its own. Every event takes the current Unix time, counts as activity for the idle
// timer, and is safe to call on any screen (an event that does not apply is ignored), so a
// stale tap can never put the flow in a state the screens do not know.
//
// Journeys:
//   report:  Home → Category → Field … Field → Privacy → Review → Saving → Receipt
//   survey:  Home → Field … Field → Saving → SurveyThanks      (or SurveyWait, see below)
//   lookup:  Home → LookupEntry → LookupWaiting → LookupResult
//   rules:   Home → Rules (paged)
//   staff:   long press → StaffPin → StaffHealth
// Store failures lead to Trouble (answers kept, so "try again" works). Submit, 重新开始,
// finishing a journey, entering staff mode and the idle timeout all wipe the Session.
//
// Invariants:
//   1. The answers never hold an answer to a field that is not shown (changing the category
//      drops the answers to the old category's questions at once), nor a picker value outside
//      its filter, so validateAnswers() only ever reports missing or malformed answers.
//   2. A complaint reaches Receipt only after Submitter::submit returned a receipt; a survey
//      reaches SurveyThanks only after it returned OK.
//   3. Two surveys are never submitted less than survey_min_interval_seconds apart. The time of
//      the last one is kept here, not in the Session, so a wipe does not reset it.
//   4. Idle: after idle_timeout_seconds without an event (the receipt screen: kReceiptGrace
//      times that, at least 60 s) the session is wiped and Home returns, display settings back
//      to the configured defaults. For the last warning seconds idleWarningLeft() is set
//      (the 还在吗？ overlay). An untouched Home screen has no timer (nothing to wipe).
//   5. Staff mode starts from a wiped session and shows no answers; the PIN lock-out
//      (StaffPinLock) lives here and survives wipes.
#pragma once

#include "crypto/keys.hpp"
#include "kiosk/core/forwarder_client.hpp"
#include "kiosk/core/handwriting_recognizer.hpp"
#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/policy_texts.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/core/staff_pin.hpp"
#include "kiosk/core/submission_desk.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::kiosk {

/// The flow's seam to the store: the real one is SubmissionDesk (DeskSubmitter); tests can
/// stand in a failing one.
class Submitter {
public:
    virtual ~Submitter() = default;
    [[nodiscard]] virtual Result<SubmitReceipt, SubmitError> submit(const Form& form,
                                                                    const Answers& answers,
                                                                    std::string_view locale,
                                                                    std::int64_t nowUnix) = 0;
    /// Outbox figures for the staff screen; nullopt when the store cannot say.
    virtual std::optional<outbox::OutboxStats> outboxStats() = 0;
    /// Called on the untouched Home screen after a submission: store upkeep that must not run
    /// while a parent waits for a receipt (the outbox's WAL checkpoint).
    virtual void betweenSessions() {}
};

class DeskSubmitter final : public Submitter {
public:
    explicit DeskSubmitter(SubmissionDesk& desk) : m_desk(desk) {}
    Result<SubmitReceipt, SubmitError> submit(const Form& form, const Answers& answers,
                                              std::string_view locale,
                                              std::int64_t nowUnix) override {
        return m_desk.submit(form, answers, locale, nowUnix);
    }
    std::optional<outbox::OutboxStats> outboxStats() override;
    // A checkpoint that fails loses nothing (the WAL still holds every commit); the next
    // submission's upkeep tries again, and a real disk problem shows on the next submit.
    void betweenSessions() override { (void)m_desk.upkeepBetweenSessions(); }

private:
    SubmissionDesk& m_desk;
};

/// What the staff screen shows: health, never content.
struct HealthFigures {
    std::optional<outbox::OutboxStats> outbox;
    std::optional<std::uint64_t> diskFreeBytes;
    std::int64_t takenAt = 0;
};

struct RecentError {
    std::int64_t at = 0;
    std::string what; // a fixed token: "save-failed", "disk-full", "forwarder-offline", ...
};

class KioskFlow {
public:
    static constexpr int kReceiptGrace = 3; // the receipt screen's timeout, × idle timeout
    static constexpr int kMaxWarningSeconds = 20;
    static constexpr std::size_t kLookupDigits = 16;
    static constexpr std::size_t kMaxPinDigits = 12;

    /// `forwarder` and `tagKey` may be null (look-ups then report offline). All references
    /// must outlive the flow.
    KioskFlow(const KioskConfig& config, const FormSet& forms,
              const std::vector<PolicyPage>& policy, Submitter& submitter,
              ForwarderClient* forwarder, const crypto::ReceiptTagKey* tagKey,
              std::int64_t nowUnix);

    const KioskConfig& config() const { return m_config; }
    const FormSet& forms() const { return m_forms; }
    const std::vector<PolicyPage>& policy() const { return m_policy; }
    const Session& session() const { return m_session; }
    Screen screen() const { return m_session.screen; }
    /// The form of the journey under way; nullptr outside report and survey.
    const Form* form() const;
    /// The field on Screen::Field (or the category field on Screen::Category); else nullptr.
    const Field* field() const;
    /// The complaint form's category field (its first field).
    const Field& categoryField() const { return m_forms.complaint.fields.front(); }

    struct Step {
        int index = 0; // 1-based
        int count = 0;
    };
    /// "第 index 步 / 共 count 步" for the screens of a report or survey; {0,0} elsewhere.
    Step step() const;

    // ---- events -------------------------------------------------------------------------
    void noteActivity(std::int64_t now);
    /// 重新开始: wipe everything typed, back to Home, keep this person's display settings.
    void startOver(std::int64_t now);
    void setLocale(std::string_view locale, std::int64_t now);
    void toggleLargeText(std::int64_t now);
    void toggleHighContrast(std::int64_t now);
    /// The speaker button: reading each screen aloud on or off for this person.
    void toggleReadAloud(std::int64_t now);

    void startReport(std::int64_t now);
    void startSurvey(std::int64_t now);
    void startLookup(std::int64_t now);
    void openRules(std::int64_t now);

    void chooseCategory(std::string_view optionId, std::int64_t now);
    /// Single and picker fields: select `id` (an option or list item id).
    void chooseOption(std::string_view id, std::int64_t now);
    /// Multiple fields: select or unselect `id` (refused past max_selections).
    void toggleOption(std::string_view id, std::int64_t now);
    void setScale(int value, std::int64_t now);
    /// A key of the on-screen keyboard or pad, for the text field, look-up code or PIN shown.
    void typeKey(const ImeKey& key, std::int64_t now);
    void clearText(std::int64_t now);
    void toggleHelp(std::int64_t now);
    void changeListPage(int delta, std::int64_t now);
    void setKeyboardShift(bool on, std::int64_t now);
    void setKeyboardSymbols(bool on, std::int64_t now);
    /// The 中/英 key: 英 types letters as they are; leaving 中 ends a composition with its
    /// letters (InputMethod::commitComposition).
    void setKeyboardLatin(bool on, std::int64_t now);
    /// The candidate bar: commits (or, for part of the letters, selects) candidate `index`.
    void chooseCandidate(std::size_t index, std::int64_t now);
    void changeCandidatePage(int delta, std::int64_t now);
    /// The keyboard's input method (the window installs the pinyin engine when configured).
    void setInputMethod(std::unique_ptr<InputMethod> ime) {
        m_session.setInputMethod(std::move(ime));
    }

    // Handwriting pad (text fields). Ink is in pad units (handwriting_recognizer.hpp); a stroke
    // ends with endInkStroke(), which recognises the ink so far when a recogniser is set.
    void setHandwritingRecognizer(const HandwritingRecognizer* r) { m_recognizer = r; }
    bool handwritingAvailable() const { return m_recognizer != nullptr; }
    void toggleHandwriting(std::int64_t now);
    void addInkPoint(int x, int y, bool newStroke, std::int64_t now);
    void endInkStroke(std::int64_t now);
    /// Types candidate `index` into the field and clears the pad.
    void chooseHandwriting(std::size_t index, std::int64_t now);
    void clearHandwriting(std::int64_t now);
    static constexpr std::size_t kHandwritingCandidates = 8;

    void next(std::int64_t now);
    void back(std::int64_t now);
    void editFromReview(std::string_view fieldId, std::int64_t now);
    /// Review (complaint) or the survey's last field → Saving. The store is written by
    /// performPendingSubmit(), which the front end calls once Saving is on screen.
    void submit(std::int64_t now);
    void performPendingSubmit(std::int64_t now);
    /// Trouble → back to Review (complaint) or the survey's last field, answers intact.
    void retryAfterTrouble(std::int64_t now);
    void confirmNoted(std::int64_t now);
    /// Leave Receipt (only once noted), SurveyThanks, SurveyWait, LookupResult, Rules, Trouble
    /// or staff mode: wipe and go Home.
    void finish(std::int64_t now);

    void lookup(std::int64_t now);
    void changeRulesPage(int delta, std::int64_t now);

    /// The hidden long press: opens the PIN pad when a PIN is configured.
    void openStaff(std::int64_t now);
    void submitStaffPin(std::int64_t now);
    void staffSyncNow(std::int64_t now);
    const StaffPinLock& staffLock() const { return m_staffLock; }
    const HealthFigures& health() const { return m_health; }
    const std::deque<RecentError>& recentErrors() const { return m_errors; }

    /// An untouched Home screen: no parent is in a session, so the front end may switch to a
    /// new configuration version (config_update.hpp, invariant U3).
    bool isBetweenSessions() const {
        return m_session.screen == Screen::Home && !m_session.dirty && !m_session.submitPending;
    }

    // ---- time ---------------------------------------------------------------------------
    /// Applies the idle timeout and takes forwarder responses. True when anything changed.
    bool tick(std::int64_t now);
    /// Seconds until the wipe while the 还在吗？ overlay should show; nullopt otherwise.
    std::optional<std::int64_t> idleWarningLeft(std::int64_t now) const;
    /// The next time tick() or the screen would change without an event (the overlay's
    /// countdown, the wipe); nullopt when nothing is scheduled.
    std::optional<std::int64_t> nextDeadline(std::int64_t now) const;
    std::int64_t idleTimeoutFor(Screen s) const;
    std::optional<std::int64_t> lastSurveyAt() const { return m_lastSurveyAt; }

private:
    void activity(std::int64_t now);
    void wipe(bool keepDisplay);
    void enterField(std::size_t index);
    /// Drops answers of hidden fields and picker values outside their filter (invariant 1).
    void prune();
    std::optional<std::size_t> nextVisibleField(std::size_t after) const;
    std::optional<std::size_t> prevVisibleField(std::size_t before) const;
    std::size_t firstFieldIndex() const; // 1 for the complaint (0 is the category), 0 survey
    void recordError(std::int64_t now, std::string what);
    void refreshHealth(std::int64_t now);
    bool surveyAllowed(std::int64_t now) const;
    void wipeInk();

    const KioskConfig& m_config;
    const FormSet& m_forms;
    const std::vector<PolicyPage>& m_policy;
    Submitter& m_submitter;
    ForwarderClient* m_forwarder;
    const crypto::ReceiptTagKey* m_tagKey;
    Session m_session;
    std::int64_t m_lastActivity = 0;
    bool m_storeUpkeepDue = false; // a submission was saved; Submitter::betweenSessions() next
    std::optional<std::int64_t> m_lastSurveyAt;
    StaffPinLock m_staffLock;
    HealthFigures m_health;
    std::deque<RecentError> m_errors;
    const HandwritingRecognizer* m_recognizer = nullptr;
};

} // namespace minsheng::kiosk
