#include "modir/learn/libtorch/inference.h"

#include <algorithm>
#include <array>

#include <torch/nn/functional.h>

#include "modir/learn/libtorch/torch_support.h"
#include "modir/learn/sliding_window.h"

namespace modir::learn {

using torch::indexing::Slice;

namespace {

ClassScores to_scores(const torch::Tensor& probabilities, const Geometry& grid) {
  ClassScores scores;
  scores.grid = grid;
  const torch::Tensor p = probabilities.to(torch::kCPU, torch::kFloat32).contiguous();
  scores.channels = static_cast<int>(p.size(0));
  scores.values.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
  return scores;
}

torch::Tensor predict_window(UNet& net, const torch::Tensor& window,
                             const std::vector<int>& mirror_axes, bool mirror) {
  torch::Tensor probabilities = torch::softmax(net->forward(window), 1);
  if (!mirror) return probabilities;
  int passes = 1;
  for (const int axis : mirror_axes) {
    const std::int64_t dim = 4 - axis;  // x is the last tensor dimension
    probabilities += torch::softmax(net->forward(window.flip({dim})), 1).flip({dim});
    ++passes;
  }
  return probabilities / double(passes);
}

}  // namespace

ClassScores sliding_window_scores(UNet& net, const Image<float>& input,
                                  const SegmentationPlan& plan, const PredictOptions& options,
                                  torch::Device device, Progress* progress) {
  torch::NoGradGuard no_grad;
  net->eval();
  const Size3& size = input.size();
  const Size3& patch = plan.patch_size;
  Size3 padded;
  for (std::size_t a = 0; a < 3; ++a) padded[a] = std::max(size[a], patch[a]);
  const float lowest = *std::min_element(input.buffer().begin(), input.buffer().end());

  torch::Tensor volume = torch::full({1, 1, padded[2], padded[1], padded[0]}, lowest);
  volume.index_put_({Slice(), Slice(), Slice(0, size[2]), Slice(0, size[1]), Slice(0, size[0])},
                    image_tensor(input));
  const auto classes = static_cast<std::int64_t>(plan.classes.size());
  torch::Tensor sum = torch::zeros({classes, padded[2], padded[1], padded[0]});
  torch::Tensor weight_sum = torch::zeros({padded[2], padded[1], padded[0]});
  const std::vector<float> gaussian = gaussian_importance(patch);
  const torch::Tensor importance =
      torch::from_blob(const_cast<float*>(gaussian.data()), {patch[2], patch[1], patch[0]}).clone();

  const auto xs = window_starts(padded[0], patch[0], options.overlap);
  const auto ys = window_starts(padded[1], patch[1], options.overlap);
  const auto zs = window_starts(padded[2], patch[2], options.overlap);
  std::vector<std::array<std::int64_t, 3>> starts;
  for (const std::int64_t z : zs)
    for (const std::int64_t y : ys)
      for (const std::int64_t x : xs) starts.push_back({x, y, z});
  if (progress) progress->begin_phase("segmenting", static_cast<std::int64_t>(starts.size()));
  // Windows go through the network in batches: LibTorch's CPU convolutions are several times
  // slower per window with a batch of one than with two (a lone last window is sent twice).
  const std::size_t per_batch = static_cast<std::size_t>(std::max(2, options.windows_per_batch));
  auto region = [&](const std::array<std::int64_t, 3>& s) {
    return std::array<torch::indexing::TensorIndex, 3>{
        Slice(s[2], s[2] + patch[2]), Slice(s[1], s[1] + patch[1]), Slice(s[0], s[0] + patch[0])};
  };
  for (std::size_t first = 0; first < starts.size(); first += per_batch) {
    const std::size_t count = std::min(per_batch, starts.size() - first);
    std::vector<torch::Tensor> windows;
    for (std::size_t w = 0; w < std::max<std::size_t>(count, 2); ++w) {
      const auto r = region(starts[first + std::min(w, count - 1)]);
      windows.push_back(volume.index({0, Slice(), r[0], r[1], r[2]}));
    }
    const torch::Tensor p =
        predict_window(net, torch::stack(windows).to(device), plan.mirror_axes, options.mirror)
            .to(torch::kCPU);
    for (std::size_t w = 0; w < count; ++w) {
      const auto r = region(starts[first + w]);
      sum.index({Slice(), r[0], r[1], r[2]}).add_(p[static_cast<std::int64_t>(w)] * importance);
      weight_sum.index({r[0], r[1], r[2]}).add_(importance);
      if (progress) progress->advance();
    }
  }
  if (progress) progress->end_phase();
  sum.div_(weight_sum);
  return to_scores(sum.index({Slice(), Slice(0, size[2]), Slice(0, size[1]), Slice(0, size[0])}),
                   input.geometry());
}

ClassScores whole_volume_scores(UNet& net, const Image<float>& input, torch::Device device) {
  torch::NoGradGuard no_grad;
  net->eval();
  const torch::Tensor p = torch::softmax(net->forward(image_tensor(input).to(device)), 1);
  return to_scores(p[0], input.geometry());
}

}  // namespace modir::learn
