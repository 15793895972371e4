#pragma once

#include <memory>
#include <vector>

#include "modir/core/vec.h"
#include "modir/phantom/anatomy.h"
#include "modir/phantom/bone_shield.h"
#include "modir/phantom/random.h"

namespace modir::phantom {

/// A filling organ pushing its surroundings. Along every ray from the organ's centre, a point at
/// normalised radius t (see StarShape) moves to f(t) with f(t)^3 = t^3 + (s^3 - 1) q(t^3), where
/// q(w) = w inside the organ and 1 outside, joined by a smooth minimum: the organ scales by s, the
/// tissue around it is pushed away incompressibly (displacement decays like 1/t^2). Rays are kept,
/// f is increasing, so the map is invertible, and its Jacobian determinant (f/t)^2 f'(t) is
/// positive. `shape` is the organ in the map's input space.
struct RadialFilling {
  StarShape shape;
  double s = 1.0;  ///< linear scale of the organ (cube root of the volume ratio)

  Vec3d apply(const Vec3d& x) const;
  Vec3d invert(const Vec3d& y) const;
};

/// A smooth displacement made of Gaussian bumps, u(x) = sum a_k exp(-|x - c_k|^2 / (2 s_k^2)),
/// kept gentle enough (sum |a_k| / s_k < 0.5) that x + u(x) is invertible.
struct GaussianBumps {
  std::vector<Vec3d> centres;
  std::vector<Vec3d> amplitudes;
  std::vector<double> widths;

  Vec3d displacement(const Vec3d& x) const;
  Vec3d apply(const Vec3d& x) const { return x + displacement(x); }
  /// Fixed-point iteration; converges because the map's Lipschitz constant is below 1/2.
  Vec3d invert(const Vec3d& y) const;
  /// Bound on the spectral norm of the displacement's Jacobian.
  double gradient_bound() const;
};

/// A rigid patient set-up difference: y = R (x - centre) + centre + translation.
struct RigidMotion {
  Mat3 rotation = Mat3::identity();
  Vec3d centre;
  Vec3d translation;

  Vec3d apply(const Vec3d& x) const { return rotation * (x - centre) + centre + translation; }
  Vec3d invert(const Vec3d& y) const {
    return rotation.transposed() * (y - centre - translation) + centre;
  }
};

/// How scan A (fixed) of a patient relates to the anatomy seen in scan B (moving):
/// anatomy point = soft(x) = raw(x) = bladder(rectum(bumps(x))) for a point x of scan A (with a
/// bone shield: the flow of w (raw - id) in kShieldSteps steps, w the shield's weight), and the
/// scanner
/// sees that anatomy point at rigid(anatomy point) in scan B. So the ground-truth displacement is
/// u(x) = rigid(soft(x)) - x, exactly, wherever x is.
class PhantomDeformation {
 public:
  PhantomDeformation() = default;
  PhantomDeformation(GaussianBumps bumps, std::vector<RadialFilling> rectal_gas,
                     RadialFilling bladder, RigidMotion rigid,
                     std::shared_ptr<const BoneShield> shield = nullptr);

  /// Scan A point -> anatomy point (the B patient before set-up motion).
  Vec3d soft(const Vec3d& x) const;
  Vec3d soft_inverse(const Vec3d& anatomy_point) const;
  /// Scan A point -> scan B point.
  Vec3d map(const Vec3d& x) const { return rigid_.apply(soft(x)); }
  Vec3d inverse(const Vec3d& y) const { return soft_inverse(rigid_.invert(y)); }
  const RigidMotion& rigid() const { return rigid_; }
  const RadialFilling& bladder() const { return bladder_; }

 private:
  GaussianBumps bumps_;
  std::vector<RadialFilling> rectal_gas_;
  RadialFilling bladder_;
  RigidMotion rigid_;
  std::shared_ptr<const BoneShield> shield_;

  /// With a shield, soft is N steps y -> y + v(y) / N of the velocity v = w (raw - id), each
  /// invertible because N exceeds v's Lipschitz constant: so the map is invertible however close
  /// the shield's ramp brings a large push to a bone (weighting the displacement itself folds
  /// there). Far from bone it is a gentler version of the raw map.
  static constexpr int kShieldSteps = 8;
  Vec3d shielded_step(const Vec3d& y) const;
  Vec3d unshielded(const Vec3d& x) const;
  Vec3d unshielded_inverse(const Vec3d& anatomy_point) const;
};

}  // namespace modir::phantom
