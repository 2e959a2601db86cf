// The pinyin candidate bar above the on-screen keyboard: the candidates of the pinyin being
// composed, in pages that fit the bar, with ‹ › to page. `cand:<index>` is the candidate's index
// in the input method's list; the first one (what space would commit) is shown selected.
#pragma once

#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/ui/ui.hpp"

#include <cstdint>

namespace minsheng::kiosk::ui {

class CandidateBar {
public:
    /// Draws with `toolkit`, reads the session's input method and candidate page, and sends a
    /// tapped candidate or page step to `flow` at `unixTime`.
    CandidateBar(Ui& toolkit, KioskFlow& flow, std::int64_t unixTime)
        : m_toolkit(toolkit), m_flow(flow), m_unixTime(unixTime) {}

    void draw(const Rect& bar);

private:
    Ui& m_toolkit;
    KioskFlow& m_flow;
    std::int64_t m_unixTime;
};

} // namespace minsheng::kiosk::ui
