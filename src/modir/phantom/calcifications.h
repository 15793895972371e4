#pragma once

// Calcifications for `modir phantom --calcifications` (docs/phantom.md, "Calcifications"). A
// pelvic CT of an adult, an older one above all, shows small calcified bodies outside the
// skeleton: phleboliths (calcified thrombi in the pelvic veins and the venous plexus beside the
// bladder and prostate, round, 3-7 mm, often with a lucent centre), plaques in the walls of the
// iliac arteries, and in men calcifications inside the prostate. They are as bright as bone and
// smaller than any bone, labelled by the organ they lie in (body, or the prostate), and no
// training image of models/pelvis up to session 6 held one: a network that learned "bright means
// bone" meets them in the first real scan.

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/vec.h"
#include "modir/phantom/random.h"
#include "modir/phantom/shapes.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {

/// How many calcifications of each kind and how dense, drawn once per pair (docs/phantom.md
/// gives the ranges); where they lie comes from the patient's vessels and prostate, from
/// `placement_seed`.
struct CalcificationDesign {
  int phleboliths = 6;              ///< in the internal iliac veins and the perivesical plexus
  double phlebolith_rim_hu = 700;   ///< the calcified shell (noise-free)
  double phlebolith_core_hu = 200;  ///< the lucent centre, inside 55 % of the radius
  int arterial_plaques = 8;  ///< on the walls of the common, external and internal iliac arteries
  double plaque_hu = 600;
  int prostatic_foci = 3;  ///< inside the prostate; a woman's pair has none
  double prostatic_hu = 400;
  std::uint64_t placement_seed = 1;
};

CalcificationDesign draw_calcifications(Rng& rng);
nlohmann::json to_json(const CalcificationDesign& design);

/// One calcified sphere (anatomy frame, mm); `core_hu` inside `core_radius_mm`, `rim_hu`
/// outside it.
struct Calcification {
  Vec3d centre;
  double radius_mm = 2.0;
  double core_radius_mm = 0.0;
  float rim_hu = 600.0f;
  float core_hu = 600.0f;
  std::uint16_t label = kBody;  ///< the organ it lies in, kept by the label map
  enum Kind : std::uint8_t { kPhlebolith, kArterialPlaque, kProstatic } kind = kPhlebolith;
};

/// The calcifications placed in one patient.
class PlacedCalcifications {
 public:
  explicit PlacedCalcifications(std::vector<Calcification> items);
  /// The calcification's tissue when p lies in one.
  std::optional<TissueSample> sample(const Vec3d& p) const;
  const std::vector<Calcification>& items() const { return items_; }

 private:
  std::vector<Calcification> items_;
  Box bounds_;  ///< of them all, for a quick miss
};

/// The design and how many of each kind found a place, for meta.json and truth.json.
nlohmann::json calcifications_json(const CalcificationDesign& design,
                                   const PlacedCalcifications& placed);

}  // namespace modir::phantom
