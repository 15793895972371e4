#include "modir/evaluate/grid_check.h"

#include <fmt/format.h>

#include "modir/core/error.h"

namespace modir::evaluate {

std::string describe_grid(const Geometry& grid) {
  return fmt::format("{}x{}x{} voxels of {:g}x{:g}x{:g} mm at ({:g}, {:g}, {:g}) mm, {}",
                     grid.size[0], grid.size[1], grid.size[2], grid.spacing.x, grid.spacing.y,
                     grid.spacing.z, grid.origin.x, grid.origin.y, grid.origin.z,
                     grid.orientation_toward());
}

void require_same_grid(const Geometry& first, const std::string& first_name, const Geometry& second,
                       const std::string& second_name) {
  if (first.same_grid(second)) return;
  throw data_error(
      "'{}' and '{}' are not on the same grid ({} vs {}); resample or warp one onto the other's "
      "grid first",
      first_name, second_name, describe_grid(first), describe_grid(second));
}

}  // namespace modir::evaluate
