// The receipt-code look-up: entry (keys or a scanner), waiting, result.
#include "kiosk/ui/screens_internal.hpp"

#include "kiosk/ui/number_pad.hpp"

namespace minsheng::kiosk::ui {

void Screens::lookupEntry() {
    m_layout = layoutFor(true);
    float y = heading(tr("lookup.title"), m_layout.content.min.y, false);
    // The digits typed so far, grouped 4-4-4-4 with blanks for what is missing.
    const std::string_view digits = m_session.lookupDigits();
    std::string shown;
    for (std::size_t i = 0; i < KioskFlow::kLookupDigits; ++i) {
        if (i && i % 4 == 0)
            shown += "  ";
        shown += i < digits.size() ? digits[i] : '_';
    }
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), shown, TextRole::Title, m_theme.text,
                        m_layout.content.w(), true) +
         m_layout.padding * 0.3f;
    if (m_session.lookupBadCode) {
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("lookup.bad_code"),
                            TextRole::Body, m_theme.danger, m_layout.content.w(), true);
    } else {
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("lookup.hint"), TextRole::Body,
                            m_theme.textMuted, m_layout.content.w(), true);
    }
    y += m_layout.padding * 0.5f;
    NumberPad(m_toolkit, m_flow, m_unixTime)
        .draw(rectAt(m_layout.content.min.x, y, m_layout.content.w(), m_layout.content.max.y - y),
              {});
    bottomBar(true, "lookup.go", tr("lookup.go"), digits.size() == KioskFlow::kLookupDigits);
    scannedCode();
}

// A QR or barcode reader on the kiosk's USB port is a keyboard: scanning the receipt's QR code
// "types" its digits (and usually Enter). Only this screen listens, and only to digits (the
// dashes of a printed code are skipped), so a reader cannot type into any other field. The code
// is looked up as soon as the reader has typed its sixteenth digit: ImGui 1.86 loses a key that
// is pressed and released between two frames, as a reader's Enter often is, so Enter is not
// waited for.
void Screens::scannedCode() {
    const ImGuiIO& io = ImGui::GetIO();
    bool typed = false;
    for (const ImWchar c : io.InputQueueCharacters) {
        if (c >= '0' && c <= '9') {
            const char digit[2] = {static_cast<char>(c), 0};
            m_flow.typeKey(ImeKey{ImeKey::Kind::Text, std::string_view(digit, 1)}, m_unixTime);
            typed = true;
        }
    }
    if (typed && m_session.screen == Screen::LookupEntry &&
        m_session.lookupDigits().size() == KioskFlow::kLookupDigits)
        m_flow.lookup(m_unixTime);
}

void Screens::lookupWaiting() {
    m_layout = layoutFor(true);
    const float y = m_layout.content.min.y + m_layout.content.h() * 0.35f;
    m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("lookup.waiting"), TextRole::Title,
                   m_theme.text, m_layout.content.w(), true);
    bottomBar(false, {}, {});
}

void Screens::lookupResult() {
    m_layout = layoutFor(true);
    float y = m_layout.content.min.y;
    const auto& result = m_session.lookupResult;
    const float width = m_layout.content.w();
    using Kind = ForwarderResponse::Kind;
    if (result && result->kind == Kind::Found) {
        y = heading(tr("lookup.found_title"), y, false);
        const std::string status =
            tr(std::string("status.") + std::string(caseStatusName(result->status)));
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), status, TextRole::Title,
                            m_theme.accent, width) +
             m_layout.padding * 0.5f;
        y += m_toolkit.text(
            ImVec2(m_layout.content.min.x, y),
            LocaleCatalog::format(
                tr("lookup.received_at"),
                {{"date", formatLocalDate(result->receivedAt, m_flow.config().utcOffsetHours)}}),
            TextRole::Body, m_theme.text, width);
        y +=
            m_toolkit.text(
                ImVec2(m_layout.content.min.x, y),
                LocaleCatalog::format(
                    tr("lookup.updated_at"),
                    {{"date", formatLocalDate(result->updatedAt, m_flow.config().utcOffsetHours)}}),
                TextRole::Body, m_theme.text, width) +
            m_layout.padding * 0.5f;
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("lookup.reply"), TextRole::Body,
                            m_theme.textMuted, width);
        m_toolkit.text(ImVec2(m_layout.content.min.x, y),
                       result->reply.empty() ? tr("lookup.no_reply") : result->reply,
                       TextRole::Body, m_theme.text, width);
    } else if (result && result->kind == Kind::NotFound) {
        y = heading(tr("lookup.not_found_title"), y, false);
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("lookup.not_found"),
                            TextRole::Body, m_theme.text, width) +
             m_layout.padding;
        hotlineLine(y, width);
    } else {
        const bool offline = result && result->kind == Kind::Offline;
        y = heading(tr(offline ? "lookup.offline_title" : "lookup.unavailable_title"), y, false);
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y),
                            tr(offline ? "lookup.offline" : "lookup.unavailable"), TextRole::Body,
                            m_theme.text, width) +
             m_layout.padding;
        hotlineLine(y, width);
    }
    bottomBar(false, "finish", tr("nav.home"));
}

} // namespace minsheng::kiosk::ui
