// Where the image terms count: the user's mask, the patient's outline on a CT, or everywhere.

#include "modir/register/image_mask.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modir::reg {
namespace {

// 40 x 40 x 30 voxels of 2 mm around the origin holding a ball of radius 24 mm: `inside` in the
// ball, `outside` around it.
Image<float> ball_scan(float inside, float outside) {
  Geometry g;
  g.size = {40, 40, 30};
  g.spacing = {2, 2, 2};
  g.origin = {-39, -39, -29};
  Image<float> image(g);
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        image(i, j, k) = p.norm() < 24.0 ? inside : outside;
      }
  return image;
}

double ball_share(const Image<float>& image) {
  const Geometry& g = image.geometry();
  std::int64_t n = 0;
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i)
        n += g.index_to_world({double(i), double(j), double(k)}).norm() < 24.0;
  return double(n) / double(g.voxel_count());
}

TEST(ImageTermMask, IsThePatientsOutlineOnACt) {
  RegistrationInputs in;
  in.fixed = ball_scan(40.0f, -1000.0f);
  in.moving = in.fixed;
  const ImageTermMask m = image_term_mask(in, ImageTermConfig{});  // "body" is the default
  ASSERT_TRUE(m.mask);
  EXPECT_EQ(m.source, "body_outline");
  EXPECT_TRUE(m.note.empty());
  // The opening (5 mm) rounds off a few voxels of the ball's sharp edge.
  EXPECT_NEAR(m.share, ball_share(in.fixed), 0.002);
  EXPECT_EQ(m.mask->geometry().size, in.fixed.geometry().size);
  // The centre is in, a corner out.
  EXPECT_EQ((*m.mask)(20, 20, 15), 1);
  EXPECT_EQ((*m.mask)(0, 0, 0), 0);
}

TEST(ImageTermMask, CountsEverywhereOnAScanNotInHuAndSaysWhy) {
  RegistrationInputs in;
  in.fixed = ball_scan(800.0f, 20.0f);  // an MR: no air at -1000
  in.moving = in.fixed;
  const ImageTermMask m = image_term_mask(in, ImageTermConfig{});
  EXPECT_FALSE(m.mask);
  EXPECT_EQ(m.source, "none");
  EXPECT_EQ(m.share, 1.0);
  EXPECT_NE(m.note.find("HU"), std::string::npos) << m.note;
}

TEST(ImageTermMask, NoneCountsEverywhere) {
  RegistrationInputs in;
  in.fixed = ball_scan(40.0f, -1000.0f);
  in.moving = in.fixed;
  ImageTermConfig config;
  config.mask = "none";
  const ImageTermMask m = image_term_mask(in, config);
  EXPECT_FALSE(m.mask);
  EXPECT_EQ(m.source, "none");
  EXPECT_TRUE(m.note.empty());
}

TEST(ImageTermMask, TheUsersMaskWinsAndIsNotCopied) {
  RegistrationInputs in;
  in.fixed = ball_scan(40.0f, -1000.0f);
  in.moving = in.fixed;
  Image<std::uint8_t> mask(in.fixed.geometry(), 0);
  for (std::int64_t i = 0; i < 10; ++i) mask(i, 0, 0) = 1;
  in.fixed_mask = mask;
  const ImageTermMask m = image_term_mask(in, ImageTermConfig{});
  ASSERT_TRUE(m.mask);
  EXPECT_EQ(m.mask.get(), &*in.fixed_mask);
  EXPECT_EQ(m.source, "fixed_mask");
  EXPECT_NEAR(m.share, 10.0 / double(in.fixed.geometry().voxel_count()), 1e-15);
}

}  // namespace
}  // namespace modir::reg
