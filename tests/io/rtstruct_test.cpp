// RTSTRUCT reading and rasterisation on the real structure sets in shared/data/dicom_rt (see its
// PROVENANCE.md). Expected values come from the files themselves, read here with plain DCMTK
// calls (not through read_rtstruct), from a third-party rasterisation (Mask.nii.gz), or from the
// UIDs and values listed by dumping the files.

#include <dcmtk/dcmdata/dctk.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include "modir/core/error.h"
#include "modir/io/dicom_series.h"
#include "modir/io/image_io.h"
#include "modir/io/rtstruct.h"
#include "modir/io/rtstruct_labels.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

fs::path rt_data(const std::string& name) {
  return test::shared_data() / "dicom_rt" / name;
}
fs::path visible_human() {
  return rt_data("visible_human_male_aria");
}
fs::path body_spinal_cord() {
  return visible_human() / "RS_Body_SpinalCord.dcm";
}

constexpr const char* kVhSeries = "1.2.246.352.221.5272685235804956408.10526521834793870012";
constexpr const char* kVhFrame = "1.2.246.352.221.5131467825200358064.1422130400580208278";

// ---- Independent readings with plain DCMTK ------------------------------------------------

struct Reference {
  DicomSeries series;
  Geometry grid;
};

// The CT series of `files` and its grid, from ImagePositionPatient, ImageOrientationPatient,
// PixelSpacing and the sorted slice positions (SliceThickness for a single slice).
Reference reference_from_headers(const std::vector<fs::path>& files) {
  struct Slice {
    fs::path file;
    std::string sop;
    Vec3d position;
  };
  std::vector<Slice> slices;
  Reference ref;
  Vec3d row, column;
  double row_spacing = 0, column_spacing = 0, thickness = 0;
  Uint16 rows = 0, columns = 0;
  for (const fs::path& file : files) {
    DcmFileFormat dicom;
    EXPECT_TRUE(dicom.loadFile(file.c_str()).good()) << file;
    DcmDataset* d = dicom.getDataset();
    OFString sop, series, frame;
    d->findAndGetOFString(DCM_SOPInstanceUID, sop);
    d->findAndGetOFString(DCM_SeriesInstanceUID, series);
    d->findAndGetOFString(DCM_FrameOfReferenceUID, frame);
    ref.series.series_uid = series.c_str();
    ref.series.frame_of_reference_uid = frame.c_str();
    Slice s{file, sop.c_str(), {}};
    for (unsigned long a = 0; a < 3; ++a) {
      d->findAndGetFloat64(DCM_ImagePositionPatient, s.position[a], a);
      d->findAndGetFloat64(DCM_ImageOrientationPatient, row[a], a);
      d->findAndGetFloat64(DCM_ImageOrientationPatient, column[a], a + 3);
    }
    d->findAndGetFloat64(DCM_PixelSpacing, row_spacing, 0);  // between rows: along the column
    d->findAndGetFloat64(DCM_PixelSpacing, column_spacing, 1);
    d->findAndGetFloat64(DCM_SliceThickness, thickness);
    d->findAndGetUint16(DCM_Rows, rows);
    d->findAndGetUint16(DCM_Columns, columns);
    slices.push_back(s);
  }
  const Vec3d normal = row.cross(column);
  std::sort(slices.begin(), slices.end(), [&](const Slice& a, const Slice& b) {
    return a.position.dot(normal) < b.position.dot(normal);
  });
  for (const Slice& s : slices) {
    ref.series.files.push_back(s.file);
    ref.series.sop_instance_uids.push_back(s.sop);
  }
  ref.grid.size = {columns, rows, static_cast<std::int64_t>(slices.size())};
  const double gap =
      slices.size() > 1 ? (slices[1].position - slices[0].position).dot(normal) : thickness;
  ref.grid.spacing = {column_spacing, row_spacing, gap};
  ref.grid.origin = slices.front().position;
  ref.grid.direction = Mat3::from_columns(row, column, normal);
  return ref;
}

// The reference series as the command line finds it (scan_dicom, select_series,
// dicom_series_geometry), checked against the headers of the CT files named here.
Reference reference_of(const fs::path& folder, const std::vector<std::string>& ct_files) {
  Reference ref;
  const DicomScan scan = scan_dicom(folder);
  ref.series = select_series(scan, "", folder);
  ref.grid = dicom_series_geometry(ref.series);
  std::vector<fs::path> files;
  for (const std::string& name : ct_files) files.push_back(folder / name);
  const Reference headers = reference_from_headers(files);
  EXPECT_TRUE(ref.grid.same_grid(headers.grid)) << folder;
  EXPECT_EQ(ref.series.sop_instance_uids, headers.series.sop_instance_uids);
  EXPECT_EQ(ref.series.series_uid, headers.series.series_uid);
  EXPECT_EQ(ref.series.frame_of_reference_uid, headers.series.frame_of_reference_uid);
  return ref;
}

Reference visible_human_reference() {
  return reference_of(visible_human(), {"CT_1.dcm", "CT_2.dcm", "CT_3.dcm", "CT_4.dcm"});
}

Reference phantom_reference() {
  return reference_of(rt_data("rtutils_phantom"), {"ct_1.dcm", "ct_2.dcm"});
}

struct RawContour {
  int roi = 0;
  std::vector<Vec3d> points;
};

// Every contour of the file, by ROI number, through findAndGet calls on the raw dataset.
std::vector<RawContour> raw_contours(const fs::path& file) {
  DcmFileFormat dicom;
  EXPECT_TRUE(dicom.loadFile(file.c_str()).good());
  std::vector<RawContour> out;
  DcmSequenceOfItems* roi_contours = nullptr;
  dicom.getDataset()->findAndGetSequence(DCM_ROIContourSequence, roi_contours);
  for (unsigned long n = 0; roi_contours != nullptr && n < roi_contours->card(); ++n) {
    DcmItem* item = roi_contours->getItem(n);
    Sint32 roi = 0;
    item->findAndGetSint32(DCM_ReferencedROINumber, roi);
    DcmSequenceOfItems* contours = nullptr;
    item->findAndGetSequence(DCM_ContourSequence, contours);
    for (unsigned long c = 0; contours != nullptr && c < contours->card(); ++c) {
      RawContour raw{roi, {}};
      // The whole backslash-separated value at once: asking DCMTK per value re-parses the string
      // from its start each time, which is quadratic on long contours.
      OFString text;
      contours->getItem(c)->findAndGetOFStringArray(DCM_ContourData, text);
      std::vector<double> values;
      const char* cursor = text.c_str();
      while (true) {
        char* end = nullptr;
        const double value = std::strtod(cursor, &end);
        if (end == cursor) break;  // no number: the end, or damage the size check reports
        values.push_back(value);
        while (*end == ' ') ++end;
        if (*end != '\\') break;
        cursor = end + 1;
      }
      Sint32 count = 0;
      contours->getItem(c)->findAndGetSint32(DCM_NumberOfContourPoints, count);
      EXPECT_EQ(values.size(), 3 * static_cast<std::size_t>(count));
      for (std::size_t p = 0; p + 2 < values.size(); p += 3) {
        raw.points.push_back({values[p], values[p + 1], values[p + 2]});
      }
      out.push_back(raw);
    }
  }
  return out;
}

// Area (shoelace, in the x-y plane) and perimeter of an axial contour, in mm^2 and mm.
double axial_area(const std::vector<Vec3d>& p) {
  double twice = 0;
  for (std::size_t n = 0, m = p.size() - 1; n < p.size(); m = n++) {
    twice += p[m].x * p[n].y - p[n].x * p[m].y;
  }
  return std::abs(twice) / 2;
}
double perimeter(const std::vector<Vec3d>& p) {
  double length = 0;
  for (std::size_t n = 0, m = p.size() - 1; n < p.size(); m = n++) length += (p[n] - p[m]).norm();
  return length;
}

// Per-voxel even-odd test in the axial plane over a set of contours (the slow reference).
bool inside_axial(const std::vector<const RawContour*>& contours, double x, double y) {
  bool inside = false;
  for (const RawContour* c : contours) {
    const auto& p = c->points;
    for (std::size_t n = 0, m = p.size() - 1; n < p.size(); m = n++) {
      if ((p[m].y > y) != (p[n].y > y) &&
          x < p[m].x + (y - p[m].y) * (p[n].x - p[m].x) / (p[n].y - p[m].y)) {
        inside = !inside;
      }
    }
  }
  return inside;
}

bool has_warning(const RasterizedLabels& r, const std::string& text) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

std::string all_warnings(const RasterizedLabels& r) {
  std::string text;
  for (const std::string& w : r.warnings) text += w + "\n";
  return text;
}

// A copy of the Varian structure set, edited with DCMTK, written to `out`.
template <typename Edit>
fs::path edited_copy(const fs::path& out, Edit edit) {
  DcmFileFormat dicom;
  EXPECT_TRUE(dicom.loadFile(body_spinal_cord().c_str()).good());
  EXPECT_TRUE(dicom.loadAllDataIntoMemory().good());
  edit(*dicom.getDataset());
  EXPECT_TRUE(dicom.saveFile(out.c_str(), EXS_LittleEndianExplicit).good());
  return out;
}

template <typename F>
void expect_error(F f, ErrorKind kind, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

// ---- Reading ------------------------------------------------------------------------------

TEST(RtStruct, DetectsStructureSetsBySopClass) {
  EXPECT_TRUE(is_rtstruct(body_spinal_cord()));
  EXPECT_TRUE(is_rtstruct(rt_data("dicompyler_breast") / "rtss.dcm"));
  EXPECT_FALSE(is_rtstruct(visible_human() / "CT_1.dcm"));
  EXPECT_FALSE(is_rtstruct(visible_human() / "Mask.nii.gz"));
  EXPECT_FALSE(is_rtstruct(visible_human() / "no_such_file.dcm"));
  EXPECT_FALSE(is_rtstruct(visible_human()));
}

TEST(RtStruct, ReadsVarianStructureSet) {
  const RtStructureSet set = read_rtstruct(body_spinal_cord());
  EXPECT_EQ(set.file, body_spinal_cord());
  EXPECT_EQ(set.label, "BaseTest");
  EXPECT_EQ(set.referenced_series_uid, kVhSeries);
  EXPECT_EQ(set.frame_of_reference_uid, kVhFrame);
  ASSERT_EQ(set.referenced_sop_instance_uids.size(), 4u);
  EXPECT_EQ(set.referenced_sop_instance_uids[0],
            "1.2.246.352.221.5016377589247482231.17397796449061008539");
  ASSERT_EQ(set.structures.size(), 2u);

  const RtStructure& body = set.structures[0];
  EXPECT_EQ(body.name, "BODY");
  EXPECT_EQ(body.roi_number, 13);
  EXPECT_EQ(body.interpreted_type, "EXTERNAL");
  EXPECT_EQ(body.color, (std::array<int, 3>{0, 255, 0}));
  ASSERT_EQ(body.contours.size(), 4u);
  EXPECT_EQ(body.contours[0].geometric_type, "CLOSED_PLANAR");
  EXPECT_EQ(body.contours[0].points.size(), 558u);
  ASSERT_EQ(body.contours[0].referenced_sop_instance_uids.size(), 1u);
  EXPECT_EQ(body.contours[0].referenced_sop_instance_uids[0],
            "1.2.246.352.221.5412657151867525968.14004713486715152817");

  const RtStructure& cord = set.structures[1];
  EXPECT_EQ(cord.name, "SpinalCord");
  EXPECT_EQ(cord.roi_number, 23);
  EXPECT_EQ(cord.interpreted_type, "ORGAN");
  EXPECT_EQ(cord.color, (std::array<int, 3>{0, 64, 128}));
  ASSERT_EQ(cord.contours.size(), 4u);
  ASSERT_EQ(cord.contours[0].points.size(), 30u);
  EXPECT_NEAR(cord.contours[0].points[0].x, 248.5, 1e-9);
  EXPECT_NEAR(cord.contours[0].points[0].y, 270.11, 1e-9);
  EXPECT_NEAR(cord.contours[0].points[0].z, 1000.0, 1e-9);
  EXPECT_NEAR(cord.contours[0].points[1].x, 249.9, 1e-9);
  EXPECT_NEAR(cord.contours[3].points[0].z, 1003.0, 1e-9);

  // Every point agrees with a plain DCMTK reading of ContourData.
  const std::vector<RawContour> raw = raw_contours(body_spinal_cord());
  ASSERT_EQ(raw.size(), 8u);
  for (std::size_t c = 0; c < 8; ++c) {
    const RtContour& mine = set.structures[c / 4].contours[c % 4];
    ASSERT_EQ(mine.points.size(), raw[c].points.size());
    for (std::size_t p = 0; p < mine.points.size(); ++p) {
      EXPECT_EQ(mine.points[p], raw[c].points[p]);
    }
  }
}

TEST(RtStruct, ReadsManyRoisAndKeepsOnesWithoutContours) {
  const RtStructureSet set = read_rtstruct(rt_data("dicompyler_breast") / "rtss.dcm");
  const std::vector<std::string> names = {"BODY",      "Areola",         "Borders", "Breast",
                                          "Heart",     "Lt Lung",        "Nodes",   "Scar",
                                          "Tumor Bed", "Tumor Bed Block"};
  const std::vector<std::string> types = {"EXTERNAL",  "AVOIDANCE", "CTV",       "GTV", "ORGAN",
                                          "AVOIDANCE", "AVOIDANCE", "AVOIDANCE", "CTV", "GTV"};
  ASSERT_EQ(set.structures.size(), 10u);
  for (std::size_t n = 0; n < 10; ++n) {
    EXPECT_EQ(set.structures[n].name, names[n]);
    EXPECT_EQ(set.structures[n].roi_number, static_cast<int>(n + 1));
    EXPECT_EQ(set.structures[n].interpreted_type, types[n]);
  }
  EXPECT_EQ(set.structures[0].color, (std::array<int, 3>{154, 155, 100}));
  EXPECT_EQ(set.structures[9].color, (std::array<int, 3>{255, 196, 255}));
  EXPECT_TRUE(set.structures[1].contours.empty());  // Areola has no ContourSequence
  EXPECT_EQ(set.referenced_series_uid, "2.16.840.1.113662.2.12.0.3057.1241703565.43");
  EXPECT_EQ(set.frame_of_reference_uid, "2.16.840.1.113662.2.12.0.3057.1241703565.36");
  std::size_t contours = 0;
  for (const RtStructure& s : set.structures) contours += s.contours.size();
  EXPECT_EQ(contours, 441u);  // every CLOSED_PLANAR item of the file
}

TEST(RtStruct, MatchesContoursToRoisByNumberNotOrder) {
  test::TempDir dir;
  const fs::path file = edited_copy(dir / "swapped.dcm", [](DcmDataset& d) {
    DcmSequenceOfItems* seq = nullptr;
    ASSERT_TRUE(d.findAndGetSequence(DCM_ROIContourSequence, seq).good());
    DcmItem* first = seq->remove(0UL);  // BODY's contours move behind SpinalCord's
    ASSERT_TRUE(seq->append(first).good());
  });
  const RtStructureSet set = read_rtstruct(file);
  ASSERT_EQ(set.structures.size(), 2u);
  EXPECT_EQ(set.structures[0].name, "BODY");
  EXPECT_EQ(set.structures[0].color, (std::array<int, 3>{0, 255, 0}));
  EXPECT_EQ(set.structures[0].contours[0].points.size(), 558u);
  EXPECT_EQ(set.structures[1].name, "SpinalCord");
  EXPECT_EQ(set.structures[1].contours[0].points.size(), 30u);
}

TEST(RtStruct, PointCountMismatchIsADataError) {
  test::TempDir dir;
  const fs::path file = edited_copy(dir / "bad_count.dcm", [](DcmDataset& d) {
    DcmItem* contour = nullptr;
    ASSERT_TRUE(d.findAndGetSequenceItem(DCM_ROIContourSequence, contour, 1).good());
    ASSERT_TRUE(contour->findAndGetSequenceItem(DCM_ContourSequence, contour, 0).good());
    ASSERT_TRUE(contour->putAndInsertString(DCM_NumberOfContourPoints, "29").good());
  });
  expect_error([&] { read_rtstruct(file); }, ErrorKind::kData,
               "'SpinalCord', contour 1: ContourData holds 90 values but NumberOfContourPoints "
               "is 29");
}

TEST(RtStruct, RejectsFilesThatAreNotStructureSets) {
  test::TempDir dir;
  expect_error([&] { read_rtstruct(visible_human() / "CT_1.dcm"); }, ErrorKind::kData,
               "is not a DICOM RT Structure Set");
  expect_error([&] { read_rtstruct(dir / "missing.dcm"); }, ErrorKind::kData, "does not exist");
  expect_error([&] { read_rtstruct(dir.path()); }, ErrorKind::kData, "is not a file");
  std::ofstream(dir / "notes.dcm") << "these are not DICOM bytes\n";
  expect_error([&] { read_rtstruct(dir / "notes.dcm"); }, ErrorKind::kData,
               "notes.dcm' cannot be read as DICOM");

  // A structure set cut short in the middle of its contours.
  std::ifstream in(body_spinal_cord(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "cut.dcm", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  expect_error([&] { read_rtstruct(dir / "cut.dcm"); }, ErrorKind::kData,
               "cut.dcm' cannot be read as DICOM");
}

// ---- Rasterising onto the CT the structures were drawn on ---------------------------------

// Dice overlap of value `a` in `ours` and value `b` in `theirs`, voxels paired through world
// coordinates so that a flipped or permuted storage of `theirs` does not matter.
struct Overlap {
  std::int64_t ours = 0, theirs = 0, both = 0, unmapped = 0;
  double dice() const {
    return 2.0 * static_cast<double>(both) / static_cast<double>(ours + theirs);
  }
};
Overlap overlap_in_world(const LabelMap& ours, int a, const LabelMap& theirs, int b) {
  Overlap o;
  const Geometry& g = ours.geometry();
  const Mat3 to_theirs = theirs.geometry().index_to_world_matrix().inverse();
  for (std::int64_t k = 0; k < g.size[2]; ++k) {
    for (std::int64_t j = 0; j < g.size[1]; ++j) {
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d w = g.index_to_world(
            {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
        const Vec3d t = to_theirs * (w - theirs.geometry().origin);
        const std::int64_t ti = std::llround(t.x), tj = std::llround(t.y), tk = std::llround(t.z);
        if (std::abs(t.x - ti) > 1e-3 || std::abs(t.y - tj) > 1e-3 || std::abs(t.z - tk) > 1e-3 ||
            ti < 0 || tj < 0 || tk < 0 || ti >= theirs.size()[0] || tj >= theirs.size()[1] ||
            tk >= theirs.size()[2]) {
          ++o.unmapped;
          continue;
        }
        const bool in_ours = ours(i, j, k) == a, in_theirs = theirs(ti, tj, tk) == b;
        o.ours += in_ours;
        o.theirs += in_theirs;
        o.both += in_ours && in_theirs;
      }
    }
  }
  return o;
}

TEST(RtStructRaster, VisibleHumanAgreesWithThirdPartyMask) {
  const Reference ref = visible_human_reference();
  const RtStructureSet set = read_rtstruct(body_spinal_cord());
  const RasterizedLabels r = rasterize_rtstruct(set, ref.series, ref.grid, {});
  EXPECT_TRUE(r.warnings.empty()) << all_warnings(r);
  ASSERT_EQ(r.structures.size(), 2u);

  const LabelMap mask = read_image_as<std::uint16_t>(visible_human() / "Mask.nii.gz");
  ASSERT_EQ(mask.size(), ref.grid.size);
  // The mask stores 1 for SpinalCord and 2 for BODY (not in file order), and like ours gives the
  // cord's voxels to the cord. Voxels are paired through world coordinates, so a flipped storage
  // would not matter; every voxel of ours must find one of the mask.
  const Overlap body = overlap_in_world(r.labels, 1, mask, 2);
  const Overlap cord = overlap_in_world(r.labels, 2, mask, 1);
  EXPECT_EQ(body.unmapped, 0);
  EXPECT_GE(body.dice(), 0.95) << body.ours << " " << body.theirs << " " << body.both;
  // The third-party fill also takes the voxels its outline passes through (about half a voxel
  // all around): for the thin cord that costs Dice, not agreement. Ours must lie inside its
  // cord, and stay closer than it to the volume of the polygons.
  EXPECT_GE(cord.dice(), 0.90) << cord.ours << " " << cord.theirs << " " << cord.both;
  EXPECT_GE(static_cast<double>(cord.both), 0.99 * static_cast<double>(cord.ours));
  for (const auto& [s, theirs] : {std::pair{r.structures[1], cord.theirs},
                                  std::pair{r.structures[0], body.theirs + cord.theirs}}) {
    const double ours_ml = s.volume_ml + static_cast<double>(s.overlap_voxels_lost) / 1000.0;
    EXPECT_LT(std::abs(ours_ml - s.contour_volume_ml),
              std::abs(static_cast<double>(theirs) / 1000.0 - s.contour_volume_ml))
        << s.name;
  }
}

TEST(RtStructRaster, VisibleHumanVolumesMatchTheContourPolygons) {
  const Reference ref = visible_human_reference();
  const RasterizedLabels r =
      rasterize_rtstruct(read_rtstruct(body_spinal_cord()), ref.series, ref.grid, {});
  // Independent volumes: shoelace areas of the raw contours times the 1 mm gap between their
  // planes (one contour per plane and ROI here), and the partial-volume allowance: boundary
  // voxels can only flip along the outline, so half a voxel's width along the perimeter.
  std::map<int, double> area_mm3, perimeter_mm2;
  for (const RawContour& c : raw_contours(body_spinal_cord())) {
    area_mm3[c.roi] += axial_area(c.points) * 1.0;
    perimeter_mm2[c.roi] += perimeter(c.points) * 1.0;
  }
  for (const RasterizedStructure& s : r.structures) {
    const double contour_ml = area_mm3.at(s.roi_number) / 1000.0;
    EXPECT_NEAR(s.contour_volume_ml, contour_ml, 1e-9 * contour_ml) << s.name;
    EXPECT_NEAR(s.volume_ml, static_cast<double>(s.voxel_count) * 1.0 / 1000.0, 1e-12);
    const double allowance_ml = 0.5 * perimeter_mm2.at(s.roi_number) / 1000.0;
    // BODY loses the cord's voxels to the cord; add them back to compare with its outline.
    const double voxel_ml = s.volume_ml + static_cast<double>(s.overlap_voxels_lost) / 1000.0;
    EXPECT_NEAR(voxel_ml, contour_ml, allowance_ml) << s.name;
  }
  EXPECT_EQ(r.structures[0].overlap_voxels_lost, r.structures[1].voxel_count);
}

TEST(RtStructRaster, PhantomSquareWithHoleMatchesBruteForce) {
  const Reference ref = phantom_reference();
  const fs::path file = rt_data("rtutils_phantom") / "rt.dcm";
  const RasterizedLabels r = rasterize_rtstruct(read_rtstruct(file), ref.series, ref.grid, {});
  // rt-utils writes its own frame of reference UID but names the right series: no complaint.
  EXPECT_TRUE(r.warnings.empty()) << all_warnings(r);
  ASSERT_EQ(r.structures.size(), 1u);

  const std::vector<RawContour> raw = raw_contours(file);
  ASSERT_EQ(raw.size(), 2u);  // an outer square and a hole, both on z = 60 (slice 0)
  const std::vector<const RawContour*> plane = {&raw[0], &raw[1]};
  std::int64_t expected = 0;
  for (std::int64_t j = 0; j < ref.grid.size[1]; ++j) {
    for (std::int64_t i = 0; i < ref.grid.size[0]; ++i) {
      // Axial, unrotated CT: the world position of voxel (i, j) is origin + (i, j) * spacing.
      const double x = ref.grid.origin.x + static_cast<double>(i) * ref.grid.spacing.x;
      const double y = ref.grid.origin.y + static_cast<double>(j) * ref.grid.spacing.y;
      const bool in = inside_axial(plane, x, y);
      expected += in;
      ASSERT_EQ(r.labels(i, j, 0), in ? 1 : 0) << i << "," << j;
      ASSERT_EQ(r.labels(i, j, 1), 0);  // 5 mm away: beyond half the slice spacing
    }
  }
  EXPECT_EQ(r.structures[0].voxel_count, expected);
  // Single plane: slab = CT slice spacing (5 mm); 24 x 24 square minus the 8-point hole.
  const double area = axial_area(raw[0].points) - axial_area(raw[1].points);
  EXPECT_NEAR(area, 576.0 - (15.0 * 15.0 - 0.5), 1e-9);  // the hole lacks one corner triangle
  EXPECT_NEAR(r.structures[0].contour_volume_ml, area * 5.0 / 1000.0, 1e-9);
}

TEST(RtStructRaster, MissingReferencedSlicesAreReportedNotFatal) {
  // invalid_reference_rt.dcm references 5 CT instances (.87, .89, .90, .91, .92 at the end of the
  // UID); only .87 (ct_1, z = 60) and .89 (ct_2, z = 65) are here. Its 4 ROIs have contours on
  // z = 60, 65 and 70; the z = 70 ones lie beyond the 2-slice grid.
  const Reference ref = phantom_reference();
  const fs::path file = rt_data("rtutils_phantom") / "invalid_reference_rt.dcm";
  const RtStructureSet set = read_rtstruct(file);
  EXPECT_EQ(set.referenced_sop_instance_uids.size(), 5u);
  const RasterizedLabels r = rasterize_rtstruct(set, ref.series, ref.grid, {});
  EXPECT_TRUE(has_warning(r, "references 3 image slice(s) that are not in series"))
      << all_warnings(r);
  ASSERT_EQ(r.structures.size(), 4u);

  std::map<int, std::map<long, std::vector<const RawContour*>>> by_roi_and_z;
  const std::vector<RawContour> raw = raw_contours(file);
  for (const RawContour& c : raw) by_roi_and_z[c.roi][std::lround(c.points[0].z)].push_back(&c);
  for (const RasterizedStructure& s : r.structures) {
    EXPECT_TRUE(has_warning(r, "'" + s.name + "': 1 contour(s) lie outside the image grid"))
        << s.name << "\n"
        << all_warnings(r);
    // Per slice, the voxel area agrees with the polygon area within the partial-volume allowance.
    for (std::int64_t k = 0; k < 2; ++k) {
      const long z = 60 + 5 * k;
      double area = 0, outline = 0;
      for (const RawContour* c : by_roi_and_z[s.roi_number][z]) {
        area += axial_area(c->points);
        outline += perimeter(c->points);
      }
      std::int64_t voxels = 0;
      for (std::int64_t j = 0; j < ref.grid.size[1]; ++j)
        for (std::int64_t i = 0; i < ref.grid.size[0]; ++i) voxels += r.labels(i, j, k) == s.label;
      const double pixel = ref.grid.spacing.x * ref.grid.spacing.y;
      EXPECT_GT(area, 20.0) << s.name;
      EXPECT_NEAR(static_cast<double>(voxels) * pixel, area, 0.5 * outline * ref.grid.spacing.x)
          << s.name << " z=" << z;
    }
  }
}

TEST(RtStructRaster, SingleSliceBreastRasterisesWithWarnings) {
  const fs::path folder = rt_data("dicompyler_breast");
  const Reference ref = reference_of(folder, {"ct.0.dcm"});
  const RtStructureSet set = read_rtstruct(folder / "rtss.dcm");
  const RasterizedLabels r = rasterize_rtstruct(set, ref.series, ref.grid, {});
  ASSERT_EQ(r.structures.size(), 10u);
  // The file references the whole series; one slice of it is here.
  EXPECT_TRUE(has_warning(r, "image slice(s) that are not in series")) << all_warnings(r);
  // Only BODY has contours on z = 168.56, the one CT slice (4 of them, even-odd combined).
  std::vector<const RawContour*> body_plane;
  const std::vector<RawContour> raw = raw_contours(folder / "rtss.dcm");
  for (const RawContour& c : raw) {
    if (c.roi == 1 && std::abs(c.points[0].z - 168.56) < 1e-6) body_plane.push_back(&c);
  }
  ASSERT_EQ(body_plane.size(), 4u);
  // The per-voxel reference is slow on 512 x 512: compare every voxel of every 8th row, and the
  // total against the polygon area within half a pixel along the outline.
  double area = 0, outline = 0;
  for (const RawContour* c : body_plane) {
    // Even-odd: a contour inside an odd number of the others is a hole.
    int depth = 0;
    for (const RawContour* d : body_plane) {
      depth += d != c && inside_axial({d}, c->points[0].x, c->points[0].y);
    }
    area += (depth % 2 == 0 ? 1 : -1) * axial_area(c->points);
    outline += perimeter(c->points);
  }
  for (std::int64_t j = 0; j < ref.grid.size[1]; j += 8) {
    for (std::int64_t i = 0; i < ref.grid.size[0]; ++i) {
      const Vec3d w = ref.grid.index_to_world({static_cast<double>(i), static_cast<double>(j), 0});
      ASSERT_EQ(r.labels(i, j, 0), inside_axial(body_plane, w.x, w.y) ? 1 : 0) << i << "," << j;
    }
  }
  const double pixel = ref.grid.spacing.x * ref.grid.spacing.y;
  EXPECT_GT(area, 10000.0);
  EXPECT_NEAR(static_cast<double>(r.structures[0].voxel_count) * pixel, area,
              0.5 * outline * ref.grid.spacing.x);
  for (std::size_t n = 1; n < 10; ++n) {
    EXPECT_EQ(r.structures[n].voxel_count, 0) << r.structures[n].name;
    EXPECT_TRUE(has_warning(
        r, "label " + std::to_string(n + 1) + " ('" + r.structures[n].name + "') is empty"))
        << all_warnings(r);
  }
  EXPECT_TRUE(has_warning(r, "('Areola') is empty: the structure has no contours"));
}

TEST(RtStructRaster, RefusesAnotherSeriesInAnotherFrameOfReference) {
  const Reference ref = phantom_reference();
  const RtStructureSet set = read_rtstruct(body_spinal_cord());  // drawn on the Visible Human CT
  expect_error([&] { rasterize_rtstruct(set, ref.series, ref.grid, {}); }, ErrorKind::kData,
               std::string("was drawn on series ") + kVhSeries +
                   ", but the reference folder "
                   "holds series 2.16.840.1.114362.1.11940992.23790159890.563423471.893.88");

  // Same frame of reference, other series (a re-export): a warning, and the contours still land.
  Reference vh = visible_human_reference();
  vh.series.series_uid = "1.2.3.4";
  const RasterizedLabels r = rasterize_rtstruct(set, vh.series, vh.grid, {"SpinalCord"});
  EXPECT_TRUE(has_warning(r, "holds series 1.2.3.4; both share frame of reference"))
      << all_warnings(r);
  EXPECT_GT(r.structures[0].voxel_count, 100);

  // A structure set naming only its frame of reference is judged by that alone; one naming
  // neither can only be taken on trust, with a warning.
  RtStructureSet frame_only = set;
  frame_only.referenced_series_uid.clear();
  expect_error([&] { rasterize_rtstruct(frame_only, ref.series, ref.grid, {}); }, ErrorKind::kData,
               std::string("was drawn in frame of reference ") + kVhFrame);
  EXPECT_TRUE(rasterize_rtstruct(frame_only, vh.series, vh.grid, {}).warnings.empty());
  RtStructureSet anonymous = frame_only;
  anonymous.frame_of_reference_uid.clear();
  EXPECT_TRUE(has_warning(rasterize_rtstruct(anonymous, ref.series, ref.grid, {}),
                          "names neither the series nor the frame of reference"));
}

TEST(RtStructRaster, SidecarDescribesEveryLabel) {
  const Reference ref = visible_human_reference();
  const RtStructureSet set = read_rtstruct(body_spinal_cord());
  const RasterizedLabels r = rasterize_rtstruct(set, ref.series, ref.grid, {"SpinalCord", "BODY"});
  const nlohmann::json j = rasterized_labels_sidecar(r, set);
  EXPECT_EQ(j.at("rtstruct").get<std::string>(), body_spinal_cord().string());
  EXPECT_EQ(j.at("referenced_series_uid").get<std::string>(), kVhSeries);
  EXPECT_EQ(j.at("frame_of_reference_uid").get<std::string>(), kVhFrame);
  EXPECT_TRUE(j.at("warnings").is_array());
  ASSERT_EQ(j.at("labels").size(), 2u);
  const nlohmann::json& cord = j.at("labels")[0];
  EXPECT_EQ(cord.at("value").get<int>(), 1);
  EXPECT_EQ(cord.at("name").get<std::string>(), "SpinalCord");
  EXPECT_EQ(cord.at("roi_number").get<int>(), 23);
  EXPECT_EQ(cord.at("color"), nlohmann::json::array({0, 64, 128}));
  EXPECT_EQ(cord.at("interpreted_type").get<std::string>(), "ORGAN");
  const nlohmann::json& body = j.at("labels")[1];
  EXPECT_EQ(body.at("value").get<int>(), 2);
  EXPECT_EQ(body.at("interpreted_type").get<std::string>(), "EXTERNAL");
  // Voxel counts as found in the label map itself.
  std::int64_t counts[3] = {0, 0, 0};
  for (std::uint16_t v : r.labels.buffer()) ++counts[v];
  EXPECT_EQ(cord.at("voxels").get<std::int64_t>(), counts[1]);
  EXPECT_EQ(body.at("voxels").get<std::int64_t>(), counts[2]);
  EXPECT_NEAR(body.at("volume_ml").get<double>(), static_cast<double>(counts[2]) / 1000.0, 1e-12);
  EXPECT_EQ(body.at("overlap_voxels_lost").get<std::int64_t>(), counts[1]);
  EXPECT_GT(body.at("contour_volume_ml").get<double>(), body.at("volume_ml").get<double>());
}

// Found by fuzzing (fuzz/corpus/dicom/crash_oom_declared_length.dcm): a 211-byte file whose meta
// header declares a value of gigabytes. DCMTK reads long values lazily and allocated the declared
// size at the first access; every DICOM reader now refuses a declared length beyond the file.
TEST(RtStructRead, AValueLongerThanTheFileIsRefusedBeforeItIsAllocated) {
  const std::filesystem::path file =
      std::filesystem::path(MODIR_FUZZ_CORPUS) / "dicom" / "crash_oom_declared_length.dcm";
  EXPECT_FALSE(is_rtstruct(file));
  EXPECT_EQ(test::error_of([&] { read_rtstruct(file); }).kind(), ErrorKind::kData);
  const Error e = test::error_of([&] { read_image_info(file); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("declares more bytes than the whole file"),
            std::string::npos)
      << e.what();
  // The check reads the length field itself: DCMTK's getLength() loads a text value to measure
  // it, which allocated the declared size again (the second file).
  const std::filesystem::path measured = std::filesystem::path(MODIR_FUZZ_CORPUS) / "dicom" /
                                         "crash_oom_length_measured_by_loading.dcm";
  EXPECT_EQ(test::error_of([&] { read_image_info(measured); }).kind(), ErrorKind::kData);
}

}  // namespace
}  // namespace modir::io
