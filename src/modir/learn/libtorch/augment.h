#pragma once

// Private to learn/: data augmentation of training patches (nnU-Net's set), on tensors.

#include <vector>

#include <torch/types.h>

#include "modir/core/geometry.h"

namespace modir::learn {

struct AugmentOptions {
  double rotation_probability = 0.2;
  double max_rotation_deg = 15.0;
  double scaling_probability = 0.2;
  double min_scale = 0.85, max_scale = 1.25;
  double elastic_probability = 0.2;
  double elastic_voxels = 3.0;  ///< displacement amplitude
  double noise_probability = 0.1;
  double blur_probability = 0.2;
  double contrast_probability = 0.15;
  double brightness_probability = 0.15;
  double gamma_probability = 0.15;
  double mirror_probability = 0.5;  ///< per mirror axis
  std::vector<int> mirror_axes{0};
};

/// Samples a patch of `patch` voxels (x y z) out of each region of `images` [B, 1, Rz, Ry, Rx]
/// and `labels` [B, 1, Rz, Ry, Rx] (float class indices): rotated, scaled and elastically
/// deformed about the region centre (the identity leaves the central crop, exactly), then
/// intensity-augmented and mirrored. Random numbers come from LibTorch's generator (seeded).
/// With `augment` false only the central crop is returned.
void augment_batch(const torch::Tensor& images, const torch::Tensor& labels, const Size3& patch,
                   const AugmentOptions& options, bool augment, torch::Tensor& out_images,
                   torch::Tensor& out_labels);

}  // namespace modir::learn
