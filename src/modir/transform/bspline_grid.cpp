#include "modir/transform/bspline_grid.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::transform {

namespace {

// Control points beyond the first voxel centre on the low side: enough for full support of a
// level grid whose voxel centres reach half a reference voxel past the reference's centres, and
// even, so that refinement (which doubles it) keeps the low end of the grid where it was.
constexpr double kPadding = 2.0;

// The four cubic B-spline weights for control indices floor(q) - 1 ... floor(q) + 2.
std::array<double, 4> cubic_weights(double t) {
  const double s = 1.0 - t;
  return {s * s * s / 6.0, (3.0 * t * t * t - 6.0 * t * t + 4.0) / 6.0,
          (-3.0 * t * t * t + 3.0 * t * t + 3.0 * t + 1.0) / 6.0, t * t * t / 6.0};
}

// For every voxel along one axis of a target grid: the first of its four control indices and the
// weights. Taps that fall outside the control grid get weight 0 (their coefficient is taken as 0)
// and index 0, so loops never branch.
struct AxisTable {
  std::vector<std::array<double, 4>> weights;
  // Tap m of voxel i addresses control index first[i] + m; out-of-range taps are clamped below.
  std::vector<std::array<std::int64_t, 4>> index;
};

AxisTable axis_table(std::int64_t voxels, double first_control_coordinate, double step,
                     std::int64_t control_count) {
  AxisTable table;
  table.weights.resize(static_cast<std::size_t>(voxels));
  table.index.resize(static_cast<std::size_t>(voxels));
  for (std::int64_t i = 0; i < voxels; ++i) {
    const double q = first_control_coordinate + static_cast<double>(i) * step;
    const double base = std::floor(q);
    const auto first = static_cast<std::int64_t>(base) - 1;
    auto w = cubic_weights(q - base);
    std::array<std::int64_t, 4> idx{};
    for (int m = 0; m < 4; ++m) {
      idx[m] = first + m;
      if (idx[m] < 0 || idx[m] >= control_count) {
        w[m] = 0.0;
        idx[m] = 0;
      }
    }
    table.weights[static_cast<std::size_t>(i)] = w;
    table.index[static_cast<std::size_t>(i)] = idx;
  }
  return table;
}

}  // namespace

BSplineGrid::BSplineGrid(const Geometry& reference, double spacing_mm)
    : reference_(reference), spacing_(spacing_mm) {
  if (!(spacing_mm > 0.0) || !std::isfinite(spacing_mm)) {
    throw usage_error("B-spline control point spacing must be a positive number of mm");
  }
  for (int a = 0; a < 3; ++a) {
    const double extent = static_cast<double>(reference.size[a] - 1) * reference.spacing[a];
    // Cover the centres plus one reference voxel, then the 3 taps beyond floor(q) + padding.
    const double reach = (extent + reference.spacing[a]) / spacing_mm;
    control_size_[a] =
        static_cast<std::int64_t>(std::ceil(reach)) + static_cast<std::int64_t>(kPadding) + 3;
    padding_[a] = kPadding;
  }
  coefficients_.assign(parameter_count(), 0.0);
}

BSplineGrid BSplineGrid::with_layout(const Geometry& reference, double spacing_mm,
                                     const Vec3d& padding, const Size3& control_size) {
  BSplineGrid grid(reference, spacing_mm);
  for (int a = 0; a < 3; ++a) {
    if (control_size[a] < 4 || padding[a] < 1.0) {
      throw Error(ErrorKind::kData,
                  "B-spline grid layout: too few control points or too little padding");
    }
  }
  grid.padding_ = padding;
  grid.control_size_ = control_size;
  grid.coefficients_.assign(grid.parameter_count(), 0.0);
  return grid;
}

Geometry BSplineGrid::control_geometry() const {
  Geometry g;
  g.size = control_size_;
  g.spacing = {spacing_, spacing_, spacing_};
  g.direction = reference_.direction;
  g.origin = reference_.origin - reference_.direction * (padding_ * spacing_);
  return g;
}

BSplineGrid BSplineGrid::refined() const {
  BSplineGrid fine;
  fine.reference_ = reference_;
  fine.spacing_ = spacing_ / 2.0;
  fine.padding_ = padding_ * 2.0;
  for (int a = 0; a < 3; ++a) fine.control_size_[a] = 2 * control_size_[a] - 1;
  // Dyadic subdivision of a cubic B-spline, one axis at a time: the coefficient at a coarse
  // point becomes (c[i-1] + 6 c[i] + c[i+1]) / 8 and a midpoint gets (c[i] + c[i+1]) / 2.
  std::vector<double> current = coefficients_;
  Size3 size = control_size_;
  for (int axis = 0; axis < 3; ++axis) {
    Size3 next_size = size;
    next_size[axis] = fine.control_size_[axis];
    std::vector<double> next(
        static_cast<std::size_t>(3 * next_size[0] * next_size[1] * next_size[2]), 0.0);
    const std::int64_t stride[3] = {1, size[0], size[0] * size[1]};
    const std::int64_t next_stride[3] = {1, next_size[0], next_size[0] * next_size[1]};
    const std::int64_t n = size[axis];
    auto coarse = [&](std::int64_t base, std::int64_t i, int c) {
      return (i < 0 || i >= n)
                 ? 0.0
                 : current[static_cast<std::size_t>(3 * (base + i * stride[axis]) + c)];
    };
    for (std::int64_t z = 0; z < next_size[2]; ++z)
      for (std::int64_t y = 0; y < next_size[1]; ++y)
        for (std::int64_t x = 0; x < next_size[0]; ++x) {
          const std::int64_t at[3] = {x, y, z};
          std::int64_t base = 0;
          for (int a = 0; a < 3; ++a) {
            if (a != axis) base += at[a] * stride[a];
          }
          const std::int64_t j = at[axis];
          const std::int64_t out = x * next_stride[0] + y * next_stride[1] + z * next_stride[2];
          for (int c = 0; c < 3; ++c) {
            const std::int64_t i = j / 2;
            const double value =
                (j % 2 == 0)
                    ? (coarse(base, i - 1, c) + 6.0 * coarse(base, i, c) + coarse(base, i + 1, c)) /
                          8.0
                    : (coarse(base, i, c) + coarse(base, i + 1, c)) / 2.0;
            next[static_cast<std::size_t>(3 * out + c)] = value;
          }
        }
    current = std::move(next);
    size = next_size;
  }
  fine.coefficients_ = std::move(current);
  return fine;
}

// Shared by evaluate and adjoint: where the target's voxels sit on the control grid, per axis.
class BSplineGridAccess {
 public:
  static std::array<AxisTable, 3> tables(const BSplineGrid& grid, const Geometry& target) {
    if (target.direction.max_abs_difference(grid.reference_.direction) > 1e-6) {
      throw Error(ErrorKind::kData,
                  "B-spline grid: the target grid must have the reference image's direction");
    }
    const Vec3d offset =
        grid.reference_.direction.transposed() * (target.origin - grid.reference_.origin);
    std::array<AxisTable, 3> t;
    for (int a = 0; a < 3; ++a) {
      t[a] = axis_table(target.size[a], offset[a] / grid.spacing_ + grid.padding_[a],
                        target.spacing[a] / grid.spacing_, grid.control_size_[a]);
    }
    return t;
  }
};

void BSplineGrid::evaluate(std::span<const double> c, const Geometry& target,
                           DisplacementField& out, const AffineTransform* affine) const {
  if (c.size() != parameter_count()) {
    throw Error(ErrorKind::kData, "B-spline grid: wrong number of coefficients");
  }
  if (!out.geometry().same_grid(target, 0.0) || out.voxel_count() != target.voxel_count()) {
    out = DisplacementField(target);
  }
  const auto t = BSplineGridAccess::tables(*this, target);
  const std::int64_t cx = control_size_[0], cy = control_size_[1];
  const std::int64_t nx = target.size[0], ny = target.size[1];
  // T(x) - x = (A - I) x + t: at voxel (i, y, z), row_start(y, z) + i * step.
  const bool add_affine = affine && !affine->is_identity();
  const Mat3 index_to_world = target.index_to_world_matrix();
  Mat3 a_minus_i = add_affine ? affine->matrix : Mat3::identity();
  for (int r = 0; r < 3; ++r) a_minus_i(r, r) -= 1.0;
  const Vec3d step = a_minus_i * index_to_world.column(0);
  parallel_for_slices(target.size[2], [&](std::int64_t z) {
    // Contract z, then y, then x: 4 taps each, on ever larger planes.
    std::vector<double> plane(static_cast<std::size_t>(3 * cx * cy), 0.0);
    const auto& wz = t[2].weights[static_cast<std::size_t>(z)];
    const auto& iz = t[2].index[static_cast<std::size_t>(z)];
    for (int m = 0; m < 4; ++m) {
      if (wz[m] == 0.0) continue;
      const double* src = c.data() + 3 * iz[m] * cx * cy;
      for (std::int64_t k = 0; k < 3 * cx * cy; ++k)
        plane[static_cast<std::size_t>(k)] += wz[m] * src[k];
    }
    std::vector<double> rows(static_cast<std::size_t>(3 * cx * ny), 0.0);
    for (std::int64_t y = 0; y < ny; ++y) {
      const auto& wy = t[1].weights[static_cast<std::size_t>(y)];
      const auto& iy = t[1].index[static_cast<std::size_t>(y)];
      double* row = rows.data() + 3 * cx * y;
      for (int m = 0; m < 4; ++m) {
        if (wy[m] == 0.0) continue;
        const double* src = plane.data() + 3 * cx * iy[m];
        for (std::int64_t k = 0; k < 3 * cx; ++k) row[k] += wy[m] * src[k];
      }
    }
    Vec3f* dst = out.data() + nx * ny * z;
    for (std::int64_t y = 0; y < ny; ++y) {
      const double* row = rows.data() + 3 * cx * y;
      Vec3d start{0, 0, 0};
      if (add_affine) {
        const Vec3d x0 = target.origin + index_to_world.column(1) * double(y) +
                         index_to_world.column(2) * double(z);
        start = affine->apply(x0) - x0;
      }
      for (std::int64_t x = 0; x < nx; ++x) {
        const auto& wx = t[0].weights[static_cast<std::size_t>(x)];
        const auto& ix = t[0].index[static_cast<std::size_t>(x)];
        double v[3] = {0, 0, 0};
        if (add_affine) {
          const Vec3d d = start + step * double(x);
          v[0] = d.x, v[1] = d.y, v[2] = d.z;
        }
        for (int m = 0; m < 4; ++m) {
          const double* s = row + 3 * ix[m];
          v[0] += wx[m] * s[0];
          v[1] += wx[m] * s[1];
          v[2] += wx[m] * s[2];
        }
        dst[x + nx * y] = {static_cast<float>(v[0]), static_cast<float>(v[1]),
                           static_cast<float>(v[2])};
      }
    }
  });
}

Vec3d BSplineGrid::evaluate_at(std::span<const double> c, const Vec3d& world) const {
  const Vec3d frame = reference_.direction.transposed() * (world - reference_.origin);
  Vec3d v{0, 0, 0};
  std::array<std::int64_t, 3> first{};
  std::array<std::array<double, 4>, 3> w{};
  for (int a = 0; a < 3; ++a) {
    const double q = frame[a] / spacing_ + padding_[a];
    const double base = std::floor(q);
    first[a] = static_cast<std::int64_t>(base) - 1;
    w[a] = cubic_weights(q - base);
  }
  for (int mz = 0; mz < 4; ++mz)
    for (int my = 0; my < 4; ++my)
      for (int mx = 0; mx < 4; ++mx) {
        const std::int64_t ix = first[0] + mx, iy = first[1] + my, iz = first[2] + mz;
        if (ix < 0 || iy < 0 || iz < 0 || ix >= control_size_[0] || iy >= control_size_[1] ||
            iz >= control_size_[2])
          continue;
        const double weight = w[0][mx] * w[1][my] * w[2][mz];
        const std::size_t k =
            static_cast<std::size_t>(3 * (ix + control_size_[0] * (iy + control_size_[1] * iz)));
        v += Vec3d{c[k], c[k + 1], c[k + 2]} * weight;
      }
  return v;
}

void BSplineGrid::adjoint(const DisplacementField& dE_db, std::span<double> gradient) const {
  if (gradient.size() != parameter_count()) {
    throw Error(ErrorKind::kData, "B-spline grid: wrong gradient size");
  }
  const Geometry& target = dE_db.geometry();
  const auto t = BSplineGridAccess::tables(*this, target);
  const std::int64_t cx = control_size_[0], cy = control_size_[1], cz = control_size_[2];
  const std::int64_t nx = target.size[0], ny = target.size[1], nz = target.size[2];
  const std::int64_t plane_size = 3 * cx * cy;
  // Per target slice, the gradient contracted over x and y; the z contraction then gathers
  // per control plane, so no two threads write the same value and the sum order is fixed.
  std::vector<double> planes(static_cast<std::size_t>(plane_size * nz), 0.0);
  parallel_for_slices(nz, [&](std::int64_t z) {
    std::vector<double> rows(static_cast<std::size_t>(3 * cx * ny), 0.0);
    const Vec3f* src = dE_db.data() + nx * ny * z;
    for (std::int64_t y = 0; y < ny; ++y) {
      double* row = rows.data() + 3 * cx * y;
      for (std::int64_t x = 0; x < nx; ++x) {
        const Vec3f g = src[x + nx * y];
        const auto& wx = t[0].weights[static_cast<std::size_t>(x)];
        const auto& ix = t[0].index[static_cast<std::size_t>(x)];
        for (int m = 0; m < 4; ++m) {
          double* d = row + 3 * ix[m];
          d[0] += wx[m] * g.x;
          d[1] += wx[m] * g.y;
          d[2] += wx[m] * g.z;
        }
      }
    }
    double* plane = planes.data() + plane_size * z;
    for (std::int64_t y = 0; y < ny; ++y) {
      const auto& wy = t[1].weights[static_cast<std::size_t>(y)];
      const auto& iy = t[1].index[static_cast<std::size_t>(y)];
      const double* row = rows.data() + 3 * cx * y;
      for (int m = 0; m < 4; ++m) {
        if (wy[m] == 0.0) continue;
        double* d = plane + 3 * cx * iy[m];
        for (std::int64_t k = 0; k < 3 * cx; ++k) d[k] += wy[m] * row[k];
      }
    }
  });
  std::fill(gradient.begin(), gradient.end(), 0.0);
  parallel_for(cz, [&](std::int64_t control_z) {
    double* d = gradient.data() + plane_size * control_z;
    for (std::int64_t z = 0; z < nz; ++z) {
      const auto& wz = t[2].weights[static_cast<std::size_t>(z)];
      const auto& iz = t[2].index[static_cast<std::size_t>(z)];
      for (int m = 0; m < 4; ++m) {
        if (iz[m] != control_z || wz[m] == 0.0) continue;
        const double* plane = planes.data() + plane_size * z;
        for (std::int64_t k = 0; k < plane_size; ++k) d[k] += wz[m] * plane[k];
      }
    }
  });
}

}  // namespace modir::transform
