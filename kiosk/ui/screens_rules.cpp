// The policy pages (政策须知), one page at a time, each citing its source.
#include "kiosk/ui/screens_internal.hpp"

#include <algorithm>

namespace minsheng::kiosk::ui {

void Screens::rules() {
    m_layout = layoutFor(true);
    const auto& pages = m_flow.policy();
    if (pages.empty()) {
        bottomBar(false, "finish", tr("nav.home"));
        return;
    }
    const int page = std::clamp(m_session.rulesPage, 0, static_cast<int>(pages.size()) - 1);
    const PolicyPage& policyPage = pages[page];
    float y = heading(localized(policyPage.title), m_layout.content.min.y, false);
    const float width = m_layout.content.w();
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), localized(policyPage.body),
                        TextRole::Body, m_theme.text, width) +
         m_layout.padding * 0.5f;
    m_toolkit.text(
        ImVec2(m_layout.content.min.x, y),
        LocaleCatalog::format(tr("rules.source"), {{"source", localized(policyPage.source)}}),
        TextRole::Small, m_theme.textMuted, width);
    if (const int step = pager("rules.prev", "rules.next", page, static_cast<int>(pages.size()),
                               m_metrics.rulesPagerButtonWidth, true))
        m_flow.changeRulesPage(step, m_unixTime);
    bottomBar(false, "finish", tr("nav.home"));
}

} // namespace minsheng::kiosk::ui
