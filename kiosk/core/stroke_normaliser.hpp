// What the kiosk does to a finger's ink before zinnia sees it.
//
// A finger on a touch screen writes unlike the pen data the model was trained on (Tegaki's
// tablet recordings): the character is often small or off centre in the pad, the touch panel
// reports points at its own rate (dense when the finger is slow, sparse when fast) and with a
// few units of jitter, and a tap leaves a stroke of one point. zinnia's features depend on the
// position of the points in the box and on their spacing, so normaliseInk():
//
//   1. drops repeated points and smooths each stroke with a three-point moving average
//      (jitter), keeping its first and last point;
//   2. resamples each stroke at an even spacing along its length (kResampleStep of the
//      character's size), so the sampling rate does not matter;
//   3. scales and moves the whole character, keeping its proportions, so that its longer side
//      spans kTargetSpan of the pad and it sits in the middle (zinnia's model expects
//      characters that fill the box).
//
// A pure function of the ink: nothing is kept.
#pragma once

#include "kiosk/core/handwriting_recognizer.hpp"

#include <span>
#include <vector>

namespace minsheng::kiosk {

/// The longer side of the normalised character, in pad units (of kInkSize).
inline constexpr int kTargetSpan = 800;
/// Spacing of the resampled points, as a fraction of the character's longer side.
inline constexpr double kResampleStep = 0.04;

/// The ink, normalised as above; stroke ids 0, 1, 2 … in drawing order. Empty for no ink.
std::vector<InkPoint> normaliseInk(std::span<const InkPoint> ink);

} // namespace minsheng::kiosk
