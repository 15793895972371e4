#include "modir/phantom/variety.h"

#include <algorithm>
#include <cmath>

namespace modir::phantom {

namespace {

ScanVariety draw_scan(Rng& rng, double min_coverage) {
  ScanVariety v;
  v.slice_mm = rng.uniform(1.0, 5.0);
  v.z_coverage = rng.uniform(min_coverage, 1.0);
  v.z_offset_fraction = rng.uniform(-1.0, 1.0);
  v.fov_offset_mm = {rng.uniform(-25, 25), rng.uniform(-25, 25), 0.0};
  v.inplane_blur_mm = rng.uniform(0.4, 1.0);
  v.noise_sigma_hu = rng.uniform(8, 45);
  v.noise_correlation_mm = rng.uniform(0.0, 1.2);
  v.contrast_scale = rng.uniform(0.9, 1.1);
  v.hu_offset = rng.uniform(-20, 20);
  return v;
}

}  // namespace

PairVariety draw_variety(Rng& rng) {
  PairVariety p;
  p.fixed = draw_scan(rng, 0.75);
  p.moving = draw_scan(rng, 0.6);
  return p;
}

Geometry varied_grid(const Geometry& nominal, const ScanVariety& v) {
  Geometry g = nominal;
  const double nominal_extent = double(nominal.size[2]) * nominal.spacing.z;
  const double extent = nominal_extent * v.z_coverage;
  g.spacing.z = v.slice_mm;
  g.size[2] = std::max<std::int64_t>(8, static_cast<std::int64_t>(std::floor(extent / v.slice_mm)));
  // Centre of the kept range, moved within what the nominal range leaves free.
  const double free = std::max(0.0, nominal_extent - double(g.size[2]) * v.slice_mm);
  const Vec3d nominal_centre = nominal.index_to_world(
      {0.5 * double(nominal.size[0] - 1), 0.5 * double(nominal.size[1] - 1),
       0.5 * double(nominal.size[2] - 1)});
  const Vec3d centre =
      nominal_centre + nominal.direction * (v.fov_offset_mm + Vec3d{0, 0, 0.5 * free * v.z_offset_fraction});
  const Vec3d half{0.5 * double(g.size[0] - 1) * g.spacing.x, 0.5 * double(g.size[1] - 1) * g.spacing.y,
                   0.5 * double(g.size[2] - 1) * g.spacing.z};
  g.origin = centre - g.direction * half;
  return g;
}

nlohmann::json to_json(const ScanVariety& v) {
  return {{"slice_mm", v.slice_mm},
          {"z_coverage", v.z_coverage},
          {"z_offset_fraction", v.z_offset_fraction},
          {"fov_offset_mm", {v.fov_offset_mm.x, v.fov_offset_mm.y, v.fov_offset_mm.z}},
          {"inplane_blur_mm", v.inplane_blur_mm},
          {"noise_sigma_hu", v.noise_sigma_hu},
          {"noise_correlation_mm", v.noise_correlation_mm},
          {"contrast_scale", v.contrast_scale},
          {"hu_offset", v.hu_offset}};
}

}  // namespace modir::phantom
