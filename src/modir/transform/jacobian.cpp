#include "modir/transform/jacobian.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "modir/core/parallel.h"

namespace modir::transform {

Image<float> jacobian_determinant(const DisplacementField& field) {
  const Geometry& g = field.geometry();
  const Mat3 index_from_world = g.index_to_world_matrix().inverse();
  const std::int64_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  Image<float> det(g);
  parallel_for_slices(nz, [&](std::int64_t k) {
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        // Column a of d: du / d(index a), by central or one-sided differences.
        Mat3 d;
        const std::int64_t at[3] = {i, j, k};
        const std::int64_t n[3] = {nx, ny, nz};
        for (int a = 0; a < 3; ++a) {
          std::int64_t lo[3] = {i, j, k}, hi[3] = {i, j, k};
          lo[a] = std::max<std::int64_t>(at[a] - 1, 0);
          hi[a] = std::min<std::int64_t>(at[a] + 1, n[a] - 1);
          const double step = static_cast<double>(hi[a] - lo[a]);
          Vec3d derivative{0, 0, 0};
          if (step > 0) {
            derivative = (field(hi[0], hi[1], hi[2]).cast<double>() -
                          field(lo[0], lo[1], lo[2]).cast<double>()) /
                         step;
          }
          for (int r = 0; r < 3; ++r) d(r, a) = derivative[r];
        }
        Mat3 jacobian = d * index_from_world;
        for (int r = 0; r < 3; ++r) jacobian(r, r) += 1.0;
        det(i, j, k) = static_cast<float>(jacobian.determinant());
      }
    }
  });
  return det;
}

JacobianStatistics jacobian_statistics(const Image<float>& determinant) {
  // Per-slice partial sums added in slice order: the same figures for any thread count. A front
  // takes these statistics of every solution, so the loop (a logarithm per voxel) runs in parallel.
  struct Partial {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double sum = 0.0, log_sum = 0.0, log_sq = 0.0;
    std::int64_t folded = 0, unfolded = 0;
  };
  const Size3& n3 = determinant.size();
  const std::int64_t plane = n3[0] * n3[1];
  std::vector<Partial> slices(static_cast<std::size_t>(std::max<std::int64_t>(n3[2], 0)));
  parallel_for_slices(n3[2], [&](std::int64_t z) {
    Partial p;
    const float* d = determinant.data() + plane * z;
    for (std::int64_t i = 0; i < plane; ++i) {
      const float v = d[i];
      p.min = std::min(p.min, static_cast<double>(v));
      p.max = std::max(p.max, static_cast<double>(v));
      p.sum += v;
      if (v <= 0.0f) {
        ++p.folded;
      } else {
        const double l = std::log(static_cast<double>(v));
        p.log_sum += l;
        p.log_sq += l * l;
        ++p.unfolded;
      }
    }
    slices[static_cast<std::size_t>(z)] = p;
  });
  JacobianStatistics s;
  s.min = std::numeric_limits<double>::infinity();
  s.max = -s.min;
  double sum = 0.0, log_sum = 0.0, log_sq = 0.0;
  std::int64_t unfolded = 0;
  for (const Partial& p : slices) {
    s.min = std::min(s.min, p.min);
    s.max = std::max(s.max, p.max);
    sum += p.sum;
    log_sum += p.log_sum;
    log_sq += p.log_sq;
    s.folded_voxels += p.folded;
    unfolded += p.unfolded;
  }
  const auto n = static_cast<double>(std::max<std::int64_t>(determinant.voxel_count(), 1));
  s.mean = sum / n;
  s.folded_fraction = static_cast<double>(s.folded_voxels) / n;
  if (unfolded > 1) {
    const double mean_log = log_sum / static_cast<double>(unfolded);
    s.std_log =
        std::sqrt(std::max(0.0, log_sq / static_cast<double>(unfolded) - mean_log * mean_log));
  }
  return s;
}

}  // namespace modir::transform
