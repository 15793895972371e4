#include "modir/phantom/scan_pair.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>

#include "modir/core/parallel.h"
#include "modir/evaluate/rigidity.h"
#include "modir/phantom/pair_writer.h"
#include "modir/phantom/variety.h"
#include "modir/transform/jacobian.h"
#include "support/test_support.h"

namespace modir::phantom {
namespace {

namespace fs = std::filesystem;

PhantomOptions small_options(std::uint64_t seed, DeformationLevel level, Sex sex) {
  PhantomOptions o;
  o.seed = seed;
  o.size = PhantomSize::kSmall;
  o.deformation = level;
  o.sex = sex;
  return o;
}

// Pairs are expensive enough to share between tests: one per (seed, level, sex).
const PhantomPair& cached_pair(std::uint64_t seed, DeformationLevel level, Sex sex) {
  static std::map<std::tuple<std::uint64_t, int, int>, PhantomPair> cache;
  const auto key = std::make_tuple(seed, static_cast<int>(level), static_cast<int>(sex));
  auto it = cache.find(key);
  if (it == cache.end())
    it = cache.emplace(key, generate_pair(small_options(seed, level, sex))).first;
  return it->second;
}

// The label at continuous index c by trilinear interpolation of one-hot channels (the way modir
// warps labels): the label with the largest interpolated weight.
int one_hot_label(const LabelMap& labels, const Vec3d& c) {
  const Size3& n = labels.size();
  std::array<double, kLabelCount> weight{};
  const double x = std::clamp(c.x, 0.0, double(n[0] - 1)),
               y = std::clamp(c.y, 0.0, double(n[1] - 1)),
               z = std::clamp(c.z, 0.0, double(n[2] - 1));
  const auto x0 = std::min<std::int64_t>(std::int64_t(x), n[0] - 2 < 0 ? 0 : n[0] - 2);
  const auto y0 = std::min<std::int64_t>(std::int64_t(y), n[1] - 2 < 0 ? 0 : n[1] - 2);
  const auto z0 = std::min<std::int64_t>(std::int64_t(z), n[2] - 2 < 0 ? 0 : n[2] - 2);
  for (int dz = 0; dz <= 1; ++dz)
    for (int dy = 0; dy <= 1; ++dy)
      for (int dx = 0; dx <= 1; ++dx) {
        const double w = (dx ? x - x0 : 1 - (x - x0)) * (dy ? y - y0 : 1 - (y - y0)) *
                         (dz ? z - z0 : 1 - (z - z0));
        weight[labels(std::min(x0 + dx, n[0] - 1), std::min(y0 + dy, n[1] - 1),
                      std::min(z0 + dz, n[2] - 1))] += w;
      }
  return int(std::max_element(weight.begin(), weight.end()) - weight.begin());
}

struct Case {
  std::uint64_t seed;
  DeformationLevel level;
  Sex sex;
};

class Pair : public ::testing::TestWithParam<Case> {
 protected:
  const PhantomPair& pair() const {
    return cached_pair(GetParam().seed, GetParam().level, GetParam().sex);
  }
};

TEST_P(Pair, GroundTruthMapsEveryFixedLandmarkOntoItsMovingLandmark) {
  const PhantomPair& p = pair();
  ASSERT_GE(p.fixed_landmarks.size(), 100u);
  ASSERT_EQ(p.fixed_landmarks.size(), p.moving_landmarks.size());
  const Geometry& g = p.ground_truth.geometry();
  for (std::size_t n = 0; n < p.fixed_landmarks.size(); ++n) {
    const Point& f = p.fixed_landmarks.points[n];
    const Point& m = p.moving_landmarks.points[n];
    ASSERT_EQ(f.id, m.id);
    const Vec3d index = g.world_to_index(f.position);
    const Vec3d rounded{std::round(index.x), std::round(index.y), std::round(index.z)};
    ASSERT_LT((index - rounded).norm(), 1e-6) << f.id << " is not at a voxel centre";
    const Vec3d u =
        p.ground_truth(std::int64_t(rounded.x), std::int64_t(rounded.y), std::int64_t(rounded.z))
            .cast<double>();
    EXPECT_LT((f.position + u - m.position).norm(), 0.01) << f.id;
  }
}

// Sampling the moving labels at x + u(x) must give back the fixed labels. At organ boundaries
// both label maps are only accurate to half a voxel (2 x 2 x 3 mm here), which caps the Dice of
// small organs near 0.96-0.98 however exact the field is; so the sharp check is on voxels away
// from boundaries (whole 3x3x3 neighbourhood one label), where any ground-truth error of about a
// voxel or more would show, and Dice is checked with a bound that sampling allows.
TEST_P(Pair, WarpingMovingLabelsByTheFieldReproducesFixedLabels) {
  const PhantomPair& p = pair();
  const Geometry& fixed = p.ground_truth.geometry();
  const Geometry& moving = p.moving.labels.geometry();
  std::map<int, std::array<std::int64_t, 5>>
      counts;  // label -> {fixed, warped, both, interior, interior ok}
  for (std::int64_t k = 1; k < fixed.size[2] - 1; ++k)
    for (std::int64_t j = 1; j < fixed.size[1] - 1; ++j)
      for (std::int64_t i = 1; i < fixed.size[0] - 1; ++i) {
        const Vec3d x = fixed.index_to_world({double(i), double(j), double(k)});
        const Vec3d y = x + p.ground_truth(i, j, k).cast<double>();
        const Vec3d c = moving.world_to_index(y);
        if (!moving.contains_index(c)) continue;  // outside scan B's field of view
        const int warped = one_hot_label(p.moving.labels, c);
        const int truth = p.fixed.labels(i, j, k);
        counts[truth][0] += 1;
        counts[warped][1] += 1;
        if (truth == warped) counts[truth][2] += 1;
        bool interior = true;
        for (int dk = -1; dk <= 1 && interior; ++dk)
          for (int dj = -1; dj <= 1 && interior; ++dj)
            for (int di = -1; di <= 1 && interior; ++di)
              interior = p.fixed.labels(i + di, j + dj, k + dk) == truth;
        if (interior) {
          counts[truth][3] += 1;
          if (truth == warped) counts[truth][4] += 1;
        }
      }
  for (const auto& [label, c] : counts) {
    if (label == 0 || c[0] < 500) continue;  // Dice of a handful of voxels says little
    const double dice = 2.0 * c[2] / double(c[0] + c[1]);
    EXPECT_GT(dice, 0.95) << "label " << label << " (" << c[0] << " voxels)";
    EXPECT_GE(c[4], 0.995 * c[3]) << "label " << label << ": " << c[3] - c[4] << " of " << c[3]
                                  << " interior voxels warped to another label";
  }
}

TEST_P(Pair, FieldIsFoldFreeAndMetaMatchesTheFiles) {
  const PhantomPair& p = pair();
  const auto jacobian =
      transform::jacobian_statistics(transform::jacobian_determinant(p.ground_truth));
  EXPECT_GT(jacobian.min, 0.0);
  EXPECT_EQ(jacobian.folded_voxels, 0);
  EXPECT_DOUBLE_EQ(p.meta["jacobian"]["min"].get<double>(), jacobian.min);

  const Vec3d s = p.fixed.labels.geometry().spacing;
  const double voxel_ml = s.x * s.y * s.z / 1000.0;
  std::int64_t bladder = 0;
  for (auto v : p.fixed.labels.buffer()) bladder += v == kBladder;
  EXPECT_NEAR(p.meta["organ_volumes_ml"]["fixed"]["bladder"].get<double>(), bladder * voxel_ml,
              1e-9);
  EXPECT_EQ(p.meta["seed"].get<std::uint64_t>(), GetParam().seed);
  EXPECT_EQ(p.meta["landmarks"].get<std::size_t>(), p.fixed_landmarks.size());
}

TEST_P(Pair, TissuesHaveTheirDocumentedHounsfieldUnits) {
  const PhantomPair& p = pair();
  std::map<int, std::pair<double, std::int64_t>> sums;
  for (std::int64_t v = 0; v < p.fixed.image.voxel_count(); ++v) {
    auto& [sum, n] = sums[p.fixed.labels.data()[v]];
    sum += p.fixed.image.data()[v];
    ++n;
  }
  auto mean = [&](int label) {
    return sums[label].first / double(std::max<std::int64_t>(sums[label].second, 1));
  };
  EXPECT_NEAR(mean(kBladder), 15.0, 20.0);  // urine ~10 HU with a 40 HU wall
  EXPECT_GT(mean(kBone), 250.0);            // trabecular 200-300 inside a 700-1200 shell
  EXPECT_GT(mean(kFemoralHeads), 250.0);
  EXPECT_NEAR(mean(kBody), -20.0, 80.0);  // fat -100 and muscle 40
  if (sums[kBackground].second > 0) {
    EXPECT_LT(mean(kBackground), -900.0);  // air
  }
  EXPECT_EQ(*std::max_element(p.fixed.labels.buffer().begin(), p.fixed.labels.buffer().end()) <= 7,
            true);
}

INSTANTIATE_TEST_SUITE_P(Patients, Pair,
                         ::testing::Values(Case{11, DeformationLevel::kLarge, Sex::kFemale},
                                           Case{12, DeformationLevel::kLarge, Sex::kMale},
                                           Case{13, DeformationLevel::kModerate, Sex::kFemale}),
                         [](const auto& param_info) {
                           return "seed" + std::to_string(param_info.param.seed);
                         });

TEST(PairOptions, LargeDeformationReachesTheBladderVolumes) {
  PhantomOptions o = small_options(21, DeformationLevel::kLarge, Sex::kMale);
  o.fixed_bladder_ml = 150;
  o.moving_bladder_ml = 450;
  o.bone_margin_mm = 0;  // the raw filling map reaches its target volumes
  const PhantomPair p = generate_pair(o);
  const auto& v = p.meta["organ_volumes_ml"];
  // Scan B's bladder is the anatomy's; scan A's is its preimage under the smooth filling map.
  EXPECT_NEAR(v["moving"]["bladder"].get<double>(), 450.0, 450.0 * 0.1);
  EXPECT_NEAR(v["fixed"]["bladder"].get<double>(), 150.0, 150.0 * 0.15);
  EXPECT_GT(p.meta["displacement"]["max_mm"].get<double>(), 15.0);
}

// Best rigid fit of x -> x + u(x) over the voxels of `label` on the fixed scan: RMS residual.
double rigid_residual_rms(const PhantomPair& p, std::uint16_t label) {
  const std::uint16_t labels[] = {label};
  double worst = 0.0;
  for (const auto& bone : evaluate::bone_rigidity(p.ground_truth, p.fixed.labels, labels, 5.0))
    worst = std::max(worst, bone.fit.rms_mm);
  return worst;
}

TEST(PairOptions, BonesMoveRigidlyAndTheShieldedMapDoesNotFold) {
  PhantomOptions o = small_options(21, DeformationLevel::kLarge, Sex::kMale);
  o.fixed_bladder_ml = 150;
  o.moving_bladder_ml = 450;
  const PhantomPair shielded = generate_pair(o);
  o.bone_margin_mm = 0;
  const PhantomPair raw = generate_pair(o);
  // The soft deformation pushes the pelvis without the shield; with it, bone moves only by the
  // rigid set-up motion (the residual is the field's float rounding and the label's edge voxels,
  // sampled where the weight has just left 0).
  EXPECT_GT(rigid_residual_rms(raw, kBone), 1.0);
  EXPECT_LT(rigid_residual_rms(shielded, kBone), 0.2);
  EXPECT_LT(rigid_residual_rms(shielded, kFemoralHeads), 0.2);
  EXPECT_GT(shielded.meta["jacobian"]["min"].get<double>(), 0.0);
  EXPECT_EQ(shielded.meta["bone_margin_mm"].get<double>(), kDefaultBoneMarginMm);
  // The bladder still changes a lot: the shield slows it only near bone.
  const auto& v = shielded.meta["organ_volumes_ml"];
  EXPECT_GT(v["moving"]["bladder"].get<double>() / v["fixed"]["bladder"].get<double>(), 1.6);
}

TEST(PairOptions, NoDeformationMeansZeroFieldAndTheSameGrid) {
  const PhantomPair p = generate_pair(small_options(5, DeformationLevel::kNone, Sex::kFemale));
  for (const Vec3f& u : p.ground_truth.buffer()) ASSERT_LT(u.cast<double>().norm(), 1e-4);
  EXPECT_TRUE(p.fixed.image.geometry().same_grid(p.moving.image.geometry()));
  EXPECT_EQ(p.fixed.labels.buffer(), p.moving.labels.buffer());
  EXPECT_NE(p.fixed.image.buffer(), p.moving.image.buffer());  // independent noise
}

std::string file_bytes(const fs::path& p) {
  std::ifstream s(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(s), {}};
}

TEST(PairOptions, SameSeedGivesByteIdenticalFilesWhateverTheThreadCount) {
  test::TempDir dir;
  const PhantomOptions o = small_options(7, DeformationLevel::kModerate, Sex::kMale);
  set_thread_count(1);
  write_pair(generate_pair(o), dir / "a");
  set_thread_count(0);
  write_pair(generate_pair(o), dir / "b");
  for (const char* name :
       {"fixed.nii.gz", "moving.nii.gz", "fixed_labels.nii.gz", "moving_labels.nii.gz",
        "fixed_landmarks.csv", "moving_landmarks.csv", "gt_displacement.nii.gz", "meta.json"}) {
    const std::string a = file_bytes(dir / "a" / name);
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(a, file_bytes(dir / "b" / name)) << name;
  }
  PhantomOptions other = o;
  other.seed = 8;
  write_pair(generate_pair(other), dir / "c");
  EXPECT_NE(file_bytes(dir / "a" / "fixed.nii.gz"), file_bytes(dir / "c" / "fixed.nii.gz"));
}

}  // namespace
}  // namespace modir::phantom

namespace modir::phantom {
namespace {

// The memory estimate is only as good as the grids it is given: the plan's grids must be the
// pair's, with and without --variety (whose protocols change slice thickness and range).
TEST(PairPlan, ItsGridsAreThePairsAndItsEstimateGrowsWithThem) {
  for (const bool variety : {false, true}) {
    PhantomOptions o = small_options(41, DeformationLevel::kLarge, Sex::kFemale);
    o.variety = variety;
    const PairPlan plan = plan_pair(o);
    const PhantomPair pair = generate_pair(o);
    EXPECT_TRUE(plan.fixed_grid.same_grid(pair.fixed.image.geometry(), 0.0)) << variety;
    EXPECT_TRUE(plan.moving_grid.same_grid(pair.moving.image.geometry(), 0.0)) << variety;
  }
  PhantomOptions small = small_options(41, DeformationLevel::kLarge, Sex::kFemale);
  PhantomOptions large = small;
  large.size = PhantomSize::kLarge;
  const double small_mib = estimate_pair_memory_mib(plan_pair(small));
  const double large_mib = estimate_pair_memory_mib(plan_pair(large));
  EXPECT_GT(small_mib, 75.0);
  EXPECT_LT(small_mib, 120.0);
  EXPECT_GT(large_mib, 10.0 * small_mib);  // 41.9 against 0.44 million voxels
}

TEST(Variety, DrawsEveryParameterWithinItsDeclaredRange) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    const PairVariety p = draw_variety(rng);
    for (const ScanVariety* v : {&p.fixed, &p.moving}) {
      EXPECT_GE(v->slice_mm, 1.0);
      EXPECT_LE(v->slice_mm, 5.0);
      EXPECT_GE(v->z_coverage, v == &p.fixed ? 0.75 : 0.6);
      EXPECT_LE(v->z_coverage, 1.0);
      EXPECT_LE(std::abs(v->fov_offset_mm.x), 25.0);
      EXPECT_LE(std::abs(v->fov_offset_mm.y), 25.0);
      EXPECT_GE(v->noise_sigma_hu, 8.0);
      EXPECT_LE(v->noise_sigma_hu, 45.0);
      EXPECT_GE(v->noise_correlation_mm, 0.0);
      EXPECT_LE(v->noise_correlation_mm, 1.2);
      EXPECT_GE(v->contrast_scale, 0.9);
      EXPECT_LE(v->contrast_scale, 1.1);
      EXPECT_LE(std::abs(v->hu_offset), 20.0);
    }
  }
}

TEST(Variety, PairsAreDeterministicBySeedAndFollowTheirProtocol) {
  PhantomOptions o = small_options(31, DeformationLevel::kModerate, Sex::kFemale);
  o.variety = true;
  set_thread_count(1);
  const PhantomPair a = generate_pair(o);
  set_thread_count(0);
  const PhantomPair b = generate_pair(o);
  EXPECT_EQ(a.fixed.image.buffer(), b.fixed.image.buffer());
  EXPECT_EQ(a.moving.image.buffer(), b.moving.image.buffer());
  EXPECT_EQ(a.ground_truth.buffer(), b.ground_truth.buffer());
  EXPECT_EQ(a.meta.dump(), b.meta.dump());
  // The grids carry the drawn slice spacing; the field stays invertible; landmarks still map.
  const auto& v = a.meta["variety"];
  EXPECT_DOUBLE_EQ(a.fixed.image.geometry().spacing.z, v["fixed"]["slice_mm"].get<double>());
  EXPECT_DOUBLE_EQ(a.moving.image.geometry().spacing.z, v["moving"]["slice_mm"].get<double>());
  EXPECT_GT(a.meta["jacobian"]["min"].get<double>(), 0.0);
  EXPECT_GE(a.fixed_landmarks.size(), 100u);
  // Without variety the same seed gives the size's fixed protocol.
  const PhantomPair plain = generate_pair(small_options(31, DeformationLevel::kModerate, Sex::kFemale));
  EXPECT_DOUBLE_EQ(plain.fixed.image.geometry().spacing.z, 3.0);
  EXPECT_TRUE(plain.meta["variety"].is_null());
}

}  // namespace
}  // namespace modir::phantom
