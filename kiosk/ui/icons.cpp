#include "kiosk/ui/icons.hpp"

#include <array>
#include <cmath>

namespace minsheng::kiosk::ui {

namespace {

constexpr std::array<std::string_view, 13> kNames = {
    "disguised", "teacher", "license", "refund", "price",   "homework", "after_school",
    "exam",      "advert",  "safety",  "online", "privacy", "other"};

} // namespace

std::span<const std::string_view> iconNames() {
    return kNames;
}

bool isKnownIcon(std::string_view name) {
    for (auto n : kNames)
        if (n == name)
            return true;
    return false;
}

void drawIcon(ImDrawList* dl, std::string_view name, ImVec2 o, float s, ImU32 c) {
    // Coordinates below are on a 0..1 square.
    auto P = [&](float x, float y) {
        return ImVec2(o.x + x * s, o.y + y * s);
    };
    const float t = std::max(2.0f, s * 0.06f);
    if (name == "disguised") { // a mask
        dl->AddCircle(P(0.5f, 0.5f), s * 0.4f, c, 32, t);
        dl->AddRectFilled(P(0.18f, 0.38f), P(0.82f, 0.55f), c, s * 0.08f);
        dl->AddCircleFilled(P(0.35f, 0.465f), s * 0.05f, IM_COL32(255, 255, 255, 255));
        dl->AddCircleFilled(P(0.65f, 0.465f), s * 0.05f, IM_COL32(255, 255, 255, 255));
    } else if (name == "teacher") { // person at a board
        dl->AddRect(P(0.40f, 0.12f), P(0.92f, 0.55f), c, 0, 0, t);
        dl->AddCircleFilled(P(0.24f, 0.30f), s * 0.10f, c);
        dl->AddRectFilled(P(0.14f, 0.44f), P(0.34f, 0.86f), c, s * 0.05f);
        dl->AddLine(P(0.32f, 0.50f), P(0.55f, 0.36f), c, t);
    } else if (name == "license") { // certificate with a seal
        dl->AddRect(P(0.15f, 0.15f), P(0.85f, 0.75f), c, s * 0.04f, 0, t);
        dl->AddLine(P(0.27f, 0.32f), P(0.73f, 0.32f), c, t);
        dl->AddLine(P(0.27f, 0.45f), P(0.60f, 0.45f), c, t);
        dl->AddCircleFilled(P(0.68f, 0.72f), s * 0.12f, c);
        dl->AddLine(P(0.18f, 0.88f), P(0.85f, 0.15f), c, t); // struck through: no licence
    } else if (name == "refund") {                           // coin with a return arrow
        dl->AddCircle(P(0.45f, 0.5f), s * 0.28f, c, 32, t);
        dl->AddLine(P(0.45f, 0.34f), P(0.45f, 0.66f), c, t);
        dl->AddLine(P(0.35f, 0.44f), P(0.55f, 0.44f), c, t);
        dl->AddLine(P(0.35f, 0.54f), P(0.55f, 0.54f), c, t);
        dl->PathArcTo(P(0.45f, 0.5f), s * 0.40f, -0.3f, 1.9f, 16);
        dl->PathStroke(c, 0, t);
        dl->AddTriangleFilled(P(0.80f, 0.28f), P(0.92f, 0.42f), P(0.74f, 0.44f), c);
    } else if (name == "price") { // price tag with an up arrow
        dl->AddQuad(P(0.12f, 0.45f), P(0.45f, 0.12f), P(0.65f, 0.32f), P(0.32f, 0.65f), c, t);
        dl->AddCircleFilled(P(0.45f, 0.25f), s * 0.04f, c);
        dl->AddLine(P(0.75f, 0.88f), P(0.75f, 0.45f), c, t);
        dl->AddTriangleFilled(P(0.63f, 0.50f), P(0.87f, 0.50f), P(0.75f, 0.34f), c);
    } else if (name == "homework") { // stack of books
        for (int i = 0; i < 3; ++i) {
            const float y = 0.30f + i * 0.18f;
            dl->AddRect(P(0.18f + i * 0.03f, y), P(0.82f - i * 0.03f, y + 0.15f), c, s * 0.02f, 0,
                        t);
        }
        dl->AddLine(P(0.30f, 0.12f), P(0.70f, 0.24f), c, t);
    } else if (name == "after_school") { // clock
        dl->AddCircle(P(0.5f, 0.5f), s * 0.38f, c, 32, t);
        dl->AddLine(P(0.5f, 0.5f), P(0.5f, 0.25f), c, t);
        dl->AddLine(P(0.5f, 0.5f), P(0.68f, 0.6f), c, t);
    } else if (name == "exam") { // paper with a ranking
        dl->AddRect(P(0.22f, 0.10f), P(0.78f, 0.90f), c, s * 0.03f, 0, t);
        dl->AddRectFilled(P(0.32f, 0.60f), P(0.40f, 0.78f), c);
        dl->AddRectFilled(P(0.46f, 0.45f), P(0.54f, 0.78f), c);
        dl->AddRectFilled(P(0.60f, 0.30f), P(0.68f, 0.78f), c);
    } else if (name == "advert") { // megaphone
        dl->AddQuadFilled(P(0.15f, 0.40f), P(0.62f, 0.18f), P(0.62f, 0.82f), P(0.15f, 0.60f), c);
        dl->AddLine(P(0.72f, 0.35f), P(0.88f, 0.25f), c, t);
        dl->AddLine(P(0.72f, 0.50f), P(0.90f, 0.50f), c, t);
        dl->AddLine(P(0.72f, 0.65f), P(0.88f, 0.75f), c, t);
    } else if (name == "safety") { // warning triangle
        dl->AddTriangle(P(0.5f, 0.12f), P(0.90f, 0.85f), P(0.10f, 0.85f), c, t);
        dl->AddLine(P(0.5f, 0.38f), P(0.5f, 0.62f), c, t * 1.3f);
        dl->AddCircleFilled(P(0.5f, 0.73f), s * 0.04f, c);
    } else if (name == "online") { // screen
        dl->AddRect(P(0.12f, 0.18f), P(0.88f, 0.70f), c, s * 0.03f, 0, t);
        dl->AddLine(P(0.5f, 0.70f), P(0.5f, 0.82f), c, t);
        dl->AddLine(P(0.32f, 0.84f), P(0.68f, 0.84f), c, t);
        dl->AddTriangleFilled(P(0.44f, 0.32f), P(0.44f, 0.56f), P(0.62f, 0.44f), c);
    } else if (name == "privacy") { // padlock
        dl->AddRectFilled(P(0.22f, 0.45f), P(0.78f, 0.88f), c, s * 0.05f);
        dl->PathArcTo(P(0.5f, 0.45f), s * 0.2f, 3.14159f, 6.28318f, 16);
        dl->PathStroke(c, 0, t * 1.3f);
    } else { // "other": three dots in a bubble
        dl->AddCircle(P(0.5f, 0.47f), s * 0.38f, c, 32, t);
        for (int i = 0; i < 3; ++i)
            dl->AddCircleFilled(P(0.32f + i * 0.18f, 0.47f), s * 0.055f, c);
    }
}

void drawFace(ImDrawList* dl, ImVec2 c, float r, int value, ImU32 fill, ImU32 ink) {
    dl->AddCircleFilled(c, r, fill, 48);
    dl->AddCircle(c, r, ink, 48, std::max(2.0f, r * 0.06f));
    const float eyeY = c.y - r * 0.25f;
    dl->AddCircleFilled(ImVec2(c.x - r * 0.33f, eyeY), r * 0.09f, ink);
    dl->AddCircleFilled(ImVec2(c.x + r * 0.33f, eyeY), r * 0.09f, ink);
    // Mouth: a curve whose bend goes from a frown (1) through a line (3) to a smile (5).
    const float bend = (value - 3) * 0.5f; // -1 .. 1
    const float w = r * 0.5f;
    const float y = c.y + r * 0.35f;
    const ImVec2 a(c.x - w, y - bend * r * 0.08f);
    const ImVec2 b(c.x + w, y - bend * r * 0.08f);
    const ImVec2 m(c.x, y + bend * r * 0.30f);
    dl->AddBezierQuadratic(a, m, b, ink, std::max(2.0f, r * 0.08f), 16);
}

} // namespace minsheng::kiosk::ui
