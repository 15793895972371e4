#include "modir/filter/iso_contours.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace modir::filter {

namespace {

// The slice with a ring of "outside" around it, so that every iso-line closes. Corner (px, py) of
// the padded grid is voxel (px - 1, py - 1).
class PaddedSlice {
 public:
  PaddedSlice(const Image<float>& image, std::int64_t z, float level)
      : nx_(image.size()[0]), ny_(image.size()[1]), level_(level),
        data_(image.data() + z * image.size()[0] * image.size()[1]) {}

  std::int64_t width() const { return nx_ + 2; }
  std::int64_t height() const { return ny_ + 2; }
  bool real(std::int64_t px, std::int64_t py) const {
    return px >= 1 && py >= 1 && px <= nx_ && py <= ny_;
  }
  float value(std::int64_t px, std::int64_t py) const {
    return data_[(px - 1) + nx_ * (py - 1)];
  }
  bool inside(std::int64_t px, std::int64_t py) const {
    return real(px, py) && value(px, py) >= level_;
  }
  float level() const { return level_; }

 private:
  std::int64_t nx_, ny_;
  float level_;
  const float* data_;
};

struct Corner {
  std::int64_t px, py;
};

// Edges are named by their lower-left corner and direction, whichever way they are walked.
std::int64_t edge_id(const PaddedSlice& s, Corner a, Corner b) {
  const Corner low = (a.px < b.px || a.py < b.py) ? a : b;
  const bool horizontal = a.py == b.py;
  return 2 * (low.py * s.width() + low.px) + (horizontal ? 0 : 1);
}

// Where the iso-line crosses the edge from corner a to corner b (one inside, one outside).
std::array<double, 2> crossing(const PaddedSlice& s, Corner a, Corner b) {
  double t = 0.5;  // beyond the slice: half-way, as for a binary mask
  if (s.real(a.px, a.py) && s.real(b.px, b.py)) {
    const double va = s.value(a.px, a.py), vb = s.value(b.px, b.py);
    t = std::clamp((double(s.level()) - va) / (vb - va), 0.0, 1.0);
  }
  return {double(a.px - 1) + t * double(b.px - a.px), double(a.py - 1) + t * double(b.py - a.py)};
}

// Drops vertices on a straight line between their neighbours.
SlicePolygon without_straight_runs(const SlicePolygon& polygon) {
  const std::size_t n = polygon.size();
  if (n <= 3) return polygon;
  SlicePolygon out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = polygon[(i + n - 1) % n];
    const auto& q = polygon[i];
    const auto& r = polygon[(i + 1) % n];
    const double cross = (q[0] - p[0]) * (r[1] - q[1]) - (q[1] - p[1]) * (r[0] - q[0]);
    const double dot = (q[0] - p[0]) * (r[0] - q[0]) + (q[1] - p[1]) * (r[1] - q[1]);
    if (std::abs(cross) > 1e-12 || dot <= 0.0) out.push_back(q);
  }
  return out.size() >= 3 ? out : polygon;
}

}  // namespace

std::vector<SlicePolygon> iso_contours(const Image<float>& image, std::int64_t z, float level) {
  if (z < 0 || z >= image.size()[2]) throw std::out_of_range("iso_contours: no such slice");
  const PaddedSlice s(image, z, level);
  // Each segment runs from the crossing where a cell's counter-clockwise walk enters the inside to
  // the one where it leaves, so the inside is always on the same side; a neighbouring cell walks
  // the shared edge the other way, so every crossing ends one segment and starts one.
  std::unordered_map<std::int64_t, std::int64_t> next;
  std::unordered_map<std::int64_t, std::array<double, 2>> where;
  std::vector<std::int64_t> starts;  // in creation order, for a deterministic output order
  const auto add_segment = [&](Corner a0, Corner a1, Corner b0, Corner b1) {
    const std::int64_t from = edge_id(s, a0, a1), to = edge_id(s, b0, b1);
    next[from] = to;
    where.emplace(from, crossing(s, a0, a1));
    where.emplace(to, crossing(s, b0, b1));
    starts.push_back(from);
  };
  for (std::int64_t py = 0; py + 1 < s.height(); ++py) {
    for (std::int64_t px = 0; px + 1 < s.width(); ++px) {
      const Corner c[4] = {{px, py}, {px + 1, py}, {px + 1, py + 1}, {px, py + 1}};
      bool in[4];
      int count = 0;
      for (int k = 0; k < 4; ++k) count += in[k] = s.inside(c[k].px, c[k].py);
      if (count == 0 || count == 4) continue;
      // Edge k runs from corner k to corner k + 1. Entries: outside -> inside; exits: the reverse.
      std::vector<int> entries, exits;
      for (int k = 0; k < 4; ++k) {
        if (!in[k] && in[(k + 1) % 4]) entries.push_back(k);
        if (in[k] && !in[(k + 1) % 4]) exits.push_back(k);
      }
      const auto edge_corners = [&](int k) { return std::pair{c[k], c[(k + 1) % 4]}; };
      if (entries.size() == 1) {
        const auto [a0, a1] = edge_corners(entries[0]);
        const auto [b0, b1] = edge_corners(exits[0]);
        add_segment(a0, a1, b0, b1);
        continue;
      }
      // A saddle: two entries and two exits. Joined through the centre, each entry leads to the
      // exit just before it (cutting off an outside corner); apart, to the exit just after it
      // (cutting off an inside corner).
      double mean = 0.0;
      for (int k = 0; k < 4; ++k) mean += s.real(c[k].px, c[k].py) ? s.value(c[k].px, c[k].py) : 0.0;
      const bool joined = mean / 4.0 >= double(level);
      for (const int entry : entries) {
        const int exit = joined ? (entry + 3) % 4 : (entry + 1) % 4;
        const auto [a0, a1] = edge_corners(entry);
        const auto [b0, b1] = edge_corners(exit);
        add_segment(a0, a1, b0, b1);
      }
    }
  }
  std::vector<SlicePolygon> polygons;
  std::unordered_map<std::int64_t, bool> used;
  for (const std::int64_t start : starts) {
    if (used[start]) continue;
    SlicePolygon polygon;
    std::int64_t at = start;
    while (!used[at]) {
      used[at] = true;
      polygon.push_back(where.at(at));
      const auto step = next.find(at);
      if (step == next.end()) throw std::logic_error("iso_contours: an iso-line does not close");
      at = step->second;
    }
    if (at != start) throw std::logic_error("iso_contours: iso-lines cross");
    polygons.push_back(without_straight_runs(polygon));
  }
  return polygons;
}

double signed_area(const SlicePolygon& polygon) {
  double twice = 0.0;
  for (std::size_t i = 0; i < polygon.size(); ++i) {
    const auto& p = polygon[i];
    const auto& q = polygon[(i + 1) % polygon.size()];
    twice += p[0] * q[1] - q[0] * p[1];
  }
  return twice / 2.0;
}

}  // namespace modir::filter
