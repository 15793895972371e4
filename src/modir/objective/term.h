#pragma once

#include <span>
#include <string>

#include "modir/core/image.h"

namespace modir::objective {

/// Which of the three objectives a term belongs to. A single-objective run sums weighted terms;
/// a multi-objective run keeps one value per group.
enum class ObjectiveGroup { kImage, kGuidance, kDeformation };

const char* group_name(ObjectiveGroup group);

/// A term of the dense displacement field u on the fixed grid of one pyramid level.
class FieldTerm {
 public:
  virtual ~FieldTerm() = default;
  virtual std::string name() const = 0;
  virtual ObjectiveGroup group() const = 0;
  /// Returns E(u). When `gradient` is not null, adds weight * dE/du (world mm, per voxel) to it;
  /// `gradient` then has u's grid.
  virtual double evaluate(const DisplacementField& u, DisplacementField* gradient,
                          double weight) = 0;
};

/// A term defined directly on the parameter vector theta (e.g. the bending energy of a B-spline
/// grid, which is analytic in its coefficients).
class ParameterTerm {
 public:
  virtual ~ParameterTerm() = default;
  virtual std::string name() const = 0;
  virtual ObjectiveGroup group() const = 0;
  /// Returns E(theta). When `gradient` is not empty, adds weight * dE/dtheta to it.
  virtual double evaluate(std::span<const double> theta, std::span<double> gradient,
                          double weight) = 0;
};

}  // namespace modir::objective
