#pragma once

// What an organ's outlines in two scans say of its motion, for the landmark matcher's checks.
// A filling bladder has a smooth, homogeneous dome: few keypoints, and the few matches it gets
// move unlike the bowel and fat around it (20 mm against a few), so the neighbour check, which
// falls back to all neighbours for an organ with fewer than four matches of its own, rejected
// them, right ones included (issue 17: the bladder got pairs on one pair of ten). The organ's two
// outlines tell its motion to first order: the centre moves from one centroid to the other, and
// each axis stretches by the ratio of the outlines' spreads along it. On the development pairs 21
// and 22 this predicted the true displacement of the bladder's surface to a median of 1.5 and
// 2.7 mm (90th percentile 2.6 and 4.0 mm) where it moved 18 and 13 mm.

#include <optional>
#include <vector>

#include "modir/core/image.h"
#include "modir/core/vec.h"

namespace modir::landmarks {

/// One organ's motion told by its outlines: x -> x + displacement(x) near the organ.
struct OrganPrior {
  Vec3d fixed_centre;   ///< centroid of the organ in the fixed scan, LPS mm
  Vec3d moving_centre;  ///< ... in the moving scan
  Vec3d stretch;        ///< per LPS axis: spread in the moving scan / spread in the fixed scan
  Vec3d displacement(const Vec3d& fixed_point) const;
};

/// The prior of every label found in both maps (indexed by label id; empty where there is none).
/// Each label's pieces smaller than a fifth of its largest are left out (a predicted map's stray
/// specks). A label gets none where its outline is not whole: it touches a face of either scan's
/// grid (cut by the field of view, as the body, the bones and often the bowel are, whose centroids
/// then move with the scanned range), or it holds less than `min_ml` in either scan.
std::vector<std::optional<OrganPrior>> organ_priors(const LabelMap& fixed, const LabelMap& moving,
                                                    double min_ml = 5.0);

}  // namespace modir::landmarks
