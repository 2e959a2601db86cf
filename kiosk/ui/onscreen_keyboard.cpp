#include "kiosk/ui/onscreen_keyboard.hpp"

#include "kiosk/ui/candidate_bar.hpp"
#include "kiosk/ui/keyboard_layout.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::kiosk::ui {

void OnScreenKeyboard::draw(const Rect& area, bool multiline) {
    const Session& session = m_flow.session();
    const auto& rows = session.keyboardSymbols ? kSymbolRows : kLetterRows;
    const float gap = m_toolkit.metrics().keyGap;
    // With the pinyin engine: a 中/英 key, and in 中 a candidate bar above the keys.
    const bool pinyin = session.inputMethod().name() == "pinyin";
    const bool withCandidates = pinyin && !session.keyboardLatin;
    const int rowCount = static_cast<int>(rows.size()) + 1 + (withCandidates ? 1 : 0);
    const float keyHeight = std::max(
        64.0f, std::min(m_toolkit.touchHeight(), (area.h() - (rowCount - 1) * gap) / rowCount));
    const float keyWidth = std::min((area.w() - 9 * gap) / 10, keyHeight * 1.6f);
    const float totalWidth = 10 * keyWidth + 9 * gap;
    const float left = area.min.x + (area.w() - totalWidth) * 0.5f;
    float y = area.min.y;
    if (withCandidates) {
        CandidateBar(m_toolkit, m_flow, m_unixTime).draw(rectAt(left, y, totalWidth, keyHeight));
        y += keyHeight + gap;
    }
    for (const auto& row : rows) {
        std::vector<std::string_view> keys;
        for (std::size_t i = 0; i < row.size();) {
            const std::size_t at = i;
            nextCodePoint(row, i);
            keys.push_back(row.substr(at, i - at));
        }
        const float rowWidth = keys.size() * keyWidth + (keys.size() - 1) * gap;
        float x = left + (totalWidth - rowWidth) * 0.5f;
        for (auto key : keys) {
            std::string label(key);
            if (session.keyboardShift && label.size() == 1 && label[0] >= 'a' && label[0] <= 'z')
                label[0] = static_cast<char>(label[0] - 'a' + 'A');
            if (m_toolkit.button("key:" + std::string(key), rectAt(x, y, keyWidth, keyHeight),
                                 label, ButtonStyle::Quiet))
                m_flow.typeKey(ImeKey{ImeKey::Kind::Text, label}, m_unixTime);
            x += keyWidth + gap;
        }
        y += keyHeight + gap;
    }
    // Bottom row: shift, (中/英), symbols, space, backspace, (new line).
    const float wide = keyWidth * 2 + gap;
    float x = left;
    const float shiftWidth = pinyin ? keyWidth : wide;
    if (!session.keyboardSymbols) {
        if (m_toolkit.button("key:shift", rectAt(x, y, shiftWidth, keyHeight),
                             m_toolkit.tr("keyboard.shift"), ButtonStyle::Option, true,
                             session.keyboardShift))
            m_flow.setKeyboardShift(!session.keyboardShift, m_unixTime);
    }
    x += shiftWidth + gap;
    if (pinyin) {
        if (m_toolkit.button(
                "key:lang", rectAt(x, y, keyWidth, keyHeight),
                m_toolkit.tr(session.keyboardLatin ? "keyboard.mode_latin" : "keyboard.mode_zh"),
                ButtonStyle::Option, true, !session.keyboardLatin))
            m_flow.setKeyboardLatin(!session.keyboardLatin, m_unixTime);
        x += keyWidth + gap;
    }
    if (m_toolkit.button("key:symbols", rectAt(x, y, wide, keyHeight),
                         session.keyboardSymbols ? m_toolkit.tr("keyboard.letters")
                                                 : m_toolkit.tr("keyboard.symbols"),
                         ButtonStyle::Quiet))
        m_flow.setKeyboardSymbols(!session.keyboardSymbols, m_unixTime);
    x += wide + gap;
    const float spaceWidth = multiline ? keyWidth * 2 + gap : keyWidth * 4 + 3 * gap;
    if (m_toolkit.button("key:space", rectAt(x, y, spaceWidth, keyHeight),
                         m_toolkit.tr("keyboard.space"), ButtonStyle::Quiet))
        m_flow.typeKey(ImeKey{ImeKey::Kind::Space, {}}, m_unixTime);
    x += spaceWidth + gap;
    if (multiline) {
        if (m_toolkit.button("key:enter", rectAt(x, y, wide, keyHeight),
                             m_toolkit.tr("keyboard.enter"), ButtonStyle::Quiet))
            m_flow.typeKey(ImeKey{ImeKey::Kind::Enter, {}}, m_unixTime);
        x += wide + gap;
    }
    if (m_toolkit.button("key:backspace", rectAt(x, y, left + totalWidth - x, keyHeight),
                         m_toolkit.tr("keyboard.backspace"), ButtonStyle::Secondary))
        m_flow.typeKey(ImeKey{ImeKey::Kind::Backspace, {}}, m_unixTime);
}

} // namespace minsheng::kiosk::ui
