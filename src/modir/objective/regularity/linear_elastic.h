#pragma once

#include <span>
#include <string>
#include <vector>

#include "modir/core/geometry.h"
#include "modir/core/vec.h"
#include "modir/objective/regularity/bspline_gram.h"
#include "modir/objective/term.h"

namespace modir::objective {

/// The linear elastic energy of a cubic B-spline displacement, exactly, as a function of its
/// coefficients (the parameter vector of a transform::BSplineGrid):
///
///   E = (1/V) * integral over R^3 of  mu * sum_ij eps_ij^2 + (lambda / 2) * (div u)^2   [mm^0]
///
/// with eps = (grad u + grad u^T) / 2 in world mm. Unlike the bending energy it penalises
/// stretch and shear but not rigid translation; the integral covers the spline's whole support,
/// so the borders of a cut-off grid still contribute.
///
/// The energy is invariant when both the derivative axes and the displacement's components are
/// rotated, so it is computed in the control grid's frame: the world-mm coefficients are turned
/// into frame components D^T c, derivatives are taken along the grid axes, and the gradient is
/// turned back with D. In the frame every term is a tensor product of 1D Gram sequences
/// (including the antisymmetric g_10 and g_01 of the mixed derivatives) times h, applied with
/// separable 7-tap passes.
class LinearElasticEnergy final : public ParameterTerm {
 public:
  /// `control_size`, `spacing_mm` (h) and `direction` (D, orthonormal) describe the grid;
  /// `domain_volume_mm3` (V) normalises the energy to a mean over the registered domain. `mu`
  /// weighs shear and stretch, `lambda` volume change; both must be non-negative.
  LinearElasticEnergy(const Size3& control_size, double spacing_mm, const Mat3& direction,
                      double domain_volume_mm3, double mu = 1.0, double lambda = 1.0);

  std::string name() const override { return "linear_elastic"; }
  ObjectiveGroup group() const override { return ObjectiveGroup::kDeformation; }
  /// theta: 3 coefficients (x, y, z, world mm) per control point, x fastest.
  double evaluate(std::span<const double> theta, std::span<double> gradient,
                  double weight) override;

 private:
  /// out += scale * L_ab in, where (L_ab c)_k = sum_l c_l * integral of d_a(phi_k) d_b(phi_l)
  /// over control coordinates: Gram sequence g_{[a==s],[b==s]} along every axis s.
  void add_derivative_product(int a, int b, double scale, std::span<const double> in,
                              std::span<double> out);

  Size3 control_size_;
  double spacing_mm_;
  Mat3 direction_;
  double domain_volume_mm3_;
  double mu_;
  double lambda_;
  GramSequence grams_[2][2];  ///< grams_[m][n] = bspline_gram(m, n)
  // Scratch reused by every evaluation, one scalar per control point each.
  std::vector<double> frame_coefficients_[3];
  std::vector<double> frame_gradient_[3];
  std::vector<double> along_z_;
  std::vector<double> along_zy_;
};

}  // namespace modir::objective
