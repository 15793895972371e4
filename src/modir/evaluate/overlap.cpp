#include "modir/evaluate/overlap.h"

#include <limits>

#include "modir/evaluate/grid_check.h"

namespace modir::evaluate {

std::vector<LabelOverlap> label_overlaps(const LabelMap& fixed, const LabelMap& warped) {
  require_same_grid(fixed.geometry(), "fixed labels", warped.geometry(), "warped labels");
  // One pass over the voxels with a counter per possible label value, rather than one pass per
  // label: a few hundred kilobytes of counters against a volume of millions of voxels.
  constexpr std::size_t kValues = std::numeric_limits<std::uint16_t>::max() + std::size_t{1};
  std::vector<std::int64_t> in_fixed(kValues, 0), in_warped(kValues, 0), in_both(kValues, 0);
  const std::uint16_t* f = fixed.data();
  const std::uint16_t* w = warped.data();
  for (std::int64_t v = 0; v < fixed.voxel_count(); ++v) {
    ++in_fixed[f[v]];
    ++in_warped[w[v]];
    if (f[v] == w[v]) ++in_both[f[v]];
  }
  const double voxel_ml = fixed.geometry().voxel_ml();
  std::vector<LabelOverlap> overlaps;
  for (std::size_t label = 1; label < kValues; ++label) {
    if (in_fixed[label] == 0 && in_warped[label] == 0) continue;
    LabelOverlap o;
    o.label = static_cast<std::uint16_t>(label);
    o.fixed_voxels = in_fixed[label];
    o.warped_voxels = in_warped[label];
    o.common_voxels = in_both[label];
    o.fixed_ml = static_cast<double>(o.fixed_voxels) * voxel_ml;
    o.warped_ml = static_cast<double>(o.warped_voxels) * voxel_ml;
    o.dice = 2.0 * static_cast<double>(o.common_voxels) /
             static_cast<double>(o.fixed_voxels + o.warped_voxels);
    overlaps.push_back(o);
  }
  return overlaps;
}

}  // namespace modir::evaluate
