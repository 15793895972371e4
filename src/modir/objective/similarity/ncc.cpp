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

void check_grids(const Image<float>& fixed, const Image<float>& warped,
                 const VoxelWeights* weights) {
  if (warped.size() != fixed.size()) {
    throw data_error("NCC: the warped image is {}x{}x{} but the fixed image is {}x{}x{}",
                     warped.size()[0], warped.size()[1], warped.size()[2], fixed.size()[0],
                     fixed.size()[1], fixed.size()[2]);
  }
  if (weights != nullptr && weights->size() != fixed.size()) {
    throw data_error("NCC: the voxel weights are {}x{}x{} but the fixed image is {}x{}x{}",
                     weights->size()[0], weights->size()[1], weights->size()[2], fixed.size()[0],
                     fixed.size()[1], fixed.size()[2]);
  }
}

}  // namespace

double NormalizedCrossCorrelation::evaluate(const Image<float>& fixed, const Image<float>& warped,
                                            const VoxelWeights* weights, Image<float>* dE_dwarped,
                                            Image<float>* dE_dweight) {
  check_grids(fixed, warped, weights);
  if (dE_dwarped != nullptr) shape_like(fixed, *dE_dwarped);
  if (dE_dweight != nullptr) shape_like(fixed, *dE_dweight);

  const Size3& n = fixed.size();
  const std::int64_t slice_voxels = n[0] * n[1];
  const float* f = fixed.data();
  const float* w = warped.data();
  const float* q = weights != nullptr ? weights->data() : nullptr;
  slice_sums_.assign(static_cast<std::size_t>(n[2]), {0.0, 0.0, 0.0});

  // Pass 1: total weight and means.
  parallel_for_slices(n[2], [&](std::int64_t z) {
    double count = 0.0, sum_f = 0.0, sum_w = 0.0;
    for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
      const double qi = voxel_weight(q, i);
      if (qi == 0.0) continue;
      count += qi;
      sum_f += qi * f[i];
      sum_w += qi * w[i];
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
    for (Image<float>* out : {dE_dwarped, dE_dweight})
      if (out != nullptr) std::fill(out->buffer().begin(), out->buffer().end(), 0.0f);
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
      const double qi = voxel_weight(q, i);
      if (qi == 0.0) continue;
      const double df = f[i] - mean_f;
      const double dw = w[i] - mean_w;
      ff += qi * df * df;
      ww += qi * dw * dw;
      fw += qi * df * dw;
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
    // d s_fw / d w_i = q_i (f_i - mean_f) and d s_ww / d w_i = 2 q_i (w_i - mean_w): the mean's
    // own derivative drops out because weighted centred values sum to zero. Hence
    // dE/dw_i = q_i [-(f_i - mean_f) / sqrt(s_ff s_ww) + NCC (w_i - mean_w) / s_ww].
    const double warped_factor = ncc / s_ww;
    float* g = dE_dwarped->data();
    parallel_for_slices(n[2], [&](std::int64_t z) {
      for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
        const double qi = voxel_weight(q, i);
        g[i] = qi == 0.0 ? 0.0f
                         : static_cast<float>(qi * (-(f[i] - mean_f) * inverse_norm +
                                                    (w[i] - mean_w) * warped_factor));
      }
    });
  }
  if (dE_dweight != nullptr) {
    // The same argument for a voxel's weight: d s_fw / d q_i = (f_i - mean_f)(w_i - mean_w) and
    // likewise for s_ff and s_ww, so
    // dNCC/dq_i = df dw / sqrt(s_ff s_ww) - NCC / 2 (df^2 / s_ff + dw^2 / s_ww).
    float* g = dE_dweight->data();
    parallel_for_slices(n[2], [&](std::int64_t z) {
      for (std::int64_t i = z * slice_voxels, end = i + slice_voxels; i < end; ++i) {
        const double df = f[i] - mean_f, dw = w[i] - mean_w;
        const double dncc =
            df * dw * inverse_norm - 0.5 * ncc * (df * df / s_ff + dw * dw / s_ww);
        g[i] = static_cast<float>(-dncc);
      }
    });
  }
  return 1.0 - ncc;
}

}  // namespace modir::objective
