#include "modir/filter/connected_components.h"

#include <algorithm>
#include <vector>

namespace modir::filter {

std::int64_t Components::largest() const {
  return sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
}

namespace {

std::int64_t find_root(std::vector<std::int64_t>& parent, std::int64_t r) {
  while (parent[static_cast<std::size_t>(r)] != r) {
    const std::int64_t up = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(r)])];
    parent[static_cast<std::size_t>(r)] = up;  // path halving
    r = up;
  }
  return r;
}

}  // namespace

// Runs along x, joined by union-find with the runs of the same label in the four earlier rows that
// can touch them (26-connectivity: rows (y-1, z), (y-1, z-1), (y, z-1), (y+1, z-1), each run grown
// by one voxel along x). This matters for organs of a million voxels (the body, every bone).
std::vector<LabelRun> label_runs(const LabelMap& labels, std::optional<std::uint16_t> only) {
  const Size3 size = labels.size();
  const std::int64_t nx = size[0], ny = size[1], nz = size[2];
  const std::int64_t rows = ny * nz;
  const std::uint16_t* value = labels.data();
  std::vector<LabelRun> runs;
  std::vector<std::int64_t> row_begin(static_cast<std::size_t>(rows + 1), 0);
  for (std::int64_t row = 0; row < rows; ++row) {
    row_begin[static_cast<std::size_t>(row)] = static_cast<std::int64_t>(runs.size());
    const std::uint16_t* line = value + nx * row;
    for (std::int64_t x = 0; x < nx;) {
      const std::uint16_t label = line[x];
      if (label == 0 || (only && label != *only)) {
        ++x;
        continue;
      }
      const std::int64_t first = x;
      while (x < nx && line[x] == label) ++x;
      runs.push_back({label, row % ny, row / ny, first, x - 1, 0});
    }
  }
  row_begin[static_cast<std::size_t>(rows)] = static_cast<std::int64_t>(runs.size());

  std::vector<std::int64_t> parent(runs.size());
  for (std::size_t r = 0; r < parent.size(); ++r) parent[r] = static_cast<std::int64_t>(r);
  const auto join = [&](std::int64_t a, std::int64_t b) {
    a = find_root(parent, a);
    b = find_root(parent, b);
    // The root is the earlier run, so a piece's root is its first run in raster order.
    if (a < b) parent[static_cast<std::size_t>(b)] = a;
    if (b < a) parent[static_cast<std::size_t>(a)] = b;
  };
  constexpr std::int64_t kEarlier[4][2] = {{-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::int64_t y = row % ny, z = row / ny;
    const std::int64_t begin = row_begin[static_cast<std::size_t>(row)];
    const std::int64_t end = row_begin[static_cast<std::size_t>(row + 1)];
    if (begin == end) continue;
    for (const auto& [dy, dz] : kEarlier) {
      const std::int64_t oy = y + dy, oz = z + dz;
      if (oy < 0 || oy >= ny || oz < 0) continue;
      const std::int64_t other = oy + ny * oz;
      std::int64_t o = row_begin[static_cast<std::size_t>(other)];
      const std::int64_t o_end = row_begin[static_cast<std::size_t>(other + 1)];
      // Both rows' runs are sorted along x: one merge-like sweep finds every overlap.
      for (std::int64_t r = begin; r < end && o < o_end; ++r) {
        const LabelRun& run = runs[static_cast<std::size_t>(r)];
        while (o < o_end && runs[static_cast<std::size_t>(o)].last < run.first - 1) ++o;
        for (std::int64_t p = o;
             p < o_end && runs[static_cast<std::size_t>(p)].first <= run.last + 1; ++p)
          if (runs[static_cast<std::size_t>(p)].label == run.label) join(r, p);
      }
    }
  }

  // Piece numbers in order of each piece's first voxel in raster order, as a seed scan would find
  // them.
  std::vector<std::int32_t> piece_of_root(runs.size(), -1);
  std::int32_t pieces = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const auto root = static_cast<std::size_t>(find_root(parent, static_cast<std::int64_t>(r)));
    if (piece_of_root[root] < 0) piece_of_root[root] = pieces++;
    runs[r].piece = piece_of_root[root];
  }
  return runs;
}

Components connected_components(const LabelMap& labels, std::uint16_t label) {
  const std::int64_t nx = labels.size()[0], ny = labels.size()[1];
  Components out;
  out.index.assign(static_cast<std::size_t>(labels.voxel_count()), -1);
  for (const LabelRun& run : label_runs(labels, label)) {
    if (static_cast<std::size_t>(run.piece) >= out.sizes.size()) out.sizes.resize(run.piece + 1, 0);
    out.sizes[static_cast<std::size_t>(run.piece)] += run.last - run.first + 1;
    const std::int64_t row = run.y + ny * run.z;
    std::fill(out.index.begin() + nx * row + run.first, out.index.begin() + nx * row + run.last + 1,
              run.piece);
  }
  return out;
}

std::int64_t remove_small_components(LabelMap& labels, std::uint16_t label, double min_fraction,
                                     std::uint16_t fill) {
  const Components components = connected_components(labels, label);
  if (components.sizes.size() < 2) return 0;
  const double keep_from = min_fraction * static_cast<double>(components.largest());
  std::int64_t removed = 0;
  for (std::size_t v = 0; v < components.index.size(); ++v) {
    const std::int32_t c = components.index[v];
    if (c >= 0 && static_cast<double>(components.sizes[static_cast<std::size_t>(c)]) < keep_from) {
      labels.data()[v] = fill;
      ++removed;
    }
  }
  return removed;
}

}  // namespace modir::filter
