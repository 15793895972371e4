#include "modir/phantom/acquisition.h"

#include <algorithm>
#include <cmath>

#include "modir/core/parallel.h"
#include "modir/filter/gaussian_blur.h"

namespace modir::phantom {

namespace {

Vec3d voxel_centre(const Geometry& g, std::int64_t i, std::int64_t j, std::int64_t k) {
  return g.index_to_world({static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
}

}  // namespace

IdealScan render_fixed(const Anatomy& anatomy, const PhantomDeformation& deformation,
                       const Geometry& grid, DisplacementField& ground_truth) {
  IdealScan scan{Image<float>(grid), LabelMap(grid)};
  ground_truth = DisplacementField(grid);
  parallel_for_slices(grid.size[2], [&](std::int64_t k) {
    for (std::int64_t j = 0; j < grid.size[1]; ++j) {
      for (std::int64_t i = 0; i < grid.size[0]; ++i) {
        const Vec3d x = voxel_centre(grid, i, j, k);
        const Vec3d anatomy_point = deformation.soft(x);
        const TissueSample t = anatomy.sample(anatomy_point);
        scan.hu(i, j, k) = t.hu;
        scan.labels(i, j, k) = t.label;
        ground_truth(i, j, k) = (deformation.rigid().apply(anatomy_point) - x).cast<float>();
      }
    }
  });
  return scan;
}

IdealScan render_moving(const Anatomy& anatomy, const PhantomDeformation& deformation,
                        const Geometry& grid) {
  IdealScan scan{Image<float>(grid), LabelMap(grid)};
  parallel_for_slices(grid.size[2], [&](std::int64_t k) {
    for (std::int64_t j = 0; j < grid.size[1]; ++j) {
      for (std::int64_t i = 0; i < grid.size[0]; ++i) {
        const TissueSample t =
            anatomy.sample(deformation.rigid().invert(voxel_centre(grid, i, j, k)));
        scan.hu(i, j, k) = t.hu;
        scan.labels(i, j, k) = t.label;
      }
    }
  });
  return scan;
}

Geometry moving_scan_grid(Rng& rng, DeformationLevel level, const Geometry& fixed) {
  if (level == DeformationLevel::kNone) return fixed;
  Geometry g = fixed;
  // Up to 10 % fewer slices, and a slice range shifted by a non-integer number of slices.
  const auto dropped =
      static_cast<std::int64_t>(rng.uniform(0.0, 0.1) * static_cast<double>(fixed.size[2]));
  g.size[2] = fixed.size[2] - dropped;
  const double z_shift =
      (rng.uniform(-4.0, 4.0) + 0.5 * static_cast<double>(dropped)) * fixed.spacing.z;
  const Vec3d shift{rng.uniform(-10, 10), rng.uniform(-10, 10), z_shift};
  g.origin = fixed.origin + fixed.direction * shift;
  return g;
}

Image<std::int16_t> acquire(Image<float> hu, double noise_sigma, double offset,
                            std::uint64_t noise_seed) {
  // A slight blur of the reconstruction kernel and slice profile.
  filter::gaussian_blur(hu, {0.6, 0.6, 0.8});
  Image<std::int16_t> out(hu.geometry());
  const std::int64_t per_slice = hu.size()[0] * hu.size()[1];
  parallel_for_slices(hu.size()[2], [&](std::int64_t k) {
    Rng rng(noise_seed * 1000003ull + static_cast<std::uint64_t>(k));
    const float* src = hu.data() + k * per_slice;
    std::int16_t* dst = out.data() + k * per_slice;
    for (std::int64_t v = 0; v < per_slice; ++v) {
      const double value = src[v] + offset + noise_sigma * rng.normal();
      dst[v] = static_cast<std::int16_t>(std::clamp(std::nearbyint(value), -1024.0, 3071.0));
    }
  });
  return out;
}

Acquisition acquisition_of(const ScanVariety& v) {
  Acquisition a;
  a.blur_sigma_mm = {v.inplane_blur_mm, v.inplane_blur_mm, std::max(0.8, v.slice_mm / 2.355)};
  a.noise_sigma = v.noise_sigma_hu;
  a.noise_correlation_mm = v.noise_correlation_mm;
  a.contrast_scale = v.contrast_scale;
  a.offset = v.hu_offset;
  return a;
}

Image<std::int16_t> acquire(Image<float> hu, const Acquisition& scanner, std::uint64_t noise_seed) {
  filter::gaussian_blur(hu, scanner.blur_sigma_mm);
  const std::int64_t per_slice = hu.size()[0] * hu.size()[1];
  // Noise drawn per slice (thread count does not matter), then given its texture.
  Image<float> noise(hu.geometry());
  parallel_for_slices(hu.size()[2], [&](std::int64_t k) {
    Rng rng(noise_seed * 1000003ull + static_cast<std::uint64_t>(k));
    float* n = noise.data() + k * per_slice;
    for (std::int64_t v = 0; v < per_slice; ++v) n[v] = static_cast<float>(rng.normal());
  });
  double scale = scanner.noise_sigma;
  if (scanner.noise_correlation_mm > 0) {
    const double c = scanner.noise_correlation_mm;
    filter::gaussian_blur(noise, {c, c, c});
    double sum2 = 0.0;
    for (const float v : noise.buffer()) sum2 += double(v) * double(v);
    const double sd = std::sqrt(sum2 / double(std::max<std::int64_t>(1, noise.voxel_count())));
    if (sd > 0) scale /= sd;
  }
  Image<std::int16_t> out(hu.geometry());
  parallel_for_slices(hu.size()[2], [&](std::int64_t k) {
    const float* src = hu.data() + k * per_slice;
    const float* n = noise.data() + k * per_slice;
    std::int16_t* dst = out.data() + k * per_slice;
    for (std::int64_t v = 0; v < per_slice; ++v) {
      const double tissue = src[v] > -300.0f ? src[v] * scanner.contrast_scale : src[v];
      const double value = tissue + scanner.offset + scale * n[v];
      dst[v] = static_cast<std::int16_t>(std::clamp(std::nearbyint(value), -1024.0, 3071.0));
    }
  });
  return out;
}

}  // namespace modir::phantom
