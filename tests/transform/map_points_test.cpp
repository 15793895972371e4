#include "modir/transform/map_points.h"

#include <gtest/gtest.h>

#include "modir/core/error.h"

namespace modir::transform {
namespace {

// A uniform shift on an oblique grid: forward adds it, back removes it, ids and order kept.
TEST(MapPoints, AShiftIsAddedForwardAndRemovedBack) {
  Geometry g;
  g.size = {20, 18, 14};
  g.spacing = {2.0, 2.0, 3.0};
  g.origin = {-10.0, 5.0, 20.0};
  const DisplacementField u(g, Vec3f{3.0f, -2.0f, 1.0f});
  PointSet points;
  points.points = {{"a", g.index_to_world({4.0, 5.0, 6.0})}, {"b", g.index_to_world({10.0, 9.0, 3.0})}};

  const PointSet moved = map_points_forward(u, points, "p.csv", "u.nii.gz");
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved.points[1].id, "b");
  for (std::size_t k = 0; k < 2; ++k) {
    const Vec3d d = moved.points[k].position - points.points[k].position;
    EXPECT_NEAR(d.x, 3.0, 1e-5);
    EXPECT_NEAR(d.y, -2.0, 1e-5);
    EXPECT_NEAR(d.z, 1.0, 1e-5);
  }
  const PointsBack back = map_points_back(u, moved, "m.csv", "u.nii.gz");
  EXPECT_LT(back.worst_residual_mm, 1e-3);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(back.fixed.points[k].id, points.points[k].id);
    EXPECT_NEAR((back.fixed.points[k].position - points.points[k].position).norm(), 0.0, 1e-3);
  }
}

TEST(MapPoints, APointTheFieldDoesNotCoverIsAnErrorNamingIt) {
  Geometry g;
  g.size = {10, 10, 10};
  const DisplacementField u(g, Vec3f{0.0f, 0.0f, 0.0f});
  PointSet points;
  points.points = {{"inside", {4.0, 4.0, 4.0}}, {"far_away", {40.0, 4.0, 4.0}}};
  try {
    map_points_forward(u, points, "p.csv", "u.nii.gz");
    FAIL() << "a point beyond the field was mapped";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'far_away' of 'p.csv'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("u.nii.gz"), std::string::npos) << e.what();
  }
  EXPECT_THROW(map_points_back(u, points, "p.csv", "u.nii.gz"), Error);
}

}  // namespace
}  // namespace modir::transform
