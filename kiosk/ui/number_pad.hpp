// The number pad: 1–9, 0, backspace, and one extra key left of 0 (`-` for a phone number or a
// date, `:` for a time, none for a receipt code or the staff PIN). Keys are `pad:<key>`.
#pragma once

#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/ui/ui.hpp"

#include <cstdint>
#include <string_view>

namespace minsheng::kiosk::ui {

class NumberPad {
public:
    /// Draws with `toolkit` and sends every key to `flow` at `unixTime` (the flow routes it to
    /// the field, the look-up digits or the PIN).
    NumberPad(Ui& toolkit, KioskFlow& flow, std::int64_t unixTime)
        : m_toolkit(toolkit), m_flow(flow), m_unixTime(unixTime) {}

    /// Draws the pad centred in `area`; `extraKey` empty for none.
    void draw(const Rect& area, std::string_view extraKey);

private:
    Ui& m_toolkit;
    KioskFlow& m_flow;
    std::int64_t m_unixTime;
};

} // namespace minsheng::kiosk::ui
