// Handwriting: strokes drawn with a finger on the pad → candidate characters.
//
// Ink is what a parent drew, so it lives in the Session (on its SecretArena) and is wiped with
// it; a recogniser keeps nothing between calls. Coordinates are pad units, 0..kInkSize on both
// axes whatever the pad's size on screen, so the same strokes recognise the same at every
// resolution. The zinnia recogniser (Debian libzinnia-dev) with Tegaki's Simplified Chinese model
// (tegaki-zinnia-simplified-chinese, 6763 characters: GB 2312) takes ~5-10 ms per character on the
// UI thread, called once when a stroke ends.
//
// The kiosk's part (ZinniaRecognizer::recognize): the ink is normalised first
// (stroke_normaliser.hpp: smoothing, even resampling, the character scaled to fill the box);
// zinnia is asked for a pool of kCandidatePool candidates, which are ordered again by zinnia's
// score plus a bonus for common characters (kiosk/core/data/common_chars.txt, the 3500 most
// frequent simplified characters by rime-essay's weights, scripts/gen-common-chars.py), so that
// 生 or 业 come before a rare character of nearly the same shape.
//
// Memory: the model is 26 MB of mapped file, nearly all of it touched on open. Most parents
// never open the pad, so the recogniser checks the model at start-up, maps it on the first
// stroke of a session, and unmaps it when the session is wiped (releaseModel): an idle kiosk
// does not carry it. Opening takes ~11 ms, once per session that uses the pad.
#pragma once

#include "crypto/result.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct zinnia_recognizer_t; // zinnia.h

namespace minsheng::kiosk {

/// Debian's tegaki-zinnia-simplified-chinese.
inline constexpr const char* kDefaultHandwritingModel =
    "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";

inline constexpr int kInkSize = 1000; // pad units per side
inline constexpr std::size_t kMaxInkPoints = 4096;
inline constexpr std::size_t kMaxInkStrokes = 40;

struct InkPoint {
    std::int16_t x = 0, y = 0; // 0..kInkSize
    std::uint16_t stroke = 0;  // 0-based, in drawing order
};

struct HandwritingError {
    std::string message; // names the model file
};

/// How the kiosk turns ink into candidates (the defaults are what it ships; the evaluation
/// compares them with zinnia alone: normalise = false, pool = the count shown, no bonus).
struct HandwritingTuning {
    bool normalise = true;
    std::size_t pool = 30;    // candidates asked of zinnia before reordering
    double commonBonus = 0.5; // added to zinnia's score for the most common character,
                              // falling linearly to 0 at the end of the common list
};

/// The rank of `character` (one UTF-8 character) in the common-character list, 0 the most
/// common; std::nullopt when it is not among them.
std::optional<std::size_t> commonCharacterRank(std::string_view character);
/// How many characters the common list holds.
std::size_t commonCharacterCount();

class HandwritingRecognizer {
public:
    virtual ~HandwritingRecognizer() = default;
    /// Up to `max` candidates for the ink, best first (UTF-8, one character each); empty for
    /// no ink.
    virtual std::vector<std::string> recognize(std::span<const InkPoint> ink,
                                               std::size_t max) const = 0;
    /// Drops whatever the recogniser loaded for the session that ends (a cache; the next
    /// recognize() loads it again).
    virtual void releaseModel() const {}
};

class ZinniaRecognizer final : public HandwritingRecognizer {
public:
    [[nodiscard]] static Result<std::unique_ptr<ZinniaRecognizer>, HandwritingError>
    open(const std::filesystem::path& model);
    ~ZinniaRecognizer() override;
    ZinniaRecognizer(const ZinniaRecognizer&) = delete;
    ZinniaRecognizer& operator=(const ZinniaRecognizer&) = delete;

    /// Empty when the model cannot be mapped any more (it was checked at open()).
    std::vector<std::string> recognize(std::span<const InkPoint> ink,
                                       std::size_t max) const override;
    /// recognize() with other settings (for measuring what each step brings).
    std::vector<std::string> recognizeWith(std::span<const InkPoint> ink, std::size_t max,
                                           const HandwritingTuning& tuning) const;
    void releaseModel() const override;
    bool modelLoaded() const { return m_recognizer != nullptr; }
    /// Characters the model knows (loads it if needed).
    std::size_t characterCount() const;

private:
    ZinniaRecognizer() = default;
    bool load() const;
    std::filesystem::path m_model;
    // Loaded on demand: logically const, a cache of the model file.
    mutable ::zinnia_recognizer_t* m_recognizer = nullptr;
};

} // namespace minsheng::kiosk
