// End-to-end tests of `modir register` on a phantom pair with exact ground truth: a guided run
// writes every output on the fixed grid and a complete report.json, and `modir evaluate` finds
// the bladder carried over and the landmarks close; bad inputs fail with one line and the
// documented exit status.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "modir/core/sha256.h"
#include "modir/io/image_io.h"
#include "modir/io/label_names.h"
#include "support/phantom_pair_suite.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_modir;

// One phantom pair shared by the tests of this file.
class RegisterCli : public test::PhantomPairSuite {
 protected:
  static void SetUpTestSuite() { make_pair("--seed 4 --size small --deformation moderate"); }
};

TEST_F(RegisterCli, GuidedRunWritesEveryOutputAndCarriesTheOrgans) {
  const fs::path result = out("guided");
  const auto r = run_modir("register --quiet" + images() + labels() + landmarks() + " --config " +
                           quoted(out("fast.json")) + " --out " + quoted(result));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("folded fraction"), std::string::npos) << r.out;

  // Every output, on the fixed grid.
  const Geometry fixed = io::read_image_info(pair("fixed.nii.gz")).geometry;
  for (const char* name :
       {"displacement.nii.gz", "warped.nii.gz", "warped_labels.nii.gz", "jacobian.nii.gz"}) {
    ASSERT_TRUE(fs::exists(result / name)) << name;
    const io::ImageInfo info = io::read_image_info(result / name);
    EXPECT_TRUE(info.geometry.same_grid(fixed)) << name;
    EXPECT_EQ(info.components, std::string(name) == "displacement.nii.gz" ? 3 : 1) << name;
  }
  EXPECT_EQ(io::read_image_info(result / "warped.nii.gz").pixel_type, PixelType::kInt16);
  EXPECT_EQ(io::read_image_info(result / "warped_labels.nii.gz").pixel_type, PixelType::kUInt16);
  ASSERT_TRUE(fs::exists(result / "transform.json"));
  const json transform = read_json(result / "transform.json");
  EXPECT_EQ(transform["model"], "bspline");
  EXPECT_FALSE(transform["grid"]["coefficients"].empty());

  // report.json: inputs with their hashes, the effective config, levels, timings, memory, folds.
  ASSERT_TRUE(fs::exists(result / "report.json"));
  const json report = read_json(result / "report.json");
  EXPECT_EQ(report["command"], "register");
  for (const char* input : {"fixed", "moving", "fixed_labels", "moving_labels", "fixed_landmarks",
                            "moving_landmarks"}) {
    ASSERT_TRUE(report["inputs"].contains(input)) << input;
    const json& entry = report["inputs"][input];
    EXPECT_EQ(entry["sha256"].get<std::string>(), sha256_of_path(entry["path"].get<std::string>()))
        << input;
  }
  EXPECT_FALSE(report["inputs"].contains("fixed_mask"));
  EXPECT_EQ(report["config"]["deformable"]["levels"], 2);
  EXPECT_EQ(report["config"]["deformable"]["iterations"], json::array({30, 20}));
  EXPECT_EQ(report["config"]["image"]["metric"], "lncc");  // defaults are written out too
  // A phantom CT: the image terms count inside the patient's outline (register/image_mask.h).
  EXPECT_EQ(report["config"]["image"]["mask"], "body");
  EXPECT_EQ(report["image_mask"]["source"], "body_outline");
  EXPECT_GT(report["image_mask"]["share_of_fixed_grid"].get<double>(), 0.2);
  EXPECT_LT(report["image_mask"]["share_of_fixed_grid"].get<double>(), 1.0);
  const json& levels = report["levels"];
  ASSERT_EQ(levels.size(), 6u);  // rigid and affine at two levels each, two B-spline levels
  EXPECT_EQ(levels[0]["stage"], "rigid");
  EXPECT_EQ(levels[5]["stage"], "bspline");
  for (const json& level : levels) {
    EXPECT_GE(level["seconds"].get<double>(), 0.0);
    EXPECT_FALSE(level["objective_history"].empty()) << level.dump();
  }
  EXPECT_LE(levels[5]["iterations"].get<int>(), 20);
  for (const char* phase : {"reading", "registration", "writing", "total"})
    EXPECT_GT(report["timings_s"][phase].get<double>(), 0.0) << phase;
  EXPECT_GT(report["peak_memory_mib"].get<double>(), 10.0);
  // The estimate made before the run is within 25 % of the measured peak.
  EXPECT_NEAR(report["estimated_peak_memory_mib"].get<double>() /
                  report["peak_memory_mib"].get<double>(),
              1.0, 0.25)
      << report["estimated_peak_memory_mib"] << " vs " << report["peak_memory_mib"];
  EXPECT_EQ(report["jacobian"]["folded_fraction"].get<double>(), 0.0);
  EXPECT_EQ(report["guidance"]["landmark_pairs"], 100);
  EXPECT_FALSE(report["guidance"]["organs"].empty());
  EXPECT_TRUE(report["fiducial_markers"].is_null()) << report["fiducial_markers"];  // none here

  // The registration, judged against the ground truth by `modir evaluate`.
  const auto e = run_modir(
      "evaluate --quiet --fixed-labels " + quoted(pair("fixed_labels.nii.gz")) +
      " --warped-labels " + quoted(result / "warped_labels.nii.gz") + " --displacement " +
      quoted(result / "displacement.nii.gz") + landmarks() + " --json " + quoted(out("eval.json")));
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const json evaluation = read_json(out("eval.json"));
  const auto& rows = evaluation["labels"];
  const auto bladder = std::find_if(rows.begin(), rows.end(),
                                    [](const json& row) { return row["name"] == "bladder"; });
  ASSERT_NE(bladder, rows.end()) << evaluation.dump();
  EXPECT_GT((*bladder)["dice"].get<double>(), 0.9);
  const json& tre = evaluation["landmarks"];
  EXPECT_LT(tre["mean_mm"].get<double>(), 3.0);
  EXPECT_LT(tre["mean_mm"].get<double>(), tre["initial_mean_mm"].get<double>());
  EXPECT_EQ(evaluation["jacobian"]["folded_voxels"], 0);
}

// A man with gold markers in his prostate, scanned twice: the markers of both scans, carried by
// the field, check the registration without any ground truth; `evaluate` measures the same with
// any field, and the true one carries each to within the markers' own localisation.
TEST_F(RegisterCli, FiducialMarkersOfBothScansCheckTheRegistration) {
  const fs::path marked = out("marked_pair");
  const auto p = run_modir("phantom --quiet --seed 9030 --size small --sex male --markers "
                           "--deformation large --out " + quoted(marked));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto r = run_modir("register --quiet --fixed " + quoted(marked / "fixed.nii.gz") +
                           " --moving " + quoted(marked / "moving.nii.gz") + " --config " +
                           quoted(out("fast.json")) + " --out " + quoted(out("marked")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fiducial markers: 3 paired of 3 (fixed) and 3 (moving)"),
            std::string::npos)
      << r.out;
  const json markers = read_json(out("marked") / "report.json")["fiducial_markers"];
  ASSERT_EQ(markers["paired"], 3) << markers;
  EXPECT_EQ(markers["unpaired_fixed"], 0);
  ASSERT_EQ(markers["pairs"].size(), 3u);
  // The markers moved (initial_mm) and the registration brought them closer.
  double initial = 0.0;
  for (const json& pair : markers["pairs"]) initial += pair["initial_mm"].get<double>() / 3.0;
  EXPECT_LT(markers["mean_residual_mm"].get<double>(), initial) << markers;
  EXPECT_LT(markers["max_residual_mm"].get<double>(), 3.0) << markers;
  // The HTML report's summary says so.
  const auto html = run_modir("report --quiet " + quoted(out("marked")) + " --out " +
                              quoted(out("marked.html")));
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::ifstream page(out("marked.html"));
  const std::string text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<th>fiducial markers</th><td>3 paired of 3 (fixed) and 3 (moving); carried"),
            std::string::npos);

  const auto e = run_modir("evaluate --quiet --displacement " +
                           quoted(marked / "gt_displacement.nii.gz") + " --fixed-image " +
                           quoted(marked / "fixed.nii.gz") + " --moving-image " +
                           quoted(marked / "moving.nii.gz") + " --json " +
                           quoted(out("marked_truth.json")));
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const json truth = read_json(out("marked_truth.json"))["fiducial_markers"];
  ASSERT_EQ(truth["paired"], 3) << truth;
  EXPECT_LT(truth["max_residual_mm"].get<double>(), 1.5) << truth;
  // The scans go together, and they need the field that carries their markers.
  const auto alone = run_modir("evaluate --quiet --fixed-image " + quoted(marked / "fixed.nii.gz") +
                               " --moving-image " + quoted(marked / "moving.nii.gz"));
  EXPECT_EQ(alone.exit_code, 2) << alone.err;
  EXPECT_NE(alone.err.find("add --displacement"), std::string::npos) << alone.err;
}

// --dry-run says what the run needs and writes nothing; a run that does not fit is refused before
// it starts, saying how to make it fit; a header claiming a vast volume never gets allocated.
TEST_F(RegisterCli, MemoryIsEstimatedBeforeTheRunAndARunThatDoesNotFitIsRefused) {
  const fs::path result = out("dry");
  const auto dry = run_modir("register" + images() + labels() + " --dry-run --out " +
                             quoted(result));
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("estimated peak memory"), std::string::npos) << dry.out;
  EXPECT_FALSE(fs::exists(result));
  // With --landmarks auto the matcher's peak is estimated too.
  const auto dry_auto = run_modir("register" + images() + labels() +
                                  " --landmarks auto --dry-run --out " + quoted(result));
  ASSERT_EQ(dry_auto.exit_code, 0) << dry_auto.err;
  EXPECT_NE(dry_auto.out.find("landmark matching"), std::string::npos) << dry_auto.out;
  EXPECT_FALSE(fs::exists(result));

  const auto small_limit = run_modir("register --quiet" + images() + labels() +
                                     " --max-memory 50 --out " + quoted(result));
  EXPECT_EQ(small_limit.exit_code, 1) << small_limit.err;
  EXPECT_NE(small_limit.err.find("needs about"), std::string::npos) << small_limit.err;
  EXPECT_NE(small_limit.err.find("finest_image_spacing_mm"), std::string::npos) << small_limit.err;
  EXPECT_FALSE(fs::exists(result));

  // 30000^3 float voxels (100 TiB) claimed by a header whose data file is tiny.
  std::ofstream(out("vast.mhd")) << "ObjectType = Image\nNDims = 3\nDimSize = 30000 30000 30000\n"
                                    "ElementSpacing = 1 1 1\nElementType = MET_FLOAT\n"
                                    "ElementDataFile = vast.raw\n";
  std::ofstream(out("vast.raw")) << "0123";
  const auto vast = run_modir("register --quiet --fixed " + quoted(out("vast.mhd")) +
                              " --moving " + quoted(pair("moving.nii.gz")) + " --out " +
                              quoted(result));
  EXPECT_EQ(vast.exit_code, 1) << vast.err;
  EXPECT_EQ(vast.err.find("out of memory"), std::string::npos) << vast.err;
  EXPECT_FALSE(fs::exists(result));
}

// Moving labels numbered as a planning system orders its structures, named in a sidecar: the
// organs are paired with the fixed labels (the phantom's meta.json) by name before they guide.
TEST_F(RegisterCli, MovingLabelsNumberedDifferentlyArePairedByName) {
  const fs::path planning = out("planning");
  fs::create_directories(planning);
  const LabelMap moving = io::read_image_as<std::uint16_t>(pair("moving_labels.nii.gz"));
  io::write_image(io::renumber_labels(moving, {{3, 1}, {4, 2}, {1, 3}}), planning / "rs.nii.gz");
  std::ofstream(planning / "rs.json") << R"({"labels": [{"value": 1, "name": "Blaas"},
      {"value": 2, "name": "Rectum"}, {"value": 3, "name": "External"}]})";
  const fs::path result = out("paired");
  const auto r = run_modir("register --quiet" + images() + " --fixed-labels " +
                           quoted(pair("fixed_labels.nii.gz")) + " --moving-labels " +
                           quoted(planning / "rs.nii.gz") + " --config " +
                           quoted(out("fast.json")) + " --out " + quoted(result));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("labels paired by name"), std::string::npos) << r.err;
  const json report = read_json(result / "report.json");
  const json& pairing = report["label_pairing"];
  EXPECT_EQ(pairing["moving_to_fixed"], json::array({{1, 3}, {2, 4}, {3, 1}})) << pairing;
  // The fixed organs that no structure names have no partner and do not guide.
  EXPECT_EQ(pairing["unpaired_fixed"], json::array({2, 5, 6, 7})) << pairing;

  const auto e = run_modir("evaluate --quiet --fixed-labels " + quoted(pair("fixed_labels.nii.gz")) +
                           " --warped-labels " + quoted(result / "warped_labels.nii.gz") +
                           " --labels-json " + quoted(pair("meta.json")) + " --json " +
                           quoted(out("paired_eval.json")));
  ASSERT_EQ(e.exit_code, 0) << e.err;
  int bladders = 0;
  const json evaluation = read_json(out("paired_eval.json"));
  for (const json& row : evaluation["labels"]) {
    if (row["name"] != "bladder") continue;
    ++bladders;
    EXPECT_GT(row["dice"].get<double>(), 0.9) << row;
  }
  EXPECT_EQ(bladders, 1) << e.out;
}

// Stray islands of bladder on the fixed labels only (as a segmentation's false positives far
// from the pelvis): they are left out of guidance, reported and warned about, and the robust
// label loss keeps the registration where the true labels take it. With squares and every
// component kept, the same islands drag it away.
TEST_F(RegisterCli, StrayLabelIslandsDoNotDragTheRegistration) {
  LabelMap fixed_labels = io::read_image_as<std::uint16_t>(pair("fixed_labels.nii.gz"));
  const Size3 n = fixed_labels.size();
  for (const std::int64_t cx : {std::int64_t{2}, n[0] - 6})
    for (const std::int64_t cy : {std::int64_t{2}, n[1] - 6})
      for (const std::int64_t cz : {n[2] / 4, 3 * n[2] / 4 - 4})
        for (std::int64_t k = 0; k < 4; ++k)
          for (std::int64_t j = 0; j < 4; ++j)
            for (std::int64_t i = 0; i < 4; ++i) fixed_labels(cx + i, cy + j, cz + k) = 3;
  io::write_image(fixed_labels, out("islands.nii.gz"));
  std::ofstream(out("squares.json"))
      << R"({"deformable": {"levels": 2, "iterations": [30, 20]},)"
      << R"( "guidance": {"label_loss": "squared", "min_component_fraction": 0}})";
  const std::string guided = images() + " --fixed-labels " + quoted(out("islands.nii.gz")) +
                             " --moving-labels " + quoted(pair("moving_labels.nii.gz"));
  auto tre_of = [&](const std::string& config, const std::string& name) {
    const auto r = run_modir("register --quiet" + guided + " --config " + quoted(out(config)) +
                             " --out " + quoted(out(name)));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto e =
        run_modir("evaluate --quiet --displacement " + quoted(out(name) / "displacement.nii.gz") +
                  landmarks() + " --json " + quoted(out(name + ".json")));
    EXPECT_EQ(e.exit_code, 0) << e.err;
    return std::make_pair(read_json(out(name + ".json"))["landmarks"]["mean_mm"].get<double>(),
                          r.err);
  };
  const auto [robust_tre, robust_err] = tre_of("fast.json", "robust");
  const auto [squares_tre, squares_err] = tre_of("squares.json", "squares");
  EXPECT_NE(robust_err.find("warning: label guidance: components of label 3"), std::string::npos)
      << robust_err;
  EXPECT_EQ(squares_err.find("warning"), std::string::npos) << squares_err;
  const json islands = read_json(out("robust") / "report.json")["guidance"]["islands_left_out"];
  ASSERT_TRUE(islands.contains("3")) << islands.dump();
  EXPECT_GT(islands["3"]["fixed_ml"].get<double>(), 0.0);
  EXPECT_EQ(islands["3"]["moving_ml"].get<double>(), 0.0);
  // The body runs on beyond both scans' ends: reported as cut off, part of its band left out.
  const json cut = read_json(out("robust") / "report.json")["guidance"]["cut_off_by_field_of_view"];
  ASSERT_TRUE(cut.contains("1")) << cut.dump();
  EXPECT_TRUE(cut["1"]["by_fixed_scan"].get<bool>());
  EXPECT_GT(cut["1"]["band_left_out"].get<double>(), 0.0);
  EXPECT_LT(cut["1"]["band_left_out"].get<double>(), 0.9);
  EXPECT_FALSE(cut.contains("3")) << cut.dump();  // the bladder lies inside both scans
  // An affine-only run uses (and reports) the same clean-up.
  std::ofstream(out("affine_only.json")) << R"({"deformable": {"model": "none"}})";
  const auto affine =
      run_modir("register --quiet" + guided + " --config " + quoted(out("affine_only.json")) +
                " --out " + quoted(out("affine")));
  ASSERT_EQ(affine.exit_code, 0) << affine.err;
  EXPECT_TRUE(
      read_json(out("affine") / "report.json")["guidance"]["islands_left_out"].contains("3"));
  EXPECT_LT(robust_tre, 2.0);
  EXPECT_GT(squares_tre, robust_tre + 1.0)
      << "squares " << squares_tre << ", robust " << robust_tre;
}

// Failures exit with the documented status and one line on stderr naming the problem.
void expect_error(const test::RunResult& r, int code, const std::string& fragment) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  const auto at = r.err.find("modir: error: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  const std::string line = r.err.substr(at);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << r.err;
  EXPECT_NE(line.find(fragment), std::string::npos) << "expected '" << fragment << "' in " << r.err;
}

TEST_F(RegisterCli, BadInputsAreOneLineErrors) {
  const std::string to_x = " --out " + quoted(out("x"));

  // A fixed landmark outside the fixed image.
  std::ofstream(out("far_fixed.csv")) << "id,x,y,z\na,0,0,0\nfar_away,5000,0,0\n";
  std::ofstream(out("far_moving.csv")) << "id,x,y,z\na,0,0,0\nfar_away,10,0,0\n";
  expect_error(run_modir("register --quiet" + images() + " --fixed-landmarks " +
                         quoted(out("far_fixed.csv")) + " --moving-landmarks " +
                         quoted(out("far_moving.csv")) + to_x),
               1, "far_away");

  // Labels on another grid than their image.
  const fs::path coarse = out("coarse_labels.nii.gz");
  ASSERT_EQ(run_modir("convert --quiet " + quoted(pair("fixed_labels.nii.gz")) + " " +
                      quoted(coarse) + " --spacing 4,4,6 --interpolation nearest")
                .exit_code,
            0);
  expect_error(run_modir("register --quiet" + images() + " --fixed-labels " + quoted(coarse) +
                         " --moving-labels " + quoted(pair("moving_labels.nii.gz")) + to_x),
               1, "not on the grid");

  // An empty label map, and label maps that share no organ.
  const LabelMap fixed_labels = io::read_image_as<std::uint16_t>(pair("fixed_labels.nii.gz"));
  const LabelMap moving_labels = io::read_image_as<std::uint16_t>(pair("moving_labels.nii.gz"));
  io::write_image(LabelMap(fixed_labels.geometry()), out("empty_labels.nii.gz"));
  expect_error(run_modir("register --quiet" + images() + " --fixed-labels " +
                         quoted(out("empty_labels.nii.gz")) + " --moving-labels " +
                         quoted(pair("moving_labels.nii.gz")) + to_x),
               1, "empty");
  auto keep_only = [](LabelMap labels, std::uint16_t label) {
    for (std::uint16_t& v : labels.buffer()) v = v == label ? label : 0;
    return labels;
  };
  io::write_image(keep_only(fixed_labels, 3), out("bladder_only.nii.gz"));
  io::write_image(keep_only(moving_labels, 4), out("rectum_only.nii.gz"));
  expect_error(run_modir("register --quiet" + images() + " --fixed-labels " +
                         quoted(out("bladder_only.nii.gz")) + " --moving-labels " +
                         quoted(out("rectum_only.nii.gz")) + to_x),
               1, "share no organ");

  // Usage: a misspelt config key, a missing --out, half of a pair of options.
  std::ofstream(out("typo.json")) << R"({"deformable": {"iteratons": [30, 20]}})";
  expect_error(
      run_modir("register --quiet" + images() + " --config " + quoted(out("typo.json")) + to_x), 2,
      "did you mean 'iterations'");
  expect_error(run_modir("register --quiet" + images()), 2, "--out");
  expect_error(run_modir("register --quiet" + images() + " --fixed-labels " +
                         quoted(pair("fixed_labels.nii.gz")) + to_x),
               2, "--moving-labels");
  expect_error(run_modir("register --quiet" + images() + " --out " + quoted(pair("fixed.nii.gz"))),
               2, "--out");

  // Nothing is written by a failed run.
  EXPECT_FALSE(fs::exists(out("x") / "report.json"));
  EXPECT_FALSE(fs::exists(out("x") / "displacement.nii.gz"));
}

}  // namespace
}  // namespace modir
