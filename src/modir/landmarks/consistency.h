#pragma once

#include <cstddef>
#include <optional>
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
  /// A match held to its organ's outlines (check_consistency's `priors`) is kept within this
  /// distance of their prediction (or the tolerance above, if larger): the outlines tell a
  /// filling organ's motion only to first order.
  double outline_tolerance_mm = 3.0;
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

/// How many matches of group `group` are usable, `exclude` not counted.
std::size_t count_in_group(const std::vector<bool>& usable, const std::vector<int>& groups,
                           int group, std::size_t exclude);

/// The matches an organ's own motion is predicted from. Organs slide along each other (a filling
/// bladder under the bowel): a bladder point's motion is told by other bladder points, not by the
/// bowel above.
inline constexpr std::size_t kMinimumGroupMatches = 4;

/// `usable` narrowed to the matches of group `group` (an organ label) when at least `minimum` of
/// them are usable, else `usable` itself.
std::vector<bool> same_group(const std::vector<bool>& usable, const std::vector<int>& groups,
                             int group, std::size_t exclude, std::size_t minimum);

/// The displacement predicted for a match of organ `group` (0 or less: none) at `point`: from its
/// own organ's usable matches when it has at least kMinimumGroupMatches of them; with fewer, from
/// `outlines` (the organ's outlines' prediction, organ_prior.h) where given, else from all usable
/// matches. `held_to_outlines`, when given, says whether the outlines decided.
Vec3d predict_in_organ(const Vec3d& point, const std::vector<Vec3d>& fixed,
                       const std::vector<Vec3d>& displacement, const std::vector<bool>& usable,
                       const std::vector<int>* groups, int group, std::size_t exclude,
                       const std::optional<Vec3d>& outlines, const ConsistencyOptions& options,
                       bool* held_to_outlines = nullptr);

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
/// organ's matches when it has at least kMinimumGroupMatches of them (same_group). With fewer, a
/// match with a `priors` entry (its organ's displacement at the match as the organ's outlines tell
/// it: organ_prior.h) is held to that, and one without to all its neighbours.
ConsistencyResult check_consistency(const std::vector<Vec3d>& fixed,
                                    const std::vector<Vec3d>& moving,
                                    const ConsistencyOptions& options,
                                    const std::vector<int>* groups = nullptr,
                                    const std::vector<std::optional<Vec3d>>* priors = nullptr);

}  // namespace modir::landmarks
