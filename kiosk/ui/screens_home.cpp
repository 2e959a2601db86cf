// The home screen: 我要反映, 满意度调查, 查询进度, and the way to the policy pages.
#include "kiosk/ui/screens_internal.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk::ui {

void Screens::home() {
    m_layout = layoutFor(false);
    float y = m_layout.content.min.y + m_layout.padding * 0.5f;
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("home.title"), TextRole::Title,
                        m_theme.text, m_layout.content.w(), true);
    m_frame.speech.push_back(tr("home.title"));
    y += m_toolkit.text(
        ImVec2(m_layout.content.min.x, y),
        LocaleCatalog::format(tr("home.where"), {{"name", m_flow.config().name},
                                                 {"location", m_flow.config().location}}),
        TextRole::Body, m_theme.textMuted, m_layout.content.w(), true);
    y += m_layout.padding;
    struct Action {
        const char* id;
        const char* label;
        const char* sub;
    };
    const Action actions[] = {{"home.report", "home.report", "home.report_sub"},
                              {"home.survey", "home.survey", "home.survey_sub"},
                              {"home.lookup", "home.lookup", "home.lookup_sub"}};
    const float gap = m_layout.padding;
    const float bottomBlock =
        m_toolkit.touchHeight() + m_toolkit.size(TextRole::Body) * 3.2f + 2 * gap;
    const float available = m_layout.content.max.y - y - bottomBlock;
    for (int i = 0; i < 3; ++i) {
        Rect actionRect;
        if (m_toolkit.portrait()) {
            const float h = std::min((available - 2 * gap) / 3, m_metrics.homeActionMaxHeight);
            actionRect = rectAt(m_layout.content.min.x, y + i * (h + gap), m_layout.content.w(), h);
        } else {
            const float w = (m_layout.content.w() - 2 * gap) / 3;
            actionRect = rectAt(m_layout.content.min.x + i * (w + gap), y, w,
                                std::min(available, m_metrics.homeActionMaxHeight));
        }
        m_frame.speech.push_back(tr(actions[i].label));
        if (m_toolkit.button(actions[i].id, actionRect, tr(actions[i].label), ButtonStyle::Primary,
                             true, false, tr(actions[i].sub), TextRole::Heading)) {
            if (i == 0)
                m_flow.startReport(m_unixTime);
            else if (i == 1)
                m_flow.startSurvey(m_unixTime);
            else
                m_flow.startLookup(m_unixTime);
        }
    }
    y = m_layout.content.max.y - bottomBlock + gap;
    const float buttonWidth = m_metrics.actionButtonWidth;
    if (m_toolkit.button("home.rules",
                         rectAt(m_layout.content.min.x, y, buttonWidth, m_toolkit.touchHeight()),
                         tr("home.rules"), ButtonStyle::Secondary))
        m_flow.openRules(m_unixTime);
    y += m_toolkit.touchHeight() + gap * 0.5f;
    hotlineLine(y, m_layout.content.w());
}

} // namespace minsheng::kiosk::ui
