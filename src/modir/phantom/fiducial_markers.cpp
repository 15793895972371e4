#include "modir/phantom/fiducial_markers.h"

#include <algorithm>
#include <cmath>

namespace modir::phantom {

FiducialDesign draw_fiducials(Rng& rng) {
  FiducialDesign d;
  d.count = rng.chance(0.8) ? 3 : 4;
  d.length_mm = rng.uniform(3.0, 5.0);
  d.peak_hu = rng.uniform(150000.0, 300000.0);
  d.streaks.beam_hardening = rng.uniform(0.2, 0.6);
  d.streaks.starvation_cap = rng.uniform(5.0, 8.0);
  d.placement_seed = static_cast<std::uint64_t>(rng.uniform() * 0x1.0p53);
  return d;
}

nlohmann::json to_json(const FiducialDesign& d) {
  return {{"count", d.count},
          {"length_mm", d.length_mm},
          {"peak_hu", d.peak_hu},
          {"beam_hardening", d.streaks.beam_hardening},
          {"starvation_cap", d.streaks.starvation_cap},
          {"placement_seed", d.placement_seed}};
}

PlacedFiducials::PlacedFiducials(double peak_hu, std::vector<FiducialSeed> seeds)
    : peak_hu_(peak_hu), seeds_(std::move(seeds)) {
  for (const FiducialSeed& s : seeds_) {
    bounds_.include(s.a);
    bounds_.include(s.b);
  }
  bounds_ = bounds_.expanded(reach_mm(peak_hu_));
}

double PlacedFiducials::reach_mm(double peak_hu) {
  return kSigmaMm * std::sqrt(2.0 * std::log(std::max(peak_hu, 301.0) / 300.0));
}

std::optional<TissueSample> PlacedFiducials::sample(const Vec3d& p) const {
  if (!bounds_.contains(p)) return std::nullopt;
  double value = 0.0;
  for (const FiducialSeed& s : seeds_) {
    // Distance to the axis segment (the seed's ends are rounded).
    const Vec3d ab = s.b - s.a;
    const double t = std::clamp((p - s.a).dot(ab) / std::max(ab.dot(ab), 1e-12), 0.0, 1.0);
    const Vec3d d = p - (s.a + ab * t);
    value = std::max(value, peak_hu_ * std::exp(-0.5 * d.dot(d) / (kSigmaMm * kSigmaMm)));
  }
  if (value <= 300.0) return std::nullopt;
  return TissueSample{kUterusProstate, static_cast<float>(value)};
}

nlohmann::json fiducials_json(const FiducialDesign& design, const PlacedFiducials& placed) {
  nlohmann::json j = to_json(design);
  j["placed"] = nlohmann::json::array();
  for (const FiducialSeed& s : placed.seeds())
    j["placed"].push_back({{"from", {s.a.x, s.a.y, s.a.z}}, {"to", {s.b.x, s.b.y, s.b.z}}});
  return j;
}

}  // namespace modir::phantom
