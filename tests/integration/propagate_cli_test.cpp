// `modir propagate` end to end in DICOM on a phantom patient whose truth is known: the moving
// scan is the planning CT with its organs as an RTSTRUCT, the fixed scan the daily CT. The
// propagated RTSTRUCT, read back on the daily series, is compared with the daily truth. Also the
// inputs a clinic sends by mistake: the wrong series, a folder of two series, a missing slice, a
// structure without contours, contours beyond the scan.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>

#include <nlohmann/json.hpp>

#include "modir/filter/resample.h"
#include "modir/io/dicom_series.h"
#include "modir/io/dicom_series_write.h"
#include "modir/io/image_io.h"
#include "modir/io/png_io.h"
#include "modir/io/rtstruct.h"
#include "modir/io/rtstruct_labels.h"
#include "modir/io/rtstruct_write.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_modir;

// One phantom patient in DICOM for every test of this file: daily/ (fixed scan), planning/
// (moving scan) and RS_plan.dcm (the moving scan's organs, named as in meta.json).
class PropagateCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const auto ok = [](const std::string& arguments) {
      const auto r = run_modir(arguments);
      ASSERT_EQ(r.exit_code, 0) << arguments << "\n" << r.err;
    };
    ok("phantom --quiet --seed 9051 --size small --deformation large --out " + quoted(at("p")));
    ok("convert --quiet " + quoted(at("p/fixed.nii.gz")) + " " + quoted(at("daily")) + " --dicom");
    ok("convert --quiet " + quoted(at("p/moving.nii.gz")) + " " + quoted(at("planning")) +
       " --dicom");
    ok("convert --quiet " + quoted(at("p/moving_labels.nii.gz")) + " " + quoted(at("RS_plan.dcm")) +
       " --reference " + quoted(at("planning")) + " --names " + quoted(at("p/meta.json")));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path at(const std::string& name) { return dir_->path() / name; }
  static const io::DicomSeries& series(const fs::path& folder) {
    static std::map<fs::path, io::DicomScan> scans;
    if (!scans.count(folder)) scans[folder] = io::scan_dicom(folder);
    return io::select_series(scans[folder], "", folder);
  }
  static test::RunResult propagate(const std::string& planning, const std::string& structures,
                                   const std::string& daily, const std::string& out,
                                   const std::string& more = "") {
    return run_modir("propagate --quiet --planning " + quoted(at(planning)) + " --structures " +
                     quoted(at(structures)) + " --daily " + quoted(at(daily)) + " --out " +
                     quoted(at(out)) + more);
  }
  static json read_json(const fs::path& path) {
    std::ifstream stream(path);
    return json::parse(stream);
  }
  // Dice of one structure of an RTSTRUCT, rasterised on a series, against label `value` of a map.
  static double dice_of(const fs::path& rtstruct, const std::string& name, const fs::path& on,
                        const LabelMap& truth, std::uint16_t value) {
    const io::RtStructureSet set = io::read_rtstruct(rtstruct);
    const io::RasterizedLabels back =
        io::rasterize_rtstruct(set, series(on), io::dicom_series_geometry(series(on)), {name});
    EXPECT_EQ(back.labels.geometry().size, truth.geometry().size);
    std::int64_t both = 0, a = 0, b = 0;
    for (std::int64_t v = 0; v < truth.voxel_count(); ++v) {
      const bool x = truth.data()[v] == value, y = back.labels.data()[v] == 1;
      both += x && y;
      a += x;
      b += y;
    }
    return 2.0 * double(both) / double(a + b);
  }
  static bool without_libtorch(const test::RunResult& r) {
    return r.err.find("without LibTorch") != std::string::npos;
  }

  static test::TempDir* dir_;
};

test::TempDir* PropagateCli::dir_ = nullptr;

TEST_F(PropagateCli, PlanningStructuresReachTheDailyScanInDicom) {
  const auto run = propagate("planning", "RS_plan.dcm", "daily", "out");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // The structure set lies on the daily series and passes dciodvfy.
  const io::RtStructureSet set = io::read_rtstruct(at("out/RS_propagated.dcm"));
  EXPECT_EQ(set.referenced_series_uid, series(at("daily")).series_uid);
  const test::DicomValidation check = test::dciodvfy(at("out/RS_propagated.dcm"), "RTStructureSet");
  ASSERT_TRUE(check.ran) << check.report;
  EXPECT_TRUE(check.errors.empty()) << check.errors;

  // The field as a Deformable Spatial Registration object: valid, and the same field.
  const test::DicomValidation reg_check =
      test::dciodvfy(at("out/REG_deformable.dcm"), "DeformableSpatialRegistration");
  ASSERT_TRUE(reg_check.ran) << reg_check.report;
  EXPECT_TRUE(reg_check.errors.empty()) << reg_check.errors;
  for (const char* field : {"REG_deformable.dcm", "displacement.nii.gz"}) {
    const auto w = run_modir("warp --quiet --moving " + quoted(at("p/moving.nii.gz")) +
                             " --displacement " + quoted(at("out") / field) + " --out " +
                             quoted(at(std::string("out/warped_by_") + field + ".nii.gz")));
    ASSERT_EQ(w.exit_code, 0) << w.err;
    // A NIfTI field is not handed to DCMTK, which would print warnings about it.
    EXPECT_EQ(w.err.find("Dcm"), std::string::npos) << w.err;
  }
  const Image<float> by_reg =
      io::read_image_as<float>(at("out/warped_by_REG_deformable.dcm.nii.gz"));
  const Image<float> by_nifti =
      io::read_image_as<float>(at("out/warped_by_displacement.nii.gz.nii.gz"));
  // The REG object stores the grid as DICOM decimal strings, so its origin can differ from the
  // NIfTI's in the last bits; warp_linear's float sample index turns that into a different
  // rounding of a few voxels of the whole-HU output, never more.
  ASSERT_EQ(by_reg.voxel_count(), by_nifti.voxel_count());
  float largest = 0.0f;
  std::int64_t differing = 0;
  for (std::int64_t v = 0; v < by_reg.voxel_count(); ++v) {
    const float d = std::abs(by_reg.data()[v] - by_nifti.data()[v]);
    largest = std::max(largest, d);
    differing += d > 0.0f ? 1 : 0;
  }
  EXPECT_LE(largest, 1.0f) << "HU";
  EXPECT_LT(differing, by_reg.voxel_count() / 1000) << differing << " voxels differ";
  // info describes it; convert turns it into a field file.
  const auto info = run_modir("info --json " + quoted(at("out/REG_deformable.dcm")));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const json described = json::parse(info.out);
  EXPECT_EQ(described["kind"], "deformable registration");
  EXPECT_EQ(described["registered_frame_of_reference_uid"], series(at("daily")).frame_of_reference_uid);
  EXPECT_EQ(described["source_frame_of_reference_uid"], series(at("planning")).frame_of_reference_uid);
  ASSERT_EQ(run_modir("convert --quiet " + quoted(at("out/REG_deformable.dcm")) + " " +
                      quoted(at("out/from_reg.nii.gz")))
                .exit_code,
            0);
  const DisplacementField from_reg = io::read_displacement_field(at("out/from_reg.nii.gz"));
  const DisplacementField written = io::read_displacement_field(at("out/displacement.nii.gz"));
  ASSERT_EQ(from_reg.voxel_count(), written.voxel_count());
  for (std::int64_t v = 0; v < written.voxel_count(); ++v)
    ASSERT_EQ(from_reg.data()[v].y, written.data()[v].y);

  // Every organ guided, and the bladder (filled between the scans) lands on the daily truth.
  const json report = read_json(at("out/report.json"));
  for (const auto& s : report["structures"]) {
    EXPECT_TRUE(s["guided"].get<bool>()) << s.dump();
    EXPECT_GE(s["beyond_planning_scan_ml"].get<double>(), 0.0) << s.dump();
    // Its picture shows its outline in its own colour.
    ASSERT_TRUE(s["picture"].is_string()) << s.dump();
    io::RgbPicture png = io::read_png(at("out") / s["picture"].get<std::string>());
    const auto roi = std::find_if(set.structures.begin(), set.structures.end(),
                                  [&](const io::RtStructure& r) { return r.name == s["name"]; });
    ASSERT_NE(roi, set.structures.end());
    std::int64_t outline = 0;
    for (int y = 0; y < png.height; ++y)
      for (int x = 0; x < png.width; ++x) {
        const std::uint8_t* p = png.pixel(x, y);
        outline += p[0] == roi->color[0] && p[1] == roi->color[1] && p[2] == roi->color[2];
      }
    EXPECT_GT(outline, 10) << s.dump();
  }
  const LabelMap truth = io::read_image_as<std::uint16_t>(at("p/fixed_labels.nii.gz"));
  const double dice = dice_of(at("out/RS_propagated.dcm"), "bladder", at("daily"), truth, 3);
  std::printf("bladder Dice of the propagated RTSTRUCT against the daily truth: %.3f\n", dice);
  EXPECT_GE(dice, 0.9);
  EXPECT_TRUE(report["fiducial_markers"].is_null()) << report["fiducial_markers"];  // a woman
}

// A prostate patient with gold markers: the report carries each daily marker to the planning scan
// and measures how far it lands from its partner, the check that needs no ground truth.
TEST_F(PropagateCli, AProstatePatientsMarkersCheckThePropagation) {
  const auto make = [](const std::string& arguments) {
    const auto r = run_modir(arguments);
    ASSERT_EQ(r.exit_code, 0) << arguments << "\n" << r.err;
  };
  make("phantom --quiet --seed 9030 --size small --sex male --markers --deformation large --out " +
       quoted(at("m")));
  make("convert --quiet " + quoted(at("m/fixed.nii.gz")) + " " + quoted(at("m_daily")) + " --dicom");
  make("convert --quiet " + quoted(at("m/moving.nii.gz")) + " " + quoted(at("m_planning")) +
       " --dicom");
  make("convert --quiet " + quoted(at("m/moving_labels.nii.gz")) + " " + quoted(at("m_RS.dcm")) +
       " --reference " + quoted(at("m_planning")) + " --names " + quoted(at("m/meta.json")));
  const auto run = propagate("m_planning", "m_RS.dcm", "m_daily", "m_out", " --no-qc");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json markers = read_json(at("m_out/report.json"))["fiducial_markers"];
  ASSERT_EQ(markers["paired"], 3) << markers;
  EXPECT_LT(markers["max_residual_mm"].get<double>(), 3.0) << markers;
  EXPECT_EQ(markers["off"], 0);
  EXPECT_EQ(run.err.find("fiducial markers"), std::string::npos) << run.err;  // nothing to warn
}

TEST_F(PropagateCli, AutomaticLandmarksGuideThePropagationAndAreRecorded) {
  const auto run = propagate("planning", "RS_plan.dcm", "daily", "out_auto", " --landmarks auto");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json report = read_json(at("out_auto/report.json"));
  const json& a = report["auto_landmarks"];
  ASSERT_TRUE(a.is_object()) << report.dump();
  EXPECT_GT(a["used"].get<std::size_t>(), 0u);
  EXPECT_TRUE(fs::exists(at("out_auto/auto_landmarks/fixed_landmarks.csv")));
  EXPECT_TRUE(fs::exists(at("out_auto/RS_propagated.dcm")));
  // There is no other mode.
  const auto other = propagate("planning", "RS_plan.dcm", "daily", "out_other",
                               " --landmarks manual");
  EXPECT_EQ(other.exit_code, 2);
  // The networks' device is checked before anything is read.
  const auto tpu = propagate("planning", "RS_plan.dcm", "daily", "out_tpu", " --device tpu");
  EXPECT_EQ(tpu.exit_code, 2) << tpu.err;
  EXPECT_NE(tpu.err.find("--device must be cpu or cuda"), std::string::npos) << tpu.err;
  EXPECT_FALSE(fs::exists(at("out_tpu")));
}

TEST_F(PropagateCli, AnObliqueDailySeriesGetsContoursInItsOwnSlicePlanes) {
  // The daily scan resampled on a grid tilted 20 degrees about the left-right axis (slices
  // between axial and coronal, as a cone-beam or MR series may be), written as DICOM.
  const Image<float> axial = io::read_image_as<float>(at("p/fixed.nii.gz"));
  const LabelMap truth_axial = io::read_image_as<std::uint16_t>(at("p/fixed_labels.nii.gz"));
  Geometry tilted = axial.geometry();
  const double a = 20.0 * 3.14159265358979 / 180.0;
  tilted.direction = Mat3::from_columns({1, 0, 0}, {0, std::cos(a), std::sin(a)},
                                        {0, -std::sin(a), std::cos(a)});
  // The same centre.
  const Vec3d centre_index{(tilted.size[0] - 1) / 2.0, (tilted.size[1] - 1) / 2.0,
                           (tilted.size[2] - 1) / 2.0};
  const Vec3d centre = axial.geometry().index_to_world(centre_index);
  tilted.origin = {0, 0, 0};
  const Vec3d offset = tilted.index_to_world(centre_index);
  tilted.origin = {centre.x - offset.x, centre.y - offset.y, centre.z - offset.z};
  const Image<float> daily =
      filter::resample(axial, tilted, filter::Interpolation::kLinear, -1000.0);
  const LabelMap truth = filter::resample(truth_axial, tilted, filter::Interpolation::kNearest);
  io::write_dicom_series(daily, at("daily_tilted"));

  const auto run = propagate("planning", "RS_plan.dcm", "daily_tilted", "tilted_out", " --no-qc");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const test::DicomValidation check =
      test::dciodvfy(at("tilted_out/RS_propagated.dcm"), "RTStructureSet");
  EXPECT_TRUE(check.errors.empty()) << check.errors;
  // Every contour lies in a slice plane of the tilted series and names that slice.
  const io::RtStructureSet set = io::read_rtstruct(at("tilted_out/RS_propagated.dcm"));
  const io::DicomSeries& series = this->series(at("daily_tilted"));
  const Geometry grid = io::dicom_series_geometry(series);
  for (const io::RtStructure& s : set.structures) {
    for (const io::RtContour& c : s.contours) {
      const double k = grid.world_to_index(c.points.front()).z;
      ASSERT_NEAR(k, std::round(k), 0.01) << s.name;
      ASSERT_EQ(c.referenced_sop_instance_uids.size(), 1u);
      EXPECT_EQ(c.referenced_sop_instance_uids[0],
                series.sop_instance_uids[static_cast<std::size_t>(std::lround(k))]);
    }
  }
  const double dice = dice_of(at("tilted_out/RS_propagated.dcm"), "bladder", at("daily_tilted"),
                              truth, 3);
  std::printf("bladder Dice on the tilted daily series: %.3f\n", dice);
  EXPECT_GE(dice, 0.9);
}

TEST_F(PropagateCli, IdentityPropagationReturnsThePlanningStructures) {
  const auto run = propagate("planning", "RS_plan.dcm", "planning", "identity");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const LabelMap planning = io::read_image_as<std::uint16_t>(at("p/moving_labels.nii.gz"));
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::uint16_t>>{
           {"body", 1}, {"bladder", 3}, {"rectum", 4}, {"femoral_heads", 7}}) {
    const double dice = dice_of(at("identity/RS_propagated.dcm"), name, at("planning"), planning, value);
    EXPECT_GE(dice, 0.97) << name;
  }
  EXPECT_EQ(read_json(at("identity/report.json"))["registration"]["rule"]["rule"], "single run");
  for (const auto& s : read_json(at("identity/report.json"))["structures"]) {
    EXPECT_NEAR(s["daily_ml"].get<double>(), s["planning_ml"].get<double>(),
                0.03 * s["planning_ml"].get<double>() + 0.5)
        << s.dump();
  }
}

TEST_F(PropagateCli, WithAFrontTheStructuresFollowItsKnee) {
  const auto run = propagate("planning", "RS_plan.dcm", "daily", "front_out", " --pareto 4 --no-qc");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json front = read_json(at("front_out/front/front.json"));
  const json report = read_json(at("front_out/report.json"));
  EXPECT_EQ(report["registration"]["picked"], front["knee"]);
  EXPECT_EQ(report["registration"]["rule"]["rule"], "knee");
  EXPECT_TRUE(report["daily_label_qc"].is_null());  // --no-qc
  // The propagated field is the knee's, and the structure set says which solution it is.
  const DisplacementField used = io::read_displacement_field(at("front_out/displacement.nii.gz"));
  const DisplacementField knee = io::read_displacement_field(at("front_out/front/displacement.nii.gz"));
  ASSERT_EQ(used.voxel_count(), knee.voxel_count());
  for (std::int64_t v = 0; v < used.voxel_count(); ++v) {
    ASSERT_EQ(used.data()[v].x, knee.data()[v].x);
    ASSERT_EQ(used.data()[v].z, knee.data()[v].z);
  }
  const auto pick = run_modir("front pick --quiet --knee " + quoted(at("front_out/front")));
  EXPECT_EQ(pick.exit_code, 0) << pick.err;
  // front.json names the DICOM series and the guiding label maps it was computed from, so
  // `front export` rebuilds a solution's outputs: the knee's field is the propagated one.
  EXPECT_EQ(front["inputs"]["fixed"]["series"], series(at("daily")).series_uid);
  EXPECT_EQ(front["inputs"]["moving"]["series"], series(at("planning")).series_uid);
  const auto exported = run_modir("front export --quiet " + quoted(at("front_out/front")) +
                                  " --out " + quoted(at("exported")));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const DisplacementField again = io::read_displacement_field(at("exported/displacement.nii.gz"));
  ASSERT_EQ(again.voxel_count(), used.voxel_count());
  for (std::int64_t v = 0; v < used.voxel_count(); ++v) ASSERT_EQ(again.data()[v].y, used.data()[v].y);
  EXPECT_TRUE(fs::exists(at("exported/warped_labels.nii.gz")));
  // The export of a propagate front carries the planning structures as well (what `modir
  // review`'s "choose" writes): for the knee, the very contours propagate wrote.
  ASSERT_TRUE(fs::exists(at("exported/RS_propagated.dcm")));
  EXPECT_EQ(read_json(at("exported/report.json"))["rtstruct"], "RS_propagated.dcm");
  for (const auto& [rs, nifti] : {std::pair{"exported/RS_propagated.dcm", "exported_rs.nii.gz"},
                                  {"front_out/RS_propagated.dcm", "front_out_rs.nii.gz"}}) {
    const auto converted = run_modir("convert --quiet " + quoted(at(rs)) + " " +
                                     quoted(at(nifti)) + " --reference " + quoted(at("daily")));
    ASSERT_EQ(converted.exit_code, 0) << converted.err;
  }
  const LabelMap exported_rs = io::read_image_as<std::uint16_t>(at("exported_rs.nii.gz"));
  const LabelMap propagated_rs = io::read_image_as<std::uint16_t>(at("front_out_rs.nii.gz"));
  EXPECT_EQ(exported_rs.buffer(), propagated_rs.buffer());
  std::int64_t inside = 0;
  for (const std::uint16_t v : exported_rs.buffer()) inside += v != 0;
  EXPECT_GT(inside, 1000);
}

TEST_F(PropagateCli, PickRulesChooseTheSolutionAsFrontPickDoes) {
  // The smallest deformation whose guidance error stays within a bound that some but not all
  // solutions meet: typically not the knee, and the same choice `modir front pick` makes.
  const auto run = propagate("planning", "RS_plan.dcm", "daily", "rule_out",
                             " --pareto 4 --no-qc --minimise deformation --max-guidance 5");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json report = read_json(at("rule_out/report.json"));
  EXPECT_EQ(report["registration"]["rule"]["rule"], "minimise");
  EXPECT_EQ(report["registration"]["rule"]["minimise"], "deformation");
  EXPECT_EQ(report["registration"]["rule"]["limits"]["max_guidance_mm"], 5.0);
  const auto pick = run_modir("front pick --quiet --minimise deformation --max-guidance 5 " +
                              quoted(at("rule_out/front")) + " --json " +
                              quoted(at("rule_pick.json")) + " --export " +
                              quoted(at("rule_exported")));
  ASSERT_EQ(pick.exit_code, 0) << pick.err;
  EXPECT_EQ(report["registration"]["picked"], read_json(at("rule_pick.json"))["index"]);
  // The structures followed that solution: its field is the propagated one.
  const DisplacementField used = io::read_displacement_field(at("rule_out/displacement.nii.gz"));
  const DisplacementField chosen =
      io::read_displacement_field(at("rule_exported/displacement.nii.gz"));
  ASSERT_EQ(used.voxel_count(), chosen.voxel_count());
  for (std::int64_t v = 0; v < used.voxel_count(); ++v) ASSERT_EQ(used.data()[v].x, chosen.data()[v].x);
  // StructureSetDescription says which solution, by which rule (the file's text, as stored).
  std::ifstream file(at("rule_out/RS_propagated.dcm"), std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(file), {}};
  EXPECT_NE(bytes.find("the smallest deformation within the limits"), std::string::npos);
}

TEST_F(PropagateCli, PickRulesThatCannotApplyAreRefused) {
  // Without a front there is nothing to choose from: refused at once, before any registration.
  const auto no_front =
      propagate("planning", "RS_plan.dcm", "daily", "no_front", " --minimise image");
  EXPECT_EQ(no_front.exit_code, 2) << no_front.err;
  EXPECT_NE(no_front.err.find("--pareto"), std::string::npos) << no_front.err;
  const auto limit_only =
      propagate("planning", "RS_plan.dcm", "daily", "limit_only", " --pareto 2 --max-guidance 1");
  EXPECT_EQ(limit_only.exit_code, 2) << limit_only.err;
  EXPECT_NE(limit_only.err.find("--minimise"), std::string::npos) << limit_only.err;
  // Limits no solution meets: the reason, no structure set, and the front kept for front pick.
  const auto none = propagate("planning", "RS_plan.dcm", "daily", "none_meets",
                              " --pareto 2 --no-qc --minimise image --max-guidance 0");
  if (without_libtorch(none)) GTEST_SKIP() << "modir was built without LibTorch";
  EXPECT_EQ(none.exit_code, 1) << none.err;
  EXPECT_NE(none.err.find("guidance"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("modir front pick"), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(at("none_meets/RS_propagated.dcm")));
  EXPECT_TRUE(fs::exists(at("none_meets/front/front.json")));
}

TEST_F(PropagateCli, TheMemoryEstimateIsPrintedOrHeldToTheLimitBeforeAnyWork) {
  const auto dry = propagate("planning", "RS_plan.dcm", "daily", "dry", " --dry-run");
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("estimated peak memory"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("7 structures"), std::string::npos) << dry.out;
  EXPECT_FALSE(fs::exists(at("dry")));
  const auto tight = propagate("planning", "RS_plan.dcm", "daily", "tight", " --max-memory 50");
  EXPECT_EQ(tight.exit_code, 1) << tight.err;
  EXPECT_NE(tight.err.find("this propagation needs about"), std::string::npos) << tight.err;
  EXPECT_FALSE(fs::exists(at("tight")));
}

TEST_F(PropagateCli, StructuresOfAnotherSeriesAreRefusedNamingBothSeries) {
  // The structure set was drawn on the planning series; here the daily one is called planning.
  const auto r = propagate("daily", "RS_plan.dcm", "daily", "wrong_series");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(series(at("planning")).series_uid), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(series(at("daily")).series_uid), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(at("wrong_series/RS_propagated.dcm")));
}

TEST_F(PropagateCli, AFolderOfTwoSeriesNeedsAChoiceEveryCommandOffers) {
  const fs::path both = at("both");
  fs::create_directories(both);
  for (const auto& [folder, prefix] : {std::pair{"planning", "P_"}, std::pair{"daily", "D_"}}) {
    for (const auto& file : fs::directory_iterator(at(folder)))
      fs::copy_file(file.path(), both / (prefix + file.path().filename().string()));
  }
  const std::string daily_uid = series(at("daily")).series_uid;
  const std::string planning_uid = series(at("planning")).series_uid;

  // Each command names its own option for the choice.
  const auto no_choice = propagate("planning", "RS_plan.dcm", "both", "two");
  EXPECT_EQ(no_choice.exit_code, 2) << no_choice.err;
  EXPECT_NE(no_choice.err.find("--daily-series"), std::string::npos) << no_choice.err;
  EXPECT_NE(no_choice.err.find(daily_uid), std::string::npos) << no_choice.err;
  const auto reg = run_modir("register --quiet --fixed " + quoted(both) + " --moving " +
                             quoted(at("p/moving.nii.gz")) + " --out " + quoted(at("reg_two")));
  EXPECT_EQ(reg.exit_code, 2) << reg.err;
  EXPECT_NE(reg.err.find("--fixed-series"), std::string::npos) << reg.err;
  std::ofstream(at("fast.json")) << R"({"deformable": {"levels": 1, "iterations": [5]}})";
  const auto reg_chosen = run_modir(
      "register --quiet --fixed " + quoted(both) + " --fixed-series " + daily_uid + " --moving " +
      quoted(at("p/moving.nii.gz")) + " --config " + quoted(at("fast.json")) + " --out " +
      quoted(at("reg_chosen")));
  EXPECT_EQ(reg_chosen.exit_code, 0) << reg_chosen.err;
  if (reg_chosen.exit_code == 0) {
    std::ifstream report_file(at("reg_chosen/report.json"));
    const json report = json::parse(report_file);
    EXPECT_EQ(report["inputs"]["fixed"]["series"], daily_uid);
  }
  const auto seg = run_modir("segment predict --quiet --image " + quoted(both) + " --out " +
                             quoted(at("seg_two.nii.gz")));
  if (!without_libtorch(seg)) {
    EXPECT_EQ(seg.exit_code, 2) << seg.err;
    EXPECT_NE(seg.err.find("--series"), std::string::npos) << seg.err;
  }

  // With the choice made, warp reads the chosen series (the planning scan, onto its own grid).
  const auto warp_no_choice = run_modir("warp --quiet --moving " + quoted(both) +
                                        " --displacement " + quoted(at("p/gt_displacement.nii.gz")) +
                                        " --out " + quoted(at("w.nii.gz")));
  EXPECT_EQ(warp_no_choice.exit_code, 2) << warp_no_choice.err;
  EXPECT_NE(warp_no_choice.err.find("--series"), std::string::npos) << warp_no_choice.err;
  const auto warp = run_modir("warp --quiet --moving " + quoted(both) + " --series " +
                              planning_uid + " --displacement " +
                              quoted(at("p/gt_displacement.nii.gz")) + " --out " +
                              quoted(at("w.nii.gz")));
  EXPECT_EQ(warp.exit_code, 0) << warp.err;

  // propagate: the planning series defaults to the one the structure set was drawn on.
  const auto chosen = propagate("both", "RS_plan.dcm", "both", "two_chosen",
                                " --daily-series " + daily_uid);
  if (without_libtorch(chosen)) return;
  ASSERT_EQ(chosen.exit_code, 0) << chosen.err;
  EXPECT_EQ(io::read_rtstruct(at("two_chosen/RS_propagated.dcm")).referenced_series_uid, daily_uid);
}

TEST_F(PropagateCli, AMissingDailySliceIsADataErrorNamingTheGap) {
  const fs::path gap = at("gap");
  fs::create_directories(gap);
  std::vector<fs::path> files;
  for (const auto& file : fs::directory_iterator(at("daily"))) files.push_back(file.path());
  std::sort(files.begin(), files.end());
  for (std::size_t k = 0; k < files.size(); ++k)
    if (k != files.size() / 2) fs::copy_file(files[k], gap / files[k].filename());
  const auto r = propagate("planning", "RS_plan.dcm", "gap", "gap_out");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
}

TEST_F(PropagateCli, EmptyStructuresAndContoursBeyondTheScanAreCarriedAndReported) {
  // The planning set plus a structure without contours and a marker square that reaches 40 mm
  // beyond the planning scan's side, on a middle slice.
  const io::DicomSeries& planning = series(at("planning"));
  const Geometry grid = io::dicom_series_geometry(planning);
  io::RtStructureSet set = io::read_rtstruct(at("RS_plan.dcm"));
  std::vector<io::RtStructure> structures = set.structures;
  io::RtStructure empty;
  empty.roi_number = 90;
  empty.name = "Empty_Helper";
  empty.interpreted_type = "CONTROL";
  structures.push_back(empty);
  io::RtStructure marker;
  marker.roi_number = 91;
  marker.name = "Marker";
  marker.interpreted_type = "MARKER";
  const Vec3d centre = grid.index_to_world(
      {double(grid.size[0]) - 1.0, (grid.size[1] - 1) / 2.0, double(grid.size[2] / 2)});
  io::RtContour square;
  square.geometric_type = "CLOSED_PLANAR";
  const Vec3d dx = grid.direction.column(0), dy = grid.direction.column(1);
  for (const auto& [a, b] : {std::pair{-20.0, -20.0}, {40.0, -20.0}, {40.0, 20.0}, {-20.0, 20.0}})
    square.points.push_back(centre + dx * a + dy * b);
  marker.contours.push_back(square);
  structures.push_back(marker);
  io::RtStructureSetText text;
  text.label = "EXTRA";
  io::write_rtstruct(structures, planning, text, at("RS_extra.dcm"));

  const auto run = propagate("planning", "RS_extra.dcm", "daily", "extra");
  if (without_libtorch(run)) GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("Marker"), std::string::npos) << run.err;  // warned: partly outside
  const json report = read_json(at("extra/report.json"));
  bool saw_empty = false, saw_marker = false;
  for (const auto& s : report["structures"]) {
    if (s["name"] == "Empty_Helper") {
      saw_empty = true;
      EXPECT_FALSE(s["guided"].get<bool>());
      EXPECT_EQ(s["planning_ml"].get<double>(), 0.0);
    }
    if (s["name"] == "Marker") {
      saw_marker = true;
      EXPECT_FALSE(s["guided"].get<bool>()) << s.dump();  // not an organ
      EXPECT_GT(s["planning_ml"].get<double>(), 0.0) << s.dump();  // what lies inside is kept
      EXPECT_GT(s["daily_ml"].get<double>(), 0.0) << s.dump();
    }
  }
  EXPECT_TRUE(saw_empty && saw_marker) << report.dump();
  const test::DicomValidation check = test::dciodvfy(at("extra/RS_propagated.dcm"), "RTStructureSet");
  ASSERT_TRUE(check.ran) << check.report;
  EXPECT_TRUE(check.errors.empty()) << check.errors;
}

TEST_F(PropagateCli, ANonEmptyOutputFolderIsRefused) {
  fs::create_directories(at("full"));
  std::ofstream(at("full/keep.txt")) << "x";
  const auto r = run_modir("propagate --planning a --structures b --daily c --out " +
                           quoted(at("full")));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(fs::exists(at("full/keep.txt")));
}

}  // namespace
}  // namespace modir
