#include "kiosk/ui/ui.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk::ui {

namespace {

bool isCjk(char32_t c) {
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0x2000 && c <= 0x206F);
}

/// No line may start with these (closing punctuation).
bool noBreakBefore(char32_t c) {
    static constexpr std::u32string_view s = U"，。、；：？！）》」』”’…—,.;:?!)]}%";
    return s.find(c) != std::u32string_view::npos;
}

/// No line may end with these (opening punctuation).
bool noBreakAfter(char32_t c) {
    static constexpr std::u32string_view s = U"（《「『“‘([{";
    return s.find(c) != std::u32string_view::npos;
}

ImU32 rgb(int r, int g, int b, int a = 255) {
    return IM_COL32(r, g, b, a);
}

} // namespace

char32_t nextCodePoint(std::string_view s, std::size_t& i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    return cp;
}

Theme Theme::normal() {
    Theme t;
    t.background = rgb(244, 241, 234);
    t.surface = rgb(255, 255, 255);
    t.surfaceAlt = rgb(232, 228, 218);
    t.text = rgb(33, 37, 41);
    t.textMuted = rgb(88, 94, 100);
    t.accent = rgb(26, 95, 122);
    t.accentText = rgb(255, 255, 255);
    t.border = rgb(190, 184, 170);
    t.selected = rgb(26, 95, 122);
    t.selectedText = rgb(255, 255, 255);
    t.danger = rgb(170, 40, 40);
    t.warning = rgb(156, 98, 0);
    t.ok = rgb(34, 120, 60);
    t.overlay = rgb(20, 24, 28, 200);
    return t;
}

Theme Theme::highContrast() {
    Theme t;
    t.background = rgb(0, 0, 0);
    t.surface = rgb(0, 0, 0);
    t.surfaceAlt = rgb(30, 30, 30);
    t.text = rgb(255, 255, 255);
    t.textMuted = rgb(255, 255, 255);
    t.accent = rgb(255, 221, 0);
    t.accentText = rgb(0, 0, 0);
    t.border = rgb(255, 255, 255);
    t.selected = rgb(255, 221, 0);
    t.selectedText = rgb(0, 0, 0);
    t.danger = rgb(255, 120, 120);
    t.warning = rgb(255, 200, 80);
    t.ok = rgb(120, 255, 140);
    t.overlay = rgb(0, 0, 0, 235);
    return t;
}

Metrics Metrics::forUnit(float unit, bool portrait) {
    Metrics m;
    m.screenPadding = std::round(32 * unit);
    m.barPadding = std::round(12 * unit);
    m.bottomBarPadding = std::round(16 * unit);
    m.topBarWideButton = std::round((portrait ? 200 : 240) * unit);
    m.topBarNarrowButton = std::round((portrait ? 150 : 170) * unit);
    m.navButtonWidth = std::round((portrait ? 260 : 320) * unit);
    m.staffCornerSide = std::round(110 * unit);
    m.sideButtonWidth = std::round(200 * unit);
    m.actionButtonWidth = std::round(360 * unit);
    m.editButtonWidth = std::round(180 * unit);
    m.pagerButtonWidth = std::round(260 * unit);
    m.rulesPagerButtonWidth = std::round(300 * unit);
    m.pageLabelOffset = 10 * unit;
    m.homeActionMaxHeight = (portrait ? 420 : 460) * unit;
    m.cardGap = std::round(16 * unit);
    m.optionGap = std::round(14 * unit);
    m.faceGap = std::round(20 * unit);
    m.rowGap = std::round(10 * unit);
    m.keyGap = std::round(8 * unit);
    m.padKeyGap = std::round(12 * unit);
    m.fieldPadding = std::round(16 * unit);
    m.categoryCardMaxHeight = 260 * unit;
    m.categoryIconMaxSide = 110 * unit;
    m.cardRounding = 14 * unit;
    m.faceRounding = 16 * unit;
    m.panelRounding = 10 * unit;
    m.rowRounding = 8 * unit;
    m.borderWidth = 3 * unit;
    m.caretWidth = 3 * unit;
    m.preeditGap = 4 * unit;
    m.preeditUnderline = 2 * unit;
    m.tableRowSpacing = 6 * unit;
    m.receiptBlockMaxWidth = 560 * unit;
    m.handwritingGap = std::round(16 * unit);
    m.handwritingRounding = 12 * unit;
    m.guideLineWidth = 1.5f * unit;
    m.inkWidth = 8 * unit;
    m.dialogMaxWidth = 1100 * unit;
    m.dialogMaxHeight = 560 * unit;
    m.dialogButtonMaxWidth = 520 * unit;
    m.dialogRounding = 20 * unit;
    m.dialogBorderWidth = 4 * unit;
    return m;
}

void Ui::beginFrame(ImVec2 display, std::string_view locale, bool largeText, bool highContrast) {
    m_display = display;
    const float shortSide = std::min(display.x, display.y);
    m_unit = std::clamp(shortSide / 1080.0f, 0.6f, 2.0f);
    m_metrics = Metrics::forUnit(m_unit, portrait());
    m_locale.assign(locale);
    m_large = largeText;
    m_theme = highContrast ? Theme::highContrast() : Theme::normal();
    m_widgets.clear();
    m_labels.clear();
    m_missingGlyphs = 0;
}

void Ui::clearRecords() {
    m_widgets.clear();
    m_labels.clear();
    m_pendingTap.clear();
}

float Ui::size(TextRole role) const {
    float s = 34;
    switch (role) {
    case TextRole::Small:
        s = 27;
        break;
    case TextRole::Body:
        s = 33;
        break;
    case TextRole::Button:
        s = 36;
        break;
    case TextRole::Heading:
        s = 44;
        break;
    case TextRole::Title:
        s = 58;
        break;
    case TextRole::Huge:
        s = 84;
        break;
    }
    return std::round(s * m_unit * (m_large ? 1.3f : 1.0f));
}

float Ui::touchHeight() const {
    return std::max(64.0f, std::round(96 * m_unit * (m_large ? 1.15f : 1.0f)));
}

float Ui::advance(char32_t cp, float size) const {
    if (cp > 0xFFFF)
        cp = 0xFFFD;
    return m_font->GetCharAdvance(static_cast<ImWchar>(cp)) * size / m_font->FontSize;
}

std::vector<std::string_view> Ui::wrap(std::string_view text, float size, float width) const {
    std::vector<std::string_view> lines;
    std::size_t lineStart = 0;
    std::size_t i = 0;
    float x = 0;
    std::size_t lastBreak = std::string_view::npos; // byte offset where a new line may start
    float widthAtBreak = 0;
    char32_t prev = 0;
    while (i < text.size()) {
        const std::size_t at = i;
        const char32_t cp = nextCodePoint(text, i);
        if (cp == '\n') {
            lines.push_back(text.substr(lineStart, at - lineStart));
            lineStart = i;
            x = 0;
            lastBreak = std::string_view::npos;
            prev = 0;
            continue;
        }
        // A break is allowed before this character after a space, or around CJK characters,
        // unless punctuation forbids it.
        if (at > lineStart && !noBreakBefore(cp) && !noBreakAfter(prev) &&
            (prev == ' ' || isCjk(cp) || isCjk(prev))) {
            lastBreak = at;
            widthAtBreak = x;
        }
        const float w = advance(cp, size);
        if (x + w > width && at > lineStart) {
            std::size_t cut = lastBreak != std::string_view::npos ? lastBreak : at;
            float carried = lastBreak != std::string_view::npos ? x - widthAtBreak : 0;
            std::string_view line = text.substr(lineStart, cut - lineStart);
            while (!line.empty() && line.back() == ' ')
                line.remove_suffix(1);
            lines.push_back(line);
            lineStart = cut;
            while (lineStart < text.size() && text[lineStart] == ' ') {
                ++lineStart;
                carried = std::max(0.0f, carried - advance(' ', size));
            }
            x = carried;
            lastBreak = std::string_view::npos;
        }
        x += w;
        prev = cp;
    }
    if (lineStart < text.size() || lines.empty())
        lines.push_back(text.substr(lineStart));
    return lines;
}

ImVec2 Ui::measure(std::string_view text, float size, float width) const {
    float w = 0;
    const auto lines = wrap(text, size, width);
    for (auto l : lines) {
        float lw = 0;
        for (std::size_t i = 0; i < l.size();)
            lw += advance(nextCodePoint(l, i), size);
        w = std::max(w, lw);
    }
    return ImVec2(w, lines.size() * size * 1.3f);
}

void Ui::noteLabel(std::string_view s) {
    if (m_recording && !s.empty()) {
        m_labels.emplace_back(s);
        for (std::size_t i = 0; i < s.size();) {
            const char32_t cp = nextCodePoint(s, i);
            if (cp > 0x20 &&
                (cp > 0xFFFF || !m_font->FindGlyphNoFallback(static_cast<ImWchar>(cp))))
                ++m_missingGlyphs;
        }
    }
}

float Ui::textSized(ImVec2 pos, std::string_view text, float size, ImU32 color, float width,
                    bool center) {
    noteLabel(text);
    const float lineH = size * 1.3f;
    const auto lines = wrap(text, size, width);
    float y = pos.y;
    for (auto l : lines) {
        float x = pos.x;
        if (center) {
            float lw = 0;
            for (std::size_t i = 0; i < l.size();)
                lw += advance(nextCodePoint(l, i), size);
            x += std::max(0.0f, (width - lw) * 0.5f);
        }
        draw()->AddText(m_font, size, ImVec2(x, y + size * 0.12f), color, l.data(),
                        l.data() + l.size());
        y += lineH;
    }
    return y - pos.y;
}

float Ui::text(ImVec2 pos, std::string_view t, TextRole role, ImU32 color, float width,
               bool center) {
    return textSized(pos, t, size(role), color, width, center);
}

bool Ui::hitArea(std::string_view id, const Rect& r, std::string_view label, bool enabled,
                 bool* held) {
    enabled = enabled && !m_blocked;
    ImGui::SetCursorScreenPos(r.min);
    ImGui::PushID(id.data(), id.data() + id.size());
    ImGui::BeginDisabled(!enabled);
    bool pressed =
        ImGui::InvisibleButton("##hit", ImVec2(std::max(1.0f, r.w()), std::max(1.0f, r.h())));
    if (held)
        *held = ImGui::IsItemActive();
    ImGui::EndDisabled();
    ImGui::PopID();
    if (!m_pendingTap.empty() && m_pendingTap == id) {
        pressed = enabled;
        m_tapConsumed = enabled;
        m_pendingTap.clear();
    }
    if (m_recording) {
        m_widgets.push_back(
            WidgetRecord{std::string(id), std::string(label), r.min, r.max, enabled});
    }
    return pressed && enabled;
}

bool Ui::takeTapResult() {
    const bool hit = m_tapConsumed;
    m_tapConsumed = false;
    m_pendingTap.clear();
    return hit;
}

bool Ui::button(std::string_view id, const Rect& r, std::string_view label, ButtonStyle style,
                bool enabled, bool selected, std::string_view sublabel, TextRole labelRole) {
    bool held = false;
    const bool pressed = hitArea(id, r, label, enabled, &held);
    const Theme& t = m_theme;
    ImU32 bg = t.surface, fg = t.text, border = t.border;
    switch (style) {
    case ButtonStyle::Primary:
        bg = t.accent;
        fg = t.accentText;
        border = t.accent;
        break;
    case ButtonStyle::Secondary:
        bg = t.surface;
        fg = t.accent;
        border = t.accent;
        break;
    case ButtonStyle::Option:
        bg = selected ? t.selected : t.surface;
        fg = selected ? t.selectedText : t.text;
        border = selected ? t.selected : t.border;
        break;
    case ButtonStyle::Link:
        bg = t.surfaceAlt;
        fg = t.accent;
        border = t.surfaceAlt;
        break;
    case ButtonStyle::Quiet:
        bg = t.surfaceAlt;
        fg = t.text;
        border = t.border;
        break;
    }
    if (!enabled) {
        bg = t.surfaceAlt;
        fg = t.textMuted;
        border = t.surfaceAlt;
    }
    const float rounding = 14 * m_unit;
    ImDrawList* dl = draw();
    dl->AddRectFilled(r.min, r.max, bg, rounding);
    // A border the colour of the fill would be invisible, yet cost a software renderer its
    // pixels in every frame (primary, link and disabled buttons).
    if (border != bg)
        dl->AddRect(r.min, r.max, border, rounding, 0, std::max(2.0f, 3 * m_unit));
    if (held)
        dl->AddRectFilled(r.min, r.max, IM_COL32(0, 0, 0, 50), rounding);
    const float pad = buttonPadding();
    const float inner = r.w() - 2 * pad;
    const float ls = size(labelRole);
    const float ss = size(TextRole::Small);
    const float h1 = measure(label, ls, inner).y;
    const float h2 = sublabel.empty() ? 0 : measure(sublabel, ss, inner).y + 6 * m_unit;
    float y = r.min.y + std::max(pad * 0.5f, (r.h() - h1 - h2) * 0.5f);
    const bool center = style != ButtonStyle::Option || sublabel.empty();
    dl->PushClipRect(r.min, r.max, true);
    y += textSized(ImVec2(r.min.x + pad, y), label, ls, fg, inner, center);
    if (!sublabel.empty()) {
        textSized(ImVec2(r.min.x + pad, y + 6 * m_unit), sublabel, ss,
                  (selected && style == ButtonStyle::Option) || style == ButtonStyle::Primary
                      ? fg
                      : t.textMuted,
                  inner, center);
    }
    dl->PopClipRect();
    return pressed;
}

} // namespace minsheng::kiosk::ui
