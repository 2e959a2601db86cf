// The class behind drawFrame(): one Screens object per frame, declared once here and defined
// across files by area, each file holding one thing:
//
//   screens.cpp            drawFrame() and the switch from Session::screen to a screen
//   screens_chrome.cpp     the frame around every screen: layout, top bar (中/EN, 朗读, 大字,
//                          高对比, 重新开始), headings, help and error lines, the pager, the bottom
//                          bar and the idle countdown
//   screens_home.cpp       the home screen
//   screens_report.cpp     a report: category, privacy notice, review, saving, receipt, trouble
//   screens_questions.cpp  one question of a report or a survey: choices, scale, text entry
//   screens_survey.cpp     a survey's thanks and its interval
//   screens_lookup.cpp     the receipt-code look-up
//   screens_rules.cpp      the policy pages
//   screens_staff.cpp      the hidden staff corner, the PIN pad, the health page
//
// Screens are functions of the KioskFlow's state (house style point 3): a Screens object reads
// the Session and the flow, sends events to the flow, and is gone at the end of the frame; what
// must outlive a frame is in the Session (a parent's data) or the FrameState (the frame loop's).
#pragma once

#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/ui/screens.hpp"
#include "kiosk/ui/ui.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace minsheng::kiosk::ui {

/// Where the current screen draws: the top bar, the content between the bars, the bottom bar
/// (empty on screens without one), and the padding around the content.
struct ScreenLayout {
    Rect topBar, content, bottomBar;
    float padding = 0;
};

/// A date as parents read it, in the kiosk's configured offset from UTC (not the system's zone).
std::string formatLocalDate(std::int64_t unixSeconds, int utcOffsetHours);

class Screens {
public:
    Screens(Ui& toolkit, KioskFlow& flow, FrameState& frame);

    /// Draws the current screen, the top bar, the staff corner and the idle countdown.
    void draw();

private:
    // ---- chrome (screens_chrome.cpp) ------------------------------------------------------
    ScreenLayout layoutFor(bool withBottomBar) const;
    void topBar();
    void stepProgress();
    void bottomBar(bool showBack, std::string_view nextId, std::string_view nextLabel,
                   bool nextEnabled = true);
    /// Draws a screen's heading (and its 帮助 button); returns the y below it.
    float heading(const std::string& text, float y, bool withHelp);
    void helpPanel(const Field& field, float& y);
    void fieldErrorLine(float& y);
    void hotlineLine(float y, float width);
    /// 上一页 / 下一页 at the foot of the content, `prevKey` and `nextKey` being both the
    /// buttons' ids and their catalogue keys, with "第 n / m 页" between them when
    /// `showPosition`. Returns the page step tapped: -1, +1, or 0.
    int pager(std::string_view prevKey, std::string_view nextKey, int page, int pageCount,
              float buttonWidth, bool showPosition);
    /// The list pager (list.prev / list.next) of category, choices and review, drawn only when
    /// the list has more than one page: sends the step to the flow.
    void listPager(int page, int pageCount, bool showPosition);
    /// A lone secondary action (重试, 立即同步) at the foot of the content; true when tapped.
    bool footAction(std::string_view id, std::string_view label);
    /// The background and border of a tappable card drawn by the caller (a category, a face of
    /// a scale): filled when selected, darkened while a finger is on it.
    void cardFrame(const Rect& card, bool selected, bool held, float rounding);
    void idleOverlay(std::int64_t secondsLeft);

    // ---- screens --------------------------------------------------------------------------
    void home();
    void category();
    void questionScreen();
    void choiceList(const Field& field, float y);
    void scale(const Field& field, float y);
    void textEntry(const Field& field, float y);
    void privacy();
    void review();
    std::string answerText(const Field& field) const;
    void saving();
    void receipt();
    void trouble();
    void surveyThanks();
    void surveyWait();
    void lookupEntry();
    void scannedCode();
    void lookupWaiting();
    void lookupResult();
    void rules();
    void staffCorner();
    void staffPin();
    void staffHealth();

    const std::string& tr(std::string_view key) const { return m_toolkit.tr(key); }
    const std::string& localized(const LocalizedText& text) const {
        return text.get(m_session.locale);
    }

    Ui& m_toolkit;            // text, widgets, theme and catalogue
    KioskFlow& m_flow;        // what the screens draw and send events to
    FrameState& m_frame;      // the frame loop's state (speech, wake time, caret)
    const Session& m_session; // the parent's session, read only
    const Theme& m_theme;
    const Metrics& m_metrics;
    std::int64_t m_unixTime; // this frame's time for the flow's events
    ScreenLayout m_layout;
};

} // namespace minsheng::kiosk::ui
