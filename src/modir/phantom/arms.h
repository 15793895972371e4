#pragma once

// Forearms beside the pelvis for `modir phantom --arms` (docs/phantom.md, "Arms"). A patient
// scanned with the arms down has them in a large field of view, beside the hips and thighs: more
// body than the pelvis, with bones that are not the pelvis's. A network trained on scans without
// them meets them in the first planning CT where the arms were not raised.

#include <array>
#include <optional>

#include <nlohmann/json.hpp>

#include "modir/core/vec.h"
#include "modir/phantom/random.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {

/// Both forearms, drawn once per pair; where they lie comes from the patient's outline.
struct ArmsDesign {
  double gap_mm = 15.0;           ///< between the trunk or thigh and the forearm's skin
  double radius_lr_mm = 40.0;     ///< forearm cross-section, left-right
  double radius_ap_mm = 32.0;     ///< and front-back
  double length_mm = 260.0;       ///< elbow to wrist
  double elbow_above_mm = 150.0;  ///< the elbow's height above the femoral heads
  double posterior_mm = 0.0;      ///< the forearm's centre behind the trunk's centre (+: posterior)
  double fat_mm = 8.0;            ///< subcutaneous fat
  double bone_radius_mm = 7.0;    ///< radius and ulna
};

ArmsDesign draw_arms(Rng& rng);
nlohmann::json to_json(const ArmsDesign& arms);

/// The two forearms placed beside a patient (anatomy frame, mm), each an elliptic tube along z
/// from the elbow to the wrist, with skin, fat, muscle and two long bones.
class PlacedArms {
 public:
  /// `centre_x[side]`: the forearm's centre line's x (side 0 right, 1 left); `centre_y` its y;
  /// `z_elbow` > `z_wrist`.
  PlacedArms(const ArmsDesign& design, std::array<double, 2> centre_x, double centre_y,
             double z_elbow, double z_wrist);
  /// The tissue at p when p lies in a forearm. Everything of an arm is labelled body, as a
  /// planning system's BODY includes it: its bones are not the pelvis's.
  std::optional<TissueSample> sample(const Vec3d& p) const;

 private:
  ArmsDesign design_;
  std::array<double, 2> centre_x_;
  double centre_y_, z_elbow_, z_wrist_;
};

}  // namespace modir::phantom
