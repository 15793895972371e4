#include "modir/learn/segmenter.h"

#include <torch/serialize.h>

#include "modir/learn/libtorch/inference.h"
#include "modir/learn/libtorch/torch_support.h"
#include "modir/learn/preprocess.h"

namespace modir::learn {

namespace fs = std::filesystem;

struct Segmenter::Impl {
  SegmentationPlan plan;
  torch::Device device{torch::kCPU};
  mutable UNet net{nullptr};
};

Segmenter::Segmenter(const fs::path& model_dir, Device device) : impl_(std::make_unique<Impl>()) {
  use_modir_threads();
  impl_->plan = read_plan(model_dir);
  impl_->device = torch_device(device);
  const fs::path weights = model_dir / kWeightsFile;
  if (!fs::exists(weights))
    throw data_error("the model folder '{}' has no {}", model_dir.string(), kWeightsFile);
  torch_boundary(fmt::format("cannot load the weights '{}' (corrupt, or not made for its {})",
                             weights.string(), kPlanFile),
                 [&] {
                   impl_->net = UNet(unet_config(impl_->plan));
                   std::vector<std::vector<std::int64_t>> expected;
                   for (const auto& p : impl_->net->named_parameters())
                     expected.push_back(p.value().sizes().vec());
                   torch::load(impl_->net, weights.string());
                   // torch::load adopts whatever shapes the file holds: check them.
                   std::size_t i = 0;
                   for (const auto& p : impl_->net->named_parameters()) {
                     if (i >= expected.size() || p.value().sizes().vec() != expected[i++])
                       throw data_error(
                           "cannot load the weights '{}': parameter '{}' does not have the shape "
                           "its {} describes (weights and plan of different models?)",
                           weights.string(), p.key(), kPlanFile);
                   }
                   impl_->net->to(impl_->device);
                   impl_->net->eval();
                 });
}

Segmenter::~Segmenter() = default;
Segmenter::Segmenter(Segmenter&&) noexcept = default;
Segmenter& Segmenter::operator=(Segmenter&&) noexcept = default;

const SegmentationPlan& Segmenter::plan() const {
  return impl_->plan;
}

LabelMap Segmenter::predict(const Image<float>& image, const PredictOptions& options,
                            Progress& progress) const {
  const SegmentationPlan& plan = impl_->plan;
  progress.begin_phase("resampling to the model's grid", 1);
  const Image<float> input = network_input(image, plan);
  progress.end_phase();
  const ClassScores scores = torch_boundary("segmentation failed", [&] {
    return sliding_window_scores(impl_->net, input, plan, options, impl_->device, &progress);
  });
  std::vector<std::uint16_t> ids;
  for (const LabelClass& c : plan.classes) ids.push_back(c.id);
  progress.begin_phase("resampling labels to the scan's grid", 1);
  LabelMap labels = labels_from_scores(scores, image.geometry(), ids);
  progress.end_phase();
  if (options.largest_component) {
    std::vector<std::uint16_t> organs(ids.begin() + 1, ids.end());
    keep_largest_components(labels, organs, plan.classes.front().id);
  }
  return labels;
}

}  // namespace modir::learn
