#include "modir/optimize/pareto/hypervolume.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

namespace modir::optimize::pareto {
namespace {

/// Slow reference on an integer grid: with integer points in [0, side) and the reference at
/// `side` in every objective, the unit cell with lower corner c lies in the box [p, reference]
/// exactly when p <= c, so the hypervolume is the number of cells some point covers and the
/// contribution of a point the number of cells only it covers.
struct GridCount {
  double volume = 0.0;
  std::vector<double> exclusive;
};

GridCount count_cells(const std::vector<Point>& points, int side) {
  const std::size_t d = points.front().size();
  GridCount count;
  count.exclusive.assign(points.size(), 0.0);
  std::vector<int> cell(d, 0);
  while (true) {
    std::size_t covering = 0;
    std::size_t last_cover = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      bool covers = true;
      for (std::size_t k = 0; k < d; ++k) covers = covers && points[i][k] <= cell[k];
      if (covers) {
        ++covering;
        last_cover = i;
      }
    }
    if (covering > 0) count.volume += 1.0;
    if (covering == 1) count.exclusive[last_cover] += 1.0;
    std::size_t k = 0;  // next cell, odometer style
    while (k < d && ++cell[k] == side) cell[k++] = 0;
    if (k == d) break;
  }
  return count;
}

std::vector<Point> random_integer_points(std::size_t n, std::size_t d, int side, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> coordinate(0, side - 1);
  std::vector<Point> points(n, Point(d));
  for (Point& p : points) {
    for (double& v : p) v = coordinate(rng);
  }
  return points;
}

double sum(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}

TEST(Hypervolume, TwoObjectiveStaircase) {
  const std::vector<Point> front = {{1, 3}, {2, 2}, {3, 1}};
  EXPECT_DOUBLE_EQ(hypervolume(front, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume({{3, 1}, {1, 3}, {2, 2}}, {4, 4}), 6.0);
}

TEST(Hypervolume, PointsNotStrictlyInsideTheReferenceAddNothing) {
  const std::vector<Point> front = {{1, 3}, {2, 2}, {3, 1}, {0, 5}, {4, 0}, {-1, 4}};
  EXPECT_DOUBLE_EQ(hypervolume(front, {4, 4}), 6.0);
  EXPECT_EQ(hypervolume({{5, 5}}, {4, 4}), 0.0);
  EXPECT_EQ(hypervolume({}, {4, 4}), 0.0);
}

TEST(Hypervolume, SinglePointIsItsBox) {
  EXPECT_DOUBLE_EQ(hypervolume({{1, 2, 3}}, {4, 4, 4}), 3.0 * 2.0 * 1.0);
  EXPECT_DOUBLE_EQ(hypervolume({{0.5, 1, 1.5, 2}}, {1, 2, 3, 4}), 0.5 * 1 * 1.5 * 2);
  EXPECT_DOUBLE_EQ(hypervolume({{0.25}}, {1}), 0.75);
}

TEST(Hypervolume, TwoOverlappingBoxesIn3D) {
  // Boxes 2*2*1 = 4 and 1*1*2 = 2 overlapping in [2,3]^3 = 1.
  const std::vector<Point> front = {{1, 1, 2}, {2, 2, 1}};
  EXPECT_DOUBLE_EQ(hypervolume(front, {3, 3, 3}), 5.0);
}

TEST(Hypervolume, DominatedAndDuplicatePointsAddNothingIn3D) {
  const std::vector<Point> with_extras = {{1, 1, 2}, {2, 2, 2}, {2, 2, 1}, {1, 1, 2}, {2.5, 1, 2}};
  EXPECT_DOUBLE_EQ(hypervolume(with_extras, {3, 3, 3}), 5.0);
}

TEST(Hypervolume, ThreeSlabsIn3D) {
  // Each point dominates a slab of [0,3]^3; the uncovered rest is [0,2)^3: 27 - 8 = 19.
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 2}, {0, 2, 0}, {2, 0, 0}}, {3, 3, 3}), 19.0);
  // The same in 4D: 81 - 16.
  EXPECT_DOUBLE_EQ(
      hypervolume({{0, 0, 0, 2}, {0, 0, 2, 0}, {0, 2, 0, 0}, {2, 0, 0, 0}}, {3, 3, 3, 3}), 65.0);
}

TEST(Hypervolume, MatchesCellCountingInTwoToFourObjectives) {
  for (std::size_t d = 2; d <= 4; ++d) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
      const int side = 6;
      const std::vector<Point> points = random_integer_points(12, d, side, seed);
      const GridCount expected = count_cells(points, side);
      const Point reference(d, side);
      EXPECT_DOUBLE_EQ(hypervolume(points, reference), expected.volume)
          << "d " << d << " seed " << seed;
      const std::vector<double> contributions = hypervolume_contributions(points, reference);
      ASSERT_EQ(contributions.size(), points.size());
      for (std::size_t i = 0; i < points.size(); ++i) {
        EXPECT_NEAR(contributions[i], expected.exclusive[i], 1e-9)
            << "d " << d << " seed " << seed << " point " << i;
      }
    }
  }
}

TEST(Hypervolume, ScalesWithTheObjectives) {
  const std::vector<Point> points = random_integer_points(10, 3, 6, 11);
  const double unscaled = hypervolume(points, {6, 6, 6});
  std::vector<Point> scaled = points;
  for (Point& p : scaled) {
    p[0] = 0.5 * p[0] - 1.0;
    p[1] *= 3.0;
    p[2] = 0.1 * p[2] + 7.0;
  }
  EXPECT_NEAR(hypervolume(scaled, {2.0, 18.0, 7.6}), unscaled * 0.5 * 3.0 * 0.1, 1e-12);
}

TEST(HypervolumeContributions, StaircaseCornersAndSum) {
  const std::vector<Point> front = {{1, 3}, {2, 2}, {3, 1}};
  const std::vector<double> c = hypervolume_contributions(front, {4, 4});
  EXPECT_EQ(c, (std::vector<double>{1.0, 1.0, 1.0}));
  EXPECT_LE(sum(c), hypervolume(front, {4, 4}));
}

TEST(HypervolumeContributions, OverlappingBoxesDominatedAndDuplicates) {
  // Union 5; without (1,1,2) only 2 remains, without (2,2,1) 4 remains.
  const std::vector<Point> points = {{1, 1, 2}, {2, 2, 1}, {2, 2, 2}, {2, 2, 1}, {4, 0, 0}};
  const std::vector<double> c = hypervolume_contributions(points, {3, 3, 3});
  EXPECT_EQ(c, (std::vector<double>{3.0, 0.0, 0.0, 0.0, 0.0}));
  const std::vector<double> unique = hypervolume_contributions({{1, 1, 2}, {2, 2, 1}}, {3, 3, 3});
  EXPECT_EQ(unique, (std::vector<double>{3.0, 1.0}));
  EXPECT_LE(sum(unique), hypervolume(points, {3, 3, 3}));
}

// (2, 2) hides behind (1, 1) alone and reappears when (1, 1) is removed, so the contribution of
// (1, 1) is its box (4) less the box of (2, 2) (1), not its whole box.
TEST(HypervolumeContributions, RemovingAPointUncoversThoseItDominated) {
  const std::vector<Point> points = {{1, 1}, {2, 2}};
  EXPECT_EQ(hypervolume_contributions(points, {3, 3}), (std::vector<double>{3.0, 0.0}));
}

TEST(Normalise, MapsIdealToZeroAndNadirToOne) {
  const std::vector<Point> points = {{2, 10}, {4, 30}, {3, 20}};
  const Point ideal = ideal_point(points);
  const Point nadir = nadir_point(points);
  EXPECT_EQ(ideal, (Point{2, 10}));
  EXPECT_EQ(nadir, (Point{4, 30}));
  EXPECT_EQ(normalise(points, ideal, nadir), (std::vector<Point>{{0, 0}, {1, 1}, {0.5, 0.5}}));
}

TEST(Normalise, ZeroRangeOnlyShifts) {
  const std::vector<Point> points = {{3, 5}, {2, 5}};
  EXPECT_EQ(normalise(points, {2, 5}, {4, 5}), (std::vector<Point>{{0.5, 0}, {0, 0}}));
  EXPECT_EQ(normalise({{1, 7}}, {0, 0}, {2, 0}), (std::vector<Point>{{0.5, 7}}));
  EXPECT_THROW(normalise(points, {2, 5}, {1, 5}), std::invalid_argument);
  EXPECT_THROW(normalise(points, {2, 5, 0}, {4, 5, 0}), std::invalid_argument);
}

TEST(Normalise, ReportedHypervolumeOfANormalisedFront) {
  // Ends (0,1) and (1,0) with the report reference 1.1: 1.1*0.1 + 0.1*1.1 - 0.1*0.1 = 0.21,
  // plus the box of (0.5, 0.5) beyond them: 0.5 * 0.5 = 0.25.
  const std::vector<Point> raw = {{10, 300}, {20, 100}, {15, 200}};
  const std::vector<Point> front = normalise(raw, ideal_point(raw), nadir_point(raw));
  EXPECT_NEAR(hypervolume(front, Point(2, kReportReference)), 0.46, 1e-12);
}

}  // namespace
}  // namespace modir::optimize::pareto
