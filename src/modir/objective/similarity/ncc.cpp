#include "modir/objective/similarity/ncc.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::objective {

namespace {

// An image counts as constant when its variance is below this fraction of its mean square. One
// float ulp is about 6e-8 of the value, so pure rounding noise has a relative variance near 1e-15;
// anything a scanner produces is far above 1e-12.
constexpr double kConstantRelativeVariance = 1e-12;

bool is_constant(double centred_sum_of_squares, double mean, double count) {
  const double sum_of_squares = centred_sum_of_squares + count * mean * mean;
  return centred_sum_of_squares <= kConstantRelativeVariance * sum_of_squares;
}

void check_grids(const Image<float>& fixed, const Image<float>& warped, const Mask* mask) {
  if (warped.size() != fixed.size()) {
    throw data_error("NCC: the warped image is {}x{}x{} but the fixed image is {}x{}x{}",
                     warped.size()[0], warped.size()[1], warped.size()[2], fixed.size()[0],
                     fixed.size()[1], fixed.size()[2]);
  }
  if (mask != nullptr && mask->size() != fixed.size()) {
    throw data_error("NCC: the mask is {}x{}x{} but the fixed image is {}x{}x{}", mask->size()[0],
                     mask->size()[1], mask->size()[2], fixed.size()[0], fixed.size()[1],
                     fixed.size()[2]);
  }
}

// Gives `gradient` the fixed grid, reusing its buffer when the size already matches.
void shape_like(const Image<float>& fixed, Image<float>& gradient) {
  if (gradient.size() == fixed.size()) {
    gradient.set_geometry(fixed.geometry());
  } else {
    gradient = Image<float>(fixed.geometry());
  }
}

}  // namespace

double NormalizedCrossCorrelation::evaluate(const Image<float>& fixed, const Image<float>& warped,
                                            const Mask* mask, Image<float>* dE_dwarped) {
  check_grids(fixed, warped, mask);
  if (dE_dwarped != nullptr) shape_like(fixed, *dE_dwarped);

  const Size3& n = fixed.size();
  const std::int64_t slice_voxels = n[0] * n[1];
  const float* f = fixed.data();
  const float* w = warped.data();
  const std::uint8_t* m = mask != nullptr ? mask->data() : nullptr;
  slice_sums_.assign(static_cast<std::size_t>(n[2]), {0.0, 0.0, 0.0});

  // Pass 1: voxel count and means.
  parallel_for_slices(n[2], [&](std::int64_t z) {
    double count = 0.0, sum_f = 0.0, sum_w = 0.0;
    for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
      if (m != nullptr && m[i] == 0) continue;
      count += 1.0;
      sum_f += f[i];
      sum_w += w[i];
    }
    slice_sums_[static_cast<std::size_t>(z)] = {count, sum_f, sum_w};
  });
  double count = 0.0, mean_f = 0.0, mean_w = 0.0;
  for (const auto& s : slice_sums_) {
    count += s[0];
    mean_f += s[1];
    mean_w += s[2];
  }
  const auto flat = [&] {
    if (dE_dwarped != nullptr)
      std::fill(dE_dwarped->buffer().begin(), dE_dwarped->buffer().end(), 0.0f);
    return 1.0;
  };
  if (count == 0.0) return flat();
  mean_f /= count;
  mean_w /= count;

  // Pass 2: centred second moments. Centring first avoids the cancellation of
  // sum(f^2) - n * mean^2 on images with a large offset, such as CT in Hounsfield units.
  parallel_for_slices(n[2], [&](std::int64_t z) {
    double ff = 0.0, ww = 0.0, fw = 0.0;
    for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
      if (m != nullptr && m[i] == 0) continue;
      const double df = f[i] - mean_f;
      const double dw = w[i] - mean_w;
      ff += df * df;
      ww += dw * dw;
      fw += df * dw;
    }
    slice_sums_[static_cast<std::size_t>(z)] = {ff, ww, fw};
  });
  double s_ff = 0.0, s_ww = 0.0, s_fw = 0.0;
  for (const auto& s : slice_sums_) {
    s_ff += s[0];
    s_ww += s[1];
    s_fw += s[2];
  }
  if (is_constant(s_ff, mean_f, count) || is_constant(s_ww, mean_w, count)) return flat();

  const double inverse_norm = 1.0 / std::sqrt(s_ff * s_ww);
  const double ncc = s_fw * inverse_norm;

  if (dE_dwarped != nullptr) {
    // d s_fw / d w_i = f_i - mean_f and d s_ww / d w_i = 2 (w_i - mean_w): the mean's own
    // derivative drops out because centred values sum to zero. Hence
    // dE/dw_i = -(f_i - mean_f) / sqrt(s_ff s_ww) + NCC (w_i - mean_w) / s_ww.
    const double warped_factor = ncc / s_ww;
    float* g = dE_dwarped->data();
    parallel_for_slices(n[2], [&](std::int64_t z) {
      for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
        if (m != nullptr && m[i] == 0) {
          g[i] = 0.0f;
          continue;
        }
        g[i] =
            static_cast<float>(-(f[i] - mean_f) * inverse_norm + (w[i] - mean_w) * warped_factor);
      }
    });
  }
  return 1.0 - ncc;
}

}  // namespace modir::objective
