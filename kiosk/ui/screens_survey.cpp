// A survey's thanks and its interval (one survey per kiosk per few minutes).
#include "kiosk/ui/screens_internal.hpp"

#include <algorithm>

namespace minsheng::kiosk::ui {

void Screens::surveyThanks() {
    m_layout = layoutFor(true);
    float y = m_layout.content.min.y + m_layout.content.h() * 0.25f;
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("survey.thanks"), TextRole::Title,
                        m_theme.text, m_layout.content.w(), true);
    m_toolkit.text(ImVec2(m_layout.content.min.x, y + m_layout.padding), tr("survey.thanks_detail"),
                   TextRole::Body, m_theme.text, m_layout.content.w(), true);
    bottomBar(false, "finish", tr("nav.done"));
}

void Screens::surveyWait() {
    m_layout = layoutFor(true);
    float y = m_layout.content.min.y + m_layout.content.h() * 0.25f;
    const auto left = std::max<std::int64_t>(1, m_session.surveyWaitUntil - m_unixTime);
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("survey.wait_title"),
                        TextRole::Heading, m_theme.text, m_layout.content.w(), true);
    m_toolkit.text(ImVec2(m_layout.content.min.x, y + m_layout.padding),
                   LocaleCatalog::format(tr("survey.wait"), {{"seconds", std::to_string(left)}}),
                   TextRole::Body, m_theme.text, m_layout.content.w(), true);
    bottomBar(false, "finish", tr("nav.home"));
}

} // namespace minsheng::kiosk::ui
