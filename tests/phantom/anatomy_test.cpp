#include "modir/phantom/anatomy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "modir/core/error.h"
#include "modir/phantom/scene.h"
#include "modir/phantom/shapes.h"

namespace modir::phantom {
namespace {

constexpr double kPi = 3.14159265358979323846;

Anatomy make_anatomy(int seed, Sex sex, double bladder_ml = 250.0, double gas_scale = 1.0) {
  Rng rng(static_cast<std::uint64_t>(seed));
  return Anatomy(rng, sex, {bladder_ml, gas_scale});
}

const char* sex_name(Sex sex) {
  return sex == Sex::kMale ? "male" : "female";
}

std::map<std::string, Vec3d> points_by_name(const Anatomy& a) {
  std::map<std::string, Vec3d> m;
  for (const auto& [name, p] : a.distinctive_points()) m[name] = p;
  return m;
}

/// Directions spread over the sphere, for extents of star shapes.
std::vector<Vec3d> directions(int n) {
  std::vector<Vec3d> d;
  for (int i = 0; i < n; ++i) {
    const double z = 1.0 - 2.0 * (i + 0.5) / n, r = std::sqrt(1.0 - z * z);
    const double phi = i * kPi * (3.0 - std::sqrt(5.0));
    d.push_back({r * std::cos(phi), r * std::sin(phi), z});
  }
  return d;
}

Box star_box(const StarShape& s) {
  Box b;
  for (const Vec3d& d : directions(4000)) b.include(s.centre + d * s.radius(d));
  return b.expanded(3.0);
}

/// Volume in ml of the voxels of a grid of spacing h (1 mm by default) carrying `label`.
double label_volume_ml(const Anatomy& a, std::uint16_t label, const Box& box, double h = 1.0) {
  long count = 0;
  for (double z = std::floor(box.lo.z) + 0.5 * h; z < box.hi.z; z += h)
    for (double y = std::floor(box.lo.y) + 0.5 * h; y < box.hi.y; y += h)
      for (double x = std::floor(box.lo.x) + 0.5 * h; x < box.hi.x; x += h)
        if (a.sample({x, y, z}).label == label) ++count;
  return count * h * h * h / 1000.0;
}

// ---------------------------------------------------------------------------------------------
// StarShape

TEST(StarShape, VolumeOfUnperturbedSphereAndEllipsoid) {
  StarShape sphere;
  sphere.centre = {10, -5, 3};
  sphere.scale = 30.0;
  const double sphere_ml = 4.0 / 3.0 * kPi * 30.0 * 30.0 * 30.0 / 1000.0;
  EXPECT_NEAR(sphere.volume_ml(), sphere_ml, 0.01 * sphere_ml);

  StarShape ellipsoid;
  ellipsoid.semi_axes = {40, 25, 55};
  const double ellipsoid_ml = 4.0 / 3.0 * kPi * 40.0 * 25.0 * 55.0 / 1000.0;
  EXPECT_NEAR(ellipsoid.volume_ml(), ellipsoid_ml, 0.01 * ellipsoid_ml);
  // The quadrature is far better than the 1 % asked for.
  EXPECT_NEAR(ellipsoid.volume_ml(), ellipsoid_ml, 1e-6 * ellipsoid_ml);

  ellipsoid.scale = 0.5;  // volume goes with the cube of the scale
  EXPECT_NEAR(ellipsoid.volume_ml(), ellipsoid_ml / 8.0, 1e-6 * ellipsoid_ml);
}

TEST(StarShape, RadiusAlongAxesIsSemiAxisTimesScale) {
  StarShape s;
  s.semi_axes = {12, 7, 20};
  s.scale = 1.5;
  EXPECT_DOUBLE_EQ(s.radius({1, 0, 0}), 18.0);
  EXPECT_DOUBLE_EQ(s.radius({0, -1, 0}), 10.5);
  EXPECT_DOUBLE_EQ(s.radius({0, 0, 1}), 30.0);
}

TEST(StarShape, NormalisedRadiusBelowOneExactlyInside) {
  StarShape s;
  s.centre = {3, 4, -5};
  s.semi_axes = {30, 22, 35};
  s.wave_vectors = {{0, 0, 1}, {1.2, -0.8, 0.5}};
  s.wave_amplitudes = {0.4, 0.05};
  s.wave_phases = {-0.5 * kPi, 1.0};
  s.scale = 1.3;
  Rng rng(5);
  for (const Vec3d& d : directions(500)) {
    const double r = s.radius(d);
    const double inside = rng.uniform(0.0, 0.999);
    EXPECT_LT(s.normalised_radius(s.centre + d * (inside * r)), 1.0);
    EXPECT_GT(s.normalised_radius(s.centre + d * (1.001 * r)), 1.0);
    EXPECT_NEAR(s.normalised_radius(s.centre + d * (0.5 * r)), 0.5, 1e-12);
  }
  EXPECT_EQ(s.normalised_radius(s.centre), 0.0);
}

// ---------------------------------------------------------------------------------------------
// Scene: the candidate grid is an accelerator only; it must agree with evaluating every piece.

TEST(Scene, GridQueryMatchesBruteForce) {
  Rng rng(17);
  Scene scene;
  scene.set_joint_gap(Layer::kBone, 3.0);
  const int a = scene.add_group(Layer::kBone, 6.0), b = scene.add_group(Layer::kBone, 4.0);
  const int gut = scene.add_group(Layer::kBowel, 0.0);
  for (int i = 0; i < 12; ++i) {
    Blob blob;
    blob.centre = {rng.uniform(-60, 60), rng.uniform(-60, 60), rng.uniform(-60, 60)};
    blob.semi = {rng.uniform(5, 30), rng.uniform(5, 30), rng.uniform(3, 20)};
    const Vec3d u = random_unit(rng), v = random_unit(rng);
    blob.to_local = frame_from(u, v);
    blob.bend = i % 3 == 0 ? 0.004 : 0.0;
    blob.exponent = i % 4 == 0 ? 3.0 : 2.0;
    blob.waves = Waves::random(rng, 3, 0.08);
    scene.add_blob(i % 2 ? a : b, blob, i);
  }
  scene.carve_sphere(a, {0, 0, 0}, 15.0);
  for (int i = 0; i < 4; ++i) {
    TubeSpec tube;
    for (int k = 0; k < 5; ++k) {
      tube.points.push_back({rng.uniform(-70, 70), rng.uniform(-70, 70), rng.uniform(-70, 70)});
      tube.radius_a.push_back(rng.uniform(4, 14));
      if (i % 2) tube.radius_b.push_back(rng.uniform(4, 14));
    }
    scene.add_tube(i < 2 ? gut : a, tube, 20 + i, static_cast<float>(i));
  }
  scene.build(10.0);
  int near_surface = 0;
  for (int i = 0; i < 40000; ++i) {
    const Vec3d p{rng.uniform(-90, 90), rng.uniform(-90, 90), rng.uniform(-90, 90)};
    for (Layer layer : {Layer::kBone, Layer::kBowel}) {
      const LayerHit fast = scene.query(p, layer), slow = scene.query_reference(p, layer);
      ASSERT_EQ(fast.distance < 0.0, slow.distance < 0.0) << p.x << " " << p.y << " " << p.z;
      // Shells (cortex, walls) are at most 4 mm deep: there the distances must agree exactly.
      ASSERT_EQ(fast.distance < -4.0, slow.distance < -4.0);
      if (std::abs(slow.distance) < 4.0) {
        ++near_surface;
        ASSERT_NEAR(fast.distance, slow.distance, 1e-9);
        if (slow.distance < 0.0) {
          ASSERT_EQ(fast.group, slow.group);
          ASSERT_EQ(fast.tag, slow.tag);
          ASSERT_EQ(fast.aux, slow.aux);
        }
      }
    }
  }
  EXPECT_GT(near_surface, 1000);
}

// ---------------------------------------------------------------------------------------------
// Anatomy

TEST(Anatomy, BladderVolumeMatchesStateOnOneMillimetreGrid) {
  for (int seed : {3, 8})
    for (Sex sex : {Sex::kFemale, Sex::kMale})
      for (double ml : {150.0, 450.0}) {
        const Anatomy a = make_anatomy(seed, sex, ml);
        EXPECT_NEAR(a.bladder().volume_ml(), ml, 1e-6 * ml);
        const double counted = label_volume_ml(a, kBladder, star_box(a.bladder()));
        EXPECT_NEAR(counted, ml, 0.03 * ml) << "seed " << seed << " " << sex_name(sex);
      }
}

TEST(Anatomy, BladderScaleReachesEveryVolumeFrom50To700) {
  for (double ml : {50.0, 120.0, 300.0, 700.0}) {
    const Anatomy a = make_anatomy(11, Sex::kMale, ml);
    EXPECT_NEAR(a.bladder().volume_ml(), ml, 1e-6 * ml);
  }
  // Even a 700 ml bladder stays clear of the bones but for a sliver of the pelvic wall.
  const Anatomy full = make_anatomy(11, Sex::kFemale, 700.0);
  EXPECT_GT(label_volume_ml(full, kBladder, star_box(full.bladder())), 0.95 * 700.0);
}

TEST(Anatomy, BladderCentreSitsLowSoFillingRaisesTheDome) {
  for (int seed : {1, 2, 3, 4}) {
    const Anatomy a = make_anatomy(seed, seed % 2 ? Sex::kMale : Sex::kFemale);
    const StarShape& b = a.bladder();
    double low = 0.0, high = 0.0;
    for (const Vec3d& d : directions(4000)) {
      low = std::min(low, d.z * b.radius(d));
      high = std::max(high, d.z * b.radius(d));
    }
    const double fraction = -low / (high - low);
    EXPECT_GT(fraction, 0.25);
    EXPECT_LT(fraction, 0.36);
  }
}

TEST(Anatomy, LabelsPresentForBothSexes) {
  for (Sex sex : {Sex::kFemale, Sex::kMale}) {
    const Anatomy a = make_anatomy(5, sex);
    const auto [lo, hi] = a.body_bounds();
    std::set<int> labels;
    for (double z = lo.z - 5; z <= hi.z + 5; z += 3.0)
      for (double y = lo.y - 5; y <= hi.y + 5; y += 3.0)
        for (double x = lo.x - 5; x <= hi.x + 5; x += 3.0) labels.insert(a.sample({x, y, z}).label);
    EXPECT_EQ(labels, (std::set<int>{kBackground, kBody, kBone, kBladder, kRectum, kBowel,
                                     kUterusProstate, kFemoralHeads}))
        << sex_name(sex);
    EXPECT_EQ(a.sex(), sex);
  }
}

TEST(Anatomy, ProstateAndUterusVolumesPerSex) {
  for (int seed : {2, 9}) {
    for (Sex sex : {Sex::kFemale, Sex::kMale}) {
      const Anatomy a = make_anatomy(seed, sex);
      Box box;
      bool female_parts = false, male_parts = false;
      for (const auto& [name, p] : a.distinctive_points()) {
        const bool uterus = name.rfind("uter", 0) == 0 || name.rfind("cervix", 0) == 0;
        const bool prostate = name.rfind("prostate", 0) == 0 || name.rfind("seminal", 0) == 0;
        female_parts |= uterus;
        male_parts |= prostate;
        if (uterus || prostate) box.include(p);
      }
      EXPECT_EQ(female_parts, sex == Sex::kFemale);
      EXPECT_EQ(male_parts, sex == Sex::kMale);
      const double ml = label_volume_ml(a, kUterusProstate, box.expanded(25.0), 1.5);
      if (sex == Sex::kMale) {
        EXPECT_GT(ml, 15.0) << "prostate, seed " << seed;
        EXPECT_LT(ml, 60.0) << "prostate, seed " << seed;
      } else {
        EXPECT_GT(ml, 50.0) << "uterus, seed " << seed;
        EXPECT_LT(ml, 200.0) << "uterus, seed " << seed;
      }
    }
  }
}

TEST(Anatomy, TissueValuesInDocumentedRanges) {
  for (int seed : {4, 12}) {
    for (Sex sex : {Sex::kFemale, Sex::kMale}) {
      SCOPED_TRACE(std::string("seed ") + std::to_string(seed) + " " + sex_name(sex));
      const Anatomy a = make_anatomy(seed, sex);
      const auto pts = points_by_name(a);
      for (const char* side : {"left", "right"}) {
        const std::string s = side;
        // Deep in the femoral head: trabecular bone.
        const TissueSample head = a.sample(pts.at("femoral_head_centre_" + s));
        EXPECT_EQ(head.label, kFemoralHeads);
        EXPECT_GE(head.hu, 200.0f);
        EXPECT_LE(head.hu, 300.0f);
        // 1.5 mm under the lateral surface of the femoral shaft: cortex.
        for (int level = 1; level <= 3; ++level) {
          const TissueSample cortex =
              a.sample(pts.at("femoral_shaft_lateral_" + std::to_string(level) + "_" + s));
          EXPECT_EQ(cortex.label, kBone);
          EXPECT_GE(cortex.hu, 700.0f);
          EXPECT_LE(cortex.hu, 1200.0f);
        }
        // Middle of the psoas: muscle.
        const TissueSample psoas = a.sample(pts.at("psoas_centre_130_" + s));
        EXPECT_EQ(psoas.label, kBody);
        EXPECT_NEAR(psoas.hu, 40.0f, 20.0f);
      }
      // Just under the skin: subcutaneous fat.
      for (const char* name : {"skin_anterior_z0", "skin_left_z50", "skin_right_z100"}) {
        const TissueSample fat = a.sample(pts.at(name));
        EXPECT_EQ(fat.label, kBody) << name;
        EXPECT_NEAR(fat.hu, -100.0f, 30.0f) << name;
      }
      // Urine in the middle of the bladder.
      const TissueSample urine = a.sample(a.bladder().centre);
      EXPECT_EQ(urine.label, kBladder);
      EXPECT_NEAR(urine.hu, 10.0f, 10.0f);
      // Trabecular bone anywhere deep inside sampled the whole femoral head stays in range.
      Rng rng(static_cast<std::uint64_t>(seed));
      const Vec3d c = pts.at("femoral_head_centre_left");
      for (int i = 0; i < 200; ++i) {
        const Vec3d d = random_unit(rng);
        const Vec3d p = c + d * rng.uniform(0.0, 12.0);
        const TissueSample t = a.sample(p);
        EXPECT_GE(t.hu, 200.0f);
        EXPECT_LE(t.hu, 300.0f);
      }
    }
  }
}

TEST(Anatomy, RectalGasIsAirAndScalesWithState) {
  int pockets_seen = 0;
  for (int seed = 1; seed <= 6; ++seed) {
    const Anatomy a = make_anatomy(seed, Sex::kMale, 250.0, 1.0);
    const Anatomy b = make_anatomy(seed, Sex::kMale, 250.0, 0.5);
    ASSERT_EQ(a.rectal_gas().size(), b.rectal_gas().size());
    for (std::size_t i = 0; i < a.rectal_gas().size(); ++i) {
      const auto& [centre, radius] = a.rectal_gas()[i];
      EXPECT_EQ(centre, b.rectal_gas()[i].first);
      EXPECT_DOUBLE_EQ(b.rectal_gas()[i].second, 0.5 * radius);
      const TissueSample gas = a.sample(centre);
      EXPECT_EQ(gas.label, kRectum);
      EXPECT_EQ(gas.hu, -1000.0f);
      ++pockets_seen;
    }
  }
  EXPECT_GT(pockets_seen, 3);
}

TEST(Anatomy, SameSeedSamplesIdenticallyAndSeedsDiffer) {
  const Anatomy a = make_anatomy(7, Sex::kFemale), b = make_anatomy(7, Sex::kFemale);
  const Anatomy other = make_anatomy(8, Sex::kFemale);
  const auto [lo, hi] = a.body_bounds();
  Rng rng(99);
  int differ = 0;
  for (int i = 0; i < 10000; ++i) {
    const Vec3d p{rng.uniform(lo.x, hi.x), rng.uniform(lo.y, hi.y), rng.uniform(lo.z, hi.z)};
    const TissueSample s = a.sample(p), t = b.sample(p), u = other.sample(p);
    ASSERT_EQ(s.label, t.label);
    ASSERT_EQ(s.hu, t.hu);
    if (s.label != u.label || s.hu != u.hu) ++differ;
  }
  EXPECT_GT(differ, 3000);
  EXPECT_EQ(a.distinctive_points(), b.distinctive_points());
  EXPECT_NE(a.body_bounds().first, other.body_bounds().first);
}

TEST(Anatomy, StateChangesOnlyTheFillingOrgans) {
  const Anatomy empty = make_anatomy(21, Sex::kMale, 100.0),
                full = make_anatomy(21, Sex::kMale, 500.0);
  EXPECT_EQ(empty.body_bounds(), full.body_bounds());
  EXPECT_EQ(empty.bladder().centre, full.bladder().centre);
  const auto pe = points_by_name(empty), pf = points_by_name(full);
  ASSERT_EQ(pe.size(), pf.size());
  for (const auto& [name, p] : pe) {
    ASSERT_TRUE(pf.count(name)) << name;
    if (name.rfind("femoral", 0) == 0 || name.rfind("sacr", 0) == 0 || name.rfind("skin", 0) == 0) {
      EXPECT_EQ(p, pf.at(name)) << name;
    }
  }
  EXPECT_GT(pf.at("bladder_dome").z, pe.at("bladder_dome").z + 15.0);
}

TEST(Anatomy, DistinctivePointsAreNamedAndInside) {
  for (int seed : {1, 6})
    for (Sex sex : {Sex::kFemale, Sex::kMale})
      for (double ml : {50.0, 700.0}) {
        SCOPED_TRACE(std::string("seed ") + std::to_string(seed) + " " + sex_name(sex));
        const Anatomy a = make_anatomy(seed, sex, ml);
        const auto points = a.distinctive_points();
        EXPECT_GE(points.size(), 150u);
        std::set<std::string> names;
        const auto [lo, hi] = a.body_bounds();
        for (const auto& [name, p] : points) {
          EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
          EXPECT_TRUE(p.x >= lo.x && p.y >= lo.y && p.z >= lo.z && p.x <= hi.x && p.y <= hi.y &&
                      p.z <= hi.z)
              << name;
          EXPECT_NE(a.sample(p).label, kBackground) << name;
        }
      }
}

TEST(Anatomy, OrgansSitWhereAnatomyPutsThem) {
  for (double ml : {150.0, 700.0}) {
    const Anatomy male = make_anatomy(14, Sex::kMale, ml),
                  female = make_anatomy(14, Sex::kFemale, ml);
    const auto pm = points_by_name(male), pf = points_by_name(female);
    // Prostate under the bladder, uterus fundus above its neck, rectum behind it.
    EXPECT_LT(pm.at("prostate_centre").z, pm.at("bladder_neck").z);
    EXPECT_GT(pf.at("uterine_fundus").z, pf.at("bladder_neck").z + 20.0);
    EXPECT_GT(pm.at("rectum_wall_anterior_2").y, pm.at("bladder_centre").y);
    EXPECT_LT(pm.at("pubic_symphysis_top").y, pm.at("bladder_centre").y);
    // Small-bowel loops lie outside the bladder, whatever its filling.
    for (const Anatomy* a : {&male, &female})
      for (const auto& [name, p] : a->distinctive_points())
        if (name.rfind("small_bowel", 0) == 0) {
          EXPECT_GT(a->bladder().normalised_radius(p), 1.05) << name;
        }
  }
}

TEST(Anatomy, RejectsImpossibleStates) {
  Rng rng(1);
  EXPECT_THROW(Anatomy(rng, Sex::kMale, {0.0, 1.0}), Error);
  EXPECT_THROW(Anatomy(rng, Sex::kMale, {200.0, -1.0}), Error);
}

TEST(Anatomy, SampleSpeed) {
  const Anatomy a = make_anatomy(3, Sex::kFemale);
  const auto [lo, hi] = a.body_bounds();
  long calls = 0;
  double sum = 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (double z = lo.z; z <= hi.z; z += 4.0)
    for (double y = lo.y; y <= hi.y; y += 3.0)
      for (double x = lo.x; x <= hi.x; x += 3.0) {
        sum += a.sample({x, y, z}).hu;
        ++calls;
      }
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      calls;
  std::printf("[ speed    ] Anatomy::sample: %.3f us per call over %ld calls (checksum %.0f)\n", us,
              calls, sum);
#ifdef NDEBUG
  EXPECT_LT(us, 5.0);
#endif
}

}  // namespace
}  // namespace modir::phantom
