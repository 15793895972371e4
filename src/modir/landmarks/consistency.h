#pragma once

#include <cstddef>
#include <vector>

#include "modir/core/vec.h"

namespace modir::landmarks {

/// How matches are checked against their neighbours (the corrField idea, Heinrich et al. 2015:
/// a true correspondence moves like the ones around it, a wrong one does not).
struct ConsistencyOptions {
  std::size_t neighbours = 12;    ///< matches a point's motion is predicted from
  double min_tolerance_mm = 2.5;  ///< a residual below this never rejects a match
  double spread_factor = 3.0;     ///< ... nor one below this many robust SDs of all residuals
  /// ... and one above this always does: with thick slices the residuals of right matches spread
  /// too, and a tolerance that followed them would let 3-6 mm errors through.
  double max_tolerance_mm = 3.0;
  int rounds = 3;  ///< predict, reject, predict again from the survivors
};

/// The displacement at `point` predicted from matches (fixed positions, displacements), by a
/// robust local affine fit to the `neighbours` nearest usable ones: Gaussian weights in distance,
/// Tukey biweights in residual (three reweightings), a mild ridge pulling the affine part toward a
/// translation so that a few collinear neighbours cannot tilt it. Matches with usable[i] false,
/// and index `exclude` (a match predicting itself), are not used. Fewer than 4 usable matches:
/// their median displacement; none: zero.
Vec3d predict_displacement(const Vec3d& point, const std::vector<Vec3d>& fixed,
                           const std::vector<Vec3d>& displacement, const std::vector<bool>& usable,
                           std::size_t exclude, const ConsistencyOptions& options);

/// `usable` narrowed to the matches of group `group` (an organ label) when at least `minimum` of
/// them are usable, else `usable` itself. Organs slide along each other (a filling bladder under
/// the bowel): a bladder point's motion is told by other bladder points, not by the bowel above.
std::vector<bool> same_group(const std::vector<bool>& usable, const std::vector<int>& groups,
                             int group, std::size_t exclude, std::size_t minimum);

struct ConsistencyResult {
  std::vector<double> residual_mm;  ///< |own displacement - displacement predicted by the others|
  std::vector<bool> consistent;
  double tolerance_mm = 0.0;  ///< the rejection threshold of the last round
};

/// Leave-one-out check of every match against the consistent others, repeated `rounds` times
/// (a match rejected early can come back once the wrong neighbours that spoiled its prediction are
/// gone). Tolerance: spread_factor x 1.4826 x median residual, clamped to [min_tolerance,
/// max_tolerance]. With `groups`
/// (the fixed label of each match; 0 or less = none), each match is predicted from its own
/// organ's matches when it has at least 4 of them (same_group).
ConsistencyResult check_consistency(const std::vector<Vec3d>& fixed,
                                    const std::vector<Vec3d>& moving,
                                    const ConsistencyOptions& options,
                                    const std::vector<int>* groups = nullptr);

}  // namespace modir::landmarks
