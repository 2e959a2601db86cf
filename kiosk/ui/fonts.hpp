// The font atlas: one Chinese font from the system, baked with exactly the characters the kiosk
// can show.
//
// Baking the whole CJK range in ImGui 1.86 gives an atlas of 4096×8192 or more; the kiosk only
// ever shows text from its catalogues, its forms and lists, its policy pages, its own
// configuration, validation messages and the keyboard. glyphSet() collects every code point of
// those (plus printable ASCII), bakeFonts() bakes them at the largest size that fits a
// 2048×2048 texture, and checkFontCoverage() makes a font that lacks one of them a start-up
// error rather than an empty box on screen.
#pragma once

#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/locale_catalog.hpp"
#include "kiosk/core/policy_texts.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

struct ImFont;
struct ImFontAtlas;

namespace minsheng::kiosk::ui {

using CodePointSet = std::set<char32_t>;

/// Adds the code points of `utf8` (ill-formed bytes are skipped).
void addCodePoints(CodePointSet& set, std::string_view utf8);

/// Every character the kiosk may show (see the top of this file).
CodePointSet glyphSet(const KioskConfig& config, const FormSet& forms, const LocaleCatalog& catalog,
                      const std::vector<PolicyPage>& policy);

/// nullopt when `font` is a readable TrueType/OpenType file (or collection) with a glyph for
/// every code point of `set`; otherwise a message naming the file and the fix.
std::optional<std::string> checkFontCoverage(const std::filesystem::path& font,
                                             const CodePointSet& set);

struct BakedFont {
    ImFont* font = nullptr;
    float pixelSize = 0;
    int atlasWidth = 0;
    int atlasHeight = 0;
    std::size_t glyphs = 0;
};

/// Bakes `set` from `font` into `atlas` at the largest of a few sizes whose texture fits
/// 2048×2048. The atlas keeps a pointer to `rangesStorage`, which must outlive it.
std::optional<BakedFont> bakeFonts(ImFontAtlas& atlas, const std::filesystem::path& font,
                                   const CodePointSet& set,
                                   std::vector<unsigned short>& rangesStorage, std::string& error);

} // namespace minsheng::kiosk::ui
