// `modir propagate` end to end in DICOM on a phantom patient whose truth is known: the moving
// scan is the planning CT with its organs as an RTSTRUCT, the fixed scan the daily CT. The
// propagated RTSTRUCT, read back on the daily series, is compared with the daily truth.

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "modir/io/dicom_series.h"
#include "modir/io/image_io.h"
#include "modir/io/rtstruct.h"
#include "modir/io/rtstruct_labels.h"
#include "support/test_support.h"

namespace modir {
namespace {

using test::quoted;
using test::run_modir;

TEST(PropagateCli, PlanningStructuresReachTheDailyScanInDicom) {
  test::TempDir dir;
  ASSERT_EQ(run_modir("phantom --quiet --seed 9051 --size small --deformation large --out " +
                      quoted(dir / "p"))
                .exit_code,
            0);
  ASSERT_EQ(run_modir("convert --quiet " + quoted(dir / "p/fixed.nii.gz") + " " +
                      quoted(dir / "daily") + " --dicom")
                .exit_code,
            0);
  ASSERT_EQ(run_modir("convert --quiet " + quoted(dir / "p/moving.nii.gz") + " " +
                      quoted(dir / "planning") + " --dicom")
                .exit_code,
            0);
  ASSERT_EQ(run_modir("convert --quiet " + quoted(dir / "p/moving_labels.nii.gz") + " " +
                      quoted(dir / "RS_plan.dcm") + " --reference " + quoted(dir / "planning") +
                      " --names " + quoted(dir / "p/meta.json"))
                .exit_code,
            0);
  const auto run = run_modir("propagate --quiet --planning " + quoted(dir / "planning") +
                             " --structures " + quoted(dir / "RS_plan.dcm") + " --daily " +
                             quoted(dir / "daily") + " --out " + quoted(dir / "out"));
  if (run.err.find("without LibTorch") != std::string::npos)
    GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // The structure set lies on the daily series and passes dciodvfy.
  const io::RtStructureSet set = io::read_rtstruct(dir / "out/RS_propagated.dcm");
  const io::DicomScan scan = io::scan_dicom(dir / "daily");
  const io::DicomSeries& daily = io::select_series(scan, "", dir / "daily");
  EXPECT_EQ(set.referenced_series_uid, daily.series_uid);
  const test::DicomValidation check = test::dciodvfy(dir / "out/RS_propagated.dcm", "RTStructureSet");
  ASSERT_TRUE(check.ran) << check.report;
  EXPECT_TRUE(check.errors.empty()) << check.errors;

  // Every organ guided, and the bladder (filled between the scans) lands on the daily truth.
  std::ifstream report_file(dir / "out/report.json");
  const auto report = nlohmann::json::parse(report_file);
  for (const auto& s : report["structures"]) EXPECT_TRUE(s["guided"].get<bool>()) << s.dump();
  const io::RasterizedLabels back =
      io::rasterize_rtstruct(set, daily, io::dicom_series_geometry(daily), {"bladder"});
  const LabelMap truth = io::read_image_as<std::uint16_t>(dir / "p/fixed_labels.nii.gz");
  ASSERT_EQ(back.labels.geometry().size, truth.geometry().size);
  std::int64_t both = 0, a = 0, b = 0;
  for (std::int64_t v = 0; v < truth.voxel_count(); ++v) {
    const bool x = truth.data()[v] == 3, y = back.labels.data()[v] == 1;  // 3: bladder
    both += x && y;
    a += x;
    b += y;
  }
  const double dice = 2.0 * double(both) / double(a + b);
  std::printf("bladder Dice of the propagated RTSTRUCT against the daily truth: %.3f\n", dice);
  EXPECT_GE(dice, 0.9);
}

TEST(PropagateCli, ANonEmptyOutputFolderIsRefused) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "out");
  std::ofstream(dir / "out" / "keep.txt") << "x";
  const auto r = run_modir("propagate --planning a --structures b --daily c --out " +
                           quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "keep.txt"));
}

}  // namespace
}  // namespace modir
