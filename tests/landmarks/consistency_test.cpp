// The neighbour check rejects planted wrong matches among matches that follow a smooth,
// non-affine motion, and keeps the right ones.

#include <gtest/gtest.h>

#include <random>

#include "modir/landmarks/consistency.h"

namespace modir::landmarks {
namespace {

// A smooth motion with a large local gradient, like a bladder filling under the pelvis.
Vec3d smooth_motion(const Vec3d& p) {
  return {3.0 + 6.0 * std::sin(p.y / 40.0), -2.0 + 0.08 * p.x, 10.0 * std::exp(-p.dot(p) / 5000.0)};
}

TEST(Consistency, PlantedWrongMatchesAreRejectedAndTrueOnesKept) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> position(-90.0, 90.0), unit(0.0, 1.0);
  std::vector<Vec3d> fixed, moving;
  std::vector<bool> planted;
  for (int i = 0; i < 300; ++i) {
    const Vec3d p{position(rng), position(rng), 0.6 * position(rng)};
    Vec3d q = p + smooth_motion(p);
    // Localisation noise of a real matcher: about half a millimetre.
    q += Vec3d{unit(rng) - 0.5, unit(rng) - 0.5, unit(rng) - 0.5};
    const bool wrong = i % 10 == 0;
    if (wrong) {
      // A wrong partner 6-20 mm off in a random direction.
      Vec3d d{unit(rng) - 0.5, unit(rng) - 0.5, unit(rng) - 0.5};
      q += d * ((6.0 + 14.0 * unit(rng)) / d.norm());
    }
    fixed.push_back(p);
    moving.push_back(q);
    planted.push_back(wrong);
  }
  const ConsistencyResult r = check_consistency(fixed, moving, ConsistencyOptions{});
  int planted_kept = 0, true_rejected = 0, true_count = 0;
  for (std::size_t i = 0; i < fixed.size(); ++i) {
    if (planted[i]) {
      planted_kept += r.consistent[i] ? 1 : 0;
    } else {
      ++true_count;
      true_rejected += r.consistent[i] ? 0 : 1;
    }
  }
  EXPECT_EQ(planted_kept, 0);
  EXPECT_LE(true_rejected, true_count / 20) << "tolerance " << r.tolerance_mm << " mm";
}

TEST(Consistency, TheLocalFitPredictsAnAffineMotionExactly) {
  std::vector<Vec3d> fixed, displacement;
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> position(-50.0, 50.0);
  for (int i = 0; i < 40; ++i) {
    const Vec3d p{position(rng), position(rng), position(rng)};
    fixed.push_back(p);
    displacement.push_back(Vec3d{2.0, -1.0, 0.5} + Vec3d{0.05 * p.y, -0.03 * p.z, 0.02 * p.x});
  }
  const std::vector<bool> usable(fixed.size(), true);
  ConsistencyOptions options;
  options.neighbours = 39;
  const Vec3d at{10.0, -5.0, 3.0};
  const Vec3d predicted =
      predict_displacement(at, fixed, displacement, usable, std::size_t(-1), options);
  const Vec3d truth = Vec3d{2.0, -1.0, 0.5} + Vec3d{0.05 * at.y, -0.03 * at.z, 0.02 * at.x};
  // The ridge pulls the affine part slightly toward a translation.
  EXPECT_LE((predicted - truth).norm(), 0.2);
}

}  // namespace
}  // namespace modir::landmarks
