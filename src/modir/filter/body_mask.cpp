#include "modir/filter/body_mask.h"

#include <algorithm>
#include <vector>

#include "modir/core/parallel.h"
#include "modir/filter/connected_components.h"
#include "modir/filter/distance_transform.h"
#include "modir/filter/slice_holes.h"

namespace modir::filter {

namespace {

/// Opening by a ball of `radius_mm` with exact distances: erode (keep voxels farther than the
/// radius from any voxel outside), then dilate (voxels within the radius of what is left). The
/// region outside the grid counts as inside, so a body cut by the field of view keeps its cut
/// faces.
void open_by_ball(Image<std::uint8_t>& mask, double radius_mm) {
  if (radius_mm <= 0.0) return;
  const float r = static_cast<float>(radius_mm);
  // One distance map (4 bytes a voxel) and one byte mask beside `mask` at a time: this runs on
  // the scan's own grid, up to 512x512 by hundreds of slices.
  Image<std::uint8_t> core(mask.geometry());
  for (std::int64_t v = 0; v < mask.voxel_count(); ++v) core.data()[v] = mask.data()[v] ? 0 : 1;
  bool any = false;
  {
    const Image<float> to_outside = distance_to_mask(core);
    for (std::int64_t v = 0; v < mask.voxel_count(); ++v) {
      core.data()[v] = to_outside.data()[v] > r ? 1 : 0;
      any = any || core.data()[v];
    }
  }
  if (!any) return;  // everything is thinner than the ball: nothing to detach, leave the mask be
  const Image<float> to_core = distance_to_mask(core);
  core = Image<std::uint8_t>();
  for (std::int64_t v = 0; v < mask.voxel_count(); ++v)
    mask.data()[v] = (mask.data()[v] && to_core.data()[v] <= r) ? 1 : 0;
}

/// Keeps the largest 26-connected piece.
void keep_largest_piece(Image<std::uint8_t>& mask) {
  LabelMap labels(mask.geometry());
  for (std::int64_t v = 0; v < mask.voxel_count(); ++v) labels.data()[v] = mask.data()[v];
  const Components c = connected_components(labels, 1);
  if (c.sizes.empty()) return;
  const auto largest =
      static_cast<std::int32_t>(std::max_element(c.sizes.begin(), c.sizes.end()) - c.sizes.begin());
  for (std::int64_t v = 0; v < mask.voxel_count(); ++v)
    mask.data()[v] = c.index[static_cast<std::size_t>(v)] == largest ? 1 : 0;
}

}  // namespace

Image<std::uint8_t> body_mask_from_ct(const Image<float>& ct, const BodyMaskOptions& options) {
  Image<std::uint8_t> mask(ct.geometry());
  const auto threshold = static_cast<float>(options.threshold_hu);
  bool any = false;
  for (std::int64_t v = 0; v < ct.voxel_count(); ++v) {
    mask.data()[v] = ct.data()[v] > threshold ? 1 : 0;
    any = any || mask.data()[v];
  }
  if (!any) return mask;
  open_by_ball(mask, options.opening_mm);
  keep_largest_piece(mask);
  fill_slice_holes(mask, axial_axis(mask.geometry()));
  return mask;
}

}  // namespace modir::filter
