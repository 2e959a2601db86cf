#include "kiosk/ui/number_pad.hpp"

#include <algorithm>
#include <string>

namespace minsheng::kiosk::ui {

void NumberPad::draw(const Rect& area, std::string_view extraKey) {
    const float gap = m_toolkit.metrics().padKeyGap;
    const float keyHeight =
        std::max(64.0f, std::min(m_toolkit.touchHeight() * 1.1f, (area.h() - 3 * gap) / 4));
    const float keyWidth = std::min(keyHeight * 2.0f, (area.w() - 2 * gap) / 3);
    const float left = area.min.x + (area.w() - 3 * keyWidth - 2 * gap) * 0.5f;
    // Row by row; index 9 is the extra key's place and 11 backspace's.
    const char* digits[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", ""};
    for (int i = 0; i < 12; ++i) {
        const Rect key = rectAt(left + (i % 3) * (keyWidth + gap),
                                area.min.y + (i / 3) * (keyHeight + gap), keyWidth, keyHeight);
        if (i == 9) {
            if (!extraKey.empty() &&
                m_toolkit.button("pad:" + std::string(extraKey), key, extraKey, ButtonStyle::Quiet))
                m_flow.typeKey(ImeKey{ImeKey::Kind::Text, extraKey}, m_unixTime);
            continue;
        }
        if (i == 11) {
            if (m_toolkit.button("pad:backspace", key, m_toolkit.tr("keyboard.backspace"),
                                 ButtonStyle::Secondary))
                m_flow.typeKey(ImeKey{ImeKey::Kind::Backspace, {}}, m_unixTime);
            continue;
        }
        if (m_toolkit.button(std::string("pad:") + digits[i], key, digits[i], ButtonStyle::Quiet))
            m_flow.typeKey(ImeKey{ImeKey::Kind::Text, digits[i]}, m_unixTime);
    }
}

} // namespace minsheng::kiosk::ui
