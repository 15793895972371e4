#include "modir/evaluate/fiducial_markers.h"

#include <algorithm>
#include <limits>

#include "modir/core/hounsfield.h"
#include "modir/transform/sample_field.h"

namespace modir::evaluate {

namespace {

double distance(const Vec3d& a, const Vec3d& b) {
  return (a - b).norm();
}

bool is_ct_in_hu(const Image<float>& image) {
  const auto [lo, hi] = std::minmax_element(image.buffer().begin(), image.buffer().end());
  return lo != image.buffer().end() && looks_like_ct_in_hu(*lo, *hi);
}

// Index of the point of `points` nearest to `p`, or -1 when `points` is empty.
std::int64_t nearest(const std::vector<Vec3d>& points, const Vec3d& p) {
  std::int64_t best = -1;
  double best_mm = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double d = distance(points[i], p);
    if (d < best_mm) {
      best_mm = d;
      best = static_cast<std::int64_t>(i);
    }
  }
  return best;
}

}  // namespace

FiducialMarkerCheck check_fiducial_markers(const Image<float>& fixed, const Image<float>& moving,
                                           const DisplacementField& field,
                                           const MarkerPairOptions& options) {
  FiducialMarkerCheck check;
  if (!is_ct_in_hu(fixed) || !is_ct_in_hu(moving)) return check;
  check.fixed_markers = filter::find_small_dense_objects(fixed);
  check.moving_markers = filter::find_small_dense_objects(moving);
  std::vector<Vec3d> mapped, moving_centres;
  for (const filter::DenseObject& m : check.fixed_markers)
    mapped.push_back(transform::map_point(field, m.centre_mm));
  for (const filter::DenseObject& m : check.moving_markers) moving_centres.push_back(m.centre_mm);
  std::vector<char> moving_paired(check.moving_markers.size(), 0);
  for (std::size_t f = 0; f < mapped.size(); ++f) {
    const std::int64_t m = nearest(moving_centres, mapped[f]);
    if (m < 0 || nearest(mapped, moving_centres[std::size_t(m)]) != std::int64_t(f)) continue;
    const double residual = distance(mapped[f], moving_centres[std::size_t(m)]);
    if (residual > options.pair_within_mm) continue;
    moving_paired[std::size_t(m)] = 1;
    const Vec3d fixed_centre = check.fixed_markers[f].centre_mm;
    check.pairs.push_back({fixed_centre, moving_centres[std::size_t(m)], mapped[f], residual,
                           distance(fixed_centre, moving_centres[std::size_t(m)])});
  }
  check.unpaired_fixed = static_cast<std::int64_t>(check.fixed_markers.size() - check.pairs.size());
  check.unpaired_moving = std::count(moving_paired.begin(), moving_paired.end(), char{0});
  for (const MarkerPair& p : check.pairs) {
    check.mean_residual_mm += p.residual_mm / double(check.pairs.size());
    check.max_residual_mm = std::max(check.max_residual_mm, p.residual_mm);
    check.off += p.residual_mm > options.off_mm;
  }
  return check;
}

}  // namespace modir::evaluate
