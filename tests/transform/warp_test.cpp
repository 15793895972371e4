// Warping by a displacement field: the float kernel warp_linear (values, gradient, inside mask),
// label maps by one-hot interpolation, images of other voxel types, and resampling the field.

#include "modir/transform/warp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "modir/transform/warp_labels.h"
#include "support/test_support.h"

namespace modir::transform {
namespace {

// The world vector of a move by `voxels` index steps along the grid's own axes.
Vec3d voxel_steps(const Geometry& g, const Vec3d& voxels) {
  return g.index_to_world_matrix() * voxels;
}

DisplacementField constant_field(const Geometry& g, const Vec3d& world) {
  return DisplacementField(g, world.cast<float>());
}

bool in_grid(const Size3& size, std::int64_t i, std::int64_t j, std::int64_t k) {
  return i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < size[2];
}

template <typename Body>
void for_each_voxel(const Size3& size, Body&& body) {
  for (std::int64_t k = 0; k < size[2]; ++k)
    for (std::int64_t j = 0; j < size[1]; ++j)
      for (std::int64_t i = 0; i < size[0]; ++i) body(i, j, k);
}

// ---------------------------------------------------------------------------------------------
// warp_linear

TEST(WarpLinear, WholeVoxelTranslationOnObliqueGridShiftsTheImage) {
  const Geometry g = test::oblique_geometry({7, 5, 4});
  const Image<float> moving = test::random_image<float>(g, -50.0, 50.0, 3);
  const DisplacementField u = constant_field(g, voxel_steps(g, {1, -1, 2}));
  Image<float> warped;
  Image<std::uint8_t> inside;
  warp_linear(moving, u, warped, nullptr, &inside);
  ASSERT_TRUE(warped.geometry().same_grid(g));
  int checked = 0;
  for_each_voxel(g.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    const bool expected_inside = in_grid(g.size, i + 1, j - 1, k + 2);
    EXPECT_EQ(inside(i, j, k), expected_inside ? 1 : 0) << i << "," << j << "," << k;
    if (expected_inside) {
      EXPECT_NEAR(warped(i, j, k), moving(i + 1, j - 1, k + 2), 1e-3);
      ++checked;
    }
  });
  EXPECT_EQ(checked, 6 * 4 * 2);
}

TEST(WarpLinear, IdentityFieldReproducesTheImage) {
  const Geometry g = test::oblique_geometry({6, 5, 4});
  const Image<float> moving = test::random_image<float>(g, -1000.0, 1000.0, 5);
  Image<float> warped;
  Image<std::uint8_t> inside;
  warp_linear(moving, DisplacementField(g), warped, nullptr, &inside);
  for (std::int64_t v = 0; v < moving.voxel_count(); ++v) {
    EXPECT_NEAR(warped.data()[v], moving.data()[v], 1e-3);
    EXPECT_EQ(inside.data()[v], 1);
  }
}

// Samples up to half a voxel beyond the outer voxel centres are inside; further out they are not.
TEST(WarpLinear, InsideMaskEndsHalfAVoxelBeyondTheGrid) {
  const Geometry g = test::oblique_geometry({5, 4, 3});
  const Image<float> moving = test::random_image<float>(g, 0.0, 1.0, 7);
  Image<float> warped;
  Image<std::uint8_t> inside;
  for (const double shift : {0.45, -0.45, 0.55, -0.55}) {
    warp_linear(moving, constant_field(g, voxel_steps(g, {0, shift, 0})), warped, nullptr, &inside);
    for_each_voxel(g.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
      const double index = static_cast<double>(j) + shift;
      const bool expected = index >= -0.5 && index <= static_cast<double>(g.size[1]) - 0.5;
      EXPECT_EQ(inside(i, j, k), expected ? 1 : 0) << "shift " << shift << " j " << j;
      // Outside, the nearest edge voxel's value is extended.
      if (!expected) {
        EXPECT_NEAR(warped(i, j, k), moving(i, shift > 0 ? 3 : 0, k), 1e-5);
      }
    });
  }
}

// The gradient is the exact derivative of the warped value with respect to u: compare with central
// differences, with every sample kept away from voxel boundaries (where trilinear interpolation
// has a kink) by landing 0.3 to 0.7 of a voxel past a voxel centre.
TEST(WarpLinear, GradientMatchesFiniteDifferencesOfWarpedValues) {
  const Geometry g = test::oblique_geometry({6, 5, 4});
  const Image<float> moving = test::random_image<float>(g, 0.0, 1.0, 11);
  DisplacementField u(g);
  std::mt19937 rng(12);
  std::uniform_real_distribution<double> fraction(0.3, 0.7);
  for (Vec3f& d : u.buffer()) {
    d = voxel_steps(g, {fraction(rng), fraction(rng), fraction(rng)}).cast<float>();
  }
  Image<float> warped;
  DisplacementField gradient;
  warp_linear(moving, u, warped, &gradient);

  const float h = 0.01f;  // mm: at most 0.0125 voxel, so no sample crosses a voxel boundary
  double largest = 0.0;
  for (std::size_t axis = 0; axis < 3; ++axis) {
    DisplacementField plus = u, minus = u;
    for (Vec3f& d : plus.buffer()) d[axis] += h;
    for (Vec3f& d : minus.buffer()) d[axis] -= h;
    Image<float> warped_plus, warped_minus;
    warp_linear(moving, plus, warped_plus);
    warp_linear(moving, minus, warped_minus);
    for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
      // The perturbation actually applied, after float rounding of u.
      const double step = static_cast<double>(plus.data()[v][axis]) - minus.data()[v][axis];
      const double fd =
          (static_cast<double>(warped_plus.data()[v]) - warped_minus.data()[v]) / step;
      EXPECT_NEAR(gradient.data()[v][axis], fd, 1e-3) << "voxel " << v << " axis " << axis;
      largest = std::max(largest, std::abs(fd));
    }
  }
  EXPECT_GT(largest, 0.1);  // the comparison is not between zeros
}

// The overlap weight along the shifted axis: 1 up to the outer voxel centres (and 1/1000 voxel
// beyond), then falling linearly to 0 at the grid's edge; the same on the high side.
TEST(WarpLinear, OverlapWeightFallsToZeroOverTheEdgesHalfVoxel) {
  const Geometry g = test::oblique_geometry({5, 4, 3});
  const Image<float> moving = test::random_image<float>(g, 0.0, 1.0, 7);
  Image<float> warped;
  OverlapWeights overlap;
  for (const double shift : {0.0, 0.2, -0.2, 0.45, -0.45, 0.55, -0.55, 1.3}) {
    warp_linear(moving, constant_field(g, voxel_steps(g, {0, shift, 0})), warped, nullptr,
                overlap);
    std::set<std::int64_t> ramp(overlap.ramp_voxels.begin(), overlap.ramp_voxels.end());
    for_each_voxel(g.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
      const double p = static_cast<double>(j) + shift;
      const double last = static_cast<double>(g.size[1] - 1);
      const double ramp_width = 0.5 - 1e-3;
      const double expected = p < 0.0    ? std::clamp((p + 0.5) / ramp_width, 0.0, 1.0)
                              : p > last ? std::clamp((last + 0.5 - p) / ramp_width, 0.0, 1.0)
                                         : 1.0;
      EXPECT_NEAR(overlap.weight(i, j, k), expected, 1e-5) << "shift " << shift << " j " << j;
      const bool in_ramp = expected > 0.0 && expected < 1.0;
      EXPECT_EQ(ramp.count(overlap.weight.linear_index(i, j, k)), in_ramp ? 1u : 0u)
          << "shift " << shift;
    });
  }
}

// d weight / d u against central differences, at samples spread over the edge's half voxel on
// every face and corner of an oblique grid.
TEST(WarpLinear, OverlapWeightGradientMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({6, 5, 4});
  const Image<float> moving = test::random_image<float>(g, 0.0, 1.0, 11);
  DisplacementField u(g);
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> ramp(0.1, 0.4);
  for_each_voxel(g.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    // Outer voxels move outwards into the ramp; inner ones stay put.
    const std::int64_t index[3] = {i, j, k};
    Vec3d steps{0, 0, 0};
    for (int a = 0; a < 3; ++a) {
      if (index[a] == 0) steps[a] = -ramp(rng);
      if (index[a] == g.size[a] - 1) steps[a] = ramp(rng);
    }
    u(i, j, k) = voxel_steps(g, steps).cast<float>();
  });
  Image<float> warped;
  OverlapWeights overlap;
  warp_linear(moving, u, warped, nullptr, overlap);
  ASSERT_FALSE(overlap.ramp_voxels.empty());
  DisplacementField analytic(g, Vec3f{0, 0, 0});
  for (std::size_t r = 0; r < overlap.ramp_voxels.size(); ++r)
    analytic.data()[overlap.ramp_voxels[r]] = overlap.ramp_gradient[r];

  const float h = 0.01f;
  double largest = 0.0;
  for (std::size_t axis = 0; axis < 3; ++axis) {
    DisplacementField plus = u, minus = u;
    for (Vec3f& d : plus.buffer()) d[axis] += h;
    for (Vec3f& d : minus.buffer()) d[axis] -= h;
    OverlapWeights at_plus, at_minus;
    warp_linear(moving, plus, warped, nullptr, at_plus);
    warp_linear(moving, minus, warped, nullptr, at_minus);
    for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
      const double step = static_cast<double>(plus.data()[v][axis]) - minus.data()[v][axis];
      const double fd =
          (static_cast<double>(at_plus.weight.data()[v]) - at_minus.weight.data()[v]) / step;
      EXPECT_NEAR(analytic.data()[v][axis], fd, 1e-3) << "voxel " << v << " axis " << axis;
      largest = std::max(largest, std::abs(fd));
    }
  }
  EXPECT_GT(largest, 0.1);
}

// ---------------------------------------------------------------------------------------------
// warp_labels and warp_labels_nearest

TEST(WarpLabels, ValuesStayInTheInputLabelSet) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  const std::uint16_t values[] = {0, 3, 7, 12};
  LabelMap moving(g);
  std::mt19937 rng(21);
  for (std::uint16_t& l : moving.buffer()) l = values[rng() % 4];
  DisplacementField u(g);
  std::uniform_real_distribution<float> mm(-2.0f, 2.0f);
  for (Vec3f& d : u.buffer()) d = {mm(rng), mm(rng), mm(rng)};
  const std::set<std::uint16_t> allowed = {0, 3, 7, 12, 99};
  std::set<std::uint16_t> seen;
  for (const LabelMap& out : {warp_labels(moving, u, 99), warp_labels_nearest(moving, u, 99)}) {
    for (const std::uint16_t l : out.buffer()) {
      EXPECT_TRUE(allowed.count(l)) << l;
      seen.insert(l);
    }
  }
  EXPECT_GE(seen.size(), 4u);  // mixing happened, yet no value between labels appeared
}

TEST(WarpLabels, IdentityFieldReproducesTheLabels) {
  const Geometry g = test::oblique_geometry({7, 6, 5});
  LabelMap moving(g);
  std::mt19937 rng(22);
  for (std::uint16_t& l : moving.buffer()) l = static_cast<std::uint16_t>(rng() % 5);
  EXPECT_EQ(warp_labels(moving, DisplacementField(g), 77).buffer(), moving.buffer());
  EXPECT_EQ(warp_labels_nearest(moving, DisplacementField(g), 77).buffer(), moving.buffer());
}

TEST(WarpLabels, WholeVoxelTranslationShiftsTheLabels) {
  const Geometry g = test::oblique_geometry({7, 5, 4});
  LabelMap moving(g);
  std::mt19937 rng(23);
  for (std::uint16_t& l : moving.buffer()) l = static_cast<std::uint16_t>(1 + rng() % 6);
  const DisplacementField u = constant_field(g, voxel_steps(g, {-2, 1, 1}));
  for (const LabelMap& out : {warp_labels(moving, u, 0), warp_labels_nearest(moving, u, 0)}) {
    for_each_voxel(g.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
      const std::uint16_t expected =
          in_grid(g.size, i - 2, j + 1, k + 1) ? moving(i - 2, j + 1, k + 1) : 0;
      EXPECT_EQ(out(i, j, k), expected) << i << "," << j << "," << k;
    });
  }
}

// A 2x2x2 moving block sampled at one fixed voxel displaced to continuous index `index`.
std::uint16_t sample_block(const std::uint16_t (&block)[8], const Vec3d& index, bool nearest) {
  const Geometry g = test::oblique_geometry({2, 2, 2});
  LabelMap moving(g);
  std::copy(std::begin(block), std::end(block), moving.data());
  DisplacementField u(g);
  u(0, 0, 0) = voxel_steps(g, index).cast<float>();
  return (nearest ? warp_labels_nearest(moving, u) : warp_labels(moving, u))(0, 0, 0);
}

TEST(WarpLabels, HalfVoxelShiftPicksTheMajority) {
  // Half a voxel along every axis: each of the 8 voxels weighs 1/8.
  EXPECT_EQ(sample_block({9, 9, 2, 9, 2, 9, 2, 9}, {0.5, 0.5, 0.5}, false), 9);
  EXPECT_EQ(sample_block({2, 2, 2, 9, 2, 9, 2, 9}, {0.5, 0.5, 0.5}, false), 2);
  // Equal votes go to the smaller label, whichever voxel holds it.
  EXPECT_EQ(sample_block({9, 4, 9, 4, 9, 4, 9, 4}, {0.5, 0.5, 0.5}, false), 4);
  EXPECT_EQ(sample_block({4, 9, 4, 9, 4, 9, 4, 9}, {0.5, 0, 0}, false), 4);
  EXPECT_EQ(sample_block({9, 4, 9, 4, 9, 4, 9, 4}, {0.5, 0, 0}, false), 4);
  // Weights, not counts: 0.3 of a voxel from voxel 0 along x leaves it 0.7 of the vote.
  EXPECT_EQ(sample_block({6, 1, 6, 1, 6, 1, 6, 1}, {0.3, 0.5, 0.5}, false), 6);
}

// Near voxel (0,0,0) it has the largest single weight (0.6^3 = 0.216), yet the other seven voxels
// together hold 0.784 for one label: one-hot interpolation follows the label, nearest the voxel.
TEST(WarpLabels, SummedVotesBeatTheNearestVoxel) {
  const std::uint16_t block[8] = {1, 5, 5, 5, 5, 5, 5, 5};
  EXPECT_EQ(sample_block(block, {0.4, 0.4, 0.4}, false), 5);
  EXPECT_EQ(sample_block(block, {0.4, 0.4, 0.4}, true), 1);
}

TEST(WarpLabels, OutsideTheMovingGridGetsTheOutsideLabel) {
  const std::uint16_t block[8] = {3, 3, 3, 3, 3, 3, 3, 3};
  EXPECT_EQ(sample_block(block, {1.45, 0, 0}, false), 3);  // within half a voxel: edge label
  EXPECT_EQ(sample_block(block, {1.55, 0, 0}, false), 0);
  EXPECT_EQ(sample_block(block, {0, -0.55, 0}, true), 0);
  EXPECT_EQ(sample_block(block, {0, 0, -0.45}, true), 3);
}

// ---------------------------------------------------------------------------------------------
// warp_image for other voxel types

TEST(WarpImage, IntegerImagesAreRoundedAndFilledOutside) {
  const Geometry g = test::oblique_geometry({6, 5, 4});
  const Image<std::int16_t> moving = test::random_image<std::int16_t>(g, -1000.0, 1000.0, 31);
  const DisplacementField u = constant_field(g, voxel_steps(g, {0.3, 0, -0.7}));
  Image<float> linear;
  Image<std::uint8_t> inside;
  Image<float> moving_float(g);
  std::copy(moving.buffer().begin(), moving.buffer().end(), moving_float.data());
  warp_linear(moving_float, u, linear, nullptr, &inside);
  const Image<std::int16_t> warped = warp_image(moving, u, -1024.0);
  int outside = 0;
  for (std::int64_t v = 0; v < g.voxel_count(); ++v) {
    if (inside.data()[v]) {
      EXPECT_EQ(warped.data()[v], static_cast<std::int16_t>(std::nearbyint(linear.data()[v])));
    } else {
      EXPECT_EQ(warped.data()[v], -1024);
      ++outside;
    }
  }
  EXPECT_EQ(outside, 6 * 5);  // the k = 0 slice samples at index -0.7

  // A fill value beyond the type's range saturates, as every conversion in modir does.
  const Image<std::uint8_t> bytes = test::random_image<std::uint8_t>(g, 0.0, 200.0, 32);
  const Image<std::uint8_t> warped_bytes = warp_image(bytes, u, 300.0);
  EXPECT_EQ(warped_bytes(0, 0, 0), 255);
  EXPECT_EQ(warp_image_nearest(bytes, u, -5.0)(0, 0, 0), 0);
}

TEST(WarpImage, IdentityKeepsFloatAndDoubleImages) {
  const Geometry g = test::oblique_geometry({5, 4, 3});
  const Image<double> moving = test::random_image<double>(g, -3.0, 3.0, 33);
  const Image<double> warped = warp_image(moving, DisplacementField(g), 0.0);
  for (std::int64_t v = 0; v < g.voxel_count(); ++v)
    EXPECT_NEAR(warped.data()[v], moving.data()[v], 1e-6);  // through float32
  EXPECT_EQ(warp_image_nearest(moving, DisplacementField(g)).buffer(), moving.buffer());
}

// ---------------------------------------------------------------------------------------------
// resample_field

// Trilinear interpolation reproduces an affine function exactly, on any grid inside the field's.
TEST(ResampleField, AffineFieldIsReproducedOnAnObliqueGrid) {
  const Geometry reference = test::oblique_geometry({7, 5, 4});
  Vec3d lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
  for (int c = 0; c < 8; ++c) {
    const Vec3d corner =
        reference.index_to_world({(c & 1) ? 6.0 : 0.0, (c & 2) ? 4.0 : 0.0, (c & 4) ? 3.0 : 0.0});
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], corner[a]);
      hi[a] = std::max(hi[a], corner[a]);
    }
  }
  Geometry field_grid;
  field_grid.spacing = {1.5, 1.7, 2.0};
  field_grid.origin = lo - Vec3d{2, 2, 2};
  for (int a = 0; a < 3; ++a) {
    field_grid.size[a] =
        static_cast<std::int64_t>(std::ceil((hi[a] - lo[a] + 4) / field_grid.spacing[a])) + 1;
  }
  Mat3 a;
  a.m = {{{0.02, -0.01, 0.005}, {0.01, 0.03, -0.02}, {-0.015, 0.0, 0.01}}};
  const Vec3d b{1.5, -2.0, 0.5};
  const auto affine = [&](const Vec3d& x) { return a * (x - field_grid.origin) + b; };
  DisplacementField u(field_grid);
  for_each_voxel(field_grid.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    u(i, j, k) = affine(field_grid.index_to_world({double(i), double(j), double(k)})).cast<float>();
  });
  const DisplacementField resampled = resample_field(u, reference);
  ASSERT_TRUE(resampled.geometry().same_grid(reference));
  for_each_voxel(reference.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    const Vec3d expected = affine(reference.index_to_world({double(i), double(j), double(k)}));
    for (std::size_t c = 0; c < 3; ++c) EXPECT_NEAR(resampled(i, j, k)[c], expected[c], 1e-4);
  });
}

TEST(ResampleField, BeyondTheGridTheEdgeVectorIsExtended) {
  Geometry field_grid;
  field_grid.size = {4, 3, 2};
  DisplacementField u(field_grid);
  for (std::int64_t v = 0; v < u.voxel_count(); ++v) u.data()[v] = {float(v), 2.0f * v, -1.0f};
  Geometry far = field_grid;
  far.size = {1, 1, 1};
  far.origin = field_grid.index_to_world({9.0, 1.0, 1.0});
  EXPECT_EQ(resample_field(u, far)(0, 0, 0), u(3, 1, 1));
}

// ---------------------------------------------------------------------------------------------
// Against an analytic answer: two spherical organs and a smooth intensity blob in the moving
// image, a smooth wave as u, a fixed grid that is oblique and anisotropic. The warped result at x
// must be the moving scene at x + u(x).

struct Scene {
  Vec3d centre{10.0, -20.0, 35.0};
  Vec3d second{10.0, -6.0, 35.0};
  double radius = 10.0, second_radius = 6.0, sigma = 6.0;

  double intensity(const Vec3d& y) const {
    const Vec3d d = y - centre;
    return 100.0 * std::exp(-d.dot(d) / (2 * sigma * sigma));
  }
  std::uint16_t label(const Vec3d& y) const {
    if ((y - centre).norm() < radius) return 1;
    if ((y - second).norm() < second_radius) return 2;
    return 0;
  }
  // Distance from y to the nearest organ surface.
  double surface_distance(const Vec3d& y) const {
    return std::min(std::abs((y - centre).norm() - radius),
                    std::abs((y - second).norm() - second_radius));
  }
};

Vec3d wave(const Vec3d& x) {
  const double k = 2 * M_PI / 40.0;
  return {3.0 * std::sin(k * x.y), 3.0 * std::cos(k * x.z), 2.0 * std::sin(k * x.x)};
}

TEST(WarpComposition, WarpedSceneMatchesTheSceneAtDisplacedPoints) {
  const Scene scene;
  Geometry moving_grid;
  moving_grid.size = {64, 72, 60};
  moving_grid.origin = scene.centre - Vec3d{31.5, 28.5, 29.5};
  Image<float> moving(moving_grid);
  LabelMap moving_labels(moving_grid);
  for_each_voxel(moving_grid.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    const Vec3d y = moving_grid.index_to_world({double(i), double(j), double(k)});
    moving(i, j, k) = static_cast<float>(scene.intensity(y));
    moving_labels(i, j, k) = scene.label(y);
  });

  Geometry fixed_grid = test::oblique_geometry({30, 32, 20});
  fixed_grid.spacing = {1.2, 1.3, 1.5};
  const Vec3d half_extent = fixed_grid.index_to_world_matrix() * Vec3d{14.5, 15.5, 9.5};
  fixed_grid.origin = scene.centre + Vec3d{0, 7, 0} - half_extent;
  DisplacementField u(fixed_grid);
  for_each_voxel(fixed_grid.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    u(i, j, k) = wave(fixed_grid.index_to_world({double(i), double(j), double(k)})).cast<float>();
  });

  Image<float> warped;
  Image<std::uint8_t> inside;
  warp_linear(moving, u, warped, nullptr, &inside);
  const LabelMap labels = warp_labels(moving_labels, u);
  const LabelMap nearest = warp_labels_nearest(moving_labels, u);
  std::int64_t overlap[3] = {0, 0, 0}, in_truth[3] = {0, 0, 0}, in_warped[3] = {0, 0, 0};
  for_each_voxel(fixed_grid.size, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    const Vec3d x = fixed_grid.index_to_world({double(i), double(j), double(k)});
    const Vec3d y = x + u(i, j, k).cast<double>();
    ASSERT_EQ(inside(i, j, k), 1);
    // Trilinear error bound h^2/8 * (|f_xx| + |f_yy| + |f_zz|) <= 1.04 for this blob at 1 mm.
    EXPECT_NEAR(warped(i, j, k), scene.intensity(y), 1.1) << i << "," << j << "," << k;
    const std::uint16_t truth = scene.label(y);
    // A wrong vote needs a moving voxel cell straddling a surface: within one cell diagonal.
    if (labels(i, j, k) != truth) {
      EXPECT_LT(scene.surface_distance(y), std::sqrt(3.0));
    }
    // Nearest voxel is wrong only within half a diagonal of the surface.
    if (nearest(i, j, k) != truth) {
      EXPECT_LT(scene.surface_distance(y), std::sqrt(3.0) / 2);
    }
    ++in_truth[truth];
    ++in_warped[labels(i, j, k)];
    overlap[truth] += labels(i, j, k) == truth;
  });
  for (int l = 1; l <= 2; ++l) {
    ASSERT_GT(in_truth[l], 200) << "organ " << l << " should lie in the fixed grid";
    const double dice = 2.0 * overlap[l] / static_cast<double>(in_truth[l] + in_warped[l]);
    EXPECT_GT(dice, 0.95) << "organ " << l;
  }
}

}  // namespace
}  // namespace modir::transform
