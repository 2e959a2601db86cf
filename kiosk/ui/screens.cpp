// drawFrame(): one frame of the kiosk window, and the switch from the session's screen to the
// function that draws it. The screens themselves are in screens_<area>.cpp (screens_internal.hpp).
#include "kiosk/ui/screens_internal.hpp"

#include <ctime>

namespace minsheng::kiosk::ui {

std::string formatLocalDate(std::int64_t unixSeconds, int utcOffsetHours) {
    if (unixSeconds <= 0)
        return "-";
    const auto shifted =
        static_cast<std::time_t>(unixSeconds + std::int64_t{utcOffsetHours} * 3600);
    std::tm fields{};
    gmtime_r(&shifted, &fields);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M", &fields);
    return text;
}

Screens::Screens(Ui& toolkit, KioskFlow& flow, FrameState& frame)
    : m_toolkit(toolkit), m_flow(flow), m_frame(frame), m_session(flow.session()),
      m_theme(toolkit.theme()), m_metrics(toolkit.metrics()), m_unixTime(frame.now) {}

void Screens::draw() {
    m_layout = layoutFor(false);
    const auto warning = m_flow.idleWarningLeft(m_unixTime);
    // While the overlay shows, the screen behind it is drawn but does not take taps.
    ImGui::BeginDisabled(warning.has_value());
    m_toolkit.setBlocked(warning.has_value());
    switch (m_session.screen) {
    case Screen::Home:
        home();
        break;
    case Screen::Category:
        category();
        break;
    case Screen::Field:
        questionScreen();
        break;
    case Screen::Privacy:
        privacy();
        break;
    case Screen::Review:
        review();
        break;
    case Screen::Saving:
        saving();
        break;
    case Screen::Receipt:
        receipt();
        break;
    case Screen::SurveyThanks:
        surveyThanks();
        break;
    case Screen::SurveyWait:
        surveyWait();
        break;
    case Screen::LookupEntry:
        lookupEntry();
        break;
    case Screen::LookupWaiting:
        lookupWaiting();
        break;
    case Screen::LookupResult:
        lookupResult();
        break;
    case Screen::Rules:
        rules();
        break;
    case Screen::Trouble:
        trouble();
        break;
    case Screen::StaffPin:
        staffPin();
        break;
    case Screen::StaffHealth:
        staffHealth();
        break;
    }
    if (m_session.screen != Screen::Saving)
        topBar();
    staffCorner();
    ImGui::EndDisabled();
    m_toolkit.setBlocked(false);
    if (warning)
        idleOverlay(*warning);
}

void drawFrame(Ui& toolkit, KioskFlow& flow, FrameState& frame) {
    const Session& session = flow.session();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    toolkit.beginFrame(display, session.locale, session.largeText, session.highContrast);
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(display);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
    // No window background: the frame starts cleared to the theme's background colour
    // (kiosk_window.cpp), and a full-screen quad over it would double the pixels a software
    // renderer shades in every frame.
    ImGui::Begin("##kiosk", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoScrollbar |
                     ImGuiWindowFlags_NoBackground);
    frame.wantsBlink = false;
    Screens(toolkit, flow, frame).draw();
    ImGui::End();
    ImGui::PopStyleVar(2);
}

} // namespace minsheng::kiosk::ui
