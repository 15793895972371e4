#include "modir/transform/velocity_field.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::transform {
namespace {

constexpr int kMinSteps = 4;
constexpr int kMaxSteps = 12;

// Where a trilinear sample falls. Along each axis a: the two grid planes bracketing it, as
// offsets into the voxel buffer (plane index times the axis stride), their weights (1 - f, f) and
// the derivatives of those weights with respect to the sample position (-1, +1), which are zero
// where the sample does not move with its position (clamped beyond a face, or an axis one voxel
// thick).
struct TrilinearCell {
  std::int64_t offset[3][2];
  double weight[3][2];
  double weight_derivative[3][2];
};

// The cell of continuous index p under the edge clamping documented in the header. Inside the
// grid the lower plane is floor(p), except on the last plane, where the last cell is used with
// upper weight 1, so that the cell always has two distinct planes when the axis has two voxels.
TrilinearCell locate(const Vec3d& p, const Size3& size) {
  TrilinearCell cell;
  const std::int64_t stride[3] = {1, size[0], size[0] * size[1]};
  for (int a = 0; a < 3; ++a) {
    const std::int64_t n = size[a];
    if (n == 1) {
      cell.offset[a][0] = cell.offset[a][1] = 0;
      cell.weight[a][0] = 1.0;
      cell.weight[a][1] = 0.0;
      cell.weight_derivative[a][0] = cell.weight_derivative[a][1] = 0.0;
      continue;
    }
    const double last = static_cast<double>(n - 1);
    double q = p[a];
    const double moves = q >= 0.0 && q <= last ? 1.0 : 0.0;
    if (!(q >= 0.0)) q = 0.0;  // also maps NaN to the face instead of indexing with it
    if (q > last) q = last;
    const std::int64_t lo = std::min(static_cast<std::int64_t>(q), n - 2);
    const double upper = q - static_cast<double>(lo);
    cell.offset[a][0] = lo * stride[a];
    cell.offset[a][1] = (lo + 1) * stride[a];
    cell.weight[a][0] = 1.0 - upper;
    cell.weight[a][1] = upper;
    cell.weight_derivative[a][0] = -moves;
    cell.weight_derivative[a][1] = moves;
  }
  return cell;
}

// Calls visit(offset, weight, weight_derivative) for the 8 corners of a cell: the corner's place
// in the voxel buffer, its trilinear weight and that weight's gradient with respect to the sample
// position in index units.
template <typename Visit>
void for_each_corner(const TrilinearCell& cell, Visit&& visit) {
  for (int z = 0; z < 2; ++z) {
    for (int y = 0; y < 2; ++y) {
      const double wyz = cell.weight[1][y] * cell.weight[2][z];
      for (int x = 0; x < 2; ++x) {
        const std::int64_t offset = cell.offset[0][x] + cell.offset[1][y] + cell.offset[2][z];
        const Vec3d weight_derivative{
            cell.weight_derivative[0][x] * wyz,
            cell.weight[0][x] * cell.weight_derivative[1][y] * cell.weight[2][z],
            cell.weight[0][x] * cell.weight[1][y] * cell.weight_derivative[2][z]};
        visit(offset, cell.weight[0][x] * wyz, weight_derivative);
      }
    }
  }
}

// The continuous index of x + s(x) for voxel (i, j, k): the index plus s mapped to index units.
Vec3d sample_index(std::int64_t i, std::int64_t j, std::int64_t k, const Vec3f& s,
                   const Mat3& index_from_world) {
  return Vec3d{static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)} +
         index_from_world * s.cast<double>();
}

// s_{k+1}(x) = s_k(x) + s_k(x + s_k(x)); `next` must already have the grid of `current`.
void square_once(const DisplacementField& current, DisplacementField& next,
                 const Mat3& index_from_world) {
  const Size3& n = current.size();
  const Vec3f* values = current.data();
  parallel_for_slices(n[2], [&](std::int64_t k) {
    for (std::int64_t j = 0; j < n[1]; ++j) {
      for (std::int64_t i = 0; i < n[0]; ++i) {
        const Vec3f& s = current(i, j, k);
        const TrilinearCell cell = locate(sample_index(i, j, k, s, index_from_world), n);
        Vec3d sampled{0, 0, 0};
        for_each_corner(cell, [&](std::int64_t offset, double weight, const Vec3d&) {
          sampled += values[offset].cast<double>() * weight;
        });
        next(i, j, k) = (s.cast<double>() + sampled).cast<float>();
      }
    }
  });
}

// How many slices away from its own slice any voxel's sample can write in the adjoint scatter:
// the sample lies within max |p_z - z| of the voxel's slice and touches the plane on each side.
std::int64_t scatter_reach(const DisplacementField& s, const Mat3& index_from_world) {
  const Size3& n = s.size();
  std::vector<double> slice_reach(static_cast<std::size_t>(n[2]), 0.0);
  parallel_for_slices(n[2], [&](std::int64_t k) {
    double reach = 0.0;
    const double last = static_cast<double>(n[2] - 1);
    for (std::int64_t j = 0; j < n[1]; ++j) {
      for (std::int64_t i = 0; i < n[0]; ++i) {
        const double z = sample_index(i, j, k, s(i, j, k), index_from_world).z;
        const double clamped = std::clamp(std::isnan(z) ? 0.0 : z, 0.0, last);
        reach = std::max(reach, std::abs(clamped - static_cast<double>(k)));
      }
    }
    slice_reach[static_cast<std::size_t>(k)] = reach;
  });
  double reach = 0.0;
  for (const double r : slice_reach) reach = std::max(reach, r);
  return static_cast<std::int64_t>(std::ceil(reach)) + 1;
}

// The adjoint of one squaring: given dE/ds_{k+1} in `upstream` and s_k in `s`, writes dE/ds_k to
// `downstream` (which must have the grid already). Reverse mode of
//   s_{k+1}(x) = s_k(x) + sum_c w_c(p) s_k(c),   p = index(x) + M s_k(x),
// gives three terms per voxel x with g = upstream(x): g itself at x (the identity term),
// M^T sum_c (dw_c/dp) (g . s_k(c)) at x (the moving sample), and w_c g at every corner c (the
// transposed interpolation). The last one writes to other voxels, so slices are grouped into
// blocks at least `reach` slices thick: a block's writes then stay within its two neighbours, and
// blocks three apart never touch the same voxel. Blocks of one colour (index mod 3) run in
// parallel, the colours one after another, each block in slice order: a fixed summation order.
void square_once_adjoint(const DisplacementField& s, const DisplacementField& upstream,
                         DisplacementField& downstream, const Mat3& index_from_world) {
  const Size3& n = s.size();
  downstream.buffer() = upstream.buffer();
  const Mat3 index_from_world_transposed = index_from_world.transposed();
  const std::int64_t block = scatter_reach(s, index_from_world);
  const std::int64_t block_count = (n[2] + block - 1) / block;
  const Vec3f* values = s.data();
  Vec3f* scattered = downstream.data();

  auto process_slice = [&](std::int64_t k) {
    for (std::int64_t j = 0; j < n[1]; ++j) {
      for (std::int64_t i = 0; i < n[0]; ++i) {
        const Vec3d g = upstream(i, j, k).cast<double>();
        const TrilinearCell cell = locate(sample_index(i, j, k, s(i, j, k), index_from_world), n);
        Vec3d position_gradient{0, 0, 0};
        for_each_corner(
            cell, [&](std::int64_t offset, double weight, const Vec3d& weight_derivative) {
              position_gradient += weight_derivative * g.dot(values[offset].cast<double>());
              scattered[offset] += (g * weight).cast<float>();
            });
        downstream(i, j, k) += (index_from_world_transposed * position_gradient).cast<float>();
      }
    }
  };

  for (std::int64_t colour = 0; colour < 3; ++colour) {
    const std::int64_t blocks_of_colour = (block_count - colour + 2) / 3;
    parallel_for(blocks_of_colour, [&](std::int64_t b) {
      const std::int64_t first = (colour + 3 * b) * block;
      const std::int64_t end = std::min(first + block, n[2]);
      for (std::int64_t k = first; k < end; ++k) process_slice(k);
    });
  }
}

}  // namespace

int squaring_steps_for(const DisplacementField& velocity) {
  const Vec3d& spacing = velocity.geometry().spacing;
  const double half_voxel = 0.5 * std::min({spacing.x, spacing.y, spacing.z});
  double largest = 0.0;
  for (const Vec3f& v : velocity.buffer()) {
    largest = std::max(largest, v.cast<double>().norm());
  }
  int steps = kMinSteps;
  while (steps < kMaxSteps && std::ldexp(largest, -steps) >= half_voxel) ++steps;
  return steps;
}

void exponentiate(const DisplacementField& velocity, int steps, DisplacementField& displacement,
                  std::vector<DisplacementField>* intermediate) {
  if (steps < 0) {
    throw usage_error("exponentiate: the number of squaring steps must not be negative, got {}",
                      steps);
  }
  const Geometry g = velocity.geometry();  // a copy: `velocity` may live in *intermediate
  const Mat3 index_from_world = g.index_to_world_matrix().inverse();
  const float scale = std::ldexp(1.0f, -steps);  // a power of two: scaling is exact

  DisplacementField current(g);
  const std::vector<Vec3f>& v = velocity.buffer();
  std::vector<Vec3f>& s0 = current.buffer();
  parallel_for(static_cast<std::int64_t>(v.size()), [&](std::int64_t i) {
    s0[static_cast<std::size_t>(i)] = v[static_cast<std::size_t>(i)] * scale;
  });

  if (intermediate) {
    intermediate->clear();
    intermediate->reserve(static_cast<std::size_t>(steps));
  }
  DisplacementField next(g);
  for (int k = 0; k < steps; ++k) {
    square_once(current, next, index_from_world);
    if (intermediate) {
      intermediate->push_back(std::move(current));
      current = std::move(next);
      if (k + 1 < steps) next = DisplacementField(g);
    } else {
      std::swap(current, next);
    }
  }
  displacement = std::move(current);
}

void exponentiate_adjoint(const std::vector<DisplacementField>& intermediate,
                          const DisplacementField& dE_ddisplacement,
                          DisplacementField& dE_dvelocity) {
  const Geometry g = dE_ddisplacement.geometry();  // a copy: the output may alias the input
  for (const DisplacementField& s : intermediate) {
    if (!s.geometry().same_grid(g)) {
      throw usage_error(
          "exponentiate_adjoint: the intermediate fields and the gradient lie on different "
          "grids; pass the fields exponentiate kept for this displacement");
    }
  }
  const Mat3 index_from_world = g.index_to_world_matrix().inverse();
  DisplacementField upstream = dE_ddisplacement;
  DisplacementField downstream(g);
  for (auto s = intermediate.rbegin(); s != intermediate.rend(); ++s) {
    square_once_adjoint(*s, upstream, downstream, index_from_world);
    std::swap(upstream, downstream);
  }
  // s_0 = v / 2^N, so dE/dv = dE/ds_0 / 2^N.
  const float scale = std::ldexp(1.0f, -static_cast<int>(intermediate.size()));
  for (Vec3f& value : upstream.buffer()) value = value * scale;
  dE_dvelocity = std::move(upstream);
}

}  // namespace modir::transform
