// The on-screen keyboard's keys, as data. Letters and digits go through the session's
// InputMethod; the symbol page offers the punctuation a Chinese sentence needs.
#pragma once

#include <array>
#include <string_view>

namespace minsheng::kiosk::ui {

/// Rows of single-character keys; each string is a row of UTF-8 characters.
inline constexpr std::array<std::string_view, 4> kLetterRows = {"1234567890", "qwertyuiop",
                                                                "asdfghjkl", "zxcvbnm"};
inline constexpr std::array<std::string_view, 4> kSymbolRows = {
    "1234567890", "，。？！、：；“”", "（）《》…—-/@", ".,?!:;'\"()#%&*+="};

/// Every character a key can type (for the font's glyph set).
inline std::string_view keyboardCharacters() {
    return "1234567890qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM"
           "，。？！、：；“”（）《》…—-/@.,?!:;'\"()#%&*+=";
}

} // namespace minsheng::kiosk::ui
