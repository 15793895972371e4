#include "modir/optimize/pareto/dominance.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace modir::optimize::pareto {
namespace {

TEST(ParetoDominance, BetterInOneAndNoWorseElsewhereDominates) {
  EXPECT_TRUE(dominates({1, 2}, {2, 2}));
  EXPECT_TRUE(dominates({1, 2, 3}, {1, 2, 4}));
  EXPECT_FALSE(dominates({2, 2}, {1, 2}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));  // equal points do not dominate each other
  EXPECT_FALSE(dominates({1, 3}, {3, 1}));  // incomparable
  EXPECT_FALSE(dominates({3, 1}, {1, 3}));
  EXPECT_THROW(dominates({1, 2}, {1, 2, 3}), std::invalid_argument);
}

TEST(ParetoDominance, NonDominatedIndicesOfHandExample) {
  const std::vector<Point> points = {
      {1, 5},  // front
      {2, 3},  // front
      {3, 4},  // dominated by (2, 3)
      {4, 1},  // front
      {2, 3},  // duplicate of index 1: only the first is kept
      {5, 5},  // dominated by everything on the front
      {4, 2},  // dominated by (4, 1)
  };
  EXPECT_EQ(non_dominated_indices(points), (std::vector<std::size_t>{0, 1, 3}));
}

TEST(ParetoDominance, NonDominatedIndicesIn3D) {
  const std::vector<Point> points = {
      {1, 1, 5}, {2, 2, 2}, {5, 1, 1}, {2, 2, 3} /* dominated by (2,2,2) */, {1, 5, 1}};
  EXPECT_EQ(non_dominated_indices(points), (std::vector<std::size_t>{0, 1, 2, 4}));
  EXPECT_TRUE(non_dominated_indices({}).empty());
}

TEST(ParetoKnee, ConvexFrontPicksThePointFurthestFromTheChord) {
  // Chord x + y = 1; distances (1 - x - y) / sqrt(2): 0, 0.4, 0.35, 0 (scaled by 1/sqrt(2)).
  const std::vector<Point> front = {{0, 1}, {0.2, 0.4}, {0.5, 0.15}, {1, 0}};
  EXPECT_EQ(knee_index(front), 1u);
  const std::vector<Point> shuffled = {{0.5, 0.15}, {1, 0}, {0.2, 0.4}, {0, 1}};
  EXPECT_EQ(knee_index(shuffled), 2u);
}

TEST(ParetoKnee, ChordThroughUnequalExtremes) {
  // Extremes (0, 0.8) and (0.6, 0): chord x / 0.6 + y / 0.8 = 1, normal (5/3, 5/4), length 25/12.
  // (0.3, 0.2): (1 - 0.5 - 0.25) / (25/12) = 0.12; (0.1, 0.5): (1 - 1/6 - 0.625) * 12/25 = 0.1.
  const std::vector<Point> front = {{0.1, 0.5}, {0, 0.8}, {0.3, 0.2}, {0.6, 0}};
  EXPECT_EQ(knee_index(front), 2u);
}

TEST(ParetoKnee, LinearOrConcaveFrontFallsBackToClosestToIdeal) {
  const std::vector<Point> linear = {{0, 1}, {0.25, 0.75}, {0.5, 0.5}, {1, 0}};
  EXPECT_EQ(knee_index(linear), 2u);
  const std::vector<Point> concave = {{0, 1}, {0.7, 0.7}, {1, 0}};
  EXPECT_EQ(knee_index(concave), 1u);
}

TEST(ParetoKnee, OnePointBestEverywhereIsTheKnee) {
  EXPECT_EQ(knee_index({{0.5, 1}, {0, 0}, {1, 0.5}}), 1u);
  EXPECT_EQ(knee_index({{0.3, 0.3}}), 0u);
  EXPECT_THROW(knee_index({}), std::invalid_argument);
}

TEST(ParetoKnee, ThreeObjectivesUseThePlaneThroughTheExtremes) {
  // Plane x + y + z = 1; (0.2, 0.2, 0.2) is 0.4 / sqrt(3) from it, (0.1, 0.5, 0.1) 0.3 / sqrt(3).
  const std::vector<Point> front = {
      {1, 0, 0}, {0.1, 0.5, 0.1}, {0, 1, 0}, {0.2, 0.2, 0.2}, {0, 0, 1}};
  EXPECT_EQ(knee_index(front), 3u);
}

}  // namespace
}  // namespace modir::optimize::pareto
