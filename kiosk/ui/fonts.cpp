#include "kiosk/ui/fonts.hpp"

#include "kiosk/core/forms_vocabulary.hpp"
#include "kiosk/ui/keyboard_layout.hpp"
#include "sync/forms/answers.hpp"
#include "sync/forms/validation.hpp"

#include <imgui.h>
#include <stb_truetype.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory_resource>

namespace minsheng::kiosk::ui {

namespace {

void addLocalized(CodePointSet& s, const LocalizedText& t) {
    addCodePoints(s, t.zh);
    addCodePoints(s, t.en);
}

void addOptional(CodePointSet& s, const std::optional<LocalizedText>& t) {
    if (t)
        addLocalized(s, *t);
}

/// The validator's messages embed field labels in fixed sentences. Rather than copy those
/// sentences here, provoke every kind of error for every field and collect what comes back.
void addValidationMessages(CodePointSet& s, const Form& form) {
    std::pmr::monotonic_buffer_resource pool; // no parent's data here, only made-up answers
    auto collect = [&](const Answers& a) {
        for (const auto& e : validateAnswers(form, a))
            addLocalized(s, e.message);
    };
    collect(Answers(&pool)); // Required for every shown field
    for (const Field& f : form.fields) {
        Answers a(&pool);
        switch (f.type) {
        case FieldType::Single:
        case FieldType::Picker:
            a.setChoice(f.id, "no_such_option");
            break;
        case FieldType::Multiple: {
            std::vector<std::string_view> all;
            for (const auto& o : f.options)
                all.push_back(o.id);
            a.setChoices(f.id, std::span<const std::string_view>(all));
            collect(a);
            a.setChoices(f.id, {"no_such_option"});
            break;
        }
        case FieldType::Text:
            a.setText(f.id, std::string(f.maxLength + 1, 'x'));
            collect(a);
            a.setText(f.id, "\x01");
            break;
        case FieldType::Phone:
        case FieldType::Date:
        case FieldType::Time:
            a.setText(f.id, "x");
            break;
        case FieldType::Scale:
            a.setInteger(f.id, 9);
            collect(a);
            a.setText(f.id, "x");
            break;
        }
        collect(a);
    }
}

} // namespace

void addCodePoints(CodePointSet& set, std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) {
            ++i;
            continue;
        }
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < len; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        if (cp >= 0x20 && cp != 0x7F)
            set.insert(cp);
        i += len;
    }
}

CodePointSet glyphSet(const KioskConfig& config, const FormSet& forms, const LocaleCatalog& catalog,
                      const std::vector<PolicyPage>& policy) {
    CodePointSet s;
    for (char32_t c = 0x20; c < 0x7F; ++c)
        s.insert(c);
    catalog.forEachText([&](std::string_view t) { addCodePoints(s, t); });
    for (const PolicyPage& p : policy) {
        addLocalized(s, p.title);
        addLocalized(s, p.body);
        addLocalized(s, p.source);
    }
    for (const std::string* t : {&config.name, &config.location, &config.hotline, &config.mailbox})
        addCodePoints(s, *t);
    for (const Form* form : {&forms.complaint, &forms.survey}) {
        addLocalized(s, form->title);
        for (const Field& f : form->fields) {
            addLocalized(s, f.label);
            addOptional(s, f.help);
            addOptional(s, f.lowLabel);
            addOptional(s, f.highLabel);
            for (const Option& o : f.options) {
                addLocalized(s, o.label);
                addOptional(s, o.description);
            }
            for (const ListItem& i : f.items)
                addLocalized(s, i.label);
        }
        addValidationMessages(s, *form);
    }
    for (const auto& [name, list] : forms.lists.lists) {
        addLocalized(s, list.title);
        for (const ListItem& i : list.items)
            addLocalized(s, i.label);
    }
    addCodePoints(s, keyboardCharacters());
    return s;
}

std::optional<std::string> checkFontCoverage(const std::filesystem::path& font,
                                             const CodePointSet& set) {
    const std::string fix = " Install Debian's fonts-wqy-microhei, or set [ui] font in the kiosk "
                            "configuration to a TrueType/OpenType font with Chinese characters.";
    std::ifstream in(font, std::ios::binary);
    if (!in)
        return font.string() + ": cannot open the font file." + fix;
    std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    const int offset = stbtt_GetFontOffsetForIndex(data.data(), 0);
    stbtt_fontinfo info;
    if (data.size() < 12 || offset < 0 || !stbtt_InitFont(&info, data.data(), offset))
        return font.string() + ": not a TrueType/OpenType font." + fix;
    std::string missing;
    int count = 0;
    for (char32_t cp : set) {
        if (cp > 0xFFFF)
            continue; // ImGui 1.86 as built by Debian has 16-bit glyph ids; never shown
        if (stbtt_FindGlyphIndex(&info, static_cast<int>(cp)) == 0) {
            if (++count <= 10) {
                std::string u8;
                if (cp < 0x80) {
                    u8 += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    u8 += static_cast<char>(0xC0 | (cp >> 6));
                    u8 += static_cast<char>(0x80 | (cp & 0x3F));
                } else {
                    u8 += static_cast<char>(0xE0 | (cp >> 12));
                    u8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    u8 += static_cast<char>(0x80 | (cp & 0x3F));
                }
                missing += " \"" + u8 + "\"";
            }
        }
    }
    if (count > 0) {
        return font.string() + ": has no glyph for " + std::to_string(count) +
               " character(s) the kiosk shows:" + missing + "." + fix;
    }
    return std::nullopt;
}

CodePointSet coveredBy(const std::filesystem::path& font, const CodePointSet& set) {
    std::ifstream in(font, std::ios::binary);
    std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    stbtt_fontinfo info;
    const int offset = data.size() < 12 ? -1 : stbtt_GetFontOffsetForIndex(data.data(), 0);
    if (offset < 0 || !stbtt_InitFont(&info, data.data(), offset))
        return set;
    CodePointSet out;
    for (char32_t cp : set)
        if (cp <= 0xFFFF && stbtt_FindGlyphIndex(&info, static_cast<int>(cp)) != 0)
            out.insert(cp);
    return out;
}

namespace {

/// Appends `set` (BMP only) as ImGui ranges: consecutive code points merged, zero-terminated.
std::size_t appendRanges(std::vector<unsigned short>& ranges, const CodePointSet& set,
                         const CodePointSet* except) {
    std::size_t glyphs = 0;
    const std::size_t start = ranges.size();
    for (char32_t cp : set) {
        if (cp > 0xFFFF || (except && except->contains(cp)))
            continue;
        ++glyphs;
        if (ranges.size() > start && ranges.back() + 1u == cp) {
            ranges.back() = static_cast<unsigned short>(cp);
        } else {
            ranges.push_back(static_cast<unsigned short>(cp));
            ranges.push_back(static_cast<unsigned short>(cp));
        }
    }
    ranges.push_back(0);
    return glyphs;
}

/// Zeroes the glyph tables of the atlas's fonts (code points and their lookup), then clears
/// it: a rebake must not leave the previous set of characters in freed memory.
void clearAtlas(ImFontAtlas& atlas) {
    for (ImFont* f : atlas.Fonts) {
        explicit_bzero(f->Glyphs.Data, static_cast<std::size_t>(f->Glyphs.size_in_bytes()));
        explicit_bzero(f->IndexLookup.Data,
                       static_cast<std::size_t>(f->IndexLookup.size_in_bytes()));
        explicit_bzero(f->IndexAdvanceX.Data,
                       static_cast<std::size_t>(f->IndexAdvanceX.size_in_bytes()));
    }
    dropAtlasPixels(atlas);
    atlas.Clear();
}

} // namespace

void dropAtlasPixels(ImFontAtlas& atlas) {
    const auto texels = static_cast<std::size_t>(atlas.TexWidth) * atlas.TexHeight;
    if (atlas.TexPixelsAlpha8)
        explicit_bzero(atlas.TexPixelsAlpha8, texels);
    if (atlas.TexPixelsRGBA32)
        explicit_bzero(atlas.TexPixelsRGBA32, texels * 4);
    atlas.ClearTexData();
}

std::optional<BakedFont> bakeFonts(ImFontAtlas& atlas, const std::filesystem::path& font,
                                   const CodePointSet& set, const CodePointSet& common,
                                   std::string& error, const BakedFont* previous) {
    const auto started = std::chrono::steady_clock::now();
    // The ranges name every character baked, a rare one a parent saw among them: zeroed when
    // the bake is done (the atlas keeps no pointer to them after ClearInputData below).
    std::vector<unsigned short> ranges;
    struct WipeRanges {
        std::vector<unsigned short>& r;
        ~WipeRanges() { explicit_bzero(r.data(), r.size() * sizeof(unsigned short)); }
    } wipeRanges{ranges};
    const std::size_t glyphs = appendRanges(ranges, set, nullptr);
    const std::size_t commonAt = ranges.size();
    const std::size_t commonGlyphs = appendRanges(ranges, common, &set);
    // (display size, common size): the kiosk's own text as large as possible; parents' text
    // (the common set, ~8k glyphs) at about body size. Measured with wqy-microhei and the
    // shipped configuration: 48 + 24 px gives 2048×2048.
    // Memory: the font file (~5 MB for wqy-microhei) is read straight into the buffer the atlas
    // owns, once for both parts (ImGui would copy it for the merged part), and the atlas drops it
    // after the bake (ClearInputData): the glyphs are in the texture then.
    std::ifstream in(font, std::ios::binary | std::ios::ate);
    const std::streamoff fileSize = in ? static_cast<std::streamoff>(in.tellg()) : -1;
    if (fileSize < 12) {
        error = font.string() + ": cannot read the font.";
        return std::nullopt;
    }
    static constexpr std::pair<float, float> kSizes[] = {{64, 26}, {56, 24}, {48, 24}, {48, 22},
                                                         {40, 22}, {40, 20}, {32, 20}, {32, 18}};
    // A bake for a few more characters starts at the sizes that fitted last time: each failed
    // attempt costs a full rasterisation of ~8k glyphs.
    std::size_t first = 0;
    while (previous && first + 1 < std::size(kSizes) &&
           (kSizes[first].first > previous->pixelSize ||
            (kSizes[first].first == previous->pixelSize &&
             kSizes[first].second > previous->commonPixelSize)))
        ++first;
    for (std::size_t attempt = first; attempt < std::size(kSizes); ++attempt) {
        const auto [size, commonSize] = kSizes[attempt];
        clearAtlas(atlas);
        atlas.TexDesiredWidth = 2048;
        atlas.Flags |= ImFontAtlasFlags_NoMouseCursors;
        ImFontConfig cfg;
        cfg.OversampleH = 1; // text is drawn at several scales from one bake; no need for 3×
        cfg.OversampleV = 1;
        cfg.PixelSnapH = false;
        const std::string path = font.string();
        void* data = IM_ALLOC(static_cast<std::size_t>(fileSize)); // owned by the atlas (cfg)
        in.seekg(0);
        if (!in.read(static_cast<char*>(data), fileSize)) {
            IM_FREE(data);
            error = path + ": cannot read the font.";
            return std::nullopt;
        }
        const int bytes = static_cast<int>(fileSize);
        ImFont* f = atlas.AddFontFromMemoryTTF(data, bytes, size, &cfg, ranges.data());
        if (f && commonGlyphs > 0) {
            // Marked as owned so that ImGui does not copy the bytes, then disowned in the
            // atlas's own record so that they are freed once, through the first part.
            ImFontConfig merge = cfg;
            merge.MergeMode = true;
            merge.FontDataOwnedByAtlas = true;
            atlas.AddFontFromMemoryTTF(data, bytes, commonSize, &merge, ranges.data() + commonAt);
            atlas.ConfigData.back().FontDataOwnedByAtlas = false;
        }
        if (!f || !atlas.Build()) {
            error = path + ": ImGui could not load the font.";
            return std::nullopt;
        }
        if (atlas.TexHeight <= 2048 && atlas.TexWidth <= 2048) {
            // The merged glyphs were laid out at commonSize below the display font's ascent:
            // scale their quads and advances up to the display size, so they draw as large as
            // the rest (a little softer).
            const float k = size / commonSize;
            const float ascent = static_cast<float>(static_cast<int>(f->Ascent + 0.5f)); // IM_ROUND
            for (ImFontGlyph& g : f->Glyphs) {
                if (!set.contains(static_cast<char32_t>(g.Codepoint)) &&
                    common.contains(static_cast<char32_t>(g.Codepoint))) {
                    g.X0 *= k;
                    g.X1 *= k;
                    g.Y0 = (g.Y0 - ascent) * k + ascent;
                    g.Y1 = (g.Y1 - ascent) * k + ascent;
                    g.AdvanceX *= k;
                }
            }
            f->BuildLookupTable();
            atlas.ClearInputData(); // the font file and the ranges: baked into the texture now
            const double ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - started)
                                  .count();
            return BakedFont{f,
                             size,
                             commonGlyphs ? commonSize : 0,
                             atlas.TexWidth,
                             atlas.TexHeight,
                             glyphs + commonGlyphs,
                             commonGlyphs,
                             ms};
        }
    }
    error = "the kiosk's text needs more characters than fit a 2048×2048 font atlas; shorten "
            "the configured forms, lists or policy texts.";
    return std::nullopt;
}

} // namespace minsheng::kiosk::ui
