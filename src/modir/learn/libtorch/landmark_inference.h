#pragma once

// Private to learn/: a loaded landmark network (the module's side of learn/landmark_network.h).

#include <cstdint>
#include <filesystem>

#include "modir/learn/libtorch/landmark_net.h"
#include "modir/learn/network_backend.h"

namespace modir::learn {

class TorchLandmarkNetwork final : public detail::LandmarkNetworkBackend {
 public:
  TorchLandmarkNetwork(const std::filesystem::path& model_dir, Device device);
  const LandmarkNetworkSpec& spec() const override { return spec_; }
  LandmarkFeatures features(const Image<float>& working_image) const override;

 private:
  LandmarkNetworkSpec spec_;
  torch::Device device_{torch::kCPU};
  mutable LandmarkNet net_{nullptr};
};

/// Heat map and descriptors of a whole scan: the encoder runs on the whole scan once (its
/// full-resolution features are 16 floats a voxel, the coarser levels an eighth of that and
/// less), then the head on `chunk_slices` slices at a time, so that the joined features (about
/// 100 floats a voxel) never exist for the whole scan. The result equals a forward() of the whole
/// scan.
LandmarkFeatures landmark_features(LandmarkNet& net, const Image<float>& working_image,
                                   const torch::Device& device, std::int64_t chunk_slices = 16);

}  // namespace modir::learn
