// Staff mode: the hidden corner, the PIN pad, the health page.
#include "kiosk/ui/screens_internal.hpp"

#include "kiosk/ui/number_pad.hpp"

#include <cstdio>

namespace minsheng::kiosk::ui {

namespace {

/// A store or disk size for the health page, in MiB below a GiB and in GiB above.
std::string formatSize(std::uint64_t bytes) {
    char text[32];
    if (bytes >= (1ull << 30))
        std::snprintf(text, sizeof(text), "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
    else
        std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1ull << 20));
    return text;
}

} // namespace

void Screens::staffCorner() {
    // The hidden staff entrance: a long press on the top-left corner. It looks like nothing
    // and a tap does nothing; holding it for three seconds opens the PIN pad.
    const float side = m_metrics.staffCornerSide;
    bool held = false;
    m_toolkit.hitArea("staff.corner", rectAt(0, 0, side, side), "", true, &held);
    if (held) {
        if (m_frame.cornerHeldSince < 0)
            m_frame.cornerHeldSince = m_frame.time;
        if (m_frame.time - m_frame.cornerHeldSince >= kStaffLongPressSeconds) {
            m_frame.cornerHeldSince = -1;
            m_flow.openStaff(m_unixTime);
        } else {
            m_frame.wakeAt = m_frame.cornerHeldSince + kStaffLongPressSeconds;
        }
    } else {
        m_frame.cornerHeldSince = -1;
    }
}

void Screens::staffPin() {
    m_layout = layoutFor(true);
    float y = heading(tr("staff.pin_title"), m_layout.content.min.y, false);
    // Dots for the digits typed, drawn as circles (no character needed in the font).
    {
        const float dotRadius = m_toolkit.size(TextRole::Title) * 0.22f;
        const std::size_t digitCount = m_session.staffPin().size();
        const float total = digitCount * dotRadius * 3;
        const float firstDotX =
            m_layout.content.min.x + (m_layout.content.w() - total) * 0.5f + dotRadius * 1.5f;
        for (std::size_t i = 0; i < digitCount; ++i) {
            m_toolkit.draw()->AddCircleFilled(
                ImVec2(firstDotX + i * dotRadius * 3, y + dotRadius * 2), dotRadius, m_theme.text);
        }
        y += dotRadius * 4 + m_layout.padding * 0.3f;
    }
    const auto lockSecondsLeft = m_flow.staffLock().secondsLeft(m_unixTime);
    if (lockSecondsLeft > 0) {
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y),
                            LocaleCatalog::format(tr("staff.locked"),
                                                  {{"seconds", std::to_string(lockSecondsLeft)}}),
                            TextRole::Body, m_theme.danger, m_layout.content.w(), true);
        m_frame.wakeAt = m_frame.time + 1.0;
    } else if (m_session.staffPinWrong) {
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("staff.wrong"), TextRole::Body,
                            m_theme.danger, m_layout.content.w(), true);
    }
    y += m_layout.padding * 0.5f;
    NumberPad(m_toolkit, m_flow, m_unixTime)
        .draw(rectAt(m_layout.content.min.x, y, m_layout.content.w(), m_layout.content.max.y - y),
              {});
    bottomBar(true, "staff.ok", tr("staff.ok"),
              lockSecondsLeft == 0 && m_session.staffPin().size() >= 4);
}

void Screens::staffHealth() {
    m_layout = layoutFor(true);
    float y = heading(tr("staff.health_title"), m_layout.content.min.y, false);
    const auto& health = m_flow.health();
    std::vector<std::pair<std::string, std::string>> rows;
    if (health.outbox) {
        rows.emplace_back(tr("staff.pending"), std::to_string(health.outbox->pendingCount));
        rows.emplace_back(tr("staff.last_sequence"), std::to_string(health.outbox->lastSequence));
        rows.emplace_back(tr("staff.last_ack"),
                          health.outbox->lastAcknowledgedDay
                              ? formatLocalDate(*health.outbox->lastAcknowledgedDay,
                                                m_flow.config().utcOffsetHours)
                              : tr("staff.never"));
        rows.emplace_back(tr("staff.store_size"),
                          formatSize(health.outbox->fileBytes + health.outbox->walBytes));
    } else {
        rows.emplace_back(tr("staff.pending"), tr("staff.unknown"));
    }
    rows.emplace_back(tr("staff.disk_free"), health.diskFreeBytes
                                                 ? formatSize(*health.diskFreeBytes)
                                                 : tr("staff.unknown"));
    rows.emplace_back(tr("staff.version"), m_frame.version);
    rows.emplace_back(tr("staff.font_atlas"), std::to_string(m_frame.atlasWidth) + " x " +
                                                  std::to_string(m_frame.atlasHeight));
    std::string errors;
    for (auto it = m_flow.recentErrors().rbegin(); it != m_flow.recentErrors().rend(); ++it) {
        if (errors.size() > 200)
            break;
        errors += (errors.empty() ? "" : ", ") +
                  formatLocalDate(it->at, m_flow.config().utcOffsetHours) + " " + it->what;
    }
    rows.emplace_back(tr("staff.recent_errors"), errors.empty() ? tr("staff.none") : errors);
    if (m_session.syncResult) {
        using Kind = ForwarderResponse::Kind;
        rows.emplace_back(tr("staff.sync_result"),
                          tr(*m_session.syncResult == Kind::Done      ? "staff.sync_done"
                             : *m_session.syncResult == Kind::Offline ? "staff.sync_offline"
                                                                      : "staff.sync_failed"));
    }
    const float labelWidth = m_layout.content.w() * 0.4f;
    for (const auto& [label, value] : rows) {
        m_toolkit.text(ImVec2(m_layout.content.min.x, y), label, TextRole::Body, m_theme.textMuted,
                       labelWidth);
        y += m_toolkit.text(ImVec2(m_layout.content.min.x + labelWidth, y), value, TextRole::Body,
                            m_theme.text, m_layout.content.w() - labelWidth) +
             m_metrics.tableRowSpacing;
    }
    if (footAction("staff.sync", tr("staff.sync_now")))
        m_flow.staffSyncNow(m_unixTime);
    bottomBar(false, "finish", tr("staff.leave"));
}

} // namespace minsheng::kiosk::ui
