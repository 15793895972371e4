// `modir invert` on a phantom's true deformation: the inverse carries the moving landmarks back
// onto the fixed ones, and the report's residuals say how exact it is.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "modir/io/point_io.h"
#include "support/test_support.h"

namespace modir {
namespace {

using test::quoted;
using test::run_modir;

TEST(InvertCli, InverseOfTheTrueFieldBringsMovingLandmarksHome) {
  test::TempDir dir;
  const auto pair = run_modir("phantom --quiet --seed 9041 --size small --deformation large --out " +
                              quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  const auto inverted =
      run_modir("invert --quiet --displacement " + quoted(dir / "p/gt_displacement.nii.gz") +
                " --reference " + quoted(dir / "p/moving.nii.gz") + " --out " +
                quoted(dir / "inverse.nii.gz"));
  ASSERT_EQ(inverted.exit_code, 0) << inverted.err;
  std::ifstream report_file(dir / "inverse.json");
  const auto report = nlohmann::json::parse(report_file);
  EXPECT_LT(report["residual_on_field_grid"]["mean_mm"].get<double>(), 0.1) << report.dump(1);
  EXPECT_LT(report["residual_on_inverse_grid"]["p95_mm"].get<double>(), 0.01) << report.dump(1);

  // y + v(y) for the moving landmarks y = x + u(x) gives back the fixed landmarks x.
  const auto mapped = run_modir("warp --points " + quoted(dir / "p/moving_landmarks.csv") +
                                " --displacement " + quoted(dir / "inverse.nii.gz") + " --out " +
                                quoted(dir / "home.csv"));
  ASSERT_EQ(mapped.exit_code, 0) << mapped.err;
  const PointSet fixed = io::read_points(dir / "p/fixed_landmarks.csv");
  const PointSet home = io::read_points(dir / "home.csv");
  ASSERT_EQ(fixed.size(), home.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < fixed.size(); ++i)
    worst = std::max(worst, (fixed.points[i].position - home.points[i].position).norm());
  EXPECT_LT(worst, 0.5) << "worst landmark after the round trip, mm";
}

TEST(InvertCli, AnImageIsNotAField) {
  test::TempDir dir;
  const auto pair = run_modir("phantom --quiet --seed 9042 --size small --out " + quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  const auto bad = run_modir("invert --displacement " + quoted(dir / "p/fixed.nii.gz") +
                             " --out " + quoted(dir / "v.nii.gz"));
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("displacement field"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "v.nii.gz"));
}

}  // namespace
}  // namespace modir
