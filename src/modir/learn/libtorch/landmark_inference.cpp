#include "modir/learn/libtorch/landmark_inference.h"

#include <algorithm>
#include <cstring>

#include <torch/serialize.h>

#include "modir/learn/libtorch/torch_support.h"

namespace modir::learn {

namespace fs = std::filesystem;

TorchLandmarkNetwork::TorchLandmarkNetwork(const fs::path& model_dir, Device device) {
  use_modir_threads();
  spec_ = read_landmark_spec(model_dir);
  device_ = torch_device(device);
  net_ = torch_boundary("cannot build the network its description gives",
                        [&] { return LandmarkNet(spec_); });
  load_weights(net_, model_dir / kLandmarkWeightsFile, kLandmarkSpecFile, device_);
}

LandmarkFeatures TorchLandmarkNetwork::features(const Image<float>& working_image) const {
  use_modir_threads();
  return torch_boundary("landmark network failed",
                        [&] { return landmark_features(net_, working_image, device_); });
}

LandmarkFeatures landmark_features(LandmarkNet& net, const Image<float>& working_image,
                                   const torch::Device& device, std::int64_t chunk_slices) {
  torch::NoGradGuard no_grad;
  const Size3& n = working_image.size();
  const std::int64_t plane = n[0] * n[1];
  LandmarkFeatures out;
  out.heat = Image<float>(working_image.geometry(), 0.0f);
  const std::int64_t channels = net->named_parameters()["descriptor.weight"].size(0);
  out.channels = int(channels);
  out.descriptors.resize(std::size_t(working_image.voxel_count() * channels));
  const LandmarkEncoding encoding =
      net->encode(network_channels(image_tensor(working_image)).to(device));
  for (std::int64_t z0 = 0; z0 < n[2]; z0 += chunk_slices) {
    const std::int64_t z1 = std::min(n[2], z0 + chunk_slices);
    auto [logits, descriptors] = net->head(encoding, z0, z1);
    const torch::Tensor heat = torch::sigmoid(logits).to(torch::kCPU).contiguous();
    const torch::Tensor desc = descriptors.to(torch::kCPU).contiguous();  // [1, z, y, x, D]
    std::memcpy(out.heat.data() + z0 * plane, heat.data_ptr<float>(),
                std::size_t((z1 - z0) * plane) * sizeof(float));
    std::memcpy(out.descriptors.data() + z0 * plane * channels, desc.data_ptr<float>(),
                std::size_t((z1 - z0) * plane * channels) * sizeof(float));
  }
  return out;
}

}  // namespace modir::learn
