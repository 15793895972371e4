#pragma once

// Total hip replacements for `modir phantom --metal` (docs/phantom.md, "Metal"). Elderly men
// treated for prostate cancer often carry one or two, and their metal is what a network trained
// on metal-free scans has never seen: a shell, a ball and a stem far denser than bone, and the
// streaks they cast (phantom/metal_artefacts.h).

#include <array>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/vec.h"
#include "modir/phantom/random.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {

/// What one pair's prostheses are, drawn once from the seed; where they sit comes from the
/// patient's femora (fit_hip_prostheses).
struct HipProsthesis {
  std::array<bool, 2> sides{false, true};  ///< [0] right, [1] left hip replaced
  double ball_radius_mm = 14.0;            ///< 22-36 mm heads
  /// The acetabular cup's metal shell; its outer radius is the natural head's plus 1 mm (the
  /// socket is reamed to fit it) and polyethylene fills it to the ball.
  double shell_mm = 4.0;
  double neck_radius_mm = 7.0;
  double stem_length_mm = 140.0;  ///< from the head centre down the femoral shaft
  double stem_radius_mm = 8.0;    ///< at the top; tapers to 60 % at the tip
  double cement_mm = 0.0;         ///< bone-cement mantle around the stem; 0: uncemented
  double ball_hu = 14000.0;       ///< cobalt-chrome (noise-free, extended CT scale)
  double stem_hu = 5500.0;        ///< titanium or cobalt-chrome
  double liner_hu = -90.0;
  double cement_hu = 1800.0;  ///< PMMA with barium sulphate
  /// Streak strength (metal_artefacts.h): the share of the metal's attenuation lost to beam
  /// hardening at long paths, and the cap on the photon-starvation noise's attenuation (a
  /// scanner's dose modulation and detector floor).
  double beam_hardening = 0.3;
  double starvation_cap = 7.0;
};

/// One side's prosthesis placed in a patient (anatomy frame, mm).
struct PlacedProsthesis {
  int side = 1;
  Vec3d head;       ///< centre of ball, liner and shell: the natural femoral head's centre
  Vec3d neck_axis;  ///< unit, from the head toward the femoral shaft
  double natural_head_radius = 24.0;
  double natural_neck_radius = 16.0;
  std::vector<Vec3d> stem;  ///< centre line of neck and stem, head first; [1] is the neck's base
};

/// A pair's prostheses drawn from the ranges in docs/phantom.md ("Metal").
HipProsthesis draw_hip_prosthesis(Rng& rng);

/// What the prostheses make of a point: the material when p lies in one of their parts, and
/// whether the natural femoral head and neck there were removed (the bone cut away at surgery).
struct ProsthesisSample {
  std::optional<TissueSample> tissue;  ///< metal, liner or cement, with its label
  bool bone_removed = false;
};

class HipProstheses {
 public:
  HipProstheses(const HipProsthesis& design, std::vector<PlacedProsthesis> placed);
  ProsthesisSample sample(const Vec3d& p) const;
  const HipProsthesis& design() const { return design_; }
  const std::vector<PlacedProsthesis>& placed() const { return placed_; }

 private:
  HipProsthesis design_;
  std::vector<PlacedProsthesis> placed_;
  std::vector<std::pair<Vec3d, Vec3d>> reach_;  ///< per placed side: box beyond which it is absent
};

nlohmann::json to_json(const HipProsthesis& p);

}  // namespace modir::phantom
