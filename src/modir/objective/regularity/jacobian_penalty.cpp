#include "modir/objective/regularity/jacobian_penalty.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/objective/regularity/cofactor.h"

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

// I + D M, where column a of D is the index-a difference quotient of u.
Mat3 jacobian_from_differences(const Vec3d (&derivative)[3], const Mat3& index_from_world) {
  Mat3 d;
  for (int a = 0; a < 3; ++a)
    for (int r = 0; r < 3; ++r) d(r, a) = derivative[a][static_cast<std::size_t>(r)];
  Mat3 jacobian = d * index_from_world;
  for (int r = 0; r < 3; ++r) jacobian(r, r) += 1.0;
  return jacobian;
}

// I + du/dx at voxel `at`, computed as transform::jacobian_determinant does.
Mat3 voxel_jacobian(const DisplacementField& u, const Mat3& index_from_world,
                    const std::int64_t (&at)[3]) {
  const Size3& n = u.size();
  Vec3d derivative[3];
  for (int a = 0; a < 3; ++a) {
    const Difference diff = difference_along(at[a], n[static_cast<std::size_t>(a)]);
    std::int64_t lo[3] = {at[0], at[1], at[2]}, hi[3] = {at[0], at[1], at[2]};
    lo[a] = diff.lo;
    hi[a] = diff.hi;
    derivative[a] = {0, 0, 0};
    if (diff.step > 0) {
      derivative[a] =
          (u(hi[0], hi[1], hi[2]).cast<double>() - u(lo[0], lo[1], lo[2]).cast<double>()) /
          diff.step;
    }
  }
  return jacobian_from_differences(derivative, index_from_world);
}

// det(I + D M) at an interior voxel (every neighbour exists), in double, with central differences
// read straight from the buffer and the products written out. Equal to
// voxel_jacobian(...).determinant() up to rounding.
double interior_determinant(const Vec3f* at, std::int64_t row, std::int64_t plane,
                            const double (&m)[3][3]) {
  const Vec3f dx = at[1] - at[-1], dy = at[row] - at[-row], dz = at[plane] - at[-plane];
  const double d[3][3] = {{0.5 * dx.x, 0.5 * dy.x, 0.5 * dz.x},
                          {0.5 * dx.y, 0.5 * dy.y, 0.5 * dz.y},
                          {0.5 * dx.z, 0.5 * dy.z, 0.5 * dz.z}};
  double j[3][3];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      j[r][c] = (r == c ? 1.0 : 0.0) + d[r][0] * m[0][c] + d[r][1] * m[1][c] + d[r][2] * m[2][c];
  return j[0][0] * (j[1][1] * j[2][2] - j[1][2] * j[2][1]) -
         j[0][1] * (j[1][0] * j[2][2] - j[1][2] * j[2][0]) +
         j[0][2] * (j[1][0] * j[2][1] - j[1][1] * j[2][0]);
}

// A float determinant decides alone far above tau: while every entry of J is below
// kFloatEntryLimit its rounding error is hundreds of times below kFloatMargin, so there the
// penalty and its slope are exactly zero whatever the double value would be, and most voxels of
// a smooth field are there. Any other voxel takes the double path.
constexpr float kFloatEntryLimit = 8.0f;
constexpr float kFloatMargin = 1e-3f;

static_assert(sizeof(Vec3f) == 3 * sizeof(float), "a field row is read as plain floats");

// For the interior voxels 1 .. nx-2 of one row: 1 where the float determinant alone decides that
// the penalty and its slope are zero (kFloatEntryLimit), else 0. interior_determinant's
// arithmetic in float, over plain float arrays and without branches so that the compiler
// vectorises it: on a smooth field this loop is the penalty's whole cost.
[[gnu::noinline]] void clear_voxels_of_row(const Vec3f* row, std::int64_t nx, std::int64_t row_stride,
                         std::int64_t plane, const float (&m)[3][3], float clearly_above,
                         std::int32_t* clear) {
  const float* at = reinterpret_cast<const float*>(row);
  const std::int64_t sy = 3 * row_stride, sz = 3 * plane;
  for (std::int64_t i = 1; i + 1 < nx; ++i) {
    const float* c = at + 3 * i;
    float d[3][3];
    for (int r = 0; r < 3; ++r) {
      d[r][0] = 0.5f * (c[3 + r] - c[-3 + r]);
      d[r][1] = 0.5f * (c[sy + r] - c[-sy + r]);
      d[r][2] = 0.5f * (c[sz + r] - c[-sz + r]);
    }
    float j[3][3];
    float largest = 0.0f;
    for (int r = 0; r < 3; ++r)
      for (int k = 0; k < 3; ++k) {
        j[r][k] = (r == k ? 1.0f : 0.0f) + d[r][0] * m[0][k] + d[r][1] * m[1][k] + d[r][2] * m[2][k];
        largest = std::max(largest, std::abs(j[r][k]));
      }
    const float det = j[0][0] * (j[1][1] * j[2][2] - j[1][2] * j[2][1]) -
                      j[0][1] * (j[1][0] * j[2][2] - j[1][2] * j[2][0]) +
                      j[0][2] * (j[1][0] * j[2][1] - j[1][1] * j[2][0]);
    clear[i] = (det > clearly_above) & (largest < kFloatEntryLimit);
  }
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

  double m[3][3];
  float mf[3][3];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      m[r][c] = index_from_world(r, c);
      mf[r][c] = static_cast<float>(m[r][c]);
    }
  const auto clearly_above = static_cast<float>(tau_) + kFloatMargin;
  parallel_for_slices(nz, [&](std::int64_t k) {
    double sum = 0.0;
    bool active = false;
    const std::int64_t plane = nx * ny;
    std::vector<std::int32_t> clear(static_cast<std::size_t>(nx), 0);
    for (std::int64_t j = 0; j < ny; ++j) {
      const bool interior_row = k > 0 && k + 1 < nz && j > 0 && j + 1 < ny;
      const Vec3f* row = u.data() + u.linear_index(0, j, k);
      if (interior_row) clear_voxels_of_row(row, nx, nx, plane, mf, clearly_above, clear.data());
      for (std::int64_t i = 0; i < nx; ++i) {
        const bool interior = interior_row && i > 0 && i + 1 < nx;
        if (interior && clear[static_cast<std::size_t>(i)]) {
          if (want_gradient) det_slope_[static_cast<std::size_t>(u.linear_index(i, j, k))] = 0.0f;
          continue;
        }
        const double det = interior
                               ? interior_determinant(row + i, nx, plane, m)
                               : voxel_jacobian(u, index_from_world, {i, j, k}).determinant();
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
