#include "modir/objective/regularity/linear_elastic.h"

#include <algorithm>
#include <cmath>

#include "modir/core/error.h"

namespace modir::objective {

LinearElasticEnergy::LinearElasticEnergy(const Size3& control_size, double spacing_mm,
                                         const Mat3& direction, double domain_volume_mm3, double mu,
                                         double lambda)
    : control_size_(control_size),
      spacing_mm_(spacing_mm),
      direction_(direction),
      domain_volume_mm3_(domain_volume_mm3),
      mu_(mu),
      lambda_(lambda) {
  validate_control_grid("linear elastic energy", control_size, spacing_mm, direction,
                        domain_volume_mm3);
  if (!std::isfinite(mu) || !std::isfinite(lambda) || mu < 0.0 || lambda < 0.0) {
    throw usage_error("linear elastic energy: mu {} and lambda {} must be finite and non-negative",
                      mu, lambda);
  }
  for (int m = 0; m < 2; ++m)
    for (int n = 0; n < 2; ++n) grams_[m][n] = bspline_gram(m, n);
  const auto count = static_cast<std::size_t>(control_size[0] * control_size[1] * control_size[2]);
  for (auto& buffer : frame_coefficients_) buffer.resize(count);
  for (auto& buffer : frame_gradient_) buffer.resize(count);
  along_z_.resize(count);
  along_zy_.resize(count);
}

void LinearElasticEnergy::add_derivative_product(int a, int b, double scale,
                                                 std::span<const double> in,
                                                 std::span<double> out) {
  auto factor = [&](int axis) -> const GramSequence& { return grams_[a == axis][b == axis]; };
  std::fill(along_z_.begin(), along_z_.end(), 0.0);
  add_gram_pass(factor(2), 2, 1.0, control_size_, 1, in, along_z_);
  std::fill(along_zy_.begin(), along_zy_.end(), 0.0);
  add_gram_pass(factor(1), 1, 1.0, control_size_, 1, along_z_, along_zy_);
  add_gram_pass(factor(0), 0, scale, control_size_, 1, along_zy_, out);
}

double LinearElasticEnergy::evaluate(std::span<const double> theta, std::span<double> gradient,
                                     double weight) {
  const std::size_t points = along_z_.size();
  if (theta.size() != 3 * points || (!gradient.empty() && gradient.size() != 3 * points)) {
    throw data_error(
        "linear elastic energy: {} parameters (gradient {}) for a grid of {} coefficients",
        theta.size(), gradient.size(), 3 * points);
  }
  const Mat3& d = direction_;
  for (std::size_t k = 0; k < points; ++k) {
    const Vec3d world{theta[3 * k], theta[3 * k + 1], theta[3 * k + 2]};
    for (int a = 0; a < 3; ++a) frame_coefficients_[a][k] = world.dot(d.column(a));
  }

  // With sigma_jb = mu (d_b u_j + d_j u_b) + lambda div(u) delta_jb, and E quadratic,
  //   dE/dc_j = (1/V) sum_b [mu L_bb c_j + mu L_bj c_b + lambda L_jb c_b]
  // in units of the control grid. L_bj = L_jb because moving both derivatives across by parts
  // flips the sign twice (the basis has compact support), so the last two merge.
  for (auto& buffer : frame_gradient_) std::fill(buffer.begin(), buffer.end(), 0.0);
  for (int j = 0; j < 3; ++j) {
    for (int b = 0; b < 3; ++b) {
      if (b == j) {
        for (int s = 0; s < 3; ++s) {
          const double w = s == j ? 2.0 * mu_ + lambda_ : mu_;
          add_derivative_product(s, s, w, frame_coefficients_[j], frame_gradient_[j]);
        }
      } else {
        add_derivative_product(j, b, mu_ + lambda_, frame_coefficients_[b], frame_gradient_[j]);
      }
    }
  }

  // First derivatives in mm are those in control units over h, squared, times the volume
  // element h^3 of the change of variables.
  const double scale = spacing_mm_ / domain_volume_mm3_;
  // E is homogeneous of degree 2, so E = c . dE/dc / 2.
  double quadratic_form = 0.0;
  for (int a = 0; a < 3; ++a) {
    for (std::size_t k = 0; k < points; ++k) {
      quadratic_form += frame_coefficients_[a][k] * frame_gradient_[a][k];
    }
  }
  if (!gradient.empty()) {
    const double factor = weight * scale;
    for (std::size_t k = 0; k < points; ++k) {
      const Vec3d frame{frame_gradient_[0][k], frame_gradient_[1][k], frame_gradient_[2][k]};
      const Vec3d world = d * frame;
      for (int r = 0; r < 3; ++r)
        gradient[3 * k + static_cast<std::size_t>(r)] +=
            factor * world[static_cast<std::size_t>(r)];
    }
  }
  return 0.5 * scale * quadratic_form;
}

}  // namespace modir::objective
