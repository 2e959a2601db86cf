// Category icons, drawn as vector shapes with ImGui's draw list (no image files, nothing
// downloaded): they scale to any screen and follow the high-contrast theme.
//
// A form option's `icon` must be one of iconNames(); the window refuses to start otherwise
// (naming the form file), so a typo cannot leave an empty tile.
#pragma once

#include <imgui.h>

#include <span>
#include <string_view>

namespace minsheng::kiosk::ui {

std::span<const std::string_view> iconNames();
bool isKnownIcon(std::string_view name);
/// Draws icon `name` centred in the square of side `size` at `topLeft`.
void drawIcon(ImDrawList* dl, std::string_view name, ImVec2 topLeft, float size, ImU32 color);

/// A face for scale value 1 (sad) .. 5 (happy).
void drawFace(ImDrawList* dl, ImVec2 centre, float radius, int value, ImU32 fill, ImU32 ink);

} // namespace minsheng::kiosk::ui
