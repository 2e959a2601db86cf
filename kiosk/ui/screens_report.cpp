// A report: category, privacy notice, review, saving, receipt, and the trouble screen a failed
// save leads to.
#include "kiosk/ui/screens_internal.hpp"

#include "kiosk/core/forms_vocabulary.hpp"
#include "kiosk/ui/icons.hpp"
#include "sync/forms/validation.hpp"

#include <qrencode.h>
#include <sodium.h>

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk::ui {

void Screens::category() {
    m_layout = layoutFor(true);
    const Field& field = m_flow.categoryField();
    float y = heading(localized(field.label), m_layout.content.min.y, field.help.has_value());
    helpPanel(field, y);
    const int cols = m_toolkit.portrait() ? 2 : 3;
    const float gap = m_metrics.cardGap;
    const int optionCount = static_cast<int>(field.options.size());
    const float pagerHeight = m_toolkit.touchHeight() + gap;
    float available = m_layout.content.max.y - y;
    const float minHeight =
        std::max(m_toolkit.touchHeight() * 1.45f, m_toolkit.size(TextRole::Button) * 3.2f);
    int rows = (optionCount + cols - 1) / cols;
    int perPage = optionCount;
    if (available / rows - gap < minHeight) {
        rows = std::max(1, static_cast<int>((available - pagerHeight) / (minHeight + gap)));
        perPage = rows * cols;
    }
    const int pages = (optionCount + perPage - 1) / perPage;
    const int page = std::min(m_session.listPage, pages - 1);
    const float usable = available - (pages > 1 ? pagerHeight : 0);
    const float cardHeight = std::min(usable / rows - gap, m_metrics.categoryCardMaxHeight);
    const float cardWidth = (m_layout.content.w() - (cols - 1) * gap) / cols;
    const Answer* current = m_session.answers().get(field.id);
    for (int slot = 0; slot < perPage && page * perPage + slot < optionCount; ++slot) {
        const Option& option = field.options[page * perPage + slot];
        const Rect card = rectAt(m_layout.content.min.x + (slot % cols) * (cardWidth + gap),
                                 y + (slot / cols) * (cardHeight + gap), cardWidth, cardHeight);
        const bool selected = current && current->text() == option.id;
        bool held = false;
        const std::string id = "category:" + option.id;
        m_frame.speech.push_back(localized(option.label));
        const bool tapped = m_toolkit.hitArea(id, card, localized(option.label), true, &held);
        cardFrame(card, selected, held, m_metrics.cardRounding);
        ImDrawList* drawList = m_toolkit.draw();
        const float icon = std::min(cardHeight - 2 * gap, m_metrics.categoryIconMaxSide);
        drawIcon(drawList, option.icon,
                 ImVec2(card.min.x + gap, card.min.y + (cardHeight - icon) * 0.5f), icon,
                 selected ? m_theme.selectedText : m_theme.accent);
        const float textX = card.min.x + icon + 2 * gap;
        const float textWidth = card.max.x - textX - gap;
        drawList->PushClipRect(card.min, card.max, true);
        float textY = card.min.y + gap;
        textY += m_toolkit.text(ImVec2(textX, textY), localized(option.label), TextRole::Button,
                                selected ? m_theme.selectedText : m_theme.text, textWidth);
        if (option.description) {
            // One line of the description: the rest is for the help panel, not a wall of text.
            const auto lines = m_toolkit.wrap(localized(*option.description),
                                              m_toolkit.size(TextRole::Small), textWidth);
            std::string first(lines.front());
            if (lines.size() > 1)
                first += "…";
            m_toolkit.text(ImVec2(textX, textY), first, TextRole::Small,
                           selected ? m_theme.selectedText : m_theme.textMuted, textWidth);
        }
        drawList->PopClipRect();
        if (tapped)
            m_flow.chooseCategory(option.id, m_unixTime);
    }
    listPager(page, pages, true);
    bottomBar(true, {}, {});
}

void Screens::privacy() {
    m_layout = layoutFor(true);
    float y = heading(tr("privacy.title"), m_layout.content.min.y, false);
    const float w = m_layout.content.w();
    for (const char* k : {"privacy.protects", "privacy.who_sees", "privacy.cannot"}) {
        y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr(k), TextRole::Body, m_theme.text,
                            w) +
             m_layout.padding * 0.5f;
    }
    bottomBar(true, "next", tr("nav.next"));
}

std::string Screens::answerText(const Field& field) const {
    const Answer* answer = m_session.answers().get(field.id);
    if (!answer)
        return tr("review.empty");
    switch (field.type) {
    case FieldType::Single:
        if (const Option* option = field.findOption(answer->text()))
            return localized(option->label);
        break;
    case FieldType::Picker:
        if (const ListItem* i = field.findItem(answer->text()))
            return localized(i->label);
        break;
    case FieldType::Multiple: {
        std::string out;
        for (const auto& c : answer->choices())
            if (const Option* option = field.findOption(c))
                out += (out.empty() ? "" : tr("review.separator")) + localized(option->label);
        return out;
    }
    case FieldType::Scale:
        return LocaleCatalog::format(tr("review.scale"),
                                     {{"n", std::to_string(answer->integer())}});
    default:
        return std::string(answer->text());
    }
    return {};
}

void Screens::review() {
    m_layout = layoutFor(true);
    float y = heading(tr("review.title"), m_layout.content.min.y, false);
    const Form& form = *m_flow.form();
    const auto visible = visibleFields(form, m_session.answers());
    std::vector<const Field*> rows;
    for (std::size_t i = 0; i < form.fields.size(); ++i)
        if (visible[i])
            rows.push_back(&form.fields[i]);
    const float gap = m_metrics.rowGap;
    const float editWidth = m_metrics.editButtonWidth;
    const float labelWidth = (m_layout.content.w() - editWidth - 2 * gap) * 0.4f;
    const float valueWidth = m_layout.content.w() - editWidth - 2 * gap - labelWidth;
    const float pagerHeight = m_toolkit.touchHeight() + gap;
    // Pages of rows that fit; each row is at least one touch target high.
    std::vector<int> pageStarts{0};
    {
        float yy = y;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const float rowHeight =
                std::max(m_toolkit.touchHeight(),
                         std::min(m_toolkit
                                      .measure(answerText(*rows[i]), m_toolkit.size(TextRole::Body),
                                               valueWidth)
                                      .y,
                                  m_toolkit.size(TextRole::Body) * 1.3f * 3)) +
                gap;
            if (yy + rowHeight > m_layout.content.max.y - pagerHeight &&
                static_cast<int>(i) > pageStarts.back()) {
                pageStarts.push_back(static_cast<int>(i));
                yy = y;
            }
            yy += rowHeight;
        }
    }
    const int pages = static_cast<int>(pageStarts.size());
    const int page = std::min(m_session.listPage, pages - 1);
    const int end = page + 1 < pages ? pageStarts[page + 1] : static_cast<int>(rows.size());
    for (int i = pageStarts[page]; i < end; ++i) {
        const Field& field = *rows[i];
        const std::string value = answerText(field);
        const float valueHeight =
            std::min(m_toolkit.measure(value, m_toolkit.size(TextRole::Body), valueWidth).y,
                     m_toolkit.size(TextRole::Body) * 1.3f * 3);
        const float rowHeight = std::max(m_toolkit.touchHeight(), valueHeight);
        m_toolkit.draw()->AddRectFilled(
            ImVec2(m_layout.content.min.x, y), ImVec2(m_layout.content.max.x, y + rowHeight),
            (i % 2) ? m_theme.surface : m_theme.surfaceAlt, m_metrics.rowRounding);
        ImDrawList* drawList = m_toolkit.draw();
        drawList->PushClipRect(ImVec2(m_layout.content.min.x, y),
                               ImVec2(m_layout.content.max.x, y + rowHeight), true);
        m_toolkit.text(ImVec2(m_layout.content.min.x + gap, y + gap), localized(field.label),
                       TextRole::Small, m_theme.textMuted, labelWidth);
        m_toolkit.text(ImVec2(m_layout.content.min.x + labelWidth + 2 * gap, y + gap * 0.5f), value,
                       TextRole::Body,
                       m_session.answers().contains(field.id) ? m_theme.text : m_theme.textMuted,
                       valueWidth);
        drawList->PopClipRect();
        if (m_toolkit.button(
                "edit:" + field.id,
                rectAt(m_layout.content.max.x - editWidth, y, editWidth, m_toolkit.touchHeight()),
                tr("review.edit"), ButtonStyle::Link))
            m_flow.editFromReview(field.id, m_unixTime);
        y += rowHeight + gap;
    }
    listPager(page, pages, false);
    bottomBar(true, "submit", tr("nav.submit"));
}

void Screens::saving() {
    m_layout = layoutFor(false);
    const float y = m_layout.content.min.y + m_layout.content.h() * 0.4f;
    m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("saving.title"), TextRole::Title,
                   m_theme.text, m_layout.content.w(), true);
}

void Screens::receipt() {
    m_layout = layoutFor(true);
    float y = heading(tr("receipt.title"), m_layout.content.min.y, false);
    const std::string_view code = m_session.receiptCode();
    const float qrSide =
        std::min(m_toolkit.portrait() ? m_layout.content.w() * 0.6f : m_layout.content.h() * 0.62f,
                 m_metrics.receiptBlockMaxWidth);
    const float textWidth = m_toolkit.portrait() ? m_layout.content.w()
                                                 : m_layout.content.w() - qrSide - m_layout.padding;
    // The code, large, grouped 4-4-4-4 (the session stores it grouped).
    const float codeY = y;
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), code, TextRole::Huge, m_theme.text,
                        textWidth) +
         m_layout.padding * 0.5f;
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("receipt.lost"), TextRole::Body,
                        m_theme.danger, textWidth) +
         m_layout.padding * 0.5f;
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("receipt.how_to_use"), TextRole::Body,
                        m_theme.text, textWidth) +
         m_layout.padding * 0.5f;
    // QR code of the digits, drawn as rectangles. libqrencode's copy is wiped before it is freed.
    float qx = m_layout.content.max.x - qrSide;
    float qy = codeY;
    if (m_toolkit.portrait()) {
        qx = m_layout.content.min.x + (m_layout.content.w() - qrSide) * 0.5f;
        qy = y;
        y += qrSide + m_layout.padding * 0.5f;
    }
    std::string digits;
    for (char c : code)
        if (c >= '0' && c <= '9')
            digits += c;
    if (QRcode* qr = QRcode_encodeString(digits.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1)) {
        const int n = qr->width;
        const float m = qrSide / (n + 8); // 4 modules of quiet zone on each side
        ImDrawList* drawList = m_toolkit.draw();
        drawList->AddRectFilled(ImVec2(qx, qy), ImVec2(qx + qrSide, qy + qrSide),
                                IM_COL32(255, 255, 255, 255));
        for (int r = 0; r < n; ++r) {
            for (int c = 0; c < n; ++c) {
                if (qr->data[r * n + c] & 1) {
                    const float x0 = std::floor(qx + (c + 4) * m);
                    const float y0 = std::floor(qy + (r + 4) * m);
                    drawList->AddRectFilled(
                        ImVec2(x0, y0),
                        ImVec2(std::floor(qx + (c + 5) * m), std::floor(qy + (r + 5) * m)),
                        IM_COL32(0, 0, 0, 255));
                }
            }
        }
        m_toolkit.hitArea("receipt.qr", rectAt(qx, qy, qrSide, qrSide), "qr", false);
        sodium_memzero(qr->data, static_cast<std::size_t>(n) * n);
        QRcode_free(qr);
    }
    sodium_memzero(digits.data(), digits.size());
    const float buttonWidth = std::min(textWidth, m_metrics.receiptBlockMaxWidth);
    if (m_toolkit.button("receipt.noted",
                         rectAt(m_layout.content.min.x, y, buttonWidth, m_toolkit.touchHeight()),
                         m_session.receiptNoted ? tr("receipt.noted_done") : tr("receipt.noted"),
                         ButtonStyle::Option, true, m_session.receiptNoted))
        m_flow.confirmNoted(m_unixTime);
    bottomBar(false, "finish", tr("nav.done"), m_session.receiptNoted);
}

void Screens::trouble() {
    m_layout = layoutFor(true);
    float y = m_layout.content.min.y + m_layout.padding;
    const bool full = m_session.trouble == TroubleKind::DiskFull;
    y = heading(tr(full ? "trouble.disk_full_title" : "trouble.save_failed_title"), y, false);
    y += m_toolkit.text(ImVec2(m_layout.content.min.x, y),
                        tr(full ? "trouble.disk_full" : "trouble.save_failed"), TextRole::Body,
                        m_theme.text, m_layout.content.w()) +
         m_layout.padding;
    hotlineLine(y, m_layout.content.w());
    if (footAction("trouble.retry", tr("trouble.retry")))
        m_flow.retryAfterTrouble(m_unixTime);
    bottomBar(false, "finish", tr("nav.home"));
}

} // namespace minsheng::kiosk::ui
