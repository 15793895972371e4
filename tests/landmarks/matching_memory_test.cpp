// The matcher's memory model: it reproduces the phantom pairs it was fitted to and grows with the
// working grid an oblique scan needs.

#include "modir/landmarks/matching_memory.h"

#include <cmath>

#include <gtest/gtest.h>

namespace modir::landmarks {
namespace {

Geometry grid(std::int64_t nx, std::int64_t ny, std::int64_t nz, Vec3d spacing) {
  Geometry g;
  g.size = {nx, ny, nz};
  g.spacing = spacing;
  return g;
}

TEST(MatchingMemory, ReproducesTheMeasuredPeaksItWasFittedTo) {
  // Measured with `landmarks match --threads 2` (docs/landmarks.md, "Memory").
  EXPECT_NEAR(estimate_matching_memory_mib(grid(96, 96, 48, {2, 2, 3}), grid(96, 96, 48, {2, 2, 3})),
              143, 143 * 0.1);
  EXPECT_NEAR(estimate_matching_memory_mib(grid(256, 256, 96, {1, 1, 3}),
                                           grid(256, 256, 93, {1, 1, 3})),
              468, 468 * 0.1);
  EXPECT_NEAR(estimate_matching_memory_mib(grid(512, 512, 160, {0.9, 0.9, 2.5}),
                                           grid(512, 512, 151, {0.9, 0.9, 2.5})),
              2047, 2047 * 0.1);
}

// The learned method's peaks (the network's features, LibTorch, the MIND-SSC polish), measured
// on 2026-12-06 without labels, within 15 % (docs/landmarks.md, "Memory").
TEST(MatchingMemory, TheLearnedMethodReproducesItsMeasuredPeaks) {
  const auto learned = [](const Geometry& f, const Geometry& m) {
    return estimate_matching_memory_mib(f, m, 2.0, true);
  };
  EXPECT_NEAR(learned(grid(96, 96, 48, {2, 2, 3}), grid(96, 96, 48, {2, 2, 3})), 544, 544 * 0.15);
  EXPECT_NEAR(learned(grid(256, 256, 96, {1, 1, 3}), grid(256, 256, 93, {1, 1, 3})), 1329,
              1329 * 0.15);
  EXPECT_NEAR(learned(grid(512, 512, 160, {0.9, 0.9, 2.5}), grid(512, 512, 151, {0.9, 0.9, 2.5})),
              2957, 2957 * 0.15);
}

TEST(MatchingMemory, AnObliqueScanNeedsALargerWorkingGrid) {
  const Geometry straight = grid(256, 256, 96, {1, 1, 3});
  Geometry oblique = straight;
  const double a = 30.0 * M_PI / 180.0;
  oblique.direction = Mat3::from_columns({std::cos(a), std::sin(a), 0}, {-std::sin(a), std::cos(a), 0},
                                         {0, 0, 1});
  EXPECT_GT(estimate_matching_memory_mib(oblique, straight),
            estimate_matching_memory_mib(straight, straight) * 1.1);
}

}  // namespace
}  // namespace modir::landmarks
