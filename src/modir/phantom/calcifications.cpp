#include "modir/phantom/calcifications.h"

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
  for (const Calcification& c : items_) {
    const Vec3d r{c.radius_mm, c.radius_mm, c.radius_mm};
    bounds_.include(c.centre - r);
    bounds_.include(c.centre + r);
  }
}

std::optional<TissueSample> PlacedCalcifications::sample(const Vec3d& p) const {
  if (!bounds_.contains(p)) return std::nullopt;
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
