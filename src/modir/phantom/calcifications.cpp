#include "modir/phantom/calcifications.h"

#include <algorithm>
#include <limits>

namespace modir::phantom {

CalcificationDesign draw_calcifications(Rng& rng) {
  CalcificationDesign d;
  d.phleboliths = rng.integer(2, 12);
  d.phlebolith_rim_hu = rng.uniform(400.0, 1100.0);
  d.phlebolith_core_hu = rng.uniform(80.0, 350.0);
  d.arterial_plaques = rng.integer(0, 16);
  d.plaque_hu = rng.uniform(300.0, 1000.0);
  d.prostatic_foci = rng.integer(0, 8);
  d.prostatic_hu = rng.uniform(200.0, 800.0);
  d.placement_seed = static_cast<std::uint64_t>(rng.uniform() * 0x1.0p53);
  return d;
}

nlohmann::json to_json(const CalcificationDesign& d) {
  return {{"phleboliths", d.phleboliths},
          {"phlebolith_rim_hu", d.phlebolith_rim_hu},
          {"phlebolith_core_hu", d.phlebolith_core_hu},
          {"arterial_plaques", d.arterial_plaques},
          {"plaque_hu", d.plaque_hu},
          {"prostatic_foci", d.prostatic_foci},
          {"prostatic_hu", d.prostatic_hu},
          {"placement_seed", d.placement_seed}};
}

PlacedCalcifications::PlacedCalcifications(std::vector<Calcification> items)
    : items_(std::move(items)) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  lo_ = {kInf, kInf, kInf};
  hi_ = {-kInf, -kInf, -kInf};
  for (const Calcification& c : items_) {
    const Vec3d r{c.radius_mm, c.radius_mm, c.radius_mm};
    const Vec3d a = c.centre - r, b = c.centre + r;
    lo_ = {std::min(lo_.x, a.x), std::min(lo_.y, a.y), std::min(lo_.z, a.z)};
    hi_ = {std::max(hi_.x, b.x), std::max(hi_.y, b.y), std::max(hi_.z, b.z)};
  }
}

std::optional<TissueSample> PlacedCalcifications::sample(const Vec3d& p) const {
  if (p.x < lo_.x || p.y < lo_.y || p.z < lo_.z || p.x > hi_.x || p.y > hi_.y || p.z > hi_.z)
    return std::nullopt;
  for (const Calcification& c : items_) {
    const Vec3d d = p - c.centre;
    const double d2 = d.dot(d);
    if (d2 >= c.radius_mm * c.radius_mm) continue;
    const bool core = d2 < c.core_radius_mm * c.core_radius_mm;
    return TissueSample{c.label, core ? c.core_hu : c.rim_hu};
  }
  return std::nullopt;
}

nlohmann::json calcifications_json(const CalcificationDesign& design,
                                   const PlacedCalcifications& placed) {
  int counts[3] = {0, 0, 0};
  for (const Calcification& c : placed.items()) ++counts[c.kind];
  nlohmann::json j = to_json(design);
  j["placed"] = {{"phleboliths", counts[Calcification::kPhlebolith]},
                 {"arterial_plaques", counts[Calcification::kArterialPlaque]},
                 {"prostatic_foci", counts[Calcification::kProstatic]}};
  return j;
}

}  // namespace modir::phantom
