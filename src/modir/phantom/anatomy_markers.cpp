// Where a man's gold fiducial markers lie (phantom/fiducial_markers.h): spread through the
// prostate, as a urologist implants them (at least 10 mm apart, each seed's whole profile inside
// the gland), their axes near the cranio-caudal direction of a transperineal needle.

#include <cmath>

#include "modir/phantom/anatomy_model.h"

namespace modir::phantom::detail {

std::vector<FiducialSeed> place_fiducials(const Model& m, const FiducialDesign& design) {
  const Vec3d* centre = m.point("prostate_centre");
  if (!centre) return {};  // a woman's pelvis
  const double reach = PlacedFiducials::reach_mm(design.peak_hu);
  const auto deep_in_prostate = [&](const Vec3d& p) {
    const LayerHit gland = m.scene.query(p, Layer::kUterusProstate);
    return gland.distance < -(reach + 0.5) && gland.tag == kTagProstate;
  };
  constexpr double kApartMm = 10.0;
  constexpr int kAttempts = 200;
  Rng rng(design.placement_seed);
  std::vector<FiducialSeed> seeds;
  for (int i = 0; i < design.count; ++i) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      const Vec3d c =
          *centre +
          Vec3d{rng.uniform(-15, 15), rng.uniform(-12, 12), rng.uniform(-15, 15)} * m.frame.scale;
      Vec3d axis{0.35 * rng.normal(), 0.35 * rng.normal(), 1.0};
      axis = axis / axis.norm();
      const FiducialSeed seed{c - axis * (0.5 * design.length_mm),
                              c + axis * (0.5 * design.length_mm)};
      bool apart = true;
      for (const FiducialSeed& s : seeds)
        apart = apart && ((s.a + s.b) * 0.5 - c).norm() >= kApartMm;
      if (apart && deep_in_prostate(c) && deep_in_prostate(seed.a) && deep_in_prostate(seed.b)) {
        seeds.push_back(seed);
        break;
      }
    }
  }
  return seeds;
}

}  // namespace modir::phantom::detail
