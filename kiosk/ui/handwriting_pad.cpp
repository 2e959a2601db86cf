#include "kiosk/ui/handwriting_pad.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk::ui {

void drawHandwritingPad(Ui& toolkit, KioskFlow& flow, FrameState& frame, const Rect& area) {
    const Session& session = flow.session();
    const Theme& theme = toolkit.theme();
    const std::int64_t unixTime = frame.now;
    const float gap = toolkit.metrics().handwritingGap;
    const float side = std::max(64.0f, std::min(area.h(), area.w() * 0.5f));
    const Rect pad{area.min, ImVec2(area.min.x + side, area.min.y + side)};
    ImDrawList* drawList = toolkit.draw();

    // Touch: press inside the pad starts a stroke, moving extends it, release ends it.
    bool held = false;
    toolkit.hitArea("hw.pad", pad, toolkit.tr("field.handwriting_pad"), true, &held);
    if (held) {
        const ImVec2 finger = ImGui::GetIO().MousePos;
        const int x = static_cast<int>(std::lround((finger.x - pad.min.x) / side * kInkSize));
        const int y = static_cast<int>(std::lround((finger.y - pad.min.y) / side * kInkSize));
        flow.addInkPoint(x, y, !frame.inkStroke, unixTime);
        frame.inkStroke = true;
    } else if (frame.inkStroke) {
        frame.inkStroke = false;
        flow.endInkStroke(unixTime);
    }

    const float rounding = toolkit.metrics().handwritingRounding;
    drawList->AddRectFilled(pad.min, pad.max, theme.surface, rounding);
    drawList->AddRect(pad.min, pad.max, theme.accent, rounding, 0, toolkit.metrics().borderWidth);
    // 田字格 guide lines, faint, as in a school exercise book.
    const ImVec2 centre((pad.min.x + pad.max.x) * 0.5f, (pad.min.y + pad.max.y) * 0.5f);
    drawList->AddLine(ImVec2(pad.min.x + rounding, centre.y),
                      ImVec2(pad.max.x - rounding, centre.y), theme.border,
                      toolkit.metrics().guideLineWidth);
    drawList->AddLine(ImVec2(centre.x, pad.min.y + rounding),
                      ImVec2(centre.x, pad.max.y - rounding), theme.border,
                      toolkit.metrics().guideLineWidth);
    const auto& ink = session.ink();
    if (ink.empty()) {
        toolkit.text(ImVec2(pad.min.x + gap, pad.min.y + gap), toolkit.tr("field.handwriting_hint"),
                     TextRole::Small, theme.textMuted, side - 2 * gap);
    }
    const float inkWidth = std::max(3.0f, toolkit.metrics().inkWidth);
    auto at = [&](const InkPoint& p) {
        return ImVec2(pad.min.x + p.x * side / kInkSize, pad.min.y + p.y * side / kInkSize);
    };
    drawList->PushClipRect(pad.min, pad.max, true);
    for (std::size_t i = 0; i < ink.size(); ++i) {
        const bool continues = i > 0 && ink[i - 1].stroke == ink[i].stroke;
        if (continues)
            drawList->AddLine(at(ink[i - 1]), at(ink[i]), theme.text, inkWidth);
        drawList->AddCircleFilled(at(ink[i]), inkWidth * 0.5f, theme.text);
    }
    drawList->PopClipRect();

    // Candidates, best first, then 清除.
    const float left = pad.max.x + gap;
    const float columnsWidth = area.max.x - left;
    const int cols = 4;
    const float buttonHeight =
        std::max(64.0f, std::min(toolkit.touchHeight() * 1.3f, (side - 2 * gap) / 3));
    const float buttonWidth = (columnsWidth - (cols - 1) * gap) / cols;
    const auto& candidates = session.handwritingCandidates();
    for (std::size_t i = 0; i < candidates.size() && i < 8; ++i) {
        const Rect candidateRect{
            ImVec2(left + (i % cols) * (buttonWidth + gap),
                   area.min.y + (i / cols) * (buttonHeight + gap)),
            ImVec2(left + (i % cols) * (buttonWidth + gap) + buttonWidth,
                   area.min.y + (i / cols) * (buttonHeight + gap) + buttonHeight)};
        if (toolkit.button("hw:" + std::to_string(i), candidateRect, candidates[i],
                           ButtonStyle::Option, true, i == 0, {}, TextRole::Heading)) {
            flow.chooseHandwriting(i, unixTime);
            break; // the candidates are gone; the next frame draws the empty pad
        }
    }
    const Rect clear{ImVec2(left, area.min.y + 2 * (buttonHeight + gap)),
                     ImVec2(left + 2 * buttonWidth + gap,
                            area.min.y + 2 * (buttonHeight + gap) + toolkit.touchHeight())};
    if (toolkit.button("hw.clear", clear, toolkit.tr("field.handwriting_clear"),
                       ButtonStyle::Secondary, !ink.empty()))
        flow.clearHandwriting(unixTime);
}

} // namespace minsheng::kiosk::ui
