// Ui: what every screen function draws with — the baked font, the theme, the catalogue, text
// layout with Chinese line breaking, touch widgets — and the per-frame record of widgets and
// labels that the automation interface reports.
//
// Widgets are touch widgets: a press-and-release on the same target activates it; nothing
// depends on hover or drag. Each has a stable id ("home.report", "option:yes", "key:a") so tests
// can find its rectangle and tap it with real X11 input.
//
// Ui holds no parent data across frames: the labels it records (automation only) are cleared at
// the start of every frame and at every session wipe.
#pragma once

#include "kiosk/core/locale_catalog.hpp"

#include <imgui.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::kiosk::ui {

struct Theme {
    ImU32 background, surface, surfaceAlt, text, textMuted, accent, accentText, border, selected,
        selectedText, danger, warning, ok, overlay;
    static Theme normal();
    static Theme highContrast();
};

/// The screens' sizes in pixels for the current display: one place for every length the
/// screens share, each a multiple of the layout unit (1.0 at 1080 px on the short side), so a
/// 1280×800 or portrait screen keeps the proportions of the 1920×1080 one. Rounded where a
/// crisp edge matters (gaps between targets, button widths), not for radii and strokes.
struct Metrics {
    // The frame: top bar, content, bottom bar.
    float screenPadding = 0;      // around the content, and between large blocks in it
    float barPadding = 0;         // above and below the top bar's buttons, and between them
    float bottomBarPadding = 0;   // above and below the bottom bar's buttons
    float topBarWideButton = 0;   // 重新开始
    float topBarNarrowButton = 0; // 中/EN, 朗读, 大字, 高对比
    float navButtonWidth = 0;     // 返回, 下一步 and the other bottom-bar buttons
    float staffCornerSide = 0;    // the hidden staff long-press square
    // Buttons inside the content.
    float sideButtonWidth = 0;       // 帮助 beside a heading; 清除 and 手写 beside a text box
    float actionButtonWidth = 0;     // a lone secondary action: 政策须知, 重试, 立即同步
    float editButtonWidth = 0;       // 修改 on a review row
    float pagerButtonWidth = 0;      // 上一页 / 下一页 of a list
    float rulesPagerButtonWidth = 0; // 上一页 / 下一页 of the policy pages
    float pageLabelOffset = 0;       // "第 n / m 页" below the pager buttons' top edge
    float homeActionMaxHeight = 0;   // the three big buttons of the home screen
    // Gaps between touch targets.
    float cardGap = 0;   // category cards
    float optionGap = 0; // options of a choice
    float faceGap = 0;   // the five faces of a scale
    float rowGap = 0;    // review rows
    float keyGap = 0;    // keyboard keys and pinyin candidates
    float padKeyGap = 0; // number pad keys
    // Cards, panels and strokes.
    float fieldPadding = 0; // inside a text box
    float categoryCardMaxHeight = 0;
    float categoryIconMaxSide = 0;
    float cardRounding = 0;  // category cards (as Ui::button)
    float faceRounding = 0;  // scale faces
    float panelRounding = 0; // the help panel and the text box
    float rowRounding = 0;   // review rows
    float borderWidth = 0;   // cards and the text box
    float caretWidth = 0;
    float preeditGap = 0;           // between the text and the pinyin being composed
    float preeditUnderline = 0;     // under the pinyin being composed
    float tableRowSpacing = 0;      // the staff health table
    float receiptBlockMaxWidth = 0; // the receipt's QR code and its 我已记下 button
    // The handwriting pad.
    float handwritingGap = 0; // around the pad's hint and between its candidates
    float handwritingRounding = 0;
    float guideLineWidth = 0; // the 田字格 guide lines
    float inkWidth = 0;
    // The idle countdown dialog.
    float dialogMaxWidth = 0;
    float dialogMaxHeight = 0;
    float dialogButtonMaxWidth = 0;
    float dialogRounding = 0;
    float dialogBorderWidth = 0;

    static Metrics forUnit(float unit, bool portrait);
};

enum class TextRole { Small, Body, Button, Heading, Title, Huge };

struct WidgetRecord {
    std::string id;
    std::string label;
    ImVec2 min, max;
    bool enabled = true;
};

struct Rect {
    ImVec2 min, max;
    float w() const { return max.x - min.x; }
    float h() const { return max.y - min.y; }
};

/// The rectangle at (x, y) of width w and height h.
inline Rect rectAt(float x, float y, float w, float h) {
    return Rect{ImVec2(x, y), ImVec2(x + w, y + h)};
}

enum class ButtonStyle { Primary, Secondary, Option, Link, Quiet };

class Ui {
public:
    Ui(const LocaleCatalog& catalog, ImFont* font) : m_catalog(catalog), m_font(font) {}

    /// Called at the start of every frame.
    void beginFrame(ImVec2 display, std::string_view locale, bool largeText, bool highContrast);

    const std::string& tr(std::string_view key) const { return m_catalog.get(m_locale, key); }
    const std::string& locale() const { return m_locale; }
    const Theme& theme() const { return m_theme; }
    ImFont* font() const { return m_font; }
    void setFont(ImFont* font) { m_font = font; }
    ImDrawList* draw() const { return ImGui::GetWindowDrawList(); }
    ImVec2 display() const { return m_display; }
    /// Layout unit: 1.0 at 1080 px on the short side of the screen.
    float u() const { return m_unit; }
    /// The screens' lengths for this frame's display (Metrics).
    const Metrics& metrics() const { return m_metrics; }
    float size(TextRole role) const;
    float touchHeight() const; // ≥ 64 px
    /// Space between a button's edge and its label, each side: a button sized to a label is
    /// its measured width plus twice this.
    float buttonPadding() const { return 20 * m_unit; }
    bool portrait() const { return m_display.y > m_display.x; }

    // ---- text ---------------------------------------------------------------------------
    /// Lines of `text` wrapped to `width` (Chinese may break between any two characters, not
    /// before closing or after opening punctuation; other scripts at spaces).
    std::vector<std::string_view> wrap(std::string_view text, float size, float width) const;
    ImVec2 measure(std::string_view text, float size, float width) const;
    /// Draws wrapped text; returns its height. Records it as a visible label.
    float text(ImVec2 pos, std::string_view text, TextRole role, ImU32 color, float width,
               bool center = false);
    float textSized(ImVec2 pos, std::string_view text, float size, ImU32 color, float width,
                    bool center = false);

    // ---- widgets ------------------------------------------------------------------------
    bool button(std::string_view id, const Rect& r, std::string_view label, ButtonStyle style,
                bool enabled = true, bool selected = false, std::string_view sublabel = {},
                TextRole labelRole = TextRole::Button);
    /// A tappable area with custom drawing done by the caller; returns true when activated.
    bool hitArea(std::string_view id, const Rect& r, std::string_view label, bool enabled,
                 bool* held = nullptr);

    /// While true (the idle overlay is up) widgets draw but cannot be activated.
    void setBlocked(bool blocked) { m_blocked = blocked; }

    // ---- automation ---------------------------------------------------------------------
    void setRecording(bool on) { m_recording = on; }
    bool recording() const { return m_recording; }
    /// The next frame treats the widget `id` as tapped.
    void requestTap(std::string id) {
        m_pendingTap = std::move(id);
        m_tapConsumed = false;
    }
    bool tapPending() const { return !m_pendingTap.empty(); }
    bool takeTapResult(); // true when the pending tap hit a widget; clears it
    const std::vector<WidgetRecord>& widgets() const { return m_widgets; }
    const std::vector<std::string>& labels() const { return m_labels; }
    int missingGlyphs() const { return m_missingGlyphs; }
    void clearRecords();

private:
    void noteLabel(std::string_view s);
    float advance(char32_t cp, float size) const;

    const LocaleCatalog& m_catalog;
    ImFont* m_font;
    Theme m_theme = Theme::normal();
    std::string m_locale = "zh-CN";
    ImVec2 m_display{1920, 1080};
    float m_unit = 1;
    Metrics m_metrics = Metrics::forUnit(1, false);
    bool m_large = false;
    bool m_recording = false;
    bool m_blocked = false;
    std::string m_pendingTap;
    bool m_tapConsumed = false;
    std::vector<WidgetRecord> m_widgets;
    std::vector<std::string> m_labels;
    int m_missingGlyphs = 0;
};

/// Decodes one UTF-8 code point at s[i], advancing i (U+FFFD for ill-formed bytes).
char32_t nextCodePoint(std::string_view s, std::size_t& i);

} // namespace minsheng::kiosk::ui
