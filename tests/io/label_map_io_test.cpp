// One rule for reading label maps, whatever the file's voxel type: whole numbers 0..65535 only.

#include <gtest/gtest.h>

#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

Geometry small_grid() {
  Geometry g;
  g.size = {4, 3, 2};
  return g;
}

TEST(LabelMapIo, WholeNumbersOfAnyTypeAreRead) {
  test::TempDir dir;
  Image<float> as_float(small_grid(), 0.0f);
  as_float(1, 1, 1) = 7.0f;
  as_float(2, 0, 0) = 65535.0f;
  write_image(as_float, dir / "labels_float.nii.gz");
  const LabelMap labels = read_label_map(dir / "labels_float.nii.gz");
  EXPECT_EQ(labels(1, 1, 1), 7);
  EXPECT_EQ(labels(2, 0, 0), 65535);
  Image<std::uint8_t> as_bytes(small_grid(), 3);
  write_image(as_bytes, dir / "labels_u8.nii.gz");
  EXPECT_EQ(read_label_map(dir / "labels_u8.nii.gz")(0, 0, 0), 3);
}

TEST(LabelMapIo, FractionsAndNegativesAreNotALabelMap) {
  test::TempDir dir;
  Image<float> fractional(small_grid(), 1.0f);
  fractional(0, 0, 0) = 1.5f;  // left by linear interpolation
  fractional(3, 2, 1) = 0.25f;
  write_image(fractional, dir / "fractional.nii.gz");
  Error e = test::error_of([&] { read_label_map(dir / "fractional.nii.gz"); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("not a label map: 2 voxel(s)"), std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("1.5"), std::string::npos) << e.what();

  Image<std::int16_t> negative(small_grid(), 2);
  negative(1, 0, 0) = -1;
  write_image(negative, dir / "negative.nii.gz");
  e = test::error_of([&] { read_label_map(dir / "negative.nii.gz"); });
  EXPECT_NE(std::string(e.what()).find("not a label map: 1 voxel(s)"), std::string::npos)
      << e.what();
}

TEST(LabelMapIo, ALabelMapOffItsScansGridIsRefusedNamingBoth) {
  const LabelMap labels(small_grid(), 1);
  Geometry other = small_grid();
  other.spacing.z = 2.0;
  const Error e = test::error_of([&] { check_label_grid(labels, other, "l.nii.gz", "s.nii.gz"); });
  EXPECT_NE(std::string(e.what()).find("l.nii.gz is not on the grid of s.nii.gz"),
            std::string::npos)
      << e.what();
  check_label_grid(labels, small_grid(), "l.nii.gz", "s.nii.gz");  // the same grid: no error
}

}  // namespace
}  // namespace modir::io
