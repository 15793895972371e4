#pragma once

#include <memory>
#include <string>
#include <vector>

#include "modir/core/vec.h"
#include "modir/phantom/arms.h"
#include "modir/phantom/calcifications.h"
#include "modir/phantom/fiducial_markers.h"
#include "modir/phantom/hip_prosthesis.h"
#include "modir/phantom/random.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {

enum class Sex { kFemale, kMale };

/// A star-shaped organ: the points c + d * t with |d| = 1 and 0 <= t < radius(d). Star shape
/// around the centre is what lets a filling organ push its surroundings with a radial, exactly
/// invertible map (see deformation.h).
struct StarShape {
  Vec3d centre;
  Vec3d semi_axes{1, 1, 1};  ///< ellipsoid radii along the world axes before perturbation
  /// Smooth perturbation of the radius: sum of a_k * cos(k . d + phase_k) over a few low
  /// frequencies.
  std::vector<Vec3d> wave_vectors;
  std::vector<double> wave_amplitudes;  ///< relative (0.1 = 10 % of the radius)
  std::vector<double> wave_phases;
  double scale = 1.0;  ///< multiplies every radius (used to reach a target volume)

  /// Radius along the unit direction d.
  double radius(const Vec3d& d) const;
  /// Normalised radius of p: |p - c| / radius(direction of p - c); < 1 inside.
  double normalised_radius(const Vec3d& p) const;
  /// Volume in ml by quadrature over directions.
  double volume_ml() const;
};

/// Knobs of one patient's anatomy that the pair generator sets per scan.
struct AnatomyState {
  double bladder_volume_ml = 250.0;
  double rectal_gas_scale = 1.0;  ///< multiplies the radius of every rectal gas pocket
};

/// One synthetic pelvis in its own frame: LPS mm, origin near the centre of the true pelvis
/// (about the level of the femoral heads, midline). Built from a seed; sampled at any point.
class Anatomy {
 public:
  /// Draws a patient: body size, organ shapes and positions within plausible adult ranges.
  Anatomy(Rng& rng, Sex sex, const AnatomyState& state);
  ~Anatomy();
  Anatomy(Anatomy&&) noexcept;
  Anatomy& operator=(Anatomy&&) noexcept;

  /// Label and noise-free HU at a point (texture included: trabecular bone, faeces). Thread-safe.
  TissueSample sample(const Vec3d& p) const;

  Sex sex() const;
  /// The bladder (lumen plus wall) as a star shape, for the bladder-filling deformation.
  const StarShape& bladder() const;
  /// Rectal gas pockets (centre, radius in mm) for the rectal-filling deformation.
  const std::vector<std::pair<Vec3d, double>>& rectal_gas() const;
  /// Bounding box of the body (skin), min and max corners.
  std::pair<Vec3d, Vec3d> body_bounds() const;
  /// Replaces the hips the design names by total hip replacements fitted to this patient's
  /// femora (phantom/hip_prosthesis.h). Call before sampling.
  void add_hip_prostheses(const HipProsthesis& design);
  /// The prostheses added, if any.
  const HipProstheses* hip_prostheses() const;

  /// Adds the design's calcifications (phantom/calcifications.h) where this patient's veins,
  /// arteries and prostate have room for them; returns how many found a place. Call before
  /// sampling.
  std::size_t add_calcifications(const CalcificationDesign& design);
  /// The calcifications added, if any.
  const PlacedCalcifications* calcifications() const;

  /// Implants the design's gold markers in this man's prostate (phantom/fiducial_markers.h);
  /// returns how many found a place (none in a woman). Call before sampling.
  std::size_t add_fiducials(const FiducialDesign& design);
  /// The markers added, if any.
  const PlacedFiducials* fiducials() const;

  /// Lays both forearms beside this patient's hips and thighs (phantom/arms.h), clear of the
  /// outline by the design's gap. Call before sampling.
  void add_arms(const ArmsDesign& design);
  /// Takes the forearms away again (a cohort lays them per scan: arms down in one scan, raised in
  /// the next).
  void remove_arms();

  /// Anatomically distinctive points (bone corners and ridges, organ extremes, gas pocket
  /// centres, vessel-like features) with names such as "pubic_symphysis_top". At least 150.
  std::vector<std::pair<std::string, Vec3d>> distinctive_points() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace modir::phantom
