#include "modir/learn/libtorch/augment.h"

#include <array>
#include <cmath>

#include <torch/nn/functional.h>

namespace modir::learn {

namespace F = torch::nn::functional;
using torch::indexing::Slice;

namespace {

double uniform(double lo, double hi) {
  return lo + (hi - lo) * torch::rand({1}).item<double>();
}
bool chance(double p) {
  return torch::rand({1}).item<double>() < p;
}

// Rotation about x, then y, then z (voxel axes; the network grid is isotropic).
std::array<double, 9> rotation(double ax, double ay, double az) {
  const double cx = std::cos(ax), sx = std::sin(ax), cy = std::cos(ay), sy = std::sin(ay),
               cz = std::cos(az), sz = std::sin(az);
  // Rz * Ry * Rx
  return {cz * cy,
          cz * sy * sx - sz * cx,
          cz * sy * cx + sz * sx,
          sz * cy,
          sz * sy * sx + cz * cx,
          sz * sy * cx - cz * sx,
          -sy,
          cy * sx,
          cy * cx};
}

torch::Tensor gaussian_blur(const torch::Tensor& image, double sigma) {
  const int radius = std::max(1, static_cast<int>(std::ceil(2.0 * sigma)));
  torch::Tensor kernel = torch::arange(-radius, radius + 1, torch::kFloat32);
  kernel = torch::exp(-0.5 * (kernel / sigma).square());
  kernel = kernel / kernel.sum();
  torch::Tensor x = image;
  const std::int64_t k = 2 * radius + 1;
  for (const auto& shape :
       {std::vector<std::int64_t>{1, 1, k, 1, 1}, std::vector<std::int64_t>{1, 1, 1, k, 1},
        std::vector<std::int64_t>{1, 1, 1, 1, k}}) {
    std::vector<std::int64_t> pad(6, 0);
    for (int d = 0; d < 3; ++d) {
      if (shape[static_cast<std::size_t>(2 + d)] > 1) {
        pad[static_cast<std::size_t>(2 * (2 - d))] = radius;
        pad[static_cast<std::size_t>(2 * (2 - d) + 1)] = radius;
      }
    }
    x = F::conv3d(F::pad(x, F::PadFuncOptions(pad).mode(torch::kReplicate)), kernel.view(shape));
  }
  return x;
}

}  // namespace

void augment_batch(const torch::Tensor& images, const torch::Tensor& labels, const Size3& patch,
                   const AugmentOptions& o, bool augment, torch::Tensor& out_images,
                   torch::Tensor& out_labels) {
  const std::int64_t batch = images.size(0);
  const std::int64_t region[3] = {images.size(4), images.size(3), images.size(2)};  // x y z
  if (!augment) {
    std::int64_t margin[3];
    for (int a = 0; a < 3; ++a) margin[a] = (region[a] - patch[static_cast<std::size_t>(a)]) / 2;
    const auto crop = [&](const torch::Tensor& t) {
      return t
          .index({Slice(), Slice(), Slice(margin[2], margin[2] + patch[2]),
                  Slice(margin[1], margin[1] + patch[1]), Slice(margin[0], margin[0] + patch[0])})
          .contiguous();
    };
    out_images = crop(images);
    out_labels = crop(labels);
    return;
  }

  // Spatial: theta maps output-normalised to input-normalised coordinates (x, y, z order):
  // D_in^-1 * R * S * D_out with D = diag(size / 2).
  torch::Tensor theta = torch::zeros({batch, 3, 4});
  torch::Tensor displacement;
  for (std::int64_t b = 0; b < batch; ++b) {
    const double deg = o.max_rotation_deg * M_PI / 180.0;
    std::array<double, 9> r = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    if (chance(o.rotation_probability))
      r = rotation(uniform(-deg, deg), uniform(-deg, deg), uniform(-deg, deg));
    const double scale = chance(o.scaling_probability) ? uniform(o.min_scale, o.max_scale) : 1.0;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        theta[b][i][j].fill_(r[static_cast<std::size_t>(3 * i + j)] * scale *
                             double(patch[static_cast<std::size_t>(j)]) / double(region[i]));
  }
  torch::Tensor grid = F::affine_grid(theta, {batch, 1, patch[2], patch[1], patch[0]},
                                      /*align_corners=*/false);
  // Elastic: a smooth random field, coarse noise upsampled (in normalised units per axis).
  torch::Tensor field = torch::randn({batch, 3, 4, 4, 4});
  torch::Tensor active =
      (torch::rand({batch, 1, 1, 1, 1}) < o.elastic_probability).to(torch::kFloat32);
  field = F::interpolate(field * active,
                         F::InterpolateFuncOptions()
                             .size(std::vector<std::int64_t>{patch[2], patch[1], patch[0]})
                             .mode(torch::kTrilinear)
                             .align_corners(true));
  const torch::Tensor per_axis = torch::tensor({2.0 * o.elastic_voxels / double(region[0]),
                                                2.0 * o.elastic_voxels / double(region[1]),
                                                2.0 * o.elastic_voxels / double(region[2])});
  grid = grid + field.permute({0, 2, 3, 4, 1}) * per_axis;
  out_images = F::grid_sample(images, grid,
                              F::GridSampleFuncOptions()
                                  .mode(torch::kBilinear)
                                  .padding_mode(torch::kBorder)
                                  .align_corners(false));
  out_labels = F::grid_sample(labels, grid,
                              F::GridSampleFuncOptions()
                                  .mode(torch::kNearest)
                                  .padding_mode(torch::kZeros)
                                  .align_corners(false));

  // Intensity, per sample.
  for (std::int64_t b = 0; b < batch; ++b) {
    torch::Tensor x = out_images[b];  // a view: changes land in out_images
    if (chance(o.noise_probability)) x.add_(torch::randn_like(x) * uniform(0.0, 0.1));
    if (chance(o.blur_probability)) x.copy_(gaussian_blur(x.unsqueeze(0), uniform(0.5, 1.0))[0]);
    if (chance(o.brightness_probability)) x.mul_(uniform(0.75, 1.25));
    if (chance(o.contrast_probability)) {
      const torch::Tensor mean = x.mean(), lo = x.min(), hi = x.max();
      x.copy_(((x - mean) * uniform(0.75, 1.25) + mean).clamp(lo.item<float>(), hi.item<float>()));
    }
    if (chance(o.gamma_probability)) {
      const float lo = x.min().item<float>(), hi = x.max().item<float>();
      const float range = std::max(hi - lo, 1e-6f);
      x.copy_(((x - lo) / range).pow(uniform(0.7, 1.5)) * range + lo);
    }
    for (const int axis : o.mirror_axes) {
      if (chance(o.mirror_probability)) {
        const std::int64_t dim = 3 - axis;  // per sample: [1, z, y, x]
        x.copy_(x.flip({dim}));
        out_labels[b].copy_(out_labels[b].flip({dim}));
      }
    }
  }
}

}  // namespace modir::learn
