#include "modir/objective/similarity/local_ncc.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "modir/core/parallel.h"

namespace modir::objective {

namespace {

// The floor of eps, in standardised units: keeps exactly flat regions from dividing by zero.
constexpr double kEpsilonFloor = 1e-3;
// eps = kNoiseVariances x the image's noise variance. In a region that holds only noise the
// correlation of two independent noise patterns is meaningless, yet an optimiser can raise it by
// deforming; with eps = 4 sigma^2 such regions count at most 1/25 as much as they would, while
// windows with real structure (variance >> sigma^2) keep nearly their full weight.
constexpr double kNoiseVariances = 4.0;

struct MeanAndScale {
  double mean = 0, scale = 1;
};

MeanAndScale global_statistics(const Image<float>& image) {
  const std::int64_t nz = image.size()[2], plane = image.size()[0] * image.size()[1];
  std::vector<double> sum(static_cast<std::size_t>(nz)), sq(sum.size());
  parallel_for_slices(nz, [&](std::int64_t z) {
    double s = 0, q = 0;
    for (std::int64_t i = plane * z; i < plane * (z + 1); ++i) {
      s += image.data()[i];
      q += double(image.data()[i]) * image.data()[i];
    }
    sum[static_cast<std::size_t>(z)] = s;
    sq[static_cast<std::size_t>(z)] = q;
  });
  double s = 0, q = 0;
  for (std::size_t z = 0; z < sum.size(); ++z) s += sum[z], q += sq[z];
  const double n = static_cast<double>(image.voxel_count());
  const double mean = s / n;
  const double sd = std::sqrt(std::max(q / n - mean * mean, 0.0));
  return {mean, sd > 1e-12 ? sd : 1.0};
}

// Noise standard deviation of an image, robust to structure: the median absolute deviation of
// second differences along x, I(x-1) - 2 I(x) + I(x+1), which vanish on linear intensity ramps
// and hold 1 + 4 + 1 = 6 noise variances (hence 1/sqrt(6)); at most ~1M samples, regularly spaced.
double noise_sigma(const Image<float>& image) {
  const Size3& size = image.size();
  if (size[0] < 3) return 0.0;
  const std::int64_t triples = (size[0] - 2) * size[1] * size[2];
  const std::int64_t stride = std::max<std::int64_t>(1, triples / 1000000);
  std::vector<float> d;
  d.reserve(static_cast<std::size_t>(triples / stride + 1));
  std::int64_t k = 0;
  for (std::int64_t z = 0; z < size[2]; ++z)
    for (std::int64_t y = 0; y < size[1]; ++y) {
      const float* row = image.data() + (z * size[1] + y) * size[0];
      for (std::int64_t x = 1; x + 1 < size[0]; ++x, ++k)
        if (k % stride == 0) d.push_back(row[x - 1] - 2.0f * row[x] + row[x + 1]);
    }
  const auto median = [](std::vector<float>& v) {
    auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return double(*mid);
  };
  const double centre = median(d);
  for (float& x : d) x = static_cast<float>(std::abs(x - centre));
  return 1.4826 * median(d) / std::sqrt(6.0);
}

double epsilon_for(const Image<float>& image, double scale) {
  const double sigma = noise_sigma(image) / scale;
  return std::max(kEpsilonFloor, kNoiseVariances * sigma * sigma);
}

// Runs body(x, y, z, linear index) over the grid, parallel over slices.
template <typename Body>
void for_each_voxel(const Size3& size, Body&& body) {
  parallel_for_slices(size[2], [&](std::int64_t z) {
    std::int64_t v = size[0] * size[1] * z;
    for (std::int64_t y = 0; y < size[1]; ++y)
      for (std::int64_t x = 0; x < size[0]; ++x, ++v) body(x, y, z, v);
  });
}

}  // namespace

std::string LocalNcc::name() const {
  return fmt::format("lncc ({} window, {} mm)",
                     window_kind_ == WindowSum::Kind::kBox ? "box" : "gaussian", radius_mm_);
}

void LocalNcc::prepare_fixed(const Image<float>& fixed) {
  const Geometry& g = fixed.geometry();
  window_ = std::make_unique<WindowSum>(window_kind_, radius_mm_, g);
  const MeanAndScale s = global_statistics(fixed);
  fixed_mean_ = s.mean;
  fixed_scale_ = s.scale;
  fixed_epsilon_ = epsilon_for(fixed, fixed_scale_);
  fixed_standardised_ = Image<float>(g);
  fixed_local_mean_ = Image<float>(g);
  fixed_local_variance_ = Image<float>(g);
  for_each_voxel(g.size, [&](std::int64_t, std::int64_t, std::int64_t, std::int64_t v) {
    const float f = static_cast<float>((fixed.data()[v] - fixed_mean_) / fixed_scale_);
    fixed_standardised_.data()[v] = f;
    fixed_local_mean_.data()[v] = f;
    fixed_local_variance_.data()[v] = f * f;
  });
  window_->apply(fixed_local_mean_);
  window_->apply(fixed_local_variance_);
  for_each_voxel(g.size, [&](std::int64_t x, std::int64_t y, std::int64_t z, std::int64_t v) {
    const double n = window_->weight(x, y, z);
    const double mean = fixed_local_mean_.data()[v] / n;
    fixed_local_mean_.data()[v] = static_cast<float>(mean);
    fixed_local_variance_.data()[v] =
        static_cast<float>(std::max(fixed_local_variance_.data()[v] / n - mean * mean, 0.0));
  });
  local_mean_ = Image<float>(g);
  local_variance_ = Image<float>(g);
  local_covariance_ = Image<float>(g);
  prepared_for_ = fixed.data();
  warped_scale_ = 0;  // taken from the next warped image
}

double LocalNcc::evaluate(const Image<float>& fixed, const Image<float>& warped,
                          const VoxelWeights* weights, Image<float>* dE_dwarped,
                          Image<float>* dE_dweight) {
  if (prepared_for_ != fixed.data() ||
      !fixed_standardised_.geometry().same_grid(fixed.geometry(), 0.0)) {
    prepare_fixed(fixed);
  }
  if (warped_scale_ == 0) {
    const MeanAndScale s = global_statistics(warped);
    warped_mean_ = s.mean;
    warped_scale_ = s.scale;
    warped_epsilon_ = epsilon_for(warped, warped_scale_);
  }
  const Size3& size = fixed.geometry().size;
  const float* w = warped.data();
  const float* f = fixed_standardised_.data();
  const float* voxel_weight = weights ? weights->data() : nullptr;
  if (dE_dweight) shape_like(fixed, *dE_dweight);
  float* cc_out = dE_dweight ? dE_dweight->data() : nullptr;
  const double wm = warped_mean_, ws = warped_scale_;

  for_each_voxel(size, [&](std::int64_t, std::int64_t, std::int64_t, std::int64_t v) {
    const float j = static_cast<float>((w[v] - wm) / ws);
    local_mean_.data()[v] = j;
    local_variance_.data()[v] = j * j;
    local_covariance_.data()[v] = j * f[v];
  });
  window_->apply(local_mean_);
  window_->apply(local_variance_);
  window_->apply(local_covariance_);

  // Per window: cc for the value; a/N, b/N and (b mean_W - a mean_F)/N for the gradient,
  // written over the three scratch images (each voxel reads only its own entries).
  std::vector<double> cc_sum(static_cast<std::size_t>(size[2])), count(cc_sum.size());
  parallel_for_slices(size[2], [&](std::int64_t z) {
    double s = 0, k = 0;
    std::int64_t v = size[0] * size[1] * z;
    for (std::int64_t y = 0; y < size[1]; ++y)
      for (std::int64_t x = 0; x < size[0]; ++x, ++v) {
        // Two divisions per voxel instead of nine: this loop runs on every voxel of every
        // evaluation.
        const double inv_n = 1.0 / window_->weight(x, y, z);
        const double mean_w = local_mean_.data()[v] * inv_n;
        const double var_w = std::max(local_variance_.data()[v] * inv_n - mean_w * mean_w, 0.0);
        const double mean_f = fixed_local_mean_.data()[v];
        const double cov = local_covariance_.data()[v] * inv_n - mean_f * mean_w;
        const double p = fixed_local_variance_.data()[v] + fixed_epsilon_;
        const double q = var_w + warped_epsilon_;
        const double counted = voxel_weight ? double(voxel_weight[v]) : 1.0;
        const double inv_q = 1.0 / q;
        const double a = counted * 2.0 * cov * inv_q / p;
        const double b = a * cov * inv_q;
        s += 0.5 * a * cov;  // counted * cov^2 / (p q)
        k += counted;
        if (cc_out) cc_out[v] = static_cast<float>(cov * cov * inv_q / p);
        local_mean_.data()[v] = static_cast<float>(a * inv_n);
        local_variance_.data()[v] = static_cast<float>(b * inv_n);
        local_covariance_.data()[v] = static_cast<float>((b * mean_w - a * mean_f) * inv_n);
      }
    cc_sum[static_cast<std::size_t>(z)] = s;
    count[static_cast<std::size_t>(z)] = k;
  });
  double s = 0, k = 0;
  for (std::size_t z = 0; z < cc_sum.size(); ++z) s += cc_sum[z], k += count[z];
  if (k == 0) {
    if (dE_dwarped) *dE_dwarped = Image<float>(fixed.geometry(), 0.0f);
    if (dE_dweight) *dE_dweight = Image<float>(fixed.geometry(), 0.0f);
    return 0.0;
  }
  if (dE_dweight) {
    const double mean_cc = s / k;
    for_each_voxel(size, [&](std::int64_t, std::int64_t, std::int64_t, std::int64_t v) {
      cc_out[v] = static_cast<float>(-(cc_out[v] - mean_cc) / k);
    });
  }
  if (dE_dwarped) {
    window_->apply(local_mean_);
    window_->apply(local_variance_);
    window_->apply(local_covariance_);
    if (!dE_dwarped->geometry().same_grid(fixed.geometry(), 0.0))
      *dE_dwarped = Image<float>(fixed.geometry());
    const double scale = -1.0 / (k * ws);
    for_each_voxel(size, [&](std::int64_t, std::int64_t, std::int64_t, std::int64_t v) {
      const double j = (w[v] - wm) / ws;
      dE_dwarped->data()[v] =
          static_cast<float>(scale * (f[v] * local_mean_.data()[v] - j * local_variance_.data()[v] +
                                      local_covariance_.data()[v]));
    });
  }
  return 1.0 - s / k;
}

}  // namespace modir::objective
