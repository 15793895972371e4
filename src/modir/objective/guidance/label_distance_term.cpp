#include "modir/objective/guidance/label_distance_term.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/resample.h"
#include "modir/objective/guidance/trilinear.h"

namespace modir::objective {

void mark_cut_off(Image<float>& distance, const Image<float>& cut) {
  if (cut.voxel_count() == 0) return;
  if (!cut.geometry().same_grid(distance.geometry(), 0.0)) {
    throw std::logic_error("mark_cut_off: the cut distance is not on the distance map's grid");
  }
  float* d = distance.data();
  const float* c = cut.data();
  for (std::int64_t v = 0; v < distance.voxel_count(); ++v)
    if (!(std::abs(d[v]) < c[v])) d[v] = std::numeric_limits<float>::quiet_NaN();
}

LabelDistanceTerm::LabelDistanceTerm(std::shared_ptr<const std::vector<OrganDistanceMaps>> organs,
                                     const Geometry& level_grid, double band_mm,
                                     double sample_spacing_mm, LabelLoss loss)
    : organs_(std::move(organs)), grid_(level_grid), loss_(loss) {
  if (!organs_ || organs_->empty()) {
    throw Error(ErrorKind::kData,
                "label guidance needs at least one organ present in both label maps");
  }
  const Size3 stride = level_grid.sampling_stride(sample_spacing_mm);
  for (const OrganDistanceMaps& organ : *organs_) {
    const Image<float> fixed =
        organ.fixed.geometry().same_grid(level_grid)
            ? organ.fixed
            : filter::resample(organ.fixed, level_grid, filter::Interpolation::kLinear);
    const Geometry& mg = organ.moving.geometry();
    const Mat3 world_to_moving = mg.index_to_world_matrix().inverse();
    const Mat3 index_to_world = level_grid.index_to_world_matrix();
    const std::int64_t nx = level_grid.size[0], ny = level_grid.size[1], nz = level_grid.size[2];
    Band band;
    band.world_to_moving = world_to_moving;
    // Slices in parallel, joined in slice order: the band is the same as a serial raster scan.
    std::vector<Band> slices(static_cast<std::size_t>(nz));
    parallel_for_slices(nz, [&](std::int64_t z) {
      if (z % stride[2]) return;
      Band& part = slices[static_cast<std::size_t>(z)];
      for (std::int64_t y = 0; y < ny; y += stride[1])
        for (std::int64_t x = 0; x < nx; x += stride[0]) {
          const std::int64_t v = x + nx * (y + ny * z);
          // NaN (a voxel near a cut, see mark_cut_off) fails the comparison and stays out.
          if (!(std::abs(fixed.data()[v]) < band_mm)) continue;
          part.voxels.push_back(v);
          part.fixed_distance.push_back(fixed.data()[v]);
          const Vec3d world =
              level_grid.origin + index_to_world * Vec3d{double(x), double(y), double(z)};
          part.rest_index.push_back((world_to_moving * (world - mg.origin)).cast<float>());
        }
    });
    for (Band& part : slices) {
      band.voxels.insert(band.voxels.end(), part.voxels.begin(), part.voxels.end());
      band.fixed_distance.insert(band.fixed_distance.end(), part.fixed_distance.begin(),
                                 part.fixed_distance.end());
      band.rest_index.insert(band.rest_index.end(), part.rest_index.begin(),
                             part.rest_index.end());
    }
    bands_.push_back(std::move(band));
  }
  organ_rms_.assign(organs_->size(), 0.0);
}

double LabelDistanceTerm::residual(const OrganDistanceMaps& organ, const Band& band,
                                   const DisplacementField& u, std::size_t b,
                                   Vec3d& d_index) const {
  const double moving =
      trilinear_with_gradient(organ.moving,
                              band.rest_index[b].cast<double>() +
                                  band.world_to_moving * u.data()[band.voxels[b]].cast<double>(),
                              d_index);
  return moving - band.fixed_distance[b];
}

void LabelDistanceTerm::set_trusted(const DisplacementField& u) {
  trusted_.assign(bands_.size(), {});
  left_out_.assign(bands_.size(), 0.0);
  for (std::size_t k = 0; k < bands_.size(); ++k) {
    const Band& band = bands_[k];
    const OrganDistanceMaps& organ = (*organs_)[k];
    trusted_[k].assign(band.voxels.size(), 1);
    const bool cut = organ.moving_cut.voxel_count() > 0;
    if (cut && !organ.moving_cut.geometry().same_grid(organ.moving.geometry(), 0.0)) {
      throw std::logic_error(
          "label distance term: the moving cut distance is not on the moving map's grid");
    }
    std::vector<char>& trusted = trusted_[k];
    parallel_for(static_cast<std::int64_t>(band.voxels.size()), [&](std::int64_t b) {
      const auto i = static_cast<std::size_t>(b);
      const Vec3d at = band.rest_index[i].cast<double>() +
                       band.world_to_moving * u.data()[band.voxels[i]].cast<double>();
      // Beyond the moving map's outer voxel centres it is only its border value continued: it
      // says nothing there. (The tolerance keeps the grid's own outer voxels, whose rest index
      // carries float rounding.)
      constexpr double kEdge = 1e-3;
      const Size3& n = organ.moving.size();
      for (int a = 0; a < 3; ++a)
        if (at[a] < -kEdge || at[a] > double(n[a] - 1) + kEdge) {
          trusted[i] = 0;
          return;
        }
      if (!cut) return;
      Vec3d unused;
      trusted[i] = std::abs(trilinear_with_gradient(organ.moving, at, unused)) <
                   trilinear_with_gradient(organ.moving_cut, at, unused);
    });
    const auto kept = std::count(trusted.begin(), trusted.end(), static_cast<char>(1));
    left_out_[k] = band.voxels.empty()
                       ? 0.0
                       : 1.0 - double(kept) / double(band.voxels.size());
  }
}

void LabelDistanceTerm::set_tukey_scales(const DisplacementField& u) {
  // 4.685 gives 95 % of least squares' efficiency on Gaussian residuals; 1.4826 * median |r| is
  // their standard deviation. The floor keeps the term pulling when the level starts aligned
  // (residuals of interpolation only) and the image term then moves an organ a few mm.
  constexpr double kTukeyConstant = 4.685, kMadToSigma = 1.4826, kFloorMm = 5.0;
  tukey_scale_.assign(organs_->size(), kFloorMm);
  for (std::size_t k = 0; k < organs_->size(); ++k) {
    const OrganDistanceMaps& organ = (*organs_)[k];
    const Band& band = bands_[k];
    const auto count = static_cast<std::int64_t>(band.voxels.size());
    if (count == 0) continue;
    std::vector<double> magnitude(static_cast<std::size_t>(count), -1.0);
    parallel_for(count, [&](std::int64_t b) {
      if (!trusted_[k][static_cast<std::size_t>(b)]) return;
      Vec3d d_index;
      magnitude[static_cast<std::size_t>(b)] =
          std::abs(residual(organ, band, u, static_cast<std::size_t>(b), d_index));
    });
    magnitude.erase(std::remove(magnitude.begin(), magnitude.end(), -1.0), magnitude.end());
    if (magnitude.empty()) continue;
    const auto middle = magnitude.begin() + static_cast<std::ptrdiff_t>(magnitude.size() / 2);
    std::nth_element(magnitude.begin(), middle, magnitude.end());
    tukey_scale_[k] = std::max(kFloorMm, kTukeyConstant * kMadToSigma * *middle);
  }
}

double LabelDistanceTerm::evaluate(const DisplacementField& u, DisplacementField* gradient,
                                   double weight) {
  if (!u.geometry().same_grid(grid_, 0.0)) {
    throw Error(ErrorKind::kData, "label distance term: the field is not on the level's grid");
  }
  if (trusted_.empty()) set_trusted(u);
  if (loss_ == LabelLoss::kTukey && tukey_scale_.empty()) set_tukey_scales(u);
  double weight_sum = 0.0;
  for (const auto& organ : *organs_) weight_sum += organ.weight;
  double total = 0.0;
  for (std::size_t k = 0; k < organs_->size(); ++k) {
    const OrganDistanceMaps& organ = (*organs_)[k];
    const Band& band = bands_[k];
    const auto count = static_cast<std::int64_t>(band.voxels.size());
    if (count == 0) continue;
    const Mat3 gradient_to_world = band.world_to_moving.transposed();
    const double scale = weight * organ.weight / weight_sum / static_cast<double>(count);
    const bool tukey = loss_ == LabelLoss::kTukey;
    const double c2 = tukey ? tukey_scale_[k] * tukey_scale_[k] : 0.0;
    const double inverse_c2 = tukey ? 1.0 / c2 : 0.0;
    // Chunks of fixed size summed in order: deterministic for any thread count.
    constexpr std::int64_t kChunk = 4096;
    const std::int64_t chunks = (count + kChunk - 1) / kChunk;
    std::vector<double> partial_loss(static_cast<std::size_t>(chunks), 0.0);
    std::vector<double> partial_squares(static_cast<std::size_t>(chunks), 0.0);
    parallel_for(chunks, [&](std::int64_t chunk) {
      double loss = 0.0, squares = 0.0;
      for (std::int64_t b = chunk * kChunk; b < std::min(count, (chunk + 1) * kChunk); ++b) {
        if (!trusted_[k][static_cast<std::size_t>(b)]) continue;
        Vec3d d_index;
        const double r = residual(organ, band, u, static_cast<std::size_t>(b), d_index);
        squares += r * r;
        double slope = 2.0 * r;  // d rho / d r
        if (tukey) {
          const double inlier = std::max(0.0, 1.0 - r * r * inverse_c2);
          loss += c2 / 3.0 * (1.0 - inlier * inlier * inlier);
          slope *= inlier * inlier;
        } else {
          loss += r * r;
        }
        if (gradient && slope != 0.0)
          gradient->data()[band.voxels[static_cast<std::size_t>(b)]] +=
              (gradient_to_world * d_index * (slope * scale)).cast<float>();
      }
      partial_loss[static_cast<std::size_t>(chunk)] = loss;
      partial_squares[static_cast<std::size_t>(chunk)] = squares;
    });
    double loss = 0.0, squares = 0.0;
    for (std::size_t i = 0; i < partial_loss.size(); ++i) {
      loss += partial_loss[i];
      squares += partial_squares[i];
    }
    const double trusted = static_cast<double>(count) * (1.0 - left_out_[k]);
    organ_rms_[k] = trusted > 0.5 ? std::sqrt(squares / trusted) : 0.0;
    total += organ.weight / weight_sum * loss / static_cast<double>(count);
  }
  return total;
}

}  // namespace modir::objective
