#include "modir/report/snapshot.h"

#include <gtest/gtest.h>

#include "modir/io/png_io.h"
#include "support/test_support.h"

namespace modir::report {
namespace {

TEST(Snapshot, LayoutWindowAndOutlines) {
  Geometry g;
  g.size = {20, 10, 5};
  g.spacing = {1, 1, 2};  // z voxels twice as thick: panels stretch them to square pixels
  Image<float> image(g, -1000.0f);
  LabelMap labels(g);
  for (std::int64_t k = 0; k < 5; ++k)
    for (std::int64_t j = 2; j < 8; ++j)
      for (std::int64_t i = 5; i < 15; ++i) {
        image(i, j, k) = 40.0f;  // the window centre: mid grey
        labels(i, j, k) = 3;
      }
  const io::RgbPicture p = orthogonal_snapshot(image, &labels, Window{40, 400});
  // Axial 20x10, coronal 20x10 (5 slices of 2 mm), sagittal 10x10, with two 4-pixel gaps.
  EXPECT_EQ(p.width, 20 + 20 + 10 + 8);
  EXPECT_EQ(p.height, 10);
  io::RgbPicture copy = p;
  EXPECT_EQ(copy.pixel(0, 0)[0], 0);     // air below the window: black
  EXPECT_EQ(copy.pixel(10, 5)[0], 128);  // inside, not on the outline: mid grey
  EXPECT_EQ(copy.pixel(5, 5)[0], 255);   // outline of label 3 (yellow-orange)
  EXPECT_EQ(copy.pixel(5, 5)[2], 0);

  test::TempDir dir;
  io::write_png(p, dir / "snap.png");
  const io::RgbPicture back = io::read_png(dir / "snap.png");
  EXPECT_EQ(back.width, p.width);
  EXPECT_EQ(back.rgb, p.rgb);
}

}  // namespace
}  // namespace modir::report
