// Writing DICOM CT series: geometry and values read back by modir's DICOM reader, validity by
// dciodvfy (dicom3tools), and the bad inputs.

#include "modir/io/dicom_series_write.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>

#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

// An oblique, anisotropic grid with CT-like values that are not whole numbers.
Image<float> oblique_ct(bool left_handed = false) {
  Geometry g;
  g.size = {12, 9, 5};
  g.spacing = {0.8, 1.1, 2.5};
  g.origin = {-40.5, 12.25, 80.0};
  const double a = 0.3;
  g.direction = Mat3::from_columns({std::cos(a), std::sin(a), 0}, {-std::sin(a), std::cos(a), 0},
                                   {0, 0, left_handed ? -1.0 : 1.0});
  Image<float> image(g);
  for (std::int64_t z = 0; z < 5; ++z)
    for (std::int64_t y = 0; y < 9; ++y)
      for (std::int64_t x = 0; x < 12; ++x)
        image(x, y, z) = static_cast<float>(-1000.0 + 37.3 * x + 101.7 * y + 300.2 * z);
  return image;
}

// The value of `image` at the world position of voxel (x, y, z) of `grid`, read by nearest voxel.
float value_at(const Image<float>& image, const Geometry& grid, std::int64_t x, std::int64_t y,
               std::int64_t z) {
  const Vec3d i = image.geometry().world_to_index(grid.index_to_world({double(x), double(y), double(z)}));
  return image(std::llround(i.x), std::llround(i.y), std::llround(i.z));
}

TEST(DicomSeriesWrite, ReadsBackOnTheSameGridWithinHalfAUnit) {
  for (const bool left_handed : {false, true}) {
    test::TempDir dir;
    const Image<float> image = oblique_ct(left_handed);
    const DicomSeries series = write_dicom_series(image, dir / "ct");
    EXPECT_EQ(series.files.size(), 5u);
    EXPECT_EQ(series.modality, "CT");
    const Image<float> back = read_image_as<float>(dir / "ct");
    const Geometry& g = image.geometry();
    ASSERT_EQ(back.geometry().size, g.size);
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(back.geometry().spacing[a], g.spacing[a], 1e-6);
    // Every voxel lands where it was, with its value rounded to a whole HU.
    for (std::int64_t z = 0; z < 5; ++z)
      for (std::int64_t y = 0; y < 9; ++y)
        for (std::int64_t x = 0; x < 12; ++x)
          ASSERT_NEAR(value_at(back, g, x, y, z), image(x, y, z), 0.5)
              << (left_handed ? "left" : "right") << "-handed, voxel " << x << "," << y << "," << z;
  }
}

TEST(DicomSeriesWrite, ValuesBeyondSixteenBitsAreRescaled) {
  test::TempDir dir;
  Image<float> image = oblique_ct();
  for (float& v : image.buffer()) v = v * 100.0f + 0.25f;  // -100000 .. about 240000
  write_dicom_series(image, dir / "ct");
  const Image<float> back = read_image_as<float>(dir / "ct");
  float lo = 1e30f, hi = -1e30f;
  for (const float v : image.buffer()) lo = std::min(lo, v), hi = std::max(hi, v);
  const double step = (double(hi) - double(lo)) / 65534.0;
  for (std::int64_t z = 0; z < 5; ++z)
    for (std::int64_t y = 0; y < 9; ++y)
      for (std::int64_t x = 0; x < 12; ++x)
        ASSERT_NEAR(value_at(back, image.geometry(), x, y, z), image(x, y, z), step);
}

TEST(DicomSeriesWrite, DciodvfyFindsNoErrors) {
  test::TempDir dir;
  const DicomSeries series = write_dicom_series(oblique_ct(), dir / "ct");
  const test::DicomValidation check = test::dciodvfy(series.files[2], "CTImage");
  ASSERT_TRUE(check.ran)
      << "dciodvfy (Debian package dicom3tools, installed by scripts/setup) did not run:\n"
      << check.report;
  EXPECT_TRUE(check.errors.empty()) << check.errors << "\nfull report:\n" << check.report;
}

TEST(DicomSeriesWrite, ANonEmptyFolderOrNanValuesAreRefused) {
  test::TempDir dir;
  fs::create_directory(dir / "taken");
  std::ofstream(dir / "taken" / "x.txt") << "keep me\n";
  EXPECT_THROW(write_dicom_series(oblique_ct(), dir / "taken"), Error);
  EXPECT_TRUE(fs::exists(dir / "taken" / "x.txt"));
  Image<float> bad = oblique_ct();
  bad(3, 3, 3) = std::nanf("");
  try {
    write_dicom_series(bad, dir / "nan");
    FAIL() << "NaN voxels were written";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
  }
  EXPECT_FALSE(fs::exists(dir / "nan"));
}

}  // namespace
}  // namespace modir::io
