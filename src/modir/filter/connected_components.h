#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::filter {

/// The 26-connected components of one label's voxels.
struct Components {
  /// Per voxel, in the label map's order: the component's index into `sizes`, or -1 where the
  /// voxel does not carry the label.
  std::vector<std::int32_t> index;
  std::vector<std::int64_t> sizes;  ///< voxels per component, in order of discovery
  std::int64_t largest() const;     ///< voxels of the largest component (0 when there is none)
};

/// Components of the voxels of `labels` equal to `label` (26-connectivity: voxels touching at a
/// corner are one organ, as a contour drawn slice by slice expects).
Components connected_components(const LabelMap& labels, std::uint16_t label);

/// Sets the voxels of `label` that lie in components smaller than `min_fraction` times the
/// label's largest component to `fill`. Returns the number of voxels changed.
std::int64_t remove_small_components(LabelMap& labels, std::uint16_t label, double min_fraction,
                                     std::uint16_t fill);

}  // namespace modir::filter
