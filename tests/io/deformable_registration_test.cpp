// DICOM Deformable Spatial Registration objects: the field survives the round trip exactly (on
// right- and left-handed grids), the object passes dciodvfy, and bad objects are data errors.

#include "modir/io/deformable_registration.h"

#include <gtest/gtest.h>

#include <cmath>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "modir/core/error.h"
#include "modir/io/dicom_series_write.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

Geometry oblique_grid(bool left_handed) {
  Geometry g;
  g.size = {10, 7, 5};
  g.spacing = {0.9, 1.2, 2.5};
  g.origin = {-30.5, 12.25, 80.0};
  const double a = 0.3;
  g.direction = Mat3::from_columns({std::cos(a), std::sin(a), 0}, {-std::sin(a), std::cos(a), 0},
                                   {0, 0, left_handed ? -1.0 : 1.0});
  return g;
}

// Two series of one patient in two frames of reference, and a field with a different value in
// every voxel and component.
struct Scans {
  DicomSeries daily, planning;
  DisplacementField u;
};

Scans scans(const test::TempDir& dir, bool left_handed) {
  Scans s;
  const Geometry g = oblique_grid(left_handed);
  s.daily = write_dicom_series(Image<float>(g, 40.0f), dir / "daily");
  s.planning = write_dicom_series(Image<float>(g, 40.0f), dir / "planning");
  s.u = DisplacementField(g);
  for (std::int64_t v = 0; v < g.voxel_count(); ++v)
    s.u.data()[v] = {0.01f * float(v), -0.5f + 0.003f * float(v), 7.25f - 0.02f * float(v)};
  return s;
}

void expect_same_field_in_space(const DisplacementField& a, const DisplacementField& b) {
  ASSERT_EQ(a.voxel_count(), b.voxel_count());
  const Geometry& ga = a.geometry();
  // Compared at the same world points: a left-handed grid comes back right-handed.
  for (std::int64_t z = 0; z < ga.size[2]; ++z)
    for (std::int64_t y = 0; y < ga.size[1]; ++y)
      for (std::int64_t x = 0; x < ga.size[0]; ++x) {
        const Vec3d world = ga.index_to_world({double(x), double(y), double(z)});
        const Vec3d at = b.geometry().world_to_index(world);
        const auto i = static_cast<std::int64_t>(std::lround(at.x)),
                   j = static_cast<std::int64_t>(std::lround(at.y)),
                   k = static_cast<std::int64_t>(std::lround(at.z));
        ASSERT_NEAR(at.x, double(i), 1e-6);
        ASSERT_NEAR(at.z, double(k), 1e-6);
        const Vec3f p = a(x, y, z), q = b(i, j, k);
        ASSERT_EQ(p.x, q.x);
        ASSERT_EQ(p.y, q.y);
        ASSERT_EQ(p.z, q.z);
      }
}

TEST(DeformableRegistration, TheFieldSurvivesTheRoundTripExactly) {
  for (const bool left_handed : {false, true}) {
    test::TempDir dir;
    const Scans s = scans(dir, left_handed);
    RegistrationText text;
    text.description = "test";
    write_deformable_registration(s.u, s.daily, s.planning, text, dir / "REG.dcm");
    ASSERT_TRUE(is_deformable_registration(dir / "REG.dcm"));
    EXPECT_FALSE(is_deformable_registration(s.daily.files.front()));
    const DeformableRegistration back = read_deformable_registration(dir / "REG.dcm");
    EXPECT_EQ(back.registered_frame_of_reference_uid, s.daily.frame_of_reference_uid);
    EXPECT_EQ(back.source_frame_of_reference_uid, s.planning.frame_of_reference_uid);
    expect_same_field_in_space(s.u, back.displacement);
    // Wherever modir takes a field, the object is one.
    expect_same_field_in_space(s.u, read_displacement_field(dir / "REG.dcm"));
  }
}

TEST(DeformableRegistration, DciodvfyFindsNoErrors) {
  test::TempDir dir;
  const Scans s = scans(dir, false);
  write_deformable_registration(s.u, s.daily, s.planning, {}, dir / "REG.dcm");
  const test::DicomValidation check = test::dciodvfy(dir / "REG.dcm", "DeformableSpatialRegistration");
  ASSERT_TRUE(check.ran) << check.report;
  EXPECT_TRUE(check.errors.empty()) << check.errors;
}

TEST(DeformableRegistration, OneFrameOfReferenceOrADamagedObjectIsADataError) {
  test::TempDir dir;
  const Scans s = scans(dir, false);
  const Error same = test::error_of(
      [&] { write_deformable_registration(s.u, s.daily, s.daily, {}, dir / "same.dcm"); });
  EXPECT_EQ(same.kind(), ErrorKind::kData);
  EXPECT_FALSE(fs::exists(dir / "same.dcm"));

  // Vector data that does not fill the grid.
  write_deformable_registration(s.u, s.daily, s.planning, {}, dir / "REG.dcm");
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((dir / "REG.dcm").c_str()).good());
  DcmItem* reg = nullptr;
  DcmItem* grid = nullptr;
  ASSERT_TRUE(file.getDataset()->findAndGetSequenceItem(DCM_DeformableRegistrationSequence, reg, 0).good());
  ASSERT_TRUE(reg->findAndGetSequenceItem(DCM_DeformableRegistrationGridSequence, grid, 0).good());
  const Float32 few[6] = {0, 0, 0, 0, 0, 0};
  ASSERT_TRUE(grid->putAndInsertFloat32Array(DCM_VectorGridData, few, 6).good());
  ASSERT_TRUE(file.saveFile((dir / "short.dcm").c_str(), EXS_LittleEndianExplicit).good());
  const Error short_data = test::error_of([&] { read_deformable_registration(dir / "short.dcm"); });
  EXPECT_NE(std::string(short_data.what()).find("needs"), std::string::npos) << short_data.what();

  // A pre-deformation matrix that is not the identity.
  ASSERT_TRUE(grid->putAndInsertFloat32Array(DCM_VectorGridData, few, 6).good());
  DcmItem* pre = nullptr;
  ASSERT_TRUE(reg->findAndGetSequenceItem(DCM_PreDeformationMatrixRegistrationSequence, pre, 0).good());
  ASSERT_TRUE(pre->putAndInsertString(DCM_FrameOfReferenceTransformationMatrix,
                                      "1\\0\\0\\5\\0\\1\\0\\0\\0\\0\\1\\0\\0\\0\\0\\1")
                  .good());
  ASSERT_TRUE(file.saveFile((dir / "shifted.dcm").c_str(), EXS_LittleEndianExplicit).good());
  const Error shifted = test::error_of([&] { read_deformable_registration(dir / "shifted.dcm"); });
  EXPECT_NE(std::string(shifted.what()).find("identity"), std::string::npos) << shifted.what();
}

}  // namespace
}  // namespace modir::io
