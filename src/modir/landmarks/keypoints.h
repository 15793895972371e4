#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::landmarks {

/// A distinctive point of a scan, in world LPS mm.
struct Keypoint {
  Vec3d position;
  double strength = 0.0;  ///< the normalised Förstner response there (larger = more distinctive)
};

struct KeypointOptions {
  double gradient_sigma_mm = 2.0;  ///< Gaussian before the gradient (noise, partial volume)
  double tensor_sigma_mm = 3.0;    ///< Gaussian integrating the structure tensor
  /// The response is divided by the mean gradient energy within this distance, so that a corner
  /// between fat and bladder (40 HU apart) competes with one on bone (1000 HU): keypoints spread
  /// over every tissue instead of crowding on the skeleton.
  double normalise_sigma_mm = 10.0;
  double min_distance_mm = 8.0;  ///< keypoints at least this far apart (stronger one kept)
  std::size_t max_count = 400;
  /// With a label map: first up to this many keypoints touching each label (within one working
  /// voxel), strongest first, so that smooth organs (a full bladder has few corners) still get
  /// points; then the rest by strength alone.
  std::size_t per_label = 16;
};

/// Förstner keypoints (Förstner and Gülch 1987; as used by Heinrich et al. for lung CT): with the
/// structure tensor T (gradient outer products, Gaussian-integrated), the distinctiveness
/// 1 / trace(T^-1) = det T / (sum of T's principal 2x2 minors) is large only where the image
/// varies along all three axes (a corner, a tip, a small blob), not along an edge or a plane.
/// Local maxima (3x3x3) inside `region` whose local gradient energy lies above the region's
/// median (so that noise in flat fat is not normalised into corners) are taken strongest first,
/// at least min_distance_mm apart, up to max_count. The image's grid must have identity direction
/// and isotropic spacing (make_working_image gives one). `labels`, when given, lie on the same
/// grid (see per_label). An image without structure gives none.
std::vector<Keypoint> detect_keypoints(const Image<float>& image, const Image<std::uint8_t>& region,
                                       const KeypointOptions& options,
                                       const LabelMap* labels = nullptr);

/// The selection step of any detector: local maxima (3x3x3) of `response` at `eligible` voxels,
/// taken strongest first, at least min_distance_mm apart, with per_label as above, up to
/// max_count. The learned matcher selects from its network's keypoint heat map with it.
std::vector<Keypoint> select_keypoints(const Image<float>& response,
                                       const Image<std::uint8_t>& eligible,
                                       const KeypointOptions& options,
                                       const LabelMap* labels = nullptr);

}  // namespace modir::landmarks
