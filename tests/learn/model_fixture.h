#pragma once

// A small untrained model folder for tests: plan.json plus weights.pt of a freshly initialised
// U-Net (seeded), with a coarse spacing so that real scans run in well under a second.

#include <filesystem>

#include <torch/serialize.h>

#include "modir/core/version.h"
#include "modir/learn/libtorch/unet.h"
#include "modir/learn/plan.h"

namespace modir::test {

inline learn::SegmentationPlan tiny_plan(double spacing_mm = 8.0) {
  learn::SegmentationPlan plan;
  plan.modir_version = kVersion;
  plan.classes = {{0, "background"}, {3, "bladder"}, {7, "femoral_heads"}};
  plan.spacing = {spacing_mm, spacing_mm, spacing_mm};
  plan.normalisation = {"ct", -200.0, 400.0, 50.0, 100.0};
  plan.patch_size = {16, 16, 16};
  plan.batch_size = 2;
  plan.levels = 3;
  plan.base_channels = 16;
  plan.deep_supervision = 2;
  return plan;
}

inline learn::UNet tiny_unet(const learn::SegmentationPlan& plan, std::uint64_t seed = 3) {
  torch::manual_seed(seed);
  learn::UNetConfig c;
  c.classes = static_cast<int>(plan.classes.size());
  c.levels = plan.levels;
  c.base_channels = plan.base_channels;
  c.max_channels = plan.max_channels;
  c.deep_supervision = plan.deep_supervision;
  return learn::UNet(c);
}

inline void write_tiny_model(const std::filesystem::path& dir,
                             const learn::SegmentationPlan& plan = tiny_plan()) {
  std::filesystem::create_directories(dir);
  learn::write_plan(plan, dir);
  learn::UNet net = tiny_unet(plan);
  torch::save(net, (dir / learn::kWeightsFile).string());
}

}  // namespace modir::test
