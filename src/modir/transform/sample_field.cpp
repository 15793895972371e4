#include "modir/transform/sample_field.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "modir/core/error.h"

namespace modir::transform {

namespace {

// The two neighbouring voxel indices along one axis and the weight of the upper one, for a
// continuous index clamped to the voxel centres.
struct AxisStencil {
  std::int64_t lower = 0;
  std::int64_t upper = 0;
  double weight = 0.0;
};

AxisStencil axis_stencil(double index, std::int64_t size) {
  const double clamped = std::clamp(index, 0.0, static_cast<double>(size - 1));
  AxisStencil s;
  // On the last centre, interpolate from the one before with weight 1, so `upper` stays inside.
  s.lower =
      std::min(static_cast<std::int64_t>(std::floor(clamped)), std::max<std::int64_t>(size - 2, 0));
  s.upper = std::min(s.lower + 1, size - 1);
  s.weight = clamped - static_cast<double>(s.lower);
  return s;
}

}  // namespace

Vec3d sample_field(const DisplacementField& field, const Vec3d& world) {
  const Vec3d index = field.geometry().world_to_index(world);
  if (!std::isfinite(index.x) || !std::isfinite(index.y) || !std::isfinite(index.z)) {
    throw data_error("cannot sample the displacement field at the non-finite point ({}, {}, {})",
                     world.x, world.y, world.z);
  }
  const Size3& n = field.size();
  const AxisStencil sx = axis_stencil(index.x, n[0]);
  const AxisStencil sy = axis_stencil(index.y, n[1]);
  const AxisStencil sz = axis_stencil(index.z, n[2]);
  Vec3d sum{0, 0, 0};
  for (int c = 0; c < 8; ++c) {
    const bool up_x = (c & 1) != 0, up_y = (c & 2) != 0, up_z = (c & 4) != 0;
    const double w = (up_x ? sx.weight : 1.0 - sx.weight) * (up_y ? sy.weight : 1.0 - sy.weight) *
                     (up_z ? sz.weight : 1.0 - sz.weight);
    if (w == 0.0) continue;
    sum += field(up_x ? sx.upper : sx.lower, up_y ? sy.upper : sy.lower, up_z ? sz.upper : sz.lower)
               .cast<double>() *
           w;
  }
  return sum;
}

Vec3d map_point(const DisplacementField& field, const Vec3d& fixed_world) {
  return fixed_world + sample_field(field, fixed_world);
}

}  // namespace modir::transform
