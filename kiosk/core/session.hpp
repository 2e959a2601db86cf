// Session: everything about the parent standing at the kiosk now, in one object.
//
// Screens are functions of this state (docs/kiosk-ui.md). What a parent typed or chose — the
// answers, the receipt code, a code being looked up, a staff PIN being typed, strokes drawn on the
// handwriting pad and the characters recognised from them — lives in pmr
// containers on a crypto::SecretArena; wipe() destroys them, wipes the whole arena and starts a
// fresh session, and is called on submit, cancel (重新开始), idle timeout and leaving staff mode.
// Nothing else in the process holds a copy: the front end draws from here and keeps no buffers
// of its own.
//
// The non-secret navigation state (which screen, which step, help open, list page) sits here
// too, so that a wipe also resets it and no trace of the previous person remains on screen.
#pragma once

#include "crypto/secret_arena.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "kiosk/core/forwarder_client.hpp"
#include "kiosk/core/handwriting_recognizer.hpp"
#include "kiosk/core/input_method.hpp"
#include "sync/forms/answers.hpp"
#include "sync/forms/localized_text.hpp"

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::kiosk {

enum class Screen {
    Home,
    Category,      // complaint: the category grid (the form's first field)
    Field,         // one form field (complaint or survey)
    Privacy,       // complaint: what the kiosk protects and what it cannot
    Review,        // complaint: every answer with edit links
    Saving,        // 正在保存… (submit runs after this is on screen)
    Receipt,       // complaint saved: the receipt code
    SurveyThanks,  // survey saved
    SurveyWait,    // survey refused: the minimum interval has not passed
    LookupEntry,   // receipt code entry
    LookupWaiting, // asking the forwarder
    LookupResult,  // status, not found, offline, unavailable
    Rules,         // 政策须知
    Trouble,       // store failure, disk full: calm, with the hotline
    StaffPin,      // hidden: PIN pad
    StaffHealth,   // hidden: health figures
};
std::string_view screenName(Screen s); // "home", "category", "field", ... (automation, tests)

enum class Journey { None, Report, Survey };
enum class TroubleKind { None, SaveFailed, DiskFull };

class Session {
public:
    Session(std::string_view locale, bool largeText, bool highContrast);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Destroys every container on the arena, wipes the arena, and resets all state to a fresh
    /// session with these display settings.
    void wipe(std::string_view locale, bool largeText, bool highContrast);

    Answers& answers() { return m_secrets->answers; }
    const Answers& answers() const { return m_secrets->answers; }
    /// The receipt code just issued, grouped 4-4-4-4; empty when none.
    std::pmr::string& receiptCode() { return m_secrets->receiptCode; }
    const std::pmr::string& receiptCode() const { return m_secrets->receiptCode; }
    /// Digits typed on the look-up pad.
    std::pmr::string& lookupDigits() { return m_secrets->lookupDigits; }
    const std::pmr::string& lookupDigits() const { return m_secrets->lookupDigits; }
    /// Digits typed on the staff PIN pad.
    std::pmr::string& staffPin() { return m_secrets->staffPin; }
    const std::pmr::string& staffPin() const { return m_secrets->staffPin; }
    /// Strokes drawn on the handwriting pad, and the characters recognised from them.
    std::pmr::vector<InkPoint>& ink() { return m_secrets->ink; }
    const std::pmr::vector<InkPoint>& ink() const { return m_secrets->ink; }
    std::pmr::vector<std::pmr::string>& handwritingCandidates() { return m_secrets->candidates; }
    const std::pmr::vector<std::pmr::string>& handwritingCandidates() const {
        return m_secrets->candidates;
    }
    std::pmr::memory_resource* resource() { return m_arena.get(); }
    /// The keyboard's input method; reset with the session.
    InputMethod& inputMethod() { return *m_ime; }
    const InputMethod& inputMethod() const { return *m_ime; }
    /// Installs the keyboard's input method (the window's pinyin engine); reset at once and
    /// on every wipe. nullptr goes back to PassThroughInputMethod.
    void setInputMethod(std::unique_ptr<InputMethod> ime);

    // Display, per session.
    std::string locale;
    bool largeText = false;
    bool highContrast = false;
    bool readAloud = false; // each new screen is read aloud ([ui] read_aloud sets the default)

    // Navigation.
    Screen screen = Screen::Home;
    Journey journey = Journey::None;
    std::size_t fieldIndex = 0;  // index into the current form's fields (Screen::Field)
    bool returnToReview = false; // editing from the review screen: "next" goes back there
    bool helpOpen = false;
    int listPage = 0; // paging of long option lists
    int rulesPage = 0;
    bool keyboardShift = false;
    bool keyboardSymbols = false;
    bool keyboardLatin = false; // 英 on the 中/英 key: letters as they are (pinyin method only)
    int candidatePage = 0;      // paging of the pinyin candidate bar
    bool handwritingOpen = false; // the pad instead of the keyboard (text fields)
    /// The validation message for the current field after a refused "next"; names the field,
    /// never the answer.
    std::optional<LocalizedText> fieldError;
    bool receiptNoted = false; // 我已记下 tapped
    bool lookupBadCode = false;
    std::uint64_t lookupRequest = 0;
    std::optional<ForwarderResponse> lookupResult;
    TroubleKind trouble = TroubleKind::None;
    bool submitPending = false; // Screen::Saving drawn once; submit on the next tick
    std::int64_t surveyWaitUntil = 0;
    bool staffPinWrong = false;
    std::uint64_t syncRequest = 0;
    std::optional<ForwarderResponse::Kind> syncResult;
    /// Something happened since the last wipe (the idle timer only matters then).
    bool dirty = false;
    /// Bumped by every wipe; lets a front end drop caches keyed to the previous session.
    std::uint64_t generation = 0;

private:
    struct Secrets {
        explicit Secrets(std::pmr::memory_resource* r)
            : answers(r), receiptCode(r), lookupDigits(r), staffPin(r), ink(r), candidates(r) {}
        Answers answers;
        std::pmr::string receiptCode;
        std::pmr::string lookupDigits;
        std::pmr::string staffPin;
        std::pmr::vector<InkPoint> ink;
        std::pmr::vector<std::pmr::string> candidates;
    };
    std::unique_ptr<crypto::SecretArena> m_arena;
    std::optional<Secrets> m_secrets; // after m_arena: destroyed first
    std::unique_ptr<InputMethod> m_ime;
};

/// Types into a text, phone, date or time answer of the session, within the field's rules:
/// max_length code points, digits and '-' for phone numbers and dates, digits and ':' for
/// times, no line breaks unless multiline. Keeps the text in the arena.
class FieldTextTarget final : public TextTarget {
public:
    FieldTextTarget(Answers& answers, const Field& field);
    void insert(std::string_view utf8) override;
    void backspace() override;
    bool multiline() const override;

private:
    Answers& m_answers;
    const Field& m_field;
};

/// Types digits into one of the session's digit buffers (look-up code, staff PIN).
class DigitsTarget final : public TextTarget {
public:
    DigitsTarget(std::pmr::string& digits, std::size_t maxDigits)
        : m_digits(digits), m_max(maxDigits) {}
    void insert(std::string_view utf8) override;
    void backspace() override;
    bool multiline() const override { return false; }

private:
    std::pmr::string& m_digits;
    std::size_t m_max;
};

/// Removes the last UTF-8 code point of `s` (nothing when empty).
void popCodePoint(std::pmr::string& s);

} // namespace minsheng::kiosk
