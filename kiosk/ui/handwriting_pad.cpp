#include "kiosk/ui/handwriting_pad.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk::ui {

void drawHandwritingPad(Ui& ui, KioskFlow& flow, FrameState& fs, const Rect& area) {
    const Session& s = flow.session();
    const Theme& t = ui.theme();
    const std::int64_t now = fs.now;
    const float gap = std::round(16 * ui.u());
    const float side = std::max(64.0f, std::min(area.h(), area.w() * 0.5f));
    const Rect pad{area.min, ImVec2(area.min.x + side, area.min.y + side)};
    ImDrawList* dl = ui.draw();

    // Touch: press inside the pad starts a stroke, moving extends it, release ends it.
    bool held = false;
    ui.hitArea("hw.pad", pad, ui.tr("field.handwriting_pad"), true, &held);
    if (held) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        const int x = static_cast<int>(std::lround((m.x - pad.min.x) / side * kInkSize));
        const int y = static_cast<int>(std::lround((m.y - pad.min.y) / side * kInkSize));
        flow.addInkPoint(x, y, !fs.inkStroke, now);
        fs.inkStroke = true;
    } else if (fs.inkStroke) {
        fs.inkStroke = false;
        flow.endInkStroke(now);
    }

    const float r = 12 * ui.u();
    dl->AddRectFilled(pad.min, pad.max, t.surface, r);
    dl->AddRect(pad.min, pad.max, t.accent, r, 0, 3 * ui.u());
    // 田字格 guide lines, faint, as in a school exercise book.
    const ImVec2 c((pad.min.x + pad.max.x) * 0.5f, (pad.min.y + pad.max.y) * 0.5f);
    dl->AddLine(ImVec2(pad.min.x + r, c.y), ImVec2(pad.max.x - r, c.y), t.border, 1.5f * ui.u());
    dl->AddLine(ImVec2(c.x, pad.min.y + r), ImVec2(c.x, pad.max.y - r), t.border, 1.5f * ui.u());
    const auto& ink = s.ink();
    if (ink.empty()) {
        ui.text(ImVec2(pad.min.x + gap, pad.min.y + gap), ui.tr("field.handwriting_hint"),
                TextRole::Small, t.textMuted, side - 2 * gap);
    }
    const float thick = std::max(3.0f, 8 * ui.u());
    auto at = [&](const InkPoint& p) {
        return ImVec2(pad.min.x + p.x * side / kInkSize, pad.min.y + p.y * side / kInkSize);
    };
    dl->PushClipRect(pad.min, pad.max, true);
    for (std::size_t i = 0; i < ink.size(); ++i) {
        const bool continues = i > 0 && ink[i - 1].stroke == ink[i].stroke;
        if (continues) {
            dl->AddLine(at(ink[i - 1]), at(ink[i]), t.text, thick);
        }
        dl->AddCircleFilled(at(ink[i]), thick * 0.5f, t.text);
    }
    dl->PopClipRect();

    // Candidates, best first, then 清除.
    const float x0 = pad.max.x + gap;
    const float w = area.max.x - x0;
    const int cols = 4;
    const float bh = std::max(64.0f, std::min(ui.touchHeight() * 1.3f, (side - 2 * gap) / 3));
    const float bw = (w - (cols - 1) * gap) / cols;
    const auto& cands = s.handwritingCandidates();
    for (std::size_t i = 0; i < cands.size() && i < 8; ++i) {
        const Rect b{
            ImVec2(x0 + (i % cols) * (bw + gap), area.min.y + (i / cols) * (bh + gap)),
            ImVec2(x0 + (i % cols) * (bw + gap) + bw, area.min.y + (i / cols) * (bh + gap) + bh)};
        if (ui.button("hw:" + std::to_string(i), b, cands[i], ButtonStyle::Option, true, i == 0, {},
                      TextRole::Heading)) {
            flow.chooseHandwriting(i, now);
            break; // the candidates are gone; the next frame draws the empty pad
        }
    }
    const Rect clear{ImVec2(x0, area.min.y + 2 * (bh + gap)),
                     ImVec2(x0 + 2 * bw + gap, area.min.y + 2 * (bh + gap) + ui.touchHeight())};
    if (ui.button("hw.clear", clear, ui.tr("field.handwriting_clear"), ButtonStyle::Secondary,
                  !ink.empty())) {
        flow.clearHandwriting(now);
    }
}

} // namespace minsheng::kiosk::ui
