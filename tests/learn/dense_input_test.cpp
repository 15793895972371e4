// The network reads a CT with its small dense objects filled (filter/dense_objects.h), unless told
// not to: training, validation and prediction all read scans through network_input.

#include <gtest/gtest.h>

#include <cstring>

#include "modir/filter/dense_objects.h"
#include "modir/learn/preprocess.h"

namespace modir::learn {
namespace {

bool same_bits(const Image<float>& a, const Image<float>& b) {
  return a.voxel_count() == b.voxel_count() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * std::size_t(a.voxel_count())) == 0;
}

TEST(NetworkInput, ReadsACtWithItsSmallDenseObjectsFilledUnlessToldNotTo) {
  Geometry g;
  g.size = {30, 30, 12};
  g.spacing = {1.0, 1.0, 3.0};
  Image<float> seeded(g, 40.0f);
  // A clipped gold seed, three voxels across so that any 3 mm grid samples it, and its blur.
  for (std::int64_t y = 14; y < 17; ++y) {
    for (std::int64_t x = 13; x < 17; ++x) seeded(x, y, 6) = 3071.0f;
    seeded(12, y, 6) = seeded(17, y, 6) = 900.0f;
  }
  SegmentationPlan plan;
  plan.spacing = {3.0, 3.0, 3.0};
  plan.normalisation = {"ct", -300.0, 1000.0, 0.0, 200.0};
  Image<float> filled = seeded;
  ASSERT_EQ(filter::fill_small_dense_objects(filled).size(), 1u);
  const Image<float> read = network_input(seeded, plan);
  EXPECT_TRUE(same_bits(read, network_input(filled, plan)));
  for (const float v : read.buffer()) ASSERT_LT(v, 0.5f);  // tissue (0.2) or air outside
  const Image<float> kept = network_input(seeded, plan, /*fill_dense_objects=*/false);
  float brightest = -1e9f;
  for (const float v : kept.buffer()) brightest = std::max(brightest, v);
  EXPECT_GT(brightest, 1.0f);  // the seed, blurred onto 3 mm voxels, well above tissue
  // A scan without one is read bit for bit as before.
  const Image<float> plain(g, 40.0f);
  EXPECT_TRUE(same_bits(network_input(plain, plan), network_input(plain, plan, false)));
}

}  // namespace
}  // namespace modir::learn
