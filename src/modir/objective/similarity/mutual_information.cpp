#include "modir/objective/similarity/mutual_information.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::objective {

namespace {

// Bins kept free at each end of the moving axis: a cubic B-spline window spans four bins, two on
// each side of its centre, so a value at the very edge of the range still lands inside.
constexpr int kMovingPaddingBins = 2;
// The joint histogram is accumulated in this many chunks of slices at most, one private
// histogram each, reduced in chunk order. The chunking depends only on the image size, never on
// the number of threads, so E is bit-identical whatever the thread count.
constexpr std::int64_t kMaxChunks = 32;

int fixed_bin(double value, double min, double bins_per_unit, int bins) {
  const double position = (value - min) * bins_per_unit;
  if (!(position >= 0.0)) return 0;  // below the range, or NaN
  if (position >= bins) return bins - 1;
  return static_cast<int>(position);
}

// Where a warped value falls on the moving axis: its B-spline window covers the bins
// first .. first + 3, and `offset` in [0, 1] is how far the value lies past the centre of bin
// first + 1. `clamped` says the value was outside the moving range and moved onto its edge.
struct MovingPosition {
  int first;
  double offset;
  bool clamped;
};

MovingPosition moving_position(double value, double min, double max, double bins_per_unit,
                               int bins) {
  bool clamped = false;
  if (!(value >= min)) {
    value = min;
    clamped = true;
  } else if (value > max) {
    value = max;
    clamped = true;
  }
  const double position = (value - min) * bins_per_unit + kMovingPaddingBins;  // in [2, bins - 2]
  // At the top of the range the window would start one bin further and give its last bin zero
  // weight; keeping it one bin lower gives the same weights without leaving the histogram.
  const int whole = std::min(static_cast<int>(position), bins - 3);
  return {whole - 1, std::min(position - whole, 1.0), clamped};
}

// Cubic B-spline weights of the four bins of a window, for a value `s` in [0, 1] past the centre
// of the window's second bin. They are positive and sum to one.
void cubic_bspline_weights(double s, double* weight) {
  const double r = 1.0 - s;
  const double s2 = s * s;
  const double s3 = s2 * s;
  weight[0] = r * r * r / 6.0;
  weight[1] = (3.0 * s3 - 6.0 * s2 + 4.0) / 6.0;
  weight[2] = (-3.0 * s3 + 3.0 * s2 + 3.0 * s + 1.0) / 6.0;
  weight[3] = s3 / 6.0;
}

// d weight / d s of cubic_bspline_weights; they sum to zero.
void cubic_bspline_slopes(double s, double* slope) {
  const double r = 1.0 - s;
  const double s2 = s * s;
  slope[0] = -0.5 * r * r;
  slope[1] = 1.5 * s2 - 2.0 * s;
  slope[2] = -1.5 * s2 + s + 0.5;
  slope[3] = 0.5 * s2;
}

void check_range(double min, double max, const char* which) {
  if (!std::isfinite(min) || !std::isfinite(max) || !(max > min)) {
    throw usage_error("Mattes MI: the {} intensity range [{}, {}] must be finite and non-empty",
                      which, min, max);
  }
}

void check_grids(const Image<float>& fixed, const Image<float>& warped,
                 const VoxelWeights* weights) {
  if (warped.size() != fixed.size()) {
    throw data_error("Mattes MI: the warped image is {}x{}x{} but the fixed image is {}x{}x{}",
                     warped.size()[0], warped.size()[1], warped.size()[2], fixed.size()[0],
                     fixed.size()[1], fixed.size()[2]);
  }
  if (weights != nullptr && weights->size() != fixed.size()) {
    throw data_error("Mattes MI: the voxel weights are {}x{}x{} but the fixed image is {}x{}x{}",
                     weights->size()[0], weights->size()[1], weights->size()[2], fixed.size()[0],
                     fixed.size()[1], fixed.size()[2]);
  }
}

// The first slice of chunk `chunk` when `slices` slices are split into `chunks` near-equal runs.
std::int64_t chunk_start(std::int64_t chunk, std::int64_t chunks, std::int64_t slices) {
  return chunk * slices / chunks;
}

}  // namespace

MattesMutualInformation::MattesMutualInformation(double fixed_min, double fixed_max,
                                                 double moving_min, double moving_max, int bins)
    : bins_(bins), fixed_min_(fixed_min), moving_min_(moving_min), moving_max_(moving_max) {
  check_range(fixed_min, fixed_max, "fixed");
  check_range(moving_min, moving_max, "moving");
  if (bins < 2 * kMovingPaddingBins + 1) {
    throw usage_error("Mattes MI needs at least {} histogram bins, not {}",
                      2 * kMovingPaddingBins + 1, bins);
  }
  fixed_bins_per_unit_ = bins / (fixed_max - fixed_min);
  moving_bins_per_unit_ = (bins - 2 * kMovingPaddingBins) / (moving_max - moving_min);
}

double MattesMutualInformation::accumulate_joint_histogram(const Image<float>& fixed,
                                                           const Image<float>& warped,
                                                           const VoxelWeights* weights) {
  const Size3& n = fixed.size();
  const std::int64_t slice_voxels = n[0] * n[1];
  const std::int64_t chunks = std::max<std::int64_t>(1, std::min(n[2], kMaxChunks));
  const std::size_t histogram_size = static_cast<std::size_t>(bins_) * bins_;
  chunk_joint_.assign(static_cast<std::size_t>(chunks) * histogram_size, 0.0);
  chunk_count_.assign(static_cast<std::size_t>(chunks), 0.0);

  const float* f = fixed.data();
  const float* w = warped.data();
  const float* q = weights != nullptr ? weights->data() : nullptr;
  parallel_for(chunks, [&](std::int64_t chunk) {
    double* histogram = chunk_joint_.data() + static_cast<std::size_t>(chunk) * histogram_size;
    double count = 0.0;
    const std::int64_t begin = chunk_start(chunk, chunks, n[2]) * slice_voxels;
    const std::int64_t end = chunk_start(chunk + 1, chunks, n[2]) * slice_voxels;
    for (std::int64_t i = begin; i < end; ++i) {
      const double qi = q != nullptr ? double(q[i]) : 1.0;
      if (qi == 0.0) continue;
      count += qi;
      const int row = fixed_bin(f[i], fixed_min_, fixed_bins_per_unit_, bins_);
      const MovingPosition p =
          moving_position(w[i], moving_min_, moving_max_, moving_bins_per_unit_, bins_);
      double weight[4];
      cubic_bspline_weights(p.offset, weight);
      double* cell = histogram + static_cast<std::ptrdiff_t>(row) * bins_ + p.first;
      cell[0] += qi * weight[0];
      cell[1] += qi * weight[1];
      cell[2] += qi * weight[2];
      cell[3] += qi * weight[3];
    }
    chunk_count_[static_cast<std::size_t>(chunk)] = count;
  });

  joint_.assign(histogram_size, 0.0);
  double count = 0.0;
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    const double* histogram =
        chunk_joint_.data() + static_cast<std::size_t>(chunk) * histogram_size;
    for (std::size_t k = 0; k < histogram_size; ++k) joint_[k] += histogram[k];
    count += chunk_count_[static_cast<std::size_t>(chunk)];
  }
  return count;
}

double MattesMutualInformation::evaluate(const Image<float>& fixed, const Image<float>& warped,
                                         const VoxelWeights* weights, Image<float>* dE_dwarped,
                                         Image<float>* dE_dweight) {
  check_grids(fixed, warped, weights);
  if (dE_dwarped != nullptr) shape_like(fixed, *dE_dwarped);
  if (dE_dweight != nullptr) shape_like(fixed, *dE_dweight);

  const double count = accumulate_joint_histogram(fixed, warped, weights);
  if (count == 0.0) {
    for (Image<float>* out : {dE_dwarped, dE_dweight})
      if (out != nullptr) std::fill(out->buffer().begin(), out->buffer().end(), 0.0f);
    return 0.0;
  }

  // Each voxel adds weights summing to one to its fixed row, so row sums are the fixed counts
  // and column sums the Parzen-smoothed moving counts.
  const std::size_t bins = static_cast<std::size_t>(bins_);
  moving_marginal_.assign(bins, 0.0);
  for (std::size_t i = 0; i < bins; ++i) {
    for (std::size_t j = 0; j < bins; ++j) moving_marginal_[j] += joint_[i * bins + j];
  }
  log_ratio_.assign(bins * bins, 0.0);
  double mi = 0.0;
  for (std::size_t i = 0; i < bins; ++i) {
    double fixed_marginal = 0.0;
    for (std::size_t j = 0; j < bins; ++j) fixed_marginal += joint_[i * bins + j];
    for (std::size_t j = 0; j < bins; ++j) {
      const double joint = joint_[i * bins + j];
      if (joint <= 0.0) continue;
      // p(i,j) / (p_fixed(i) p_moving(j)) with p = histogram / count.
      const double log_ratio = std::log(joint * count / (fixed_marginal * moving_marginal_[j]));
      log_ratio_[i * bins + j] = log_ratio;
      mi += joint * log_ratio;
    }
  }
  mi /= count;
  // The log ratios of the four cells a voxel's window covers in its own fixed row.
  const auto window_log_ratios = [&](float fixed_value, const MovingPosition& p) {
    const int row = fixed_bin(fixed_value, fixed_min_, fixed_bins_per_unit_, bins_);
    return log_ratio_.data() + static_cast<std::ptrdiff_t>(row) * bins_ + p.first;
  };

  if (dE_dwarped != nullptr) {
    // Moving voxel k shifts probability between the bins of its window within its fixed row i:
    // dp(i,j)/dw_k = B'(j - t_k) dt/dw / count. Because those changes sum to zero, the marginal
    // terms of dMI/dp(i,j) reduce to log(p(i,j) / (p_fixed(i) p_moving(j))) plus constants
    // that cancel, which gives dMI/dw_k = sum_j log_ratio(i,j) B'(j - t_k) dt/dw / count.
    const Size3& n = fixed.size();
    const std::int64_t slice_voxels = n[0] * n[1];
    const float* f = fixed.data();
    const float* w = warped.data();
    const float* q = weights != nullptr ? weights->data() : nullptr;
    float* g = dE_dwarped->data();
    const double scale = -moving_bins_per_unit_ / count;  // E = -MI
    parallel_for_slices(n[2], [&](std::int64_t z) {
      for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
        const double qi = q != nullptr ? double(q[i]) : 1.0;
        if (qi == 0.0) {
          g[i] = 0.0f;
          continue;
        }
        const MovingPosition p =
            moving_position(w[i], moving_min_, moving_max_, moving_bins_per_unit_, bins_);
        if (p.clamped) {
          g[i] = 0.0f;
          continue;
        }
        double slope[4];
        cubic_bspline_slopes(p.offset, slope);
        const double* log_ratio = window_log_ratios(f[i], p);
        const double dmi = log_ratio[0] * slope[0] + log_ratio[1] * slope[1] +
                           log_ratio[2] * slope[2] + log_ratio[3] * slope[3];
        g[i] = static_cast<float>(scale * qi * dmi);
      }
    });
  }
  if (dE_dweight != nullptr) {
    const Size3& n = fixed.size();
    const std::int64_t slice_voxels = n[0] * n[1];
    const float* f = fixed.data();
    const float* w = warped.data();
    float* g = dE_dweight->data();
    parallel_for_slices(n[2], [&](std::int64_t z) {
      for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
        const MovingPosition p =
            moving_position(w[i], moving_min_, moving_max_, moving_bins_per_unit_, bins_);
        double weight[4];
        cubic_bspline_weights(p.offset, weight);
        const double* log_ratio = window_log_ratios(f[i], p);
        const double own = log_ratio[0] * weight[0] + log_ratio[1] * weight[1] +
                           log_ratio[2] * weight[2] + log_ratio[3] * weight[3];
        g[i] = static_cast<float>(-(own - mi) / count);
      }
    });
  }
  return -mi;
}

}  // namespace modir::objective
