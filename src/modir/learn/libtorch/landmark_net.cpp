#include "modir/learn/libtorch/landmark_net.h"

#include <torch/nn/functional.h>

namespace modir::learn {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

nn::Conv3d conv(int in, int out, int kernel, int stride = 1) {
  return nn::Conv3d(nn::Conv3dOptions(in, out, kernel).stride(stride).padding(kernel / 2));
}

torch::Tensor leaky(const torch::Tensor& x) {
  return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.1));
}

torch::Tensor up2(const torch::Tensor& x) {
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{2.0, 2.0, 2.0})
                               .mode(torch::kTrilinear)
                               .align_corners(false));
}

}  // namespace

LandmarkNetImpl::LandmarkNetImpl(const LandmarkNetworkSpec& spec) {
  const int f = spec.features, c = spec.context_features;
  fine_ = register_module("fine", conv(2, f, 3));
  down1_ = register_module("down1", conv(f, c, 3, 2));
  level1_ = register_module("level1", conv(c, c, 3));
  down2_ = register_module("down2", conv(c, c, 3, 2));
  level2_ = register_module("level2", conv(c, c, 3));
  down3_ = register_module("down3", conv(c, c, 3, 2));
  level3_ = register_module("level3", conv(c, c, 3));
  join_ = register_module("join", conv(f + c, c, 1));
  keypoint_head_ = register_module("keypoint", conv(c, 1, 1));
  descriptor_head_ = register_module("descriptor", conv(c, spec.descriptor_channels, 1));
}

LandmarkEncoding LandmarkNetImpl::encode(const torch::Tensor& raw) {
  LandmarkEncoding e;
  e.z = raw.size(2);
  e.y = raw.size(3);
  e.x = raw.size(4);
  // Multiples of 8, so that every coarser grid sits exactly on every second voxel of the one
  // above and upsampling by 2 returns to it.
  const auto pad = [](std::int64_t n) { return (8 - n % 8) % 8; };
  const torch::Tensor input = F::pad(
      raw, F::PadFuncOptions({0, pad(e.x), 0, pad(e.y), 0, pad(e.z)}).mode(torch::kReplicate));
  e.fine = leaky(fine_->forward(input));
  const torch::Tensor l1 = leaky(level1_->forward(leaky(down1_->forward(e.fine))));
  const torch::Tensor l2 = leaky(level2_->forward(leaky(down2_->forward(l1))));
  const torch::Tensor l3 = leaky(level3_->forward(leaky(down3_->forward(l2))));
  e.context = l1 + up2(l2 + up2(l3));
  return e;
}

std::pair<torch::Tensor, torch::Tensor> LandmarkNetImpl::head(const LandmarkEncoding& e,
                                                              std::int64_t z0, std::int64_t z1) {
  // The half-resolution slices whose upsampling reaches [z0, z1), one more on each side so
  // that the interpolation at the range's ends equals the whole grid's.
  const std::int64_t nc = e.context.size(2);
  const std::int64_t c0 = std::max<std::int64_t>(0, z0 / 2 - 1);
  const std::int64_t c1 = std::min<std::int64_t>(nc, (z1 + 1) / 2 + 1);
  const auto crop = [&](const torch::Tensor& t, std::int64_t from) {
    return t.slice(2, from, from + (z1 - z0)).slice(3, 0, e.y).slice(4, 0, e.x);
  };
  // [B, C, z, y, x] -> [B z y x, C]: the 1x1x1 convolutions as matrix products over voxel rows
  // (LibTorch's CPU 1x1x1 convolution is several times slower), which also leaves a voxel's
  // descriptor values side by side, as the matcher reads them.
  const auto rows = [](const torch::Tensor& t) {
    return t.permute({0, 2, 3, 4, 1}).reshape({-1, t.size(1)});
  };
  const torch::Tensor context = crop(up2(e.context.slice(2, c0, c1)), z0 - 2 * c0);
  const torch::Tensor fine = crop(e.fine, z0);
  const auto matrix = [](const nn::Conv3d& c) { return c->weight.flatten(1).t(); };
  const torch::Tensor joined =
      leaky(torch::addmm(join_->bias, torch::cat({rows(fine), rows(context)}, 1), matrix(join_)));
  const std::vector<std::int64_t> shape{fine.size(0), fine.size(2), fine.size(3), fine.size(4), -1};
  const torch::Tensor keypoints =
      torch::addmm(keypoint_head_->bias, joined, matrix(keypoint_head_)).view(shape);
  const torch::Tensor descriptors =
      F::normalize(torch::addmm(descriptor_head_->bias, joined, matrix(descriptor_head_)),
                   F::NormalizeFuncOptions().dim(1))
          .view(shape);
  return {keypoints, descriptors};
}

std::pair<torch::Tensor, torch::Tensor> LandmarkNetImpl::forward(const torch::Tensor& input) {
  const LandmarkEncoding e = encode(input);
  auto [keypoints, descriptors] = head(e, 0, e.z);
  return {keypoints.permute({0, 4, 1, 2, 3}), descriptors.permute({0, 4, 1, 2, 3})};
}

torch::Tensor network_channels(const torch::Tensor& hu) {
  const torch::Tensor wide = (hu.clamp(-1000.0, 2000.0) - 500.0) / 1500.0;
  const torch::Tensor soft = hu.clamp(-200.0, 200.0) / 200.0;
  return torch::cat({wide, soft}, 1);
}

}  // namespace modir::learn
