#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "modir/objective/term.h"
#include "modir/transform/parametrisation.h"

namespace modir::reg {

/// The value of one term at the latest evaluation.
struct TermValue {
  std::string name;
  objective::ObjectiveGroup group;
  double weight = 0.0;  ///< the term's weight inside its group
  double value = 0.0;   ///< unweighted
  bool constraint = false;
};

/// A registration energy on one pyramid level: a parametrisation and a list of weighted terms.
/// E(theta) = sum over groups g of w_g * sum over terms t in g of w_t * E_t(u(theta)).
/// The group weights are what a Pareto front varies; the term weights are fixed by the config.
/// Callable by the optimiser (value and gradient on the flat theta).
class Energy {
 public:
  explicit Energy(transform::Parametrisation& parametrisation);

  /// A `constraint` term keeps its weight whatever the group weights are and is not part of any
  /// objective's value: it states what must hold in every trade-off rather than trading off
  /// (the fold guard; the rigidity of bone).
  void add(std::unique_ptr<objective::FieldTerm> term, double weight, bool constraint = false);
  void add(std::unique_ptr<objective::ParameterTerm> term, double weight);
  void set_group_weights(const std::array<double, 3>& weights) { group_weights_ = weights; }
  const std::array<double, 3>& group_weights() const { return group_weights_; }

  double operator()(std::span<const double> theta, std::span<double> gradient);

  /// At theta, the gradient of each objective group's weighted sum (group weights applied) in
  /// gradients[0..2] (image, guidance, deformation) and of the constraint terms in gradients[3];
  /// every vector is resized to the parameter count. One field evaluation, each term evaluated
  /// once, one adjoint per group that has field terms. Term values are updated as by operator().
  void group_gradients(std::span<const double> theta,
                       std::array<std::vector<double>, 4>& gradients);

  /// Terms at the latest evaluation, and per group the weighted sum of its terms' values.
  const std::vector<TermValue>& term_values() const { return values_; }
  std::array<double, 3> group_values() const;
  const DisplacementField& field() const { return u_; }
  transform::Parametrisation& parametrisation() { return parametrisation_; }
  /// Field terms, e.g. to read a label term's per-organ distances.
  const std::vector<std::unique_ptr<objective::FieldTerm>>& field_terms() const {
    return field_terms_;
  }

 private:
  /// dE/du on u's grid, zeroed (allocated when the grid changed).
  void clear_field_gradient();

  transform::Parametrisation& parametrisation_;
  std::vector<std::unique_ptr<objective::FieldTerm>> field_terms_;
  std::vector<std::unique_ptr<objective::ParameterTerm>> parameter_terms_;
  std::vector<double> field_weights_, parameter_weights_;
  std::vector<bool> field_constraint_;
  std::array<double, 3> group_weights_{1.0, 1.0, 1.0};
  std::vector<TermValue> values_;
  DisplacementField u_, dE_du_;
};

}  // namespace modir::reg
