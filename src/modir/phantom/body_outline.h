#pragma once

#include <utility>
#include <vector>

#include "modir/phantom/shapes.h"

namespace modir::phantom {

/// A quantity given at a few heights z and blended smoothly (smoothstep) in between.
struct Profile {
  std::vector<std::pair<double, double>> keys;  ///< (z, value), z increasing
  double at(double z) const;
};

/// One angular harmonic of the trunk cross-section whose amplitude drifts slowly along z.
struct Harmonic {
  int order = 3;
  double amplitude = 0.02;  ///< relative
  double phase = 0.0;
  double z_frequency = 0.02;  ///< rad per mm
  double z_phase = 0.0;
};

/// The drawn proportions of a patient's outline.
struct OutlineParams {
  double z_min = -230.0, z_max = 230.0;
  double centre_y = 0.0;
  double crotch_z = -85.0;                  ///< below it the trunk gives way to two thighs
  Profile half_width, anterior, posterior;  ///< trunk extents from the axis (mm)
  double exponent = 2.5;                    ///< superellipse exponent of the cross-section
  std::vector<Harmonic> harmonics;
  double buttock_bulge = 15.0, buttock_z = -40.0, buttock_sigma_z = 40.0;
  double cleft_depth = 8.0;
  double thigh_x = 85.0;        ///< thigh centre |x| at the crotch
  double thigh_x_slope = 0.08;  ///< |x| lost per mm going down
  double thigh_y = -5.0;
  double thigh_radius = 85.0;        ///< at the crotch
  double thigh_radius_slope = 0.12;  ///< mm lost per mm going down
  double thigh_aspect = 0.92;        ///< AP radius / LR radius
};

/// The skin surface: a star-shaped trunk cross-section tabulated along z (polar radius on a
/// pseudo-angle grid, so a query needs no trigonometry) smoothly joined to two elliptic thighs.
class BodyOutline {
 public:
  BodyOutline() = default;
  explicit BodyOutline(const OutlineParams& params);

  /// Depth below the skin in mm: positive inside, negative outside (approximate far from it).
  double depth(const Vec3d& p) const;
  Box bounds() const { return bounds_; }
  const OutlineParams& params() const { return params_; }

  /// Trunk radius from the axis at height z toward the in-plane angle (0 = +x, pi/2 = +y).
  double trunk_radius(double z, double angle) const;
  /// The trunk skin point at height z toward `angle`, moved `inset` mm inward along the axis ray.
  Vec3d trunk_point(double z, double angle, double inset) const;
  /// Thigh centre (side 0 = right, x < 0) and radii (LR, AP) at height z; radii 0 above the thighs.
  Vec3d thigh_centre(int side, double z) const;
  std::pair<double, double> thigh_radii(double z) const;

 private:
  double trunk_depth(const Vec3d& p) const;
  double thigh_depth(const Vec3d& p) const;

  OutlineParams params_;
  double dz_ = 2.0;
  int nz_ = 0;
  static constexpr int kAngles = 360;
  std::vector<float> radius_;  ///< [iz * kAngles + ia]
  std::vector<float> normal_factor_;
  double thigh_top_ = 0.0;
  Box bounds_;
};

}  // namespace modir::phantom
