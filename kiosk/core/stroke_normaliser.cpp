#include "kiosk/core/stroke_normaliser.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::kiosk {

namespace {

struct Point {
    double x = 0, y = 0;
};
using Stroke = std::vector<Point>;

std::vector<Stroke> splitStrokes(std::span<const InkPoint> ink) {
    std::vector<Stroke> strokes;
    for (std::size_t i = 0; i < ink.size(); ++i) {
        if (i == 0 || ink[i].stroke != ink[i - 1].stroke)
            strokes.emplace_back();
        const Point p{static_cast<double>(ink[i].x), static_cast<double>(ink[i].y)};
        if (strokes.back().empty() || strokes.back().back().x != p.x ||
            strokes.back().back().y != p.y)
            strokes.back().push_back(p);
    }
    return strokes;
}

Stroke smooth(const Stroke& s) {
    if (s.size() < 3)
        return s;
    Stroke out(s);
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        out[i].x = (s[i - 1].x + s[i].x + s[i + 1].x) / 3;
        out[i].y = (s[i - 1].y + s[i].y + s[i + 1].y) / 3;
    }
    return out;
}

Stroke resample(const Stroke& s, double step) {
    if (s.size() < 2 || step <= 0)
        return s;
    Stroke out{s.front()};
    double carried = 0; // length since the last emitted point
    for (std::size_t i = 1; i < s.size(); ++i) {
        Point a = s[i - 1];
        const Point b = s[i];
        double segment = std::hypot(b.x - a.x, b.y - a.y);
        while (carried + segment >= step) {
            const double t = (step - carried) / segment;
            a = Point{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
            out.push_back(a);
            segment = std::hypot(b.x - a.x, b.y - a.y);
            carried = 0;
        }
        carried += segment;
    }
    const Point last = s.back();
    if (std::hypot(last.x - out.back().x, last.y - out.back().y) > step * 0.25)
        out.push_back(last);
    else
        out.back() = last;
    return out;
}

} // namespace

std::vector<InkPoint> normaliseInk(std::span<const InkPoint> ink) {
    std::vector<Stroke> strokes = splitStrokes(ink);
    if (strokes.empty())
        return {};
    double minX = kInkSize, minY = kInkSize, maxX = 0, maxY = 0;
    for (const Stroke& s : strokes) {
        for (const Point& p : s) {
            minX = std::min(minX, p.x);
            maxX = std::max(maxX, p.x);
            minY = std::min(minY, p.y);
            maxY = std::max(maxY, p.y);
        }
    }
    // A character of one dot has no size: keep it where it is, at the target scale.
    const double span = std::max({maxX - minX, maxY - minY, 1.0});
    const double scale = kTargetSpan / span;
    const double centreX = (minX + maxX) / 2, centreY = (minY + maxY) / 2;
    std::vector<InkPoint> out;
    std::uint16_t id = 0;
    for (const Stroke& raw : strokes) {
        for (const Point& p : resample(smooth(raw), span * kResampleStep)) {
            const double x = kInkSize / 2.0 + (p.x - centreX) * scale;
            const double y = kInkSize / 2.0 + (p.y - centreY) * scale;
            out.push_back(
                InkPoint{static_cast<std::int16_t>(std::lround(std::clamp(x, 0.0, 1000.0))),
                         static_cast<std::int16_t>(std::lround(std::clamp(y, 0.0, 1000.0))), id});
        }
        ++id;
    }
    return out;
}

} // namespace minsheng::kiosk
