#include "kiosk/core/kiosk_flow.hpp"

#include "crypto/receipt_code.hpp"
#include "crypto/sodium.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/validation.hpp"

#include <sodium.h>

#include <algorithm>
#include <filesystem>

namespace minsheng::kiosk {

std::optional<outbox::OutboxStats> DeskSubmitter::outboxStats() {
    auto s = m_desk.outbox().stats();
    if (!s)
        return std::nullopt;
    return s.value();
}

KioskFlow::KioskFlow(const KioskConfig& config, const FormSet& forms,
                     const std::vector<PolicyPage>& policy, Submitter& submitter,
                     ForwarderClient* forwarder, const crypto::ReceiptTagKey* tagKey,
                     std::int64_t now)
    : m_config(config), m_forms(forms), m_policy(policy), m_submitter(submitter),
      m_forwarder(forwarder), m_tagKey(tagKey),
      m_session(config.locale, config.uiLargeText, config.uiHighContrast), m_lastActivity(now) {
    m_session.readAloud = config.uiReadAloud;
}

const Form* KioskFlow::form() const {
    switch (m_session.journey) {
    case Journey::Report:
        return &m_forms.complaint;
    case Journey::Survey:
        return &m_forms.survey;
    case Journey::None:
        break;
    }
    return nullptr;
}

const Field* KioskFlow::field() const {
    if (m_session.screen == Screen::Category)
        return &categoryField();
    const Form* f = form();
    if (m_session.screen != Screen::Field || !f || m_session.fieldIndex >= f->fields.size())
        return nullptr;
    return &f->fields[m_session.fieldIndex];
}

std::size_t KioskFlow::firstFieldIndex() const {
    return m_session.journey == Journey::Report ? 1 : 0;
}

KioskFlow::Step KioskFlow::step() const {
    const Form* f = form();
    if (!f)
        return {};
    const auto vis = visibleFields(*f, m_session.answers());
    int visibleCount = 0;
    int position = 0;
    for (std::size_t i = firstFieldIndex(); i < f->fields.size(); ++i) {
        if (vis[i]) {
            ++visibleCount;
            if (i <= m_session.fieldIndex)
                position = visibleCount;
        }
    }
    if (m_session.journey == Journey::Survey) {
        if (m_session.screen != Screen::Field)
            return {};
        return {position, visibleCount};
    }
    // Report: category, the visible fields, privacy, review.
    const int count = visibleCount + 3;
    switch (m_session.screen) {
    case Screen::Category:
        return {1, count};
    case Screen::Field:
        return {1 + position, count};
    case Screen::Privacy:
        return {count - 1, count};
    case Screen::Review:
        return {count, count};
    default:
        return {};
    }
}

// ---- bookkeeping ----------------------------------------------------------------------------

void KioskFlow::activity(std::int64_t now) {
    m_lastActivity = now;
    m_session.dirty = true;
}

void KioskFlow::noteActivity(std::int64_t now) {
    // A touch on a clean Home screen does not start the idle timer; there is nothing to wipe.
    m_lastActivity = now;
}

void KioskFlow::wipe(bool keepDisplay) {
    const std::string locale = keepDisplay ? m_session.locale : m_config.locale;
    const bool large = keepDisplay ? m_session.largeText : m_config.uiLargeText;
    const bool contrast = keepDisplay ? m_session.highContrast : m_config.uiHighContrast;
    const bool readAloud = keepDisplay ? m_session.readAloud : m_config.uiReadAloud;
    wipeInk();
    if (m_recognizer)
        m_recognizer->releaseModel(); // 26 MB an idle kiosk need not carry
    m_session.wipe(locale, large, contrast);
    m_session.readAloud = readAloud;
    // Display settings that differ from the defaults are a trace of this person: keep the
    // idle timer running so they, too, are reset eventually.
    m_session.dirty = locale != m_config.locale || large != m_config.uiLargeText ||
                      contrast != m_config.uiHighContrast || readAloud != m_config.uiReadAloud;
}

void KioskFlow::recordError(std::int64_t now, std::string what) {
    m_errors.push_back(RecentError{now, std::move(what)});
    while (m_errors.size() > 20)
        m_errors.pop_front();
}

void KioskFlow::startOver(std::int64_t now) {
    if ((m_session.screen == Screen::Receipt && !m_session.receiptNoted) ||
        m_session.screen == Screen::Saving) {
        activity(now);
        return; // the receipt code is shown once: leaving needs 我已记下 first
    }
    wipe(true);
    m_lastActivity = now;
}

void KioskFlow::setLocale(std::string_view locale, std::int64_t now) {
    if (isSupportedLocale(locale))
        m_session.locale.assign(locale);
    activity(now);
}

void KioskFlow::toggleReadAloud(std::int64_t now) {
    m_session.readAloud = !m_session.readAloud;
    activity(now);
}

void KioskFlow::toggleLargeText(std::int64_t now) {
    m_session.largeText = !m_session.largeText;
    activity(now);
}

void KioskFlow::toggleHighContrast(std::int64_t now) {
    m_session.highContrast = !m_session.highContrast;
    activity(now);
}

// ---- journeys -------------------------------------------------------------------------------

void KioskFlow::startReport(std::int64_t now) {
    if (m_session.screen != Screen::Home)
        return;
    activity(now);
    m_session.journey = Journey::Report;
    m_session.screen = Screen::Category;
    m_session.fieldIndex = 0;
}

bool KioskFlow::surveyAllowed(std::int64_t now) const {
    return !m_lastSurveyAt || now - *m_lastSurveyAt >= m_config.surveyMinIntervalSeconds;
}

void KioskFlow::startSurvey(std::int64_t now) {
    if (m_session.screen != Screen::Home)
        return;
    activity(now);
    if (!surveyAllowed(now)) {
        m_session.screen = Screen::SurveyWait;
        m_session.surveyWaitUntil = *m_lastSurveyAt + m_config.surveyMinIntervalSeconds;
        return;
    }
    m_session.journey = Journey::Survey;
    if (auto first = nextVisibleField(static_cast<std::size_t>(-1)))
        enterField(*first);
}

void KioskFlow::startLookup(std::int64_t now) {
    if (m_session.screen != Screen::Home)
        return;
    activity(now);
    m_session.screen = Screen::LookupEntry;
}

void KioskFlow::openRules(std::int64_t now) {
    if (m_session.screen != Screen::Home)
        return;
    activity(now);
    m_session.screen = Screen::Rules;
    m_session.rulesPage = 0;
}

void KioskFlow::changeRulesPage(int delta, std::int64_t now) {
    activity(now);
    if (m_session.screen != Screen::Rules || m_policy.empty())
        return;
    const int last = static_cast<int>(m_policy.size()) - 1;
    m_session.rulesPage = std::clamp(m_session.rulesPage + delta, 0, last);
}

// ---- fields ---------------------------------------------------------------------------------

void KioskFlow::prune() {
    const Form* f = form();
    if (!f)
        return;
    Answers& a = m_session.answers();
    for (bool changed = true; changed;) {
        changed = false;
        const auto vis = visibleFields(*f, a);
        for (std::size_t i = 0; i < f->fields.size(); ++i) {
            const Field& fd = f->fields[i];
            const Answer* ans = a.get(fd.id);
            if (!ans)
                continue;
            bool drop = !vis[i];
            if (!drop && fd.type == FieldType::Picker && !fd.filterBy.empty()) {
                const Answer* parent = a.get(fd.filterBy);
                const ListItem* item = fd.findItem(ans->text());
                drop = !parent || !item || item->parent != parent->text();
            }
            if (drop) {
                a.erase(fd.id);
                changed = true;
            }
        }
    }
}

std::optional<std::size_t> KioskFlow::nextVisibleField(std::size_t after) const {
    const Form* f = form();
    if (!f)
        return std::nullopt;
    const auto vis = visibleFields(*f, m_session.answers());
    const std::size_t start = after == static_cast<std::size_t>(-1) ? 0 : after + 1;
    for (std::size_t i = std::max(start, firstFieldIndex()); i < f->fields.size(); ++i)
        if (vis[i])
            return i;
    return std::nullopt;
}

std::optional<std::size_t> KioskFlow::prevVisibleField(std::size_t before) const {
    const Form* f = form();
    if (!f)
        return std::nullopt;
    const auto vis = visibleFields(*f, m_session.answers());
    for (std::size_t i = std::min(before, f->fields.size()); i-- > firstFieldIndex();)
        if (vis[i])
            return i;
    return std::nullopt;
}

void KioskFlow::enterField(std::size_t index) {
    const Form* f = form();
    m_session.screen = Screen::Field;
    m_session.fieldIndex = index;
    m_session.helpOpen = false;
    m_session.listPage = 0;
    m_session.fieldError.reset();
    m_session.keyboardShift = false;
    m_session.keyboardSymbols = false;
    m_session.inputMethod().reset();
    m_session.handwritingOpen = false;
    wipeInk();
    const Field& fd = f->fields[index];
    // A preselected option (anonymous = "yes") is an answer from the moment it is shown, so the
    // review lists it and the parent can change it.
    if (fd.type == FieldType::Single && !fd.defaultChoice.empty() &&
        !m_session.answers().contains(fd.id)) {
        m_session.answers().setChoice(fd.id, fd.defaultChoice);
        prune();
    }
}

void KioskFlow::chooseCategory(std::string_view optionId, std::int64_t now) {
    activity(now);
    if (m_session.screen != Screen::Category || !categoryField().hasValue(optionId))
        return;
    m_session.answers().setChoice(categoryField().id, optionId);
    prune();
    if (auto first = nextVisibleField(0))
        enterField(*first);
    else
        m_session.screen = Screen::Privacy;
}

void KioskFlow::chooseOption(std::string_view id, std::int64_t now) {
    activity(now);
    const Field* fd = field();
    if (m_session.screen != Screen::Field || !fd ||
        !(fd->type == FieldType::Single || fd->type == FieldType::Picker) || !fd->hasValue(id))
        return;
    m_session.answers().setChoice(fd->id, id);
    m_session.fieldError.reset();
    prune();
}

void KioskFlow::toggleOption(std::string_view id, std::int64_t now) {
    activity(now);
    const Field* fd = field();
    if (m_session.screen != Screen::Field || !fd || fd->type != FieldType::Multiple ||
        !fd->hasValue(id))
        return;
    Answers& a = m_session.answers();
    std::vector<std::string_view> chosen;
    bool had = false;
    if (const Answer* cur = a.get(fd->id)) {
        for (const auto& c : cur->choices())
            if (c == id)
                had = true;
            else
                chosen.push_back(c);
    }
    if (!had) {
        const std::size_t max = fd->maxSelections ? fd->maxSelections : fd->options.size();
        if (chosen.size() >= max)
            return; // the screen greys out further options; a stale tap changes nothing
        chosen.push_back(id);
    }
    // setChoices copies into the arena before the old vector (which `chosen` views) is freed.
    if (chosen.empty()) {
        a.erase(fd->id);
    } else {
        std::pmr::vector<std::pmr::string> copy(m_session.resource());
        for (auto c : chosen)
            copy.emplace_back(c);
        std::vector<std::string_view> views(copy.begin(), copy.end());
        a.setChoices(fd->id, std::span<const std::string_view>(views));
    }
    m_session.fieldError.reset();
    prune();
}

void KioskFlow::setScale(int value, std::int64_t now) {
    activity(now);
    const Field* fd = field();
    if (m_session.screen != Screen::Field || !fd || fd->type != FieldType::Scale ||
        value < kScaleMin || value > kScaleMax)
        return;
    m_session.answers().setInteger(fd->id, value);
    m_session.fieldError.reset();
}

void KioskFlow::typeKey(const ImeKey& key, std::int64_t now) {
    activity(now);
    switch (m_session.screen) {
    case Screen::Field: {
        const Field* fd = field();
        if (!fd || !(fd->type == FieldType::Text || fd->type == FieldType::Phone ||
                     fd->type == FieldType::Date || fd->type == FieldType::Time))
            return;
        FieldTextTarget target(m_session.answers(), *fd);
        if (m_session.keyboardLatin)
            PassThroughInputMethod().feed(key, target);
        else
            m_session.inputMethod().feed(key, target);
        m_session.candidatePage = 0;
        m_session.fieldError.reset();
        if (m_session.keyboardShift && key.kind == ImeKey::Kind::Text)
            m_session.keyboardShift = false; // one capital, as phone keyboards do
        break;
    }
    case Screen::LookupEntry: {
        DigitsTarget target(m_session.lookupDigits(), kLookupDigits);
        PassThroughInputMethod().feed(key, target);
        m_session.lookupBadCode = false;
        break;
    }
    case Screen::StaffPin: {
        DigitsTarget target(m_session.staffPin(), kMaxPinDigits);
        PassThroughInputMethod().feed(key, target);
        m_session.staffPinWrong = false;
        break;
    }
    default:
        break;
    }
}

void KioskFlow::clearText(std::int64_t now) {
    activity(now);
    if (m_session.screen == Screen::Field) {
        if (const Field* fd = field()) {
            if (!fd->isChoice() && fd->type != FieldType::Scale) {
                m_session.answers().erase(fd->id);
                m_session.inputMethod().reset();
            }
        }
    } else if (m_session.screen == Screen::LookupEntry) {
        m_session.lookupDigits().clear();
        m_session.lookupBadCode = false;
    } else if (m_session.screen == Screen::StaffPin) {
        m_session.staffPin().clear();
    }
}

void KioskFlow::toggleHelp(std::int64_t now) {
    activity(now);
    m_session.helpOpen = !m_session.helpOpen;
}

void KioskFlow::changeListPage(int delta, std::int64_t now) {
    activity(now);
    m_session.listPage = std::max(0, m_session.listPage + delta);
}

void KioskFlow::setKeyboardShift(bool on, std::int64_t now) {
    activity(now);
    m_session.keyboardShift = on;
}

void KioskFlow::setKeyboardSymbols(bool on, std::int64_t now) {
    activity(now);
    m_session.keyboardSymbols = on;
}

void KioskFlow::setKeyboardLatin(bool on, std::int64_t now) {
    activity(now);
    if (on && !m_session.keyboardLatin && m_session.screen == Screen::Field) {
        if (const Field* fd = field(); fd && fd->type == FieldType::Text) {
            FieldTextTarget target(m_session.answers(), *fd);
            m_session.inputMethod().commitComposition(target);
        }
    }
    m_session.inputMethod().reset();
    m_session.keyboardLatin = on;
    m_session.candidatePage = 0;
}

void KioskFlow::chooseCandidate(std::size_t index, std::int64_t now) {
    activity(now);
    const Field* fd = m_session.screen == Screen::Field ? field() : nullptr;
    if (!fd || fd->type != FieldType::Text || index >= m_session.inputMethod().candidateCount())
        return;
    FieldTextTarget target(m_session.answers(), *fd);
    m_session.inputMethod().choose(index, target);
    m_session.candidatePage = 0;
    m_session.fieldError.reset();
}

void KioskFlow::changeCandidatePage(int delta, std::int64_t now) {
    activity(now);
    m_session.candidatePage = std::max(0, m_session.candidatePage + delta);
}

// ---- moving between steps -------------------------------------------------------------------

void KioskFlow::next(std::int64_t now) {
    activity(now);
    const Form* f = form();
    switch (m_session.screen) {
    case Screen::Field: {
        const Field& fd = f->fields[m_session.fieldIndex];
        for (const auto& e : validateAnswers(*f, m_session.answers())) {
            if (e.field == fd.id) {
                m_session.fieldError = e.message;
                return;
            }
        }
        m_session.inputMethod().reset();
        if (m_session.returnToReview && validateAnswers(*f, m_session.answers()).empty()) {
            m_session.returnToReview = false;
            m_session.screen = Screen::Review;
            return;
        }
        if (auto n = nextVisibleField(m_session.fieldIndex)) {
            enterField(*n);
        } else if (m_session.journey == Journey::Report) {
            m_session.screen = m_session.returnToReview ? Screen::Review : Screen::Privacy;
            m_session.returnToReview = false;
        } else {
            submit(now);
        }
        return;
    }
    case Screen::Privacy:
        m_session.screen = Screen::Review;
        return;
    default:
        return;
    }
}

void KioskFlow::back(std::int64_t now) {
    activity(now);
    switch (m_session.screen) {
    case Screen::Category:
        if (m_session.returnToReview && m_session.answers().contains(categoryField().id)) {
            m_session.returnToReview = false;
            m_session.screen = Screen::Review;
        } else {
            wipe(true);
        }
        return;
    case Screen::Field:
        m_session.inputMethod().reset();
        if (m_session.returnToReview) {
            // Leaving an edit without "next": the review shows what is there now; anything
            // still missing is reported when the parent submits.
            m_session.returnToReview = false;
            m_session.screen = Screen::Review;
            m_session.fieldError.reset();
            return;
        }
        if (auto p = prevVisibleField(m_session.fieldIndex))
            enterField(*p);
        else if (m_session.journey == Journey::Report)
            m_session.screen = Screen::Category;
        else
            wipe(true);
        return;
    case Screen::Privacy:
        if (auto p = prevVisibleField(form()->fields.size()))
            enterField(*p);
        else
            m_session.screen = Screen::Category;
        return;
    case Screen::Review:
        m_session.screen = Screen::Privacy;
        return;
    case Screen::LookupEntry:
    case Screen::LookupResult:
    case Screen::Rules:
    case Screen::SurveyWait:
    case Screen::StaffPin:
        finish(now);
        return;
    default:
        return;
    }
}

void KioskFlow::editFromReview(std::string_view fieldId, std::int64_t now) {
    activity(now);
    if (m_session.screen != Screen::Review)
        return;
    const Form* f = form();
    if (fieldId == categoryField().id) {
        m_session.returnToReview = true;
        m_session.screen = Screen::Category;
        return;
    }
    const std::size_t i = f->indexOf(fieldId);
    if (i >= f->fields.size() || !isFieldVisible(*f, m_session.answers(), fieldId))
        return;
    enterField(i);
    m_session.returnToReview = true;
}

void KioskFlow::submit(std::int64_t now) {
    activity(now);
    const Form* f = form();
    if (!f)
        return;
    const bool fromReview = m_session.screen == Screen::Review;
    const bool fromLastSurveyField = m_session.journey == Journey::Survey &&
                                     m_session.screen == Screen::Field &&
                                     !nextVisibleField(m_session.fieldIndex);
    if (!fromReview && !fromLastSurveyField)
        return;
    const auto errors = validateAnswers(*f, m_session.answers());
    if (!errors.empty()) {
        // Send the parent to the first field that needs something, with the reason.
        const std::size_t i = f->indexOf(errors.front().field);
        if (i == 0 && m_session.journey == Journey::Report) {
            m_session.screen = Screen::Category;
            return;
        }
        if (i < f->fields.size()) {
            enterField(i);
            m_session.returnToReview = m_session.journey == Journey::Report;
            m_session.fieldError = errors.front().message;
        }
        return;
    }
    m_session.screen = Screen::Saving;
    m_session.submitPending = true;
}

void KioskFlow::performPendingSubmit(std::int64_t now) {
    if (m_session.screen != Screen::Saving || !m_session.submitPending)
        return;
    m_session.submitPending = false;
    const Form* f = form();
    const bool survey = m_session.journey == Journey::Survey;
    if (survey && !surveyAllowed(now)) {
        wipe(true);
        m_session.screen = Screen::SurveyWait;
        m_session.surveyWaitUntil = *m_lastSurveyAt + m_config.surveyMinIntervalSeconds;
        m_session.dirty = true;
        return;
    }
    auto r = m_submitter.submit(*f, m_session.answers(), m_session.locale, now);
    if (!r) {
        if (r.error().kind == SubmitError::Kind::Invalid) {
            // validateAnswers() passed a moment ago, so this is a bug; show the first field.
            recordError(now, "submit-invalid");
            m_session.screen = Screen::Review;
            return;
        }
        const bool full =
            r.error().storeError && r.error().storeError->code == sync::StoreError::Code::DiskFull;
        recordError(now, full ? "disk-full" : "save-failed");
        m_session.trouble = full ? TroubleKind::DiskFull : TroubleKind::SaveFailed;
        m_session.screen = Screen::Trouble;
        return;
    }
    // Saved. Nothing typed survives a submit: wipe, then show only the receipt.
    std::string code = r->receiptCode ? r->receiptCode->grouped() : std::string();
    wipe(true);
    m_session.dirty = true;
    m_lastActivity = now;
    m_storeUpkeepDue = true;
    if (survey) {
        m_lastSurveyAt = now;
        m_session.journey = Journey::Survey;
        m_session.screen = Screen::SurveyThanks;
    } else {
        m_session.journey = Journey::Report;
        m_session.receiptCode().assign(code);
        m_session.screen = Screen::Receipt;
    }
    sodium_memzero(code.data(), code.size());
}

void KioskFlow::retryAfterTrouble(std::int64_t now) {
    activity(now);
    if (m_session.screen != Screen::Trouble)
        return;
    m_session.trouble = TroubleKind::None;
    if (m_session.journey == Journey::Report)
        m_session.screen = Screen::Review;
    else if (auto last = prevVisibleField(form()->fields.size()))
        enterField(*last);
    else
        finish(now);
}

void KioskFlow::confirmNoted(std::int64_t now) {
    activity(now);
    if (m_session.screen == Screen::Receipt)
        m_session.receiptNoted = true;
}

void KioskFlow::finish(std::int64_t now) {
    activity(now);
    if (m_session.screen == Screen::Receipt && !m_session.receiptNoted)
        return; // the code is shown once; leaving needs 我已记下 (or the idle grace period)
    if (m_session.screen == Screen::Saving)
        return;
    wipe(true);
    m_lastActivity = now;
}

// ---- look-up --------------------------------------------------------------------------------

void KioskFlow::lookup(std::int64_t now) {
    activity(now);
    if (m_session.screen != Screen::LookupEntry)
        return;
    auto code = crypto::ReceiptCode::parse(m_session.lookupDigits());
    if (!code) {
        m_session.lookupBadCode = true; // 号码有误，请核对
        return;
    }
    if (!m_forwarder || !m_tagKey) {
        m_session.lookupResult =
            ForwarderResponse{0, ForwarderResponse::Kind::Offline, {}, 0, 0, {}};
        m_session.screen = Screen::LookupResult;
        return;
    }
    const auto tag = code->tag(*m_tagKey);
    m_session.lookupRequest = m_forwarder->requestStatus(crypto::toHex(tag));
    m_session.screen = Screen::LookupWaiting;
}

// ---- staff ----------------------------------------------------------------------------------

void KioskFlow::openStaff(std::int64_t now) {
    if (m_config.staffPinHash.empty())
        return;
    wipe(false); // staff never see a parent's session
    m_session.screen = Screen::StaffPin;
    activity(now);
}

void KioskFlow::submitStaffPin(std::int64_t now) {
    activity(now);
    if (m_session.screen != Screen::StaffPin || m_staffLock.isLocked(now))
        return;
    const bool ok = verifyStaffPin(m_config.staffPinHash, m_session.staffPin());
    m_session.staffPin().clear();
    if (!ok) {
        m_staffLock.recordFailure(now);
        m_session.staffPinWrong = true;
        recordError(now, "staff-pin-wrong");
        return;
    }
    m_staffLock.recordSuccess();
    refreshHealth(now);
    m_session.screen = Screen::StaffHealth;
}

void KioskFlow::refreshHealth(std::int64_t now) {
    m_health.outbox = m_submitter.outboxStats();
    std::error_code ec;
    const auto space = std::filesystem::space(m_config.dataDir, ec);
    m_health.diskFreeBytes =
        ec ? std::nullopt
           : std::optional<std::uint64_t>(static_cast<std::uint64_t>(space.available));
    m_health.takenAt = now;
}

void KioskFlow::staffSyncNow(std::int64_t now) {
    activity(now);
    if (m_session.screen != Screen::StaffHealth)
        return;
    m_session.syncResult.reset();
    if (!m_forwarder) {
        m_session.syncResult = ForwarderResponse::Kind::Offline;
        return;
    }
    m_session.syncRequest = m_forwarder->requestSyncNow();
}

// ---- time -----------------------------------------------------------------------------------

std::int64_t KioskFlow::idleTimeoutFor(Screen s) const {
    const std::int64_t t = m_config.idleTimeoutSeconds;
    return s == Screen::Receipt ? std::max<std::int64_t>(60, kReceiptGrace * t) : t;
}

std::optional<std::int64_t> KioskFlow::idleWarningLeft(std::int64_t now) const {
    if (!m_session.dirty || m_session.screen == Screen::Saving)
        return std::nullopt;
    const std::int64_t timeout = idleTimeoutFor(m_session.screen);
    const std::int64_t warn = std::min<std::int64_t>(kMaxWarningSeconds, timeout / 3);
    const std::int64_t expires = m_lastActivity + timeout;
    if (now >= expires - warn)
        return std::max<std::int64_t>(0, expires - now);
    return std::nullopt;
}

std::optional<std::int64_t> KioskFlow::nextDeadline(std::int64_t now) const {
    if (m_session.submitPending)
        return now;
    if (!m_session.dirty)
        return std::nullopt;
    const std::int64_t timeout = idleTimeoutFor(m_session.screen);
    const std::int64_t warn = std::min<std::int64_t>(kMaxWarningSeconds, timeout / 3);
    const std::int64_t expires = m_lastActivity + timeout;
    if (now < expires - warn)
        return expires - warn;
    return std::min(expires, now + 1); // the countdown changes every second
}

bool KioskFlow::tick(std::int64_t now) {
    bool changed = false;
    if (m_forwarder) {
        while (auto r = m_forwarder->takeResponse()) {
            if (r->kind == ForwarderResponse::Kind::Offline)
                recordError(now, "forwarder-offline");
            else if (r->kind == ForwarderResponse::Kind::Unavailable)
                recordError(now, "forwarder-unavailable");
            if (m_session.screen == Screen::LookupWaiting &&
                r->requestId == m_session.lookupRequest) {
                m_session.lookupResult = std::move(*r);
                m_session.screen = Screen::LookupResult;
                changed = true;
            } else if (m_session.screen == Screen::StaffHealth &&
                       r->requestId == m_session.syncRequest) {
                m_session.syncResult = r->kind;
                refreshHealth(now);
                changed = true;
            }
            // Anything else answers a request of an earlier session: dropped.
        }
    }
    if (m_session.dirty && m_session.screen != Screen::Saving &&
        now >= m_lastActivity + idleTimeoutFor(m_session.screen)) {
        wipe(false);
        m_session.dirty = false;
        m_lastActivity = now;
        changed = true;
    }
    if (m_storeUpkeepDue && isBetweenSessions()) {
        m_storeUpkeepDue = false;
        m_submitter.betweenSessions();
    }
    return changed;
}

// ---- handwriting --------------------------------------------------------------------------

void KioskFlow::wipeInk() {
    auto& ink = m_session.ink();
    if (!ink.empty())
        sodium_memzero(ink.data(), ink.size() * sizeof(InkPoint));
    ink.clear();
    for (auto& c : m_session.handwritingCandidates())
        sodium_memzero(c.data(), c.size());
    m_session.handwritingCandidates().clear();
}

void KioskFlow::toggleHandwriting(std::int64_t now) {
    activity(now);
    const Field* fd = m_session.screen == Screen::Field ? field() : nullptr;
    if (!fd || fd->type != FieldType::Text || !m_recognizer)
        return;
    m_session.handwritingOpen = !m_session.handwritingOpen;
    m_session.inputMethod().reset();
    wipeInk();
}

void KioskFlow::addInkPoint(int x, int y, bool newStroke, std::int64_t now) {
    activity(now);
    if (!m_session.handwritingOpen)
        return;
    auto& ink = m_session.ink();
    const std::uint16_t stroke =
        ink.empty() ? 0 : static_cast<std::uint16_t>(ink.back().stroke + (newStroke ? 1 : 0));
    if (ink.size() >= kMaxInkPoints || stroke >= kMaxInkStrokes)
        return; // a full pad takes no more ink until cleared or a candidate is chosen
    const InkPoint p{static_cast<std::int16_t>(std::clamp(x, 0, kInkSize)),
                     static_cast<std::int16_t>(std::clamp(y, 0, kInkSize)), stroke};
    if (!newStroke && !ink.empty() && ink.back().x == p.x && ink.back().y == p.y)
        return;
    ink.push_back(p);
}

void KioskFlow::endInkStroke(std::int64_t now) {
    activity(now);
    if (!m_session.handwritingOpen || !m_recognizer || m_session.ink().empty())
        return;
    std::vector<std::string> found =
        m_recognizer->recognize(m_session.ink(), kHandwritingCandidates);
    auto& candidates = m_session.handwritingCandidates();
    for (auto& c : candidates)
        sodium_memzero(c.data(), c.size());
    candidates.clear();
    for (std::string& c : found) {
        candidates.emplace_back(c);
        sodium_memzero(c.data(), c.size());
    }
}

void KioskFlow::chooseHandwriting(std::size_t index, std::int64_t now) {
    activity(now);
    const Field* fd = m_session.screen == Screen::Field ? field() : nullptr;
    auto& candidates = m_session.handwritingCandidates();
    if (!fd || fd->type != FieldType::Text || index >= candidates.size())
        return;
    FieldTextTarget target(m_session.answers(), *fd);
    target.insert(candidates[index]);
    m_session.fieldError.reset();
    wipeInk();
}

void KioskFlow::clearHandwriting(std::int64_t now) {
    activity(now);
    wipeInk();
}

} // namespace minsheng::kiosk
