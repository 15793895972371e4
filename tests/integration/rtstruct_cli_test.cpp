// `modir convert` between RT Structure Sets and label maps, end to end on the real Visible Human
// structure set, with plastimatch (Debian package, written by others) reading what modir wrote.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "modir/io/image_io.h"
#include "modir/io/rtstruct.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_modir;

fs::path visible_human() {
  return test::shared_data() / "dicom_rt" / "visible_human_male_aria";
}

// Dice of `mask` (any non-zero) against the voxels of `labels` that satisfy `in`.
template <typename In>
double dice(const LabelMap& labels, const Image<std::uint8_t>& mask, In in) {
  std::int64_t both = 0, a = 0, b = 0;
  for (std::int64_t v = 0; v < labels.voxel_count(); ++v) {
    const bool x = in(labels.data()[v]), y = mask.data()[v] != 0;
    both += x && y;
    a += x;
    b += y;
  }
  return 2.0 * double(both) / double(a + b);
}

TEST(RtStructCli, LabelsBecomeAnRtstructThatPlastimatchReadsBack) {
  test::TempDir dir;
  const auto rasterised = run_modir("convert --quiet --rtstruct " +
                                    quoted(visible_human() / "RS_Body_SpinalCord.dcm") +
                                    " --reference " + quoted(visible_human()) + " " +
                                    quoted(dir / "labels.nii.gz"));
  ASSERT_EQ(rasterised.exit_code, 0) << rasterised.err;
  // The sidecar labels.json names the labels: the structure set keeps names, numbers, colours.
  const auto written = run_modir("convert --quiet " + quoted(dir / "labels.nii.gz") + " " +
                                 quoted(dir / "RS.dcm") + " --reference " +
                                 quoted(visible_human()));
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const io::RtStructureSet back = io::read_rtstruct(dir / "RS.dcm");
  ASSERT_EQ(back.structures.size(), 2u);
  EXPECT_EQ(back.structures[0].name, "BODY");
  EXPECT_EQ(back.structures[0].roi_number, 13);
  EXPECT_EQ(back.structures[0].interpreted_type, "EXTERNAL");
  EXPECT_EQ(back.structures[1].name, "SpinalCord");

  const std::string command = "plastimatch convert --input " + quoted(dir / "RS.dcm") +
                              " --referenced-ct " + quoted(visible_human()) +
                              " --output-prefix " + quoted(dir / "pm") + " > " +
                              quoted(dir / "pm.log") + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0)
      << "plastimatch (Debian package, installed by scripts/setup) failed; see " << command;
  const LabelMap labels = io::read_image_as<std::uint16_t>(dir / "labels.nii.gz");
  const auto body = io::read_image_as<std::uint8_t>(dir / "pm" / "BODY.mha");
  const auto cord = io::read_image_as<std::uint8_t>(dir / "pm" / "SpinalCord.mha");
  ASSERT_EQ(body.geometry().size, labels.geometry().size);
  // The label map gave the cord's voxels to the cord, so BODY's contours have the cord as a hole
  // (nested contours, even-odd). plastimatch fills nested contours instead: it reads back the body
  // with the cord inside.
  EXPECT_GE(dice(labels, cord, [](std::uint16_t v) { return v == 2; }), 0.99);
  EXPECT_GE(dice(labels, body, [](std::uint16_t v) { return v != 0; }), 0.99);
}

// The DICOM round trip of a phantom patient whose truth is known: the CT as a DICOM series, its
// organ labels as an RTSTRUCT on that series, and the structures rasterised back from the DICOM.
TEST(RtStructCli, PhantomLabelsSurviveTheDicomRoundTrip) {
  test::TempDir dir;
  const auto pair = run_modir("phantom --quiet --seed 9031 --size small --out " + quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  const auto ct = run_modir("convert --quiet " + quoted(dir / "p/fixed.nii.gz") + " " +
                            quoted(dir / "ct") + " --dicom --patient-name Phantom^9031");
  ASSERT_EQ(ct.exit_code, 0) << ct.err;
  const auto rs = run_modir("convert --quiet " + quoted(dir / "p/fixed_labels.nii.gz") + " " +
                            quoted(dir / "RS.dcm") + " --reference " + quoted(dir / "ct") +
                            " --names " + quoted(dir / "p/meta.json"));
  ASSERT_EQ(rs.exit_code, 0) << rs.err;
  const auto back = run_modir("convert --quiet --rtstruct " + quoted(dir / "RS.dcm") +
                              " --reference " + quoted(dir / "ct") + " " +
                              quoted(dir / "back.nii.gz"));
  ASSERT_EQ(back.exit_code, 0) << back.err;
  const LabelMap truth = io::read_image_as<std::uint16_t>(dir / "p/fixed_labels.nii.gz");
  const LabelMap again = io::read_image_as<std::uint16_t>(dir / "back.nii.gz");
  ASSERT_EQ(again.geometry().size, truth.geometry().size);
  // Labels come back as 1..N in ROI order, and the ROI numbers are the original label values:
  // compare structure by structure through the sidecar's names.
  const io::RtStructureSet set = io::read_rtstruct(dir / "RS.dcm");
  ASSERT_FALSE(set.structures.empty());
  // The phantom's meta.json names the labels: the ROIs carry organ names and types.
  EXPECT_EQ(set.structures.front().name, "body");
  EXPECT_EQ(set.structures.front().interpreted_type, "EXTERNAL");
  bool bladder = false;
  for (const auto& s : set.structures) bladder = bladder || s.name == "bladder";
  EXPECT_TRUE(bladder);
  for (std::size_t k = 0; k < set.structures.size(); ++k) {
    const auto original = static_cast<std::uint16_t>(set.structures[k].roi_number);
    const auto value = static_cast<std::uint16_t>(k + 1);
    std::int64_t both = 0, a = 0, b = 0;
    for (std::int64_t v = 0; v < truth.voxel_count(); ++v) {
      const bool x = truth.data()[v] == original, y = again.data()[v] == value;
      both += x && y;
      a += x;
      b += y;
    }
    EXPECT_GE(2.0 * double(both) / double(a + b), 0.99) << set.structures[k].name;
  }
}

TEST(RtStructCli, WritingAnRtstructNeedsItsSeriesAndSomeLabels) {
  test::TempDir dir;
  const auto no_reference = run_modir("convert " + quoted(visible_human() / "Mask.nii.gz") + " " +
                                      quoted(dir / "RS.dcm"));
  EXPECT_EQ(no_reference.exit_code, 2) << no_reference.err;
  EXPECT_NE(no_reference.err.find("--reference"), std::string::npos) << no_reference.err;

  const auto empty_ok = run_modir("convert --quiet --type uint8 " +
                                  quoted(visible_human() / "Mask.nii.gz") + " " +
                                  quoted(dir / "m.nii.gz"));
  ASSERT_EQ(empty_ok.exit_code, 0) << empty_ok.err;
  LabelMap zeros = io::read_image_as<std::uint16_t>(dir / "m.nii.gz");
  for (auto& v : zeros.buffer()) v = 0;
  io::write_image(zeros, dir / "zeros.nii.gz");
  const auto empty = run_modir("convert " + quoted(dir / "zeros.nii.gz") + " " +
                               quoted(dir / "RS.dcm") + " --reference " + quoted(visible_human()));
  EXPECT_EQ(empty.exit_code, 1) << empty.err;
  EXPECT_NE(empty.err.find("no labels"), std::string::npos) << empty.err;
  EXPECT_FALSE(fs::exists(dir / "RS.dcm"));
}

}  // namespace
}  // namespace modir
