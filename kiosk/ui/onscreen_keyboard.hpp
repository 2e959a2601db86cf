// The on-screen keyboard of a text field: rows of character keys (keyboard_layout.hpp; letters
// or the symbol page), then shift, 中/英 (with the pinyin engine), symbols, space, backspace and,
// for a multi-line field, new line. In 中 the CandidateBar sits above the keys. Keys are
// `key:<character>` and `key:shift`, `key:lang`, `key:symbols`, `key:space`, `key:enter`,
// `key:backspace`. Shift, 中/英 and the symbol page are the session's, not the keyboard's.
#pragma once

#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/ui/ui.hpp"

#include <cstdint>

namespace minsheng::kiosk::ui {

class OnScreenKeyboard {
public:
    /// Draws with `toolkit` and sends every key to `flow` at `unixTime`.
    OnScreenKeyboard(Ui& toolkit, KioskFlow& flow, std::int64_t unixTime)
        : m_toolkit(toolkit), m_flow(flow), m_unixTime(unixTime) {}

    /// Draws the keyboard centred in `area`; `multiline` adds the new-line key.
    void draw(const Rect& area, bool multiline);

private:
    Ui& m_toolkit;
    KioskFlow& m_flow;
    std::int64_t m_unixTime;
};

} // namespace minsheng::kiosk::ui
