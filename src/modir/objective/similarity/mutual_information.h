#pragma once

#include <string>
#include <vector>

#include "modir/objective/similarity/similarity.h"

namespace modir::objective {

/// Mattes mutual information (Mattes et al. 2003, the estimator of ITK's
/// MattesMutualInformation metric): E = -MI(fixed, warped) in nats, for
/// multi-modal pairs (MR against CT) whose intensities are related by an unknown function.
///
/// MI is read from a joint histogram built with Parzen windows: a box window on the fixed
/// intensity and a cubic B-spline on the warped intensity. The B-spline makes E twice
/// continuously differentiable in every warped value, so dE/dwarped is exact (it uses the
/// kernel's derivative) and matches finite differences.
///
/// The bins are set once, at construction, from the intensity ranges of the two images, so they
/// do not shift while the warped image changes during optimisation:
/// - the fixed range is split into `bins` equal bins; fixed values outside it go to the end bins;
/// - the moving range is split into `bins - 4` equal bins plus two padding bins at each end, so the
///   four-bin B-spline window of any value in the range stays inside the histogram. Warped values
///   are clamped into the moving range, and dE/dwarped is zero where the clamp applies.
/// Voxel weights scale each voxel's contribution to the histogram; a voxel's weight changes every
/// cell by dp(i,j)/dq = (B(i,j) - p(i,j)) / count, which gives
/// dE/dq = -(sum_j log_ratio(i,j) B(i,j) - MI) / count over its own fixed row i.
/// No weight at all gives E = 0 with a zero gradient.
class MattesMutualInformation final : public Similarity {
 public:
  /// Throws a usage error when a range is empty or not finite, or when `bins` < 5.
  MattesMutualInformation(double fixed_min, double fixed_max, double moving_min, double moving_max,
                          int bins = 32);

  std::string name() const override { return "mattes_mi"; }
  double evaluate(const Image<float>& fixed, const Image<float>& warped,
                  const VoxelWeights* weights, Image<float>* dE_dwarped,
                  Image<float>* dE_dweight = nullptr) override;

  int bins() const { return bins_; }

 private:
  // Fills joint_ (fixed bin major) with the Parzen-weighted joint histogram, each voxel scaled by
  // its weight; returns the total weight.
  double accumulate_joint_histogram(const Image<float>& fixed, const Image<float>& warped,
                                    const VoxelWeights* weights);

  int bins_;
  double fixed_min_;
  double fixed_bins_per_unit_;
  double moving_min_;
  double moving_max_;
  double moving_bins_per_unit_;

  // Scratch kept between calls so that an evaluation allocates nothing once warmed up.
  std::vector<double> chunk_joint_;  // one bins x bins histogram per chunk of slices
  std::vector<double> chunk_count_;  // weight counted per chunk
  std::vector<double> joint_;        // bins x bins, reduced over chunks in chunk order
  std::vector<double> moving_marginal_;
  std::vector<double> log_ratio_;  // log(p(i, j) / (p_fixed(i) p_moving(j))), 0 where p(i, j) = 0
};

}  // namespace modir::objective
