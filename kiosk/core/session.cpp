#include "kiosk/core/session.hpp"

#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/form.hpp"
#include "sync/forms/text_rules.hpp"

#include <sodium.h>

namespace minsheng::kiosk {

std::string_view screenName(Screen s) {
    switch (s) {
    case Screen::Home:
        return "home";
    case Screen::Category:
        return "category";
    case Screen::Field:
        return "field";
    case Screen::Privacy:
        return "privacy";
    case Screen::Review:
        return "review";
    case Screen::Saving:
        return "saving";
    case Screen::Receipt:
        return "receipt";
    case Screen::SurveyThanks:
        return "survey_thanks";
    case Screen::SurveyWait:
        return "survey_wait";
    case Screen::LookupEntry:
        return "lookup";
    case Screen::LookupWaiting:
        return "lookup_waiting";
    case Screen::LookupResult:
        return "lookup_result";
    case Screen::Rules:
        return "rules";
    case Screen::Trouble:
        return "trouble";
    case Screen::StaffPin:
        return "staff_pin";
    case Screen::StaffHealth:
        return "staff_health";
    }
    return "home";
}

Session::Session(std::string_view loc, bool large, bool contrast)
    : m_arena(std::make_unique<crypto::SecretArena>(1u << 20)),
      m_ime(std::make_unique<PassThroughInputMethod>()) {
    m_secrets.emplace(m_arena.get());
    wipe(loc, large, contrast);
}

void Session::wipe(std::string_view loc, bool large, bool contrast) {
    m_ime->endSession();
    // Invariant 3 of SecretArena: every container on the arena goes before the wipe.
    m_secrets.reset();
    m_arena->reset();
    m_secrets.emplace(m_arena.get());
    const std::uint64_t nextGeneration = generation + 1;
    // Plain fields back to their defaults, one by one so a new member cannot be forgotten
    // silently: the test "a wipe leaves nothing" compares with a fresh Session.
    locale.assign(loc);
    largeText = large;
    highContrast = contrast;
    readAloud = false; // KioskFlow sets it from the configuration or keeps the person's choice
    screen = Screen::Home;
    journey = Journey::None;
    fieldIndex = 0;
    returnToReview = false;
    helpOpen = false;
    listPage = 0;
    rulesPage = 0;
    keyboardShift = false;
    keyboardSymbols = false;
    keyboardLatin = loc == kLocaleEn; // a new session types Chinese unless it starts in English
    candidatePage = 0;
    handwritingOpen = false;
    fieldError.reset();
    receiptNoted = false;
    lookupBadCode = false;
    lookupRequest = 0;
    if (lookupResult)
        sodium_memzero(lookupResult->reply.data(), lookupResult->reply.size());
    lookupResult.reset();
    trouble = TroubleKind::None;
    submitPending = false;
    surveyWaitUntil = 0;
    staffPinWrong = false;
    syncRequest = 0;
    syncResult.reset();
    dirty = false;
    generation = nextGeneration;
}

void Session::setInputMethod(std::unique_ptr<InputMethod> ime) {
    m_ime->reset();
    m_ime = ime ? std::move(ime) : std::make_unique<PassThroughInputMethod>();
    m_ime->reset();
}

void popCodePoint(std::pmr::string& s) {
    while (!s.empty()) {
        const unsigned char c = static_cast<unsigned char>(s.back());
        s.pop_back();
        if ((c & 0xC0) != 0x80)
            break; // removed a lead byte or an ASCII character
    }
}

FieldTextTarget::FieldTextTarget(Answers& answers, const Field& field)
    : m_answers(answers), m_field(field) {}

bool FieldTextTarget::multiline() const {
    return m_field.type == FieldType::Text && m_field.multiline;
}

void FieldTextTarget::insert(std::string_view utf8) {
    std::string_view allowed;
    switch (m_field.type) {
    case FieldType::Phone:
        allowed = "0123456789-";
        break;
    case FieldType::Date:
        allowed = "0123456789-";
        break;
    case FieldType::Time:
        allowed = "0123456789:";
        break;
    case FieldType::Text:
        break;
    default:
        return; // not a typed field
    }
    if (!allowed.empty() && utf8.find_first_not_of(allowed) != std::string_view::npos)
        return;
    const bool ml = multiline();
    if (checkText(utf8, ml).problem != TextProblem::None)
        return;
    const Answer* current = m_answers.get(m_field.id);
    std::pmr::string text(m_answers.resource());
    if (current)
        text.assign(current->text());
    const std::size_t limit = m_field.type == FieldType::Phone  ? 13
                              : m_field.type == FieldType::Date ? 10
                              : m_field.type == FieldType::Time ? 5
                                                                : m_field.maxLength;
    const std::size_t have = checkText(text, ml).codePoints;
    const std::size_t add = checkText(utf8, ml).codePoints;
    if (have + add > limit)
        return;
    text.append(utf8);
    m_answers.setText(m_field.id, text);
}

void FieldTextTarget::backspace() {
    const Answer* current = m_answers.get(m_field.id);
    if (!current)
        return;
    std::pmr::string text(current->text(), m_answers.resource());
    popCodePoint(text);
    if (text.empty())
        m_answers.erase(m_field.id);
    else
        m_answers.setText(m_field.id, text);
}

void DigitsTarget::insert(std::string_view utf8) {
    for (char c : utf8)
        if (c >= '0' && c <= '9' && m_digits.size() < m_max)
            m_digits.push_back(c);
}

void DigitsTarget::backspace() {
    if (!m_digits.empty())
        m_digits.pop_back();
}

} // namespace minsheng::kiosk
