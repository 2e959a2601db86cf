#include "kiosk/ui/screens.hpp"

#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/validation.hpp"
#include "kiosk/ui/handwriting_pad.hpp"
#include "kiosk/ui/icons.hpp"
#include "kiosk/ui/keyboard_layout.hpp"

#include <qrencode.h>
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace minsheng::kiosk::ui {

namespace {

using L = LocaleCatalog;

struct Layout {
    Rect top, content, bottom;
    float pad = 0;
};

Rect rect(float x, float y, float w, float h) {
    return Rect{ImVec2(x, y), ImVec2(x + w, y + h)};
}

/// A date as parents read it, in the kiosk's configured offset from UTC (not the system's zone).
std::string formatDate(std::int64_t unix, int utcOffsetHours) {
    if (unix <= 0) {
        return "-";
    }
    std::time_t t = static_cast<std::time_t>(unix + std::int64_t{utcOffsetHours} * 3600);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::string formatBytes(std::uint64_t b) {
    char buf[32];
    if (b >= (1ull << 30)) {
        std::snprintf(buf, sizeof(buf), "%.1f GiB", static_cast<double>(b) / (1ull << 30));
    } else {
        std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(b) / (1ull << 20));
    }
    return buf;
}

class Screens {
public:
    Screens(Ui& ui, KioskFlow& flow, FrameState& fs)
        : ui(ui), flow(flow), fs(fs), s(flow.session()), t(ui.theme()), now(fs.now) {}

    void draw();

private:
    Ui& ui;
    KioskFlow& flow;
    FrameState& fs;
    const Session& s;
    const Theme& t;
    std::int64_t now;
    Layout lay;

    const std::string& tr(std::string_view k) const { return ui.tr(k); }
    const std::string& loc(const LocalizedText& x) const { return x.get(s.locale); }

    Layout layout(bool withBottom) const;
    void topBar();
    void progress();
    void bottomNav(bool showBack, std::string_view nextId, std::string_view nextLabel,
                   bool nextEnabled = true);
    float heading(const std::string& text, float y, bool withHelp);
    void helpPanel(const Field& f, float& y);
    void errorLine(float& y);

    void home();
    void category();
    void fieldScreen();
    void choiceList(const Field& f, float y);
    void scale(const Field& f, float y);
    void textEntry(const Field& f, float y);
    void keyboard(const Rect& area, bool multiline);
    void candidateBar(const Rect& bar);
    void numberPad(const Rect& area, std::string_view extra);
    void privacy();
    void review();
    void saving();
    void receipt();
    void surveyThanks();
    void surveyWait();
    void lookupEntry();
    void scannedCode();
    void lookupWaiting();
    void lookupResult();
    void rules();
    void trouble();
    void staffPin();
    void staffHealth();
    void idleOverlay(std::int64_t left);
    void staffCorner();
    std::string answerText(const Field& f) const;
    void hotlineLine(float y, float width);
};

Layout Screens::layout(bool withBottom) const {
    Layout l;
    const ImVec2 d = ui.display();
    l.pad = std::round(32 * ui.u());
    const float topH = ui.touchHeight() + 2 * std::round(12 * ui.u());
    const float bottomH = withBottom ? ui.touchHeight() + 2 * std::round(16 * ui.u()) : 0;
    l.top = rect(0, 0, d.x, topH);
    l.bottom = rect(0, d.y - bottomH, d.x, bottomH);
    l.content = rect(l.pad, topH + l.pad * 0.5f, d.x - 2 * l.pad, d.y - topH - bottomH - l.pad);
    return l;
}

void Screens::topBar() {
    ImDrawList* dl = ui.draw();
    dl->AddRectFilled(lay.top.min, lay.top.max, t.surfaceAlt);
    const float h = ui.touchHeight();
    const float y = lay.top.min.y + (lay.top.h() - h) * 0.5f;
    const float gap = std::round(12 * ui.u());
    // Right to left: 重新开始, 高对比, 大字, 中/EN.
    float x = lay.top.max.x - lay.pad;
    auto place = [&](float w) {
        x -= w;
        Rect r = rect(x, y, w, h);
        x -= gap;
        return r;
    };
    const float wide = std::round((ui.portrait() ? 200 : 240) * ui.u());
    const float narrow = std::round((ui.portrait() ? 150 : 170) * ui.u());
    const bool canLeave = s.screen != Screen::Receipt || s.receiptNoted;
    if (ui.button("start_over", place(wide), tr("top.start_over"), ButtonStyle::Secondary,
                  canLeave)) {
        flow.startOver(now);
    }
    if (ui.button("contrast", place(narrow), tr("top.contrast"), ButtonStyle::Option, true,
                  s.highContrast)) {
        flow.toggleHighContrast(now);
    }
    if (ui.button("large_text", place(narrow), tr("top.large_text"), ButtonStyle::Option, true,
                  s.largeText)) {
        flow.toggleLargeText(now);
    }
    if (ui.button("locale", place(narrow), tr("top.other_language"), ButtonStyle::Quiet)) {
        flow.setLocale(s.locale == kLocaleEn ? kLocaleZh : kLocaleEn, now);
    }
    if (ui.button("speak", place(narrow), tr("top.read_aloud"), ButtonStyle::Option, true,
                  s.readAloud)) {
        flow.toggleReadAloud(now); // the window reads the screen, or stops (FrameState::speech)
        fs.speakToggled = true;
    }
    // The brand on the left, small and neutral.
    const float textW = x - lay.pad - gap;
    if (textW > 100) {
        const float ts = ui.size(TextRole::Body);
        ui.text(ImVec2(lay.pad, lay.top.min.y + (lay.top.h() - ts * 1.3f) * 0.5f), tr("top.brand"),
                TextRole::Body, t.text, textW);
    }
}

void Screens::staffCorner() {
    // The hidden staff entrance: a long press on the top-left corner. It looks like nothing
    // and a tap does nothing; holding it for three seconds opens the PIN pad.
    const float side = std::round(110 * ui.u());
    bool held = false;
    ui.hitArea("staff.corner", rect(0, 0, side, side), "", true, &held);
    if (held) {
        if (fs.cornerHeldSince < 0) {
            fs.cornerHeldSince = fs.time;
        }
        if (fs.time - fs.cornerHeldSince >= kStaffLongPressSeconds) {
            fs.cornerHeldSince = -1;
            flow.openStaff(now);
        } else {
            fs.wakeAt = fs.cornerHeldSince + kStaffLongPressSeconds;
        }
    } else {
        fs.cornerHeldSince = -1;
    }
}

void Screens::progress() {
    const auto st = flow.step();
    if (st.count == 0) {
        return;
    }
    const std::string text = L::format(
        tr("flow.step"), {{"n", std::to_string(st.index)}, {"total", std::to_string(st.count)}});
    const float w = lay.bottom.w() * 0.3f;
    const float ts = ui.size(TextRole::Body);
    ui.text(ImVec2(lay.bottom.min.x + (lay.bottom.w() - w) * 0.5f,
                   lay.bottom.min.y + (lay.bottom.h() - ts * 1.3f) * 0.5f),
            text, TextRole::Body, t.textMuted, w, true);
}

void Screens::bottomNav(bool showBack, std::string_view nextId, std::string_view nextLabel,
                        bool nextEnabled) {
    ImDrawList* dl = ui.draw();
    dl->AddRectFilled(lay.bottom.min, lay.bottom.max, t.surfaceAlt);
    const float h = ui.touchHeight();
    const float y = lay.bottom.min.y + (lay.bottom.h() - h) * 0.5f;
    const float w = std::round((ui.portrait() ? 260 : 320) * ui.u());
    if (showBack &&
        ui.button("back", rect(lay.pad, y, w, h), tr("nav.back"), ButtonStyle::Secondary)) {
        flow.back(now);
    }
    if (!nextId.empty()) {
        if (ui.button(nextId, rect(lay.bottom.max.x - lay.pad - w, y, w, h), nextLabel,
                      ButtonStyle::Primary, nextEnabled)) {
            if (nextId == "next") {
                flow.next(now);
            } else if (nextId == "submit") {
                flow.submit(now);
            } else if (nextId == "finish") {
                flow.finish(now);
            } else if (nextId == "lookup.go") {
                flow.lookup(now);
            } else if (nextId == "staff.ok") {
                flow.submitStaffPin(now);
            }
        }
    }
    progress();
}

float Screens::heading(const std::string& text, float y, bool withHelp) {
    const float helpW = withHelp ? std::round(200 * ui.u()) : 0;
    const float w = lay.content.w() - (withHelp ? helpW + lay.pad : 0);
    const float h = ui.text(ImVec2(lay.content.min.x, y), text, TextRole::Heading, t.text, w);
    fs.speech.push_back(text);
    if (withHelp) {
        const float bh = ui.touchHeight();
        if (ui.button("help", rect(lay.content.max.x - helpW, y, helpW, bh), tr("field.help"),
                      ButtonStyle::Option, true, s.helpOpen)) {
            flow.toggleHelp(now);
        }
        return y + std::max(h, bh) + lay.pad * 0.5f;
    }
    return y + h + lay.pad * 0.5f;
}

void Screens::helpPanel(const Field& f, float& y) {
    if (!s.helpOpen || !f.help) {
        return;
    }
    const float pad = lay.pad * 0.5f;
    const float w = lay.content.w() - 2 * pad;
    const float h = ui.measure(loc(*f.help), ui.size(TextRole::Body), w).y;
    ui.draw()->AddRectFilled(ImVec2(lay.content.min.x, y),
                             ImVec2(lay.content.max.x, y + h + 2 * pad), t.surfaceAlt, 10 * ui.u());
    ui.text(ImVec2(lay.content.min.x + pad, y + pad), loc(*f.help), TextRole::Body, t.text, w);
    y += h + 2 * pad + lay.pad * 0.5f;
}

void Screens::errorLine(float& y) {
    if (!s.fieldError) {
        return;
    }
    y += ui.text(ImVec2(lay.content.min.x, y), loc(*s.fieldError), TextRole::Body, t.danger,
                 lay.content.w()) +
         lay.pad * 0.3f;
}

void Screens::hotlineLine(float y, float width) {
    std::string line = L::format(tr("home.hotline"), {{"hotline", flow.config().hotline}});
    if (!flow.config().mailbox.empty()) {
        line += "\n" + L::format(tr("home.mailbox"), {{"mailbox", flow.config().mailbox}});
    }
    ui.text(ImVec2(lay.content.min.x, y), line, TextRole::Body, t.text, width);
}

// ---- home -------------------------------------------------------------------------------------

void Screens::home() {
    lay = layout(false);
    float y = lay.content.min.y + lay.pad * 0.5f;
    y += ui.text(ImVec2(lay.content.min.x, y), tr("home.title"), TextRole::Title, t.text,
                 lay.content.w(), true);
    fs.speech.push_back(tr("home.title"));
    y += ui.text(ImVec2(lay.content.min.x, y),
                 L::format(tr("home.where"),
                           {{"name", flow.config().name}, {"location", flow.config().location}}),
                 TextRole::Body, t.textMuted, lay.content.w(), true);
    y += lay.pad;
    struct Action {
        const char* id;
        const char* label;
        const char* sub;
    };
    const Action actions[] = {{"home.report", "home.report", "home.report_sub"},
                              {"home.survey", "home.survey", "home.survey_sub"},
                              {"home.lookup", "home.lookup", "home.lookup_sub"}};
    const float gap = lay.pad;
    const float bottomBlock = ui.touchHeight() + ui.size(TextRole::Body) * 3.2f + 2 * gap;
    const float avail = lay.content.max.y - y - bottomBlock;
    for (int i = 0; i < 3; ++i) {
        Rect r;
        if (ui.portrait()) {
            const float h = std::min((avail - 2 * gap) / 3, 420 * ui.u());
            r = rect(lay.content.min.x, y + i * (h + gap), lay.content.w(), h);
        } else {
            const float w = (lay.content.w() - 2 * gap) / 3;
            r = rect(lay.content.min.x + i * (w + gap), y, w, std::min(avail, 460 * ui.u()));
        }
        fs.speech.push_back(tr(actions[i].label));
        if (ui.button(actions[i].id, r, tr(actions[i].label), ButtonStyle::Primary, true, false,
                      tr(actions[i].sub), TextRole::Heading)) {
            if (i == 0) {
                flow.startReport(now);
            } else if (i == 1) {
                flow.startSurvey(now);
            } else {
                flow.startLookup(now);
            }
        }
    }
    y = lay.content.max.y - bottomBlock + gap;
    const float rw = std::round(360 * ui.u());
    if (ui.button("home.rules", rect(lay.content.min.x, y, rw, ui.touchHeight()), tr("home.rules"),
                  ButtonStyle::Secondary)) {
        flow.openRules(now);
    }
    y += ui.touchHeight() + gap * 0.5f;
    hotlineLine(y, lay.content.w());
}

// ---- report: category ------------------------------------------------------------------------

void Screens::category() {
    lay = layout(true);
    const Field& f = flow.categoryField();
    float y = heading(loc(f.label), lay.content.min.y, f.help.has_value());
    helpPanel(f, y);
    const int cols = ui.portrait() ? 2 : 3;
    const float gap = std::round(16 * ui.u());
    const int n = static_cast<int>(f.options.size());
    const float pagerH = ui.touchHeight() + gap;
    float avail = lay.content.max.y - y;
    const float minH = std::max(ui.touchHeight() * 1.45f, ui.size(TextRole::Button) * 3.2f);
    int rows = (n + cols - 1) / cols;
    int perPage = n;
    if (avail / rows - gap < minH) {
        rows = std::max(1, static_cast<int>((avail - pagerH) / (minH + gap)));
        perPage = rows * cols;
    }
    const int pages = (n + perPage - 1) / perPage;
    const int page = std::min(s.listPage, pages - 1);
    const float usable = avail - (pages > 1 ? pagerH : 0);
    const float h = std::min(usable / rows - gap, 260 * ui.u());
    const float w = (lay.content.w() - (cols - 1) * gap) / cols;
    const Answer* current = s.answers().get(f.id);
    for (int k = 0; k < perPage && page * perPage + k < n; ++k) {
        const Option& o = f.options[page * perPage + k];
        const Rect r =
            rect(lay.content.min.x + (k % cols) * (w + gap), y + (k / cols) * (h + gap), w, h);
        const bool sel = current && current->text() == o.id;
        bool held = false;
        const std::string id = "category:" + o.id;
        fs.speech.push_back(loc(o.label));
        const bool tapped = ui.hitArea(id, r, loc(o.label), true, &held);
        ImDrawList* dl = ui.draw();
        dl->AddRectFilled(r.min, r.max, sel ? t.selected : t.surface, 14 * ui.u());
        dl->AddRect(r.min, r.max, sel ? t.selected : t.border, 14 * ui.u(), 0, 3 * ui.u());
        if (held) {
            dl->AddRectFilled(r.min, r.max, IM_COL32(0, 0, 0, 50), 14 * ui.u());
        }
        const float icon = std::min(h - 2 * gap, 110 * ui.u());
        drawIcon(dl, o.icon, ImVec2(r.min.x + gap, r.min.y + (h - icon) * 0.5f), icon,
                 sel ? t.selectedText : t.accent);
        const float tx = r.min.x + icon + 2 * gap;
        const float tw = r.max.x - tx - gap;
        dl->PushClipRect(r.min, r.max, true);
        float ty = r.min.y + gap;
        ty += ui.text(ImVec2(tx, ty), loc(o.label), TextRole::Button, sel ? t.selectedText : t.text,
                      tw);
        if (o.description) {
            // One line of the description: the rest is for the help panel, not a wall of text.
            const auto lines = ui.wrap(loc(*o.description), ui.size(TextRole::Small), tw);
            std::string first(lines.front());
            if (lines.size() > 1) {
                first += "…";
            }
            ui.text(ImVec2(tx, ty), first, TextRole::Small, sel ? t.selectedText : t.textMuted, tw);
        }
        dl->PopClipRect();
        if (tapped) {
            flow.chooseCategory(o.id, now);
        }
    }
    if (pages > 1) {
        const float py = lay.content.max.y - ui.touchHeight();
        const float pw = std::round(260 * ui.u());
        if (ui.button("list.prev", rect(lay.content.min.x, py, pw, ui.touchHeight()),
                      tr("list.prev"), ButtonStyle::Secondary, page > 0)) {
            flow.changeListPage(-1, now);
        }
        if (ui.button("list.next", rect(lay.content.max.x - pw, py, pw, ui.touchHeight()),
                      tr("list.next"), ButtonStyle::Secondary, page + 1 < pages)) {
            flow.changeListPage(1, now);
        }
        ui.text(ImVec2(lay.content.min.x + pw, py + 10 * ui.u()),
                L::format(tr("list.page"),
                          {{"n", std::to_string(page + 1)}, {"total", std::to_string(pages)}}),
                TextRole::Body, t.textMuted, lay.content.w() - 2 * pw, true);
    }
    bottomNav(true, {}, {});
}

// ---- report and survey: one field ------------------------------------------------------------

void Screens::fieldScreen() {
    lay = layout(true);
    const Field* f = flow.field();
    if (!f) {
        bottomNav(true, {}, {});
        return;
    }
    float y = heading(loc(f->label), lay.content.min.y, f->help.has_value());
    helpPanel(*f, y);
    errorLine(y);
    switch (f->type) {
    case FieldType::Single:
    case FieldType::Multiple:
    case FieldType::Picker:
        choiceList(*f, y);
        break;
    case FieldType::Scale:
        scale(*f, y);
        break;
    default:
        textEntry(*f, y);
        break;
    }
    const bool surveyLast = s.journey == Journey::Survey && [&] {
        const auto vis = visibleFields(*flow.form(), s.answers());
        for (std::size_t i = s.fieldIndex + 1; i < vis.size(); ++i) {
            if (vis[i]) {
                return false;
            }
        }
        return true;
    }();
    if (surveyLast) {
        bottomNav(true, "submit", tr("nav.submit_survey"));
    } else {
        bottomNav(true, "next", s.returnToReview ? tr("nav.back_to_review") : tr("nav.next"));
    }
}

void Screens::choiceList(const Field& f, float y) {
    struct Item {
        const std::string* id;
        const LocalizedText* label;
        const LocalizedText* description;
    };
    std::vector<Item> items;
    const Answer* current = s.answers().get(f.id);
    if (f.type == FieldType::Picker) {
        const Answer* parent = f.filterBy.empty() ? nullptr : s.answers().get(f.filterBy);
        for (const ListItem& i : f.items) {
            if (!f.filterBy.empty() && (!parent || i.parent != parent->text())) {
                continue;
            }
            items.push_back({&i.id, &i.label, nullptr});
        }
    } else {
        for (const Option& o : f.options) {
            items.push_back({&o.id, &o.label, o.description ? &*o.description : nullptr});
        }
    }
    auto isSelected = [&](const std::string& id) {
        if (!current) {
            return false;
        }
        if (f.type == FieldType::Multiple) {
            for (const auto& c : current->choices()) {
                if (std::string_view(c) == id) {
                    return true;
                }
            }
            return false;
        }
        return current->text() == id;
    };
    const std::size_t chosen =
        current && f.type == FieldType::Multiple ? current->choices().size() : 0;
    const std::size_t max = f.maxSelections ? f.maxSelections : f.options.size();
    if (f.type == FieldType::Multiple) {
        y += ui.text(ImVec2(lay.content.min.x, y),
                     L::format(tr("field.choose_up_to"), {{"n", std::to_string(max)}}),
                     TextRole::Small, t.textMuted, lay.content.w());
        y += lay.pad * 0.3f;
    }
    if (items.empty()) {
        ui.text(ImVec2(lay.content.min.x, y), tr("field.nothing_to_choose"), TextRole::Body,
                t.textMuted, lay.content.w());
        return;
    }
    const bool hasDesc =
        std::any_of(items.begin(), items.end(), [](const Item& i) { return i.description; });
    const int cols = ui.portrait() ? 1 : (items.size() > 4 ? 2 : 1);
    const float gap = std::round(14 * ui.u());
    const float itemH = hasDesc ? ui.touchHeight() * 1.6f : ui.touchHeight();
    const float pagerH = ui.touchHeight() + gap;
    const float avail = lay.content.max.y - y;
    int rows = static_cast<int>((avail + gap) / (itemH + gap));
    const int n = static_cast<int>(items.size());
    int perPage = std::max(1, rows) * cols;
    if (perPage < n) {
        rows = std::max(1, static_cast<int>((avail - pagerH + gap) / (itemH + gap)));
        perPage = rows * cols;
    }
    const int pages = (n + perPage - 1) / perPage;
    const int page = std::min(s.listPage, pages - 1);
    const float w = (lay.content.w() - (cols - 1) * gap) / cols;
    for (int k = 0; k < perPage && page * perPage + k < n; ++k) {
        const Item& it = items[page * perPage + k];
        const Rect r = rect(lay.content.min.x + (k % cols) * (w + gap),
                            y + (k / cols) * (itemH + gap), w, itemH);
        const bool sel = isSelected(*it.id);
        const bool enabled = f.type != FieldType::Multiple || sel || chosen < max;
        fs.speech.push_back(loc(*it.label));
        if (ui.button("option:" + *it.id, r, loc(*it.label), ButtonStyle::Option, enabled, sel,
                      it.description ? std::string_view(loc(*it.description))
                                     : std::string_view())) {
            if (f.type == FieldType::Multiple) {
                flow.toggleOption(*it.id, now);
            } else {
                flow.chooseOption(*it.id, now);
            }
        }
    }
    if (pages > 1) {
        const float py = lay.content.max.y - ui.touchHeight();
        const float pw = std::round(260 * ui.u());
        if (ui.button("list.prev", rect(lay.content.min.x, py, pw, ui.touchHeight()),
                      tr("list.prev"), ButtonStyle::Secondary, page > 0)) {
            flow.changeListPage(-1, now);
        }
        if (ui.button("list.next", rect(lay.content.max.x - pw, py, pw, ui.touchHeight()),
                      tr("list.next"), ButtonStyle::Secondary, page + 1 < pages)) {
            flow.changeListPage(1, now);
        }
        ui.text(ImVec2(lay.content.min.x + pw, py + 10 * ui.u()),
                L::format(tr("list.page"),
                          {{"n", std::to_string(page + 1)}, {"total", std::to_string(pages)}}),
                TextRole::Body, t.textMuted, lay.content.w() - 2 * pw, true);
    }
}

void Screens::scale(const Field& f, float y) {
    const Answer* a = s.answers().get(f.id);
    const int value = a ? static_cast<int>(a->integer()) : 0;
    const float gap = std::round(20 * ui.u());
    const float w = (lay.content.w() - 4 * gap) / 5;
    const float h = std::min(w * 1.25f, (lay.content.max.y - y) * 0.8f);
    const float radius = std::min(w, h) * 0.33f;
    static constexpr const char* kFaceKeys[] = {"scale.1", "scale.2", "scale.3", "scale.4",
                                                "scale.5"};
    const ImU32 fills[] = {IM_COL32(232, 120, 110, 255), IM_COL32(240, 170, 110, 255),
                           IM_COL32(240, 215, 120, 255), IM_COL32(170, 210, 120, 255),
                           IM_COL32(110, 190, 120, 255)};
    for (int v = 1; v <= 5; ++v) {
        const Rect r = rect(lay.content.min.x + (v - 1) * (w + gap), y, w, h);
        bool held = false;
        const bool sel = value == v;
        fs.speech.push_back(tr(kFaceKeys[v - 1]));
        const bool tapped =
            ui.hitArea("scale:" + std::to_string(v), r, tr(kFaceKeys[v - 1]), true, &held);
        ImDrawList* dl = ui.draw();
        dl->AddRectFilled(r.min, r.max, sel ? t.selected : t.surface, 16 * ui.u());
        dl->AddRect(r.min, r.max, sel ? t.selected : t.border, 16 * ui.u(), 0, 3 * ui.u());
        if (held) {
            dl->AddRectFilled(r.min, r.max, IM_COL32(0, 0, 0, 50), 16 * ui.u());
        }
        drawFace(dl, ImVec2(r.min.x + w * 0.5f, r.min.y + radius + gap), radius, v, fills[v - 1],
                 IM_COL32(40, 40, 40, 255));
        ui.text(ImVec2(r.min.x + gap * 0.5f, r.min.y + 2 * radius + 2 * gap), tr(kFaceKeys[v - 1]),
                TextRole::Body, sel ? t.selectedText : t.text, w - gap, true);
        if (tapped) {
            flow.setScale(v, now);
        }
    }
    const float ly = y + h + gap;
    if (f.lowLabel) {
        ui.text(ImVec2(lay.content.min.x, ly), "1 = " + loc(*f.lowLabel), TextRole::Small,
                t.textMuted, lay.content.w() * 0.45f);
    }
    if (f.highLabel) {
        const float hw = lay.content.w() * 0.45f;
        ui.text(ImVec2(lay.content.max.x - hw, ly), "5 = " + loc(*f.highLabel), TextRole::Small,
                t.textMuted, hw);
    }
}

void Screens::textEntry(const Field& f, float y) {
    const Answer* a = s.answers().get(f.id);
    const std::string_view value = a ? a->text() : std::string_view();
    const bool multiline = f.type == FieldType::Text && f.multiline;
    const float ts = ui.size(TextRole::Body);
    const float lines = multiline ? 3 : 1;
    const float pad = std::round(16 * ui.u());
    const float boxH = lines * ts * 1.3f + 2 * pad;
    const float clearW = std::round(200 * ui.u());
    // The pad writes characters, not digits; it is there when the handwriting model is.
    const bool canWrite = f.type == FieldType::Text && flow.handwritingAvailable();
    const float hwW = canWrite ? clearW + pad : 0;
    const Rect box = rect(lay.content.min.x, y, lay.content.w() - clearW - pad - hwW, boxH);
    ImDrawList* dl = ui.draw();
    dl->AddRectFilled(box.min, box.max, t.surface, 10 * ui.u());
    dl->AddRect(box.min, box.max, t.accent, 10 * ui.u(), 0, 3 * ui.u());
    // Show the end of the text (where the caret is) when it is longer than the box.
    const float innerW = box.w() - 2 * pad;
    auto all = ui.wrap(value, ts, innerW);
    const std::size_t first = all.size() > lines ? all.size() - static_cast<std::size_t>(lines) : 0;
    float ty = box.min.y + pad;
    float caretX = box.min.x + pad;
    float caretY = ty;
    dl->PushClipRect(box.min, box.max, true);
    if (value.empty() && s.inputMethod().preedit().empty()) {
        ui.text(ImVec2(box.min.x + pad, ty), tr("field.type_here"), TextRole::Body, t.textMuted,
                innerW);
    }
    for (std::size_t i = first; i < all.size() && !value.empty(); ++i) {
        ui.text(ImVec2(box.min.x + pad, ty), all[i], TextRole::Body, t.text, innerW + ts);
        caretY = ty;
        caretX = box.min.x + pad + ui.measure(all[i], ts, 1e9f).x;
        ty += ts * 1.3f;
    }
    // The pinyin being composed, underlined at the caret (it is not in the field yet).
    if (const std::string_view pre = s.inputMethod().preedit(); !pre.empty()) {
        const float pw = ui.measure(pre, ts, 1e9f).x;
        ui.text(ImVec2(caretX + 4 * ui.u(), caretY), pre, TextRole::Body, t.accent, pw + ts);
        dl->AddRectFilled(ImVec2(caretX + 4 * ui.u(), caretY + ts * 1.2f),
                          ImVec2(caretX + 4 * ui.u() + pw, caretY + ts * 1.2f + 2 * ui.u()),
                          t.accent);
        caretX += pw + 4 * ui.u();
    }
    if (fs.caretOn) {
        dl->AddRectFilled(ImVec2(caretX + 2, caretY + ts * 0.1f),
                          ImVec2(caretX + 2 + 3 * ui.u(), caretY + ts * 1.2f), t.accent);
    }
    fs.wantsBlink = true;
    dl->PopClipRect();
    if (ui.button("clear",
                  rect(box.max.x + pad, y, clearW,
                       std::max(ui.touchHeight(), std::min(boxH, ui.touchHeight()))),
                  tr("field.clear"), ButtonStyle::Secondary, !value.empty())) {
        flow.clearText(now);
    }
    if (canWrite && ui.button("key:handwriting",
                              rect(box.max.x + pad + clearW + pad, y, clearW,
                                   std::max(ui.touchHeight(), std::min(boxH, ui.touchHeight()))),
                              tr(s.handwritingOpen ? "field.keyboard" : "field.handwriting"),
                              ButtonStyle::Option, true, s.handwritingOpen)) {
        flow.toggleHandwriting(now);
    }
    // Length counter for long texts, so nobody types past the limit without knowing.
    if (f.type == FieldType::Text && f.maxLength >= 100) {
        std::size_t n = 0;
        for (std::size_t i = 0; i < value.size();) {
            nextCodePoint(value, i);
            ++n;
        }
        ui.text(ImVec2(box.max.x + pad,
                       y + std::max(ui.touchHeight(), std::min(boxH, ui.touchHeight())) + pad),
                std::to_string(n) + " / " + std::to_string(f.maxLength), TextRole::Small,
                t.textMuted, clearW);
    }
    y += boxH + lay.pad * 0.5f;
    const Rect area = rect(lay.content.min.x, y, lay.content.w(), lay.content.max.y - y);
    if (canWrite && s.handwritingOpen) {
        drawHandwritingPad(ui, flow, fs, area);
        return;
    }
    switch (f.type) {
    case FieldType::Phone:
    case FieldType::Date:
        numberPad(area, "-");
        break;
    case FieldType::Time:
        numberPad(area, ":");
        break;
    default:
        keyboard(area, multiline);
        break;
    }
}

void Screens::candidateBar(const Rect& bar) {
    // Candidates of the pinyin being composed, in pages that fit the bar; `cand:<index>` is the
    // index in the input method's list. The first one is what space would commit.
    const InputMethod& ime = s.inputMethod();
    const float gap = std::round(8 * ui.u());
    const float arrowW = std::max(64.0f, bar.h());
    const float avail = bar.w() - 2 * (arrowW + gap);
    // Sized to the label plus the button's own padding (and a pixel of slack for rounding), so
    // that a phrase never wraps inside its button.
    const float pad = ui.buttonPadding() + 1;
    const float ts = ui.size(TextRole::Button);
    std::vector<std::size_t> starts{0};
    std::vector<float> widths(ime.candidateCount());
    float used = 0;
    for (std::size_t i = 0; i < ime.candidateCount(); ++i) {
        widths[i] =
            std::min(avail, std::max(arrowW, ui.measure(ime.candidate(i), ts, 1e9f).x + 2 * pad));
        if (used > 0 && used + widths[i] > avail) {
            starts.push_back(i);
            used = 0;
        }
        used += widths[i] + gap;
    }
    const int pages = static_cast<int>(starts.size());
    const int page = std::clamp(s.candidatePage, 0, pages - 1);
    const std::size_t end = page + 1 < pages ? starts[page + 1] : ime.candidateCount();
    float x = bar.min.x + arrowW + gap;
    for (std::size_t i = starts[page]; i < end; ++i) {
        if (ui.button("cand:" + std::to_string(i), rect(x, bar.min.y, widths[i], bar.h()),
                      ime.candidate(i), ButtonStyle::Option, true, i == 0)) {
            flow.chooseCandidate(i, now);
            break; // the list has changed; the next frame draws the new one
        }
        x += widths[i] + gap;
    }
    const bool any = ime.candidateCount() > 0;
    if (ui.button("cand.prev", rect(bar.min.x, bar.min.y, arrowW, bar.h()),
                  tr("keyboard.candidates_prev"), ButtonStyle::Secondary, any && page > 0)) {
        flow.changeCandidatePage(-1, now);
    }
    if (ui.button("cand.next", rect(bar.max.x - arrowW, bar.min.y, arrowW, bar.h()),
                  tr("keyboard.candidates_next"), ButtonStyle::Secondary,
                  any && page + 1 < pages)) {
        flow.changeCandidatePage(1, now);
    }
}

void Screens::keyboard(const Rect& area, bool multiline) {
    const auto& rows = s.keyboardSymbols ? kSymbolRows : kLetterRows;
    const float gap = std::round(8 * ui.u());
    // With the pinyin engine: a 中/英 key, and in 中 a candidate bar above the keys.
    const bool pinyin = s.inputMethod().name() == "pinyin";
    const bool bar = pinyin && !s.keyboardLatin;
    const int rowCount = static_cast<int>(rows.size()) + 1 + (bar ? 1 : 0);
    const float keyH =
        std::max(64.0f, std::min(ui.touchHeight(), (area.h() - (rowCount - 1) * gap) / rowCount));
    const float keyW = std::min((area.w() - 9 * gap) / 10, keyH * 1.6f);
    const float totalW = 10 * keyW + 9 * gap;
    const float x0 = area.min.x + (area.w() - totalW) * 0.5f;
    float y = area.min.y;
    if (bar) {
        candidateBar(rect(x0, y, totalW, keyH));
        y += keyH + gap;
    }
    for (const auto& row : rows) {
        std::vector<std::string_view> keys;
        for (std::size_t i = 0; i < row.size();) {
            const std::size_t at = i;
            nextCodePoint(row, i);
            keys.push_back(row.substr(at, i - at));
        }
        const float rowW = keys.size() * keyW + (keys.size() - 1) * gap;
        float x = x0 + (totalW - rowW) * 0.5f;
        for (auto k : keys) {
            std::string label(k);
            if (s.keyboardShift && label.size() == 1 && label[0] >= 'a' && label[0] <= 'z') {
                label[0] = static_cast<char>(label[0] - 'a' + 'A');
            }
            if (ui.button("key:" + std::string(k), rect(x, y, keyW, keyH), label,
                          ButtonStyle::Quiet)) {
                flow.typeKey(ImeKey{ImeKey::Kind::Text, label}, now);
            }
            x += keyW + gap;
        }
        y += keyH + gap;
    }
    // Bottom row: shift, (中/英), symbols, space, backspace, (new line).
    const float wide = keyW * 2 + gap;
    float x = x0;
    const float shiftW = pinyin ? keyW : wide;
    if (!s.keyboardSymbols) {
        if (ui.button("key:shift", rect(x, y, shiftW, keyH), tr("keyboard.shift"),
                      ButtonStyle::Option, true, s.keyboardShift)) {
            flow.setKeyboardShift(!s.keyboardShift, now);
        }
    }
    x += shiftW + gap;
    if (pinyin) {
        if (ui.button("key:lang", rect(x, y, keyW, keyH),
                      tr(s.keyboardLatin ? "keyboard.mode_latin" : "keyboard.mode_zh"),
                      ButtonStyle::Option, true, !s.keyboardLatin)) {
            flow.setKeyboardLatin(!s.keyboardLatin, now);
        }
        x += keyW + gap;
    }
    if (ui.button("key:symbols", rect(x, y, wide, keyH),
                  s.keyboardSymbols ? tr("keyboard.letters") : tr("keyboard.symbols"),
                  ButtonStyle::Quiet)) {
        flow.setKeyboardSymbols(!s.keyboardSymbols, now);
    }
    x += wide + gap;
    const float spaceW = multiline ? keyW * 2 + gap : keyW * 4 + 3 * gap;
    if (ui.button("key:space", rect(x, y, spaceW, keyH), tr("keyboard.space"),
                  ButtonStyle::Quiet)) {
        flow.typeKey(ImeKey{ImeKey::Kind::Space, {}}, now);
    }
    x += spaceW + gap;
    if (multiline) {
        if (ui.button("key:enter", rect(x, y, wide, keyH), tr("keyboard.enter"),
                      ButtonStyle::Quiet)) {
            flow.typeKey(ImeKey{ImeKey::Kind::Enter, {}}, now);
        }
        x += wide + gap;
    }
    if (ui.button("key:backspace", rect(x, y, x0 + totalW - x, keyH), tr("keyboard.backspace"),
                  ButtonStyle::Secondary)) {
        flow.typeKey(ImeKey{ImeKey::Kind::Backspace, {}}, now);
    }
}

void Screens::numberPad(const Rect& area, std::string_view extra) {
    const float gap = std::round(12 * ui.u());
    const float keyH = std::max(64.0f, std::min(ui.touchHeight() * 1.1f, (area.h() - 3 * gap) / 4));
    const float keyW = std::min(keyH * 2.0f, (area.w() - 2 * gap) / 3);
    const float x0 = area.min.x + (area.w() - 3 * keyW - 2 * gap) * 0.5f;
    const char* keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", ""};
    for (int i = 0; i < 12; ++i) {
        const Rect r =
            rect(x0 + (i % 3) * (keyW + gap), area.min.y + (i / 3) * (keyH + gap), keyW, keyH);
        if (i == 9) {
            if (!extra.empty() &&
                ui.button("pad:" + std::string(extra), r, extra, ButtonStyle::Quiet)) {
                flow.typeKey(ImeKey{ImeKey::Kind::Text, extra}, now);
            }
            continue;
        }
        if (i == 11) {
            if (ui.button("pad:backspace", r, tr("keyboard.backspace"), ButtonStyle::Secondary)) {
                flow.typeKey(ImeKey{ImeKey::Kind::Backspace, {}}, now);
            }
            continue;
        }
        if (ui.button(std::string("pad:") + keys[i], r, keys[i], ButtonStyle::Quiet)) {
            flow.typeKey(ImeKey{ImeKey::Kind::Text, keys[i]}, now);
        }
    }
}

// ---- report: privacy, review, saving, receipt ----------------------------------------------

void Screens::privacy() {
    lay = layout(true);
    float y = heading(tr("privacy.title"), lay.content.min.y, false);
    const float w = lay.content.w();
    for (const char* k : {"privacy.protects", "privacy.who_sees", "privacy.cannot"}) {
        y += ui.text(ImVec2(lay.content.min.x, y), tr(k), TextRole::Body, t.text, w) +
             lay.pad * 0.5f;
    }
    bottomNav(true, "next", tr("nav.next"));
}

std::string Screens::answerText(const Field& f) const {
    const Answer* a = s.answers().get(f.id);
    if (!a) {
        return tr("review.empty");
    }
    switch (f.type) {
    case FieldType::Single:
        if (const Option* o = f.findOption(a->text())) {
            return loc(o->label);
        }
        break;
    case FieldType::Picker:
        if (const ListItem* i = f.findItem(a->text())) {
            return loc(i->label);
        }
        break;
    case FieldType::Multiple: {
        std::string out;
        for (const auto& c : a->choices()) {
            if (const Option* o = f.findOption(c)) {
                out += (out.empty() ? "" : tr("review.separator")) + loc(o->label);
            }
        }
        return out;
    }
    case FieldType::Scale:
        return L::format(tr("review.scale"), {{"n", std::to_string(a->integer())}});
    default:
        return std::string(a->text());
    }
    return {};
}

void Screens::review() {
    lay = layout(true);
    float y = heading(tr("review.title"), lay.content.min.y, false);
    const Form& form = *flow.form();
    const auto vis = visibleFields(form, s.answers());
    std::vector<const Field*> rows;
    for (std::size_t i = 0; i < form.fields.size(); ++i) {
        if (vis[i]) {
            rows.push_back(&form.fields[i]);
        }
    }
    const float gap = std::round(10 * ui.u());
    const float editW = std::round(180 * ui.u());
    const float labelW = (lay.content.w() - editW - 2 * gap) * 0.4f;
    const float valueW = lay.content.w() - editW - 2 * gap - labelW;
    const float pagerH = ui.touchHeight() + gap;
    // Pages of rows that fit; each row is at least one touch target high.
    std::vector<int> pageStarts{0};
    {
        float yy = y;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const float rh =
                std::max(
                    ui.touchHeight(),
                    std::min(ui.measure(answerText(*rows[i]), ui.size(TextRole::Body), valueW).y,
                             ui.size(TextRole::Body) * 1.3f * 3)) +
                gap;
            if (yy + rh > lay.content.max.y - pagerH && static_cast<int>(i) > pageStarts.back()) {
                pageStarts.push_back(static_cast<int>(i));
                yy = y;
            }
            yy += rh;
        }
    }
    const int pages = static_cast<int>(pageStarts.size());
    const int page = std::min(s.listPage, pages - 1);
    const int end = page + 1 < pages ? pageStarts[page + 1] : static_cast<int>(rows.size());
    for (int i = pageStarts[page]; i < end; ++i) {
        const Field& f = *rows[i];
        const std::string value = answerText(f);
        const float vh = std::min(ui.measure(value, ui.size(TextRole::Body), valueW).y,
                                  ui.size(TextRole::Body) * 1.3f * 3);
        const float rh = std::max(ui.touchHeight(), vh);
        ui.draw()->AddRectFilled(ImVec2(lay.content.min.x, y), ImVec2(lay.content.max.x, y + rh),
                                 (i % 2) ? t.surface : t.surfaceAlt, 8 * ui.u());
        ImDrawList* dl = ui.draw();
        dl->PushClipRect(ImVec2(lay.content.min.x, y), ImVec2(lay.content.max.x, y + rh), true);
        ui.text(ImVec2(lay.content.min.x + gap, y + gap), loc(f.label), TextRole::Small,
                t.textMuted, labelW);
        ui.text(ImVec2(lay.content.min.x + labelW + 2 * gap, y + gap * 0.5f), value, TextRole::Body,
                s.answers().contains(f.id) ? t.text : t.textMuted, valueW);
        dl->PopClipRect();
        if (ui.button("edit:" + f.id, rect(lay.content.max.x - editW, y, editW, ui.touchHeight()),
                      tr("review.edit"), ButtonStyle::Link)) {
            flow.editFromReview(f.id, now);
        }
        y += rh + gap;
    }
    if (pages > 1) {
        const float py = lay.content.max.y - ui.touchHeight();
        const float pw = std::round(260 * ui.u());
        if (ui.button("list.prev", rect(lay.content.min.x, py, pw, ui.touchHeight()),
                      tr("list.prev"), ButtonStyle::Secondary, page > 0)) {
            flow.changeListPage(-1, now);
        }
        if (ui.button("list.next", rect(lay.content.max.x - pw, py, pw, ui.touchHeight()),
                      tr("list.next"), ButtonStyle::Secondary, page + 1 < pages)) {
            flow.changeListPage(1, now);
        }
    }
    bottomNav(true, "submit", tr("nav.submit"));
}

void Screens::saving() {
    lay = layout(false);
    const float y = lay.content.min.y + lay.content.h() * 0.4f;
    ui.text(ImVec2(lay.content.min.x, y), tr("saving.title"), TextRole::Title, t.text,
            lay.content.w(), true);
}

void Screens::receipt() {
    lay = layout(true);
    float y = heading(tr("receipt.title"), lay.content.min.y, false);
    const std::string_view code = s.receiptCode();
    const float qrSide =
        std::min(ui.portrait() ? lay.content.w() * 0.6f : lay.content.h() * 0.62f, 560 * ui.u());
    const float textW = ui.portrait() ? lay.content.w() : lay.content.w() - qrSide - lay.pad;
    // The code, large, grouped 4-4-4-4 (the session stores it grouped).
    const float codeY = y;
    y +=
        ui.text(ImVec2(lay.content.min.x, y), code, TextRole::Huge, t.text, textW) + lay.pad * 0.5f;
    y +=
        ui.text(ImVec2(lay.content.min.x, y), tr("receipt.lost"), TextRole::Body, t.danger, textW) +
        lay.pad * 0.5f;
    y += ui.text(ImVec2(lay.content.min.x, y), tr("receipt.how_to_use"), TextRole::Body, t.text,
                 textW) +
         lay.pad * 0.5f;
    // QR code of the digits, drawn as rectangles. libqrencode's copy is wiped before it is freed.
    float qx = lay.content.max.x - qrSide;
    float qy = codeY;
    if (ui.portrait()) {
        qx = lay.content.min.x + (lay.content.w() - qrSide) * 0.5f;
        qy = y;
        y += qrSide + lay.pad * 0.5f;
    }
    std::string digits;
    for (char c : code) {
        if (c >= '0' && c <= '9') {
            digits += c;
        }
    }
    if (QRcode* qr = QRcode_encodeString(digits.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1)) {
        const int n = qr->width;
        const float m = qrSide / (n + 8); // 4 modules of quiet zone on each side
        ImDrawList* dl = ui.draw();
        dl->AddRectFilled(ImVec2(qx, qy), ImVec2(qx + qrSide, qy + qrSide),
                          IM_COL32(255, 255, 255, 255));
        for (int r = 0; r < n; ++r) {
            for (int c = 0; c < n; ++c) {
                if (qr->data[r * n + c] & 1) {
                    const float x0 = std::floor(qx + (c + 4) * m);
                    const float y0 = std::floor(qy + (r + 4) * m);
                    dl->AddRectFilled(
                        ImVec2(x0, y0),
                        ImVec2(std::floor(qx + (c + 5) * m), std::floor(qy + (r + 5) * m)),
                        IM_COL32(0, 0, 0, 255));
                }
            }
        }
        ui.hitArea("receipt.qr", rect(qx, qy, qrSide, qrSide), "qr", false);
        sodium_memzero(qr->data, static_cast<std::size_t>(n) * n);
        QRcode_free(qr);
    }
    sodium_memzero(digits.data(), digits.size());
    const float bw = std::min(textW, 560 * ui.u());
    if (ui.button("receipt.noted", rect(lay.content.min.x, y, bw, ui.touchHeight()),
                  s.receiptNoted ? tr("receipt.noted_done") : tr("receipt.noted"),
                  ButtonStyle::Option, true, s.receiptNoted)) {
        flow.confirmNoted(now);
    }
    bottomNav(false, "finish", tr("nav.done"), s.receiptNoted);
}

// ---- survey ----------------------------------------------------------------------------------

void Screens::surveyThanks() {
    lay = layout(true);
    float y = lay.content.min.y + lay.content.h() * 0.25f;
    y += ui.text(ImVec2(lay.content.min.x, y), tr("survey.thanks"), TextRole::Title, t.text,
                 lay.content.w(), true);
    ui.text(ImVec2(lay.content.min.x, y + lay.pad), tr("survey.thanks_detail"), TextRole::Body,
            t.text, lay.content.w(), true);
    bottomNav(false, "finish", tr("nav.done"));
}

void Screens::surveyWait() {
    lay = layout(true);
    float y = lay.content.min.y + lay.content.h() * 0.25f;
    const auto left = std::max<std::int64_t>(1, s.surveyWaitUntil - now);
    y += ui.text(ImVec2(lay.content.min.x, y), tr("survey.wait_title"), TextRole::Heading, t.text,
                 lay.content.w(), true);
    ui.text(ImVec2(lay.content.min.x, y + lay.pad),
            L::format(tr("survey.wait"), {{"seconds", std::to_string(left)}}), TextRole::Body,
            t.text, lay.content.w(), true);
    bottomNav(false, "finish", tr("nav.home"));
}

// ---- look-up ---------------------------------------------------------------------------------

void Screens::lookupEntry() {
    lay = layout(true);
    float y = heading(tr("lookup.title"), lay.content.min.y, false);
    // The digits typed so far, grouped 4-4-4-4 with blanks for what is missing.
    const std::string_view d = s.lookupDigits();
    std::string shown;
    for (std::size_t i = 0; i < KioskFlow::kLookupDigits; ++i) {
        if (i && i % 4 == 0) {
            shown += "  ";
        }
        shown += i < d.size() ? d[i] : '_';
    }
    y += ui.text(ImVec2(lay.content.min.x, y), shown, TextRole::Title, t.text, lay.content.w(),
                 true) +
         lay.pad * 0.3f;
    if (s.lookupBadCode) {
        y += ui.text(ImVec2(lay.content.min.x, y), tr("lookup.bad_code"), TextRole::Body, t.danger,
                     lay.content.w(), true);
    } else {
        y += ui.text(ImVec2(lay.content.min.x, y), tr("lookup.hint"), TextRole::Body, t.textMuted,
                     lay.content.w(), true);
    }
    y += lay.pad * 0.5f;
    numberPad(rect(lay.content.min.x, y, lay.content.w(), lay.content.max.y - y), {});
    bottomNav(true, "lookup.go", tr("lookup.go"), d.size() == KioskFlow::kLookupDigits);
    scannedCode();
}

// A QR or barcode reader on the kiosk's USB port is a keyboard: scanning the receipt's QR code
// "types" its digits (and usually Enter). Only this screen listens, and only to digits (the
// dashes of a printed code are skipped), so a reader cannot type into any other field. The code
// is looked up as soon as the reader has typed its sixteenth digit: ImGui 1.86 loses a key that
// is pressed and released between two frames, as a reader's Enter often is, so Enter is not
// waited for.
void Screens::scannedCode() {
    const ImGuiIO& io = ImGui::GetIO();
    bool typed = false;
    for (const ImWchar c : io.InputQueueCharacters) {
        if (c >= '0' && c <= '9') {
            const char digit[2] = {static_cast<char>(c), 0};
            flow.typeKey(ImeKey{ImeKey::Kind::Text, std::string_view(digit, 1)}, now);
            typed = true;
        }
    }
    if (typed && s.screen == Screen::LookupEntry &&
        s.lookupDigits().size() == KioskFlow::kLookupDigits) {
        flow.lookup(now);
    }
}

void Screens::lookupWaiting() {
    lay = layout(true);
    const float y = lay.content.min.y + lay.content.h() * 0.35f;
    ui.text(ImVec2(lay.content.min.x, y), tr("lookup.waiting"), TextRole::Title, t.text,
            lay.content.w(), true);
    bottomNav(false, {}, {});
}

void Screens::lookupResult() {
    lay = layout(true);
    float y = lay.content.min.y;
    const auto& r = s.lookupResult;
    const float w = lay.content.w();
    using K = ForwarderResponse::Kind;
    if (r && r->kind == K::Found) {
        y = heading(tr("lookup.found_title"), y, false);
        const std::string status =
            tr(std::string("status.") + std::string(caseStatusName(r->status)));
        y += ui.text(ImVec2(lay.content.min.x, y), status, TextRole::Title, t.accent, w) +
             lay.pad * 0.5f;
        y += ui.text(ImVec2(lay.content.min.x, y),
                     L::format(tr("lookup.received_at"),
                               {{"date", formatDate(r->receivedAt, flow.config().utcOffsetHours)}}),
                     TextRole::Body, t.text, w);
        y += ui.text(ImVec2(lay.content.min.x, y),
                     L::format(tr("lookup.updated_at"),
                               {{"date", formatDate(r->updatedAt, flow.config().utcOffsetHours)}}),
                     TextRole::Body, t.text, w) +
             lay.pad * 0.5f;
        y += ui.text(ImVec2(lay.content.min.x, y), tr("lookup.reply"), TextRole::Body, t.textMuted,
                     w);
        ui.text(ImVec2(lay.content.min.x, y), r->reply.empty() ? tr("lookup.no_reply") : r->reply,
                TextRole::Body, t.text, w);
    } else if (r && r->kind == K::NotFound) {
        y = heading(tr("lookup.not_found_title"), y, false);
        y += ui.text(ImVec2(lay.content.min.x, y), tr("lookup.not_found"), TextRole::Body, t.text,
                     w) +
             lay.pad;
        hotlineLine(y, w);
    } else {
        const bool offline = r && r->kind == K::Offline;
        y = heading(tr(offline ? "lookup.offline_title" : "lookup.unavailable_title"), y, false);
        y += ui.text(ImVec2(lay.content.min.x, y),
                     tr(offline ? "lookup.offline" : "lookup.unavailable"), TextRole::Body, t.text,
                     w) +
             lay.pad;
        hotlineLine(y, w);
    }
    bottomNav(false, "finish", tr("nav.home"));
}

// ---- rules -----------------------------------------------------------------------------------

void Screens::rules() {
    lay = layout(true);
    const auto& pages = flow.policy();
    if (pages.empty()) {
        bottomNav(false, "finish", tr("nav.home"));
        return;
    }
    const int i = std::clamp(s.rulesPage, 0, static_cast<int>(pages.size()) - 1);
    const PolicyPage& p = pages[i];
    float y = heading(loc(p.title), lay.content.min.y, false);
    const float w = lay.content.w();
    y += ui.text(ImVec2(lay.content.min.x, y), loc(p.body), TextRole::Body, t.text, w) +
         lay.pad * 0.5f;
    y += ui.text(ImVec2(lay.content.min.x, y),
                 L::format(tr("rules.source"), {{"source", loc(p.source)}}), TextRole::Small,
                 t.textMuted, w);
    const float py = lay.content.max.y - ui.touchHeight();
    const float pw = std::round(300 * ui.u());
    if (ui.button("rules.prev", rect(lay.content.min.x, py, pw, ui.touchHeight()), tr("rules.prev"),
                  ButtonStyle::Secondary, i > 0)) {
        flow.changeRulesPage(-1, now);
    }
    if (ui.button("rules.next", rect(lay.content.max.x - pw, py, pw, ui.touchHeight()),
                  tr("rules.next"), ButtonStyle::Secondary,
                  i + 1 < static_cast<int>(pages.size()))) {
        flow.changeRulesPage(1, now);
    }
    ui.text(ImVec2(lay.content.min.x + pw, py + 10 * ui.u()),
            L::format(tr("list.page"),
                      {{"n", std::to_string(i + 1)}, {"total", std::to_string(pages.size())}}),
            TextRole::Body, t.textMuted, w - 2 * pw, true);
    bottomNav(false, "finish", tr("nav.home"));
}

// ---- trouble, staff, idle -------------------------------------------------------------------

void Screens::trouble() {
    lay = layout(true);
    float y = lay.content.min.y + lay.pad;
    const bool full = s.trouble == TroubleKind::DiskFull;
    y = heading(tr(full ? "trouble.disk_full_title" : "trouble.save_failed_title"), y, false);
    y += ui.text(ImVec2(lay.content.min.x, y),
                 tr(full ? "trouble.disk_full" : "trouble.save_failed"), TextRole::Body, t.text,
                 lay.content.w()) +
         lay.pad;
    hotlineLine(y, lay.content.w());
    const float bw = std::round(360 * ui.u());
    if (ui.button(
            "trouble.retry",
            rect(lay.content.min.x, lay.content.max.y - ui.touchHeight(), bw, ui.touchHeight()),
            tr("trouble.retry"), ButtonStyle::Secondary)) {
        flow.retryAfterTrouble(now);
    }
    bottomNav(false, "finish", tr("nav.home"));
}

void Screens::staffPin() {
    lay = layout(true);
    float y = heading(tr("staff.pin_title"), lay.content.min.y, false);
    // Dots for the digits typed, drawn as circles (no character needed in the font).
    {
        const float r = ui.size(TextRole::Title) * 0.22f;
        const std::size_t n = s.staffPin().size();
        const float total = n * r * 3;
        const float cx0 = lay.content.min.x + (lay.content.w() - total) * 0.5f + r * 1.5f;
        for (std::size_t i = 0; i < n; ++i) {
            ui.draw()->AddCircleFilled(ImVec2(cx0 + i * r * 3, y + r * 2), r, t.text);
        }
        y += r * 4 + lay.pad * 0.3f;
    }
    const auto lockLeft = flow.staffLock().secondsLeft(now);
    if (lockLeft > 0) {
        y += ui.text(ImVec2(lay.content.min.x, y),
                     L::format(tr("staff.locked"), {{"seconds", std::to_string(lockLeft)}}),
                     TextRole::Body, t.danger, lay.content.w(), true);
        fs.wakeAt = fs.time + 1.0;
    } else if (s.staffPinWrong) {
        y += ui.text(ImVec2(lay.content.min.x, y), tr("staff.wrong"), TextRole::Body, t.danger,
                     lay.content.w(), true);
    }
    y += lay.pad * 0.5f;
    numberPad(rect(lay.content.min.x, y, lay.content.w(), lay.content.max.y - y), {});
    bottomNav(true, "staff.ok", tr("staff.ok"), lockLeft == 0 && s.staffPin().size() >= 4);
}

void Screens::staffHealth() {
    lay = layout(true);
    float y = heading(tr("staff.health_title"), lay.content.min.y, false);
    const auto& h = flow.health();
    std::vector<std::pair<std::string, std::string>> rows;
    if (h.outbox) {
        rows.emplace_back(tr("staff.pending"), std::to_string(h.outbox->pendingCount));
        rows.emplace_back(
            tr("staff.oldest_pending"),
            h.outbox->oldestPendingCreatedAt
                ? formatDate(*h.outbox->oldestPendingCreatedAt, flow.config().utcOffsetHours)
                : "-");
        rows.emplace_back(tr("staff.last_sequence"), std::to_string(h.outbox->lastSequence));
        rows.emplace_back(tr("staff.last_ack"), h.outbox->lastAcknowledgedAt
                                                    ? formatDate(*h.outbox->lastAcknowledgedAt,
                                                                 flow.config().utcOffsetHours)
                                                    : tr("staff.never"));
        rows.emplace_back(tr("staff.store_size"),
                          formatBytes(h.outbox->fileBytes + h.outbox->walBytes));
    } else {
        rows.emplace_back(tr("staff.pending"), tr("staff.unknown"));
    }
    rows.emplace_back(tr("staff.disk_free"),
                      h.diskFreeBytes ? formatBytes(*h.diskFreeBytes) : tr("staff.unknown"));
    rows.emplace_back(tr("staff.version"), fs.version);
    rows.emplace_back(tr("staff.font_atlas"),
                      std::to_string(fs.atlasWidth) + " x " + std::to_string(fs.atlasHeight));
    std::string errors;
    for (auto it = flow.recentErrors().rbegin(); it != flow.recentErrors().rend(); ++it) {
        if (errors.size() > 200) {
            break;
        }
        errors += (errors.empty() ? "" : ", ") + formatDate(it->at, flow.config().utcOffsetHours) +
                  " " + it->what;
    }
    rows.emplace_back(tr("staff.recent_errors"), errors.empty() ? tr("staff.none") : errors);
    if (s.syncResult) {
        using K = ForwarderResponse::Kind;
        rows.emplace_back(tr("staff.sync_result"),
                          tr(*s.syncResult == K::Done      ? "staff.sync_done"
                             : *s.syncResult == K::Offline ? "staff.sync_offline"
                                                           : "staff.sync_failed"));
    }
    const float labelW = lay.content.w() * 0.4f;
    for (const auto& [k, v] : rows) {
        ui.text(ImVec2(lay.content.min.x, y), k, TextRole::Body, t.textMuted, labelW);
        y += ui.text(ImVec2(lay.content.min.x + labelW, y), v, TextRole::Body, t.text,
                     lay.content.w() - labelW) +
             6 * ui.u();
    }
    const float bw = std::round(360 * ui.u());
    if (ui.button(
            "staff.sync",
            rect(lay.content.min.x, lay.content.max.y - ui.touchHeight(), bw, ui.touchHeight()),
            tr("staff.sync_now"), ButtonStyle::Secondary)) {
        flow.staffSyncNow(now);
    }
    bottomNav(false, "finish", tr("staff.leave"));
}

void Screens::idleOverlay(std::int64_t left) {
    const ImVec2 d = ui.display();
    ImDrawList* dl = ui.draw();
    dl->AddRectFilled(ImVec2(0, 0), d, t.overlay);
    const float w = std::min(d.x - 2 * lay.pad, 1100 * ui.u());
    const float h = std::min(d.y * 0.6f, 560 * ui.u());
    const Rect panel = rect((d.x - w) * 0.5f, (d.y - h) * 0.5f, w, h);
    dl->AddRectFilled(panel.min, panel.max, t.surface, 20 * ui.u());
    dl->AddRect(panel.min, panel.max, t.accent, 20 * ui.u(), 0, 4 * ui.u());
    const float pad = lay.pad;
    float y = panel.min.y + pad;
    y += ui.text(ImVec2(panel.min.x + pad, y), tr("idle.title"), TextRole::Title, t.text,
                 w - 2 * pad, true);
    y += ui.text(ImVec2(panel.min.x + pad, y),
                 L::format(tr("idle.countdown"), {{"seconds", std::to_string(left)}}),
                 TextRole::Body, t.text, w - 2 * pad, true);
    const float bw = std::min(w - 2 * pad, 520 * ui.u());
    if (ui.button("idle.stay",
                  rect(panel.min.x + (w - bw) * 0.5f, panel.max.y - pad - ui.touchHeight() * 1.2f,
                       bw, ui.touchHeight() * 1.2f),
                  tr("idle.stay"), ButtonStyle::Primary)) {
        flow.noteActivity(now);
    }
}

void Screens::draw() {
    lay = layout(false);
    const auto warning = flow.idleWarningLeft(now);
    // While the overlay shows, the screen behind it is drawn but does not take taps.
    ImGui::BeginDisabled(warning.has_value());
    ui.setBlocked(warning.has_value());
    switch (s.screen) {
    case Screen::Home:
        home();
        break;
    case Screen::Category:
        category();
        break;
    case Screen::Field:
        fieldScreen();
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
    if (s.screen != Screen::Saving) {
        topBar();
    }
    staffCorner();
    ImGui::EndDisabled();
    ui.setBlocked(false);
    if (warning) {
        idleOverlay(*warning);
    }
}

} // namespace

void drawFrame(Ui& ui, KioskFlow& flow, FrameState& fs) {
    const Session& s = flow.session();
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    ui.beginFrame(d, s.locale, s.largeText, s.highContrast);
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(d);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImGui::ColorConvertU32ToFloat4(ui.theme().background));
    ImGui::Begin("##kiosk", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoScrollbar);
    fs.wantsBlink = false;
    Screens(ui, flow, fs).draw();
    ImGui::End();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
}

} // namespace minsheng::kiosk::ui
