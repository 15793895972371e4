#pragma once

// Gold fiducial markers for `modir phantom --markers` (docs/phantom.md, "Fiducial markers"). Most
// men treated with image-guided prostate radiotherapy have three or four gold seeds implanted in
// the prostate (about 1 mm wide, 3-5 mm long) so that daily imaging can find the gland. In the
// planning CT each is a saturated blob that casts streaks across the prostate, bladder and
// rectum: exactly where the organs that matter lie. No training image of models/pelvis up to
// session 6 held one.

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/vec.h"
#include "modir/phantom/metal_artefacts.h"
#include "modir/phantom/random.h"
#include "modir/phantom/shapes.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {

/// The markers of one patient, drawn once (docs/phantom.md gives the ranges); where they lie
/// comes from the prostate, from `placement_seed`.
struct FiducialDesign {
  int count = 3;
  double length_mm = 4.0;  ///< of each seed's axis
  /// Peak of a seed's noise-free value (extended CT scale). Gold is about 3e5 HU at 70 keV and a
  /// seed about 1 mm wide, which no voxel grid resolves; the phantom draws each seed as a
  /// Gaussian tube of kSigmaMm around its axis, so that any grid samples it, with the line
  /// integral across it (peak x 1.0 mm) and the integral over its cross-section of a 1 mm gold
  /// cylinder: what the streaks are made of.
  double peak_hu = 200000.0;
  StreakStrength streaks{0.3, 6.0};
  std::uint64_t placement_seed = 1;
};

FiducialDesign draw_fiducials(Rng& rng);
nlohmann::json to_json(const FiducialDesign& design);

/// One seed: its axis from `a` to `b` (anatomy frame, mm).
struct FiducialSeed {
  Vec3d a, b;
};

/// The seeds placed in one patient's prostate; labelled as the prostate, which holds them.
class PlacedFiducials {
 public:
  PlacedFiducials(double peak_hu, std::vector<FiducialSeed> seeds);
  /// The seed's value where it stands above soft tissue (more than 300 HU), else nothing.
  std::optional<TissueSample> sample(const Vec3d& p) const;
  const std::vector<FiducialSeed>& seeds() const { return seeds_; }
  /// Gaussian sigma of a seed's profile around its axis, mm.
  static constexpr double kSigmaMm = 0.4;
  /// How far from its axis a seed of this peak stands above soft tissue (falls to 300 HU), mm.
  static double reach_mm(double peak_hu);

 private:
  double peak_hu_;
  std::vector<FiducialSeed> seeds_;
  Box bounds_;  ///< of every seed's reach, for a quick miss
};

/// The design and where its seeds lie, for meta.json and truth.json.
nlohmann::json fiducials_json(const FiducialDesign& design, const PlacedFiducials& placed);

}  // namespace modir::phantom
