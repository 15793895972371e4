#pragma once

// Drawing marks on a picture (plots, match pictures), every pixel clipped to a rectangle.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "modir/io/png_io.h"
#include "modir/report/bitmap_font.h"

namespace modir::report {

using Colour = std::array<std::uint8_t, 3>;

/// A picture to draw on. Pixels outside `clip` ({left, top, width, height}; default: the whole
/// picture) are left alone, so a mark can be drawn across the edge of a panel.
struct Canvas {
  io::RgbPicture& picture;
  std::array<int, 4> clip{0, 0, picture.width, picture.height};

  void set(int x, int y, const Colour& c) {
    if (x < std::max(0, clip[0]) || y < std::max(0, clip[1]) ||
        x >= std::min(picture.width, clip[0] + clip[2]) ||
        y >= std::min(picture.height, clip[1] + clip[3]))
      return;
    std::copy(c.begin(), c.end(), picture.pixel(x, y));
  }
  /// A straight line between two points (sub-pixel ends), every pixel it passes through set once
  /// or more; for integer ends along a row or column, exactly the pixels between them.
  void line(double x0, double y0, double x1, double y1, const Colour& c) {
    const int steps = int(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0)))) + 1;
    for (int s = 0; s <= steps; ++s) {
      const double t = double(s) / steps;
      set(int(std::lround(x0 + t * (x1 - x0))), int(std::lround(y0 + t * (y1 - y0))), c);
    }
  }
  /// Pixels whose distance from (cx, cy) lies in [inner, outer].
  void annulus(int cx, int cy, double inner, double outer, const Colour& c) {
    const int r = static_cast<int>(std::ceil(outer));
    for (int dy = -r; dy <= r; ++dy)
      for (int dx = -r; dx <= r; ++dx) {
        const double d = std::hypot(dx, dy);
        if (d >= inner && d <= outer) set(cx + dx, cy + dy, c);
      }
  }
  /// Text with (x, y) its top left (not clipped: draw_text keeps to the picture).
  void text(int x, int y, const std::string& s, const Colour& c) { draw_text(picture, x, y, s, c); }
};

}  // namespace modir::report
