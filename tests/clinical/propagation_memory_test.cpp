#include "modir/clinical/propagation_memory.h"

#include <gtest/gtest.h>

#include "modir/learn/predict_memory.h"
#include "modir/register/memory_estimate.h"

namespace modir::clinical {
namespace {

Geometry grid(std::int64_t nx, std::int64_t ny, std::int64_t nz) {
  Geometry g;
  g.size = {nx, ny, nz};
  g.spacing = {1, 1, 3};
  return g;
}

learn::SegmentationPlan eight_classes() {
  learn::SegmentationPlan plan;
  plan.spacing = {3, 3, 3};
  for (std::uint16_t id = 0; id < 8; ++id) plan.classes.push_back({id, "c" + std::to_string(id)});
  return plan;
}

TEST(PropagationMemory, StructuresAddAMaskAndAWarpedFractionEach) {
  const Geometry daily = grid(256, 256, 96), planning = grid(256, 256, 94);
  const PropagationRequest request;
  const auto estimate = [&](int structures) {
    return estimate_propagation_memory(daily, planning, structures, request, eight_classes());
  };
  const double mask = double(planning.voxel_count()) / (1 << 20);
  const double fraction = double(daily.voxel_count()) / (1 << 20);
  EXPECT_NEAR(estimate(7).structures_mib, 7 * (mask + fraction), 1e-9);
  // A few structures: the registration sets the peak, beside the planning masks held all along.
  EXPECT_NEAR(estimate(14).peak_mib - estimate(7).peak_mib, 7 * mask, 1e-9);
  // Hundreds: the warping does, when every fraction is held too.
  EXPECT_NEAR(estimate(400).peak_mib - estimate(200).peak_mib, 200 * (mask + fraction), 1e-9);
  // The phases are the prediction's and the registration's own estimates.
  EXPECT_DOUBLE_EQ(estimate(7).prediction_mib,
                   learn::estimate_predict_memory(daily, eight_classes(), true, true).peak_mib);
  EXPECT_DOUBLE_EQ(estimate(7).registration_mib,
                   reg::estimate_registration_memory(daily, request.config, 7, 0).peak_mib);
  EXPECT_GT(estimate(7).peak_mib,
            std::max(estimate(7).prediction_mib, estimate(7).registration_mib));
}

TEST(PropagationMemory, WhatToReduceNamesTheLargestPart) {
  const Geometry daily = grid(256, 256, 96);
  PropagationRequest request;
  const auto many = estimate_propagation_memory(daily, daily, 60, request, eight_classes());
  EXPECT_NE(many.how_to_reduce.find("60 structures"), std::string::npos) << many.how_to_reduce;
  request.pareto = 8;
  const auto front = estimate_propagation_memory(daily, daily, 1, request, eight_classes());
  EXPECT_GT(front.registration_mib, many.registration_mib);
  EXPECT_NE(front.how_to_reduce.find("finest_image_spacing_mm"), std::string::npos)
      << front.how_to_reduce;
}

}  // namespace
}  // namespace modir::clinical
