#pragma once

#include <cstdint>

#include "modir/core/image.h"

namespace modir::landmarks {

/// A scan as the landmark matcher sees it: on an isotropic grid with identity direction over the
/// scan's world box (so that keypoint windows and descriptor offsets are the same in mm in every
/// direction, whatever the slice thickness or orientation), plus where the patient is.
struct WorkingImage {
  Image<float> image;          ///< resampled, anti-aliased (Gaussian of half the new spacing)
  Image<std::uint8_t> region;  ///< 1 where keypoints may lie: inside the patient, away from edges
  bool looks_like_ct = false;  ///< intensities span air (below -500) to soft tissue: HU
};

/// The world box (LPS mm, axis-aligned) that a grid's voxels cover, faces included.
struct WorldBox {
  Vec3d low, high;
  bool overlaps(const WorldBox& other) const;
};
WorldBox world_box(const Geometry& geometry);

/// Resamples `scan` to `spacing_mm` and finds its region: for a CT (HU), the patient's outline
/// (filter::body_mask_from_ct); otherwise every voxel above the 5th intensity percentile. Voxels
/// within `edge_margin_mm` of the grid's faces are left out of the region, since a descriptor
/// there would read edge-replicated values.
WorkingImage make_working_image(const Image<float>& scan, double spacing_mm, double edge_margin_mm);

}  // namespace modir::landmarks
