#include "modir/objective/regularity/jacobian_penalty.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::objective {

namespace {

// Which voxels the derivative at `at` reads along an axis of `length` voxels, and their
// distance: the stencil of transform::jacobian_determinant (step 0 on a one-voxel axis).
struct Difference {
  std::int64_t lo;
  std::int64_t hi;
  double step;
};

Difference difference_along(std::int64_t at, std::int64_t length) {
  const std::int64_t lo = std::max<std::int64_t>(at - 1, 0);
  const std::int64_t hi = std::min<std::int64_t>(at + 1, length - 1);
  return {lo, hi, static_cast<double>(hi - lo)};
}

// I + du/dx at voxel `at`, computed as transform::jacobian_determinant does.
Mat3 voxel_jacobian(const DisplacementField& u, const Mat3& index_from_world,
                    const std::int64_t (&at)[3]) {
  const Size3& n = u.size();
  Mat3 d;
  for (int a = 0; a < 3; ++a) {
    const Difference diff = difference_along(at[a], n[static_cast<std::size_t>(a)]);
    std::int64_t lo[3] = {at[0], at[1], at[2]}, hi[3] = {at[0], at[1], at[2]};
    lo[a] = diff.lo;
    hi[a] = diff.hi;
    Vec3d derivative{0, 0, 0};
    if (diff.step > 0) {
      derivative = (u(hi[0], hi[1], hi[2]).cast<double>() - u(lo[0], lo[1], lo[2]).cast<double>()) /
                   diff.step;
    }
    for (int r = 0; r < 3; ++r) d(r, a) = derivative[static_cast<std::size_t>(r)];
  }
  Mat3 jacobian = d * index_from_world;
  for (int r = 0; r < 3; ++r) jacobian(r, r) += 1.0;
  return jacobian;
}

// d det(J) / dJ: the cofactor matrix. The cyclic index pattern gives the signs.
Mat3 cofactor(const Mat3& j) {
  Mat3 c;
  for (int r = 0; r < 3; ++r) {
    const int r1 = (r + 1) % 3, r2 = (r + 2) % 3;
    for (int col = 0; col < 3; ++col) {
      const int c1 = (col + 1) % 3, c2 = (col + 2) % 3;
      c(r, col) = j(r1, c1) * j(r2, c2) - j(r1, c2) * j(r2, c1);
    }
  }
  return c;
}

}  // namespace

JacobianPenalty::JacobianPenalty(double tau) : tau_(tau) {
  if (!std::isfinite(tau) || tau <= 0.0 || tau > 1.0) {
    throw usage_error("Jacobian penalty: threshold tau {} must lie in (0, 1]", tau);
  }
}

double JacobianPenalty::evaluate(const DisplacementField& u, DisplacementField* gradient,
                                 double weight) {
  const Geometry& g = u.geometry();
  const std::int64_t voxels = u.voxel_count();
  if (voxels == 0) return 0.0;
  if (gradient != nullptr && gradient->size() != u.size()) {
    throw data_error("Jacobian penalty: gradient grid {}x{}x{} differs from the field's {}x{}x{}",
                     gradient->size()[0], gradient->size()[1], gradient->size()[2], g.size[0],
                     g.size[1], g.size[2]);
  }
  const Mat3 index_from_world = g.index_to_world_matrix().inverse();
  const std::int64_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  const double inv_voxels = 1.0 / static_cast<double>(voxels);
  const double inv_tau2 = 1.0 / (tau_ * tau_);
  const bool want_gradient = gradient != nullptr;
  slice_sums_.assign(static_cast<std::size_t>(nz), 0.0);
  slice_active_.assign(static_cast<std::size_t>(nz), 0);
  if (want_gradient) det_slope_.resize(static_cast<std::size_t>(voxels));

  parallel_for_slices(nz, [&](std::int64_t k) {
    double sum = 0.0;
    bool active = false;
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        const double det = voxel_jacobian(u, index_from_world, {i, j, k}).determinant();
        double slope = 0.0;
        if (det < tau_) {
          const double gap = tau_ - det;
          sum += gap * gap * inv_tau2;
          slope = -2.0 * gap * inv_tau2 * inv_voxels;
          active = true;
        }
        if (want_gradient)
          det_slope_[static_cast<std::size_t>(u.linear_index(i, j, k))] = static_cast<float>(slope);
      }
    }
    slice_sums_[static_cast<std::size_t>(k)] = sum;
    slice_active_[static_cast<std::size_t>(k)] = active;
  });
  double total = 0.0;
  for (const double s : slice_sums_) total += s;
  const double energy = total * inv_voxels;
  if (!want_gradient || weight == 0.0 ||
      std::none_of(slice_active_.begin(), slice_active_.end(), [](char a) { return a != 0; })) {
    return energy;
  }

  // dE/du(p) = sum over voxels v whose differences read p, and axes a, of
  //   slope(v) * (cof(J_v) M^T)[:, a] * ([hi_a(v) == p] - [lo_a(v) == p]) / step_a(v),
  // with M the index-from-world matrix. Only v = p and its six axis neighbours can read p.
  const Size3& n = g.size;
  parallel_for_slices(nz, [&](std::int64_t k) {
    const bool near_active = slice_active_[static_cast<std::size_t>(k)] ||
                             (k > 0 && slice_active_[static_cast<std::size_t>(k - 1)]) ||
                             (k + 1 < nz && slice_active_[static_cast<std::size_t>(k + 1)]);
    if (!near_active) return;
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        const std::int64_t p[3] = {i, j, k};
        Vec3d sum{0, 0, 0};
        for (int a = 0; a < 3; ++a) {
          for (std::int64_t delta = -1; delta <= 1; ++delta) {
            std::int64_t v[3] = {i, j, k};
            v[a] += delta;
            if (v[a] < 0 || v[a] >= n[static_cast<std::size_t>(a)]) continue;
            const float slope =
                det_slope_[static_cast<std::size_t>(u.linear_index(v[0], v[1], v[2]))];
            if (slope == 0.0f) continue;
            const Difference diff = difference_along(v[a], n[static_cast<std::size_t>(a)]);
            if (diff.step == 0.0) continue;
            const double reads = (diff.hi == p[a] ? 1.0 : 0.0) - (diff.lo == p[a] ? 1.0 : 0.0);
            if (reads == 0.0) continue;
            const Mat3 cof = cofactor(voxel_jacobian(u, index_from_world, v));
            // Column a of cof * M^T: how det(J_v) moves with the index-a difference.
            const Vec3d row_a = {index_from_world(a, 0), index_from_world(a, 1),
                                 index_from_world(a, 2)};
            const Vec3d column = cof * row_a;
            sum += column * (static_cast<double>(slope) * reads / diff.step);
          }
        }
        (*gradient)(i, j, k) += (sum * weight).cast<float>();
      }
    }
  });
  return energy;
}

}  // namespace modir::objective
