#include "modir/objective/regularity/bending_energy.h"

#include <algorithm>

#include "modir/core/error.h"

namespace modir::objective {

BendingEnergy::BendingEnergy(const Size3& control_size, double spacing_mm, const Mat3& direction,
                             double domain_volume_mm3)
    : control_size_(control_size),
      spacing_mm_(spacing_mm),
      domain_volume_mm3_(domain_volume_mm3),
      g00_(bspline_gram(0, 0)),
      g11_(bspline_gram(1, 1)),
      g22_(bspline_gram(2, 2)) {
  validate_control_grid("bending energy", control_size, spacing_mm, direction, domain_volume_mm3);
  const auto count =
      static_cast<std::size_t>(3 * control_size[0] * control_size[1] * control_size[2]);
  for (auto& buffer : along_z_) buffer.resize(count);
  for (auto& buffer : along_yz_) buffer.resize(count);
  operator_theta_.resize(count);
}

double BendingEnergy::evaluate(std::span<const double> theta, std::span<double> gradient,
                               double weight) {
  const std::size_t count = operator_theta_.size();
  if (theta.size() != count || (!gradient.empty() && gradient.size() != count)) {
    throw data_error("bending energy: {} parameters (gradient {}) for a grid of {} coefficients",
                     theta.size(), gradient.size(), count);
  }
  // A = G22.G00.G00 + G00.G22.G00 + G00.G00.G22 + 2 (G11.G11.G00 + G11.G00.G11 + G00.G11.G11),
  // factors listed x, y, z. Grouped by the x factor:
  //   A = G22_x P + 2 G11_x Q + G00_x R, with P = G00_y G00_z, Q = G11_y G00_z + G00_y G11_z,
  //   R = G22_y G00_z + G00_y G22_z + 2 G11_y G11_z.
  // Passes along z, then y, then x: 3 + 6 + 3 instead of 18.
  const Size3& n = control_size_;
  const GramSequence* z_factors[3] = {&g00_, &g11_, &g22_};
  for (int i = 0; i < 3; ++i) {
    std::fill(along_z_[i].begin(), along_z_[i].end(), 0.0);
    add_gram_pass(*z_factors[i], 2, 1.0, n, 3, theta, along_z_[i]);
  }
  for (auto& buffer : along_yz_) std::fill(buffer.begin(), buffer.end(), 0.0);
  std::vector<double>& p = along_yz_[0];
  std::vector<double>& q = along_yz_[1];
  std::vector<double>& r = along_yz_[2];
  const std::vector<double>& z0 = along_z_[0];
  const std::vector<double>& z1 = along_z_[1];
  const std::vector<double>& z2 = along_z_[2];
  add_gram_pass(g00_, 1, 1.0, n, 3, z0, p);
  add_gram_pass(g11_, 1, 1.0, n, 3, z0, q);
  add_gram_pass(g00_, 1, 1.0, n, 3, z1, q);
  add_gram_pass(g22_, 1, 1.0, n, 3, z0, r);
  add_gram_pass(g00_, 1, 1.0, n, 3, z2, r);
  add_gram_pass(g11_, 1, 2.0, n, 3, z1, r);
  std::fill(operator_theta_.begin(), operator_theta_.end(), 0.0);
  add_gram_pass(g22_, 0, 1.0, n, 3, p, operator_theta_);
  add_gram_pass(g11_, 0, 2.0, n, 3, q, operator_theta_);
  add_gram_pass(g00_, 0, 1.0, n, 3, r, operator_theta_);

  // Second derivatives in mm are those in control units over h^2, squared, times the volume
  // element h^3 of the change of variables.
  const double scale = 1.0 / (spacing_mm_ * domain_volume_mm3_);
  double quadratic_form = 0.0;
  for (std::size_t i = 0; i < count; ++i) quadratic_form += theta[i] * operator_theta_[i];
  if (!gradient.empty()) {
    const double factor = 2.0 * weight * scale;
    for (std::size_t i = 0; i < count; ++i) gradient[i] += factor * operator_theta_[i];
  }
  return scale * quadratic_form;
}

}  // namespace modir::objective
