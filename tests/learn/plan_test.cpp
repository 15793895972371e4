#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "modir/core/version.h"
#include "modir/learn/planner.h"
#include "modir/learn/train_options_json.h"
#include "modir/learn/training_set.h"
#include "support/test_support.h"

namespace modir::learn {
namespace {

namespace fs = std::filesystem;

DatasetFingerprint pelvis_like_fingerprint() {
  DatasetFingerprint f;
  f.sizes = {{256, 256, 96}, {256, 256, 96}};
  f.spacings = {{1, 1, 3}, {1, 1, 3}};
  f.median_spacing = {1, 1, 3};
  f.median_extent_mm = {256, 256, 288};
  f.percentile_00_5 = -120;
  f.percentile_99_5 = 1100;
  f.mean = 60;
  f.std = 180;
  f.label_ids = {0, 1, 2, 3};
  return f;
}

TEST(Plan, RoundTripsThroughJson) {
  SegmentationPlan plan =
      make_plan(pelvis_like_fingerprint(), {{0, "background"}, {3, "bladder"}}, {});
  const SegmentationPlan back = plan_from_json(plan_to_json(plan), "test");
  EXPECT_EQ(back.patch_size, plan.patch_size);
  EXPECT_EQ(back.spacing, plan.spacing);
  EXPECT_EQ(back.classes.size(), 2u);
  EXPECT_EQ(back.classes[1].name, "bladder");
  EXPECT_EQ(back.modir_version, kVersion);
}

TEST(Plan, WhichClassesAreFilledRoundTripsAndOldPlansFillNothing) {
  SegmentationPlan plan =
      make_plan(pelvis_like_fingerprint(), {{0, "background"}, {1, "body"}, {3, "bladder"}}, {});
  plan.classes[2].fill_holes = true;
  nlohmann::json j = plan_to_json(plan);
  const SegmentationPlan back = plan_from_json(j, "test");
  EXPECT_FALSE(back.classes[1].fill_holes);
  EXPECT_TRUE(back.classes[2].fill_holes);
  for (nlohmann::json& c : j["classes"]) c.erase("fill_holes");
  for (const LabelClass& c : plan_from_json(j, "old").classes) EXPECT_FALSE(c.fill_holes);
  j["classes"][2]["fill_holes"] = "yes";
  EXPECT_EQ(test::error_of([&] { plan_from_json(j, "bad"); }).kind(), ErrorKind::kData);
}

TEST(Plan, FillHolesTakesAutoNoneOrTheModelsClassNames) {
  SegmentationPlan plan;
  plan.classes = {{0, "background"}, {1, "body"}, {3, "bladder", true}, {4, "rectum"}};
  apply_fill_holes(plan, "auto");
  EXPECT_TRUE(plan.classes[2].fill_holes);
  apply_fill_holes(plan, "rectum,body");
  EXPECT_EQ((std::vector<bool>{plan.classes[0].fill_holes, plan.classes[1].fill_holes,
                               plan.classes[2].fill_holes, plan.classes[3].fill_holes}),
            (std::vector<bool>{false, true, false, true}));
  apply_fill_holes(plan, "none");
  for (const LabelClass& c : plan.classes) EXPECT_FALSE(c.fill_holes);
  for (const char* bad : {"bladder,prostate", "background", "bladder,", ""}) {
    const Error e = test::error_of([&] { apply_fill_holes(plan, bad); });
    EXPECT_EQ(e.kind(), ErrorKind::kUsage) << bad;
    if (std::string(bad) == "bladder,prostate") {
      EXPECT_NE(std::string(e.what()).find("body, bladder, rectum"), std::string::npos)
          << e.what();
    }
  }
}

TEST(Planner, ClassesWithoutHolesWithinAxialSlicesAreMarkedSolid) {
  // Through the fingerprint: a solid box (3), a ring with a hole on every slice (5), the body (1)
  // around both, background (0) around it.
  Geometry g;
  g.size = {24, 20, 6};
  g.spacing = {1, 1, 3};
  LabelMap labels(g, 0);
  Image<float> image(g, 0.0f);
  for (std::int64_t k = 0; k < 6; ++k)
    for (std::int64_t j = 1; j < 19; ++j)
      for (std::int64_t i = 1; i < 23; ++i) {
        labels(i, j, k) = 1;
        if (i >= 3 && i <= 8 && j >= 3 && j <= 8) labels(i, j, k) = 3;
        if (i >= 12 && i <= 18 && j >= 5 && j <= 11 && (i == 12 || i == 18 || j == 5 || j == 11))
          labels(i, j, k) = 5;
      }
  FingerprintBuilder builder;
  builder.add(image, labels);
  const DatasetFingerprint f = builder.finish();
  EXPECT_EQ(f.slice_hole_share.at(3), 0.0);
  EXPECT_DOUBLE_EQ(f.slice_hole_share.at(5), 25.0 / 24.0);  // 5 x 5 inside a 24-voxel ring
  EXPECT_DOUBLE_EQ(f.slice_hole_share.at(1), 60.0 / 336.0);  // the organs are its holes
  EXPECT_EQ(f.slice_hole_share.count(0), 0u);
  const SegmentationPlan plan =
      make_plan(f, {{0, "background"}, {1, "body"}, {3, "bladder"}, {5, "bowel"}}, {});
  EXPECT_EQ((std::vector<bool>{plan.classes[0].fill_holes, plan.classes[1].fill_holes,
                               plan.classes[2].fill_holes, plan.classes[3].fill_holes}),
            (std::vector<bool>{false, false, true, false}));
  EXPECT_EQ(plan.fingerprint.at("slice_hole_share").at("5").get<double>(), 25.0 / 24.0);
}

TEST(Plan, CorruptJsonIsAClearDataError) {
  test::TempDir dir;
  std::ofstream(dir / "plan.json") << "{ \"format\": ";
  const Error e = test::error_of([&] { read_plan(dir.path()); });
  EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
}

TEST(Planner, CtIsClippedToForegroundPercentilesAndZScored) {
  const SegmentationPlan plan = make_plan(pelvis_like_fingerprint(), {{0, "bg"}, {3, "b"}}, {});
  EXPECT_EQ(plan.normalisation.clip_low, -120);
  EXPECT_EQ(plan.normalisation.clip_high, 1100);
  EXPECT_EQ(plan.normalisation.mean, 60);
  EXPECT_EQ(plan.normalisation.std, 180);
}

TEST(Planner, PatchAndBatchFitTheMemoryBudget) {
  for (const double budget : {256.0, 1024.0, 6144.0}) {
    PlanningOptions options;
    options.memory_budget_mb = budget;
    const SegmentationPlan plan =
        make_plan(pelvis_like_fingerprint(), {{0, "bg"}, {3, "b"}}, options);
    const double voxels = double(plan.patch_size[0] * plan.patch_size[1] * plan.patch_size[2]);
    EXPECT_LE(voxels * plan.batch_size * training_bytes_per_voxel(plan.base_channels),
              budget * 1024 * 1024)
        << budget;
    const std::int64_t multiple = std::int64_t{1} << (plan.levels - 1);
    for (const std::int64_t p : plan.patch_size) EXPECT_EQ(p % multiple, 0);
    EXPECT_GE(plan.levels, 3);
  }
}

TEST(Planner, CpuSpacingIsIsotropicAtTheCoarsestMedianAxis) {
  const SegmentationPlan plan = make_plan(pelvis_like_fingerprint(), {{0, "bg"}, {3, "b"}}, {});
  EXPECT_EQ(plan.spacing, (Vec3d{3, 3, 3}));
  PlanningOptions forced;
  forced.spacing = Vec3d{2, 2, 4};
  EXPECT_EQ(make_plan(pelvis_like_fingerprint(), {{0, "bg"}}, forced).spacing, (Vec3d{2, 2, 4}));
}

TEST(TrainingSet, ReadsManifestsAndSplitFilesWithPathsRelativeToTheirFolder) {
  test::TempDir dir;
  std::ofstream(dir / "manifest.csv")
      << "patient_id,scan_id,image,labels\nP0,S0,P0/a.nii.gz,P0/b.nii.gz\n";
  std::ofstream(dir / "split.csv") << "patient_id,scan_id,image,labels,fold\nP0,S0,x.nii.gz,y.nii."
                                      "gz,1\nP1,S0,z.nii.gz,w.nii.gz,0\n";
  const auto manifest = read_training_cases(dir / "manifest.csv");
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0].image, dir / "P0/a.nii.gz");
  EXPECT_FALSE(manifest[0].fold);
  const auto split = read_training_cases(dir / "split.csv");
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(*split[0].fold, 1);
  const CaseSplit by_fold = split_cases(split, 1, 0.2, 1);
  ASSERT_EQ(by_fold.validation.size(), 1u);
  EXPECT_EQ(by_fold.validation[0].patient_id, "P0");
  EXPECT_EQ(test::error_of([&] { split_cases(manifest, 0, 0.2, 1); }).kind(), ErrorKind::kUsage);
}

TEST(TrainingSet, SplitsWithoutFoldsKeepPatientsOnOneSide) {
  std::vector<TrainingCase> cases;
  for (int p = 0; p < 10; ++p)
    for (int s = 0; s < 3; ++s)
      cases.push_back({"P" + std::to_string(p), "S" + std::to_string(s), {}, {}, {}, {}});
  const CaseSplit split = split_cases(cases, std::nullopt, 0.2, 7);
  EXPECT_EQ(split.validation.size(), 6u);  // 2 patients x 3 scans
  for (const TrainingCase& v : split.validation)
    for (const TrainingCase& t : split.training) EXPECT_NE(v.patient_id, t.patient_id);
  const CaseSplit again = split_cases(cases, std::nullopt, 0.2, 7);
  EXPECT_EQ(again.validation[0].patient_id, split.validation[0].patient_id);
}

TEST(TrainingSet, TheTrainingSplitNeedsScansOnBothSides) {
  test::TempDir dir;
  std::ofstream(dir / "one.csv") << "patient_id,scan_id,image,labels\nP0,S0,a.nii,b.nii\n"
                                    "P0,S1,c.nii,d.nii\n";
  std::ofstream(dir / "two.csv") << "patient_id,scan_id,image,labels\nP0,S0,a.nii,b.nii\n"
                                    "P1,S0,c.nii,d.nii\n";
  // One patient cannot be split by patient: refused by name, not an empty side found later.
  const Error one = test::error_of([&] { training_split(dir / "one.csv", std::nullopt, 0.2, 1); });
  EXPECT_EQ(one.kind(), ErrorKind::kUsage);
  EXPECT_NE(std::string(one.what()).find("one patient"), std::string::npos) << one.what();
  const CaseSplit two = training_split(dir / "two.csv", std::nullopt, 0.2, 1);
  EXPECT_EQ(two.training.size(), 1u);
  EXPECT_EQ(two.validation.size(), 1u);
  EXPECT_NE(two.training[0].patient_id, two.validation[0].patient_id);
}

TEST(TrainingSet, LabelNamesComeFromTheCohortTruthFile) {
  test::TempDir dir;
  std::ofstream(dir / "truth.json") << R"({"labels": {"0": "background", "3": "bladder"}})";
  const auto classes = label_classes({0, 3, 9}, dir / "manifest.csv", "");
  ASSERT_EQ(classes.size(), 3u);
  EXPECT_EQ(classes[1].name, "bladder");
  EXPECT_EQ(classes[2].name, "label_9");
  EXPECT_EQ(label_classes({0, 3}, dir / "manifest.csv", "3:vessie")[1].name, "vessie");
}

TEST(TrainOptionsJson, KeysAreTheCommandsOptionsAndAreChecked) {
  const TrainOptions t = train_options_from_json(
      nlohmann::json::parse(R"({"patch_size": [32, 32, 16], "spacing": 2, "batch_size": 3,
                                "iterations": 7, "validation_fold": 1})"));
  EXPECT_EQ(*t.planning.patch_size, (Size3{32, 32, 16}));
  EXPECT_EQ(*t.planning.spacing, (Vec3d{2, 2, 2}));
  EXPECT_EQ(*t.planning.batch_size, 3);
  EXPECT_EQ(t.iterations_per_epoch, 7);
  EXPECT_EQ(*t.validation_fold, 1);
  EXPECT_EQ(t.fill_holes, "auto");
  EXPECT_EQ(train_options_from_json(nlohmann::json::parse(R"({"fill_holes": "none"})")).fill_holes,
            "none");
  for (const char* bad : {R"({"patch_size": [32.5, 32, 16]})", R"({"levels": 9})",
                          R"({"spacing": [1, 2]})", R"({"appearance": 2})", R"({"seed": -1})",
                          R"({"resume": true, "fill_holes": "bladder"})"}) {
    EXPECT_EQ(test::error_of([&] { train_options_from_json(nlohmann::json::parse(bad)); }).kind(),
              ErrorKind::kUsage)
        << bad;
  }
}

TEST(TrainOptionsJson, AnOrganAbsentFromAScanHasNoDice) {
  TrainResult result;
  result.plan.classes = {{0, "background"}, {1, "bladder"}, {3, "rectum"}};
  result.validation.push_back({"P1", "S0", {0.9, std::nan("")}});
  const nlohmann::json j = train_result_to_json(result);
  EXPECT_EQ(j["validation"][0]["dice"]["bladder"], 0.9);
  EXPECT_TRUE(j["validation"][0]["dice"]["rectum"].is_null());
}

}  // namespace
}  // namespace modir::learn
