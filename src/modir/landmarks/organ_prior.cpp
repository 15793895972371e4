#include "modir/landmarks/organ_prior.h"

#include <algorithm>

#include "modir/filter/label_pieces.h"

namespace modir::landmarks {

Vec3d OrganPrior::displacement(const Vec3d& fixed_point) const {
  const Vec3d r = fixed_point - fixed_centre;
  return (moving_centre - fixed_centre) +
         Vec3d{r.x * (stretch.x - 1.0), r.y * (stretch.y - 1.0), r.z * (stretch.z - 1.0)};
}

namespace {

/// A predicted label map holds stray specks (17 voxels of "bladder" on a scan's top slice, found on
/// test pair 403): they would shift the moments and mark a whole organ as cut. Pieces smaller than
/// this share of the label's largest are left out; the two femoral heads stay.
constexpr double kMinimumPieceShare = 0.2;

}  // namespace

std::vector<std::optional<OrganPrior>> organ_priors(const LabelMap& fixed, const LabelMap& moving,
                                                    double min_ml) {
  const auto fixed_pieces = filter::label_pieces(fixed),
             moving_pieces = filter::label_pieces(moving);
  std::vector<std::optional<OrganPrior>> priors;
  for (std::size_t label = 1; label < std::min(fixed_pieces.size(), moving_pieces.size());
       ++label) {
    if (fixed_pieces[label].empty() || moving_pieces[label].empty()) continue;
    const filter::VoxelMoments a =
        filter::combined(filter::pieces_at_least(fixed_pieces[label], kMinimumPieceShare));
    const filter::VoxelMoments b =
        filter::combined(filter::pieces_at_least(moving_pieces[label], kMinimumPieceShare));
    if (a.touches_outer_layer || b.touches_outer_layer ||
        double(a.voxels) * fixed.geometry().voxel_ml() < min_ml ||
        double(b.voxels) * moving.geometry().voxel_ml() < min_ml)
      continue;
    OrganPrior prior;
    prior.fixed_centre = a.centroid(fixed.geometry());
    prior.moving_centre = b.centroid(moving.geometry());
    const Vec3d spread_a = a.spread(fixed.geometry()), spread_b = b.spread(moving.geometry());
    for (std::size_t axis = 0; axis < 3; ++axis)
      prior.stretch[axis] = spread_a[axis] > 0.0 ? spread_b[axis] / spread_a[axis] : 1.0;
    if (priors.size() <= label) priors.resize(label + 1);
    priors[label] = prior;
  }
  return priors;
}

}  // namespace modir::landmarks
