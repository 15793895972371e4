// Filters run once per registration or evaluation but on full-resolution grids.

#include <algorithm>
#include <cmath>

#include <benchmark/benchmark.h>
#include <itkDiscreteGaussianImageFilter.h>
#include <itkImage.h>
#include <itkImportImageFilter.h>
#include <itkSmoothingRecursiveGaussianImageFilter.h>

#include "modir/core/parallel.h"
#include "modir/filter/distance_transform.h"
#include "modir/filter/gaussian_blur.h"
#include "scene.h"

namespace modir::bench {
namespace {

/// The exact signed distance map of one organ (the fixed ball), as label guidance and surface
/// distances prepare it.
void BM_SignedDistance(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  for (auto _ : state) {
    Image<float> distance = filter::signed_distance(s.fixed_labels, 1);
    benchmark::DoNotOptimize(distance.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
}
BENCHMARK(BM_SignedDistance)->Apply(grid_sizes);

// The smoothing of a registration pyramid: the 1 x 1 x 3 mm scan smoothed for a 4 mm level
// (sigma = sqrt(4^2 - s^2) / 2 per axis), modir's own separable kernel against ITK's two Gaussian
// filters on the same voxels and sigmas. Each registration runs it for every level of both
// scans, on the full-resolution grid.
Vec3d pyramid_sigma_mm(const Geometry& grid) {
  Vec3d sigma;
  for (int a = 0; a < 3; ++a)
    sigma[a] = grid.spacing[a] < 4.0 ? std::sqrt(16.0 - grid.spacing[a] * grid.spacing[a]) / 2.0
                                     : 0.0;
  return sigma;
}

void BM_GaussianBlur(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  const Vec3d sigma = pyramid_sigma_mm(s.grid);
  for (auto _ : state) {
    Image<float> smooth = s.fixed;
    filter::gaussian_blur(smooth, sigma);
    benchmark::DoNotOptimize(smooth.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
}
BENCHMARK(BM_GaussianBlur)->Apply(grid_sizes);

using ItkImage = itk::Image<float, 3>;

ItkImage::Pointer itk_copy(const Image<float>& image) {
  auto out = ItkImage::New();
  ItkImage::RegionType region;
  ItkImage::SizeType size;
  ItkImage::SpacingType spacing;
  for (unsigned a = 0; a < 3; ++a) {
    size[a] = static_cast<itk::SizeValueType>(image.size()[a]);
    spacing[a] = image.geometry().spacing[static_cast<int>(a)];
  }
  region.SetSize(size);
  out->SetRegions(region);
  out->SetSpacing(spacing);
  out->Allocate();
  std::copy(image.data(), image.data() + image.voxel_count(), out->GetBufferPointer());
  return out;
}

/// ITK's DiscreteGaussianImageFilter: a sampled kernel like modir's (variance in mm^2, kernel
/// cut where its tail falls below 1e-2 of its integral, as ITK's default).
void BM_ItkDiscreteGaussian(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  const Vec3d sigma = pyramid_sigma_mm(s.grid);
  const ItkImage::Pointer input = itk_copy(s.fixed);
  for (auto _ : state) {
    auto filter = itk::DiscreteGaussianImageFilter<ItkImage, ItkImage>::New();
    filter->SetInput(input);
    filter->SetVariance(itk::FixedArray<double, 3>{{sigma[0] * sigma[0], sigma[1] * sigma[1],
                                                    sigma[2] * sigma[2]}});
    filter->SetUseImageSpacingOn();
    filter->SetMaximumKernelWidth(64);
    filter->SetNumberOfWorkUnits(static_cast<itk::ThreadIdType>(thread_count()));
    filter->Update();
    benchmark::DoNotOptimize(filter->GetOutput()->GetBufferPointer());
  }
  report_voxels(state, s.grid.voxel_count());
}
BENCHMARK(BM_ItkDiscreteGaussian)->Apply(grid_sizes);

/// ITK's SmoothingRecursiveGaussianImageFilter (Deriche's IIR approximation: constant cost per
/// voxel whatever sigma, and an approximation of the Gaussian rather than a sampled one).
void BM_ItkRecursiveGaussian(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  const Vec3d sigma = pyramid_sigma_mm(s.grid);
  const ItkImage::Pointer input = itk_copy(s.fixed);
  for (auto _ : state) {
    auto filter = itk::SmoothingRecursiveGaussianImageFilter<ItkImage, ItkImage>::New();
    filter->SetInput(input);
    filter->SetSigmaArray(
        itk::FixedArray<double, 3>{{std::max(sigma[0], 1e-3), std::max(sigma[1], 1e-3),
                                    std::max(sigma[2], 1e-3)}});
    filter->SetNumberOfWorkUnits(static_cast<itk::ThreadIdType>(thread_count()));
    filter->Update();
    benchmark::DoNotOptimize(filter->GetOutput()->GetBufferPointer());
  }
  report_voxels(state, s.grid.voxel_count());
}
BENCHMARK(BM_ItkRecursiveGaussian)->Apply(grid_sizes);

}  // namespace
}  // namespace modir::bench
