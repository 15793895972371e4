#include "modir/phantom/arms.h"

#include <algorithm>
#include <cmath>

namespace modir::phantom {

ArmsDesign draw_arms(Rng& rng) {
  ArmsDesign a;
  a.gap_mm = rng.uniform(0.0, 40.0);
  a.radius_lr_mm = rng.uniform(32.0, 48.0);
  a.radius_ap_mm = rng.uniform(26.0, 38.0);
  a.length_mm = rng.uniform(230.0, 290.0);
  a.elbow_above_mm = rng.uniform(100.0, 200.0);
  a.posterior_mm = rng.uniform(-40.0, 40.0);
  a.fat_mm = rng.uniform(3.0, 15.0);
  a.bone_radius_mm = rng.uniform(6.0, 8.5);
  return a;
}

nlohmann::json to_json(const ArmsDesign& a) {
  return {{"gap_mm", a.gap_mm},
          {"radius_lr_mm", a.radius_lr_mm},
          {"radius_ap_mm", a.radius_ap_mm},
          {"length_mm", a.length_mm},
          {"elbow_above_mm", a.elbow_above_mm},
          {"posterior_mm", a.posterior_mm},
          {"fat_mm", a.fat_mm},
          {"bone_radius_mm", a.bone_radius_mm}};
}

PlacedArms::PlacedArms(const ArmsDesign& design, std::array<double, 2> centre_x, double centre_y,
                       double z_elbow, double z_wrist)
    : design_(design),
      centre_x_(centre_x),
      centre_y_(centre_y),
      z_elbow_(z_elbow),
      z_wrist_(z_wrist) {}

std::optional<TissueSample> PlacedArms::sample(const Vec3d& p) const {
  if (p.z > z_elbow_ || p.z < z_wrist_) return std::nullopt;
  const ArmsDesign& d = design_;
  // The forearm narrows from elbow to wrist to 70 % of its size.
  const double along = (z_elbow_ - p.z) / (z_elbow_ - z_wrist_);
  const double taper = 1.0 - 0.3 * along;
  const double a = d.radius_lr_mm * taper, b = d.radius_ap_mm * taper;
  for (int side = 0; side < 2; ++side) {
    const double u = (p.x - centre_x_[side]) / a, v = (p.y - centre_y_) / b;
    const double r = std::sqrt(u * u + v * v);  // 1 on the skin
    if (r >= 1.0) continue;
    // Depth below the skin, approximately, along the smaller radius.
    const double depth = (1.0 - r) * std::min(a, b);
    if (depth < 2.0) return TissueSample{kBody, 30.0f};
    if (depth < 2.0 + d.fat_mm * taper) return TissueSample{kBody, -100.0f};
    // Radius (lateral, thumb side) and ulna (medial), side by side left-right in the supine
    // forearm, the pair narrowing toward the wrist.
    const double sign = side == 1 ? 1.0 : -1.0;
    const double spread = 0.35 * a;
    for (const double offset : {spread, -spread}) {
      const double dx = p.x - (centre_x_[side] + sign * offset), dy = p.y - centre_y_;
      const double rb = d.bone_radius_mm * (0.8 + 0.2 * (1.0 - along));
      const double rr = std::sqrt(dx * dx + dy * dy);
      if (rr < rb) return TissueSample{kBody, rr > rb - 2.5 ? 1050.0f : 250.0f};
    }
    return TissueSample{kBody, 45.0f};
  }
  return std::nullopt;
}

}  // namespace modir::phantom
