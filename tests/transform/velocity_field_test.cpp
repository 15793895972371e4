#include "modir/transform/velocity_field.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "modir/core/parallel.h"
#include "modir/transform/jacobian.h"
#include "support/test_support.h"

namespace modir::transform {
namespace {

using Field3d = Image<Vec3d>;

Vec3d index_of(std::int64_t i, std::int64_t j, std::int64_t k) {
  return {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)};
}

template <typename F>
void for_each_voxel(const Geometry& g, F&& body) {
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) body(i, j, k);
}

// A field given in voxel units per index axis, stored as world-mm vectors.
template <typename F>
DisplacementField field_from_voxel_units(const Geometry& g, F&& voxels_at_index) {
  const Mat3 world_from_index = g.index_to_world_matrix();
  DisplacementField field(g);
  for_each_voxel(g, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    const Vec3d voxels = voxels_at_index(index_of(i, j, k));
    field(i, j, k) = (world_from_index * voxels).cast<float>();
  });
  return field;
}

// A smooth random field: a few low-frequency sine modes per component, scaled so that the largest
// component is `max_voxels` voxels along its index axis.
DisplacementField smooth_random_field(const Geometry& g, double max_voxels, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  struct Mode {
    Vec3d frequency;
    double phase, amplitude;
  };
  std::vector<Mode> modes[3];
  for (auto& component : modes) {
    for (int m = 0; m < 4; ++m) {
      Vec3d f;
      for (int a = 0; a < 3; ++a) f[a] = 2.0 * M_PI * uniform(rng) / static_cast<double>(g.size[a]);
      component.push_back({f, M_PI * uniform(rng), uniform(rng)});
    }
  }
  auto raw = [&](const Vec3d& index) {
    Vec3d v;
    for (int a = 0; a < 3; ++a)
      for (const Mode& m : modes[a])
        v[a] += m.amplitude * std::sin(m.frequency.dot(index) + m.phase);
    return v;
  };
  double largest = 0.0;
  for_each_voxel(g, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    const Vec3d v = raw(index_of(i, j, k));
    largest = std::max({largest, std::abs(v.x), std::abs(v.y), std::abs(v.z)});
  });
  return field_from_voxel_units(
      g, [&](const Vec3d& index) { return raw(index) * (max_voxels / largest); });
}

// Trilinear sample of a field at a continuous index, edge-clamped: written independently of the
// implementation (clamp the index, then interpolate between floor and floor + 1).
template <typename T>
Vec3d sample(const Image<Vec3<T>>& field, const Vec3d& index) {
  const Size3& n = field.size();
  std::int64_t lo[3], hi[3];
  double f[3];
  for (int a = 0; a < 3; ++a) {
    const double q = std::clamp(index[a], 0.0, static_cast<double>(n[a] - 1));
    lo[a] = static_cast<std::int64_t>(std::floor(q));
    hi[a] = std::min(lo[a] + 1, n[a] - 1);
    f[a] = q - static_cast<double>(lo[a]);
  }
  Vec3d result;
  for (int c = 0; c < 8; ++c) {
    double w = 1.0;
    std::int64_t at[3];
    for (int a = 0; a < 3; ++a) {
      const bool upper = (c >> a) & 1;
      at[a] = upper ? hi[a] : lo[a];
      w *= upper ? f[a] : 1.0 - f[a];
    }
    result += field(at[0], at[1], at[2]).template cast<double>() * w;
  }
  return result;
}

// The slow reference: scaling and squaring in double precision, one voxel at a time.
Field3d exponentiate_reference(const Field3d& velocity, int steps) {
  const Geometry& g = velocity.geometry();
  const Mat3 index_from_world = g.index_to_world_matrix().inverse();
  Field3d s = velocity;
  for (Vec3d& value : s.buffer()) value = value / std::ldexp(1.0, steps);
  for (int step = 0; step < steps; ++step) {
    Field3d next(g);
    for_each_voxel(g, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
      next(i, j, k) = s(i, j, k) + sample(s, index_of(i, j, k) + index_from_world * s(i, j, k));
    });
    s = std::move(next);
  }
  return s;
}

Field3d to_double(const DisplacementField& f) {
  Field3d d(f.geometry());
  for (std::size_t i = 0; i < f.buffer().size(); ++i) d.buffer()[i] = f.buffer()[i].cast<double>();
  return d;
}

double inner(const Field3d& a, const Field3d& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.buffer().size(); ++i) sum += a.buffer()[i].dot(b.buffer()[i]);
  return sum;
}

// Taylor series of the matrix exponential; plenty of terms for |A| well below 1.
Mat3 matrix_exponential(const Mat3& a) {
  Mat3 sum = Mat3::identity(), term = Mat3::identity();
  for (int n = 1; n < 30; ++n) {
    term = term * a;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) term(r, c) /= n;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) sum(r, c) += term(r, c);
  }
  return sum;
}

Mat3 identity_plus(const Mat3& a) {
  Mat3 r = a;
  for (int d = 0; d < 3; ++d) r(d, d) += 1.0;
  return r;
}

TEST(VelocityField, SquaringStepsKeepFirstStepBelowHalfVoxel) {
  Geometry g;
  g.size = {3, 3, 3};
  g.spacing = {2.0, 1.0, 3.0};  // half the smallest spacing: 0.5 mm
  DisplacementField v(g);
  EXPECT_EQ(squaring_steps_for(v), 4);  // the minimum even for a zero field
  v(1, 1, 1) = {12.0f, 0.0f, 16.0f};    // |v| = 20 mm: 20 / 2^N < 0.5 needs N = 6
  EXPECT_EQ(squaring_steps_for(v), 6);
  v(2, 0, 1) = {0.0f, 64.0f, 0.0f};  // 64 / 2^N < 0.5 needs 2^N > 128: N = 8
  EXPECT_EQ(squaring_steps_for(v), 8);
  v(0, 0, 0) = {1e6f, 0.0f, 0.0f};  // would need 22: capped
  EXPECT_EQ(squaring_steps_for(v), 12);
}

TEST(VelocityField, ConstantVelocityIsTheSameTranslation) {
  const Geometry g = test::oblique_geometry({6, 5, 4});
  const Vec3f c{3.5f, -7.25f, 11.0f};  // several voxels, so most samples fall outside the grid
  const DisplacementField v(g, c);
  DisplacementField u;
  std::vector<DisplacementField> kept;
  exponentiate(v, 5, u, &kept);
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_EQ(kept[0](2, 2, 2), c * (1.0f / 32.0f));
  EXPECT_EQ(kept[4](2, 2, 2), c * 0.5f);
  ASSERT_TRUE(u.geometry().same_grid(g));
  for (const Vec3f& value : u.buffer()) {
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(value[a], c[a], 1e-5);
  }
}

// v(x) = A (x - centre) gives s_k(x) = B_k (x - centre) with I + B_k = (I + A / 2^N)^(2^k) wherever
// the samples that fed a voxel never left the grid, since trilinear interpolation reproduces a
// linear field exactly. So the result must equal (I + A / 2^N)^(2^N) - I to float precision there,
// and expm(A) - I within the known truncation error of the power. Clamped samples at the faces
// spoil exactness there, and the spoilt layer spreads by about a voxel per squaring.
TEST(VelocityField, LinearVelocityGivesMatrixExponential) {
  const Geometry g = test::oblique_geometry({30, 26, 22});
  const Vec3d centre = g.index_to_world({14.5, 12.5, 10.5});
  Mat3 a;
  a.m = {{{0.08, -0.12, 0.03}, {0.10, 0.05, -0.04}, {-0.02, 0.06, -0.09}}};
  DisplacementField v(g);
  for_each_voxel(g, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    v(i, j, k) = (a * (g.index_to_world(index_of(i, j, k)) - centre)).cast<float>();
  });
  const int steps = 8;
  DisplacementField u;
  exponentiate(v, steps, u);

  // exact(x) after a step: x's own value and all 8 corners of its sample were exact before it.
  Mat3 first_step = a;  // A / 2^steps
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) first_step(r, c) /= 256.0;
  Mat3 power = identity_plus(first_step);  // I + B_k for the current step k
  Image<std::uint8_t> exact(g, 1);
  for (int step = 0; step < steps; ++step) {
    Image<std::uint8_t> next(g, 0);
    for_each_voxel(g, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
      const Vec3d x = g.index_to_world(index_of(i, j, k)) - centre;
      const Vec3d p = g.world_to_index(power * x + centre);
      bool ok = exact(i, j, k) != 0;
      for (int c = 0; c < 8 && ok; ++c) {
        std::int64_t at[3];
        for (int d = 0; d < 3; ++d) {
          at[d] = static_cast<std::int64_t>(std::floor(p[d])) + ((c >> d) & 1);
          ok = ok && at[d] >= 0 && at[d] < g.size[d];
        }
        ok = ok && exact(at[0], at[1], at[2]) != 0;
      }
      next(i, j, k) = ok ? 1 : 0;
    });
    exact = std::move(next);
    power = power * power;
  }

  const Mat3 exponential = matrix_exponential(a);
  const double truncation = power.max_abs_difference(exponential);  // power = (I + A/256)^256
  std::int64_t checked = 0;
  for_each_voxel(g, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    if (!exact(i, j, k)) return;
    ++checked;
    const Vec3d r = g.index_to_world(index_of(i, j, k)) - centre;
    const Vec3d got = u(i, j, k).cast<double>();
    const Vec3d want_power = power * r - r;
    const Vec3d want_exponential = exponential * r - r;
    for (int d = 0; d < 3; ++d) {
      EXPECT_NEAR(got[d], want_power[d], 1e-4) << i << "," << j << "," << k;
      // |(P - E) r|_d <= max |P - E| * |r|_1 <= max |P - E| * sqrt(3) |r|
      EXPECT_NEAR(got[d], want_exponential[d], 2.0 * truncation * r.norm() + 1e-4);
    }
  });
  EXPECT_GT(checked, 2000);  // the exact interior is a real part of the grid
}

TEST(VelocityField, NegativeVelocityInvertsTheFlow) {
  const Geometry g = test::oblique_geometry({40, 36, 24});
  const DisplacementField v = smooth_random_field(g, 3.0, 7);
  DisplacementField minus_v = v;
  for (Vec3f& value : minus_v.buffer()) value = -value;
  DisplacementField forward, backward;
  exponentiate(v, squaring_steps_for(v), forward);
  exponentiate(minus_v, squaring_steps_for(minus_v), backward);

  // x -> x + u(x) -> (x + u(x)) + w(x + u(x)) should come back to x; residuals in voxels along
  // each index axis. Compare with the naive inverse x -> x + v(x) -> x + v(x) - v(x + v(x)).
  const Mat3 index_from_world = g.index_to_world_matrix().inverse();
  auto in_voxels = [&](const Vec3d& world) {
    const Vec3d r = index_from_world * world;
    return std::max({std::abs(r.x), std::abs(r.y), std::abs(r.z)});
  };
  const std::int64_t margin = 6;  // more than the largest displacement: no clamped samples
  double worst = 0.0, sum = 0.0, worst_naive = 0.0;
  std::int64_t count = 0;
  for_each_voxel(g, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    const std::int64_t at[3] = {i, j, k};
    for (int d = 0; d < 3; ++d) {
      if (at[d] < margin || at[d] >= g.size[d] - margin) return;
    }
    const Vec3d u = forward(i, j, k).cast<double>();
    const double residual =
        in_voxels(u + sample(backward, index_of(i, j, k) + index_from_world * u));
    worst = std::max(worst, residual);
    sum += residual;
    ++count;
    const Vec3d vv = v(i, j, k).cast<double>();
    worst_naive =
        std::max(worst_naive, in_voxels(vv - sample(v, index_of(i, j, k) + index_from_world * vv)));
  });
  EXPECT_LT(worst, 0.15);
  EXPECT_LT(sum / static_cast<double>(count), 0.03);
  EXPECT_GT(worst_naive, 5.0 * worst);
}

TEST(VelocityField, LargeVelocityDoesNotFoldWhereTheSameDisplacementWould) {
  const Geometry g = test::oblique_geometry({28, 26, 24});
  // Up to 3 voxels per axis: each component a compression wave along its own axis (slope up to
  // 2.4 * 2 pi / 12 = 1.26, so x + v(x) runs backwards where the slope is below -1), plus a
  // gentler shear along another axis.
  const double w = 2.0 * M_PI / 12.0;
  const DisplacementField v = field_from_voxel_units(g, [&](const Vec3d& p) {
    return Vec3d{2.4 * std::sin(w * p.x) + 0.6 * std::sin(0.5 * w * p.y),
                 2.4 * std::sin(w * p.y + 1.0) + 0.6 * std::cos(0.5 * w * p.z),
                 2.4 * std::sin(w * p.z + 2.0) + 0.6 * std::sin(0.5 * w * p.x)};
  });
  EXPECT_GT(jacobian_statistics(jacobian_determinant(v)).folded_voxels, 0);
  DisplacementField u;
  exponentiate(v, squaring_steps_for(v), u);
  const JacobianStatistics s = jacobian_statistics(jacobian_determinant(u));
  EXPECT_EQ(s.folded_voxels, 0);
  EXPECT_GT(s.min, 0.0);
}

// The adjoint is checked against central differences of the double-precision reference, where a
// step of 1e-6 mm is far from rounding noise and almost surely crosses no cell boundary of the
// piecewise-linear interpolant. The reference itself is checked against the float implementation.
TEST(VelocityField, AdjointMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  // Rough random velocity up to 1.5 voxels per axis: samples leave the grid at the faces, so
  // the clamped derivative is exercised as well.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  const DisplacementField v = field_from_voxel_units(g, [&](const Vec3d&) {
    return Vec3d{1.5 * uniform(rng), 1.5 * uniform(rng), 1.5 * uniform(rng)};
  });
  const int steps = squaring_steps_for(v);
  DisplacementField u;
  std::vector<DisplacementField> kept;
  exponentiate(v, steps, u, &kept);
  ASSERT_EQ(kept.size(), static_cast<std::size_t>(steps));

  const Field3d v_double = to_double(v);
  const Field3d u_reference = exponentiate_reference(v_double, steps);
  for (std::size_t i = 0; i < u.buffer().size(); ++i) {
    ASSERT_LT((u.buffer()[i].cast<double>() - u_reference.buffer()[i]).norm(), 1e-4);
  }

  Field3d weights(g), direction(g);
  DisplacementField weights_float(g);
  for (std::size_t i = 0; i < weights.buffer().size(); ++i) {
    weights_float.buffer()[i] = Vec3d{uniform(rng), uniform(rng), uniform(rng)}.cast<float>();
    weights.buffer()[i] = weights_float.buffer()[i].cast<double>();
    direction.buffer()[i] = {uniform(rng), uniform(rng), uniform(rng)};
  }
  DisplacementField gradient_float;
  exponentiate_adjoint(kept, weights_float, gradient_float);
  const Field3d gradient = to_double(gradient_float);

  const double h = 1e-6;
  auto energy_along = [&](const Field3d& dv, double t) {
    Field3d moved = v_double;
    for (std::size_t i = 0; i < moved.buffer().size(); ++i) moved.buffer()[i] += dv.buffer()[i] * t;
    return inner(weights, exponentiate_reference(moved, steps));
  };
  const double finite_difference =
      (energy_along(direction, h) - energy_along(direction, -h)) / (2 * h);
  const double analytic = inner(gradient, direction);
  EXPECT_NEAR(analytic, finite_difference, 1e-4 * std::abs(finite_difference));

  double rms = 0.0;
  for (const Vec3d& value : gradient.buffer()) rms += value.dot(value);
  rms = std::sqrt(rms / static_cast<double>(3 * gradient.voxel_count()));
  for (const Size3& at :
       {Size3{0, 0, 0}, Size3{4, 3, 3}, Size3{8, 7, 6}, Size3{2, 6, 1}, Size3{7, 1, 5}}) {
    for (int d = 0; d < 3; ++d) {
      Field3d unit(g);
      unit(at[0], at[1], at[2])[d] = 1.0;
      const double fd = (energy_along(unit, h) - energy_along(unit, -h)) / (2 * h);
      EXPECT_NEAR(gradient(at[0], at[1], at[2])[d], fd, 1e-4 * std::max(std::abs(fd), 0.1 * rms))
          << "voxel " << at[0] << "," << at[1] << "," << at[2] << " component " << d;
    }
  }
}

// The scatter's summation order is fixed by the data, not by the threads: one thread and two
// give the same bits.
TEST(VelocityField, AdjointDoesNotDependOnThreadCount) {
  const Geometry g = test::oblique_geometry({24, 20, 30});
  const DisplacementField v = smooth_random_field(g, 4.0, 3);
  DisplacementField u;
  std::vector<DisplacementField> kept;
  exponentiate(v, squaring_steps_for(v), u, &kept);
  DisplacementField w(g);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (Vec3f& value : w.buffer()) value = {uniform(rng), uniform(rng), uniform(rng)};

  const int threads = thread_count();
  DisplacementField one, two;
  set_thread_count(1);
  exponentiate_adjoint(kept, w, one);
  set_thread_count(2);
  exponentiate_adjoint(kept, w, two);
  set_thread_count(threads);
  ASSERT_EQ(one.buffer().size(), two.buffer().size());
  for (std::size_t i = 0; i < one.buffer().size(); ++i)
    ASSERT_EQ(one.buffer()[i], two.buffer()[i]) << i;
}

TEST(VelocityField, RejectsNegativeStepsAndMismatchedGrids) {
  const Geometry g = test::oblique_geometry({4, 4, 4});
  DisplacementField v(g), u;
  EXPECT_EQ(test::error_of([&] { exponentiate(v, -1, u); }).kind(), ErrorKind::kUsage);
  std::vector<DisplacementField> kept;
  exponentiate(v, 4, u, &kept);
  const DisplacementField other(test::oblique_geometry({4, 4, 5}));
  EXPECT_EQ(test::error_of([&] { exponentiate_adjoint(kept, other, u); }).kind(),
            ErrorKind::kUsage);
}

}  // namespace
}  // namespace modir::transform
