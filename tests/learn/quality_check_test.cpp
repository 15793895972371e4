#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "modir/core/error.h"
#include "modir/learn/metal_check.h"
#include "modir/learn/organ_statistics.h"
#include "modir/learn/quality_check.h"
#include "support/test_support.h"

namespace modir::learn {
namespace {

const std::vector<LabelClass> kClasses = {{0, "background"}, {2, "bone"}, {3, "bladder"}};

Geometry grid() {
  Geometry g;
  g.size = {40, 40, 30};
  g.spacing = {2, 2, 3};
  g.origin = {-40, -40, 10};
  return g;
}

// Bone: a slab; bladder: a box of `bladder` voxels per side at x offset `shift` (voxels).
LabelMap scan(std::int64_t bladder = 8, std::int64_t shift = 0) {
  LabelMap labels(grid(), 0);
  for (std::int64_t z = 5; z < 25; ++z)
    for (std::int64_t y = 25; y < 30; ++y)
      for (std::int64_t x = 5; x < 35; ++x) labels(x, y, z) = 2;
  for (std::int64_t z = 10; z < 10 + bladder; ++z)
    for (std::int64_t y = 10; y < 10 + bladder; ++y)
      for (std::int64_t x = 16 + shift; x < 16 + shift + bladder; ++x) labels(x, y, z) = 3;
  return labels;
}

ModelStatistics training_statistics() {
  StatisticsBuilder builder(kClasses);
  for (const std::int64_t side : {7, 8, 9}) builder.add(scan(side));
  return builder.finish();
}

TEST(OrganStatistics, MeasuresVolumeOffsetAndPieces) {
  LabelMap labels = scan();
  labels(1, 1, 1) = 3;  // a speck below 0.5 ml: not a piece
  const std::vector<OrganMeasure> m = measure_organs(labels, kClasses);
  EXPECT_NEAR(m[2].volume_ml, (8 * 8 * 8 + 1) * 12 / 1000.0, 1e-9);
  EXPECT_EQ(m[2].components, 1);
  EXPECT_EQ(m[1].components, 1);
  // Bladder centre minus bone centre: x 19.5 - 19.5, y 13.5 - 27, z 13.5 - 14.5 voxels (nearly:
  // the speck moves the bladder's centroid a little).
  EXPECT_NEAR(m[2].offset_mm.y, (13.5 - 27) * 2, 0.5);
  EXPECT_NEAR(m[2].offset_mm.z, (13.5 - 14.5) * 3, 0.5);
  EXPECT_EQ(position_reference(kClasses), "bone");
}

TEST(OrganStatistics, ModelFolderStatisticsAreReadBackExactly) {
  test::TempDir dir;
  const ModelStatistics written = training_statistics();
  write_statistics(written, dir.path());
  const std::optional<ModelStatistics> read = read_statistics(dir.path());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(statistics_to_json(*read), statistics_to_json(written));
  EXPECT_EQ(read->scans, 3);
  EXPECT_EQ(read->organs[1].volume_min_ml, written.organs[1].volume_min_ml);
  EXPECT_FALSE(read_statistics(dir / "nothing").has_value());
  std::filesystem::create_directories(dir / "bad");
  std::ofstream(dir / "bad" / kStatisticsFile) << R"({"format": "modir-organ-statistics"})";
  EXPECT_THROW(read_statistics(dir / "bad"), Error);
}

TEST(QualityCheck, PassesAPlausibleStablePrediction) {
  const LabelMap prediction = scan(8);
  const QcReport r =
      assess_prediction(prediction, {prediction, prediction}, kClasses, training_statistics());
  ASSERT_EQ(r.organs.size(), 2u);
  for (const OrganQc& o : r.organs) {
    EXPECT_TRUE(o.reliable()) << o.name << ": " << (o.reasons.empty() ? "" : o.reasons[0]);
    EXPECT_DOUBLE_EQ(o.confidence, 1.0);
  }
}

TEST(QualityCheck, FlagsImplausibleUnstableAndMissingOrgans) {
  const ModelStatistics stats = training_statistics();
  // Three times too large a bladder.
  const LabelMap big = scan(14);
  EXPECT_FALSE(assess_prediction(big, {big}, kClasses, stats).organs[1].reliable());
  // In the wrong place: 15 voxels (30 mm) to the side, where training never had it.
  const LabelMap moved = scan(8, 15);
  const QcReport r = assess_prediction(moved, {moved}, kClasses, stats);
  ASSERT_FALSE(r.organs[1].reliable());
  EXPECT_NE(r.organs[1].reasons[0].find("left-right"), std::string::npos) << r.organs[1].reasons[0];
  // Unstable under test-time augmentation: the variants put the bladder elsewhere.
  const LabelMap plain = scan(8);
  const QcReport unstable = assess_prediction(plain, {moved, moved}, kClasses, stats);
  EXPECT_LT(unstable.organs[1].confidence, 0.5);
  EXPECT_FALSE(unstable.organs[1].reliable());
  EXPECT_TRUE(unstable.organs[0].reliable());
  // Absent although every training scan had it.
  LabelMap none = scan(8);
  for (std::uint16_t& v : none.buffer())
    if (v == 3) v = 0;
  const QcReport missing = assess_prediction(none, {none}, kClasses, stats);
  ASSERT_EQ(missing.organs[1].reasons.size(), 1u);
  EXPECT_EQ(missing.organs[1].reasons[0], "not found");
  EXPECT_TRUE(std::isnan(missing.organs[1].confidence));
}

TEST(QualityCheck, AQcFileForOtherLabelsIsAClearError) {
  test::TempDir dir;
  const LabelMap prediction = scan(8);
  QcReport r = assess_prediction(prediction, {scan(8, 10)}, kClasses, training_statistics());
  std::ofstream(dir / "pred.qc.json") << qc_to_json(r, "scan.nii.gz", "pred.nii.gz", "m").dump();
  const QcVerdicts verdicts = read_qc_verdicts(dir / "pred.qc.json", prediction, "pred.nii.gz");
  ASSERT_EQ(verdicts.unreliable.size(), 1u);
  EXPECT_EQ(verdicts.unreliable[0].first, 3);
  EXPECT_EQ(verdicts.unreliable_names[0], "bladder");
  const Error e =
      test::error_of([&] { read_qc_verdicts(dir / "pred.qc.json", scan(9), "other.nii.gz"); });
  EXPECT_NE(std::string(e.what()).find("other labels than 'other.nii.gz'"), std::string::npos)
      << e.what();
  EXPECT_EQ(qc_path_for("out/pred.nii.gz"), std::filesystem::path("out/pred.qc.json"));
  EXPECT_EQ(qc_path_for("p.mha"), std::filesystem::path("p.qc.json"));
}

}  // namespace
}  // namespace modir::learn

namespace modir::learn {
namespace {

// A CT of the scan() labels: water, with a metal block (3071 HU, as a scanner clips it) put
// against the bladder's +x face.
Image<float> ct_with_metal(const LabelMap& labels, std::int64_t metal_x0, std::int64_t metal_x1) {
  Image<float> ct(labels.geometry(), 0.0f);
  for (std::int64_t z = 10; z < 18; ++z)
    for (std::int64_t y = 10; y < 18; ++y)
      for (std::int64_t x = metal_x0; x < metal_x1; ++x) ct(x, y, z) = 3071.0f;
  return ct;
}

TEST(MetalCheck, CountsMetalWithinReachOfEachOrganInMillimetres) {
  const LabelMap labels = scan();  // bladder x 16..23, bone y 25..29 (spacing 2, 2, 3 mm)
  // Two columns of metal: x 24 (2 mm from the bladder's last voxel) and x 26 (6 mm away).
  Image<float> ct = ct_with_metal(labels, 24, 25);
  for (std::int64_t z = 10; z < 18; ++z)
    for (std::int64_t y = 10; y < 18; ++y) ct(26, y, z) = 3000.0f;
  ct(0, 0, 0) = 2799.0f;  // below the threshold: not metal
  const MetalFinding f = find_metal(ct, labels, kClasses);
  const double voxel_ml = 2 * 2 * 3 / 1000.0;
  EXPECT_NEAR(f.total_ml, 2 * 64 * voxel_ml, 1e-9);
  EXPECT_NEAR(f.near_class_ml[2], 64 * voxel_ml, 1e-9);  // the bladder: only the near column
  EXPECT_EQ(f.near_class_ml[1], 0.0);                    // the bone is 8 voxels (16 mm) away in y
  // Along z the spacing is 3 mm: metal one slice above the bladder is within 3 mm, two are not.
  Image<float> above(labels.geometry(), 0.0f), two_above = above;
  above(19, 13, 18) = 3071.0f;
  two_above(19, 13, 19) = 3071.0f;
  EXPECT_GT(find_metal(above, labels, kClasses).near_class_ml[2], 0.0);
  EXPECT_EQ(find_metal(two_above, labels, kClasses).near_class_ml[2], 0.0);
  LabelMap other(Geometry{{40, 40, 29}, {2, 2, 3}, {-40, -40, 10}}, 0);
  EXPECT_THROW(find_metal(ct, other, kClasses), Error);
}

TEST(MetalCheck, AnOrganThatIsInPartAnImplantIsUnreliable) {
  const LabelMap labels = scan();
  const std::vector<LabelMap> variants(3, labels);  // test-time augmentation fully agrees
  // A slab of metal 2 voxels thick against the bladder (8x8x8 voxels): its first layer is within
  // reach (2 mm), the second not (4 mm); 64 voxels, 12.5 % of the bladder's volume.
  QcReport report = assess_prediction(labels, variants, kClasses, training_statistics());
  ASSERT_TRUE(report.organs[1].reliable());
  add_metal_findings(report, ct_with_metal(labels, 24, 26), labels, kClasses);
  EXPECT_GT(report.metal_ml, 0.0);
  ASSERT_FALSE(report.organs[1].reliable());
  EXPECT_NE(report.organs[1].reasons[0].find("metal"), std::string::npos);
  EXPECT_TRUE(report.organs[0].reliable());  // the bone is far from it
  // A speck of metal beside the bladder (a fiducial marker) is not a finding.
  QcReport marker = assess_prediction(labels, variants, kClasses, training_statistics());
  Image<float> seed_ct(labels.geometry(), 0.0f);
  seed_ct(24, 13, 13) = 3071.0f;
  add_metal_findings(marker, seed_ct, labels, kClasses);
  EXPECT_TRUE(marker.organs[1].reliable());
  EXPECT_GT(marker.organs[1].metal_ml, 0.0);
  const nlohmann::json j = qc_to_json(marker, "ct.nii.gz", "pred.nii.gz", "model");
  EXPECT_GT(j["metal_ml"].get<double>(), 0.0);
  EXPECT_GT(j["organs"]["bladder"]["metal_ml_within_3mm"].get<double>(), 0.0);
}

}  // namespace
}  // namespace modir::learn
