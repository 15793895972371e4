#include "modir/register/energy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "modir/core/parallel.h"

namespace modir::reg {

Energy::Energy(transform::Parametrisation& parametrisation) : parametrisation_(parametrisation) {}

void Energy::add(std::unique_ptr<objective::FieldTerm> term, double weight, bool constraint) {
  field_terms_.push_back(std::move(term));
  field_weights_.push_back(weight);
  field_constraint_.push_back(constraint);
}

void Energy::add(std::unique_ptr<objective::ParameterTerm> term, double weight) {
  parameter_terms_.push_back(std::move(term));
  parameter_weights_.push_back(weight);
}

void Energy::clear_field_gradient() {
  if (!dE_du_.geometry().same_grid(u_.geometry(), 0.0)) dE_du_ = DisplacementField(u_.geometry());
  Vec3f* g = dE_du_.data();
  parallel_for_slices(u_.size()[2], [&](std::int64_t z) {
    const std::int64_t plane = u_.size()[0] * u_.size()[1];
    std::fill(g + plane * z, g + plane * (z + 1), Vec3f{0, 0, 0});
  });
}

double Energy::operator()(std::span<const double> theta, std::span<double> gradient) {
  parametrisation_.field(theta, u_);
  const bool want_gradient = !gradient.empty();
  if (want_gradient) clear_field_gradient();
  values_.clear();
  double total = 0.0;
  for (std::size_t i = 0; i < field_terms_.size(); ++i) {
    auto& term = *field_terms_[i];
    const bool constraint = field_constraint_[i];
    const double group_weight =
        constraint ? 1.0 : group_weights_[static_cast<std::size_t>(term.group())];
    const double w = field_weights_[i] * group_weight;
    if (w == 0.0 && want_gradient) {
      values_.push_back({term.name(), term.group(), field_weights_[i],
                         term.evaluate(u_, nullptr, 0.0), constraint});
      continue;
    }
    const double value = term.evaluate(u_, want_gradient ? &dE_du_ : nullptr, w);
    values_.push_back({term.name(), term.group(), field_weights_[i], value, constraint});
    total += w * value;
  }
  if (want_gradient) parametrisation_.adjoint(theta, dE_du_, gradient);
  for (std::size_t i = 0; i < parameter_terms_.size(); ++i) {
    auto& term = *parameter_terms_[i];
    const double w = parameter_weights_[i] * group_weights_[static_cast<std::size_t>(term.group())];
    const double value = term.evaluate(theta, want_gradient ? gradient : std::span<double>{}, w);
    values_.push_back({term.name(), term.group(), parameter_weights_[i], value});
    total += w * value;
  }
  return std::isfinite(total) ? total : std::numeric_limits<double>::infinity();
}

void Energy::group_gradients(std::span<const double> theta,
                             std::array<std::vector<double>, 4>& gradients) {
  parametrisation_.field(theta, u_);
  std::vector<TermValue> field_values(field_terms_.size());
  std::vector<double> parameter_values(parameter_terms_.size(), 0.0);
  for (std::size_t slot = 0; slot < 4; ++slot) {
    std::vector<double>& gradient = gradients[slot];
    gradient.assign(theta.size(), 0.0);
    const auto in_slot = [&](std::size_t i) {
      return field_constraint_[i] ? slot == 3
                                  : slot == static_cast<std::size_t>(field_terms_[i]->group());
    };
    bool any = false;
    for (std::size_t i = 0; i < field_terms_.size(); ++i) any = any || in_slot(i);
    if (any) {
      clear_field_gradient();
      for (std::size_t i = 0; i < field_terms_.size(); ++i) {
        if (!in_slot(i)) continue;
        auto& term = *field_terms_[i];
        const double w = field_weights_[i] * (slot == 3 ? 1.0 : group_weights_[slot]);
        field_values[i] = {term.name(), term.group(), field_weights_[i],
                           term.evaluate(u_, &dE_du_, w), field_constraint_[i]};
      }
      parametrisation_.adjoint(theta, dE_du_, gradient);
    }
    if (slot == 3) continue;  // parameter terms are never constraints
    for (std::size_t i = 0; i < parameter_terms_.size(); ++i) {
      auto& term = *parameter_terms_[i];
      if (static_cast<std::size_t>(term.group()) != slot) continue;
      parameter_values[i] =
          term.evaluate(theta, gradient, parameter_weights_[i] * group_weights_[slot]);
    }
  }
  values_ = std::move(field_values);
  for (std::size_t i = 0; i < parameter_terms_.size(); ++i) {
    values_.push_back({parameter_terms_[i]->name(), parameter_terms_[i]->group(),
                       parameter_weights_[i], parameter_values[i]});
  }
}

std::array<double, 3> Energy::group_values() const {
  std::array<double, 3> sums{0, 0, 0};
  for (const TermValue& v : values_)
    if (!v.constraint) sums[static_cast<std::size_t>(v.group)] += v.weight * v.value;
  return sums;
}

}  // namespace modir::reg
