// Screens: one function per kiosk screen, each a function of the KioskFlow's state. They draw
// with Ui and send events to the flow; they own nothing. drawFrame() draws the whole window for
// one frame: the top bar (中/EN, 朗读, 大字, 高对比, 重新开始), the current screen, and the idle
// overlay. The screens themselves are the Screens class of screens_internal.hpp.
#pragma once

#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/ui/ui.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace minsheng::kiosk::ui {

/// Frame-loop state that screens read or update; none of it is a parent's data.
struct FrameState {
    double time = 0;             // seconds, monotonic
    std::int64_t now = 0;        // Unix seconds, for the flow
    bool caretOn = true;         // text caret blink phase
    bool wantsBlink = false;     // set by a screen that shows a caret
    double cornerHeldSince = -1; // the hidden staff long press
    double wakeAt = -1;          // set by a screen that needs a frame at this time
    std::string version = "0";   // shown in staff mode
    int atlasWidth = 0, atlasHeight = 0;
    bool inkStroke = false; // a finger is down on the handwriting pad
    /// What read-aloud would say for this frame's screen (titles, questions, options), filled
    /// by the screens; never a parent's text. Cleared by the window before each frame.
    std::vector<std::string> speech;
    bool speakToggled = false; // the speaker button was tapped this frame
};

/// Draws one frame into the current ImGui frame (between NewFrame and Render).
void drawFrame(Ui& toolkit, KioskFlow& flow, FrameState& frame);

/// Seconds a long press on the hidden corner takes to open staff mode.
inline constexpr double kStaffLongPressSeconds = 3.0;

} // namespace minsheng::kiosk::ui
