#include "modir/learn/metal_check.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "modir/core/error.h"

namespace modir::learn {

MetalFinding find_metal(const Image<float>& image, const LabelMap& labels,
                        const std::vector<LabelClass>& classes, const MetalOptions& options) {
  const Geometry& g = image.geometry();
  if (labels.size() != g.size)
    throw data_error("the labels' grid ({}x{}x{}) is not the image's ({}x{}x{})", labels.size()[0],
                     labels.size()[1], labels.size()[2], g.size[0], g.size[1], g.size[2]);
  MetalFinding finding;
  finding.near_class_ml.assign(classes.size(), 0.0);
  // Class index by label id, as a flat table: it is looked up for every neighbour of every metal
  // voxel (0 = no class of interest).
  std::vector<std::size_t> class_of(std::size_t{1} << 16, 0);
  for (std::size_t c = 1; c < classes.size(); ++c) class_of[classes[c].id] = c;
  const double voxel_ml = g.voxel_ml();
  // The neighbourhood within reach, as index offsets (an ellipsoid in index space).
  std::vector<std::array<std::int64_t, 3>> offsets;
  const std::int64_t r[3] = {static_cast<std::int64_t>(std::floor(options.reach_mm / g.spacing.x)),
                             static_cast<std::int64_t>(std::floor(options.reach_mm / g.spacing.y)),
                             static_cast<std::int64_t>(std::floor(options.reach_mm / g.spacing.z))};
  for (std::int64_t dz = -r[2]; dz <= r[2]; ++dz)
    for (std::int64_t dy = -r[1]; dy <= r[1]; ++dy)
      for (std::int64_t dx = -r[0]; dx <= r[0]; ++dx) {
        const double d2 = std::pow(dx * g.spacing.x, 2) + std::pow(dy * g.spacing.y, 2) +
                          std::pow(dz * g.spacing.z, 2);
        if (d2 <= options.reach_mm * options.reach_mm) offsets.push_back({dx, dy, dz});
      }
  const Size3& n = g.size;
  std::vector<char> seen(classes.size());
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x < n[0]; ++x) {
        if (!(image(x, y, z) >= options.threshold_hu)) continue;
        finding.total_ml += voxel_ml;
        std::fill(seen.begin(), seen.end(), 0);
        for (const auto& o : offsets) {
          const std::int64_t i = x + o[0], j = y + o[1], k = z + o[2];
          if (i < 0 || j < 0 || k < 0 || i >= n[0] || j >= n[1] || k >= n[2]) continue;
          seen[class_of[labels(i, j, k)]] = 1;
        }
        for (std::size_t c = 1; c < classes.size(); ++c)
          if (seen[c]) finding.near_class_ml[c] += voxel_ml;
      }
  return finding;
}

}  // namespace modir::learn
