#pragma once

// Slow reference evaluation of a cubic B-spline displacement and of integrals over its support,
// written independently of modir's basis and Gram code so the tests can compare against it.

#include <array>
#include <cmath>
#include <cstdint>
#include <span>

#include "modir/core/geometry.h"
#include "modir/core/vec.h"

namespace modir::objective::spline_reference {

/// B^(order)(t) of the centred cubic B-spline from its truncated-power form
/// B(t) = (1/6) sum_{k=0..4} (-1)^k C(4,k) (t + 2 - k)_+^3.
inline double reference_bspline(int order, double t) {
  constexpr double kBinomial[5] = {1, 4, 6, 4, 1};
  double sum = 0.0;
  for (int k = 0; k < 5; ++k) {
    const double x = t + 2.0 - k;
    if (x <= 0.0) continue;
    const double power = order == 0 ? x * x * x : order == 1 ? 3.0 * x * x : 6.0 * x;
    sum += (k % 2 == 0 ? 1.0 : -1.0) * kBinomial[k] * power;
  }
  return sum / 6.0;
}

/// First and second derivatives of the spline with coefficients `theta` (3 per control point,
/// x fastest) at control-grid coordinates q, with respect to q (not scaled by the spacing).
struct SplineJet {
  std::array<Vec3d, 3> first{};                  ///< first[a] = du/dq_a
  std::array<std::array<Vec3d, 3>, 3> second{};  ///< second[a][b] = d2u/dq_a dq_b
};

inline SplineJet spline_jet(std::span<const double> theta, const Size3& control, const Vec3d& q) {
  SplineJet jet;
  std::int64_t first[3];
  for (int a = 0; a < 3; ++a) first[a] = static_cast<std::int64_t>(std::floor(q[a])) - 1;
  for (std::int64_t kz = first[2]; kz < first[2] + 4; ++kz) {
    if (kz < 0 || kz >= control[2]) continue;
    for (std::int64_t ky = first[1]; ky < first[1] + 4; ++ky) {
      if (ky < 0 || ky >= control[1]) continue;
      for (std::int64_t kx = first[0]; kx < first[0] + 4; ++kx) {
        if (kx < 0 || kx >= control[0]) continue;
        const std::int64_t k[3] = {kx, ky, kz};
        double basis[3][3];  // basis[axis][order]
        for (int a = 0; a < 3; ++a)
          for (int o = 0; o < 3; ++o) basis[a][o] = reference_bspline(o, q[a] - double(k[a]));
        const std::size_t index =
            static_cast<std::size_t>(3 * (kx + control[0] * (ky + control[1] * kz)));
        const Vec3d c{theta[index], theta[index + 1], theta[index + 2]};
        for (int a = 0; a < 3; ++a) {
          int order[3] = {0, 0, 0};
          order[a] = 1;
          jet.first[a] += c * (basis[0][order[0]] * basis[1][order[1]] * basis[2][order[2]]);
          for (int b = 0; b < 3; ++b) {
            int order2[3] = {0, 0, 0};
            ++order2[a];
            ++order2[b];
            jet.second[a][b] +=
                c * (basis[0][order2[0]] * basis[1][order2[1]] * basis[2][order2[2]]);
          }
        }
      }
    }
  }
  return jet;
}

/// The integral over control-grid coordinates q of density(q) across the whole support of a
/// spline on `control`: 5-point Gauss-Legendre in every unit knot cell, exact for the
/// polynomial pieces of squared spline derivatives (degree <= 6 per axis).
template <typename Density>
double integrate_over_support(const Size3& control, Density&& density) {
  constexpr double kNodes[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831,
                                0.9061798459386640};
  constexpr double kWeights[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889,
                                  0.4786286704993665, 0.2369268850561891};
  double total = 0.0;
  for (std::int64_t cz = -2; cz <= control[2]; ++cz)
    for (std::int64_t cy = -2; cy <= control[1]; ++cy)
      for (std::int64_t cx = -2; cx <= control[0]; ++cx)
        for (int iz = 0; iz < 5; ++iz)
          for (int iy = 0; iy < 5; ++iy)
            for (int ix = 0; ix < 5; ++ix) {
              const Vec3d q{cx + 0.5 * (kNodes[ix] + 1.0), cy + 0.5 * (kNodes[iy] + 1.0),
                            cz + 0.5 * (kNodes[iz] + 1.0)};
              total += 0.125 * kWeights[ix] * kWeights[iy] * kWeights[iz] * density(q);
            }
  return total;
}

}  // namespace modir::objective::spline_reference
