// register_images end to end on small synthetic volumes whose correspondence is known exactly:
// images sampled from one analytic function at mapped points, so the true displacement of every
// fixed point is a closed form (or a converging fixed-point iteration), not an estimate.

#include "modir/register/registration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "modir/evaluate/rigidity.h"
#include "modir/phantom/deformation.h"
#include "modir/register/rigidity_mask.h"
#include "modir/phantom/random.h"
#include "modir/transform/jacobian.h"
#include "modir/transform/warp_labels.h"
#include "support/test_support.h"

namespace modir::reg {
namespace {

// nx x ny x nz voxels of 2 mm centred on the world origin.
Geometry centred_grid(std::int64_t nx, std::int64_t ny, std::int64_t nz) {
  Geometry g;
  g.size = {nx, ny, nz};
  g.spacing = {2, 2, 2};
  g.origin = {-double(nx - 1), -double(ny - 1), -double(nz - 1)};
  return g;
}

// 40 x 40 x 30 voxels of 2 mm centred on the world origin: 80 x 80 x 60 mm.
Geometry small_grid() {
  return centred_grid(40, 40, 30);
}

// A smooth synthetic "body": an ellipsoid of soft tissue (0 HU) in air (-1000 HU) with a soft
// edge, holding seeded Gaussian blobs of -300..+400 HU that give the similarity something to
// lock on to everywhere inside.
class BlobBody {
 public:
  explicit BlobBody(std::uint64_t seed) {
    phantom::Rng rng(seed);
    while (centres_.size() < 80) {
      const Vec3d c{rng.uniform(-30, 30), rng.uniform(-27, 27), rng.uniform(-22, 22)};
      if (ellipsoid_radius(c) > 0.8) continue;
      centres_.push_back(c);
      widths_.push_back(rng.uniform(3.0, 6.0));
      const double a = rng.uniform(150, 400);
      amplitudes_.push_back(rng.chance(0.4) ? -a : a);
    }
  }

  double operator()(const Vec3d& p) const {
    // Edge about 2 mm wide, 1 at the centre, 0 well outside.
    const double body = 1.0 / (1.0 + std::exp((ellipsoid_radius(p) - 1.0) * 26.0 / 1.5));
    double value = -1000.0 + 1000.0 * body;
    for (std::size_t k = 0; k < centres_.size(); ++k) {
      const Vec3d d = p - centres_[k];
      value += body * amplitudes_[k] * std::exp(-d.dot(d) / (2 * widths_[k] * widths_[k]));
    }
    return value;
  }

  /// Normalised radius of the ellipsoid (1 on its surface).
  static double ellipsoid_radius(const Vec3d& p) {
    const Vec3d a{36, 33, 27};
    return std::sqrt((p.x / a.x) * (p.x / a.x) + (p.y / a.y) * (p.y / a.y) +
                     (p.z / a.z) * (p.z / a.z));
  }

 private:
  std::vector<Vec3d> centres_;
  std::vector<double> widths_, amplitudes_;
};

// An image whose voxel at world point y holds f(where(y)) plus seeded scanner noise of 20 HU.
// Real scans are never flat; noise keeps flat regions from being an artificial case.
Image<float> sample(const Geometry& g, const std::function<double(const Vec3d&)>& f,
                    const std::function<Vec3d(const Vec3d&)>& where, std::uint64_t noise_seed) {
  Image<float> image(g);
  phantom::Rng noise(noise_seed);
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d y = g.index_to_world({double(i), double(j), double(k)});
        image(i, j, k) = static_cast<float>(f(where(y)) + noise.normal(0.0, 20.0));
      }
  return image;
}

Vec3d identity(const Vec3d& y) {
  return y;
}

// A config that keeps these small cases fast: one affine level at 4 mm, two deformable levels
// (4 and 2 mm images, control points 16 and 8 mm).
RegistrationConfig fast_config() {
  RegistrationConfig c;
  c.initialisation.level_spacings_mm = {4.0};
  c.initialisation.iterations = 40;
  c.deformable.levels = 2;
  c.deformable.grid_spacing_mm = 8.0;
  c.deformable.finest_image_spacing_mm = 2.0;
  c.deformable.iterations = {30, 20};
  // The blob body is no CT pelvis: its bright blobs (up to +400 HU) would pass for bone.
  c.rigidity.weight = 0.0;
  return c;
}

Vec3d field_at(const DisplacementField& u, std::int64_t i, std::int64_t j, std::int64_t k) {
  return u(i, j, k).cast<double>();
}

// The index of the voxel nearest to the world origin (the grid's centre) on small_grid().
constexpr std::int64_t kCi = 19, kCj = 19, kCk = 14;

// Identical images: every stage starts at its optimum and has to stay there, whatever the metric.
class IdenticalImages : public ::testing::TestWithParam<std::string> {};

TEST_P(IdenticalImages, GiveANearZeroFoldFreeField) {
  const BlobBody body(1);
  const Geometry g = small_grid();
  RegistrationInputs in;
  in.fixed = sample(g, body, identity, 101);
  in.moving = in.fixed;
  RegistrationConfig config = fast_config();
  config.image.metric = GetParam();
  const RegistrationResult r = register_images(in, config);
  EXPECT_EQ(r.model, "bspline");
  ASSERT_TRUE(r.grid.has_value());
  // rigid and affine at one level each, then two deformable levels
  ASSERT_EQ(r.levels.size(), 4u);
  EXPECT_EQ(r.levels[0].stage, "rigid");
  EXPECT_EQ(r.levels[1].stage, "affine");
  EXPECT_EQ(r.levels[2].stage, "bspline");
  EXPECT_EQ(r.levels[3].level, 1);
  EXPECT_GT(r.seconds, 0.0);

  // The maximum is taken over the body. In the air at the faces of the grid, LNCC's windows are
  // cut short and see noise alone, and its regularised correlation (variances plus a small
  // epsilon) is not stationary there: it drifts, which the mean over the whole grid bounds. The
  // noise-only voxels there correlate worse than the mean, so the overlap weight (which lets a
  // sample leave the moving scan continuously over the edge's half voxel) lets them drift out by
  // up to half a voxel of the level: 0.53 mm on average here, against 0.2 mm with the earlier
  // all-or-nothing mask, whose jumps the gradient did not see.
  const DisplacementField u = displacement_on(r, g);
  double largest = 0.0, sum = 0.0;
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const double length = field_at(u, i, j, k).norm();
        sum += length;
        const Vec3d x = g.index_to_world({double(i), double(j), double(k)});
        if (BlobBody::ellipsoid_radius(x) < 1.0) largest = std::max(largest, length);
      }
  EXPECT_LT(largest, 0.5);
  EXPECT_LT(sum / double(g.voxel_count()), GetParam() == "lncc" ? 0.6 : 0.2);
  EXPECT_EQ(transform::jacobian_statistics(transform::jacobian_determinant(u)).folded_voxels, 0);
}

INSTANTIATE_TEST_SUITE_P(Metrics, IdenticalImages, ::testing::Values("lncc", "ncc", "ssd", "mind"));

TEST(RegisterImages, AffineStagesRecoverATranslation) {
  const BlobBody body(2);
  const Geometry g = small_grid();
  const Vec3d shift{4, -3, 2};
  RegistrationInputs in;
  in.fixed = sample(g, body, identity, 101);
  // moving(y) = f(y - shift): the fixed point x is seen at x + shift in the moving image.
  in.moving = sample(
      g, body, [&](const Vec3d& y) { return y - shift; }, 102);
  RegistrationConfig config = fast_config();
  config.initialisation.mode = "none";  // the stages alone, not the centre of mass, find it
  config.initialisation.level_spacings_mm = {4.0, 2.0};
  config.deformable.model = "none";
  const RegistrationResult r = register_images(in, config);
  EXPECT_EQ(r.model, "none");
  EXPECT_FALSE(r.grid.has_value());

  const DisplacementField u = displacement_on(r, g);
  const Vec3d centre = g.index_to_world({double(kCi), double(kCj), double(kCk)});
  EXPECT_LT((field_at(u, kCi, kCj, kCk) - shift).norm(), 0.5);
  EXPECT_LT((r.affine.apply(centre) - centre - shift).norm(), 0.5);
  // The whole body moves as one: a point 20 mm off centre too.
  EXPECT_LT((field_at(u, kCi + 10, kCj - 8, kCk + 5) - shift).norm(), 0.75);
}

TEST(RegisterImages, BSplineStageRecoversASmoothDeformation) {
  const BlobBody body(3);
  const Geometry g = small_grid();
  // d: two smooth bumps of up to 6 mm; moving(y) = f(y - d(y)).
  phantom::GaussianBumps d;
  d.centres = {{-8, 4, 2}, {10, -6, -4}};
  d.amplitudes = {{4.5, -3.0, 2.0}, {-3.0, 4.0, -3.0}};
  d.widths = {15.0, 14.0};
  ASSERT_LT(d.gradient_bound(), 0.5);
  phantom::GaussianBumps minus_d = d;
  for (Vec3d& a : minus_d.amplitudes) a = -a;
  RegistrationInputs in;
  in.fixed = sample(g, body, identity, 101);
  in.moving = sample(
      g, body, [&](const Vec3d& y) { return minus_d.apply(y); }, 102);

  RegistrationConfig config = fast_config();
  config.initialisation.mode = "none";
  config.initialisation.rigid = false;
  config.initialisation.affine = false;
  config.deformable.iterations = {40, 30};
  const RegistrationResult r = register_images(in, config);
  ASSERT_EQ(r.levels.size(), 2u);  // the deformable levels alone

  // Truth: the fixed point x is the moving point y with y - d(y) = x.
  const DisplacementField u = displacement_on(r, g);
  double error = 0.0, motion = 0.0;
  std::int64_t count = 0;
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d x = g.index_to_world({double(i), double(j), double(k)});
        if (BlobBody::ellipsoid_radius(x) > 0.8) continue;
        const Vec3d truth = minus_d.invert(x) - x;
        error += (field_at(u, i, j, k) - truth).norm();
        motion += truth.norm();
        ++count;
      }
  ASSERT_GT(count, 5000);  // the body region
  error /= double(count);
  motion /= double(count);
  ::testing::Test::RecordProperty("mean_motion_mm", std::to_string(motion));
  ::testing::Test::RecordProperty("mean_error_mm", std::to_string(error));
  EXPECT_GT(motion, 1.5);  // there was something to recover
  EXPECT_LT(error, 1.0);
  EXPECT_LT(error, 0.4 * motion);
  EXPECT_EQ(transform::jacobian_statistics(transform::jacobian_determinant(u)).folded_voxels, 0);
}

TEST(RegisterImages, LandmarksAloneRecoverATranslation) {
  const BlobBody body(4);
  const Geometry g = small_grid();
  const Vec3d shift{4, -3, 2};
  RegistrationInputs in;
  // The images agree and carry no weight: only the landmarks say where things went.
  in.fixed = sample(g, body, identity, 101);
  in.moving = in.fixed;
  PointPairs pairs;
  phantom::Rng rng(9);
  for (int p = 0; p < 12; ++p) {
    const Vec3d x{rng.uniform(-30, 30), rng.uniform(-30, 30), rng.uniform(-22, 22)};
    pairs.ids.push_back("L" + std::to_string(p));
    pairs.fixed.push_back(x);
    pairs.moving.push_back(x + shift);
  }
  in.landmarks = pairs;
  RegistrationConfig config = fast_config();
  config.initialisation.mode = "none";
  config.image.weight = 0.0;
  config.guidance.landmark_weight = 1.0;
  const RegistrationResult r = register_images(in, config);

  const DisplacementField u = displacement_on(r, g);
  EXPECT_LT((field_at(u, kCi, kCj, kCk) - shift).norm(), 0.5);
  for (std::size_t p = 0; p < pairs.ids.size(); ++p) {
    const Vec3d x = pairs.fixed[p];
    const Vec3d mapped = r.affine.apply(x);
    EXPECT_LT((mapped - pairs.moving[p]).norm(), 0.5) << pairs.ids[p];
  }
  // The landmark term was the energy: it fell to nearly nothing.
  const LevelLog& last_affine = r.levels[1];
  ASSERT_EQ(last_affine.stage, "affine");
  const auto landmark =
      std::find_if(last_affine.end_terms.begin(), last_affine.end_terms.end(),
                   [](const TermValue& t) { return t.name == "landmark distance"; });
  ASSERT_NE(landmark, last_affine.end_terms.end());
  EXPECT_LT(landmark->value, 0.05);  // mm^2
}

// Pairs modir matched itself (--landmarks auto) guide under guidance.auto_landmark_weight, given
// ones under guidance.landmark_weight: the same pairs, flagged or not, get the one or the other.
TEST(RegisterImages, AutomaticLandmarksGuideUnderTheirOwnWeight) {
  const BlobBody body(4);
  const Geometry g = small_grid();
  RegistrationInputs in;
  in.fixed = sample(g, body, identity, 101);
  in.moving = in.fixed;
  PointPairs pairs;
  for (int p = 0; p < 6; ++p) {
    const Vec3d x{-20.0 + 8.0 * p, 4.0 * (p % 3) - 4.0, 3.0 * (p % 2)};
    pairs.ids.push_back("L" + std::to_string(p));
    pairs.fixed.push_back(x);
    pairs.moving.push_back(x + Vec3d{2, 0, 0});
  }
  in.landmarks = pairs;
  RegistrationConfig config = fast_config();
  config.initialisation.mode = "none";
  config.deformable.model = "none";
  config.guidance.landmark_weight = 0.3;
  config.guidance.auto_landmark_weight = 0.07;
  const auto landmark_weight_used = [&](bool automatic) {
    in.automatic_landmarks = automatic;
    const RegistrationResult r = register_images(in, config);
    for (const LevelLog& level : r.levels)
      for (const TermValue& t : level.end_terms)
        if (t.name == "landmark distance") return t.weight;
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(landmark_weight_used(false), 0.3);
  EXPECT_DOUBLE_EQ(landmark_weight_used(true), 0.07);
  EXPECT_DOUBLE_EQ(landmark_term_weight(config.guidance, in), 0.07);
  in.landmarks.reset();
  EXPECT_EQ(landmark_term_weight(config.guidance, in), 0.0);
}

// A round organ (label 3) that grows from 9 to 13 mm radius between the scans, inside a body
// (label 1): the label term pulls the surfaces together, and the result must not fold.
TEST(RegisterImages, LabelGuidedResultHasNoFolds) {
  const Geometry g = small_grid();
  const Vec3d organ{4, -2, 0};
  auto scan = [&](double radius) {
    return [=](const Vec3d& p) {
      const double r = (p - organ).norm();
      const double inside = 1.0 / (1.0 + std::exp((r - radius) / 1.0));
      const double in_body = 1.0 / (1.0 + std::exp((BlobBody::ellipsoid_radius(p) - 1) * 17.0));
      return -1000.0 + 1000.0 * in_body + 60.0 * inside;
    };
  };
  auto labels = [&](double radius) {
    LabelMap l(g);
    for (std::int64_t k = 0; k < g.size[2]; ++k)
      for (std::int64_t j = 0; j < g.size[1]; ++j)
        for (std::int64_t i = 0; i < g.size[0]; ++i) {
          const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
          l(i, j, k) = (p - organ).norm() < radius           ? 3
                       : BlobBody::ellipsoid_radius(p) < 1.0 ? 1
                                                             : 0;
        }
    return l;
  };
  RegistrationInputs in;
  in.fixed = sample(g, scan(9.0), identity, 101);
  in.moving = sample(g, scan(13.0), identity, 102);
  in.fixed_labels = labels(9.0);
  in.moving_labels = labels(13.0);
  RegistrationConfig config = fast_config();
  config.guidance.label_weight = 0.1;
  config.guidance.ignore_labels = {1};
  const RegistrationResult r = register_images(in, config);
  EXPECT_EQ(r.guidance_organs, (std::vector<std::string>{"3"}));

  const DisplacementField u = displacement_on(r, g);
  const auto stats = transform::jacobian_statistics(transform::jacobian_determinant(u));
  EXPECT_EQ(stats.folded_voxels, 0);
  EXPECT_GT(stats.min, 0.0);
  EXPECT_GT(stats.max, 1.5);  // the organ really was stretched to fit

  // And the organ was carried: its warped label covers the fixed one far better than before.
  auto dice = [](const LabelMap& a, const LabelMap& b) {
    std::int64_t na = 0, nb = 0, both = 0;
    for (std::int64_t v = 0; v < a.voxel_count(); ++v) {
      na += a.data()[v] == 3;
      nb += b.data()[v] == 3;
      both += a.data()[v] == 3 && b.data()[v] == 3;
    }
    return 2.0 * double(both) / double(na + nb);
  };
  const double before = dice(*in.fixed_labels, *in.moving_labels);
  const double after = dice(*in.fixed_labels, transform::warp_labels(*in.moving_labels, u));
  EXPECT_LT(before, 0.6);
  EXPECT_GT(after, 0.85);
}

TEST(RegisterImages, InvalidConfigIsRefusedBeforeAnyWork) {
  RegistrationInputs in;
  in.fixed = Image<float>(small_grid());
  in.moving = in.fixed;
  RegistrationConfig config;
  config.deformable.levels = 0;
  EXPECT_EQ(test::error_of([&] { register_images(in, config); }).kind(), ErrorKind::kUsage);
}

}  // namespace
}  // namespace modir::reg

namespace modir::reg {
namespace {

// A uniform bright block (bone, 1000 HU) of 20 x 20 x 16 mm in the blob body: inside it the image
// says nothing, so the regulariser alone decides how it moves.
bool in_block(const Vec3d& p) { return std::abs(p.x) < 10 && std::abs(p.y) < 10 && std::abs(p.z) < 8; }

double worst_block_residual(const DisplacementField& u, const LabelMap& block) {
  const std::uint16_t labels[] = {1};
  double worst = 0.0;
  for (const auto& b : evaluate::bone_rigidity(u, block, labels, 0.1))
    worst = std::max(worst, b.fit.rms_mm);
  return worst;
}

TEST(RegisterImages, RigidityPenaltyKeepsABlockRigidInsideDeformingTissue) {
  const BlobBody body(5);
  const auto with_block = [&](const Vec3d& p) { return in_block(p) ? 1000.0 : body(p); };
  const Geometry g = small_grid();
  // Tissue on either side of the block moves in opposite directions along z (a shear across it).
  phantom::GaussianBumps d;
  d.centres = {{-14, 0, 0}, {14, 0, 0}};
  d.amplitudes = {{0, 0, 3.5}, {0, 0, -3.5}};
  d.widths = {9.0, 9.0};
  ASSERT_LT(d.gradient_bound(), 0.5);
  phantom::GaussianBumps minus_d = d;
  for (Vec3d& a : minus_d.amplitudes) a = -a;
  RegistrationInputs in;
  in.fixed = sample(g, with_block, identity, 101);
  in.moving = sample(
      g, with_block, [&](const Vec3d& y) { return minus_d.apply(y); }, 102);
  LabelMap block(g, 0);
  Image<std::uint8_t> mask(g, 0);
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i)
        if (in_block(g.index_to_world({double(i), double(j), double(k)}))) block(i, j, k) = mask(i, j, k) = 1;
  in.rigidity_mask = mask;

  RegistrationConfig config = fast_config();
  config.initialisation.mode = "none";
  config.initialisation.rigid = false;
  config.initialisation.affine = false;
  config.deformable.iterations = {40, 30};
  const double free_residual = worst_block_residual(displacement_on(register_images(in, config), g), block);
  config.rigidity.weight = 1.0;
  const RegistrationResult rigid = register_images(in, config);
  ASSERT_TRUE(rigid.rigidity.has_value());
  EXPECT_EQ(rigid.rigidity->source, "file");
  const double rigid_residual = worst_block_residual(displacement_on(rigid, g), block);
  std::printf("block residual: %.3f mm without the rigidity term, %.3f mm with it\n",
              free_residual, rigid_residual);
  EXPECT_GT(free_residual, 0.3);
  EXPECT_LT(rigid_residual, 0.2);
  EXPECT_LT(rigid_residual, 0.5 * free_residual);
}

TEST(RigidityMaskConfig, BadMasksAreClearErrors) {
  const Geometry g = small_grid();
  RegistrationInputs in;
  in.fixed = Image<float>(g, 0.0f);  // no air: not a CT in HU
  in.moving = in.fixed;
  RigidityConfig config;
  config.weight = 1.0;
  const auto automatic = rigidity_mask(in, config);  // "auto" says why it is off
  ASSERT_TRUE(automatic.has_value());
  EXPECT_NE(automatic->skipped.find("do not look like CT"), std::string::npos);
  config.mask = "intensity";
  EXPECT_THROW(rigidity_mask(in, config), Error);  // asked for HU on a non-CT image
  in.fixed(3, 3, 3) = -1000.0f;  // now CT-like, but without bone
  EXPECT_THROW(rigidity_mask(in, config), Error);
  config.mask = "auto";
  EXPECT_NE(rigidity_mask(in, config)->skipped.find("no bone found"), std::string::npos);
  config.mask = "labels";
  EXPECT_THROW(rigidity_mask(in, config), Error);  // no fixed labels
  in.fixed_labels = LabelMap(g, 3);
  EXPECT_THROW(rigidity_mask(in, config), Error);  // no bone label on them
  Geometry other = g;
  other.size = {40, 40, 31};
  in.rigidity_mask = Image<std::uint8_t>(other, 1);
  EXPECT_THROW(rigidity_mask(in, config), Error);  // off the fixed grid
  in.rigidity_mask = Image<std::uint8_t>(g, 0);
  EXPECT_THROW(rigidity_mask(in, config), Error);  // empty
  config.weight = 0.0;
  EXPECT_FALSE(rigidity_mask(in, config).has_value());  // off
}

// A CT in HU: air with an 8 ml cube of bone (voxels 5..14 on each axis of a 2 mm grid).
RegistrationInputs ct_with_a_bone_cube() {
  Geometry g;
  g.size = {30, 30, 20};
  g.spacing = {2, 2, 2};
  RegistrationInputs in;
  in.fixed = Image<float>(g, -1000.0f);
  for (std::int64_t k = 5; k < 15; ++k)
    for (std::int64_t j = 5; j < 15; ++j)
      for (std::int64_t i = 5; i < 15; ++i) in.fixed(i, j, k) = 700.0f;
  in.moving = in.fixed;
  return in;
}

TEST(RigidityMaskConfig, IntensityMaskKeepsBonePiecesAndDropsSpecks) {
  RegistrationInputs in = ct_with_a_bone_cube();
  in.fixed(25, 25, 2) = 900.0f;  // a calcification speck
  in.moving = in.fixed;
  RigidityConfig config;
  config.weight = 1.0;
  const auto mask = rigidity_mask(in, config);
  ASSERT_TRUE(mask.has_value());
  EXPECT_EQ(mask->pieces, 1);
  EXPECT_NEAR(mask->volume_ml, 8.0, 1e-9);
  EXPECT_NEAR(mask->left_out_ml, 0.008, 1e-9);
  EXPECT_EQ(mask->mask(25, 25, 2), 0);
}

// rigidity.label_mask_scale applies to bone as drawn (labels, a given mask), not to a threshold.
TEST(RigidityMaskConfig, OnlyDrawnBoneIsMarkedDrawn) {
  RegistrationInputs in = ct_with_a_bone_cube();
  const Geometry& g = in.fixed.geometry();
  RigidityConfig config;
  EXPECT_FALSE(rigidity_mask(in, config)->drawn);  // no labels: HU
  in.fixed_labels = LabelMap(g, 0);
  (*in.fixed_labels)(7, 7, 7) = 2;  // one bone voxel drawn
  const auto from_labels = rigidity_mask(in, config);
  EXPECT_TRUE(from_labels->drawn);
  EXPECT_EQ(from_labels->source, "labels 2, 7");
  config.mask = "intensity";
  EXPECT_FALSE(rigidity_mask(in, config)->drawn);
  in.rigidity_mask = Image<std::uint8_t>(g, 1);
  EXPECT_TRUE(rigidity_mask(in, config)->drawn);  // a given mask overrides
}

}  // namespace
}  // namespace modir::reg

namespace modir::reg {
namespace {

// A couch under the patient that moves between the scans (another table position, another
// mattress) while the patient lies still. By default the image terms count inside the patient's
// outline on a CT (register/image_mask.h), so the couch cannot drag the patient along; counting
// every voxel, it does.
TEST(RegisterImages, ACouchThatMovesDoesNotMoveThePatient) {
  const BlobBody body(8);
  const Geometry g = centred_grid(40, 50, 30);
  // A textured plate 6 mm behind the body (posterior is +y in LPS), 6 mm further along x in the
  // moving scan.
  const auto scan = [&body](double couch_shift) {
    return [&body, couch_shift](const Vec3d& p) {
      if (p.y > 39.0 && p.y < 47.0) return 150.0 + 300.0 * std::sin((p.x - couch_shift) / 4.0);
      return body(p);
    };
  };
  RegistrationInputs in;
  in.fixed = sample(g, scan(0.0), identity, 101);
  in.moving = sample(g, scan(6.0), identity, 102);
  const auto largest_in_body = [&](const RegistrationResult& r) {
    const DisplacementField u = displacement_on(r, g);
    double largest = 0.0;
    for (std::int64_t k = 0; k < g.size[2]; ++k)
      for (std::int64_t j = 0; j < g.size[1]; ++j)
        for (std::int64_t i = 0; i < g.size[0]; ++i) {
          const Vec3d x = g.index_to_world({double(i), double(j), double(k)});
          if (BlobBody::ellipsoid_radius(x) < 0.9)
            largest = std::max(largest, field_at(u, i, j, k).norm());
        }
    return largest;
  };
  RegistrationConfig config = fast_config();
  const RegistrationResult outlined = register_images(in, config);
  EXPECT_EQ(outlined.image_mask_source, "body_outline");
  // The ellipsoid holds 28 % of the grid; its soft edge is cut at -400 HU.
  EXPECT_GT(outlined.image_mask_share, 0.2);
  EXPECT_LT(outlined.image_mask_share, 0.35);
  config.image.mask = "none";
  const RegistrationResult everywhere = register_images(in, config);
  EXPECT_EQ(everywhere.image_mask_source, "none");
  const double still = largest_in_body(outlined), dragged = largest_in_body(everywhere);
  std::printf("largest displacement in the body: %.2f mm inside the outline, %.2f mm everywhere\n",
              still, dragged);
  // 0.53 and 1.95 mm when written. The scans' noise differs, so "still" is not quite 0.
  EXPECT_LT(still, 0.8);
  EXPECT_GT(dragged, 1.5);
}

TEST(RegisterImages, ScansThatDoNotOverlapAreAClearError) {
  const BlobBody body(6);
  RegistrationInputs in;
  in.fixed = sample(small_grid(), body, identity, 101);
  Geometry far = small_grid();
  far.origin.z += 500.0;  // 500 mm away: no voxel in common
  in.moving = sample(far, body, identity, 102);
  RegistrationConfig config = fast_config();
  config.initialisation.mode = "none";
  try {
    register_images(in, config);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not overlap"), std::string::npos) << e.what();
  }
}

// The same deformation registered twice, once with the moving scan cut 30 mm short at one end:
// inside what both scans cover, the result must not suffer.
TEST(RegisterImages, MovingScanCutShortKeepsAccuracyInsideTheOverlap) {
  const BlobBody body(7);
  const Geometry g = centred_grid(40, 40, 40);
  phantom::GaussianBumps d;
  d.centres = {{-8, 4, 2}, {10, -6, -10}};
  d.amplitudes = {{3.5, -2.5, 2.0}, {-2.5, 3.0, -2.5}};
  d.widths = {15.0, 14.0};
  phantom::GaussianBumps minus_d = d;
  for (Vec3d& a : minus_d.amplitudes) a = -a;
  const auto moved = [&](const Vec3d& y) { return minus_d.apply(y); };
  RegistrationInputs full;
  full.fixed = sample(g, body, identity, 101);
  full.moving = sample(g, body, moved, 102);
  Geometry short_grid = g;
  short_grid.size[2] = 25;  // the top 30 mm (15 slices) missing
  RegistrationInputs cut;
  cut.fixed = full.fixed;
  cut.moving = sample(short_grid, body, moved, 102);

  RegistrationConfig config = fast_config();
  config.initialisation.mode = "none";
  config.initialisation.rigid = false;
  config.initialisation.affine = false;
  config.deformable.iterations = {40, 30};
  const RegistrationResult r_full = register_images(full, config);
  const RegistrationResult r_cut = register_images(cut, config);
  EXPECT_NEAR(r_full.overlap_initial, 1.0, 1e-12);
  EXPECT_LE(r_cut.overlap_initial, 0.7);
  const DisplacementField u_full = displacement_on(r_full, g), u_cut = displacement_on(r_cut, g);
  // Error against the true displacement d(x) over body voxels that both scans cover, 6 mm (the
  // LNCC window and a control spacing) inside the cut.
  const double cut_z = short_grid.index_to_world({0, 0, double(short_grid.size[2] - 1)}).z;
  double error_full = 0, error_cut = 0;
  std::int64_t count = 0;
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d x = g.index_to_world({double(i), double(j), double(k)});
        if (BlobBody::ellipsoid_radius(x) > 0.9 || d.apply(x).z > cut_z - 6.0) continue;
        error_full += (field_at(u_full, i, j, k) - d.displacement(x)).norm();
        error_cut += (field_at(u_cut, i, j, k) - d.displacement(x)).norm();
        ++count;
      }
  ASSERT_GT(count, 1000);
  error_full /= double(count);
  error_cut /= double(count);
  std::printf("mean error inside the overlap: %.3f mm full, %.3f mm cut short\n", error_full,
              error_cut);
  EXPECT_LT(error_full, 1.0);
  EXPECT_LT(error_cut, error_full + 0.2);
}

}  // namespace
}  // namespace modir::reg
