// The font atlas: one Chinese font from the system, baked in two parts into one ImFont.
//
// Baking the whole CJK range in ImGui 1.86 gives an atlas of 4096×8192 or more. The kiosk shows
// two kinds of text:
//   - its own: catalogues, forms and lists, policy pages, its configuration, validation
//     messages, the keyboard. glyphSet() collects every code point of those (plus printable
//     ASCII); checkFontCoverage() makes a font that lacks one a start-up error. These are baked
//     large (the display size, up to 64 px) so headings stay sharp.
//   - what parents type with the pinyin engine: any common character. commonCharacters() is the
//     start-up approximation of 通用规范汉字表 (8,105 characters; generated at build time by
//     kiosk/ui/tools/gen_common_chars.cpp: GB2312 + the pinyin engine's first candidates).
//     Those not in the first set are merged into the same ImFont at a smaller size (about body
//     size) and their quads scaled up to the display size, so one font draws both.
// Both together fit a 2048×2048 texture. A character outside both (a rare one the pinyin
// engine offers, a county reply) joins the first set and the atlas is baked again between
// frames (kiosk_window.cpp).
#pragma once

#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/locale_catalog.hpp"
#include "kiosk/core/policy_texts.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct ImFont;
struct ImFontAtlas;

namespace minsheng::kiosk::ui {

using CodePointSet = std::set<char32_t>;

/// Adds the code points of `utf8` (ill-formed bytes are skipped).
void addCodePoints(CodePointSet& set, std::string_view utf8);

/// The start-up set for parents' text (see the top of this file); generated at build time.
std::span<const char32_t> commonCharacters();

/// The code points of `set` that `font` has a glyph for (all of them when it cannot be read;
/// checkFontCoverage reports that).
CodePointSet coveredBy(const std::filesystem::path& font, const CodePointSet& set);

/// Every character the kiosk may show (see the top of this file).
CodePointSet glyphSet(const KioskConfig& config, const FormSet& forms, const LocaleCatalog& catalog,
                      const std::vector<PolicyPage>& policy);

/// nullopt when `font` is a readable TrueType/OpenType file (or collection) with a glyph for
/// every code point of `set`; otherwise a message naming the file and the fix.
std::optional<std::string> checkFontCoverage(const std::filesystem::path& font,
                                             const CodePointSet& set);

struct BakedFont {
    ImFont* font = nullptr;
    float pixelSize = 0;       // the kiosk's own text
    float commonPixelSize = 0; // the common characters merged in (0: none)
    int atlasWidth = 0;
    int atlasHeight = 0;
    std::size_t glyphs = 0;       // all of them
    std::size_t commonGlyphs = 0; // of which baked at commonPixelSize
    double buildMs = 0;           // wall time of this bake (all attempts)
};

/// Bakes `set` from `font` into `atlas` at the largest of a few sizes, and the code points of
/// `common` not in `set` at a smaller one, so that the texture fits 2048×2048. With `previous`
/// (the last bake into this atlas) it starts at that bake's sizes. The atlas keeps only the
/// glyphs and the texture: the font file and the ranges are dropped once baked.
std::optional<BakedFont> bakeFonts(ImFontAtlas& atlas, const std::filesystem::path& font,
                                   const CodePointSet& set, const CodePointSet& common,
                                   std::string& error, const BakedFont* previous = nullptr);

/// Frees the atlas's CPU copy of its texture (the GPU holds it once uploaded), zeroed first:
/// the pixels draw every character baked, a rare one a parent saw among them.
void dropAtlasPixels(ImFontAtlas& atlas);

} // namespace minsheng::kiosk::ui
