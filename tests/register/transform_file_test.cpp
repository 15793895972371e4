// transform.json (the compact result: affine part, model, B-spline control grid) and affine files
// for initialisation (transform.json or ITK text): a written result rebuilds the same field on any
// grid, and ITK's centred parametrisation T(x) = A (x - c) + c + t is honoured.

#include "modir/register/transform_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "support/test_support.h"

namespace modir::reg {
namespace {

using nlohmann::json;

transform::AffineTransform some_affine() {
  transform::AffineTransform a;
  a.matrix = Mat3::from_columns({1.03, 0.02, -0.015}, {-0.025, 0.97, 0.01}, {0.012, -0.02, 1.05});
  a.translation = {4.5, -7.25, 2.125};
  return a;
}

// A result of the given model with seeded random coefficients (a few mm) on an oblique grid.
RegistrationResult random_result(const std::string& model, unsigned seed) {
  RegistrationResult r;
  r.affine = some_affine();
  r.model = model;
  transform::BSplineGrid grid(test::oblique_geometry({20, 16, 10}), 6.0);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-3.0, 3.0);
  for (double& c : grid.coefficients()) c = dist(rng);
  r.grid = std::move(grid);
  return r;
}

// A grid with the reference's direction but its own size, spacing and origin.
Geometry other_grid_with_same_axes() {
  Geometry g = test::oblique_geometry({23, 11, 9});
  g.spacing = {0.7, 1.1, 1.9};
  g.origin = g.origin + Vec3d{3.3, -2.1, 1.7};
  return g;
}

double max_difference(const DisplacementField& a, const DisplacementField& b) {
  double worst = 0.0;
  for (std::int64_t v = 0; v < a.voxel_count(); ++v)
    worst = std::max(worst, (a.data()[v] - b.data()[v]).cast<double>().norm());
  return worst;
}

double max_length(const DisplacementField& u) {
  double worst = 0.0;
  for (const Vec3f& v : u.buffer()) worst = std::max(worst, v.cast<double>().norm());
  return worst;
}

class TransformJsonRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(TransformJsonRoundTrip, RebuildsTheSameDisplacement) {
  const RegistrationResult original = random_result(GetParam(), 11);
  // Through text, as the file carries it.
  const json text = json::parse(transform_to_json(original).dump(1));
  EXPECT_EQ(text["format"], "modir transform");
  EXPECT_EQ(text["model"], GetParam());
  const RegistrationResult back = transform_from_json(text);
  EXPECT_EQ(back.model, original.model);
  ASSERT_TRUE(back.grid.has_value());
  EXPECT_EQ(back.grid->control_size(), original.grid->control_size());
  EXPECT_EQ(back.grid->spacing(), original.grid->spacing());
  EXPECT_EQ(back.affine.matrix, original.affine.matrix);
  EXPECT_EQ(back.affine.translation, original.affine.translation);

  for (const Geometry& grid : {original.grid->reference(), other_grid_with_same_axes()}) {
    const DisplacementField u = displacement_on(original, grid);
    const DisplacementField v = displacement_on(back, grid);
    ASSERT_TRUE(v.geometry().same_grid(grid));
    EXPECT_GT(max_length(u), 1.0);  // a field worth comparing
    EXPECT_LT(max_difference(u, v), 1e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, TransformJsonRoundTrip, ::testing::Values("bspline", "svf"));

TEST(TransformJson, AffineOnlyResultRoundTrips) {
  RegistrationResult original;
  original.affine = some_affine();
  const json j = transform_to_json(original);
  EXPECT_FALSE(j.contains("grid"));
  const RegistrationResult back = transform_from_json(json::parse(j.dump()));
  EXPECT_EQ(back.model, "none");
  EXPECT_FALSE(back.grid.has_value());
  const Geometry grid = other_grid_with_same_axes();
  const DisplacementField u = displacement_on(back, grid);
  const Vec3d x = grid.index_to_world({5, 3, 2});
  const Vec3d expected = original.affine.apply(x) - x;
  EXPECT_LT((u(5, 3, 2).cast<double>() - expected).norm(), 1e-4);
}

TEST(TransformJson, DamagedFilesAreDataErrors) {
  json j = transform_to_json(random_result("bspline", 2));
  j["grid"]["coefficients"].erase(0);
  EXPECT_EQ(test::error_of([&] { transform_from_json(j); }).kind(), ErrorKind::kData);
  json no_affine = {{"model", "none"}};
  EXPECT_EQ(test::error_of([&] { transform_from_json(no_affine); }).kind(), ErrorKind::kData);
  json bad_matrix = transform_to_json(RegistrationResult{});
  bad_matrix["affine"]["matrix"] = {1, 2, 3};
  EXPECT_EQ(test::error_of([&] { transform_from_json(bad_matrix); }).kind(), ErrorKind::kData);
}

TEST(ReadAffineFile, ItkTextMapsPointsAsItkDoes) {
  // A, t and the centre c chosen so that the centre matters: T(x) = A (x - c) + c + t.
  const double a[9] = {0.98, -0.17, 0.03, 0.17, 0.98, -0.05, -0.02, 0.06, 1.01};
  const Vec3d t{5.5, -3.25, 12.0};
  const Vec3d c{-20.0, 35.5, 110.25};
  test::TempDir dir;
  {
    std::ofstream f(dir / "affine.txt");
    f << "#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\n"
      << "Parameters:";
    for (const double v : a) f << ' ' << v;
    f << ' ' << t.x << ' ' << t.y << ' ' << t.z << "\nFixedParameters: " << c.x << ' ' << c.y << ' '
      << c.z << "\n";
  }
  const transform::AffineTransform read = read_affine_file(dir / "affine.txt");
  Mat3 A;
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) A(r, k) = a[3 * r + k];
  for (const Vec3d& x : {Vec3d{0, 0, 0}, c, Vec3d{-100, 50, 25}, Vec3d{33.3, -12.5, 140.0}}) {
    const Vec3d expected = A * (x - c) + c + t;
    EXPECT_LT((read.apply(x) - expected).norm(), 1e-9) << x.x << "," << x.y << "," << x.z;
  }
  // The centre is not a translation in disguise: ignoring it would give a different map.
  EXPECT_GT((read.apply({0, 0, 0}) - t).norm(), 1.0);
}

TEST(ReadAffineFile, ItkTextWithoutFixedParametersCentresAtTheOrigin) {
  test::TempDir dir;
  std::ofstream(dir / "affine.tfm")
      << "#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\n"
         "Parameters: 1 0 0 0 1 0 0 0 1 2 -4 6\n";
  const transform::AffineTransform read = read_affine_file(dir / "affine.tfm");
  EXPECT_LT((read.apply({10, 20, 30}) - Vec3d{12, 16, 36}).norm(), 1e-12);
}

TEST(ReadAffineFile, ReadsTheAffinePartOfTransformJson) {
  test::TempDir dir;
  const RegistrationResult result = random_result("bspline", 5);
  std::ofstream(dir / "transform.json") << transform_to_json(result).dump(1);
  const transform::AffineTransform read = read_affine_file(dir / "transform.json");
  EXPECT_LT(read.matrix.max_abs_difference(result.affine.matrix), 1e-12);
  EXPECT_LT((read.translation - result.affine.translation).norm(), 1e-12);
}

TEST(ReadAffineFile, UnusableFilesAreDataErrors) {
  test::TempDir dir;
  std::ofstream(dir / "short.txt") << "#Insight Transform File V1.0\n"
                                      "Transform: AffineTransform_double_3_3\n"
                                      "Parameters: 1 0 0 0 1 0 0 0 1 2 3\n"
                                      "FixedParameters: 0 0 0\n";
  const Error e = test::error_of([&] { read_affine_file(dir / "short.txt"); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("12 parameters"), std::string::npos) << e.what();
  EXPECT_EQ(test::error_of([&] { read_affine_file(dir / "missing.txt"); }).kind(),
            ErrorKind::kData);
}

}  // namespace
}  // namespace modir::reg
