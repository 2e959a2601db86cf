// The frame around every screen: layout, bars, headings, pager, idle countdown.
#include "kiosk/ui/screens_internal.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk::ui {

ScreenLayout Screens::layoutFor(bool withBottomBar) const {
    ScreenLayout layout;
    const ImVec2 display = m_toolkit.display();
    layout.padding = m_metrics.screenPadding;
    const float topHeight = m_toolkit.touchHeight() + 2 * m_metrics.barPadding;
    const float bottomHeight =
        withBottomBar ? m_toolkit.touchHeight() + 2 * m_metrics.bottomBarPadding : 0;
    layout.topBar = rectAt(0, 0, display.x, topHeight);
    layout.bottomBar = rectAt(0, display.y - bottomHeight, display.x, bottomHeight);
    layout.content =
        rectAt(layout.padding, topHeight + layout.padding * 0.5f, display.x - 2 * layout.padding,
               display.y - topHeight - bottomHeight - layout.padding);
    return layout;
}

void Screens::topBar() {
    ImDrawList* drawList = m_toolkit.draw();
    drawList->AddRectFilled(m_layout.topBar.min, m_layout.topBar.max, m_theme.surfaceAlt);
    const float buttonHeight = m_toolkit.touchHeight();
    const float y = m_layout.topBar.min.y + (m_layout.topBar.h() - buttonHeight) * 0.5f;
    const float gap = m_metrics.barPadding;
    // Right to left: 重新开始, 高对比, 大字, 中/EN.
    float x = m_layout.topBar.max.x - m_layout.padding;
    auto place = [&](float width) {
        x -= width;
        Rect placed = rectAt(x, y, width, buttonHeight);
        x -= gap;
        return placed;
    };
    const float wide = m_metrics.topBarWideButton;
    const float narrow = m_metrics.topBarNarrowButton;
    const bool canLeave = m_session.screen != Screen::Receipt || m_session.receiptNoted;
    if (m_toolkit.button("start_over", place(wide), tr("top.start_over"), ButtonStyle::Secondary,
                         canLeave))
        m_flow.startOver(m_unixTime);
    if (m_toolkit.button("contrast", place(narrow), tr("top.contrast"), ButtonStyle::Option, true,
                         m_session.highContrast))
        m_flow.toggleHighContrast(m_unixTime);
    if (m_toolkit.button("large_text", place(narrow), tr("top.large_text"), ButtonStyle::Option,
                         true, m_session.largeText))
        m_flow.toggleLargeText(m_unixTime);
    if (m_toolkit.button("locale", place(narrow), tr("top.other_language"), ButtonStyle::Quiet))
        m_flow.setLocale(m_session.locale == kLocaleEn ? kLocaleZh : kLocaleEn, m_unixTime);
    if (m_toolkit.button("speak", place(narrow), tr("top.read_aloud"), ButtonStyle::Option, true,
                         m_session.readAloud)) {
        m_flow.toggleReadAloud(
            m_unixTime); // the window reads the screen, or stops (FrameState::speech)
        m_frame.speakToggled = true;
    }
    // The brand on the left, small and neutral.
    const float textWidth = x - m_layout.padding - gap;
    if (textWidth > 100) {
        const float textSize = m_toolkit.size(TextRole::Body);
        m_toolkit.text(ImVec2(m_layout.padding, m_layout.topBar.min.y +
                                                    (m_layout.topBar.h() - textSize * 1.3f) * 0.5f),
                       tr("top.brand"), TextRole::Body, m_theme.text, textWidth);
    }
}

void Screens::stepProgress() {
    const auto step = m_flow.step();
    if (step.count == 0)
        return;
    const std::string text =
        LocaleCatalog::format(tr("flow.step"), {{"n", std::to_string(step.index)},
                                                {"total", std::to_string(step.count)}});
    const float width = m_layout.bottomBar.w() * 0.3f;
    const float textSize = m_toolkit.size(TextRole::Body);
    m_toolkit.text(
        ImVec2(m_layout.bottomBar.min.x + (m_layout.bottomBar.w() - width) * 0.5f,
               m_layout.bottomBar.min.y + (m_layout.bottomBar.h() - textSize * 1.3f) * 0.5f),
        text, TextRole::Body, m_theme.textMuted, width, true);
}

void Screens::bottomBar(bool showBack, std::string_view nextId, std::string_view nextLabel,
                        bool nextEnabled) {
    ImDrawList* drawList = m_toolkit.draw();
    drawList->AddRectFilled(m_layout.bottomBar.min, m_layout.bottomBar.max, m_theme.surfaceAlt);
    const float buttonHeight = m_toolkit.touchHeight();
    const float y = m_layout.bottomBar.min.y + (m_layout.bottomBar.h() - buttonHeight) * 0.5f;
    const float buttonWidth = m_metrics.navButtonWidth;
    if (showBack && m_toolkit.button("back", rectAt(m_layout.padding, y, buttonWidth, buttonHeight),
                                     tr("nav.back"), ButtonStyle::Secondary))
        m_flow.back(m_unixTime);
    if (!nextId.empty()) {
        if (m_toolkit.button(nextId,
                             rectAt(m_layout.bottomBar.max.x - m_layout.padding - buttonWidth, y,
                                    buttonWidth, buttonHeight),
                             nextLabel, ButtonStyle::Primary, nextEnabled)) {
            if (nextId == "next")
                m_flow.next(m_unixTime);
            else if (nextId == "submit")
                m_flow.submit(m_unixTime);
            else if (nextId == "finish")
                m_flow.finish(m_unixTime);
            else if (nextId == "lookup.go")
                m_flow.lookup(m_unixTime);
            else if (nextId == "staff.ok")
                m_flow.submitStaffPin(m_unixTime);
        }
    }
    stepProgress();
}

float Screens::heading(const std::string& text, float y, bool withHelp) {
    const float helpWidth = withHelp ? m_metrics.sideButtonWidth : 0;
    const float textWidth = m_layout.content.w() - (withHelp ? helpWidth + m_layout.padding : 0);
    const float textHeight = m_toolkit.text(ImVec2(m_layout.content.min.x, y), text,
                                            TextRole::Heading, m_theme.text, textWidth);
    m_frame.speech.push_back(text);
    if (withHelp) {
        const float buttonHeight = m_toolkit.touchHeight();
        if (m_toolkit.button("help",
                             rectAt(m_layout.content.max.x - helpWidth, y, helpWidth, buttonHeight),
                             tr("field.help"), ButtonStyle::Option, true, m_session.helpOpen))
            m_flow.toggleHelp(m_unixTime);
        return y + std::max(textHeight, buttonHeight) + m_layout.padding * 0.5f;
    }
    return y + textHeight + m_layout.padding * 0.5f;
}

void Screens::helpPanel(const Field& field, float& y) {
    if (!m_session.helpOpen || !field.help)
        return;
    const float panelPadding = m_layout.padding * 0.5f;
    const float textWidth = m_layout.content.w() - 2 * panelPadding;
    const float textHeight =
        m_toolkit.measure(localized(*field.help), m_toolkit.size(TextRole::Body), textWidth).y;
    m_toolkit.draw()->AddRectFilled(
        ImVec2(m_layout.content.min.x, y),
        ImVec2(m_layout.content.max.x, y + textHeight + 2 * panelPadding), m_theme.surfaceAlt,
        m_metrics.panelRounding);
    m_toolkit.text(ImVec2(m_layout.content.min.x + panelPadding, y + panelPadding),
                   localized(*field.help), TextRole::Body, m_theme.text, textWidth);
    y += textHeight + 2 * panelPadding + m_layout.padding * 0.5f;
}

void Screens::fieldErrorLine(float& y) {
    if (!m_session.fieldError)
        return;
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), localized(*m_session.fieldError),
                        TextRole::Body, m_theme.danger, m_layout.content.w()) +
         m_layout.padding * 0.3f;
}

void Screens::hotlineLine(float y, float width) {
    std::string line =
        LocaleCatalog::format(tr("home.hotline"), {{"hotline", m_flow.config().hotline}});
    if (!m_flow.config().mailbox.empty()) {
        line += "\n" +
                LocaleCatalog::format(tr("home.mailbox"), {{"mailbox", m_flow.config().mailbox}});
    }
    m_toolkit.text(ImVec2(m_layout.content.min.x, y), line, TextRole::Body, m_theme.text, width);
}

int Screens::pager(std::string_view prevKey, std::string_view nextKey, int page, int pageCount,
                   float buttonWidth, bool showPosition) {
    const float top = m_layout.content.max.y - m_toolkit.touchHeight();
    int step = 0;
    if (m_toolkit.button(prevKey,
                         rectAt(m_layout.content.min.x, top, buttonWidth, m_toolkit.touchHeight()),
                         tr(prevKey), ButtonStyle::Secondary, page > 0))
        step = -1;
    if (m_toolkit.button(
            nextKey,
            rectAt(m_layout.content.max.x - buttonWidth, top, buttonWidth, m_toolkit.touchHeight()),
            tr(nextKey), ButtonStyle::Secondary, page + 1 < pageCount))
        step = 1;
    if (showPosition) {
        m_toolkit.text(
            ImVec2(m_layout.content.min.x + buttonWidth, top + m_metrics.pageLabelOffset),
            LocaleCatalog::format(tr("list.page"), {{"n", std::to_string(page + 1)},
                                                    {"total", std::to_string(pageCount)}}),
            TextRole::Body, m_theme.textMuted, m_layout.content.w() - 2 * buttonWidth, true);
    }
    return step;
}

bool Screens::footAction(std::string_view id, std::string_view label) {
    return m_toolkit.button(id,
                            rectAt(m_layout.content.min.x,
                                   m_layout.content.max.y - m_toolkit.touchHeight(),
                                   m_metrics.actionButtonWidth, m_toolkit.touchHeight()),
                            label, ButtonStyle::Secondary);
}

void Screens::cardFrame(const Rect& card, bool selected, bool held, float rounding) {
    ImDrawList* drawList = m_toolkit.draw();
    drawList->AddRectFilled(card.min, card.max, selected ? m_theme.selected : m_theme.surface,
                            rounding);
    drawList->AddRect(card.min, card.max, selected ? m_theme.selected : m_theme.border, rounding, 0,
                      m_metrics.borderWidth);
    if (held)
        drawList->AddRectFilled(card.min, card.max, IM_COL32(0, 0, 0, 50), rounding);
}

void Screens::listPager(int page, int pageCount, bool showPosition) {
    if (pageCount <= 1)
        return;
    if (const int step = pager("list.prev", "list.next", page, pageCount,
                               m_metrics.pagerButtonWidth, showPosition))
        m_flow.changeListPage(step, m_unixTime);
}

void Screens::idleOverlay(std::int64_t secondsLeft) {
    const ImVec2 display = m_toolkit.display();
    ImDrawList* drawList = m_toolkit.draw();
    drawList->AddRectFilled(ImVec2(0, 0), display, m_theme.overlay);
    const float panelWidth = std::min(display.x - 2 * m_layout.padding, m_metrics.dialogMaxWidth);
    const float panelHeight = std::min(display.y * 0.6f, m_metrics.dialogMaxHeight);
    const Rect panel = rectAt((display.x - panelWidth) * 0.5f, (display.y - panelHeight) * 0.5f,
                              panelWidth, panelHeight);
    drawList->AddRectFilled(panel.min, panel.max, m_theme.surface, m_metrics.dialogRounding);
    drawList->AddRect(panel.min, panel.max, m_theme.accent, m_metrics.dialogRounding, 0,
                      m_metrics.dialogBorderWidth);
    const float panelPadding = m_layout.padding;
    float y = panel.min.y + panelPadding;
    y += m_toolkit.text(ImVec2(panel.min.x + panelPadding, y), tr("idle.title"), TextRole::Title,
                        m_theme.text, panelWidth - 2 * panelPadding, true);
    y += m_toolkit.text(
        ImVec2(panel.min.x + panelPadding, y),
        LocaleCatalog::format(tr("idle.countdown"), {{"seconds", std::to_string(secondsLeft)}}),
        TextRole::Body, m_theme.text, panelWidth - 2 * panelPadding, true);
    const float buttonWidth =
        std::min(panelWidth - 2 * panelPadding, m_metrics.dialogButtonMaxWidth);
    if (m_toolkit.button("idle.stay",
                         rectAt(panel.min.x + (panelWidth - buttonWidth) * 0.5f,
                                panel.max.y - panelPadding - m_toolkit.touchHeight() * 1.2f,
                                buttonWidth, m_toolkit.touchHeight() * 1.2f),
                         tr("idle.stay"), ButtonStyle::Primary))
        m_flow.noteActivity(m_unixTime);
}

} // namespace minsheng::kiosk::ui
