#pragma once

// Private to learn/: the 3D U-Net in LibTorch. Nothing outside src/modir/learn includes this.

#include <vector>

#include <torch/nn.h>

namespace modir::learn {

/// The shape of a plain 3D U-Net (nnU-Net's recipe): `levels` resolutions, two 3x3x3 convolutions
/// with instance norm and leaky ReLU per level, strided convolutions down; up is nearest-neighbour
/// upsampling and a 1x1x1 convolution (LibTorch's CPU transposed convolution is several times
/// slower for the same result).
struct UNetConfig {
  int in_channels = 1;
  int classes = 2;
  int levels = 4;  ///< resolutions, the input one included; patches are multiples of 2^(levels-1)
  int base_channels = 16;  ///< features at full resolution, doubled per level (multiples of 16 are
                           ///< several times faster on CPU: oneDNN's blocked layouts)
  int max_channels = 256;
  int deep_supervision = 3;  ///< outputs returned by forward_all: full resolution, 1/2, 1/4, ...
};

class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(const UNetConfig& config);

  /// Logits at full resolution, then the coarser deep-supervision logits (1/2, 1/4, ...). Every
  /// spatial size must be a multiple of 2^(levels-1).
  std::vector<torch::Tensor> forward_all(const torch::Tensor& input);
  /// Logits at the input's size for any size: the input is padded up to a multiple of
  /// 2^(levels-1) (edge values repeated) and the logits cropped back.
  torch::Tensor forward(const torch::Tensor& input);

  const UNetConfig& config() const { return config_; }

 private:
  UNetConfig config_;
  std::vector<torch::nn::Sequential> encoder_;
  std::vector<torch::nn::Conv3d> up_;
  std::vector<torch::nn::Sequential> decoder_;
  std::vector<torch::nn::Conv3d> heads_;
};
TORCH_MODULE(UNet);

}  // namespace modir::learn
