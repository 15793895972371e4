#include "modir/io/nifti_header.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io::detail {
namespace {

TEST(NiftiHeaderReader, ReadsTheFieldsModirWritesPlainAndCompressed) {
  test::TempDir dir;
  Geometry g;
  g.size = {5, 4, 3};
  g.spacing = {1.5, 2.0, 3.0};
  g.origin = {-10.0, 20.0, 5.0};
  const Image<float> image(g, 7.0f);
  for (const char* name : {"a.nii", "a.nii.gz"}) {
    write_image(image, dir / name);
    const std::optional<NiftiHeader> h = read_nifti_header(dir / name);
    ASSERT_TRUE(h) << name;
    EXPECT_FALSE(h->nifti2);
    EXPECT_FALSE(h->swapped);
    EXPECT_EQ(h->datatype, 16);  // float32
    EXPECT_EQ(h->rank, 3);
    EXPECT_EQ(h->dims[0], 5);
    EXPECT_EQ(h->dims[1], 4);
    EXPECT_EQ(h->dims[2], 3);
    EXPECT_EQ(h->value_count(), 60u);
    EXPECT_DOUBLE_EQ(h->pixdim[0], 1.5);
    EXPECT_DOUBLE_EQ(h->pixdim[2], 3.0);
    ASSERT_TRUE(h->voxel_offset());
    EXPECT_GE(*h->voxel_offset(), 348u);
    // The sform's translation is the origin in RAS (NIfTI's frame): x and y flip sign from LPS.
    if (h->sform_code > 0) {
      EXPECT_DOUBLE_EQ(h->srow[3], 10.0);
      EXPECT_DOUBLE_EQ(h->srow[7], -20.0);
      EXPECT_DOUBLE_EQ(h->srow[11], 5.0);
    }
  }
}

TEST(NiftiHeaderReader, OtherFilesAndDamagedOffsetsGiveNothing) {
  test::TempDir dir;
  {
    std::ofstream f(dir / "short.nii", std::ios::binary);
    f << "not a header";
  }
  EXPECT_FALSE(read_nifti_header(dir / "short.nii"));
  EXPECT_FALSE(read_nifti_header(dir / "missing.nii"));
  NiftiHeader h;
  h.vox_offset_real = std::nan("");
  EXPECT_FALSE(h.voxel_offset());
  h.vox_offset_real = -4.0;
  EXPECT_FALSE(h.voxel_offset());
  h.vox_offset_real = 1e30;
  EXPECT_FALSE(h.voxel_offset());
  h.nifti2 = true;
  h.vox_offset_integer = -1;
  EXPECT_FALSE(h.voxel_offset());
  h.vox_offset_integer = 544;
  EXPECT_EQ(h.voxel_offset(), 544u);
  h.rank = 9;
  EXPECT_EQ(h.value_count(), 0u);
}

}  // namespace
}  // namespace modir::io::detail
