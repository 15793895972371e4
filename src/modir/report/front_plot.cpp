#include "modir/report/front_plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "modir/optimize/pareto/dominance.h"
#include "modir/report/bitmap_font.h"
#include "modir/report/canvas.h"

namespace modir::report {

using reg::Front;
using reg::FrontEntry;

namespace {

constexpr Colour kBackground{255, 255, 255};
constexpr Colour kInk{0, 0, 0};
constexpr Colour kFront{30, 80, 200};
constexpr Colour kDominated{170, 170, 170};
constexpr Colour kMark{220, 30, 30};

// Panel layout: the plot area is a kPlot x kPlot square at (kLeft, kTop) inside the panel.
constexpr int kLeft = 62, kTop = 20, kPlot = 210;
constexpr int kInset = 10;  // keeps dots at the extremes off the axes
static_assert(kLeft + kPlot + 20 <= kFrontPanelWidth && kTop + kPlot + 40 <= kFrontPanelHeight);

int text_width(const std::string& text) {
  return report::text_width(text);
}

// Maps an objective's values onto [0, kPlot - 1] pixels of an axis, inset from both ends.
struct Axis {
  double lo = 0.0, hi = 0.0;
  double offset(double v) const {
    const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return kInset + t * (kPlot - 1 - 2 * kInset);
  }
};

std::string tick(double v) {
  return fmt::format("{:.3g}", v);
}

std::string axis_name(const Front& front, std::size_t objective) {
  const std::string& name = front.objectives[objective];
  return name == "guidance" ? name + " mm" : name;
}

void draw_panel(Canvas& canvas, int left, const Front& front, std::size_t ox, std::size_t oy,
                std::size_t mark) {
  const auto& solutions = front.solutions;
  Axis ax, ay;
  ax.lo = ax.hi = solutions[0].objectives[ox];
  ay.lo = ay.hi = solutions[0].objectives[oy];
  std::vector<optimize::pareto::Point> projected;
  for (const FrontEntry& e : solutions) {
    const double x = e.objectives[ox], y = e.objectives[oy];
    ax.lo = std::min(ax.lo, x), ax.hi = std::max(ax.hi, x);
    ay.lo = std::min(ay.lo, y), ay.hi = std::max(ay.hi, y);
    projected.push_back({x, y});
  }
  const int x0 = left + kLeft, y_bottom = kTop + kPlot - 1;
  auto px = [&](double v) { return x0 + static_cast<int>(std::lround(ax.offset(v))); };
  auto py = [&](double v) { return y_bottom - static_cast<int>(std::lround(ay.offset(v))); };

  // Axes, with ticks and labels at each objective's minimum and maximum.
  canvas.line(x0, kTop, x0, y_bottom, kInk);
  canvas.line(x0, y_bottom, x0 + kPlot - 1, y_bottom, kInk);
  for (const double v : {ax.lo, ax.hi}) canvas.line(px(v), y_bottom, px(v), y_bottom + 3, kInk);
  for (const double v : {ay.lo, ay.hi}) canvas.line(x0 - 3, py(v), x0, py(v), kInk);
  canvas.text(px(ax.lo) - 2, y_bottom + 6, tick(ax.lo), kInk);
  if (ax.hi > ax.lo)
    canvas.text(px(ax.hi) - text_width(tick(ax.hi)) + 2, y_bottom + 6, tick(ax.hi), kInk);
  canvas.text(x0 - 5 - text_width(tick(ay.lo)), py(ay.lo) - 3, tick(ay.lo), kInk);
  if (ay.hi > ay.lo)
    canvas.text(x0 - 5 - text_width(tick(ay.hi)), py(ay.hi) - 3, tick(ay.hi), kInk);
  const std::string x_name = axis_name(front, ox), y_name = axis_name(front, oy);
  canvas.text(x0 + (kPlot - text_width(x_name)) / 2, y_bottom + 20, x_name, kInk);
  canvas.text(x0 - 4, kTop - 14, y_name, kInk);

  // Dots: dominated in this projection first, so the front's dots stay on top; the mark last.
  const auto kept = optimize::pareto::non_dominated_indices(projected);
  std::vector<bool> on_front(solutions.size(), false);
  for (const std::size_t k : kept) on_front[k] = true;
  // A duplicate of a front point is as good as it.
  for (std::size_t k = 0; k < solutions.size(); ++k)
    for (const std::size_t f : kept)
      if (projected[k] == projected[f]) on_front[k] = true;
  for (const bool front_pass : {false, true})
    for (std::size_t k = 0; k < solutions.size(); ++k)
      if (on_front[k] == front_pass && k != mark)
        canvas.annulus(px(projected[k][0]), py(projected[k][1]), 0.0, 3.0,
                       front_pass ? kFront : kDominated);
  canvas.annulus(px(projected[mark][0]), py(projected[mark][1]), 0.0, 3.0, kMark);
  canvas.annulus(px(projected[mark][0]), py(projected[mark][1]), 6.3, 7.7, kMark);
}

}  // namespace

io::RgbPicture plot_front(const Front& front, std::size_t mark) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t a = 0; a < front.objectives.size(); ++a)
    for (std::size_t b = a + 1; b < front.objectives.size(); ++b) pairs.emplace_back(a, b);
  io::RgbPicture picture;
  picture.width = kFrontPanelWidth * static_cast<int>(pairs.size());
  picture.height = kFrontPanelHeight;
  picture.rgb.resize(3u * static_cast<std::size_t>(picture.width) * picture.height);
  for (std::size_t i = 0; i < picture.rgb.size(); i += 3)
    std::copy(kBackground.begin(), kBackground.end(), picture.rgb.begin() + i);
  Canvas canvas{picture};
  for (std::size_t p = 0; p < pairs.size(); ++p)
    draw_panel(canvas, static_cast<int>(p) * kFrontPanelWidth, front, pairs[p].first,
               pairs[p].second, mark);
  return picture;
}

}  // namespace modir::report
