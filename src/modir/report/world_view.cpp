#include "modir/report/world_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "modir/report/bitmap_font.h"

namespace modir::report {

namespace {

using Colour = std::array<std::uint8_t, 3>;
constexpr Colour kText = {255, 255, 120};

void fill(io::RgbPicture& picture, int x, int y, int w, int h, const Colour& c) {
  for (int v = std::max(0, y); v < std::min(picture.height, y + h); ++v)
    for (int u = std::max(0, x); u < std::min(picture.width, x + w); ++u)
      std::copy(c.begin(), c.end(), picture.pixel(u, v));
}

// Text with a dark rim, readable on any grey.
void label(io::RgbPicture& picture, int x, int y, const std::string& text, int scale) {
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) draw_text(picture, x + dx, y + dy, text, {0, 0, 0}, scale);
  draw_text(picture, x, y, text, kText, scale);
}

}  // namespace

Geometry world_aligned_grid(const Geometry& g) {
  if (g.direction == Mat3::identity()) return g;
  Vec3d lo{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
           std::numeric_limits<double>::infinity()};
  Vec3d hi = lo * -1.0;
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3d index{(corner & 1) ? g.size[0] - 0.5 : -0.5, (corner & 2) ? g.size[1] - 0.5 : -0.5,
                      (corner & 4) ? g.size[2] - 0.5 : -0.5};
    const Vec3d world = g.index_to_world(index);
    for (int a = 0; a < 3; ++a)
      lo[a] = std::min(lo[a], world[a]), hi[a] = std::max(hi[a], world[a]);
  }
  Geometry out;
  for (int a = 0; a < 3; ++a) {
    int closest = 0;
    for (int b = 1; b < 3; ++b)
      if (std::abs(g.direction.m[a][b]) > std::abs(g.direction.m[a][closest])) closest = b;
    out.spacing[a] = g.spacing[closest];
    out.size[a] = std::max<std::int64_t>(1, std::llround((hi[a] - lo[a]) / out.spacing[a]));
    out.origin[a] = 0.5 * (lo[a] + hi[a]) - 0.5 * (out.size[a] - 1) * out.spacing[a];
  }
  return out;
}

void annotate_orthogonal(io::RgbPicture& picture, const PanelLayout& layout,
                         const std::vector<LegendEntry>& legend) {
  const int smallest = std::min({layout.panels[0][2], layout.panels[0][3], layout.panels[1][3]});
  const int scale = smallest >= 200 ? 2 : 1;
  const int glyph = kGlyphHeight * scale, margin = 3;
  // Letters: top, bottom, left, right of each panel.
  const char* letters[3][4] = {{"A", "P", "R", "L"}, {"S", "I", "R", "L"}, {"S", "I", "A", "P"}};
  for (int p = 0; p < 3; ++p) {
    const auto [left, top, width, height] = layout.panels[p];
    const int cx = left + width / 2 - text_width("A", scale) / 2;
    const int cy = top + height / 2 - glyph / 2;
    label(picture, cx, top + margin, letters[p][0], scale);
    label(picture, cx, top + height - glyph - margin, letters[p][1], scale);
    label(picture, left + margin, cy, letters[p][2], scale);
    label(picture, left + width - text_width("A", scale) - margin, cy, letters[p][3], scale);
  }
  // Scale bar on the axial panel: the longest of 10, 20, 50, 100 mm within a third of it.
  const auto [left, top, width, height] = layout.panels[0];
  double bar_mm = 10.0;
  for (const double mm : {20.0, 50.0, 100.0})
    if (mm / layout.pixel_mm <= width / 3.0) bar_mm = mm;
  const int bar = static_cast<int>(std::lround(bar_mm / layout.pixel_mm));
  const int bx = left + 2 * margin + text_width("R", scale) + margin,
            by = top + height - margin - 4;
  fill(picture, bx - 1, by - 1, bar + 2, 4, {0, 0, 0});
  fill(picture, bx, by, bar, 2, kText);
  label(picture, bx, by - glyph - 3, fmt::format("{:g} mm", bar_mm), scale);

  if (legend.empty()) return;
  // Legend rows below the panels: swatch, name, wrapping at the picture's width.
  const int row_height = glyph + 6, swatch = glyph;
  std::vector<std::pair<int, int>> positions;  // x, row
  int x = margin, row = 0;
  for (const LegendEntry& e : legend) {
    const int w = swatch + 4 + text_width(e.name, scale) + 12;
    if (x + w > picture.width && x > margin) x = margin, ++row;
    positions.emplace_back(x, row);
    x += w;
  }
  const int old_height = picture.height;
  picture.height += (row + 1) * row_height + margin;
  picture.rgb.resize(3u * static_cast<std::size_t>(picture.width) * picture.height, 0);
  for (std::size_t i = 0; i < legend.size(); ++i) {
    const int ex = positions[i].first, ey = old_height + margin + positions[i].second * row_height;
    fill(picture, ex, ey, swatch, swatch, legend[i].colour);
    draw_text(picture, ex + swatch + 4, ey, legend[i].name, {230, 230, 230}, scale);
  }
}

}  // namespace modir::report
