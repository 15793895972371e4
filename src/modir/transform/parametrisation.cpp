#include "modir/transform/parametrisation.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/transform/velocity_field.h"

namespace modir::transform {

namespace {

Mat3 rotation_about(int axis, double angle) {
  Mat3 r;
  const double c = std::cos(angle), s = std::sin(angle);
  const int i = (axis + 1) % 3, j = (axis + 2) % 3;
  r(i, i) = c;
  r(i, j) = -s;
  r(j, i) = s;
  r(j, j) = c;
  return r;
}

Mat3 rotation_derivative_about(int axis, double angle) {
  Mat3 d;
  d.m = {};
  const double c = std::cos(angle), s = std::sin(angle);
  const int i = (axis + 1) % 3, j = (axis + 2) % 3;
  d(i, i) = -s;
  d(i, j) = -c;
  d(j, i) = c;
  d(j, j) = -s;
  return d;
}

// For each voxel, body(linear index, world point of the voxel centre); parallel over slices.
template <typename Body>
void for_each_world_point(const Geometry& g, Body&& body) {
  const Mat3 m = g.index_to_world_matrix();
  parallel_for_slices(g.size[2], [&](std::int64_t z) {
    std::int64_t v = g.size[0] * g.size[1] * z;
    for (std::int64_t y = 0; y < g.size[1]; ++y) {
      const Vec3d row = g.origin + m.column(1) * double(y) + m.column(2) * double(z);
      for (std::int64_t x = 0; x < g.size[0]; ++x, ++v) body(v, row + m.column(0) * double(x));
    }
  });
}

}  // namespace

void affine_field(const AffineTransform& affine, DisplacementField& u) {
  for_each_world_point(u.geometry(), [&](std::int64_t v, const Vec3d& x) {
    u.data()[v] = (affine.apply(x) - x).cast<float>();
  });
}

AffineParametrisation::AffineParametrisation(const Geometry& grid, Kind kind, const Vec3d& centre,
                                             double radius_mm)
    : Parametrisation(grid), kind_(kind), centre_(centre), radius_(radius_mm) {}

AffineTransform AffineParametrisation::transform(std::span<const double> theta) const {
  Mat3 m;
  const Vec3d t{theta[parameter_count() - 3], theta[parameter_count() - 2],
                theta[parameter_count() - 1]};
  if (kind_ == Kind::kRigid) {
    m = rotation_about(2, theta[2] / radius_) * rotation_about(1, theta[1] / radius_) *
        rotation_about(0, theta[0] / radius_);
  } else {
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c)
        m(r, c) = (r == c ? 1.0 : 0.0) + theta[static_cast<std::size_t>(3 * r + c)] / radius_;
  }
  // T(x) = M (x - c) + c + t.
  return {m, centre_ - m * centre_ + t};
}

std::vector<double> AffineParametrisation::parameters_of(const AffineTransform& affine) const {
  std::vector<double> theta(parameter_count(), 0.0);
  Mat3 m = affine.matrix;
  if (kind_ == Kind::kRigid) {
    // Rotation angles of M = Rz Ry Rx (assumed nearly a rotation): M(2,0) = -sin(ry).
    const double ry = std::asin(std::clamp(-m(2, 0), -1.0, 1.0));
    const double rx = std::atan2(m(2, 1), m(2, 2));
    const double rz = std::atan2(m(1, 0), m(0, 0));
    theta[0] = rx * radius_;
    theta[1] = ry * radius_;
    theta[2] = rz * radius_;
    m = rotation_about(2, rz) * rotation_about(1, ry) * rotation_about(0, rx);
  } else {
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c)
        theta[static_cast<std::size_t>(3 * r + c)] = (m(r, c) - (r == c ? 1.0 : 0.0)) * radius_;
  }
  // t = T(c) - c.
  const Vec3d t = affine.matrix * centre_ + affine.translation - centre_;
  theta[parameter_count() - 3] = t.x;
  theta[parameter_count() - 2] = t.y;
  theta[parameter_count() - 1] = t.z;
  return theta;
}

void AffineParametrisation::field(std::span<const double> theta, DisplacementField& u) {
  if (!u.geometry().same_grid(grid_, 0.0)) u = DisplacementField(grid_);
  affine_field(transform(theta), u);
}

void AffineParametrisation::adjoint(std::span<const double> theta, const DisplacementField& dE_du,
                                    std::span<double> gradient) {
  // dE/dt = sum g; dE/dM_ij = sum g_i (x - c)_j. Summed per slice, then in order.
  const Geometry& g = dE_du.geometry();
  std::vector<std::array<double, 12>> per_slice(static_cast<std::size_t>(g.size[2]));
  const Mat3 m = g.index_to_world_matrix();
  parallel_for_slices(g.size[2], [&](std::int64_t z) {
    std::array<double, 12> s{};
    std::int64_t v = g.size[0] * g.size[1] * z;
    for (std::int64_t y = 0; y < g.size[1]; ++y) {
      const Vec3d row = g.origin + m.column(1) * double(y) + m.column(2) * double(z) - centre_;
      for (std::int64_t x = 0; x < g.size[0]; ++x, ++v) {
        const Vec3d d = row + m.column(0) * double(x);
        const Vec3f e = dE_du.data()[v];
        const double ge[3] = {e.x, e.y, e.z};
        for (int r = 0; r < 3; ++r) {
          s[static_cast<std::size_t>(3 * r + 0)] += ge[r] * d.x;
          s[static_cast<std::size_t>(3 * r + 1)] += ge[r] * d.y;
          s[static_cast<std::size_t>(3 * r + 2)] += ge[r] * d.z;
          s[static_cast<std::size_t>(9 + r)] += ge[r];
        }
      }
    }
    per_slice[static_cast<std::size_t>(z)] = s;
  });
  std::array<double, 12> s{};
  for (const auto& p : per_slice)
    for (std::size_t k = 0; k < 12; ++k) s[k] += p[k];
  const std::size_t n = parameter_count();
  gradient[n - 3] = s[9];
  gradient[n - 2] = s[10];
  gradient[n - 1] = s[11];
  if (kind_ == Kind::kAffine) {
    for (std::size_t k = 0; k < 9; ++k) gradient[k] = s[k] / radius_;
    return;
  }
  const double a[3] = {theta[0] / radius_, theta[1] / radius_, theta[2] / radius_};
  const Mat3 rx = rotation_about(0, a[0]), ry = rotation_about(1, a[1]),
             rz = rotation_about(2, a[2]);
  const Mat3 d[3] = {rz * ry * rotation_derivative_about(0, a[0]),
                     rz * rotation_derivative_about(1, a[1]) * rx,
                     rotation_derivative_about(2, a[2]) * ry * rx};
  // The translation of T also depends on M through c - M c: dE/dM gets -sum g c^T, already
  // accounted for because d = x - c above and t is the parameter (T(x) = M(x - c) + c + t).
  for (int k = 0; k < 3; ++k) {
    double sum = 0.0;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) sum += s[static_cast<std::size_t>(3 * r + c)] * d[k](r, c);
    gradient[static_cast<std::size_t>(k)] = sum / radius_;
  }
}

void BSplineParametrisation::field(std::span<const double> theta, DisplacementField& u) {
  bspline_.evaluate(theta, grid_, u, &affine_);
}

void BSplineParametrisation::adjoint(std::span<const double>, const DisplacementField& dE_du,
                                     std::span<double> gradient) {
  bspline_.adjoint(dE_du, gradient);
}

void VelocityParametrisation::field(std::span<const double> theta, DisplacementField& u) {
  bspline_.evaluate(theta, grid_, velocity_);
  exponentiate(velocity_, squaring_steps_for(velocity_), displacement_,
               differentiable_ ? &steps_ : nullptr);
  if (!u.geometry().same_grid(grid_, 0.0)) u = DisplacementField(grid_);
  // x + u = T(x + s(x)).
  for_each_world_point(grid_, [&](std::int64_t v, const Vec3d& x) {
    const Vec3d moved = x + displacement_.data()[v].cast<double>();
    u.data()[v] = (affine_.apply(moved) - x).cast<float>();
  });
}

void VelocityParametrisation::adjoint(std::span<const double>, const DisplacementField& dE_du,
                                      std::span<double> gradient) {
  // dE/ds = M^T dE/du, then back through the squarings and the B-spline.
  DisplacementField dE_ds(grid_);
  const Mat3 mt = affine_.matrix.transposed();
  const std::int64_t n = grid_.voxel_count();
  parallel_for(n, [&](std::int64_t v) {
    dE_ds.data()[v] = (mt * dE_du.data()[v].cast<double>()).cast<float>();
  });
  if (!differentiable_)
    throw Error(ErrorKind::kData, "velocity parametrisation built without its adjoint");
  DisplacementField dE_dv;
  exponentiate_adjoint(steps_, dE_ds, dE_dv);
  bspline_.adjoint(dE_dv, gradient);
}

}  // namespace modir::transform
