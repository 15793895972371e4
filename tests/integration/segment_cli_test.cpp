// End-to-end test of `modir segment predict` with the shipped models/pelvis on a phantom scan the
// model never saw: labels on the scan's grid and organ overlap checked against the ground truth.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "modir/filter/slice_holes.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir {
namespace {

using nlohmann::json;
using test::quoted;
using test::run_modir;
namespace fs = std::filesystem;

TEST(SegmentCli, ShippedPelvisModelLabelsAnUnseenPhantom) {
  test::TempDir dir;
  const auto pair =
      run_modir("phantom --quiet --seed 9020 --size small --out " + quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  const auto predict =
      run_modir("segment predict --quiet --image " + quoted(dir / "p/fixed.nii.gz") + " --out " +
                quoted(dir / "labels.nii.gz"));
  if (predict.err.find("without LibTorch") != std::string::npos)
    GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const LabelMap truth = io::read_image_as<std::uint16_t>(dir / "p/fixed_labels.nii.gz");
  const LabelMap labels = io::read_image_as<std::uint16_t>(dir / "labels.nii.gz");
  EXPECT_TRUE(labels.geometry().same_grid(truth.geometry(), 1e-6));

  const auto evaluate = run_modir(
      "evaluate --quiet --fixed-labels " + quoted(dir / "p/fixed_labels.nii.gz") +
      " --warped-labels " + quoted(dir / "labels.nii.gz") + " --json " + quoted(dir / "e.json"));
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  std::ifstream stream(dir / "e.json");
  const json result = json::parse(stream);
  for (const json& label : result["labels"]) {
    const std::string name = label["name"];
    if (name == "bladder" || name == "bone") {
      EXPECT_GT(label["dice"].get<double>(), 0.85) << name;
    }
    if (name == "rectum") {
      EXPECT_GT(label["dice"].get<double>(), 0.7) << name;
    }
  }

  // Quality control beside the labels: an in-distribution scan's main organs pass.
  std::ifstream qc_stream(dir / "labels.qc.json");
  ASSERT_TRUE(qc_stream.good()) << "no labels.qc.json";
  const json qc = json::parse(qc_stream);
  EXPECT_EQ(qc["format"], "modir-segmentation-qc");
  for (const char* organ : {"body", "bone", "bladder"}) {
    EXPECT_EQ(qc["organs"][organ]["verdict"], "reliable") << organ << ": " << qc["organs"][organ];
    EXPECT_GT(qc["organs"][organ]["confidence"].get<double>(), 0.85) << organ;
  }

  // The shipped plan marks the solid organs; what they enclose within an axial slice is theirs
  // unless another organ (not body, not background). --no-fill-holes leaves the network's word:
  // the two outputs differ only where a solid organ claimed body or background.
  const std::vector<std::uint16_t> solid{3, 4, 6, 7};  // bladder, rectum, uterus/prostate, heads
  {
    std::ifstream plan_stream(fs::path(MODIR_SOURCE_DIR) / "models/pelvis/plan.json");
    const json plan = json::parse(plan_stream);
    for (const json& c : plan["classes"]) {
      const bool marked =
          std::find(solid.begin(), solid.end(), c["id"].get<std::uint16_t>()) != solid.end();
      EXPECT_EQ(c.value("fill_holes", false), marked) << c;
    }
  }
  for (const std::uint16_t organ : solid) {
    Image<std::uint8_t> mask(labels.geometry(), 0);
    for (std::int64_t v = 0; v < labels.voxel_count(); ++v)
      mask.data()[v] = labels.data()[v] == organ ? 1 : 0;
    const Image<std::uint8_t> before = mask;
    filter::fill_slice_holes(mask, filter::axial_axis(labels.geometry()));
    for (std::int64_t v = 0; v < labels.voxel_count(); ++v) {
      if (mask.data()[v] != before.data()[v]) {
        ASSERT_GT(labels.data()[v], 1) << "organ " << organ << " left a hole at voxel " << v;
      }
    }
  }
  // A fat island (-100 HU, 34 x 34 x 9 mm) in the middle of the bladder: the network calls it
  // body, a hole within the bladder's slices; filled, it is bladder. The outputs differ only
  // where a solid organ claimed body or background.
  Image<float> scan = io::read_image_as<float>(dir / "p/fixed.nii.gz");
  Vec3d centre{0, 0, 0};
  std::int64_t bladder_voxels = 0;
  for (std::int64_t k = 0; k < truth.size()[2]; ++k)
    for (std::int64_t j = 0; j < truth.size()[1]; ++j)
      for (std::int64_t i = 0; i < truth.size()[0]; ++i)
        if (truth(i, j, k) == 3) {
          centre = centre + Vec3d{double(i), double(j), double(k)};
          ++bladder_voxels;
        }
  ASSERT_GT(bladder_voxels, 0);
  const auto ci = std::int64_t(std::lround(centre.x / double(bladder_voxels))),
             cj = std::int64_t(std::lround(centre.y / double(bladder_voxels))),
             ck = std::int64_t(std::lround(centre.z / double(bladder_voxels)));
  std::int64_t island = 0;
  for (std::int64_t k = ck - 1; k <= ck + 1; ++k)
    for (std::int64_t j = cj - 8; j <= cj + 8; ++j)
      for (std::int64_t i = ci - 8; i <= ci + 8; ++i) {
        ASSERT_EQ(truth(i, j, k), 3) << "the island must lie inside the bladder";
        scan(i, j, k) = -100.0f;
        ++island;
      }
  io::write_image(scan, dir / "fat.nii.gz");
  for (const std::string fill : {"", "--no-fill-holes "}) {
    const auto r = run_modir("segment predict --quiet --no-qc " + fill + "--image " +
                             quoted(dir / "fat.nii.gz") + " --out " +
                             quoted(dir / (fill.empty() ? "fat_filled.nii.gz" : "fat_raw.nii.gz")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const LabelMap filled = io::read_image_as<std::uint16_t>(dir / "fat_filled.nii.gz");
  const LabelMap raw = io::read_image_as<std::uint16_t>(dir / "fat_raw.nii.gz");
  std::int64_t claimed = 0;
  for (std::int64_t v = 0; v < filled.voxel_count(); ++v) {
    if (raw.data()[v] != filled.data()[v]) {
      ++claimed;
      ASSERT_LE(raw.data()[v], 1) << "voxel " << v;
      ASSERT_NE(std::find(solid.begin(), solid.end(), filled.data()[v]), solid.end())
          << "voxel " << v;
    }
  }
  // 699 of the island's 867 voxels on 2026-12-06; the network called the rest bladder itself.
  EXPECT_GT(claimed, island / 3) << "of " << island;

  // register reads the QC file with its labels; given with other labels it refuses, naming both.
  const auto wrong = run_modir("register --quiet --fixed " + quoted(dir / "p/fixed.nii.gz") +
                               " --moving " + quoted(dir / "p/moving.nii.gz") + " --fixed-labels " +
                               quoted(dir / "p/fixed_labels.nii.gz") + " --moving-labels " +
                               quoted(dir / "p/moving_labels.nii.gz") + " --fixed-qc " +
                               quoted(dir / "labels.qc.json") + " --out " + quoted(dir / "r"));
  EXPECT_EQ(wrong.exit_code, 1) << wrong.err;
  EXPECT_NE(wrong.err.find("was made for other labels than"), std::string::npos) << wrong.err;
}

double dice_of(const LabelMap& a, const LabelMap& b, std::uint16_t label) {
  std::int64_t both = 0, sum = 0;
  for (std::int64_t v = 0; v < a.voxel_count(); ++v) {
    both += a.data()[v] == label && b.data()[v] == label;
    sum += (a.data()[v] == label) + (b.data()[v] == label);
  }
  return sum == 0 ? 1.0 : 2.0 * double(both) / double(sum);
}

// A man with three gold markers in his prostate: the network reads the scan with them filled by
// the tissue around them (filter/dense_objects.h), says so, and lists them in the QC file; the
// gland comes out closer to the truth than when it reads the markers as they are.
TEST(SegmentCli, GoldMarkersAreFilledBeforeTheNetworkReadsTheScan) {
  test::TempDir dir;
  const auto pair = run_modir("phantom --quiet --seed 9030 --size small --sex male --markers --out " +
                              quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  const auto filled = run_modir("segment predict --quiet --image " +
                                quoted(dir / "p/fixed.nii.gz") + " --out " +
                                quoted(dir / "filled.nii.gz"));
  if (filled.err.find("without LibTorch") != std::string::npos)
    GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(filled.exit_code, 0) << filled.err;
  EXPECT_NE(filled.out.find("3 small dense object(s)"), std::string::npos) << filled.out;
  const auto kept = run_modir("segment predict --quiet --no-qc --keep-dense-objects --image " +
                              quoted(dir / "p/fixed.nii.gz") + " --out " +
                              quoted(dir / "kept.nii.gz"));
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(kept.out.find("dense object"), std::string::npos) << kept.out;

  const LabelMap truth = io::read_image_as<std::uint16_t>(dir / "p/fixed_labels.nii.gz");
  std::ifstream qc_stream(dir / "filled.qc.json");
  const json qc = json::parse(qc_stream);
  ASSERT_EQ(qc["small_dense_objects_filled"].size(), 3u) << qc.dump(1);
  for (const json& o : qc["small_dense_objects_filled"]) {
    const Vec3d centre{o["centre_mm"][0], o["centre_mm"][1], o["centre_mm"][2]};
    const Vec3d index = truth.geometry().world_to_index(centre);
    EXPECT_EQ(truth(std::llround(index.x), std::llround(index.y), std::llround(index.z)), 6)
        << "a marker outside the prostate: " << o;
    EXPECT_LT(o["core_ml"].get<double>(), 0.1);
  }
  const std::uint16_t prostate = 6;
  const double with_fill = dice_of(truth, io::read_image_as<std::uint16_t>(dir / "filled.nii.gz"),
                                   prostate);
  const double as_they_are =
      dice_of(truth, io::read_image_as<std::uint16_t>(dir / "kept.nii.gz"), prostate);
  // 0.950 against 0.944 on 2026-12-07 (the medium development men: 0.952 against 0.932).
  EXPECT_GT(with_fill, as_they_are + 0.002);
  EXPECT_GT(with_fill, 0.90);
}

// A real CT of another body region (upper abdomen, 30 slices of 3 mm, no pelvis): the pelvic organs
// the network marks there must not pass QC.
TEST(SegmentCli, QcFlagsPelvicOrgansOnAScanOfAnotherBodyRegion) {
  test::TempDir dir;
  const auto predict = run_modir(
      "segment predict --quiet --image " +
      quoted(test::shared_data() / "real_ct/totalsegmentator_example/example_ct_sm.nii.gz") +
      " --out " + quoted(dir / "labels.nii.gz"));
  if (predict.err.find("without LibTorch") != std::string::npos)
    GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  std::ifstream qc_stream(dir / "labels.qc.json");
  const json qc = json::parse(qc_stream);
  int flagged = 0;
  for (const char* organ : {"bladder", "rectum", "uterus_prostate", "femoral_heads"}) {
    const bool unreliable = qc["organs"][organ]["verdict"] == "unreliable";
    flagged += unreliable;
    if (unreliable) {
      EXPECT_NE(predict.err.find(std::string("QC: ") + organ + " unreliable"), std::string::npos)
          << predict.err;
    }
  }
  EXPECT_EQ(flagged, 4) << qc.dump(1);
}

// --dry-run says what predicting needs, from the scan's header, and writes nothing; a scan that
// does not fit is refused before the network runs, saying what would make it fit.
TEST(SegmentCli, MemoryIsEstimatedBeforePredictingAndAScanThatDoesNotFitIsRefused) {
  test::TempDir dir;
  const auto pair =
      run_modir("phantom --quiet --seed 9021 --size small --out " + quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  const std::string predict = "segment predict --image " + quoted(dir / "p/fixed.nii.gz") +
                              " --out " + quoted(dir / "labels.nii.gz");
  const auto with_qc = run_modir(predict + " --dry-run");
  ASSERT_EQ(with_qc.exit_code, 0) << with_qc.err;
  EXPECT_NE(with_qc.out.find("estimated peak memory"), std::string::npos) << with_qc.out;
  EXPECT_NE(with_qc.out.find("with QC"), std::string::npos) << with_qc.out;
  const auto without_qc = run_modir(predict + " --dry-run --no-qc");
  ASSERT_EQ(without_qc.exit_code, 0) << without_qc.err;
  EXPECT_EQ(without_qc.out.find("with QC"), std::string::npos) << without_qc.out;
  EXPECT_FALSE(fs::exists(dir / "labels.nii.gz"));

  const auto refused = run_modir(predict + " --quiet --max-memory 100");
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("needs about"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--no-qc"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir / "labels.nii.gz"));
}

// Training's estimate comes from the plan and the scans' headers: --dry-run prints it and writes
// no model folder; a run over --max-memory is refused before LibTorch loads or anything is written.
TEST(SegmentCli, TrainingMemoryIsEstimatedBeforeTrainingAndARunThatDoesNotFitIsRefused) {
  test::TempDir dir;
  const auto cohort =
      run_modir("phantom --quiet --cohort 2 --seed 9022 --size small --out " + quoted(dir / "c"));
  ASSERT_EQ(cohort.exit_code, 0) << cohort.err;
  const std::string train = "segment train --quiet --manifest " + quoted(dir / "c/manifest.csv") +
                            " --out " + quoted(dir / "model") + " --epochs 1 --iterations 1";
  const auto batch2 = run_modir(train + " --batch-size 2 --dry-run");
  ASSERT_EQ(batch2.exit_code, 0) << batch2.err;
  EXPECT_NE(batch2.out.find("estimated peak memory"), std::string::npos) << batch2.out;
  EXPECT_NE(batch2.out.find("batch 2 of"), std::string::npos) << batch2.out;
  const auto batch4 = run_modir(train + " --batch-size 4 --dry-run");
  ASSERT_EQ(batch4.exit_code, 0) << batch4.err;
  const auto peak = [](const std::string& out) {
    const std::size_t at = out.find("estimated peak memory: ") + 23;
    return std::stod(out.substr(at, out.find(" MiB", at) - at));
  };
  EXPECT_GT(peak(batch4.out), peak(batch2.out) + 400) << "a batch twice as large";
  EXPECT_FALSE(fs::exists(dir / "model"));

  const auto refused = run_modir(train + " --max-memory 200");
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("this training run needs about"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--batch-size"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir / "model"));
}

TEST(SegmentCli, AMissingModelIsAClearError) {
  test::TempDir dir;
  const auto missing = run_modir("segment predict --model " + quoted(dir.path()) +
                                 " --image x.nii.gz --out " + quoted(dir / "l.nii.gz"));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("modir: error:"), std::string::npos) << missing.err;
}

// Sets an environment variable for the programs this test runs, and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// LibTorch lives in a module loaded at run time: when it is missing or is not modir's, the
// commands that need it say so (naming the file) instead of crashing, and the others still run.
TEST(SegmentCli, AMissingOrForeignNetworkModuleIsAClearError) {
  test::TempDir dir;
  const std::string predict = "segment predict --image x.nii.gz --out " + quoted(dir / "l.nii.gz");
  {
    const ScopedEnv env("MODIR_NETWORK_MODULE", (dir / "absent.so").string());
    const auto missing = run_modir(predict);
    EXPECT_EQ(missing.exit_code, 2) << missing.err;
    EXPECT_NE(missing.err.find("network module"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("absent.so"), std::string::npos) << missing.err;
    EXPECT_EQ(run_modir("--version").exit_code, 0);
  }
  {
    std::ofstream(dir / "foreign.so") << "not a shared library\n";
    const ScopedEnv env("MODIR_NETWORK_MODULE", (dir / "foreign.so").string());
    const auto foreign = run_modir(predict);
    EXPECT_EQ(foreign.exit_code, 2) << foreign.err;
    EXPECT_NE(foreign.err.find("foreign.so"), std::string::npos) << foreign.err;
  }
}

}  // namespace
}  // namespace modir
