// Writing RT Structure Sets: a round trip through the real Visible Human structure set (rasterise,
// contour, write, read back, rasterise), DICOM validity checked by dciodvfy (dicom3tools, which no
// one here wrote), and the errors a wrong contour or ROI list must give.

#include "modir/io/rtstruct_write.h"

#include <dcmtk/dcmdata/dctk.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include "modir/core/error.h"
#include "modir/io/dicom_series.h"
#include "modir/io/rtstruct.h"
#include "modir/io/rtstruct_labels.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

fs::path visible_human() {
  return test::shared_data() / "dicom_rt" / "visible_human_male_aria";
}

double dice(const LabelMap& a, const LabelMap& b, std::uint16_t label) {
  std::int64_t both = 0, na = 0, nb = 0;
  for (std::int64_t v = 0; v < a.voxel_count(); ++v) {
    const bool x = a.data()[v] == label, y = b.data()[v] == label;
    both += x && y;
    na += x;
    nb += y;
  }
  return na + nb == 0 ? 1.0 : 2.0 * double(both) / double(na + nb);
}

Image<float> mask_of(const LabelMap& labels, std::uint16_t label) {
  Image<float> mask(labels.geometry(), 0.0f);
  for (std::int64_t v = 0; v < labels.voxel_count(); ++v)
    mask.data()[v] = labels.data()[v] == label ? 1.0f : 0.0f;
  return mask;
}

struct VisibleHuman {
  DicomSeries series;
  Geometry grid;
  RtStructureSet set;
  RasterizedLabels labels;
};

VisibleHuman load_visible_human() {
  VisibleHuman vh;
  const DicomScan scan = scan_dicom(visible_human());
  vh.series = select_series(scan, "", visible_human());
  vh.grid = dicom_series_geometry(vh.series);
  vh.set = read_rtstruct(visible_human() / "RS_Body_SpinalCord.dcm");
  vh.labels = rasterize_rtstruct(vh.set, vh.series, vh.grid, {});
  return vh;
}

// The target: rasterise -> contours -> RTSTRUCT -> rasterise gives Dice >= 0.98 per
// structure on the same grid. Contours through the midpoints between voxel centres give the
// voxels back exactly, so Dice is 1.
TEST(RtStructWrite, VisibleHumanRoundTripKeepsEveryVoxelNameAndColour) {
  const VisibleHuman vh = load_visible_human();
  ASSERT_EQ(vh.labels.structures.size(), 2u);
  std::vector<RtStructure> structures;
  for (const RasterizedStructure& r : vh.labels.structures) {
    RtStructure s;
    s.roi_number = r.roi_number;
    s.name = r.name;
    s.color = r.color;
    s.interpreted_type = r.name == "BODY" ? "EXTERNAL" : "ORGAN";
    s.contours = mask_contours(mask_of(vh.labels.labels, static_cast<std::uint16_t>(r.label)));
    ASSERT_FALSE(s.contours.empty()) << r.name;
    structures.push_back(std::move(s));
  }
  test::TempDir dir;
  RtStructureSetText text{"modir test", "round trip", "rasterised and contoured again", "MANUAL"};
  write_rtstruct(structures, vh.series, text, dir / "RS.dcm");

  const RtStructureSet back = read_rtstruct(dir / "RS.dcm");
  EXPECT_EQ(back.referenced_series_uid, vh.series.series_uid);
  EXPECT_EQ(back.frame_of_reference_uid, vh.series.frame_of_reference_uid);
  EXPECT_EQ(back.label, "modir test");
  const std::set<std::string> slices(vh.series.sop_instance_uids.begin(),
                                     vh.series.sop_instance_uids.end());
  ASSERT_EQ(back.structures.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(back.structures[k].name, structures[k].name);
    EXPECT_EQ(back.structures[k].color, structures[k].color);
    EXPECT_EQ(back.structures[k].interpreted_type, structures[k].interpreted_type);
    for (const RtContour& c : back.structures[k].contours) {
      ASSERT_EQ(c.referenced_sop_instance_uids.size(), 1u);
      EXPECT_TRUE(slices.count(c.referenced_sop_instance_uids[0]));
    }
  }
  const RasterizedLabels again = rasterize_rtstruct(back, vh.series, vh.grid, {});
  for (const RasterizedStructure& r : vh.labels.structures) {
    const double d = dice(vh.labels.labels, again.labels, static_cast<std::uint16_t>(r.label));
    std::printf("%s: Dice %.5f after the round trip\n", r.name.c_str(), d);
    EXPECT_GE(d, 0.98) << r.name;
  }
}

// dciodvfy checks the file against the RT Structure Set IOD: no errors allowed. (Warnings about
// attributes the source CT lacks, or retired ones it carries, are the source's.)
TEST(RtStructWrite, DciodvfyFindsNoErrors) {
  const VisibleHuman vh = load_visible_human();
  RtStructure s;
  s.roi_number = 7;
  s.name = "SpinalCord";
  s.color = {0, 255, 0};
  s.interpreted_type = "ORGAN";
  s.contours = mask_contours(mask_of(vh.labels.labels, 2));
  RtStructure empty;
  empty.roi_number = 9;
  empty.name = "Nothing here";
  empty.interpreted_type = "AVOIDANCE";
  test::TempDir dir;
  write_rtstruct({s, empty}, vh.series, {"modir", "check", "dciodvfy", "AUTOMATIC"},
                 dir / "RS.dcm");
  const test::DicomValidation check = test::dciodvfy(dir / "RS.dcm", "RTStructureSet");
  ASSERT_TRUE(check.ran)
      << "dciodvfy (Debian package dicom3tools, installed by scripts/setup) did not run:\n"
      << check.report;
  EXPECT_TRUE(check.errors.empty()) << check.errors << "\nfull report:\n" << check.report;
}

TEST(RtStructWrite, ContoursOffTheSlicesAndDuplicateRoiNumbersAreErrors) {
  const VisibleHuman vh = load_visible_human();
  test::TempDir dir;
  RtStructure s;
  s.roi_number = 1;
  s.name = "between slices";
  RtContour c;
  c.geometric_type = "CLOSED_PLANAR";
  const double z_half = 0.5;  // half-way between slices 0 and 1
  for (const Vec3d& i : {Vec3d{10, 10, z_half}, Vec3d{20, 10, z_half}, Vec3d{20, 20, z_half}})
    c.points.push_back(vh.grid.index_to_world(i));
  s.contours.push_back(c);
  try {
    write_rtstruct({s}, vh.series, {}, dir / "RS.dcm");
    FAIL() << "a contour between slices was written";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("between slices"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "RS.dcm"));
  RtStructure a, b;
  a.roi_number = b.roi_number = 3;
  a.name = "a";
  b.name = "b";
  EXPECT_THROW(write_rtstruct({a, b}, vh.series, {}, dir / "RS.dcm"), Error);
  EXPECT_THROW(write_rtstruct({}, vh.series, {}, dir / "RS.dcm"), Error);
}

TEST(RtStructWrite, UidsAreUuidDerivedAndDistinct) {
  const std::regex uid("2\\.25\\.(0|[1-9][0-9]*)");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string u = new_dicom_uid();
    EXPECT_TRUE(std::regex_match(u, uid)) << u;
    EXPECT_LE(u.size(), 64u);
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace modir::io
