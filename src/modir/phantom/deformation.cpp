#include "modir/phantom/deformation.h"

#include <algorithm>
#include <cmath>

namespace modir::phantom {

namespace {

// Smooth minimum of w and 1 (quadratic blend of half-width kBlend): equal to w below 1 - kBlend,
// to 1 above 1 + kBlend, with slope between 0 and 1, so f stays increasing.
constexpr double kBlend = 0.3;

double smooth_min_one(double w) {
  if (w <= 1.0 - kBlend) return w;
  if (w >= 1.0 + kBlend) return 1.0;
  const double d = w - 1.0 + kBlend;
  return w - d * d / (4.0 * kBlend);
}

// f(t)^3 as a function of w = t^3.
double filled_cube(double w, double s) {
  return w + (s * s * s - 1.0) * smooth_min_one(w);
}

// Solves filled_cube(w, s) = target for w >= 0; filled_cube is increasing in w.
double unfill_cube(double target, double s) {
  double lo = 0.0, hi = std::max(target, 1.0) * std::max(1.0, 1.0 / (s * s * s)) + 2.0;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (filled_cube(mid, s) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

Vec3d RadialFilling::apply(const Vec3d& x) const {
  const Vec3d v = x - shape.centre;
  const double distance = v.norm();
  if (distance < 1e-12) return x;
  const double t = distance / shape.radius(v / distance);
  const double ft = std::cbrt(filled_cube(t * t * t, s));
  return shape.centre + v * (ft / t);
}

Vec3d RadialFilling::invert(const Vec3d& y) const {
  const Vec3d v = y - shape.centre;
  const double distance = v.norm();
  if (distance < 1e-12) return y;
  const double ft = distance / shape.radius(v / distance);
  const double t = std::cbrt(unfill_cube(ft * ft * ft, s));
  return shape.centre + v * (t / ft);
}

Vec3d GaussianBumps::displacement(const Vec3d& x) const {
  Vec3d u{0, 0, 0};
  for (std::size_t k = 0; k < centres.size(); ++k) {
    const Vec3d d = x - centres[k];
    const double r2 = d.dot(d) / (2.0 * widths[k] * widths[k]);
    if (r2 < 30.0) u += amplitudes[k] * std::exp(-r2);
  }
  return u;
}

Vec3d GaussianBumps::invert(const Vec3d& y) const {
  Vec3d x = y;
  for (int i = 0; i < 100; ++i) {
    const Vec3d next = y - displacement(x);
    const double step = (next - x).norm();
    x = next;
    if (step < 1e-12) break;
  }
  return x;
}

double GaussianBumps::gradient_bound() const {
  // |grad exp(-r^2/(2 s^2))| peaks at r = s with value exp(-1/2) / s.
  double bound = 0.0;
  for (std::size_t k = 0; k < centres.size(); ++k) {
    bound += amplitudes[k].norm() * std::exp(-0.5) / widths[k];
  }
  return bound;
}

PhantomDeformation::PhantomDeformation(GaussianBumps bumps, std::vector<RadialFilling> rectal_gas,
                                       RadialFilling bladder, RigidMotion rigid,
                                       std::shared_ptr<const BoneShield> shield)
    : bumps_(std::move(bumps)),
      rectal_gas_(std::move(rectal_gas)),
      bladder_(std::move(bladder)),
      rigid_(rigid),
      shield_(std::move(shield)) {}

Vec3d PhantomDeformation::shielded_step(const Vec3d& y) const {
  return (unshielded(y) - y) * (shield_->weight(y) / kShieldSteps);
}

Vec3d PhantomDeformation::soft(const Vec3d& x) const {
  if (!shield_) return unshielded(x);
  Vec3d y = x;
  for (int step = 0; step < kShieldSteps; ++step) y += shielded_step(y);
  return y;
}

Vec3d PhantomDeformation::soft_inverse(const Vec3d& anatomy_point) const {
  if (!shield_) return unshielded_inverse(anatomy_point);
  // Each step y -> y + v(y) / N is a contraction's complement (|grad v| / N < 1): its inverse is
  // the fixed point of z -> q - v(z) / N.
  Vec3d q = anatomy_point;
  for (int step = 0; step < kShieldSteps; ++step) {
    Vec3d z = q;
    for (int i = 0; i < 200; ++i) {
      const Vec3d next = q - shielded_step(z);
      const double moved = (next - z).norm();
      z = next;
      if (moved < 1e-11) break;
    }
    q = z;
  }
  return q;
}

Vec3d PhantomDeformation::unshielded(const Vec3d& x) const {
  Vec3d p = bumps_.apply(x);
  for (const RadialFilling& pocket : rectal_gas_) p = pocket.apply(p);
  return bladder_.apply(p);
}

Vec3d PhantomDeformation::unshielded_inverse(const Vec3d& anatomy_point) const {
  Vec3d p = bladder_.invert(anatomy_point);
  for (auto it = rectal_gas_.rbegin(); it != rectal_gas_.rend(); ++it) p = it->invert(p);
  return bumps_.invert(p);
}

}  // namespace modir::phantom
