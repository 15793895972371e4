#pragma once

// Private to learn/: conversions between modir types and LibTorch, and the error boundary.

#include <filesystem>
#include <string>
#include <vector>

#include <torch/serialize.h>

#include <torch/types.h>

#include "modir/core/error.h"
#include "modir/core/image.h"
#include "modir/learn/libtorch/unet.h"
#include "modir/learn/plan.h"
#include "modir/learn/segmenter.h"

namespace modir::learn {

torch::Device torch_device(Device device);

/// Sets LibTorch's intra-op threads to modir's thread count (--threads).
void use_modir_threads();

UNetConfig unet_config(const SegmentationPlan& plan);

/// The first line of a LibTorch message (they carry C++ stack traces below it).
std::string first_line(const std::string& text);

/// Runs `body`, turning LibTorch's c10::Error into modir's data error that says `what`.
template <typename Body>
auto torch_boundary(const std::string& what, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const c10::Error& e) {
    throw data_error("{}: {}", what, first_line(e.what()));
  }
}

/// Loads `weights` (torch::save's file) into `net`, a freshly built network of the shape its
/// model folder's `description` file (plan.json, ...) describes, then moves it to `device` in
/// evaluation mode. torch::load adopts whatever shapes the file holds, so they are checked: a
/// missing, corrupt or mismatched file is a data error naming it.
template <typename Net>
void load_weights(Net& net, const std::filesystem::path& weights, const std::string& description,
                  const torch::Device& device) {
  if (!std::filesystem::exists(weights))
    throw data_error("the model folder '{}' has no {}", weights.parent_path().string(),
                     weights.filename().string());
  torch_boundary(
      fmt::format("cannot load the weights '{}' (corrupt, or not made for its {})",
                  weights.string(), description),
      [&] {
        std::vector<std::vector<std::int64_t>> expected;
        for (const auto& p : net->named_parameters()) expected.push_back(p.value().sizes().vec());
        torch::load(net, weights.string());
        std::size_t i = 0;
        for (const auto& p : net->named_parameters()) {
          if (i >= expected.size() || p.value().sizes().vec() != expected[i++])
            throw data_error(
                "cannot load the weights '{}': parameter '{}' does not have the shape its {} "
                "describes (weights and description of different models?)",
                weights.string(), p.key(), description);
        }
        net->to(device);
        net->eval();
      });
}

/// A [1, 1, z, y, x] float tensor copy of an image.
torch::Tensor image_tensor(const Image<float>& image);

}  // namespace modir::learn
