// End-to-end tests of `modir phantom` and `modir snapshot`.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "modir/io/image_io.h"
#include "modir/io/png_io.h"
#include "modir/io/point_io.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run_modir;

using test::quoted;

TEST(PhantomCli, WritesAFullPairWithConsistentFiles) {
  test::TempDir dir;
  const auto r =
      run_modir("phantom --quiet --seed 3 --size small --deformation large --sex male --out " +
                quoted(dir / "pair"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name :
       {"fixed.nii.gz", "moving.nii.gz", "fixed_labels.nii.gz", "moving_labels.nii.gz",
        "fixed_landmarks.csv", "moving_landmarks.csv", "gt_displacement.nii.gz", "meta.json"}) {
    EXPECT_TRUE(fs::exists(dir / "pair" / name)) << name;
  }
  std::ifstream meta_stream(dir / "pair" / "meta.json");
  const json meta = json::parse(meta_stream);
  EXPECT_EQ(meta["sex"], "male");
  EXPECT_EQ(meta["seed"], 3);
  const io::ImageInfo fixed = io::read_image_info(dir / "pair" / "fixed.nii.gz");
  EXPECT_EQ(fixed.pixel_type, PixelType::kInt16);
  EXPECT_EQ(fixed.geometry.size, (Size3{96, 96, 48}));
  EXPECT_NEAR(fixed.geometry.spacing.z, 3.0, 1e-6);
  const io::ImageInfo field = io::read_image_info(dir / "pair" / "gt_displacement.nii.gz");
  EXPECT_EQ(field.components, 3);
  EXPECT_TRUE(field.geometry.same_grid(fixed.geometry));
  const PointSet landmarks = io::read_points(dir / "pair" / "fixed_landmarks.csv");
  EXPECT_GE(landmarks.size(), 100u);
  EXPECT_EQ(meta["landmarks"].get<std::size_t>(), landmarks.size());
}

TEST(PhantomCli, BadOptionsAreUsageErrors) {
  test::TempDir dir;
  EXPECT_EQ(run_modir("phantom --seed 1 --size huge --out " + quoted(dir / "a")).exit_code, 2);
  EXPECT_EQ(run_modir("phantom --seed 1 --deformation wild --out " + quoted(dir / "a")).exit_code,
            2);
  EXPECT_EQ(
      run_modir("phantom --seed 1 --fixed-bladder-ml 5000 --out " + quoted(dir / "a")).exit_code,
      2);
  EXPECT_EQ(run_modir("phantom --seed 1").exit_code, 2);  // --out is required
  std::ofstream(dir / "file") << "x";
  // An --out that names a file is a mistake in the command line, as for register.
  const auto r = run_modir("phantom --seed 1 --out " + quoted(dir / "file"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is a file"), std::string::npos) << r.err;
  // Hip replacements are drawn for pairs only, and the refusal writes nothing.
  const auto metal = run_modir("phantom --cohort 2 --metal --out " + quoted(dir / "c"));
  EXPECT_EQ(metal.exit_code, 2) << metal.err;
  EXPECT_NE(metal.err.find("--hip-replacements"), std::string::npos) << metal.err;
  EXPECT_FALSE(fs::exists(dir / "c"));
  const auto arms = run_modir("phantom --cohort 2 --arms --out " + quoted(dir / "c"));
  EXPECT_EQ(arms.exit_code, 2) << arms.err;
  EXPECT_NE(arms.err.find("--arms-down"), std::string::npos) << arms.err;
  EXPECT_FALSE(fs::exists(dir / "c"));
  const auto arms_down = run_modir("phantom --arms-down 0.5 --out " + quoted(dir / "c"));
  EXPECT_EQ(arms_down.exit_code, 2) << arms_down.err;
  EXPECT_FALSE(fs::exists(dir / "c"));
  const auto calcifications =
      run_modir("phantom --cohort 2 --calcifications --out " + quoted(dir / "c"));
  EXPECT_EQ(calcifications.exit_code, 2) << calcifications.err;
  EXPECT_NE(calcifications.err.find("--calcified"), std::string::npos) << calcifications.err;
  const auto calcified = run_modir("phantom --calcified 0.5 --out " + quoted(dir / "c"));
  EXPECT_EQ(calcified.exit_code, 2) << calcified.err;
  EXPECT_NE(calcified.err.find("--calcifications"), std::string::npos) << calcified.err;
  const auto markers = run_modir("phantom --cohort 2 --markers --out " + quoted(dir / "c"));
  EXPECT_EQ(markers.exit_code, 2) << markers.err;
  EXPECT_NE(markers.err.find("--marked"), std::string::npos) << markers.err;
  const auto marked = run_modir("phantom --marked 0.5 --out " + quoted(dir / "c"));
  EXPECT_EQ(marked.exit_code, 2) << marked.err;
  EXPECT_NE(marked.err.find("--markers"), std::string::npos) << marked.err;
  const auto fraction = run_modir("phantom --cohort 2 --calcified 1.5 --out " + quoted(dir / "c"));
  EXPECT_EQ(fraction.exit_code, 2) << fraction.err;
  EXPECT_FALSE(fs::exists(dir / "c"));
}

TEST(PhantomCli, CohortWritesManifestAndTruth) {
  test::TempDir dir;
  const auto r = run_modir("phantom --quiet --cohort 2 --seed 9 --out " + quoted(dir / "cohort"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "cohort" / "manifest.csv"));
  std::ifstream truth_stream(dir / "cohort" / "truth.json");
  const json truth = json::parse(truth_stream);
  EXPECT_EQ(truth["patients"], 2);
  EXPECT_GE(truth["issues"].size(), 1u);  // at least the duplicate
}

TEST(PhantomCli, DryRunEstimatesAndMaxMemoryRefusesBeforeWriting) {
  test::TempDir dir;
  auto r = run_modir("phantom --seed 3 --size large --dry-run --out " + quoted(dir / "p"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("estimated peak memory: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("512x512x160"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "p"));
  r = run_modir("phantom --seed 3 --size medium --max-memory 100 --out " + quoted(dir / "p"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("choose a smaller --size"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "p"));
  // A cohort's peak is one scan's: the same estimate for 2 patients and for 200.
  r = run_modir("phantom --cohort 2 --size medium --dry-run --out " + quoted(dir / "c"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("estimated peak memory: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("256x256x96"), std::string::npos) << r.out;
  const auto many =
      run_modir("phantom --cohort 200 --size medium --dry-run --out " + quoted(dir / "c"));
  ASSERT_EQ(many.exit_code, 0) << many.err;
  const auto estimate = [](const std::string& out) {
    const std::size_t at = out.find("estimated peak memory: ");
    return out.substr(at, out.find(" MiB", at) - at);
  };
  EXPECT_EQ(estimate(r.out), estimate(many.out));
  EXPECT_FALSE(fs::exists(dir / "c"));
  r = run_modir("phantom --cohort 2 --size medium --max-memory 100 --out " + quoted(dir / "c"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("choose a smaller --size"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "c"));
}

TEST(SnapshotCli, WritesAPictureAndChecksTheLabelGrid) {
  test::TempDir dir;
  ASSERT_EQ(
      run_modir("phantom --quiet --seed 2 --deformation none --out " + quoted(dir / "p")).exit_code,
      0);
  const auto r =
      run_modir("snapshot " + quoted(dir / "p" / "fixed.nii.gz") + " " + quoted(dir / "s.png") +
                " --labels " + quoted(dir / "p" / "fixed_labels.nii.gz"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const io::RgbPicture picture = io::read_png(dir / "s.png");
  // 192 + 192 + 192 mm wide at 2 mm pixels plus two gaps; 144 mm of slices is less than 192 mm;
  // the legend's rows below.
  EXPECT_EQ(picture.width, 96 + 96 + 96 + 8);
  EXPECT_GT(picture.height, 96);
  EXPECT_LT(picture.height, 96 + 60);
  const auto other = run_modir(
      "snapshot " + quoted(dir / "p" / "fixed.nii.gz") + " " + quoted(dir / "t.png") +
      " --labels " +
      quoted(test::shared_data() / "registration/nibabel_anatomical/anatomical_label.nii.gz"));
  EXPECT_EQ(other.exit_code, 1) << other.err;
  EXPECT_NE(other.err.find("grid"), std::string::npos) << other.err;
}

TEST(SnapshotCli, SlicesThroughAnOrganOrAPointAndRefusesWhatIsNotThere) {
  test::TempDir dir;
  ASSERT_EQ(
      run_modir("phantom --quiet --seed 2 --deformation none --out " + quoted(dir / "p")).exit_code,
      0);
  const std::string base = "snapshot " + quoted(dir / "p" / "fixed.nii.gz") + " ";
  const std::string labels = " --labels " + quoted(dir / "p" / "fixed_labels.nii.gz");
  auto r = run_modir(base + quoted(dir / "bladder.png") + labels + " --organ bladder");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_modir(base + quoted(dir / "three.png") + labels + " --organ 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(io::read_png(dir / "bladder.png").rgb, io::read_png(dir / "three.png").rgb);
  // Another organ's centre is another set of slices.
  r = run_modir(base + quoted(dir / "rectum.png") + labels + " --organ rectum");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(io::read_png(dir / "bladder.png").rgb, io::read_png(dir / "rectum.png").rgb);

  r = run_modir(base + quoted(dir / "x.png") + labels + " --organ spleen");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("its labels: "), std::string::npos) << r.err;
  r = run_modir(base + quoted(dir / "x.png") + " --organ bladder");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--organ needs --labels"), std::string::npos) << r.err;
  r = run_modir(base + quoted(dir / "x.png") + " --point 0,0,5000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("lies outside"), std::string::npos) << r.err;
  r = run_modir(base + quoted(dir / "x.png") + labels + " --point 0,0,0 --organ bladder");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir / "x.png"));
}

}  // namespace
}  // namespace modir
