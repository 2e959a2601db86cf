// Handwriting: strokes drawn with a finger on the pad → candidate characters.
//
// Ink is what a parent drew, so it lives in the Session (on its SecretArena) and is wiped with
// it; a recogniser keeps nothing between calls. Coordinates are pad units, 0..kInkSize on both
// axes whatever the pad's size on screen, so the same strokes recognise the same at every
// resolution. The zinnia recogniser (Debian libzinnia-dev) with Tegaki's Simplified Chinese model
// (tegaki-zinnia-simplified-chinese, 6763 characters: GB 2312) takes ~5-10 ms per character on the
// UI thread, called once when a stroke ends.
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
#include <span>
#include <string>
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
