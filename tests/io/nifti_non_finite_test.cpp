// NaN and infinite voxels in NIfTI files: ITK 5.2 reads them as 0; modir must see them, in every
// scaling convention, in float32 and float64, in scalar images and displacement fields.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

constexpr float kInf = std::numeric_limits<float>::infinity();

Image<float> with_non_finite() {
  Geometry g;
  g.size = {5, 4, 3};
  g.spacing = {1.0, 1.5, 2.0};
  Image<float> image(g, 3.0f);
  image(1, 1, 1) = std::nanf("");
  image(2, 3, 0) = kInf;
  image(4, 0, 2) = -kInf;
  return image;
}

Image<float> read_keeping(const fs::path& path) {
  ReadOptions keep;
  keep.non_finite = NonFinitePolicy::kKeep;
  return read_image_as<float>(path, keep);
}

// Sets scl_slope and scl_inter (NIfTI-1 header offsets 112 and 116) of an uncompressed .nii.
void set_scaling(const fs::path& path, float slope, float intercept) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(112);
  f.write(reinterpret_cast<const char*>(&slope), 4);
  f.write(reinterpret_cast<const char*>(&intercept), 4);
}

TEST(NiftiNonFinite, NanAndInfinitySurviveInCompressedAndPlainFiles) {
  test::TempDir dir;
  const Image<float> image = with_non_finite();
  for (const char* name : {"a.nii.gz", "a.nii"}) {
    write_image(image, dir / name);
    const Image<float> back = read_keeping(dir / name);
    EXPECT_TRUE(std::isnan(back(1, 1, 1))) << name;
    EXPECT_EQ(back(2, 3, 0), kInf) << name;
    EXPECT_EQ(back(4, 0, 2), -kInf) << name;
    EXPECT_EQ(back(0, 0, 0), 3.0f) << name;
    // The default policy refuses the file, naming it, as for every other format.
    try {
      read_image(dir / name);
      FAIL() << name << ": non-finite voxels were accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
    }
  }
}

TEST(NiftiNonFinite, Float64AndEveryScalingConvention) {
  test::TempDir dir;
  Image<double> doubles(with_non_finite().geometry(), 3.0);
  doubles(1, 1, 1) = std::nan("");
  doubles(2, 3, 0) = -std::numeric_limits<double>::infinity();
  write_image(doubles, dir / "d.nii");
  ReadOptions keep;
  keep.non_finite = NonFinitePolicy::kKeep;
  const auto back = read_image_as<double>(dir / "d.nii", keep);
  EXPECT_TRUE(std::isnan(back(1, 1, 1)));
  EXPECT_EQ(back(2, 3, 0), -std::numeric_limits<double>::infinity());

  const Image<float> image = with_non_finite();
  // slope 2, intercept 1: finite values are scaled; NaN stays NaN, -inf stays -inf.
  write_image(image, dir / "s.nii");
  set_scaling(dir / "s.nii", 2.0f, 1.0f);
  const Image<float> scaled = read_keeping(dir / "s.nii");
  EXPECT_EQ(scaled(0, 0, 0), 7.0f);
  EXPECT_TRUE(std::isnan(scaled(1, 1, 1)));
  EXPECT_EQ(scaled(4, 0, 2), -kInf);
  // slope NaN (what nibabel writes for float data) and slope 0 both mean "no scaling".
  for (const float slope : {std::nanf(""), 0.0f}) {
    write_image(image, dir / "n.nii");
    set_scaling(dir / "n.nii", slope, std::nanf(""));
    const Image<float> plain = read_keeping(dir / "n.nii");
    EXPECT_EQ(plain(0, 0, 0), 3.0f);
    EXPECT_TRUE(std::isnan(plain(1, 1, 1)));
    EXPECT_EQ(plain(2, 3, 0), kInf);
  }
}

TEST(NiftiNonFinite, ANanInADisplacementFieldIsRefused) {
  test::TempDir dir;
  Geometry g;
  g.size = {4, 4, 4};
  DisplacementField u(g, Vec3f{1.0f, 2.0f, 3.0f});
  u(2, 1, 3).y = std::nanf("");
  write_displacement_field(u, dir / "u.nii.gz");
  try {
    read_displacement_field(dir / "u.nii.gz");
    FAIL() << "a field with NaN was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace modir::io
