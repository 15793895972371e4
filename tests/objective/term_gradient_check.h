#pragma once

#include <gtest/gtest.h>

#include <random>

#include "modir/objective/term.h"

namespace modir::test {

/// A smooth random displacement (a few mm) on g: sums of low-frequency sines, so finite
/// differences of terms built on trilinear interpolation rarely cross a cell boundary badly.
inline DisplacementField smooth_field(const Geometry& g, double amplitude, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> phase(0, 6.28), freq(0.02, 0.08);
  double p[3][3], f[3][3];
  for (auto& row : p)
    for (double& v : row) v = phase(rng);
  for (auto& row : f)
    for (double& v : row) v = freq(rng);
  DisplacementField u(g);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const Vec3d w = g.index_to_world({double(x), double(y), double(z)});
        Vec3d v;
        for (int c = 0; c < 3; ++c)
          v[c] = amplitude * std::sin(f[c][0] * w.x + p[c][0]) * std::cos(f[c][1] * w.y + p[c][1]) *
                 std::sin(f[c][2] * w.z + p[c][2]);
        u(x, y, z) = v.cast<float>();
      }
  return u;
}

/// Checks a term's gradient against central differences along `directions` random smooth
/// directions: (E(u + h d) - E(u - h d)) / 2h = <dE/du, d>.
inline void expect_gradient_matches(objective::FieldTerm& term, const DisplacementField& u,
                                    double step, double relative_tolerance, int directions = 3) {
  DisplacementField gradient(u.geometry(), Vec3f{0, 0, 0});
  term.evaluate(u, &gradient, 1.0);
  for (int k = 0; k < directions; ++k) {
    const DisplacementField d = smooth_field(u.geometry(), 1.0, 100 + unsigned(k));
    DisplacementField plus = u, minus = u;
    for (std::int64_t i = 0; i < u.voxel_count(); ++i) {
      plus.data()[i] += d.data()[i] * float(step);
      minus.data()[i] -= d.data()[i] * float(step);
    }
    const double fd =
        (term.evaluate(plus, nullptr, 1.0) - term.evaluate(minus, nullptr, 1.0)) / (2 * step);
    double analytic = 0;
    for (std::int64_t i = 0; i < u.voxel_count(); ++i)
      analytic += gradient.data()[i].cast<double>().dot(d.data()[i].cast<double>());
    EXPECT_NEAR(analytic, fd, relative_tolerance * std::max(std::abs(fd), 1e-6))
        << term.name() << " direction " << k;
  }
}

}  // namespace modir::test
