// The network module's backend: loads and runs segmentation networks and trains them with
// LibTorch, behind learn/network_backend.h. This file also holds the module's one exported symbol.

#include <torch/cuda.h>
#include <torch/serialize.h>

#include <cstring>

#include "modir/core/version.h"
#include "modir/filter/body_mask.h"
#include "modir/learn/libtorch/inference.h"
#include "modir/learn/libtorch/landmark_inference.h"
#include "modir/learn/libtorch/landmark_train.h"
#include "modir/learn/libtorch/torch_support.h"
#include "modir/learn/libtorch/train_network.h"
#include "modir/learn/network_backend.h"
#include "modir/learn/preprocess.h"

namespace modir::learn {

namespace {

namespace fs = std::filesystem;

class TorchSegmenter final : public detail::SegmenterBackend {
 public:
  TorchSegmenter(const fs::path& model_dir, Device device);
  const SegmentationPlan& plan() const override { return plan_; }
  LabelMap predict(const Image<float>& image, const PredictOptions& options,
                   Progress& progress) const override;

 private:
  SegmentationPlan plan_;
  torch::Device device_{torch::kCPU};
  mutable UNet net_{nullptr};
};

TorchSegmenter::TorchSegmenter(const fs::path& model_dir, Device device) {
  use_modir_threads();
  plan_ = read_plan(model_dir);
  device_ = torch_device(device);
  net_ = torch_boundary("cannot build the network its plan describes",
                        [&] { return UNet(unet_config(plan_)); });
  load_weights(net_, model_dir / kWeightsFile, kPlanFile, device_);
}

LabelMap TorchSegmenter::predict(const Image<float>& image, const PredictOptions& options,
                                 Progress& progress) const {
  // The caller may have changed --threads since loading.
  use_modir_threads();
  std::vector<std::uint16_t> ids;
  for (const LabelClass& c : plan_.classes) ids.push_back(c.id);
  LabelMap labels;
  {  // the network's input and scores are freed before the outline's work on the scan's grid
    progress.begin_phase("resampling to the model's grid", 1);
    const Image<float> input = network_input(image, plan_, options.fill_dense_objects);
    progress.end_phase();
    const ClassScores scores = torch_boundary("segmentation failed", [&] {
      return sliding_window_scores(net_, input, plan_, options, device_, &progress);
    });
    progress.begin_phase("resampling labels to the scan's grid", 1);
    labels = labels_from_scores(scores, image.geometry(), ids);
    progress.end_phase();
  }
  // The unspecific classes: background (class 0) and, when the model has one, "body".
  const std::uint16_t background = ids.front();
  std::optional<std::uint16_t> body_id;
  std::vector<std::uint16_t> solid;
  for (const LabelClass& c : plan_.classes) {
    if (c.name == "body") body_id = c.id;
    if (c.fill_holes) solid.push_back(c.id);
  }
  if (options.body_from_ct && plan_.normalisation.scheme == "ct") {
    progress.begin_phase("patient outline from the CT", 1);
    constrain_to_body(labels, filter::body_mask_from_ct(image), background, body_id);
    progress.end_phase();
  }
  if (options.fill_holes && !solid.empty()) {
    std::vector<std::uint16_t> unspecific{background};
    if (body_id) unspecific.push_back(*body_id);
    progress.begin_phase("filling solid organs' holes within slices", 1);
    fill_organ_holes(labels, solid, unspecific);
    progress.end_phase();
  }
  if (options.largest_component) {
    std::vector<std::uint16_t> organs(ids.begin() + 1, ids.end());
    keep_largest_components(labels, organs, background);
  }
  return labels;
}

class TorchBackend final : public detail::NetworkBackend {
 public:
  Device parse_device(const std::string& name) const override {
    if (name == "cpu") return Device::kCpu;
    if (name == "cuda") {
      if (!torch::cuda::is_available())
        throw usage_error(
            "--device cuda: LibTorch sees no usable CUDA GPU (a CPU-only LibTorch, or no GPU "
            "visible); use --device cpu");
      return Device::kCuda;
    }
    throw usage_error("--device must be cpu or cuda, not '{}'", name);
  }
  std::unique_ptr<detail::SegmenterBackend> load_segmenter(const fs::path& model_dir,
                                                           Device device) const override {
    return std::make_unique<TorchSegmenter>(model_dir, device);
  }
  TrainResult train(const TrainOptions& options, Progress& progress) const override {
    return train_network(options, progress);
  }
  std::unique_ptr<detail::LandmarkNetworkBackend> load_landmark_network(
      const fs::path& model_dir, Device device) const override {
    return std::make_unique<TorchLandmarkNetwork>(model_dir, device);
  }
  LandmarkTrainResult train_landmarks(const std::vector<LandmarkTrainingPair>& pairs,
                                      const LandmarkTrainOptions& options,
                                      Progress& progress) const override {
    return train_landmarks_torch(pairs, options, progress);
  }
};

}  // namespace

}  // namespace modir::learn

extern "C" __attribute__((visibility("default"))) const modir::learn::detail::NetworkBackend*
modir_network_backend(int abi, const char* version) {
  if (abi != modir::learn::detail::kNetworkBackendAbi || version == nullptr ||
      std::strcmp(version, modir::kVersion) != 0)
    return nullptr;
  static const modir::learn::TorchBackend backend;
  return &backend;
}
