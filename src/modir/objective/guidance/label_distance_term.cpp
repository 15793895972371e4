#include "modir/objective/guidance/label_distance_term.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/resample.h"
#include "modir/objective/guidance/trilinear.h"

namespace modir::objective {

LabelDistanceTerm::LabelDistanceTerm(std::shared_ptr<const std::vector<OrganDistanceMaps>> organs,
                                     const Geometry& level_grid, double band_mm,
                                     double sample_spacing_mm)
    : organs_(std::move(organs)), grid_(level_grid) {
  if (!organs_ || organs_->empty()) {
    throw Error(ErrorKind::kData,
                "label guidance needs at least one organ present in both label maps");
  }
  std::array<std::int64_t, 3> stride{1, 1, 1};
  for (int a = 0; a < 3; ++a)
    stride[static_cast<std::size_t>(a)] = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::floor(sample_spacing_mm / level_grid.spacing[a] + 1e-6)));
  for (const OrganDistanceMaps& organ : *organs_) {
    const Image<float> fixed =
        organ.fixed.geometry().same_grid(level_grid)
            ? organ.fixed
            : filter::resample(organ.fixed, level_grid, filter::Interpolation::kLinear);
    const Geometry& mg = organ.moving.geometry();
    const Mat3 world_to_moving = mg.index_to_world_matrix().inverse();
    const Mat3 index_to_world = level_grid.index_to_world_matrix();
    const std::int64_t nx = level_grid.size[0], ny = level_grid.size[1];
    Band band;
    for (std::int64_t v = 0; v < fixed.voxel_count(); ++v) {
      const std::int64_t z = v / (nx * ny), y = (v / nx) % ny, x = v % nx;
      if (x % stride[0] || y % stride[1] || z % stride[2]) continue;
      if (std::abs(fixed.data()[v]) < band_mm) {
        band.voxels.push_back(v);
        band.fixed_distance.push_back(fixed.data()[v]);
        const Vec3d world =
            level_grid.origin + index_to_world * Vec3d{double(x), double(y), double(z)};
        band.rest_index.push_back((world_to_moving * (world - mg.origin)).cast<float>());
      }
    }
    bands_.push_back(std::move(band));
  }
  organ_rms_.assign(organs_->size(), 0.0);
}

double LabelDistanceTerm::evaluate(const DisplacementField& u, DisplacementField* gradient,
                                   double weight) {
  if (!u.geometry().same_grid(grid_, 0.0)) {
    throw Error(ErrorKind::kData, "label distance term: the field is not on the level's grid");
  }
  double weight_sum = 0.0;
  for (const auto& organ : *organs_) weight_sum += organ.weight;
  double total = 0.0;
  for (std::size_t k = 0; k < organs_->size(); ++k) {
    const OrganDistanceMaps& organ = (*organs_)[k];
    const Band& band = bands_[k];
    const auto count = static_cast<std::int64_t>(band.voxels.size());
    if (count == 0) continue;
    const Geometry& mg = organ.moving.geometry();
    const Mat3 world_to_moving = mg.index_to_world_matrix().inverse();
    const Mat3 gradient_to_world = world_to_moving.transposed();
    const double scale = weight * organ.weight / weight_sum / static_cast<double>(count);
    // Chunks of fixed size summed in order: deterministic for any thread count.
    constexpr std::int64_t kChunk = 4096;
    const std::int64_t chunks = (count + kChunk - 1) / kChunk;
    std::vector<double> partial(static_cast<std::size_t>(chunks), 0.0);
    parallel_for(chunks, [&](std::int64_t c) {
      double s = 0.0;
      for (std::int64_t b = c * kChunk; b < std::min(count, (c + 1) * kChunk); ++b) {
        const auto i = static_cast<std::size_t>(b);
        const std::int64_t v = band.voxels[i];
        Vec3d d_index;
        const double moving = trilinear_with_gradient(
            organ.moving,
            band.rest_index[i].cast<double>() + world_to_moving * u.data()[v].cast<double>(),
            d_index);
        const double r = moving - band.fixed_distance[static_cast<std::size_t>(b)];
        s += r * r;
        if (gradient)
          gradient->data()[v] += (gradient_to_world * d_index * (2.0 * r * scale)).cast<float>();
      }
      partial[static_cast<std::size_t>(c)] = s;
    });
    double sum = 0.0;
    for (const double p : partial) sum += p;
    const double mean = sum / static_cast<double>(count);
    organ_rms_[k] = std::sqrt(mean);
    total += organ.weight / weight_sum * mean;
  }
  return total;
}

}  // namespace modir::objective
