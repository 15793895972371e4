#include "modir/dataset/fingerprint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "cohort_fixture.h"
#include "modir/dataset/duplicates.h"
#include "modir/io/image_io.h"

namespace modir::dataset {
namespace {

// The same scan as another hospital would file it: cropped (slices and in-plane), re-noised,
// with another rescale intercept, stored with the x axis reversed and as MetaImage.
Image<float> reexported(const Image<float>& scan) {
  const Geometry& g = scan.geometry();
  Geometry out_g = g;
  const std::int64_t x0 = 6, y0 = 4, z0 = 5;
  out_g.size = {g.size[0] - 14, g.size[1] - 10, g.size[2] - 12};
  out_g.direction(0, 0) = -g.direction(0, 0);
  out_g.origin = g.index_to_world({double(x0 + out_g.size[0] - 1), double(y0), double(z0)});
  Image<float> out(out_g);
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(0.0f, 25.0f);
  for (std::int64_t k = 0; k < out_g.size[2]; ++k)
    for (std::int64_t j = 0; j < out_g.size[1]; ++j)
      for (std::int64_t i = 0; i < out_g.size[0]; ++i)
        out(i, j, k) = scan(x0 + out_g.size[0] - 1 - i, y0 + j, z0 + k) + 80.0f + noise(rng);
  return out;
}

TEST(Fingerprint, SameScanReexportedMatchesAndOtherPatientsDoNot) {
  const test_cohorts::Cohort& cohort = test_cohorts::clean();
  const Manifest manifest = read_manifest(cohort.manifest());
  const Image<float> original = io::read_image_as<float>(manifest.scans[0].image);
  test::TempDir dir;
  io::write_image(reexported(original), dir / "copy.mha");
  const Image<float> copy = io::read_image_as<float>(dir / "copy.mha");
  ASSERT_NE(copy.geometry().orientation_toward(), original.geometry().orientation_toward());

  const DuplicateThresholds t;
  const Fingerprint a = make_fingerprint(original), b = make_fingerprint(copy);
  const Similarity same = compare(a, b);
  EXPECT_GT(same.ncc, t.min_ncc);
  EXPECT_GT(same.detail_ncc, t.min_detail_ncc);
  EXPECT_GT(same.overlap, 0.99);  // the copy lies inside the original
  for (std::size_t i = 1; i < manifest.scans.size(); ++i) {
    const Similarity other =
        compare(a, make_fingerprint(io::read_image_as<float>(manifest.scans[i].image)));
    SCOPED_TRACE(manifest.scans[i].patient_id + "/" + manifest.scans[i].scan_id);
    EXPECT_LT(other.detail_ncc, t.min_detail_ncc);  // other scans, even of the same patient
  }

  // Filed under another patient id, the copy forms a duplicate group with its original.
  std::vector<ScanSummary> scans;
  for (const ScanEntry& e : manifest.scans) scans.push_back(summarise_scan(e));
  ScanEntry filed_again = manifest.scans[0];
  filed_again.patient_id = "P999";
  filed_again.image = dir / "copy.mha";
  filed_again.labels.clear();
  scans.push_back(summarise_scan(filed_again));
  const std::vector<DuplicateGroup> groups = find_duplicates(scans);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].scans, (std::vector<std::size_t>{0, scans.size() - 1}));
  EXPECT_FALSE(groups[0].exact);
}

TEST(Fingerprint, DisjointScansDoNotCompare) {
  Geometry g;
  g.size = {10, 10, 10};
  g.spacing = {2, 2, 2};
  Image<float> a = test::random_image<float>(g, -100, 100, 1);
  g.origin = {500, 0, 0};
  Image<float> b = test::random_image<float>(g, -100, 100, 1);
  b.set_geometry(g);
  const Similarity s = compare(make_fingerprint(a), make_fingerprint(b));
  EXPECT_EQ(s.points, 0);
  EXPECT_TRUE(std::isnan(s.ncc));
}

}  // namespace
}  // namespace modir::dataset
