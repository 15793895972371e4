#pragma once

// Gold fiducial markers as an independent check of a registration. Most image-guided prostate
// patients carry three or four in the gland; they move with it, and a scanner shows each as a
// small dense object (filter/dense_objects.h) that no similarity measure or guidance term is
// built around. Where both scans hold them, the distance between each fixed marker carried by the
// field and its partner in the moving scan is a registration error measured without any ground
// truth: what a physicist checks first on a prostate registration.

#include <cstdint>
#include <vector>

#include "modir/core/image.h"
#include "modir/filter/dense_objects.h"

namespace modir::evaluate {

struct MarkerPairOptions {
  /// A carried fixed marker and a moving marker farther apart than this are not partners. Markers
  /// are implanted 10 mm or more apart, so within it a mutual nearest marker is the same one.
  double pair_within_mm = 10.0;
  /// A pair whose residual exceeds this is reported as off: well above the markers' own
  /// localisation (a core's centroid on 3 mm slices), well below their spacing.
  double off_mm = 3.0;
};

struct MarkerPair {
  Vec3d fixed;               ///< the marker's centre in the fixed scan, world LPS mm
  Vec3d moving;              ///< its partner's centre in the moving scan
  Vec3d mapped;              ///< where the field sends `fixed`: fixed + u(fixed)
  double residual_mm = 0.0;  ///< |mapped - moving|
  double initial_mm = 0.0;   ///< |fixed - moving|: the residual with no registration
};

struct FiducialMarkerCheck {
  std::vector<filter::DenseObject> fixed_markers, moving_markers;
  std::vector<MarkerPair> pairs;  ///< in the order of fixed_markers
  std::int64_t unpaired_fixed = 0;
  std::int64_t unpaired_moving = 0;
  double mean_residual_mm = 0.0;  ///< 0 without pairs
  double max_residual_mm = 0.0;
  std::int64_t off = 0;  ///< pairs with a residual above MarkerPairOptions::off_mm
};

/// Finds the small dense objects of both CTs (HU), carries each fixed one through `field`
/// (x -> x + u(x), on any grid) and pairs it with the moving one nearest to where it lands when
/// each is the other's nearest and they lie within pair_within_mm. Scans that are not CTs in HU,
/// or hold no such object, give an empty check.
FiducialMarkerCheck check_fiducial_markers(const Image<float>& fixed, const Image<float>& moving,
                                           const DisplacementField& field,
                                           const MarkerPairOptions& options = {});

}  // namespace modir::evaluate
