// End-to-end tests of `modir front` (pick, export, plot) and `modir evaluate --front`. Picking and
// plotting run on hand-made fronts whose answers are known; export rebuilds the outputs of a real
// (small, fast) registration stored as a one-solution front and compares them with the original.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "modir/io/image_io.h"
#include "modir/io/png_io.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_modir;

json read_json(const fs::path& path) {
  std::ifstream stream(path);
  return json::parse(stream);
}

void write_json(const fs::path& path, const json& j) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << j.dump(2);
}

// A 3-objective front of six solutions with organ distances and truth:
//   k  image guidance deformation organ3 organ4 folded
//   0  0.30  4.0      0.010       3.5    2.0    0
//   1  0.35  2.5      0.006       2.8    2.9    0
//   2  0.40  1.8      0.004       2.0    1.5    0       <- the knee
//   3  0.50  1.2      0.005       1.0    3.2    0
//   4  0.60  0.9      0.003       0.8    0.7    0.002
//   5  0.45  1.9      0.0035      2.2    1.4    0
json three_objective_front() {
  const double rows[6][6] = {
      {0.30, 4.0, 0.010, 3.5, 2.0, 0.0},   {0.35, 2.5, 0.006, 2.8, 2.9, 0.0},
      {0.40, 1.8, 0.004, 2.0, 1.5, 0.0},   {0.50, 1.2, 0.005, 1.0, 3.2, 0.0},
      {0.60, 0.9, 0.003, 0.8, 0.7, 0.002}, {0.45, 1.9, 0.0035, 2.2, 1.4, 0.0}};
  json solutions = json::array();
  for (int k = 0; k < 6; ++k) {
    const double* r = rows[k];
    solutions.push_back({{"index", k},
                         {"weights", {{"image", 1.0}, {"guidance_multiplier", 0.5 * (k + 1)}}},
                         {"objectives", {r[0], r[1], r[2]}},
                         {"organ_distance_mm", {{"3", r[3]}, {"4", r[4]}}},
                         {"folded_fraction", r[5]},
                         {"jacobian_min", r[5] > 0 ? -0.1 : 0.4},
                         {"transform", "solutions/solution_0" + std::to_string(k) + ".json"},
                         {"truth",
                          {{"tre_mean_mm", 2.0 - 0.1 * k},
                           {"tre_p95_mm", 3.0},
                           {"dice", {{"3", 0.9}, {"4", 0.8}}}}}});
  }
  return {{"format", "modir front"},
          {"modir_version", "test"},
          {"objectives", {"image", "guidance", "deformation"}},
          {"normalisation",
           {{"ideal", {0.30, 0.9, 0.0035}},
            {"nadir", {0.50, 4.0, 0.010}},
            {"reference", {1.1, 1.1, 1.1}}}},
          {"hypervolume", 0.5},
          {"knee", 2},
          {"inputs", json::object()},
          {"solutions", solutions}};
}

class FrontPick : public ::testing::Test {
 protected:
  void SetUp() override { write_json(dir_ / "front" / "front.json", three_objective_front()); }
  std::string front() const { return quoted(dir_ / "front"); }
  test::TempDir dir_;
};

TEST_F(FrontPick, DefaultIsTheKnee) {
  const fs::path out = dir_ / "pick.json";
  const auto r = run_modir("front pick " + front() + " --json " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("picked solution 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("knee"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("TRE mean 1.8 mm"), std::string::npos) << r.out;  // truth is shown
  const json j = read_json(out);
  EXPECT_EQ(j["index"], 2);
  EXPECT_EQ(j["rules"]["rule"], "knee");
  EXPECT_EQ(j["solution"]["objectives"][1].get<double>(), 1.8);
  EXPECT_EQ(j["solution"]["weights"]["guidance_multiplier"].get<double>(), 1.5);
}

TEST_F(FrontPick, KneeCheckedAgainstLimits) {
  const auto r = run_modir("front pick " + front() + " --knee --max-guidance 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the knee (solution 2) misses --max-guidance 1 by 0.8 mm"),
            std::string::npos)
      << r.err;
}

TEST_F(FrontPick, SmallestDeformationUnderAGuidanceLimit) {
  // Guidance <= 2 mm: solutions 2, 3, 4, 5; 4 deforms least but folds, so 5.
  auto r = run_modir("front pick " + front() + " --minimise deformation --max-guidance 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("picked solution 5"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("smallest deformation (0.0035) of the 3 of 6 solutions meeting guidance <= 2 mm"),
      std::string::npos)
      << r.out;
  // Allowing a little folding admits solution 4.
  r = run_modir("front pick " + front() +
                " --minimise deformation --max-guidance 2 --max-folded 0.01");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("picked solution 4"), std::string::npos) << r.out;
}

TEST_F(FrontPick, BestImageMatchWithNoOrganWorseThanALimit) {
  // Worst organs: 3.5, 2.9, 2.0, 3.2, 0.8 (folded), 2.2; of those <= 3 mm, 1 matches best.
  const fs::path out = dir_ / "organ.json";
  const auto r = run_modir("front pick " + front() + " --minimise image --max-organ-mm 3 --json " +
                           quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("picked solution 1"), std::string::npos) << r.out;
  const json j = read_json(out);
  EXPECT_EQ(j["index"], 1);
  EXPECT_EQ(j["rules"]["minimise"], "image");
  EXPECT_EQ(j["rules"]["limits"]["max_organ_mm"].get<double>(), 3.0);
  EXPECT_EQ(j["meeting_limits"], json({1, 2, 5}));
}

TEST_F(FrontPick, NothingFeasibleNamesTheClosestSolution) {
  // Guidance <= 0.5 mm: no solution. Solution 4 (0.9 mm) misses by less but is folded as well, so
  // solution 3 (1.2 mm) is the closest.
  const fs::path out = dir_ / "none.json";
  const auto r = run_modir("front pick " + front() +
                           " --minimise image --max-guidance 0.5 --json " + quoted(out));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no solution of 6 meets guidance <= 0.5 mm, folded fraction <= 0"),
            std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find(
          "closest is solution 3, which misses --max-guidance 0.5 by 0.7 mm (guidance 1.2 mm)"),
      std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(FrontPick, RulesTheFrontCannotAnswerAreUsageErrors) {
  json two = three_objective_front();
  two["objectives"] = {"image", "deformation"};
  two["normalisation"].erase("reference");
  two["normalisation"]["ideal"] = {0.3, 0.0035};
  two["normalisation"]["nadir"] = {0.5, 0.01};
  for (json& s : two["solutions"]) s["objectives"] = {s["objectives"][0], s["objectives"][2]};
  write_json(dir_ / "two" / "front.json", two);
  auto r = run_modir("front pick " + quoted(dir_ / "two") + " --minimise guidance");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no guidance objective (it has image, deformation)"), std::string::npos)
      << r.err;
  r = run_modir("front pick " + front() + " --max-guidance 2");  // a limit but no rule
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--minimise"), std::string::npos) << r.err;
  r = run_modir("front pick " + front() + " --knee --minimise image");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(FrontPick, IndexTakesTheNamedSolutionIfItMeetsTheLimits) {
  const fs::path out = dir_ / "index.json";
  auto r = run_modir("front pick " + front() + " --index 3 --json " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("picked solution 3"), std::string::npos) << r.out;
  const json j = read_json(out);
  EXPECT_EQ(j["index"], 3);
  EXPECT_EQ(j["rules"]["rule"], "index");
  EXPECT_EQ(j["rules"]["index"], 3);
  // Solution 4 folds: the default limit of no folding refuses it, and says why.
  r = run_modir("front pick " + front() + " --index 4");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("solution 4, chosen by its number (--index), misses --max-folded 0"),
            std::string::npos)
      << r.err;
  r = run_modir("front pick " + front() + " --index 3 --max-guidance 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("misses --max-guidance 1 by 0.2 mm"), std::string::npos) << r.err;
  // Not on the front, or with another rule: usage errors.
  r = run_modir("front pick " + front() + " --index 6");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--index 6: this front has 6 solutions (0..5)"), std::string::npos) << r.err;
  r = run_modir("front pick " + front() + " --index 1 --knee");
  EXPECT_EQ(r.exit_code, 2);
  r = run_modir("front pick " + front() + " --index 1 --minimise image");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(FrontPick, MalformedFrontIsADataErrorNamingTheEntry) {
  json bad = three_objective_front();
  bad["solutions"][1]["objectives"] = {0.35, 2.5};
  write_json(dir_ / "bad" / "front.json", bad);
  const auto r = run_modir("front pick " + quoted(dir_ / "bad"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("solutions[1].objectives must be a list of 3 numbers"), std::string::npos)
      << r.err;
}

// Pixels of one colour in a panel of the plot.
struct Blob {
  int count = 0;
  double mean_x = 0.0;
};

Blob find_colour(io::RgbPicture& picture, int x_begin, int x_end, std::uint8_t r, std::uint8_t g,
                 std::uint8_t b) {
  Blob blob;
  for (int y = 0; y < picture.height; ++y)
    for (int x = x_begin; x < x_end; ++x) {
      const std::uint8_t* p = picture.pixel(x, y);
      if (p[0] == r && p[1] == g && p[2] == b) {
        ++blob.count;
        blob.mean_x += x;
      }
    }
  if (blob.count > 0) blob.mean_x /= blob.count;
  return blob;
}

TEST_F(FrontPick, PlotHasOnePanelPerPairWithTheKneeRinged) {
  auto r = run_modir("front plot " + front());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  io::RgbPicture knee = io::read_png(dir_ / "front" / "front.png");
  EXPECT_EQ(knee.width, 3 * 300);
  EXPECT_EQ(knee.height, 280);
  for (int panel = 0; panel < 3; ++panel) {
    const int x0 = panel * 300, x1 = x0 + 300;
    EXPECT_GT(find_colour(knee, x0, x1, 220, 30, 30).count, 60) << panel;  // dot and ring
    EXPECT_GT(find_colour(knee, x0, x1, 30, 80, 200).count, 20) << panel;  // other solutions
    EXPECT_GT(find_colour(knee, x0, x1, 0, 0, 0).count, 400) << panel;     // axes and labels
  }
  // Marking solution 0, the best image match, moves the red to the left of panel 0 (image across).
  const fs::path out = dir_ / "mark0.png";
  r = run_modir("front plot " + front() + " --mark 0 --out " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  io::RgbPicture mark = io::read_png(out);
  EXPECT_LT(find_colour(mark, 0, 300, 220, 30, 30).mean_x + 40,
            find_colour(knee, 0, 300, 220, 30, 30).mean_x);

  r = run_modir("front plot " + front() + " --mark 6 --out " + quoted(out));
  EXPECT_EQ(r.exit_code, 2);
}

// Two objectives: image and guidance; solution 3 is dominated and solution 4 folded.
json two_objective_front(double recorded_hypervolume) {
  const double rows[5][3] = {
      {0.2, 3.0, 0.0}, {0.4, 2.0, 0.0}, {0.8, 1.0, 0.0}, {0.8, 2.5, 0.0}, {0.1, 0.5, 0.01}};
  json solutions = json::array();
  for (int k = 0; k < 5; ++k) {
    solutions.push_back({{"index", k},
                         {"weights", {{"image", 1.0}}},
                         {"objectives", {rows[k][0], rows[k][1]}},
                         {"folded_fraction", rows[k][2]},
                         {"transform", "solutions/solution_0" + std::to_string(k) + ".json"},
                         {"truth",
                          {{"tre_mean_mm", 3.0 - 0.5 * k},
                           {"tre_p95_mm", 4.0},
                           {"dice", {{"3", 0.7 + 0.05 * k}, {"4", 0.9 - 0.1 * k}}}}}});
  }
  return {
      {"format", "modir front"},
      {"objectives", {"image", "guidance"}},
      {"normalisation", {{"ideal", {0.2, 1.0}}, {"nadir", {0.8, 3.0}}, {"reference", {1.1, 1.1}}}},
      {"hypervolume", recorded_hypervolume},
      {"knee", 1},
      {"solutions", solutions}};
}

TEST(FrontEvaluate, HypervolumeMatchesAHandComputedValue) {
  // Normalised, the unfolded solutions are (0, 1), (1/3, 0.5), (1, 0) and (1, 0.75) (dominated).
  // Their union of boxes up to (1.1, 1.1), swept along image: 1/3 * 0.1 + 2/3 * 0.6 + 0.1 * 1.1.
  const double expected = 1.0 / 3.0 * 0.1 + 2.0 / 3.0 * 0.6 + 0.1 * 1.1;  // 0.54333...
  test::TempDir dir;
  write_json(dir / "front" / "front.json", two_objective_front(expected));
  const fs::path out = dir / "evaluate.json";
  auto r = run_modir("evaluate --front " + quoted(dir / "front") + " --json " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("hypervolume 0.543333"), std::string::npos) << r.out;
  const json j = read_json(out)["front"];
  EXPECT_NEAR(j["hypervolume"].get<double>(), expected, 1e-12);
  EXPECT_EQ(j["solutions"], 5);
  EXPECT_EQ(j["folded"], 1);
  EXPECT_EQ(j["non_dominated"], 3);
  EXPECT_EQ(j["objectives"][0]["min"].get<double>(), 0.1);
  EXPECT_EQ(j["objectives"][0]["max"].get<double>(), 0.8);
  EXPECT_EQ(j["objectives"][1]["min"].get<double>(), 0.5);
  EXPECT_EQ(j["objectives"][1]["max"].get<double>(), 3.0);
  EXPECT_EQ(j["truth"]["best_tre_mean_mm"]["index"], 4);
  EXPECT_DOUBLE_EQ(j["truth"]["best_tre_mean_mm"]["value"].get<double>(), 1.0);
  EXPECT_EQ(j["truth"]["best_mean_dice"]["index"], 0);  // means 0.8, 0.775, 0.75, ...
  EXPECT_EQ(j["truth"]["best_dice"]["3"]["index"], 4);

  // A recorded value that the solutions do not give is flagged.
  write_json(dir / "front" / "front.json", two_objective_front(0.6));
  r = run_modir("evaluate --front " + quoted(dir / "front"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("differs from the one front.json records"), std::string::npos) << r.err;
}

// A real registration of a small phantom pair, stored as a one-solution front.
class FrontExport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    auto r = run_modir("phantom --quiet --seed 2 --size small --out " + quoted(path("pair")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    write_json(path("config.json"), {{"deformable", {{"levels", 1}, {"iterations", {5}}}},
                                     {"initialisation", {{"iterations", 5}}}});
    r = run_modir("register --quiet --fixed " + quoted(path("pair") / "fixed.nii.gz") +
                  " --moving " + quoted(path("pair") / "moving.nii.gz") + " --config " +
                  quoted(path("config.json")) + " --out " + quoted(path("reg")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    write_front(path("front"), read_json(path("reg") / "report.json")["inputs"]);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path path(const std::string& name) { return dir_->path() / name; }

  static void write_front(const fs::path& dir, const json& inputs) {
    fs::create_directories(dir / "solutions");
    fs::copy_file(path("reg") / "transform.json", dir / "solutions" / "solution_00.json",
                  fs::copy_options::overwrite_existing);
    const json solution = {{"index", 0},
                           {"weights", {{"image", 1.0}, {"deformation_multiplier", 1.0}}},
                           {"objectives", {0.5, 0.01}},
                           {"folded_fraction", 0.0},
                           {"jacobian_min", 0.5},
                           {"transform", "solutions/solution_00.json"}};
    write_json(dir / "front.json", {{"format", "modir front"},
                                    {"objectives", {"image", "deformation"}},
                                    {"hypervolume", 0.0},
                                    {"knee", 0},
                                    {"inputs", inputs},
                                    {"solutions", {solution}}});
  }

  static void expect_same_displacement(const fs::path& out) {
    const DisplacementField original =
        io::read_displacement_field(path("reg") / "displacement.nii.gz");
    const DisplacementField rebuilt = io::read_displacement_field(out / "displacement.nii.gz");
    ASSERT_TRUE(rebuilt.geometry().same_grid(original.geometry()));
    double largest = 0.0, difference = 0.0;
    for (std::int64_t v = 0; v < original.voxel_count(); ++v)
      for (int c = 0; c < 3; ++c) {
        largest = std::max(largest, std::abs(static_cast<double>(original.data()[v][c])));
        difference =
            std::max(difference,
                     std::abs(static_cast<double>(original.data()[v][c] - rebuilt.data()[v][c])));
      }
    EXPECT_GT(largest, 0.1);  // a real displacement, not a zero field
    EXPECT_EQ(difference, 0.0);
    for (const char* file : {"warped.nii.gz", "jacobian.nii.gz", "transform.json"})
      EXPECT_TRUE(fs::exists(out / file)) << file;
  }

  static test::TempDir* dir_;
};

test::TempDir* FrontExport::dir_ = nullptr;

TEST_F(FrontExport, RebuildsTheOriginalOutputs) {
  const fs::path out = path("exported");
  const auto r =
      run_modir("front export " + quoted(path("front")) + " --index 0 --out " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_displacement(out);
  const json report = read_json(out / "report.json");
  EXPECT_EQ(report["command"], "front export");
  EXPECT_EQ(report["index"], 0);
  EXPECT_EQ(report["front"], (path("front") / "front.json").string());
  const json original = read_json(path("reg") / "report.json");
  EXPECT_EQ(report["jacobian"]["min"], original["jacobian"]["min"]);
}

TEST_F(FrontExport, PickCanExportItsChoice) {
  const fs::path out = path("picked");
  const auto r = run_modir("front pick " + quoted(path("front")) + " --export " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("picked solution 0"), std::string::npos) << r.out;
  expect_same_displacement(out);
}

// Every input `register` records can be re-read: a front computed with a rigidity mask exports.
TEST_F(FrontExport, ARigidityMaskInputIsReadBack) {
  const fs::path reg = path("reg_rigid");
  auto r = run_modir("register --quiet --fixed " + quoted(path("pair") / "fixed.nii.gz") +
                     " --moving " + quoted(path("pair") / "moving.nii.gz") + " --rigidity-mask " +
                     quoted(path("pair") / "fixed_labels.nii.gz") + " --config " +
                     quoted(path("config.json")) + " --out " + quoted(reg));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json inputs = read_json(reg / "report.json")["inputs"];
  ASSERT_TRUE(inputs.contains("rigidity_mask")) << inputs.dump();
  write_front(path("front_rigid"), inputs);
  r = run_modir("front export " + quoted(path("front_rigid")) + " --index 0 --out " +
                quoted(path("rigid_out")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(path("rigid_out") / "displacement.nii.gz"));
}

TEST_F(FrontExport, ChangedInputIsADataError) {
  json inputs = read_json(path("reg") / "report.json")["inputs"];
  inputs["moving"]["sha256"] = std::string(64, '0');
  write_front(path("stale"), inputs);
  const fs::path out = path("stale_out");
  const auto r =
      run_modir("front export " + quoted(path("stale")) + " --index 0 --out " + quoted(out));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("moving input"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("has changed since the front was computed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "displacement.nii.gz"));

  const auto bad_index =
      run_modir("front export " + quoted(path("front")) + " --index 3 --out " + quoted(out));
  EXPECT_EQ(bad_index.exit_code, 2);
}

}  // namespace
}  // namespace modir
