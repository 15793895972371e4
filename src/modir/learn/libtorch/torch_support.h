#pragma once

// Private to learn/: conversions between modir types and LibTorch, and the error boundary.

#include <filesystem>
#include <string>

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

/// A [1, 1, z, y, x] float tensor copy of an image.
torch::Tensor image_tensor(const Image<float>& image);

}  // namespace modir::learn
