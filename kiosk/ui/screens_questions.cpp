// One question of a report or a survey: choices, a scale, or text entry.
#include "kiosk/ui/screens_internal.hpp"

#include "kiosk/core/forms_vocabulary.hpp"
#include "kiosk/ui/handwriting_pad.hpp"
#include "kiosk/ui/icons.hpp"
#include "kiosk/ui/number_pad.hpp"
#include "kiosk/ui/onscreen_keyboard.hpp"
#include "sync/forms/validation.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk::ui {

void Screens::questionScreen() {
    m_layout = layoutFor(true);
    const Field* field = m_flow.field();
    if (!field) {
        bottomBar(true, {}, {});
        return;
    }
    float y = heading(localized(field->label), m_layout.content.min.y, field->help.has_value());
    helpPanel(*field, y);
    fieldErrorLine(y);
    switch (field->type) {
    case FieldType::Single:
    case FieldType::Multiple:
    case FieldType::Picker:
        choiceList(*field, y);
        break;
    case FieldType::Scale:
        scale(*field, y);
        break;
    default:
        textEntry(*field, y);
        break;
    }
    const bool surveyLast = m_session.journey == Journey::Survey && [&] {
        const auto visible = visibleFields(*m_flow.form(), m_session.answers());
        for (std::size_t i = m_session.fieldIndex + 1; i < visible.size(); ++i)
            if (visible[i])
                return false;
        return true;
    }();
    if (surveyLast) {
        bottomBar(true, "submit", tr("nav.submit_survey"));
    } else {
        bottomBar(true, "next",
                  m_session.returnToReview ? tr("nav.back_to_review") : tr("nav.next"));
    }
}

void Screens::choiceList(const Field& field, float y) {
    struct Item {
        const std::string* id;
        const LocalizedText* label;
        const LocalizedText* description;
    };
    std::vector<Item> items;
    const Answer* current = m_session.answers().get(field.id);
    if (field.type == FieldType::Picker) {
        const Answer* parent =
            field.filterBy.empty() ? nullptr : m_session.answers().get(field.filterBy);
        for (const ListItem& i : field.items) {
            if (!field.filterBy.empty() && (!parent || i.parent != parent->text()))
                continue;
            items.push_back({&i.id, &i.label, nullptr});
        }
    } else {
        for (const Option& option : field.options) {
            items.push_back(
                {&option.id, &option.label, option.description ? &*option.description : nullptr});
        }
    }
    auto isSelected = [&](const std::string& id) {
        if (!current)
            return false;
        if (field.type == FieldType::Multiple) {
            for (const auto& c : current->choices())
                if (std::string_view(c) == id)
                    return true;
            return false;
        }
        return current->text() == id;
    };
    const std::size_t chosen =
        current && field.type == FieldType::Multiple ? current->choices().size() : 0;
    const std::size_t max = field.maxSelections ? field.maxSelections : field.options.size();
    if (field.type == FieldType::Multiple) {
        y += m_toolkit.text(
            ImVec2(m_layout.content.min.x, y),
            LocaleCatalog::format(tr("field.choose_up_to"), {{"n", std::to_string(max)}}),
            TextRole::Small, m_theme.textMuted, m_layout.content.w());
        y += m_layout.padding * 0.3f;
    }
    if (items.empty()) {
        m_toolkit.text(ImVec2(m_layout.content.min.x, y), tr("field.nothing_to_choose"),
                       TextRole::Body, m_theme.textMuted, m_layout.content.w());
        return;
    }
    const bool hasDesc =
        std::any_of(items.begin(), items.end(), [](const Item& i) { return i.description; });
    const int cols = m_toolkit.portrait() ? 1 : (items.size() > 4 ? 2 : 1);
    const float gap = m_metrics.optionGap;
    const float itemHeight = hasDesc ? m_toolkit.touchHeight() * 1.6f : m_toolkit.touchHeight();
    const float pagerHeight = m_toolkit.touchHeight() + gap;
    const float available = m_layout.content.max.y - y;
    int rows = static_cast<int>((available + gap) / (itemHeight + gap));
    const int itemCount = static_cast<int>(items.size());
    int perPage = std::max(1, rows) * cols;
    if (perPage < itemCount) {
        rows = std::max(1, static_cast<int>((available - pagerHeight + gap) / (itemHeight + gap)));
        perPage = rows * cols;
    }
    const int pages = (itemCount + perPage - 1) / perPage;
    const int page = std::min(m_session.listPage, pages - 1);
    const float itemWidth = (m_layout.content.w() - (cols - 1) * gap) / cols;
    for (int slot = 0; slot < perPage && page * perPage + slot < itemCount; ++slot) {
        const Item& item = items[page * perPage + slot];
        const Rect optionRect =
            rectAt(m_layout.content.min.x + (slot % cols) * (itemWidth + gap),
                   y + (slot / cols) * (itemHeight + gap), itemWidth, itemHeight);
        const bool selected = isSelected(*item.id);
        const bool enabled = field.type != FieldType::Multiple || selected || chosen < max;
        m_frame.speech.push_back(localized(*item.label));
        if (m_toolkit.button("option:" + *item.id, optionRect, localized(*item.label),
                             ButtonStyle::Option, enabled, selected,
                             item.description ? std::string_view(localized(*item.description))
                                              : std::string_view())) {
            if (field.type == FieldType::Multiple)
                m_flow.toggleOption(*item.id, m_unixTime);
            else
                m_flow.chooseOption(*item.id, m_unixTime);
        }
    }
    listPager(page, pages, true);
}

void Screens::scale(const Field& field, float y) {
    const Answer* answer = m_session.answers().get(field.id);
    const int chosenValue = answer ? static_cast<int>(answer->integer()) : 0;
    const float gap = m_metrics.faceGap;
    const float cardWidth = (m_layout.content.w() - 4 * gap) / 5;
    const float cardHeight = std::min(cardWidth * 1.25f, (m_layout.content.max.y - y) * 0.8f);
    const float radius = std::min(cardWidth, cardHeight) * 0.33f;
    static constexpr const char* kFaceKeys[] = {"scale.1", "scale.2", "scale.3", "scale.4",
                                                "scale.5"};
    const ImU32 fills[] = {IM_COL32(232, 120, 110, 255), IM_COL32(240, 170, 110, 255),
                           IM_COL32(240, 215, 120, 255), IM_COL32(170, 210, 120, 255),
                           IM_COL32(110, 190, 120, 255)};
    for (int value = 1; value <= 5; ++value) {
        const Rect card = rectAt(m_layout.content.min.x + (value - 1) * (cardWidth + gap), y,
                                 cardWidth, cardHeight);
        bool held = false;
        const bool selected = chosenValue == value;
        m_frame.speech.push_back(tr(kFaceKeys[value - 1]));
        const bool tapped = m_toolkit.hitArea("scale:" + std::to_string(value), card,
                                              tr(kFaceKeys[value - 1]), true, &held);
        cardFrame(card, selected, held, m_metrics.faceRounding);
        ImDrawList* drawList = m_toolkit.draw();
        drawFace(drawList, ImVec2(card.min.x + cardWidth * 0.5f, card.min.y + radius + gap), radius,
                 value, fills[value - 1], IM_COL32(40, 40, 40, 255));
        m_toolkit.text(ImVec2(card.min.x + gap * 0.5f, card.min.y + 2 * radius + 2 * gap),
                       tr(kFaceKeys[value - 1]), TextRole::Body,
                       selected ? m_theme.selectedText : m_theme.text, cardWidth - gap, true);
        if (tapped)
            m_flow.setScale(value, m_unixTime);
    }
    const float labelY = y + cardHeight + gap;
    if (field.lowLabel) {
        m_toolkit.text(ImVec2(m_layout.content.min.x, labelY), "1 = " + localized(*field.lowLabel),
                       TextRole::Small, m_theme.textMuted, m_layout.content.w() * 0.45f);
    }
    if (field.highLabel) {
        const float labelWidth = m_layout.content.w() * 0.45f;
        m_toolkit.text(ImVec2(m_layout.content.max.x - labelWidth, labelY),
                       "5 = " + localized(*field.highLabel), TextRole::Small, m_theme.textMuted,
                       labelWidth);
    }
}

void Screens::textEntry(const Field& field, float y) {
    const Answer* answer = m_session.answers().get(field.id);
    const std::string_view value = answer ? answer->text() : std::string_view();
    const bool multiline = field.type == FieldType::Text && field.multiline;
    const float textSize = m_toolkit.size(TextRole::Body);
    const float lines = multiline ? 3 : 1;
    const float pad = m_metrics.fieldPadding;
    const float boxHeight = lines * textSize * 1.3f + 2 * pad;
    const float clearWidth = m_metrics.sideButtonWidth;
    // The pad writes characters, not digits; it is there when the handwriting model is.
    const bool canWrite = field.type == FieldType::Text && m_flow.handwritingAvailable();
    const float handwritingWidth = canWrite ? clearWidth + pad : 0;
    const Rect box = rectAt(m_layout.content.min.x, y,
                            m_layout.content.w() - clearWidth - pad - handwritingWidth, boxHeight);
    ImDrawList* drawList = m_toolkit.draw();
    drawList->AddRectFilled(box.min, box.max, m_theme.surface, m_metrics.panelRounding);
    drawList->AddRect(box.min, box.max, m_theme.accent, m_metrics.panelRounding, 0,
                      m_metrics.borderWidth);
    // Show the end of the text (where the caret is) when it is longer than the box.
    const float innerWidth = box.w() - 2 * pad;
    auto all = m_toolkit.wrap(value, textSize, innerWidth);
    const std::size_t first = all.size() > lines ? all.size() - static_cast<std::size_t>(lines) : 0;
    float ty = box.min.y + pad;
    float caretX = box.min.x + pad;
    float caretY = ty;
    drawList->PushClipRect(box.min, box.max, true);
    if (value.empty() && m_session.inputMethod().preedit().empty()) {
        m_toolkit.text(ImVec2(box.min.x + pad, ty), tr("field.type_here"), TextRole::Body,
                       m_theme.textMuted, innerWidth);
    }
    for (std::size_t i = first; i < all.size() && !value.empty(); ++i) {
        m_toolkit.text(ImVec2(box.min.x + pad, ty), all[i], TextRole::Body, m_theme.text,
                       innerWidth + textSize);
        caretY = ty;
        caretX = box.min.x + pad + m_toolkit.measure(all[i], textSize, 1e9f).x;
        ty += textSize * 1.3f;
    }
    // The pinyin being composed, underlined at the caret (it is not in the field yet).
    if (const std::string_view pre = m_session.inputMethod().preedit(); !pre.empty()) {
        const float pw = m_toolkit.measure(pre, textSize, 1e9f).x;
        m_toolkit.text(ImVec2(caretX + m_metrics.preeditGap, caretY), pre, TextRole::Body,
                       m_theme.accent, pw + textSize);
        drawList->AddRectFilled(ImVec2(caretX + m_metrics.preeditGap, caretY + textSize * 1.2f),
                                ImVec2(caretX + m_metrics.preeditGap + pw,
                                       caretY + textSize * 1.2f + m_metrics.preeditUnderline),
                                m_theme.accent);
        caretX += pw + m_metrics.preeditGap;
    }
    // The input-method helper was lost and restarted (ime_client.hpp): say what was lost.
    if (m_session.inputMethod().interrupted()) {
        m_toolkit.text(ImVec2(box.min.x + pad, box.max.y - pad - textSize * 1.2f),
                       tr("field.ime_restarted"), TextRole::Body, m_theme.danger, innerWidth);
    }
    if (m_frame.caretOn) {
        drawList->AddRectFilled(ImVec2(caretX + 2, caretY + textSize * 0.1f),
                                ImVec2(caretX + 2 + m_metrics.caretWidth, caretY + textSize * 1.2f),
                                m_theme.accent);
    }
    m_frame.wantsBlink = true;
    drawList->PopClipRect();
    if (m_toolkit.button(
            "clear",
            rectAt(box.max.x + pad, y, clearWidth,
                   std::max(m_toolkit.touchHeight(), std::min(boxHeight, m_toolkit.touchHeight()))),
            tr("field.clear"), ButtonStyle::Secondary, !value.empty()))
        m_flow.clearText(m_unixTime);
    if (canWrite &&
        m_toolkit.button(
            "key:handwriting",
            rectAt(box.max.x + pad + clearWidth + pad, y, clearWidth,
                   std::max(m_toolkit.touchHeight(), std::min(boxHeight, m_toolkit.touchHeight()))),
            tr(m_session.handwritingOpen ? "field.keyboard" : "field.handwriting"),
            ButtonStyle::Option, true, m_session.handwritingOpen))
        m_flow.toggleHandwriting(m_unixTime);
    // Length counter for long texts, so nobody types past the limit without knowing.
    if (field.type == FieldType::Text && field.maxLength >= 100) {
        std::size_t n = 0;
        for (std::size_t i = 0; i < value.size();) {
            nextCodePoint(value, i);
            ++n;
        }
        m_toolkit.text(
            ImVec2(box.max.x + pad, y +
                                        std::max(m_toolkit.touchHeight(),
                                                 std::min(boxHeight, m_toolkit.touchHeight())) +
                                        pad),
            std::to_string(n) + " / " + std::to_string(field.maxLength), TextRole::Small,
            m_theme.textMuted, clearWidth);
    }
    y += boxHeight + m_layout.padding * 0.5f;
    const Rect area =
        rectAt(m_layout.content.min.x, y, m_layout.content.w(), m_layout.content.max.y - y);
    if (canWrite && m_session.handwritingOpen) {
        drawHandwritingPad(m_toolkit, m_flow, m_frame, area);
        return;
    }
    switch (field.type) {
    case FieldType::Phone:
    case FieldType::Date:
        NumberPad(m_toolkit, m_flow, m_unixTime).draw(area, "-");
        break;
    case FieldType::Time:
        NumberPad(m_toolkit, m_flow, m_unixTime).draw(area, ":");
        break;
    default:
        OnScreenKeyboard(m_toolkit, m_flow, m_unixTime).draw(area, multiline);
        break;
    }
}

} // namespace minsheng::kiosk::ui
