#include "modir/phantom/couch.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "modir/core/parallel.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {

Couch draw_couch(Rng& rng) {
  Couch c;
  c.gap_mm = rng.uniform(0.0, 6.0);
  c.mattress_mm = rng.chance(0.5) ? rng.uniform(5.0, 40.0) : 0.0;
  c.mattress_hu = rng.uniform(-950.0, -700.0);
  c.thickness_mm = rng.uniform(30.0, 60.0);
  c.skin_mm = rng.uniform(1.5, 4.0);
  c.skin_hu = rng.uniform(50.0, 500.0);
  c.core_hu = rng.uniform(-980.0, -800.0);
  c.half_width_mm = rng.uniform(220.0, 260.0);
  c.trough_per_mm2 = rng.chance(0.3) ? 0.0 : 1.0 / rng.uniform(2500.0, 8000.0);
  c.rail_hu = rng.chance(0.5) ? rng.uniform(400.0, 1500.0) : 0.0;
  return c;
}

namespace {

/// The patient's lowest point (largest world y) and the left-right centre of the labelled voxels.
bool patient_extent(const LabelMap& labels, double& lowest_y, double& centre_x) {
  const Geometry& g = labels.geometry();
  lowest_y = -std::numeric_limits<double>::infinity();
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        if (labels(i, j, k) == kBackground) continue;
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        lowest_y = std::max(lowest_y, p.y);
        x_min = std::min(x_min, p.x);
        x_max = std::max(x_max, p.x);
      }
  centre_x = 0.5 * (x_min + x_max);
  return std::isfinite(lowest_y);
}

}  // namespace

void add_couch(IdealScan& scan, const Couch& c) {
  double lowest_y = 0.0, centre_x = 0.0;
  if (!patient_extent(scan.labels, lowest_y, centre_x)) return;
  const Geometry& g = scan.labels.geometry();
  const double mattress_top = lowest_y + c.gap_mm;
  const double table_top = mattress_top + c.mattress_mm;
  // The couch's layers are thinner than some voxels: each voxel gets the mean over its extent
  // along y (kSamples points), as a scanner's partial volume would, so a 2 mm skin shows on a
  // 2 mm grid wherever it lies.
  constexpr int kSamples = 5;
  const double voxel_y = std::abs((g.direction * Vec3d{g.spacing.x, 0, 0}).y) +
                         std::abs((g.direction * Vec3d{0, g.spacing.y, 0}).y) +
                         std::abs((g.direction * Vec3d{0, 0, g.spacing.z}).y);
  auto couch_hu = [&](double x, double y, double air) {
    const double lift = c.trough_per_mm2 * x * x;  // the trough lifts the edges
    // Depth below the top surfaces (LPS: +y is posterior, down for a supine patient).
    const double below_mattress = y - (mattress_top - lift);
    const double below_table = y - (table_top - lift);
    if (below_mattress >= 0.0 && below_table < 0.0) return c.mattress_hu;
    if (below_table >= 0.0 && below_table < c.thickness_mm) {
      const bool skin = below_table < c.skin_mm || below_table >= c.thickness_mm - c.skin_mm;
      return skin ? c.skin_hu : c.core_hu;
    }
    if (c.rail_hu != 0.0 && below_table >= c.thickness_mm && below_table < c.thickness_mm + 20.0 &&
        std::abs(x) > c.half_width_mm - 10.0)
      return c.rail_hu;
    return air;
  };
  parallel_for_slices(g.size[2], [&](std::int64_t k) {
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        if (scan.labels(i, j, k) != kBackground) continue;
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        const double x = p.x - centre_x;
        if (std::abs(x) > c.half_width_mm) continue;
        float& hu = scan.hu(i, j, k);
        double sum = 0.0;
        for (int s = 0; s < kSamples; ++s)
          sum += couch_hu(x, p.y + voxel_y * ((s + 0.5) / kSamples - 0.5), hu);
        hu = static_cast<float>(sum / kSamples);
      }
  });
}

nlohmann::json to_json(const Couch& c) {
  return {{"gap_mm", c.gap_mm},
          {"mattress_mm", c.mattress_mm},
          {"mattress_hu", c.mattress_hu},
          {"thickness_mm", c.thickness_mm},
          {"skin_mm", c.skin_mm},
          {"skin_hu", c.skin_hu},
          {"core_hu", c.core_hu},
          {"half_width_mm", c.half_width_mm},
          {"trough_per_mm2", c.trough_per_mm2},
          {"rail_hu", c.rail_hu}};
}

}  // namespace modir::phantom
