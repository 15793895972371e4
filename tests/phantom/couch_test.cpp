#include "modir/phantom/couch.h"

#include <gtest/gtest.h>

#include "modir/phantom/scan_pair.h"
#include "modir/phantom/tissue.h"

namespace modir::phantom {
namespace {

// A supine "patient": a disc of radius 60 mm in every slice, centred at x = 10 mm, y = 0 (LPS: +y
// is posterior), on a 2 mm grid with room below it for the couch.
IdealScan disc_scan() {
  Geometry g;
  g.size = {120, 120, 3};
  g.spacing = {2.0, 2.0, 3.0};
  g.origin = {-110.0, -110.0, 0.0};
  IdealScan scan{Image<float>(g, -1000.0f), LabelMap(g, kBackground)};
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        if (std::hypot(p.x - 10.0, p.y) <= 60.0) {
          scan.hu(i, j, k) = 40.0f;
          scan.labels(i, j, k) = kBody;
        }
      }
  return scan;
}

TEST(Couch, LiesUnderThePatientInTheBackgroundOnly) {
  Couch c;
  // Every layer boundary falls on a voxel face (odd mm on this grid), so each voxel holds one
  // layer and the partial-volume mean is that layer's value.
  c.gap_mm = 1.0;
  c.mattress_mm = 10.0;
  c.thickness_mm = 30.0;
  c.skin_mm = 4.0;
  c.trough_per_mm2 = 0.0;
  c.rail_hu = 900.0;
  c.half_width_mm = 81.0;
  IdealScan scan = disc_scan();
  const IdealScan before = scan;
  add_couch(scan, c);
  EXPECT_EQ(scan.labels.buffer(), before.labels.buffer());  // the couch is not the patient
  const Geometry& g = scan.hu.geometry();
  // The disc's lowest voxel centre is at y = 60 (index 85); the mattress starts 1 mm below it.
  const double lowest = 60.0, mattress = lowest + 1.0, table = mattress + 10.0;
  int checked = 0;
  for (std::int64_t j = 0; j < g.size[1]; ++j)
    for (std::int64_t i = 0; i < g.size[0]; ++i) {
      const Vec3d p = g.index_to_world({double(i), double(j), 1.0});
      const float hu = scan.hu(i, j, 1);
      if (scan.labels(i, j, 1) != kBackground) {
        EXPECT_EQ(hu, before.hu(i, j, 1));
        continue;
      }
      const double x = p.x - 10.0, depth = p.y - table;
      float expected = -1000.0f;
      if (std::abs(x) < 81.0) {
        if (p.y >= mattress && p.y < table) expected = static_cast<float>(c.mattress_hu);
        else if (depth >= 0 && depth < 30.0)
          expected = static_cast<float>(depth < 4.0 || depth >= 26.0 ? c.skin_hu : c.core_hu);
        else if (depth >= 30.0 && depth < 50.0 && std::abs(x) > 71.0) expected = 900.0f;
      }
      ASSERT_EQ(hu, expected) << "at x " << p.x << " y " << p.y;
      checked += expected != -1000.0f;
    }
  EXPECT_GT(checked, 500);
  // Every slice gets the same level tabletop.
  for (std::int64_t j = 0; j < g.size[1]; ++j)
    for (std::int64_t i = 0; i < g.size[0]; ++i) ASSERT_EQ(scan.hu(i, j, 0), scan.hu(i, j, 2));
}

TEST(Couch, TroughLiftsTheEdgesAndAnEmptyScanIsLeftAlone) {
  Couch c;
  c.mattress_mm = 0.0;
  c.trough_per_mm2 = 1.0 / 1000.0;  // 6.4 mm higher 80 mm from the centre
  IdealScan scan = disc_scan();
  add_couch(scan, c);
  const Geometry& g = scan.hu.geometry();
  auto top_at = [&](double x) {
    const auto i = static_cast<std::int64_t>(std::lround(g.world_to_index({x, 0, 0}).x));
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      if (scan.labels(i, j, 0) == kBackground && scan.hu(i, j, 0) > -500.0f &&
          g.index_to_world({double(i), double(j), 0}).y > 0)  // the top skin, partly
        return g.index_to_world({double(i), double(j), 0}).y;
    return 1e9;
  };
  EXPECT_NEAR(top_at(10.0) - top_at(90.0), 6.4, 2.0);  // voxels of 2 mm

  // A skin thinner than a voxel still shows, as its share of the voxel (partial volume).
  Couch thin;
  thin.mattress_mm = 0.0;
  thin.trough_per_mm2 = 0.0;
  thin.skin_mm = 1.0;
  thin.skin_hu = 1000.0;
  thin.core_hu = -1000.0;
  IdealScan thin_scan = disc_scan();
  add_couch(thin_scan, thin);
  const auto i0 = static_cast<std::int64_t>(std::lround(g.world_to_index({10.0, 0, 0}).x));
  float brightest = -1000.0f;
  for (std::int64_t j = 0; j < g.size[1]; ++j)
    if (thin_scan.labels(i0, j, 0) == kBackground) brightest = std::max(brightest, thin_scan.hu(i0, j, 0));
  EXPECT_GT(brightest, -300.0f);

  IdealScan empty{Image<float>(g, -1000.0f), LabelMap(g, kBackground)};
  add_couch(empty, c);
  for (const float v : empty.hu.buffer()) ASSERT_EQ(v, -1000.0f);
}

TEST(Couch, DrawsWithinItsDocumentedRanges) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    const Couch c = draw_couch(rng);
    EXPECT_GE(c.gap_mm, 0.0);
    EXPECT_LE(c.gap_mm, 6.0);
    EXPECT_TRUE(c.mattress_mm == 0.0 || (c.mattress_mm >= 5.0 && c.mattress_mm <= 40.0));
    EXPECT_GE(c.mattress_hu, -950.0);
    EXPECT_LE(c.mattress_hu, -700.0);
    EXPECT_GE(c.thickness_mm, 30.0);
    EXPECT_LE(c.thickness_mm, 60.0);
    EXPECT_GE(c.skin_mm, 1.5);
    EXPECT_LE(c.skin_mm, 4.0);
    EXPECT_GE(c.skin_hu, 50.0);
    EXPECT_LE(c.skin_hu, 500.0);
    EXPECT_GE(c.core_hu, -980.0);
    EXPECT_LE(c.core_hu, -800.0);
    EXPECT_GE(c.half_width_mm, 220.0);
    EXPECT_LE(c.half_width_mm, 260.0);
    EXPECT_TRUE(c.trough_per_mm2 == 0.0 ||
                (c.trough_per_mm2 >= 1.0 / 8000.0 && c.trough_per_mm2 <= 1.0 / 2500.0));
    EXPECT_TRUE(c.rail_hu == 0.0 || (c.rail_hu >= 400.0 && c.rail_hu <= 1500.0));
  }
}

TEST(Couch, PairsWithACouchKeepTheirPatientAndAreDeterministic) {
  // The small field of view does not reach the couch (LiesUnderThePatient... tests where it
  // lies); this checks the wiring: the patient is untouched and the couch is drawn from the seed.
  PhantomOptions o;
  o.seed = 12;
  o.size = PhantomSize::kSmall;
  o.deformation = DeformationLevel::kNone;
  const PhantomPair plain = generate_pair(o);
  o.couch = true;
  const PhantomPair a = generate_pair(o), b = generate_pair(o);
  EXPECT_EQ(a.fixed.image.buffer(), b.fixed.image.buffer());
  EXPECT_EQ(a.meta.dump(), b.meta.dump());
  // The patient, its labels and landmarks are those of the pair without a couch.
  EXPECT_EQ(a.fixed.labels.buffer(), plain.fixed.labels.buffer());
  EXPECT_EQ(a.fixed_landmarks.size(), plain.fixed_landmarks.size());
  EXPECT_TRUE(plain.meta["couch"].is_null());
  ASSERT_TRUE(a.meta["couch"].is_object());
  EXPECT_EQ(a.meta["couch"].dump(), b.meta["couch"].dump());
  PhantomOptions other = o;
  other.seed = 13;
  EXPECT_NE(generate_pair(other).meta["couch"].dump(), a.meta["couch"].dump());
}

}  // namespace
}  // namespace modir::phantom
