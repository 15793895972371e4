#include "modir/phantom/landmarks.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <set>

#include "modir/core/parallel.h"

namespace modir::phantom {

namespace {

// True when the continuous index lies at least `margin` voxels inside the grid.
bool well_inside(const Geometry& g, const Vec3d& index, double margin) {
  for (int a = 0; a < 3; ++a) {
    const double m = std::min(margin, 0.5 * static_cast<double>(g.size[a] - 1));
    if (index[a] < m || index[a] > static_cast<double>(g.size[a] - 1) - m) return false;
  }
  return true;
}

struct Candidate {
  double response;
  std::int64_t i, j, k;
};

// Corner-like points: the smallest eigenvalue of the structure tensor is large only where the
// intensity changes in all three directions. det(M) / trace(M)^2 approximates it scale-free.
std::vector<Candidate> corner_candidates(const Image<float>& hu) {
  const Geometry& g = hu.geometry();
  const Size3 n = g.size;
  std::vector<std::vector<Candidate>> per_slice(static_cast<std::size_t>(n[2]));
  parallel_for_slices(n[2], [&](std::int64_t k) {
    if (k < 2 || k >= n[2] - 2) return;
    for (std::int64_t j = 2; j < n[1] - 2; j += 2) {
      for (std::int64_t i = 2; i < n[0] - 2; i += 2) {
        double m[6] = {0, 0, 0, 0, 0, 0};  // xx yy zz xy xz yz
        for (int dk = -1; dk <= 1; ++dk)
          for (int dj = -1; dj <= 1; ++dj)
            for (int di = -1; di <= 1; ++di) {
              const std::int64_t x = i + di, y = j + dj, z = k + dk;
              const double gx = (hu(x + 1, y, z) - hu(x - 1, y, z)) / (2 * g.spacing.x);
              const double gy = (hu(x, y + 1, z) - hu(x, y - 1, z)) / (2 * g.spacing.y);
              const double gz = (hu(x, y, z + 1) - hu(x, y, z - 1)) / (2 * g.spacing.z);
              m[0] += gx * gx;
              m[1] += gy * gy;
              m[2] += gz * gz;
              m[3] += gx * gy;
              m[4] += gx * gz;
              m[5] += gy * gz;
            }
        const double trace = m[0] + m[1] + m[2];
        if (trace < 1e2) continue;  // flat: no structure at all
        const double det = m[0] * (m[1] * m[2] - m[5] * m[5]) - m[3] * (m[3] * m[2] - m[5] * m[4]) +
                           m[4] * (m[3] * m[5] - m[1] * m[4]);
        const double response = det / (trace * trace * trace);
        if (response > 1e-3) per_slice[static_cast<std::size_t>(k)].push_back({response, i, j, k});
      }
    }
  });
  std::vector<Candidate> all;
  for (const auto& s : per_slice) all.insert(all.end(), s.begin(), s.end());
  // Deterministic order: by response, ties by position.
  std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    if (a.response != b.response) return a.response > b.response;
    return std::tie(a.k, a.j, a.i) < std::tie(b.k, b.j, b.i);
  });
  return all;
}

}  // namespace

LandmarkPairs place_landmarks(const Anatomy& anatomy, const PhantomDeformation& deformation,
                              const Geometry& fixed_grid, const Geometry& moving_grid,
                              const Image<float>& fixed_ideal_hu, std::size_t minimum_count) {
  LandmarkPairs pairs;
  std::set<std::int64_t> used_voxels;
  auto add = [&](const std::string& id, const Vec3d& snapped_index) {
    const Vec3d x = fixed_grid.index_to_world(snapped_index);
    const Vec3d y = deformation.map(x);
    if (!well_inside(moving_grid, moving_grid.world_to_index(y), 1.0)) return false;
    const auto linear = static_cast<std::int64_t>(
        snapped_index.x +
        fixed_grid.size[0] * (snapped_index.y + fixed_grid.size[1] * snapped_index.z));
    if (!used_voxels.insert(linear).second) return false;
    for (const Point& p : pairs.fixed.points) {
      if ((p.position - x).norm() < 4.0) return false;  // keep landmarks distinct
    }
    pairs.fixed.points.push_back({id, x});
    pairs.moving.points.push_back({id, y});
    return true;
  };

  for (const auto& [name, point] : anatomy.distinctive_points()) {
    const Vec3d x = deformation.soft_inverse(point);
    const Vec3d index = fixed_grid.world_to_index(x);
    if (!well_inside(fixed_grid, index, 2.0)) continue;
    add(name, {std::round(index.x), std::round(index.y), std::round(index.z)});
  }

  if (pairs.fixed.size() < minimum_count) {
    int corner = 0;
    for (const Candidate& c : corner_candidates(fixed_ideal_hu)) {
      if (pairs.fixed.size() >= minimum_count) break;
      const Vec3d index{static_cast<double>(c.i), static_cast<double>(c.j),
                        static_cast<double>(c.k)};
      const Vec3d x = fixed_grid.index_to_world(index);
      const bool far = std::all_of(pairs.fixed.points.begin(), pairs.fixed.points.end(),
                                   [&](const Point& p) { return (p.position - x).norm() >= 12.0; });
      if (far && add(fmt::format("corner_{:03d}", corner), index)) ++corner;
    }
  }
  return pairs;
}

}  // namespace modir::phantom
