#include "modir/phantom/calcifications.h"

#include <gtest/gtest.h>

#include "modir/phantom/anatomy.h"
#include "modir/phantom/scan_pair.h"

namespace modir::phantom {
namespace {

using nlohmann::json;

TEST(Calcifications, DrawWithinTheirDocumentedRanges) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    const CalcificationDesign d = draw_calcifications(rng);
    EXPECT_GE(d.phleboliths, 2);
    EXPECT_LE(d.phleboliths, 12);
    EXPECT_GE(d.phlebolith_rim_hu, 400.0);
    EXPECT_LE(d.phlebolith_rim_hu, 1100.0);
    EXPECT_GE(d.phlebolith_core_hu, 80.0);
    EXPECT_LE(d.phlebolith_core_hu, 350.0);
    EXPECT_GE(d.arterial_plaques, 0);
    EXPECT_LE(d.arterial_plaques, 16);
    EXPECT_GE(d.plaque_hu, 300.0);
    EXPECT_LE(d.plaque_hu, 1000.0);
    EXPECT_GE(d.prostatic_foci, 0);
    EXPECT_LE(d.prostatic_foci, 8);
    EXPECT_GE(d.prostatic_hu, 200.0);
    EXPECT_LE(d.prostatic_hu, 800.0);
  }
}

CalcificationDesign many() {
  CalcificationDesign d;
  d.phleboliths = 10;
  d.arterial_plaques = 12;
  d.prostatic_foci = 6;
  d.phlebolith_rim_hu = 900;
  d.phlebolith_core_hu = 150;
  d.plaque_hu = 700;
  d.prostatic_hu = 500;
  d.placement_seed = 17;
  return d;
}

// Each lies in the tissue it forms in, whole, apart from the others, and is sampled as itself;
// the label there is the one the anatomy had.
TEST(Calcifications, LieWholeInTheirVesselsFatAndProstate) {
  Rng rng(3);
  Anatomy anatomy(rng, Sex::kMale, {});
  std::vector<TissueSample> before;
  const CalcificationDesign design = many();
  ASSERT_EQ(anatomy.calcifications(), nullptr);
  const std::size_t placed = anatomy.add_calcifications(design);
  ASSERT_NE(anatomy.calcifications(), nullptr);
  const std::vector<Calcification>& items = anatomy.calcifications()->items();
  ASSERT_EQ(items.size(), placed);
  int kinds[3] = {0, 0, 0};
  for (const Calcification& c : items) ++kinds[c.kind];
  // Room is found for nearly all of them (rejection sampling may give up on a few).
  EXPECT_GE(kinds[Calcification::kPhlebolith], 8);
  EXPECT_GE(kinds[Calcification::kArterialPlaque], 10);
  EXPECT_GE(kinds[Calcification::kProstatic], 4);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Calcification& c = items[i];
    const TissueSample at = anatomy.sample(c.centre);
    EXPECT_EQ(at.hu, c.core_radius_mm > 0.0 ? c.core_hu : c.rim_hu) << i;
    EXPECT_EQ(at.label, c.kind == Calcification::kProstatic ? kUterusProstate : kBody) << i;
    EXPECT_EQ(at.label, c.label) << i;
    const float expected_rim = c.kind == Calcification::kPhlebolith       ? 900.0f
                               : c.kind == Calcification::kArterialPlaque ? 700.0f
                                                                          : 500.0f;
    EXPECT_EQ(anatomy.sample(c.centre + Vec3d{0, 0, 0.9 * c.radius_mm}).hu, expected_rim) << i;
    for (std::size_t j = i + 1; j < items.size(); ++j)
      EXPECT_GT((items[j].centre - c.centre).norm(), c.radius_mm + items[j].radius_mm) << i;
  }
  // Without them, the same points are the anatomy's own tissue: soft, not bone.
  Rng again(3);
  const Anatomy plain(again, Sex::kMale, {});
  for (const Calcification& c : items) {
    const TissueSample s = plain.sample(c.centre);
    EXPECT_EQ(s.label, c.label);
    EXPECT_LT(s.hu, 100.0f);
  }
}

TEST(Calcifications, AWomanHasNoProstaticFoci) {
  Rng rng(4);
  Anatomy anatomy(rng, Sex::kFemale, {});
  anatomy.add_calcifications(many());
  int prostatic = 0, others = 0;
  for (const Calcification& c : anatomy.calcifications()->items())
    (c.kind == Calcification::kProstatic ? prostatic : others) += 1;
  EXPECT_EQ(prostatic, 0);
  EXPECT_GT(others, 15);
}

// A pair with them: the same patient, scanner and noise, the same labels, and bright specks where
// the plain pair has soft tissue; the same seed gives the same bytes.
TEST(Calcifications, PairsKeepTheirPatientAndLabelsAndAreDeterministic) {
  PhantomOptions o;
  o.seed = 5;
  o.size = PhantomSize::kSmall;
  o.deformation = DeformationLevel::kModerate;
  const PhantomPair plain = generate_pair(o);
  o.calcifications = true;
  const PhantomPair a = generate_pair(o), b = generate_pair(o);
  EXPECT_EQ(a.fixed.image.buffer(), b.fixed.image.buffer());
  EXPECT_EQ(a.moving.image.buffer(), b.moving.image.buffer());
  EXPECT_EQ(a.meta.dump(), b.meta.dump());
  EXPECT_TRUE(plain.meta["calcifications"].is_null());
  const json& recorded = a.meta["calcifications"];
  ASSERT_TRUE(recorded.is_object());
  EXPECT_GT(recorded["placed"]["phleboliths"].get<int>(), 0) << recorded.dump();
  EXPECT_EQ(a.meta["landmarks"], plain.meta["landmarks"]);
  // Labels: the organ each lies in; a sphere's edge may touch a neighbour's voxel at most.
  std::size_t relabelled = 0;
  for (std::size_t i = 0; i < a.fixed.labels.buffer().size(); ++i)
    relabelled += a.fixed.labels.buffer()[i] != plain.fixed.labels.buffer()[i];
  EXPECT_LE(relabelled, 2u);
  EXPECT_EQ(a.meta["displacement"].dump(), plain.meta["displacement"].dump());
  // Both scans show them (the moving scan through the deformation): voxels 100 HU brighter.
  for (const auto* scans : {&a.fixed, &a.moving}) {
    const auto& with = scans->image.buffer();
    const auto& without = (scans == &a.fixed ? plain.fixed : plain.moving).image.buffer();
    std::size_t brighter = 0;
    for (std::size_t i = 0; i < with.size(); ++i) brighter += with[i] > without[i] + 100.0f;
    EXPECT_GT(brighter, 0u);
  }
}

}  // namespace
}  // namespace modir::phantom
