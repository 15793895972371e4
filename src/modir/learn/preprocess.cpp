#include "modir/learn/preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

#include "modir/core/error.h"
#include "modir/filter/dense_objects.h"
#include "modir/filter/resample.h"

namespace modir::learn {

Geometry network_grid(const Geometry& image, const Vec3d& spacing) {
  Vec3d lo{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
           std::numeric_limits<double>::max()};
  Vec3d hi = lo * -1.0;
  for (int corner = 0; corner < 8; ++corner) {
    // Outer faces of the first and last voxels.
    const Vec3d index{(corner & 1) ? double(image.size[0]) - 0.5 : -0.5,
                      (corner & 2) ? double(image.size[1]) - 0.5 : -0.5,
                      (corner & 4) ? double(image.size[2]) - 0.5 : -0.5};
    const Vec3d world = image.index_to_world(index);
    for (std::size_t a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], world[a]);
      hi[a] = std::max(hi[a], world[a]);
    }
  }
  Geometry grid;
  grid.spacing = spacing;
  for (std::size_t a = 0; a < 3; ++a) {
    const double extent = hi[a] - lo[a];
    grid.size[a] = std::max<std::int64_t>(1, std::llround(std::ceil(extent / spacing[a] - 1e-6)));
    // Centre the (slightly larger) grid on the box.
    const double covered = double(grid.size[a]) * spacing[a];
    grid.origin[a] = lo[a] - 0.5 * (covered - extent) + 0.5 * spacing[a];
  }
  return grid;
}

void normalise(Image<float>& image, const Normalisation& n) {
  if (n.scheme != "ct")
    throw data_error("unknown normalisation scheme '{}' in the model plan", n.scheme);
  const float lo = static_cast<float>(n.clip_low), hi = static_cast<float>(n.clip_high);
  const float mean = static_cast<float>(n.mean), inv_std = static_cast<float>(1.0 / n.std);
  for (float& v : image.buffer()) v = (std::clamp(v, lo, hi) - mean) * inv_std;
}

Image<float> network_input(const Image<float>& image, const SegmentationPlan& plan,
                           bool fill_dense_objects) {
  const Geometry grid = network_grid(image.geometry(), plan.spacing);
  const std::optional<Image<float>> filled = fill_dense_objects && plan.normalisation.scheme == "ct"
                                                 ? filter::with_small_dense_objects_filled(image)
                                                 : std::nullopt;
  Image<float> out = filter::resample(filled ? *filled : image, grid,
                                      filter::Interpolation::kLinear, plan.normalisation.clip_low);
  normalise(out, plan.normalisation);
  return out;
}

Image<std::uint8_t> network_target(const LabelMap& labels, const Geometry& grid,
                                   const SegmentationPlan& plan) {
  std::array<std::uint8_t, 65536> channel{};
  for (std::size_t c = 0; c < plan.classes.size(); ++c)
    channel[plan.classes[c].id] = static_cast<std::uint8_t>(c);
  const LabelMap resampled = filter::resample(labels, grid, filter::Interpolation::kNearest, 0.0);
  Image<std::uint8_t> out(grid);
  for (std::int64_t i = 0; i < out.voxel_count(); ++i) out.data()[i] = channel[resampled.data()[i]];
  return out;
}

}  // namespace modir::learn
