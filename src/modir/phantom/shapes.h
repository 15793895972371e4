#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "modir/core/vec.h"
#include "modir/phantom/random.h"

namespace modir::phantom {

/// A distance standing for "nowhere near": larger than any phantom dimension.
inline constexpr double kFar = 1.0e9;

/// An axis-aligned box; empty until a point is included.
struct Box {
  Vec3d lo{kFar, kFar, kFar};
  Vec3d hi{-kFar, -kFar, -kFar};

  bool empty() const { return lo.x > hi.x; }
  bool contains(const Vec3d& p) const {
    return p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y && p.z >= lo.z && p.z <= hi.z;
  }
  void include(const Vec3d& p) {
    lo = {std::min(lo.x, p.x), std::min(lo.y, p.y), std::min(lo.z, p.z)};
    hi = {std::max(hi.x, p.x), std::max(hi.y, p.y), std::max(hi.z, p.z)};
  }
  void include(const Box& b) {
    if (b.empty()) return;
    include(b.lo);
    include(b.hi);
  }
  Box expanded(double margin) const {
    Box b = *this;
    if (!b.empty()) {
      b.lo -= Vec3d{margin, margin, margin};
      b.hi += Vec3d{margin, margin, margin};
    }
    return b;
  }
};

/// Polynomial smooth minimum: equals min(a, b) when |a - b| >= k, and rounds the crease between
/// two shapes over a width of about k (mm) so unions of primitives look grown, not glued.
inline double smooth_min(double a, double b, double k) {
  if (k <= 0.0) return std::min(a, b);
  const double h = std::max(k - std::abs(a - b), 0.0) / k;
  return std::min(a, b) - h * h * k * 0.25;
}

/// Approximate signed distance (mm, negative inside) of an axis-aligned ellipsoid centred at the
/// origin. Exact on the axes and for spheres; close to the surface elsewhere, which is where the
/// shells (cortex, organ walls) need it.
double ellipsoid_distance(const Vec3d& q, const Vec3d& semi);

/// Same for a superellipsoid |x/a|^n + |y/b|^n + |z/c|^n = 1 (n >= 2: boxier as n grows).
double superellipsoid_distance(const Vec3d& q, const Vec3d& semi, double exponent);

/// A smooth relative perturbation of a direction-dependent radius:
/// factor(d) = 1 + sum_k a_k cos(k_k . d + phase_k), d a unit vector.
struct Waves {
  static constexpr int kMax = 5;
  std::array<Vec3d, kMax> wave_vector{};
  std::array<double, kMax> amplitude{};
  std::array<double, kMax> phase{};
  int count = 0;

  double factor(const Vec3d& unit) const {
    double f = 1.0;
    for (int i = 0; i < count; ++i)
      f += amplitude[i] * std::cos(wave_vector[i].dot(unit) + phase[i]);
    return f;
  }
  /// An upper bound of factor() over all directions.
  double max_factor() const {
    double f = 1.0;
    for (int i = 0; i < count; ++i) f += std::abs(amplitude[i]);
    return f;
  }
  void add(const Vec3d& k, double a, double phi) {
    if (count >= kMax) return;
    wave_vector[count] = k;
    amplitude[count] = a;
    phase[count] = phi;
    ++count;
  }
  /// `n` waves of random direction, |k| in [1, max_frequency] and amplitude up to `max_amplitude`.
  static Waves random(Rng& rng, int n, double max_amplitude, double max_frequency = 2.5);
};

/// A unit vector drawn uniformly on the sphere.
Vec3d random_unit(Rng& rng);

/// Rows of the returned matrix are an orthonormal frame whose first axis is `u` and whose second
/// lies in the plane of u and `v_hint`; multiplying by it takes world offsets to that frame.
Mat3 frame_from(const Vec3d& u, const Vec3d& v_hint);

/// A superellipsoid blob in its own rotated frame, optionally bent (the local z offset grows as
/// bend * x^2, giving curved plates such as the iliac wings) and with a smooth radial perturbation.
struct Blob {
  Vec3d centre;
  Mat3 to_local = Mat3::identity();  ///< rows: local axes in world coordinates
  Vec3d semi{1, 1, 1};
  double exponent = 2.0;
  double bend = 0.0;
  Waves waves;

  Vec3d local(const Vec3d& p) const {
    Vec3d q = to_local * (p - centre);
    q.z -= bend * q.x * q.x;
    return q;
  }
  double distance(const Vec3d& p) const;
  /// A conservative bounding box.
  Box bounds() const;
  /// The surface point along a local direction (need not be unit), moved `inset` mm toward the
  /// centre; used for landmarks at organ and bone extremes.
  Vec3d surface_point(const Vec3d& local_direction, double inset = 0.0) const;
  /// A point given in (unbent) local coordinates, in world coordinates.
  Vec3d to_world(const Vec3d& q) const;

  /// An unbent quadric blob with three random radial waves of relative size up to `wave_amplitude`.
  static Blob random(const Vec3d& centre, const Vec3d& semi, Rng& rng, double wave_amplitude,
                     const Mat3& to_local = Mat3::identity());
};

/// One piece of a tube: a truncated cone (round, or with an elliptic cross-section whose first
/// axis follows `side`) with rounded ends. Consecutive pieces share end points.
struct Segment {
  Vec3d a;
  Vec3d axis;  ///< unit, from a to the other end
  double length = 0.0;
  Vec3d side, normal;  ///< cross-section axes (unit, orthogonal to axis)
  double ra0 = 1, ra1 = 1, rb0 = 1, rb1 = 1;
  bool round = true;

  /// Signed distance; `offset` receives p minus the nearest axis point, `radius` the local radius
  /// along `side` (the only radius of a round piece).
  double distance(const Vec3d& p, Vec3d& offset, double& radius) const {
    const Vec3d v = p - a;
    const double s = v.dot(axis);
    const double h = std::clamp(s / length, 0.0, 1.0);
    offset = v - axis * (h * length);
    radius = ra0 + (ra1 - ra0) * h;
    if (round) return offset.norm() - radius;
    const double rb = rb0 + (rb1 - rb0) * h;
    const Vec3d q{offset.dot(side), offset.dot(normal), offset.dot(axis)};
    return ellipsoid_distance(q, {radius, rb, std::min(radius, rb)});
  }
  Box bounds() const;
};

/// A tube along a smooth (Catmull-Rom) centre line through control points, with radii given at
/// the control points and interpolated smoothly. radius_b empty means a round cross-section.
struct TubeSpec {
  std::vector<Vec3d> points;
  std::vector<double> radius_a;
  std::vector<double> radius_b;
  Vec3d side{1, 0, 0};   ///< direction of radius_a for elliptic tubes
  double step_mm = 5.0;  ///< segment length; thick tubes use up to 0.4 radius

  /// Centre-line point at parameter t in [0, points.size() - 1] (t = i at control point i).
  Vec3d point_at(double t) const;
  double radius_a_at(double t) const;
  double radius_b_at(double t) const;
  /// Unit tangent at t.
  Vec3d tangent_at(double t) const;
  double last_t() const { return static_cast<double>(points.size()) - 1.0; }
  /// Cuts the tube into segments about step_mm long.
  std::vector<Segment> segments() const;
};

/// Catmull-Rom interpolation of scalars at parameter t (clamped ends).
double catmull_rom(const std::vector<double>& values, double t);

}  // namespace modir::phantom
