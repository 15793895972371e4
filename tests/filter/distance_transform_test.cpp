#include "modir/filter/distance_transform.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "support/test_support.h"

namespace modir::filter {
namespace {

// Position in mm of index (i, j, k) along the grid axes; distances ignore the orthonormal
// direction, so this is all the brute force needs.
Vec3d grid_mm(const Geometry& g, double i, double j, double k) {
  return Vec3d{i, j, k}.hadamard(g.spacing);
}

// Every voxel against every mask voxel.
std::vector<double> brute_force_distance(const Image<std::uint8_t>& mask) {
  const Geometry& g = mask.geometry();
  const Size3& n = g.size;
  std::vector<Vec3d> sites;
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j)
      for (std::int64_t i = 0; i < n[0]; ++i)
        if (mask(i, j, k) != 0) sites.push_back(grid_mm(g, i, j, k));
  std::vector<double> distance;
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j)
      for (std::int64_t i = 0; i < n[0]; ++i) {
        double best = std::numeric_limits<double>::infinity();
        for (const Vec3d& s : sites) best = std::min(best, (grid_mm(g, i, j, k) - s).norm());
        distance.push_back(best);
      }
  return distance;
}

// Every voxel against every face centre between a label voxel and a voxel of another value, the
// outside of the grid included.
std::vector<double> brute_force_signed(const LabelMap& labels, std::uint16_t label) {
  const Geometry& g = labels.geometry();
  const Size3& n = g.size;
  auto inside = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    if (i < 0 || j < 0 || k < 0 || i >= n[0] || j >= n[1] || k >= n[2]) return false;
    return labels(i, j, k) == label;
  };
  std::vector<Vec3d> faces;
  for (std::int64_t k = -1; k < n[2]; ++k)
    for (std::int64_t j = -1; j < n[1]; ++j)
      for (std::int64_t i = -1; i < n[0]; ++i) {
        const double x = static_cast<double>(i), y = static_cast<double>(j),
                     z = static_cast<double>(k);
        if (inside(i, j, k) != inside(i + 1, j, k) && j >= 0 && k >= 0)
          faces.push_back(grid_mm(g, x + 0.5, y, z));
        if (inside(i, j, k) != inside(i, j + 1, k) && i >= 0 && k >= 0)
          faces.push_back(grid_mm(g, x, y + 0.5, z));
        if (inside(i, j, k) != inside(i, j, k + 1) && i >= 0 && j >= 0)
          faces.push_back(grid_mm(g, x, y, z + 0.5));
      }
  std::vector<double> distance;
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j)
      for (std::int64_t i = 0; i < n[0]; ++i) {
        double best = std::numeric_limits<double>::infinity();
        for (const Vec3d& f : faces) best = std::min(best, (grid_mm(g, i, j, k) - f).norm());
        distance.push_back(inside(i, j, k) ? -best : best);
      }
  return distance;
}

Image<std::uint8_t> random_mask(const Geometry& g, double fraction, unsigned seed) {
  Image<std::uint8_t> mask(g);
  std::mt19937 rng(seed);
  std::bernoulli_distribution on(fraction);
  for (std::uint8_t& v : mask.buffer()) v = on(rng) ? 1 : 0;
  return mask;
}

TEST(DistanceToMask, MatchesBruteForceOnRandomAnisotropicMasks) {
  const Geometry g = test::oblique_geometry({11, 8, 6});  // spacing 0.8 x 1.3 x 2.7 mm
  int seed = 1;
  for (const double fraction : {0.002, 0.01, 0.05, 0.3}) {
    const Image<std::uint8_t> mask = random_mask(g, fraction, static_cast<unsigned>(seed++));
    // A single site at least, so every expected distance is finite.
    Image<std::uint8_t> nonempty = mask;
    nonempty(10, 0, 5) = 1;
    const std::vector<double> expected = brute_force_distance(nonempty);
    const Image<float> distance = distance_to_mask(nonempty);
    ASSERT_EQ(distance.geometry().size, g.size);
    for (std::size_t v = 0; v < expected.size(); ++v) {
      ASSERT_NEAR(distance.buffer()[v], expected[v], 1e-4) << "fraction " << fraction << " v " << v;
    }
  }
}

TEST(DistanceToMask, OneVoxelGivesTheEuclideanNormInMm) {
  Geometry g;
  g.size = {5, 4, 3};
  g.spacing = {0.5, 2.0, 3.0};
  Image<std::uint8_t> mask(g, 0);
  mask(0, 0, 0) = 1;
  const Image<float> d = distance_to_mask(mask);
  EXPECT_EQ(d(0, 0, 0), 0.0f);
  EXPECT_NEAR(d(4, 0, 0), 2.0, 1e-6);
  EXPECT_NEAR(d(0, 3, 0), 6.0, 1e-6);
  EXPECT_NEAR(d(4, 3, 2), std::sqrt(4.0 + 36.0 + 36.0), 1e-5);
}

TEST(DistanceToMask, EmptyMaskIsInfiniteEverywhere) {
  const Image<std::uint8_t> mask(test::oblique_geometry({6, 5, 4}), 0);
  const Image<float> d = distance_to_mask(mask);
  for (const float v : d.buffer()) EXPECT_TRUE(std::isinf(v) && v > 0);
}

TEST(SignedDistance, MatchesBruteForceOnRandomLabelMaps) {
  const Geometry g = test::oblique_geometry({9, 7, 5});
  for (unsigned seed = 1; seed <= 3; ++seed) {
    LabelMap labels(g);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> value(0, 3);
    for (std::uint16_t& v : labels.buffer()) v = static_cast<std::uint16_t>(value(rng));
    const std::vector<double> expected = brute_force_signed(labels, 2);
    const Image<float> sdf = signed_distance(labels, 2);
    for (std::size_t v = 0; v < expected.size(); ++v) {
      ASSERT_NEAR(sdf.buffer()[v], expected[v], 1e-4) << "seed " << seed << " v " << v;
    }
  }
  // A sparse organ: most grid lines meet no face, some one face, the rest two or more.
  LabelMap sparse(g, 0);
  sparse(0, 0, 0) = 2;
  sparse(4, 3, 2) = 2;
  sparse(5, 3, 2) = 2;
  sparse(8, 6, 4) = 2;
  const std::vector<double> expected = brute_force_signed(sparse, 2);
  const Image<float> sdf = signed_distance(sparse, 2);
  for (std::size_t v = 0; v < expected.size(); ++v)
    ASSERT_NEAR(sdf.buffer()[v], expected[v], 1e-4) << "sparse, v " << v;
}

TEST(SignedDistance, ZeroLevelLiesHalfwayBetweenVoxelCentres) {
  // Label 1 fills the slices k < 5 of a grid with 3 mm slices: the surface is the plane between
  // slices 4 and 5, at 4.5 slices.
  Geometry g;
  g.size = {9, 9, 10};
  g.spacing = {1.0, 1.5, 3.0};
  LabelMap labels(g, 0);
  for (std::int64_t k = 0; k < 5; ++k)
    for (std::int64_t j = 0; j < 9; ++j)
      for (std::int64_t i = 0; i < 9; ++i) labels(i, j, k) = 1;
  const Image<float> sdf = signed_distance(labels, 1);
  EXPECT_NEAR(sdf(4, 4, 4), -1.5, 1e-6);
  for (std::int64_t k = 5; k < 10; ++k) {
    EXPECT_NEAR(sdf(0, 0, k), (static_cast<double>(k) - 4.5) * 3.0, 1e-5) << k;
    EXPECT_NEAR(sdf(4, 7, k), (static_cast<double>(k) - 4.5) * 3.0, 1e-5) << k;
  }
  // The outside of the grid is outside the label: slice 0 is half a slice from the grid's end.
  EXPECT_NEAR(sdf(4, 4, 0), -1.5, 1e-6);
  EXPECT_NEAR(sdf(0, 4, 2), -0.5, 1e-6);
}

TEST(SignedDistance, SphereIsWithinAVoxelOfTheAnalyticDistance) {
  Geometry g;
  g.size = {41, 33, 21};
  g.spacing = {1.0, 1.25, 2.0};
  g.origin = {-20.0, -20.0, -20.0};
  const Vec3d centre{0.3, -0.4, 0.7};
  const double radius = 11.0;
  LabelMap labels(g, 0);
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d x = g.index_to_world(
            Vec3d{static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
        if ((x - centre).norm() <= radius) labels(i, j, k) = 7;
      }
  const Image<float> sdf = signed_distance(labels, 7);
  double worst = 0.0, sum = 0.0;
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d x = g.index_to_world(
            Vec3d{static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
        const double analytic = (x - centre).norm() - radius;
        const double error = std::abs(sdf(i, j, k) - analytic);
        worst = std::max(worst, error);
        sum += error;
        EXPECT_EQ(sdf(i, j, k) < 0, labels(i, j, k) == 7);
      }
  EXPECT_LT(worst, 2.0);  // the largest spacing: within a voxel
  EXPECT_LT(sum / static_cast<double>(labels.voxel_count()), 0.5);
}

TEST(DistanceToCut, MeasuresToTheOrgansVoxelsOnTheOuterLayerOnly) {
  Geometry g;
  g.size = {10, 8, 6};
  g.spacing = {1.0, 2.0, 3.0};
  LabelMap labels(g, 0);
  for (std::int64_t x = 0; x < 4; ++x) labels(x, 4, 3) = 5;  // reaches the face x = 0
  labels(6, 4, 3) = 7;                                        // inside, cut nowhere
  const Image<float> cut = distance_to_cut(labels, 5);
  ASSERT_EQ(cut.voxel_count(), g.voxel_count());
  EXPECT_FLOAT_EQ(cut(0, 4, 3), 0.0f);
  EXPECT_FLOAT_EQ(cut(3, 4, 3), 3.0f);  // 3 voxels of 1 mm along x to the cut at x = 0
  EXPECT_FLOAT_EQ(cut(0, 5, 4), std::sqrt(4.0f + 9.0f));
  EXPECT_EQ(distance_to_cut(labels, 7).voxel_count(), 0);  // not cut off: no map
  EXPECT_EQ(distance_to_cut(labels, 9).voxel_count(), 0);  // absent: nothing cut off either
}

TEST(DistanceToCut, FindsTheOrganOnEachOfTheSixFacesAndNowhereInside) {
  Geometry g;
  g.size = {7, 6, 5};
  const Size3 on_faces[] = {{0, 2, 2}, {6, 3, 2}, {3, 0, 2}, {3, 5, 1}, {2, 3, 0}, {4, 2, 4}};
  for (const Size3& v : on_faces) {
    LabelMap labels(g, 0);
    labels(v[0], v[1], v[2]) = 3;
    const Image<float> cut = distance_to_cut(labels, 3);
    ASSERT_EQ(cut.voxel_count(), g.voxel_count()) << v[0] << " " << v[1] << " " << v[2];
    EXPECT_FLOAT_EQ(cut(v[0], v[1], v[2]), 0.0f);
  }
  LabelMap inside(g, 0);
  inside(1, 1, 1) = 3;
  inside(5, 4, 3) = 3;
  EXPECT_EQ(distance_to_cut(inside, 3).voxel_count(), 0);
}

TEST(SignedDistance, AbsentLabelIsADataErrorNamingIt) {
  const LabelMap labels(test::oblique_geometry({4, 4, 4}), 1);
  const Error e = test::error_of([&] { signed_distance(labels, 12); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("label 12"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace modir::filter
