// The handwriting pad: a square the parent writes one character in with a finger, the
// recognised candidates (`hw:0`..), 清除 (`hw.clear`). It replaces the keyboard of a text field
// while Session::handwritingOpen (the `key:handwriting` toggle).
//
// A stroke is a real touch drag: press inside the pad, move, release. Points go to the flow in
// pad units (handwriting_recognizer.hpp), so the ink stays in the Session; the release ends the
// stroke and the flow recognises the ink. Drawn with ImGui draw lists; no textures.
#pragma once

#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/ui/screens.hpp"
#include "kiosk/ui/ui.hpp"

namespace minsheng::kiosk::ui {

void drawHandwritingPad(Ui& toolkit, KioskFlow& flow, FrameState& frame, const Rect& area);

} // namespace minsheng::kiosk::ui
