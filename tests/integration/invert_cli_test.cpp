// `modir invert` on a phantom's true deformation: the inverse carries the moving landmarks back
// onto the fixed ones, and the report's residuals say how exact it is.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "modir/io/image_io.h"
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

  // The same without an inverse field: warp --points --inverse solves x + u(x) = y per point.
  const auto back = run_modir("warp --points " + quoted(dir / "p/moving_landmarks.csv") +
                              " --inverse --displacement " +
                              quoted(dir / "p/gt_displacement.nii.gz") + " --out " +
                              quoted(dir / "back.csv"));
  ASSERT_EQ(back.exit_code, 0) << back.err;
  const PointSet exact = io::read_points(dir / "back.csv");
  ASSERT_EQ(exact.size(), fixed.size());
  double worst_exact = 0.0;
  for (std::size_t i = 0; i < fixed.size(); ++i)
    worst_exact = std::max(worst_exact, (fixed.points[i].position - exact.points[i].position).norm());
  // Only the float rounding of the stored landmarks and field remains.
  EXPECT_LT(worst_exact, 0.05) << "worst landmark mapped back per point, mm";
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

// The field as transform files others load: an ITK HDF5 DisplacementFieldTransform (modir reads it
// back to the same warp) and an NRRD vector image, which plastimatch applies with the same result
// as `modir warp` (to the rounding of the int16 output).
TEST(InvertCli, FieldFilesForOtherToolsWarpAsModirDoes) {
  test::TempDir dir;
  const auto pair = run_modir("phantom --quiet --seed 9043 --size small --deformation large --out " +
                              quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  for (const char* name : {"u.h5", "u.nrrd"}) {
    const auto c = run_modir("convert --quiet " + quoted(dir / "p/gt_displacement.nii.gz") + " " +
                             quoted(dir / name));
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  const std::string moving = " --moving " + quoted(dir / "p/moving.nii.gz");
  ASSERT_EQ(run_modir("warp --quiet" + moving + " --displacement " +
                      quoted(dir / "p/gt_displacement.nii.gz") + " --out " +
                      quoted(dir / "modir.nii.gz"))
                .exit_code,
            0);
  ASSERT_EQ(run_modir("warp --quiet" + moving + " --displacement " + quoted(dir / "u.h5") +
                      " --out " + quoted(dir / "modir_h5.nii.gz"))
                .exit_code,
            0);
  const std::string plastimatch = "plastimatch warp --input " + quoted(dir / "p/moving.nii.gz") +
                                  " --xf " + quoted(dir / "u.nrrd") + " --fixed " +
                                  quoted(dir / "p/fixed.nii.gz") + " --output-img " +
                                  quoted(dir / "pm.nii.gz") + " > " + quoted(dir / "pm.log") +
                                  " 2>&1";
  ASSERT_EQ(std::system(plastimatch.c_str()), 0)
      << "plastimatch (Debian package, installed by scripts/setup) failed";
  const auto a = io::read_image_as<float>(dir / "modir.nii.gz");
  const auto b = io::read_image_as<float>(dir / "modir_h5.nii.gz");
  const auto c = io::read_image_as<float>(dir / "pm.nii.gz");
  ASSERT_EQ(c.geometry().size, a.geometry().size);
  double worst_h5 = 0.0, worst_pm = 0.0;
  for (std::int64_t v = 0; v < a.voxel_count(); ++v) {
    worst_h5 = std::max(worst_h5, double(std::abs(a.data()[v] - b.data()[v])));
    worst_pm = std::max(worst_pm, double(std::abs(a.data()[v] - c.data()[v])));
  }
  EXPECT_EQ(worst_h5, 0.0);
  EXPECT_LE(worst_pm, 1.0) << "HU between modir warp and plastimatch warp";
}

}  // namespace
}  // namespace modir
