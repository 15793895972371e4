// End-to-end tests of the modir binary: exit codes, one-line errors, and `info` / `convert` on
// every file of ../shared/data.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run_modir;

using test::quoted;

// The contract for failures: exit status as documented, exactly one line on stderr.
// (Progress lines of phases finished before the error may precede it.)
void expect_one_line_error(const test::RunResult& r, int code, const std::string& fragment) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  const auto at = r.err.find("modir: error: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  EXPECT_TRUE(at == 0 || r.err[at - 1] == '\n') << r.err;
  const std::string error_line = r.err.substr(at);
  EXPECT_EQ(std::count(error_line.begin(), error_line.end(), '\n'), 1) << r.err;
  EXPECT_EQ(error_line.back(), '\n') << r.err;
  EXPECT_EQ(r.err.find("modir: error: ", at + 1), std::string::npos) << r.err;
  EXPECT_NE(error_line.find(fragment), std::string::npos)
      << "expected '" << fragment << "' in " << r.err;
}

TEST(Cli, VersionAndHelpEverywhere) {
  for (const std::string args : {"--version", "info --version", "convert --version"}) {
    const auto r = run_modir(args);
    EXPECT_EQ(r.exit_code, 0) << args;
    EXPECT_EQ(r.out.rfind("modir ", 0), 0u) << r.out;
  }
  for (const std::string args : {"--help", "info --help", "convert --help"}) {
    const auto r = run_modir(args);
    EXPECT_EQ(r.exit_code, 0) << args;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
}

// Threads spinning at OpenMP barriers starve a second program on the same cores (two guided
// registrations side by side ran 3x slower), so modir waits passively unless the user chose a
// policy. libgomp prints the spin count it settled on with OMP_DISPLAY_ENV=verbose. The policy
// is set by a library that must come after libgomp in the program's DT_NEEDED list: this test is
// what notices a link order that breaks it.
TEST(Cli, OpenMpThreadsWaitPassivelyUnlessTheUserChoseAPolicy) {
  const auto last_spin_count = [](const std::string& err) {
    const auto at = err.rfind("GOMP_SPINCOUNT = '");
    if (at == std::string::npos) return std::string("none");
    const auto from = at + std::string("GOMP_SPINCOUNT = '").size();
    return err.substr(from, err.find('\'', from) - from);
  };
  // A usage error: the policy is set before the arguments are read.
  const std::string command = "register --fixed f.nii.gz --moving m.nii.gz";
  const auto passive =
      run_modir(command, "-u OMP_WAIT_POLICY -u GOMP_SPINCOUNT OMP_DISPLAY_ENV=verbose");
  EXPECT_EQ(passive.exit_code, 2) << passive.err;
  EXPECT_EQ(last_spin_count(passive.err), "0") << passive.err;
  const auto active =
      run_modir(command, "-u GOMP_SPINCOUNT OMP_WAIT_POLICY=ACTIVE OMP_DISPLAY_ENV=verbose");
  EXPECT_EQ(active.exit_code, 2) << active.err;
  EXPECT_NE(last_spin_count(active.err), "0") << active.err;
  EXPECT_NE(last_spin_count(active.err), "none") << active.err;
}

TEST(Cli, UsageErrorsExitTwo) {
  expect_one_line_error(run_modir(""), 2, "subcommand");
  expect_one_line_error(run_modir("frobnicate"), 2, "unknown command 'frobnicate'");
  expect_one_line_error(run_modir("info"), 2, "path");
  expect_one_line_error(run_modir("convert a.nii --no-such-option"), 2, "no-such-option");
}

TEST(Cli, DataErrorsExitOne) {
  test::TempDir dir;
  expect_one_line_error(run_modir("info " + quoted(dir / "missing.nii.gz")), 1, "does not exist");
  std::ofstream(dir / "notes.xyz") << "not an image";
  expect_one_line_error(run_modir("info " + quoted(dir / "notes.xyz")), 1, "unknown image format");
  std::ofstream(dir / "broken.nii.gz") << "not gzip";
  expect_one_line_error(run_modir("info " + quoted(dir / "broken.nii.gz")), 1, "broken.nii.gz");
}

TEST(Cli, ConvertRefusesToOverwriteItsInputAndLeavesNothingOnFailure) {
  test::TempDir dir;
  const fs::path source = test::shared_data() / "segmentation/pyradiomics/breast1_image.nrrd";
  const fs::path copy = dir / "in.nrrd";
  fs::copy_file(source, copy);
  expect_one_line_error(run_modir("convert " + quoted(copy) + " " + quoted(copy)), 2, "same file");
  expect_one_line_error(run_modir("convert " + quoted(copy) + " " + quoted(dir / "out.png")), 2,
                        "out.png");
  expect_one_line_error(
      run_modir("convert " + quoted(copy) + " " + quoted(dir / "out.nii") + " --spacing 1,0,1"), 2,
      "positive");
  expect_one_line_error(
      run_modir("convert " + quoted(copy) + " " + quoted(dir / "out.nii") + " --type int64"), 2,
      "--type");
  // Only the input remains.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path()))
    files += entry.is_regular_file() || entry.is_directory();
  EXPECT_EQ(files, 1);
}

TEST(Cli, InfoJsonDescribesGeometryFromTheHeader) {
  const auto r = run_modir(
      "info --json " +
      quoted(test::shared_data() / "segmentation/pyradiomics/prostate_phantom_subvolume.nrrd"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  // From the NRRD header: sizes 82 67 13, directions (-0.5,0,0) (0,-0.5,0) (0,0,3).
  EXPECT_EQ(j["geometry"]["size"], json({82, 67, 13}));
  EXPECT_EQ(j["geometry"]["orientation"], "RAS");
  EXPECT_EQ(j["geometry"]["orientation_itk"], "LPI");
  EXPECT_DOUBLE_EQ(j["geometry"]["spacing_mm"][2].get<double>(), 3.0);
  EXPECT_EQ(j["pixel_type"], "uint16");
  EXPECT_GE(j["intensity"]["min"].get<double>(), 0.0);
  EXPECT_EQ(j["intensity"]["non_finite"], 0);
}

// Every file and folder in ../shared/data: `modir info` succeeds on each.
std::vector<fs::path> shared_data_inputs() {
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::recursive_directory_iterator(test::shared_data())) {
    if (entry.path().filename() == "PROVENANCE.md") continue;
    inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

TEST(Cli, InfoWorksOnEverySharedDataFile) {
  const auto inputs = shared_data_inputs();
  ASSERT_GT(inputs.size(), 40u);
  for (const fs::path& input : inputs) {
    if (fs::is_directory(input) && input.parent_path().filename() != "dicom_rt") continue;
    const auto text = run_modir("info " + quoted(input));
    EXPECT_EQ(text.exit_code, 0) << input << "\n" << text.err;
    const auto as_json = run_modir("info --json " + quoted(input));
    EXPECT_EQ(as_json.exit_code, 0) << input << "\n" << as_json.err;
    EXPECT_TRUE(json::accept(as_json.out)) << input;
  }
}

// Every file of ../shared/data converts to a writable format with `modir convert`; images keep
// their geometry and intensities (compared through `modir info --json` of input and output).
TEST(Cli, ConvertWorksOnEverySharedDataFile) {
  test::TempDir dir;
  int converted = 0;
  for (const fs::path& input : shared_data_inputs()) {
    if (fs::is_directory(input)) continue;
    const std::string name = input.filename().string();
    std::string extra;
    std::string out_name = name + ".nii.gz";
    if (name.ends_with(".txt") || name.ends_with(".csv") || name.ends_with(".json")) {
      out_name = name + ".csv";
      // The elastix index files refer to the baseline and follow-up grids of the lung pair.
      if (name == "3DCT_lung_baseline.txt")
        extra = " --reference " + quoted(input.parent_path() / "3DCT_lung_baseline_mask.mha");
      if (name == "3DCT_lung_followup.txt")
        extra = " --reference " + quoted(input.parent_path() / "3DCT_lung_followup_mask.mha");
    }
    if (name.ends_with(".npz")) extra = " --array vol";
    const fs::path out = dir / out_name;
    const auto r = run_modir("convert --quiet " + quoted(input) + " " + quoted(out) + extra);
    if (name == "invalid_reference_rt.dcm") {
      // Drawn on CT slices that are not in the folder: a clear error or warnings, never a crash.
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
      continue;
    }
    ASSERT_EQ(r.exit_code, 0) << input << "\n" << r.err;
    ASSERT_TRUE(fs::exists(out)) << out;
    ++converted;
    if (!out_name.ends_with(".nii.gz") || name.ends_with(".dcm") || name.ends_with(".npz"))
      continue;
    const json before = json::parse(run_modir("info --json " + quoted(input)).out);
    const json after = json::parse(run_modir("info --json " + quoted(out)).out);
    for (int a = 0; a < 3; ++a) {
      EXPECT_EQ(before["geometry"]["size"][a], after["geometry"]["size"][a]) << input;
      EXPECT_NEAR(before["geometry"]["spacing_mm"][a].get<double>(),
                  after["geometry"]["spacing_mm"][a].get<double>(), 1e-5)
          << input;
      EXPECT_NEAR(before["geometry"]["origin_mm"][a].get<double>(),
                  after["geometry"]["origin_mm"][a].get<double>(), 1e-3)
          << input;
    }
    EXPECT_EQ(before["geometry"]["orientation"], after["geometry"]["orientation"]) << input;
    if (before.contains("intensity")) {
      EXPECT_DOUBLE_EQ(before["intensity"]["min"].get<double>(),
                       after["intensity"]["min"].get<double>())
          << input;
      EXPECT_DOUBLE_EQ(before["intensity"]["max"].get<double>(),
                       after["intensity"]["max"].get<double>())
          << input;
    }
  }
  EXPECT_GT(converted, 35);
}

TEST(Cli, DicomSeriesToNiftiKeepsHounsfieldUnitsAndPositions) {
  test::TempDir dir;
  const fs::path folder = test::shared_data() / "dicom_rt/visible_human_male_aria";
  const auto r = run_modir("convert --quiet " + quoted(folder) + " " + quoted(dir / "ct.nii.gz"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(run_modir("info --json " + quoted(dir / "ct.nii.gz")).out);
  // PROVENANCE.md: 512x512, 1 mm pixels, slices at z = 1000..1003, raw 0..2121 with intercept
  // -1024.
  EXPECT_EQ(j["geometry"]["size"], json({512, 512, 4}));
  EXPECT_NEAR(j["geometry"]["origin_mm"][2].get<double>(), 1000.0, 1e-3);
  EXPECT_NEAR(j["geometry"]["spacing_mm"][2].get<double>(), 1.0, 1e-5);
  EXPECT_EQ(j["pixel_type"], "int16");
  EXPECT_DOUBLE_EQ(j["intensity"]["min"].get<double>(), -1024.0);
  EXPECT_DOUBLE_EQ(j["intensity"]["max"].get<double>(), 2121.0 - 1024.0);
}

TEST(Cli, RtstructBecomesNamedLabelMap) {
  test::TempDir dir;
  const fs::path folder = test::shared_data() / "dicom_rt/visible_human_male_aria";
  const auto r = run_modir("convert --quiet " + quoted(folder / "RS_Body_SpinalCord.dcm") + " " +
                           quoted(dir / "rs.nii.gz") + " --reference " + quoted(folder));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream sidecar_stream(dir / "rs.json");
  const json sidecar = json::parse(sidecar_stream);
  ASSERT_EQ(sidecar["labels"].size(), 2u);
  EXPECT_EQ(sidecar["labels"][0]["name"], "BODY");
  EXPECT_EQ(sidecar["labels"][1]["name"], "SpinalCord");
  const json info = json::parse(run_modir("info --json " + quoted(dir / "rs.nii.gz")).out);
  EXPECT_EQ(info["pixel_type"], "uint16");
  EXPECT_EQ(info["intensity"]["max"].get<double>(), 2.0);
  // Only one structure asked for: label 1 is the cord.
  const auto cord = run_modir("convert --quiet " + quoted(folder / "RS_Body_SpinalCord.dcm") + " " +
                              quoted(dir / "cord.nii.gz") + " --structures SpinalCord");
  ASSERT_EQ(cord.exit_code, 0) << cord.err;
  expect_one_line_error(run_modir("convert " + quoted(folder / "RS_Body_SpinalCord.dcm") + " " +
                                  quoted(dir / "x.nii.gz") + " --structures Liver"),
                        2, "Liver");
}

}  // namespace
}  // namespace modir
