#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "modir/core/convert_pixels.h"
#include "modir/core/parallel.h"
#include "modir/core/point_set.h"

namespace modir {
namespace {

Geometry line_geometry(std::int64_t n) {
  Geometry g;
  g.size = {n, 1, 1};
  return g;
}

TEST(ConvertPixels, RoundsAndSaturatesAndCounts) {
  Image<float> in(line_geometry(6));
  in.buffer() = {-40000.f, -1.5f, 2.5f, 3.4f, 40000.f, std::nanf("")};
  ConversionLoss loss;
  const Image<std::int16_t> out = convert_pixels<std::int16_t>(in, &loss);
  EXPECT_EQ(out.buffer()[0], -32768);
  EXPECT_EQ(out.buffer()[1], -2);  // round half to even
  EXPECT_EQ(out.buffer()[2], 2);
  EXPECT_EQ(out.buffer()[3], 3);
  EXPECT_EQ(out.buffer()[4], 32767);
  EXPECT_EQ(out.buffer()[5], 0);
  EXPECT_EQ(loss.clamped, 2);
  EXPECT_EQ(loss.non_finite, 1);
}

TEST(ConvertPixels, RunTimeTargetKeepsGeometry) {
  Image<std::uint8_t> in(line_geometry(3));
  in.buffer() = {0, 128, 255};
  const AnyImage out = convert_pixels(AnyImage(in), PixelType::kFloat64);
  ASSERT_EQ(pixel_type_of(out), PixelType::kFloat64);
  EXPECT_EQ(std::get<Image<double>>(out).buffer()[2], 255.0);
  EXPECT_EQ(geometry_of(out).size, in.geometry().size);
}

TEST(PixelType, NamesRoundTrip) {
  for (PixelType t : {PixelType::kUInt8, PixelType::kInt16, PixelType::kUInt16, PixelType::kInt32,
                      PixelType::kFloat32, PixelType::kFloat64}) {
    EXPECT_EQ(parse_pixel_type(pixel_type_name(t)), t);
  }
  EXPECT_FALSE(parse_pixel_type("int64").has_value());
}

TEST(ParallelFor, VisitsEverySliceOnceAndRethrows) {
  std::vector<int> visits(50, 0);
  parallel_for_slices(50, [&](std::int64_t z) { visits[static_cast<std::size_t>(z)] += 1; });
  for (int v : visits) EXPECT_EQ(v, 1);
  EXPECT_THROW(parallel_for_slices(10,
                                   [](std::int64_t z) {
                                     if (z == 7) throw std::runtime_error("slice 7");
                                   }),
               std::runtime_error);
}

TEST(PointPairs, PairsByIdAndRejectsUnmatched) {
  PointSet fixed{{{"a", {1, 2, 3}}, {"b", {4, 5, 6}}}};
  PointSet moving{{{"b", {40, 50, 60}}, {"a", {10, 20, 30}}}};
  const PointPairs pairs = pair_by_id(fixed, moving);
  ASSERT_EQ(pairs.ids.size(), 2u);
  EXPECT_EQ(pairs.ids[0], "a");
  EXPECT_EQ(pairs.moving[0], (Vec3d{10, 20, 30}));
  EXPECT_EQ(pairs.moving[1], (Vec3d{40, 50, 60}));
  moving.points.pop_back();
  EXPECT_THROW(pair_by_id(fixed, moving), Error);
}

}  // namespace
}  // namespace modir
