#include "modir/learn/libtorch/torch_support.h"

#include <torch/utils.h>

#include "modir/core/parallel.h"

namespace modir::learn {

torch::Device torch_device(Device device) {
  return device == Device::kCuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

void use_modir_threads() {
  torch::set_num_threads(thread_count());
}

UNetConfig unet_config(const SegmentationPlan& plan) {
  UNetConfig c;
  c.classes = static_cast<int>(plan.classes.size());
  c.levels = plan.levels;
  c.base_channels = plan.base_channels;
  c.max_channels = plan.max_channels;
  c.deep_supervision = plan.deep_supervision;
  return c;
}

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

torch::Tensor image_tensor(const Image<float>& image) {
  const Size3& s = image.size();
  return torch::from_blob(const_cast<float*>(image.data()), {1, 1, s[2], s[1], s[0]},
                          torch::kFloat32)
      .clone();
}

}  // namespace modir::learn
