#include "modir/phantom/bone_shield.h"

#include <algorithm>
#include <cmath>

#include "modir/core/parallel.h"
#include "modir/filter/distance_transform.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {

namespace {

constexpr double kTableSpacingMm = 3.0;

}  // namespace

BoneShield::BoneShield(const Anatomy& anatomy, double margin_mm) : margin_mm_(margin_mm) {
  const auto [lo, hi] = anatomy.body_bounds();
  Geometry g;
  g.spacing = {kTableSpacingMm, kTableSpacingMm, kTableSpacingMm};
  g.origin = lo - Vec3d{margin_mm, margin_mm, margin_mm};
  const Vec3d extent = hi - lo + Vec3d{2 * margin_mm, 2 * margin_mm, 2 * margin_mm};
  for (std::size_t a = 0; a < 3; ++a)
    g.size[a] = static_cast<std::int64_t>(std::ceil(extent[a] / kTableSpacingMm)) + 1;
  Image<std::uint8_t> bone(g, 0);
  parallel_for_slices(g.size[2], [&](std::int64_t k) {
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const std::uint16_t label =
            anatomy.sample(g.index_to_world({double(i), double(j), double(k)})).label;
        bone(i, j, k) = label == kBone || label == kFemoralHeads;
      }
  });
  distance_mm_ = filter::distance_to_mask(bone);
}

double BoneShield::weight(const Vec3d& p) const {
  const Geometry& g = distance_mm_.geometry();
  const Vec3d index = (p - g.origin) / kTableSpacingMm;  // axis-aligned table
  std::int64_t i0[3];
  double f[3];
  for (std::size_t a = 0; a < 3; ++a) {
    const double q = std::clamp(index[a], 0.0, double(g.size[a] - 1) - 1e-9);
    i0[a] = static_cast<std::int64_t>(q);
    f[a] = q - double(i0[a]);
  }
  double d = 0.0;
  for (int corner = 0; corner < 8; ++corner) {
    double w = 1.0;
    std::int64_t at[3];
    for (int a = 0; a < 3; ++a) {
      const bool upper = (corner >> a) & 1;
      at[a] = std::min(i0[a] + (upper ? 1 : 0), g.size[static_cast<std::size_t>(a)] - 1);
      w *= upper ? f[a] : 1.0 - f[a];
    }
    d += w * double(distance_mm_(at[0], at[1], at[2]));
  }
  if (std::isinf(d)) return 1.0;  // an anatomy without bone
  const double t = std::clamp(d / margin_mm_, 0.0, 1.0);
  return t * t * t * (t * (6.0 * t - 15.0) + 10.0);
}

}  // namespace modir::phantom
