#pragma once

#include <array>
#include <string>
#include <vector>

#include "modir/register/registration.h"

namespace modir::reg {

/// One trade-off: the group weight multipliers that produced it and where it landed.
struct FrontSolution {
  std::array<double, 3> multipliers{1, 1, 1};  ///< image, guidance, deformation
  std::vector<double> theta;
  /// The newest of the solve's final L-BFGS curvature pairs, in float32: a neighbour's warm
  /// start reads them; they are dropped when the front is done and never written.
  std::vector<std::vector<float>> curvature_s, curvature_y;
  std::array<double, 3> group_values{};  ///< weighted term sums per group, as optimised
  std::vector<double> organ_rms_mm;      ///< per guiding organ (label distance term)
  double landmark_rms_mm = -1.0;         ///< < 0 without landmarks
  LevelLog log;
};

/// The result of a multi-objective registration.
struct ParetoFront {
  RegistrationResult base;  ///< affine map, model and the finest control grid layout
  std::vector<objective::ObjectiveGroup>
      objectives;                        ///< those with input: image, [guidance,] deformation
  std::vector<FrontSolution> solutions;  ///< every run, dominated ones included
  double seconds = 0.0;
};

/// Shares the affine stages and the coarse deformable levels, then solves the finest level once
/// per weight vector, warm-started from the nearest solved neighbour. The first vector is the
/// config's own, solved as a single registration would and then moved by common-descent steps
/// (common_descent.h) so that it dominates that single result. Weight vectors (log
/// multipliers of the guidance and deformation groups relative to the image group) come from a
/// Hammersley set over [-decades, decades]^k, so they are spread evenly and deterministic; when
/// some results are dominated, new vectors are placed midway between the neighbours that bound
/// the largest gap of the front.
ParetoFront compute_pareto_front(const RegistrationInputs& inputs, const RegistrationConfig& config,
                                 const FrontConfig& front, const LevelCallback& on_level = {});

/// A solution as an ordinary registration result (for writing its outputs).
RegistrationResult solution_result(const ParetoFront& front, std::size_t index);

/// The reported objective values of a solution, in the order of front.objectives:
/// image = the image term's dissimilarity; guidance = RMS distance in mm over the guidance terms
/// (labels' distance maps and landmarks, weighted as in the config); deformation = the weighted
/// mean of the regularity energies (bending: mean squared second derivative, 1/mm^2).
std::vector<double> reported_objectives(const ParetoFront& front, const RegistrationConfig& config,
                                        const FrontSolution& solution);

}  // namespace modir::reg
