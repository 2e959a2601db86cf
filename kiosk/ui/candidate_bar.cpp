#include "kiosk/ui/candidate_bar.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace minsheng::kiosk::ui {

void CandidateBar::draw(const Rect& bar) {
    const Session& session = m_flow.session();
    const InputMethod& ime = session.inputMethod();
    const float gap = m_toolkit.metrics().keyGap;
    const float arrowWidth = std::max(64.0f, bar.h());
    const float available = bar.w() - 2 * (arrowWidth + gap);
    // Sized to the label plus the button's own padding (and a pixel of slack for rounding), so
    // that a phrase never wraps inside its button.
    const float labelPadding = m_toolkit.buttonPadding() + 1;
    const float textSize = m_toolkit.size(TextRole::Button);
    std::vector<std::size_t> pageStarts{0};
    std::vector<float> widths(ime.candidateCount());
    float used = 0;
    for (std::size_t i = 0; i < ime.candidateCount(); ++i) {
        widths[i] = std::min(
            available, std::max(arrowWidth, m_toolkit.measure(ime.candidate(i), textSize, 1e9f).x +
                                                2 * labelPadding));
        if (used > 0 && used + widths[i] > available) {
            pageStarts.push_back(i);
            used = 0;
        }
        used += widths[i] + gap;
    }
    const int pageCount = static_cast<int>(pageStarts.size());
    const int page = std::clamp(session.candidatePage, 0, pageCount - 1);
    const std::size_t end = page + 1 < pageCount ? pageStarts[page + 1] : ime.candidateCount();
    float x = bar.min.x + arrowWidth + gap;
    for (std::size_t i = pageStarts[page]; i < end; ++i) {
        if (m_toolkit.button("cand:" + std::to_string(i), rectAt(x, bar.min.y, widths[i], bar.h()),
                             ime.candidate(i), ButtonStyle::Option, true, i == 0)) {
            m_flow.chooseCandidate(i, m_unixTime);
            break; // the list has changed; the next frame draws the new one
        }
        x += widths[i] + gap;
    }
    const bool any = ime.candidateCount() > 0;
    if (m_toolkit.button("cand.prev", rectAt(bar.min.x, bar.min.y, arrowWidth, bar.h()),
                         m_toolkit.tr("keyboard.candidates_prev"), ButtonStyle::Secondary,
                         any && page > 0))
        m_flow.changeCandidatePage(-1, m_unixTime);
    if (m_toolkit.button("cand.next",
                         rectAt(bar.max.x - arrowWidth, bar.min.y, arrowWidth, bar.h()),
                         m_toolkit.tr("keyboard.candidates_next"), ButtonStyle::Secondary,
                         any && page + 1 < pageCount))
        m_flow.changeCandidatePage(1, m_unixTime);
}

} // namespace minsheng::kiosk::ui
