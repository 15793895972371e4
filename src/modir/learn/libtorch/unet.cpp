#include "modir/learn/libtorch/unet.h"

#include <algorithm>
#include <string>

namespace modir::learn {

namespace nn = torch::nn;

namespace {

nn::Sequential conv_block(int in, int out, int first_stride) {
  nn::Sequential block;
  for (int k = 0; k < 2; ++k) {
    block->push_back(nn::Conv3d(
        nn::Conv3dOptions(k == 0 ? in : out, out, 3).stride(k == 0 ? first_stride : 1).padding(1)));
    block->push_back(nn::InstanceNorm3d(nn::InstanceNorm3dOptions(out).affine(true)));
    block->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.01).inplace(true)));
  }
  return block;
}

torch::Tensor upsample(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{2.0, 2.0, 2.0})
                               .mode(torch::kNearest));
}

}  // namespace

UNetImpl::UNetImpl(const UNetConfig& config) : config_(config) {
  std::vector<int> channels;
  for (int l = 0; l < config.levels; ++l)
    channels.push_back(std::min(config.base_channels << l, config.max_channels));
  for (int l = 0; l < config.levels; ++l) {
    encoder_.push_back(register_module(
        "encoder" + std::to_string(l),
        conv_block(l == 0 ? config.in_channels : channels[l - 1], channels[l], l == 0 ? 1 : 2)));
  }
  for (int l = config.levels - 2; l >= 0; --l) {
    const std::string n = std::to_string(l);
    up_.push_back(register_module(
        "up" + n, nn::Conv3d(nn::Conv3dOptions(channels[l + 1], channels[l], 1).bias(false))));
    decoder_.push_back(register_module("decoder" + n, conv_block(2 * channels[l], channels[l], 1)));
    heads_.push_back(
        register_module("head" + n, nn::Conv3d(nn::Conv3dOptions(channels[l], config.classes, 1))));
  }
}

std::vector<torch::Tensor> UNetImpl::forward_all(const torch::Tensor& input) {
  std::vector<torch::Tensor> skips;
  torch::Tensor x = input;
  for (auto& stage : encoder_) {
    x = stage->forward(x);
    skips.push_back(x);
  }
  std::vector<torch::Tensor> outputs;  // coarse to fine while decoding
  const int decoders = static_cast<int>(decoder_.size());
  for (int d = 0; d < decoders; ++d) {
    const int level = config_.levels - 2 - d;
    x = upsample(up_[static_cast<std::size_t>(d)]->forward(x));  // 1x1 first: 8x cheaper
    x = decoder_[static_cast<std::size_t>(d)]->forward(
        torch::cat({x, skips[static_cast<std::size_t>(level)]}, 1));
    // Only the finest deep_supervision levels need heads evaluated (the rest are unused weights
    // kept so that the module layout does not depend on the option).
    if (level < config_.deep_supervision || level == 0)
      outputs.push_back(heads_[static_cast<std::size_t>(d)]->forward(x));
  }
  std::reverse(outputs.begin(), outputs.end());
  return outputs;
}

torch::Tensor UNetImpl::forward(const torch::Tensor& input) {
  const std::int64_t multiple = std::int64_t{1} << (config_.levels - 1);
  std::vector<std::int64_t> pad;  // F.pad order: last dimension first, (before, after) pairs
  bool needs_pad = false;
  for (int d = 4; d >= 2; --d) {
    const std::int64_t size = input.size(d);
    const std::int64_t padded = (size + multiple - 1) / multiple * multiple;
    pad.push_back(0);
    pad.push_back(padded - size);
    needs_pad = needs_pad || padded != size;
  }
  if (!needs_pad) return forward_all(input).front();
  namespace F = torch::nn::functional;
  const torch::Tensor padded = F::pad(input, F::PadFuncOptions(pad).mode(torch::kReplicate));
  using torch::indexing::Slice;
  return forward_all(padded).front().index({Slice(), Slice(), Slice(0, input.size(2)),
                                            Slice(0, input.size(3)), Slice(0, input.size(4))});
}

}  // namespace modir::learn
