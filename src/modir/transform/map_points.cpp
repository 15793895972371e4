#include "modir/transform/map_points.h"

#include <algorithm>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/transform/invert_field.h"
#include "modir/transform/sample_field.h"

namespace modir::transform {

PointSet map_points_forward(const DisplacementField& field, const PointSet& fixed,
                            const std::string& points_name, const std::string& field_name) {
  const Geometry& grid = field.geometry();
  PointSet moving;
  moving.points.reserve(fixed.size());
  for (const Point& p : fixed.points) {
    if (!grid.contains_index(grid.world_to_index(p.position))) {
      throw data_error(
          "point '{}' of '{}' at ({:.2f}, {:.2f}, {:.2f}) mm lies outside the grid of the "
          "displacement field '{}'; remove it or use a field that covers it",
          p.id, points_name, p.position.x, p.position.y, p.position.z, field_name);
    }
    moving.points.push_back({p.id, map_point(field, p.position)});
  }
  return moving;
}

PointsBack map_points_back(const DisplacementField& field, const PointSet& moving,
                           const std::string& points_name, const std::string& field_name) {
  const Geometry& grid = field.geometry();
  PointsBack out;
  out.fixed.points.reserve(moving.size());
  for (const Point& p : moving.points) {
    const InversePoint back = invert_point(field, p.position);
    if (!back.inside || !grid.contains_index(grid.world_to_index(back.x))) {
      throw data_error(
          "point '{}' of '{}' at ({:.2f}, {:.2f}, {:.2f}) mm comes from outside the grid of the "
          "displacement field '{}' (no fixed point maps onto it); remove it",
          p.id, points_name, p.position.x, p.position.y, p.position.z, field_name);
    }
    if (back.residual_mm > 0.01) {
      warn("point '{}': x + u(x) stays {:.3f} mm from it (the field folds or nearly folds there)",
           p.id, back.residual_mm);
    }
    out.worst_residual_mm = std::max(out.worst_residual_mm, back.residual_mm);
    out.fixed.points.push_back({p.id, back.x});
  }
  return out;
}

}  // namespace modir::transform
