#include "modir/filter/label_pieces.h"

#include <algorithm>
#include <cmath>

#include "modir/filter/connected_components.h"

namespace modir::filter {

VoxelMoments& VoxelMoments::operator+=(const VoxelMoments& other) {
  voxels += other.voxels;
  index_sum += other.index_sum;
  for (int k = 0; k < 6; ++k) products[k] += other.products[k];
  touches_outer_layer = touches_outer_layer || other.touches_outer_layer;
  return *this;
}

Vec3d VoxelMoments::centroid(const Geometry& grid) const {
  return grid.index_to_world(index_sum / static_cast<double>(voxels));
}

// The world covariance is M C M^T, with C the covariance of the indices and M the index-to-world
// matrix; the spread along world axis a is the root of its diagonal entry.
Vec3d VoxelMoments::spread(const Geometry& grid) const {
  const double n = static_cast<double>(voxels);
  const Vec3d mean = index_sum / n;
  constexpr int kProduct[3][3] = {{0, 3, 4}, {3, 1, 5}, {4, 5, 2}};
  Mat3 index_covariance;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      index_covariance(a, b) =
          products[kProduct[a][b]] / n - mean[std::size_t(a)] * mean[std::size_t(b)];
  const Mat3 m = grid.index_to_world_matrix();
  const Mat3 world = m * index_covariance * m.transposed();
  return {std::sqrt(std::max(world(0, 0), 0.0)), std::sqrt(std::max(world(1, 1), 0.0)),
          std::sqrt(std::max(world(2, 2), 0.0))};
}

namespace {

/// The moments of the voxels first..last of one row, in closed form.
VoxelMoments run_moments(const LabelRun& run, const Size3& size) {
  const auto sum_to = [](double n) { return n * (n + 1.0) / 2.0; };  // 0 + ... + n
  const auto squares_to = [](double n) { return n * (n + 1.0) * (2.0 * n + 1.0) / 6.0; };
  const double a = double(run.first), b = double(run.last), y = double(run.y), z = double(run.z);
  const double k = b - a + 1.0;
  const double sx = sum_to(b) - sum_to(a - 1.0), sxx = squares_to(b) - squares_to(a - 1.0);
  VoxelMoments m;
  m.voxels = run.last - run.first + 1;
  m.index_sum = {sx, k * y, k * z};
  const double products[6] = {sxx, k * y * y, k * z * z, sx * y, sx * z, k * y * z};
  std::copy(products, products + 6, m.products);
  m.touches_outer_layer = run.first == 0 || run.last == size[0] - 1 || run.y == 0 ||
                          run.y == size[1] - 1 || run.z == 0 || run.z == size[2] - 1;
  return m;
}

}  // namespace

std::vector<std::vector<VoxelMoments>> label_pieces(const LabelMap& labels) {
  const std::vector<LabelRun> runs = label_runs(labels, std::nullopt);
  // Pieces are numbered over all labels in order of first appearance; each label's own list keeps
  // that order.
  std::vector<std::pair<std::uint16_t, std::int32_t>> place_of_piece;  // label, index in its list
  std::vector<std::vector<VoxelMoments>> out;
  for (const LabelRun& run : runs) {
    if (static_cast<std::size_t>(run.piece) == place_of_piece.size()) {
      if (out.size() <= run.label) out.resize(std::size_t{run.label} + 1);
      place_of_piece.emplace_back(run.label, static_cast<std::int32_t>(out[run.label].size()));
      out[run.label].emplace_back();
    }
    const auto [label, index] = place_of_piece[static_cast<std::size_t>(run.piece)];
    out[label][static_cast<std::size_t>(index)] += run_moments(run, labels.size());
  }
  return out;
}

std::vector<VoxelMoments> pieces_at_least(const std::vector<VoxelMoments>& pieces, double min_share,
                                          double min_voxels) {
  std::int64_t largest = 0;
  for (const VoxelMoments& p : pieces) largest = std::max(largest, p.voxels);
  const double floor = std::max(min_share * static_cast<double>(largest), min_voxels);
  std::vector<VoxelMoments> kept;
  for (const VoxelMoments& p : pieces)
    if (static_cast<double>(p.voxels) >= floor) kept.push_back(p);
  return kept;
}

VoxelMoments combined(const std::vector<VoxelMoments>& pieces) {
  VoxelMoments sum;
  for (const VoxelMoments& p : pieces) sum += p;
  return sum;
}

}  // namespace modir::filter
