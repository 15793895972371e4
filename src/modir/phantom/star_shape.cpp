#include <cmath>
#include <vector>

#include "modir/phantom/anatomy.h"

namespace modir::phantom {

double StarShape::radius(const Vec3d& d) const {
  const double ex = d.x / semi_axes.x, ey = d.y / semi_axes.y, ez = d.z / semi_axes.z;
  double f = 1.0;
  for (std::size_t i = 0; i < wave_vectors.size(); ++i)
    f += wave_amplitudes[i] * std::cos(wave_vectors[i].dot(d) + wave_phases[i]);
  return scale * f / std::sqrt(ex * ex + ey * ey + ez * ez);
}

double StarShape::normalised_radius(const Vec3d& p) const {
  const Vec3d q = p - centre;
  const double n = q.norm();
  if (n == 0.0) return 0.0;
  return n / radius(q / n);
}

double StarShape::volume_ml() const {
  // V = 1/3 * integral of r(d)^3 over the sphere: Gauss-Legendre in cos(theta), which is exact
  // for the polynomial part, and the trapezoidal rule in phi, which converges geometrically for
  // smooth periodic integrands.
  constexpr int kTheta = 64, kPhi = 128;
  double volume = 0.0;
  for (int i = 0; i < kTheta; ++i) {
    double x = std::cos(M_PI * (i + 0.75) / (kTheta + 0.5));
    double derivative = 1.0;
    for (int iter = 0; iter < 100; ++iter) {
      double p0 = 1.0, p1 = x;
      for (int k = 2; k <= kTheta; ++k) {
        const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = kTheta * (x * p1 - p0) / (x * x - 1.0);
      const double step = p1 / derivative;
      x -= step;
      if (std::abs(step) < 1e-15) break;
    }
    const double weight = 2.0 / ((1.0 - x * x) * derivative * derivative);
    const double sin_theta = std::sqrt(1.0 - x * x);
    double ring = 0.0;
    for (int j = 0; j < kPhi; ++j) {
      const double phi = 2.0 * M_PI * j / kPhi;
      const double r = radius({sin_theta * std::cos(phi), sin_theta * std::sin(phi), x});
      ring += r * r * r;
    }
    volume += weight * ring * (2.0 * M_PI / kPhi);
  }
  return volume / 3.0 / 1000.0;  // mm^3 to ml
}

}  // namespace modir::phantom
