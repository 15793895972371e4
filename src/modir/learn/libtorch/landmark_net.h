#pragma once

// Private to learn/: the landmark network in LibTorch (learn/landmark_network.h says what it is
// for). Nothing outside src/modir/learn includes this.

#include <torch/nn.h>

#include "modir/learn/landmark_network.h"

namespace modir::learn {

/// What the network computes before its heads: full-resolution features, and the context
/// gathered at 4, 8 and 16 mm (for the 2 mm grid) merged back at half resolution.
struct LandmarkEncoding {
  torch::Tensor fine;                ///< [B, features, Z, Y, X] on the padded grid
  torch::Tensor context;             ///< [B, context_features, Z/2, Y/2, X/2]
  std::int64_t z = 0, y = 0, x = 0;  ///< the input's size before padding
};

/// An encoder of three strided 3x3x3 convolutions (half, quarter and eighth resolution; a
/// context of about 130 mm, enough to tell the left pelvic wall from the right), each coarser
/// level upsampled and added to the one above, and a head that joins the full-resolution
/// features with the upsampled context by a 1x1x1 convolution into the keypoint logit and the
/// descriptor (unit length per voxel). Plain (undilated) convolutions only: LibTorch's CPU
/// dilated 3D convolution is several times slower. No normalisation layers: the network runs
/// on patches in training and on whole scans in use, and instance statistics would differ.
class LandmarkNetImpl : public torch::nn::Module {
 public:
  explicit LandmarkNetImpl(const LandmarkNetworkSpec& spec);

  /// `input` [B, 2, z, y, x] (network_channels), any size (padded internally to a multiple
  /// of 8 by repeating the last slices).
  LandmarkEncoding encode(const torch::Tensor& input);
  /// Keypoint logits [B, z, y, x, 1] and descriptors [B, z, y, x, D] (a voxel's channels side
  /// by side) for the slices [z0, z1) of `e`, cropped to the input's size in y and x.
  std::pair<torch::Tensor, torch::Tensor> head(const LandmarkEncoding& e, std::int64_t z0,
                                               std::int64_t z1);
  /// encode() and head() over all slices, channels first: [B, 1, z, y, x] and [B, D, z, y, x].
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& input);

 private:
  torch::nn::Conv3d fine_{nullptr}, down1_{nullptr}, level1_{nullptr}, down2_{nullptr},
      level2_{nullptr}, down3_{nullptr}, level3_{nullptr}, join_{nullptr}, keypoint_head_{nullptr},
      descriptor_head_{nullptr};
};
TORCH_MODULE(LandmarkNet);

/// The network's input from HU: a wide window (-1000 .. 2000 HU, for air, bone and the body
/// outline) and a soft-tissue window (-200 .. 200 HU, for fat, organs and their walls), scaled to
/// about [-1, 1]. `hu` [B, 1, z, y, x]; returns [B, 2, z, y, x].
torch::Tensor network_channels(const torch::Tensor& hu);

}  // namespace modir::learn
