#include "modir/landmarks/organ_prior.h"

#include <cmath>
#include <cstdint>

#include "modir/filter/connected_components.h"

namespace modir::landmarks {

Vec3d OrganPrior::displacement(const Vec3d& fixed_point) const {
  const Vec3d r = fixed_point - fixed_centre;
  return (moving_centre - fixed_centre) +
         Vec3d{r.x * (stretch.x - 1.0), r.y * (stretch.y - 1.0), r.z * (stretch.z - 1.0)};
}

namespace {

/// First and second moments of one label's voxel positions (world mm), and whether its outline
/// touches a face of the grid.
struct Moments {
  double count = 0.0;
  Vec3d sum{0, 0, 0}, squares{0, 0, 0};
  bool cut = false;
};

/// A predicted label map holds stray specks (17 voxels of "bladder" on a scan's top slice, found on
/// test pair 403): they would shift the moments and mark a whole organ as cut. Components smaller
/// than this share of the label's largest are left out; the two femoral heads stay.
constexpr double kMinimumComponentShare = 0.2;

Moments moments_of(const LabelMap& labels, std::uint16_t label) {
  const filter::Components components = filter::connected_components(labels, label);
  const std::int64_t smallest = static_cast<std::int64_t>(
      std::ceil(kMinimumComponentShare * static_cast<double>(components.largest())));
  Moments o;
  const Geometry& g = labels.geometry();
  const Size3& n = g.size;
  std::size_t v = 0;
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x < n[0]; ++x, ++v) {
        const std::int32_t c = components.index[v];
        if (c < 0 || components.sizes[std::size_t(c)] < smallest) continue;
        const Vec3d p = g.index_to_world(Vec3d{double(x), double(y), double(z)});
        o.count += 1.0;
        o.sum += p;
        o.squares += Vec3d{p.x * p.x, p.y * p.y, p.z * p.z};
        if (x == 0 || y == 0 || z == 0 || x == n[0] - 1 || y == n[1] - 1 || z == n[2] - 1)
          o.cut = true;
      }
  return o;
}

/// Whether each label id occurs in the map.
std::vector<bool> labels_present(const LabelMap& labels) {
  std::vector<bool> present(std::size_t{1} << 16, false);
  for (std::int64_t v = 0; v < labels.voxel_count(); ++v) present[labels.data()[v]] = true;
  return present;
}

double voxel_ml(const LabelMap& labels) {
  const Vec3d& s = labels.geometry().spacing;
  return s.x * s.y * s.z / 1000.0;
}

}  // namespace

std::vector<std::optional<OrganPrior>> organ_priors(const LabelMap& fixed, const LabelMap& moving,
                                                    double min_ml) {
  const std::vector<bool> in_fixed = labels_present(fixed), in_moving = labels_present(moving);
  std::vector<std::optional<OrganPrior>> priors;
  for (std::size_t label = 1; label < in_fixed.size(); ++label) {
    if (!in_fixed[label] || !in_moving[label]) continue;
    const Moments a = moments_of(fixed, std::uint16_t(label));
    const Moments b = moments_of(moving, std::uint16_t(label));
    if (a.cut || b.cut || a.count * voxel_ml(fixed) < min_ml || b.count * voxel_ml(moving) < min_ml)
      continue;
    OrganPrior prior;
    prior.fixed_centre = a.sum / a.count;
    prior.moving_centre = b.sum / b.count;
    double stretch[3];
    for (int axis = 0; axis < 3; ++axis) {
      const double mean_a = prior.fixed_centre[axis], mean_b = prior.moving_centre[axis];
      const double sd_a = std::sqrt(std::max(a.squares[axis] / a.count - mean_a * mean_a, 0.0));
      const double sd_b = std::sqrt(std::max(b.squares[axis] / b.count - mean_b * mean_b, 0.0));
      stretch[axis] = sd_a > 0.0 ? sd_b / sd_a : 1.0;
    }
    prior.stretch = {stretch[0], stretch[1], stretch[2]};
    if (priors.size() <= label) priors.resize(label + 1);
    priors[label] = prior;
  }
  return priors;
}

}  // namespace modir::landmarks
