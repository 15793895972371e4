// Scanning DICOM folders, choosing a series and deriving its geometry. Expected positions come from
// the ImagePositionPatient / ImageOrientationPatient values in the files (verified with a DCMTK
// dump of the shared data, or written by the test itself for synthetic slices).

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "io/dicom_test_files.h"
#include "modir/core/error.h"
#include "modir/io/dicom_series.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;
using test::SliceSpec;
using test::TempDir;

using test::aria;
using test::phantom;

constexpr const char* kAriaSeries = "1.2.246.352.221.5272685235804956408.10526521834793870012";

using test::error_of;

void expect_near(const Vec3d& a, const Vec3d& b, double tol = 1e-4) {
  EXPECT_NEAR(a.x, b.x, tol);
  EXPECT_NEAR(a.y, b.y, tol);
  EXPECT_NEAR(a.z, b.z, tol);
}

void copy_aria_ct(const fs::path& to, const std::vector<std::string>& names) {
  for (const std::string& n : names) fs::copy_file(aria() / n, to / n);
}

// Row cosine (cos a, sin a, 0) and a column cosine tilted by b out of the axial plane: oblique.
std::array<double, 6> oblique_orientation() {
  const double a = 0.3, b = 0.2;
  return {std::cos(a), std::sin(a), 0, -std::sin(a) * std::cos(b), std::cos(a) * std::cos(b),
          std::sin(b)};
}

Vec3d normal_of(const std::array<double, 6>& o) {
  return Vec3d{o[0], o[1], o[2]}.cross(Vec3d{o[3], o[4], o[5]});
}

// Writes `count` slices spaced `step` mm along the normal, file names in reverse spatial order.
std::vector<SliceSpec> write_stack(const fs::path& folder, int count, double step,
                                   const std::array<double, 6>& orientation = {1, 0, 0, 0, 1, 0}) {
  std::vector<SliceSpec> specs;
  const Vec3d origin{-20.5, 13.25, 107.0};
  for (int k = 0; k < count; ++k) {
    SliceSpec s;
    s.orientation = orientation;
    s.position = origin + normal_of(orientation) * (step * k);
    s.instance_number = count - k;
    test::write_slice(folder / fmt::format("s{}.dcm", count - k), s);
    specs.push_back(s);
  }
  return specs;
}

TEST(DicomScan, SortsVisibleHumanSlicesByPositionNotFileName) {
  const DicomScan scan = scan_dicom(aria());
  ASSERT_EQ(scan.series.size(), 1u);
  const DicomSeries& s = scan.series[0];
  // CT_2 is at z = 1000, CT_4 at 1001, CT_1 at 1002, CT_3 at 1003.
  ASSERT_EQ(s.files.size(), 4u);
  EXPECT_EQ(s.files[0].filename(), "CT_2.dcm");
  EXPECT_EQ(s.files[1].filename(), "CT_4.dcm");
  EXPECT_EQ(s.files[2].filename(), "CT_1.dcm");
  EXPECT_EQ(s.files[3].filename(), "CT_3.dcm");
  ASSERT_EQ(s.sop_instance_uids.size(), 4u);
  EXPECT_EQ(s.sop_instance_uids[2], "1.2.246.352.221.5639662398897860285.10020668819012843167");
  EXPECT_EQ(s.series_uid, kAriaSeries);
  EXPECT_EQ(s.study_uid, "1.2.246.352.221.5271554249207340477.2668154799156707489");
  EXPECT_EQ(s.frame_of_reference_uid, "1.2.246.352.221.5131467825200358064.1422130400580208278");
  EXPECT_EQ(s.modality, "CT");
  EXPECT_EQ(s.description, "UCSD_Residency_Template_Patient");
  // The RTSTRUCT is kept aside; the .nii.gz files beside the slices are silently ignored.
  ASSERT_EQ(scan.other_objects.size(), 1u);
  EXPECT_EQ(scan.other_objects[0].file.filename(), "RS_Body_SpinalCord.dcm");
  EXPECT_EQ(scan.other_objects[0].modality, "RTSTRUCT");
  EXPECT_EQ(scan.other_objects[0].sop_class_uid, "1.2.840.10008.5.1.4.1.1.481.3");
}

TEST(DicomScan, SingleFileIsOneSliceSeries) {
  const DicomScan scan = scan_dicom(aria() / "CT_4.dcm");
  ASSERT_EQ(scan.series.size(), 1u);
  ASSERT_EQ(scan.series[0].files.size(), 1u);
  EXPECT_TRUE(scan.other_objects.empty());
  const Geometry g = dicom_series_geometry(scan.series[0]);
  expect_near(g.origin, {0, 0, 1001});
  EXPECT_NEAR(g.spacing.z, 1.0, 1e-9);  // SliceThickness 1
}

TEST(DicomScan, RefusesMissingEmptyAndNonDicomFolders) {
  TempDir dir;
  Error e = error_of([&] { scan_dicom(dir / "absent"); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);

  e = error_of([&] { scan_dicom(dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("holds no DICOM files"), std::string::npos);

  std::ofstream(dir / "notes.txt") << "not a scan\n";
  fs::copy_file(aria() / "Image.nii.gz", dir / "Image.nii.gz");
  e = error_of([&] { scan_dicom(dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("holds no DICOM files"), std::string::npos);

  e = error_of([&] { scan_dicom(dir / "notes.txt"); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("is not a DICOM file"), std::string::npos);
}

TEST(DicomScan, DamagedFiles) {
  TempDir dir;
  // Cut inside the header: the file is DICOM (preamble) but unreadable.
  test::write_truncated(aria() / "CT_1.dcm", dir / "cut.dcm", 400);
  Error e = error_of([&] { scan_dicom(dir / "cut.dcm"); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
  e = error_of([&] { scan_dicom(dir.path()); });
  EXPECT_NE(std::string(e.what()).find("no readable DICOM file"), std::string::npos) << e.what();
  // Beside good slices, a damaged file is skipped with a warning.
  copy_aria_ct(dir.path(), {"CT_1.dcm", "CT_2.dcm"});
  const DicomScan scan = scan_dicom(dir.path());
  ASSERT_EQ(scan.series.size(), 1u);
  EXPECT_EQ(scan.series[0].files.size(), 2u);
}

TEST(DicomSelect, ChoosesTheOnlyOrTheNamedSeries) {
  DicomScan scan;
  EXPECT_EQ(error_of([&] { select_series(scan, "", "dir"); }).kind(), ErrorKind::kData);
  scan.other_objects.push_back({"dir/RS.dcm", "RTSTRUCT", "1.2.840.10008.5.1.4.1.1.481.3", "9"});
  const Error none = error_of([&] { select_series(scan, "", "dir"); });
  EXPECT_EQ(none.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(none.what()).find("RT Structure Set"), std::string::npos) << none.what();

  DicomSeries a;
  a.series_uid = "1.1";
  a.description = "thorax";
  a.modality = "CT";
  a.files = {"a1", "a2", "a3"};
  DicomSeries b;
  b.series_uid = "2.2";
  b.modality = "MR";
  b.files = {"b1"};
  scan.series = {a};
  EXPECT_EQ(&select_series(scan, "", "dir"), &scan.series[0]);
  EXPECT_EQ(&select_series(scan, "1.1", "dir"), &scan.series[0]);
  EXPECT_EQ(error_of([&] { select_series(scan, "3.3", "dir"); }).kind(), ErrorKind::kUsage);

  scan.series = {a, b};
  EXPECT_EQ(&select_series(scan, "2.2", "dir"), &scan.series[1]);
  const Error several = error_of([&] { select_series(scan, "", "dir"); });
  EXPECT_EQ(several.kind(), ErrorKind::kUsage);
  const std::string m = several.what();
  EXPECT_NE(m.find("1.1 CT 'thorax' (3 slice(s))"), std::string::npos) << m;
  EXPECT_NE(m.find("2.2 MR (no description) (1 slice(s))"), std::string::npos) << m;
  EXPECT_NE(m.find("--series UID"), std::string::npos) << m;
  const Error absent = error_of([&] { select_series(scan, "4.4", "dir"); });
  EXPECT_EQ(absent.kind(), ErrorKind::kUsage);
  EXPECT_NE(std::string(absent.what()).find("4.4"), std::string::npos);
}

TEST(DicomSelect, FolderWithTwoSeries) {
  TempDir dir;
  copy_aria_ct(dir.path(), {"CT_1.dcm", "CT_2.dcm", "CT_3.dcm", "CT_4.dcm"});
  for (const char* n : {"CT_1", "CT_2", "CT_3", "CT_4"}) {
    test::copy_with(aria() / (std::string(n) + ".dcm"), dir / (std::string(n) + "_copy.dcm"),
                    {{DCM_SeriesInstanceUID, "1.2.826.0.1.3680043.2.1125.5"},
                     {DCM_SeriesDescription, "second"},
                     {DCM_SOPInstanceUID, std::string("1.2.826.0.1.3680043.2.1125.6.") + n[3]}});
  }
  const DicomScan scan = scan_dicom(dir.path());
  ASSERT_EQ(scan.series.size(), 2u);
  for (const DicomSeries& s : scan.series) EXPECT_EQ(s.files.size(), 4u);
  const Error e = error_of([&] { select_series(scan, "", dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  const std::string m = e.what();
  EXPECT_NE(m.find(std::string(kAriaSeries) + " CT 'UCSD_Residency_Template_Patient' (4 slice(s))"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("1.2.826.0.1.3680043.2.1125.5 CT 'second' (4 slice(s))"), std::string::npos);
  const DicomSeries& second = select_series(scan, "1.2.826.0.1.3680043.2.1125.5", dir.path());
  EXPECT_EQ(second.description, "second");
  EXPECT_EQ(second.files[0].filename(), "CT_2_copy.dcm");
}

TEST(DicomGeometry, VisibleHumanAxialStack) {
  const Geometry g = dicom_series_geometry(scan_dicom(aria()).series.at(0));
  EXPECT_EQ(g.size, (Size3{512, 512, 4}));
  expect_near(g.spacing, {1, 1, 1}, 1e-9);
  EXPECT_LT(g.direction.max_abs_difference(Mat3::identity()), 1e-12);
  // IPP of CT_2 (0,0,1000), IOP 1\0\0\0\1\0, 1 mm pixels: voxel (i,j,k) is at (i, j, 1000+k).
  expect_near(g.index_to_world({0, 0, 0}), {0, 0, 1000});
  expect_near(g.index_to_world({511, 3, 2}), {511, 3, 1002});
  expect_near(g.index_to_world({7, 300, 3}), {7, 300, 1003});
}

TEST(DicomGeometry, PhantomStackWithFineInPlaneSpacing) {
  const Geometry g = dicom_series_geometry(scan_dicom(phantom()).series.at(0));
  EXPECT_EQ(g.size, (Size3{512, 512, 2}));
  expect_near(g.spacing, {0.488281, 0.488281, 5.0}, 1e-9);
  // ct_1: IPP (-125,-125,60); ct_2: IPP (-125,-125,65).
  expect_near(g.index_to_world({0, 0, 0}), {-125, -125, 60});
  expect_near(g.index_to_world({10, 20, 1}), {-125 + 10 * 0.488281, -125 + 20 * 0.488281, 65});
}

TEST(DicomGeometry, ObliqueStackWithAnisotropicPixels) {
  TempDir dir;
  const std::array<double, 6> o = oblique_orientation();
  const std::vector<SliceSpec> specs = write_stack(dir.path(), 3, 2.5, o);
  const DicomSeries series = scan_dicom(dir.path()).series.at(0);
  EXPECT_EQ(series.files[0].filename(), "s3.dcm");  // spatially first, written last
  const Geometry g = dicom_series_geometry(series);
  EXPECT_EQ(g.size, (Size3{3, 4, 3}));
  // PixelSpacing 0.5\0.8: 0.5 mm between rows (along the column cosine, y), 0.8 mm along x.
  expect_near(g.spacing, {0.8, 0.5, 2.5}, 1e-5);
  EXPECT_NEAR(g.direction.determinant(), 1.0, 1e-5);
  const Vec3d r{o[0], o[1], o[2]}, c{o[3], o[4], o[5]};
  for (int k = 0; k < 3; ++k) {
    for (const auto& [i, j] : {std::pair{0, 0}, std::pair{2, 3}, std::pair{1, 2}}) {
      // Each slice's own IPP, stepped along the row and column cosines.
      const Vec3d expected =
          specs[static_cast<std::size_t>(k)].position + r * (0.8 * i) + c * (0.5 * j);
      expect_near(g.index_to_world({double(i), double(j), double(k)}), expected);
    }
  }
}

TEST(DicomGeometry, MissingSliceReportsTheGap) {
  TempDir dir;
  copy_aria_ct(dir.path(), {"CT_1.dcm", "CT_2.dcm", "CT_3.dcm"});  // CT_4 (z = 1001) missing
  const Error e = error_of([&] { dicom_series_geometry(scan_dicom(dir.path()).series.at(0)); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  const std::string m = e.what();
  EXPECT_NE(m.find("not evenly spaced"), std::string::npos) << m;
  EXPECT_NE(m.find("2.000 mm between 'CT_2.dcm' and 'CT_1.dcm'"), std::string::npos) << m;
  EXPECT_NE(m.find("1000.000 and 1002.000"), std::string::npos) << m;
  EXPECT_NE(m.find("1 slice(s) missing"), std::string::npos) << m;
}

TEST(DicomGeometry, RefusesStacksThatAreNotAGrid) {
  auto geometry_error = [](const std::vector<SliceSpec>& specs) {
    TempDir dir;
    for (std::size_t k = 0; k < specs.size(); ++k) {
      test::write_slice(dir / fmt::format("x{}.dcm", k), specs[k]);
    }
    return std::string(
        error_of([&] { dicom_series_geometry(scan_dicom(dir.path()).series.at(0)); }).what());
  };
  SliceSpec a, b;
  b.position = {0, 0, 2};
  {  // gantry tilt: each slice shifted 0.5 mm in y per 2 mm in z
    SliceSpec tilted = b;
    tilted.position = {0, 0.5, 2};
    EXPECT_NE(geometry_error({a, tilted}).find("gantry tilt of about 14.04 degrees"),
              std::string::npos);
  }
  {
    SliceSpec rotated = b;
    rotated.orientation = oblique_orientation();
    EXPECT_NE(geometry_error({a, rotated}).find("ImageOrientationPatient differs"),
              std::string::npos);
  }
  {
    SliceSpec finer = b;
    finer.pixel_spacing = "0.5\\0.7";
    EXPECT_NE(geometry_error({a, finer}).find("PixelSpacing 0.5\\0.7 differs"), std::string::npos);
  }
  {
    SliceSpec bigger = b;
    bigger.rows = 5;
    EXPECT_NE(geometry_error({a, bigger}).find("different matrix size"), std::string::npos);
  }
  {
    SliceSpec same = b;
    same.position = a.position;
    EXPECT_NE(geometry_error({a, same}).find("at the same position"), std::string::npos);
  }
  {
    SliceSpec uneven = b, third = b;
    third.position = {0, 0, 5};  // steps of 2 and 3 mm
    const std::string m = geometry_error({a, uneven, third});
    EXPECT_NE(m.find("not evenly spaced"), std::string::npos) << m;
    EXPECT_EQ(m.find("missing)"), std::string::npos) << m;
  }
  {
    SliceSpec unplaced = b;
    unplaced.with_position = false;
    EXPECT_NE(geometry_error({a, unplaced}).find("no valid ImagePositionPatient"),
              std::string::npos);
  }
  {
    SliceSpec sheared = a;
    sheared.orientation = {1, 0, 0, 0.5, 1, 0};
    EXPECT_NE(geometry_error({sheared}).find("not two perpendicular unit vectors"),
              std::string::npos);
  }
  {
    SliceSpec multi = a;
    multi.frames = 2;
    EXPECT_NE(geometry_error({multi}).find("multi-frame"), std::string::npos);
  }
}

TEST(DicomGeometry, SingleSliceSpacingFallbacks) {
  auto single = [](const SliceSpec& s) {
    TempDir dir;
    test::write_slice(dir / "one.dcm", s);
    return dicom_series_geometry(scan_dicom(dir / "one.dcm").series.at(0));
  };
  SliceSpec s;
  s.slice_thickness = "3";
  s.spacing_between_slices = "2.5";
  EXPECT_NEAR(single(s).spacing.z, 2.5, 1e-12);
  s.spacing_between_slices.clear();
  EXPECT_NEAR(single(s).spacing.z, 3.0, 1e-12);
  s.slice_thickness.clear();
  EXPECT_NEAR(single(s).spacing.z, 1.0, 1e-12);
}

}  // namespace
}  // namespace modir::io
