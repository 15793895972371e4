// Reading DICOM series through read_image_info / read_image: voxel values (rescaled), voxel type,
// notes, and the errors for objects that are not images. Expected values come from a third-party
// NIfTI conversion of the same scan, from DCMTK's own pixel access, or from values the test wrote.

#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcrleerg.h>

#include <algorithm>
#include <cmath>

#include "io/dicom_test_files.h"
#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;
using test::SliceSpec;
using test::TempDir;

using test::aria;
using test::breast;
using test::phantom;

using test::error_of;

bool has_note(const ImageInfo& info, const std::string& text) {
  return std::any_of(info.notes.begin(), info.notes.end(),
                     [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

ReadOptions allow_2d() {
  ReadOptions o;
  o.allow_2d = true;
  return o;
}

// Stored pixel values of a native 16-bit signed slice, through DCMTK's element access (OW words,
// reinterpreted as two's complement), not through the decoder under test.
std::vector<std::int16_t> stored_int16(const fs::path& file) {
  DcmFileFormat format;
  test::check(format.loadFile(file.c_str()), "load");
  const Uint16* words = nullptr;
  unsigned long count = 0;
  test::check(format.getDataset()->findAndGetUint16Array(DCM_PixelData, words, &count), "pixels");
  std::vector<std::int16_t> values(count);
  for (unsigned long i = 0; i < count; ++i) values[i] = static_cast<std::int16_t>(words[i]);
  return values;
}

TEST(DicomRead, VisibleHumanMatchesThirdPartyNiftiInWorldSpace) {
  const ImageInfo info = read_image_info(aria());
  EXPECT_EQ(info.format, ImageFormat::kDicom);
  EXPECT_EQ(info.file_dimension, 3);
  EXPECT_EQ(info.file_component_type, "int16");
  // Integer rescale of at most 16 stored bits: int16 HU, as planning systems keep CT.
  EXPECT_EQ(info.pixel_type, PixelType::kInt16);
  EXPECT_TRUE(has_note(info, "modality: CT"));
  EXPECT_TRUE(
      has_note(info, "series UID: 1.2.246.352.221.5272685235804956408.10526521834793870012"));
  EXPECT_TRUE(has_note(info, "series description: UCSD_Residency_Template_Patient"));

  const AnyImage any = read_image(aria());
  ASSERT_EQ(pixel_type_of(any), PixelType::kInt16);
  const Image<float> dicom = convert_pixels<float>(any);
  EXPECT_TRUE(dicom.geometry().same_grid(info.geometry));
  const Image<float> nifti = read_image_as<float>(aria() / "Image.nii.gz");

  int compared = 0;
  float lowest = 1e9f, highest = -1e9f;
  for (std::int64_t k = 0; k < 4; ++k) {
    for (std::int64_t j = 0; j < 512; j += 3) {
      for (std::int64_t i = 0; i < 512; i += 5) {
        const Vec3d world = dicom.geometry().index_to_world({double(i), double(j), double(k)});
        const Vec3d index = nifti.geometry().world_to_index(world);
        const Vec3d rounded{std::round(index.x), std::round(index.y), std::round(index.z)};
        ASSERT_LT((index - rounded).norm(), 1e-3) << "voxel centres disagree at " << i << "," << j;
        ASSERT_TRUE(nifti.geometry().contains_index(rounded));
        const float expected =
            nifti(std::int64_t(rounded.x), std::int64_t(rounded.y), std::int64_t(rounded.z));
        ASSERT_NEAR(dicom(i, j, k), expected, 1e-3) << i << "," << j << "," << k;
        lowest = std::min(lowest, dicom(i, j, k));
        highest = std::max(highest, dicom(i, j, k));
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 50000);
  EXPECT_EQ(lowest, -1024.0f);  // air, stored 0
  EXPECT_GT(highest, 500.0f);   // bone
}

TEST(DicomRead, PhantomIsStoredValuePlusIntercept) {
  const AnyImage any = read_image(phantom());
  ASSERT_EQ(pixel_type_of(any), PixelType::kInt16);
  const Image<float> img = convert_pixels<float>(any);
  ASSERT_EQ(img.size(), (Size3{512, 512, 2}));
  const std::vector<std::int16_t> z60 = stored_int16(phantom() / "ct_1.dcm");
  const std::vector<std::int16_t> z65 = stored_int16(phantom() / "ct_2.dcm");
  ASSERT_EQ(z60.size(), 512u * 512u);
  ASSERT_EQ(z65.size(), 512u * 512u);
  std::size_t mismatches = 0;
  for (std::int64_t j = 0; j < 512; ++j) {
    for (std::int64_t i = 0; i < 512; ++i) {
      const std::size_t p = static_cast<std::size_t>(j * 512 + i);  // row j, column i
      mismatches += img(i, j, 0) != float(z60[p] - 1024);
      mismatches += img(i, j, 1) != float(z65[p] - 1024);
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_NE(z60, z65);  // the slices differ, so the order is really tested
}

TEST(DicomRead, SingleSliceSeriesNeedsAllow2d) {
  const Error e = error_of([] { read_image(breast()); });
  EXPECT_NE(std::string(e.what()).find("2D image"), std::string::npos) << e.what();

  const ImageInfo info = read_image_info(breast(), allow_2d());
  EXPECT_EQ(info.file_dimension, 2);
  EXPECT_EQ(info.pixel_type, PixelType::kInt16);  // slope 1, intercept 0
  EXPECT_TRUE(has_note(info, "SliceThickness"));
  const AnyImage any = read_image(breast(), allow_2d());
  const Image<std::int16_t>& img = std::get<Image<std::int16_t>>(any);
  const Geometry& g = img.geometry();
  EXPECT_EQ(g.size, (Size3{512, 512, 1}));
  EXPECT_NEAR(g.spacing.x, 1.074219, 1e-9);
  EXPECT_NEAR(g.spacing.z, 3.0, 1e-9);
  const Vec3d w = g.index_to_world({100, 200, 0});  // IPP -275\-524\168.5593
  EXPECT_NEAR(w.x, -275 + 100 * 1.074219, 1e-6);
  EXPECT_NEAR(w.y, -524 + 200 * 1.074219, 1e-6);
  EXPECT_NEAR(w.z, 168.5593, 1e-4);
  const std::vector<std::int16_t> stored = stored_int16(breast() / "ct.0.dcm");
  EXPECT_EQ(img(100, 200, 0), stored[200 * 512 + 100]);
  EXPECT_EQ(img(400, 30, 0), stored[30 * 512 + 400]);
}

TEST(DicomRead, SingleFileReadsOnlyThatSlice) {
  const Image<float> volume = read_image_as<float>(aria());
  const ImageInfo info = read_image_info(aria() / "CT_4.dcm", allow_2d());
  EXPECT_TRUE(has_note(info, "single file"));
  const Image<float> slice = read_image_as<float>(aria() / "CT_4.dcm", allow_2d());
  ASSERT_EQ(slice.size(), (Size3{512, 512, 1}));
  EXPECT_NEAR(slice.geometry().origin.z, 1001.0, 1e-9);
  for (std::int64_t j = 0; j < 512; j += 7) {
    for (std::int64_t i = 0; i < 512; i += 3) ASSERT_EQ(slice(i, j, 0), volume(i, j, 1));
  }
}

TEST(DicomRead, NonImageObjectsAreRefusedWithWhatTheyAre) {
  const fs::path rs = aria() / "RS_Body_SpinalCord.dcm";
  Error e = error_of([&] { read_image_info(rs); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  std::string m = e.what();
  EXPECT_NE(m.find("is an RT Structure Set, not an image"), std::string::npos) << m;
  EXPECT_NE(m.find("modir convert " + rs.string() + " OUT --reference CTDIR"), std::string::npos);
  EXPECT_NE(std::string(error_of([&] { read_image(rs); }).what()).find("RT Structure Set"),
            std::string::npos);

  TempDir dir;
  SliceSpec plan;
  plan.rows = 0;
  plan.modality = "RTPLAN";
  plan.sop_class_uid = UID_RTPlanStorage;
  test::write_slice(dir / "plan.dcm", plan);
  m = error_of([&] { read_image_info(dir / "plan.dcm"); }).what();
  EXPECT_NE(m.find("is an RT Plan, not an image"), std::string::npos) << m;

  fs::copy_file(rs, dir / "RS.dcm");
  e = error_of([&] { read_image_info(dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  m = e.what();
  EXPECT_NE(m.find("holds no image series"), std::string::npos) << m;
  EXPECT_NE(m.find("'RS.dcm' is an RT Structure Set"), std::string::npos) << m;
}

// Three slices whose stored value encodes the voxel: v = i + 10 j + 100 k (k by position).
void write_coded_stack(const fs::path& folder, SliceSpec s) {
  for (int k = 0; k < 3; ++k) {
    s.position = {4.0, -3.0, 10.0 + 2.0 * k};
    s.values.clear();
    for (int j = 0; j < s.rows; ++j) {
      for (int i = 0; i < s.columns; ++i) s.values.push_back(i + 10 * j + 100 * k);
    }
    test::write_slice(folder / fmt::format("{}.dcm", "cba"[k]), s);  // names against position
  }
}

template <typename T>
void expect_coded_values(const Image<T>& img, double slope, double intercept) {
  ASSERT_EQ(img.size(), (Size3{3, 4, 3}));
  for (int k = 0; k < 3; ++k) {
    for (int j = 0; j < 4; ++j) {
      for (int i = 0; i < 3; ++i) {
        ASSERT_NEAR(double(img(i, j, k)), (i + 10 * j + 100 * k) * slope + intercept, 1e-4)
            << i << "," << j << "," << k;
      }
    }
  }
}

TEST(DicomRead, RescaleAndVoxelType) {
  struct Case {
    const char* name;
    int bits_allocated, bits_stored, pixel_representation;
    const char *slope, *intercept;
    PixelType type;
    const char* stored;
  };
  const Case cases[] = {
      {"int16, integer rescale", 16, 16, 1, "2", "-7", PixelType::kInt16, "int16"},
      {"12 of 16 bits, CT intercept", 16, 12, 0, "1", "-1024", PixelType::kInt16, "uint16"},
      {"fractional slope", 16, 12, 0, "0.5", "0", PixelType::kFloat32, "uint16"},
      {"uint16 full range", 16, 16, 0, "1", "-1024", PixelType::kInt16, "uint16"},
      {"int16, plain", 16, 16, 1, "1", "0", PixelType::kInt16, "int16"},
      {"uint8", 8, 8, 0, "3", "1", PixelType::kInt16, "uint8"},
      {"int32", 32, 32, 1, "1", "0", PixelType::kFloat32, "int32"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    SliceSpec s;
    s.bits_allocated = c.bits_allocated;
    s.bits_stored = c.bits_stored;
    s.pixel_representation = c.pixel_representation;
    s.slope = c.slope;
    s.intercept = c.intercept;
    write_coded_stack(dir.path(), s);
    const ImageInfo info = read_image_info(dir.path());
    EXPECT_EQ(info.pixel_type, c.type);
    EXPECT_EQ(info.file_component_type, c.stored);
    const AnyImage any = read_image(dir.path());
    ASSERT_EQ(pixel_type_of(any), c.type);
    const double slope = std::stod(c.slope), intercept = std::stod(c.intercept);
    std::visit([&](const auto& img) { expect_coded_values(img, slope, intercept); }, any);
  }
}

TEST(DicomRead, ValuesBeyondInt16SaturateInsteadOfWrapping) {
  TempDir dir;
  SliceSpec s;
  s.rows = 1;
  s.columns = 2;
  s.values = {-32768, 32767};  // full signed 16-bit range, then intercept -1024
  s.intercept = "-1024";
  s.position = {0, 0, 0};
  test::write_slice(dir / "a.dcm", s);
  s.position = {0, 0, 1};
  test::write_slice(dir / "b.dcm", s);
  const Image<std::int16_t> img = read_image_as<std::int16_t>(dir.path());
  EXPECT_EQ(img(0, 0, 0), -32768);  // -33792 saturated, not wrapped to +31744
  EXPECT_EQ(img(1, 0, 0), 32767 - 1024);
}

TEST(DicomRead, BitsStoredSignAndPerSliceRescale) {
  TempDir dir;
  SliceSpec s;
  s.rows = 1;
  s.columns = 2;
  s.values = {-2000, 1149};
  s.bits_stored = 12;  // signed 12-bit samples in 16-bit words: sign bit is bit 11
  s.intercept = "-1024";
  s.position = {0, 0, 0};
  test::write_slice(dir / "a.dcm", s);
  s.position = {0, 0, 1};
  s.slope = "0.25";
  s.intercept = "10";
  test::write_slice(dir / "b.dcm", s);
  s.position = {0, 0, 2};
  s.pixel_representation = 0;
  s.values = {0xF00A, 4095};  // bits above BitsStored (old overlay planes) must be ignored
  s.slope = "1";
  s.intercept = "0";
  test::write_slice(dir / "c.dcm", s);
  const ImageInfo info = read_image_info(dir.path());
  EXPECT_EQ(info.file_component_type, "int16/uint16");
  EXPECT_TRUE(has_note(info, "differ between slices"));
  const Image<float> img = std::get<Image<float>>(read_image(dir.path()));
  EXPECT_FLOAT_EQ(img(0, 0, 0), -3024.0f);
  EXPECT_FLOAT_EQ(img(1, 0, 0), 125.0f);
  EXPECT_FLOAT_EQ(img(0, 0, 1), -490.0f);  // -2000 * 0.25 + 10
  EXPECT_FLOAT_EQ(img(1, 0, 1), 297.25f);
  EXPECT_FLOAT_EQ(img(0, 0, 2), 10.0f);
  EXPECT_FLOAT_EQ(img(1, 0, 2), 4095.0f);
}

TEST(DicomRead, RleCompressedSliceMatchesNative) {
  TempDir dir;
  DcmRLEEncoderRegistration::registerCodecs();
  DcmFileFormat format;
  test::check(format.loadFile((phantom() / "ct_1.dcm").c_str()), "load");
  test::check(format.getDataset()->chooseRepresentation(EXS_RLELossless, nullptr), "encode");
  test::check(format.saveFile((dir / "rle.dcm").c_str(), EXS_RLELossless), "save");
  const Image<float> rle = read_image_as<float>(dir / "rle.dcm", allow_2d());
  const Image<float> native = read_image_as<float>(phantom() / "ct_1.dcm", allow_2d());
  ASSERT_EQ(rle.size(), native.size());
  EXPECT_TRUE(rle.buffer() == native.buffer());
}

TEST(DicomRead, TruncatedPixelDataIsADataError) {
  TempDir dir;
  test::write_truncated(aria() / "CT_1.dcm", dir / "CT_1.dcm", 300000);  // cut inside the pixels
  Error e = error_of([&] { read_image(dir / "CT_1.dcm", allow_2d()); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("CT_1.dcm"), std::string::npos) << e.what();
  fs::copy_file(aria() / "CT_2.dcm", dir / "CT_2.dcm");
  e = error_of([&] { read_image(dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("CT_1.dcm"), std::string::npos) << e.what();
}

TEST(DicomRead, ChosenSeriesOfSeveral) {
  TempDir dir;
  SliceSpec s;
  write_coded_stack(dir.path(), s);
  s.series_uid = "1.2.826.0.1.3680043.2.1125.8";
  s.slope = "2";
  for (int k = 0; k < 2; ++k) {
    s.position = {0, 0, 3.0 * k};
    test::write_slice(dir / fmt::format("other{}.dcm", k), s);
  }
  EXPECT_EQ(error_of([&] { read_image(dir.path()); }).kind(), ErrorKind::kUsage);
  ReadOptions options;
  options.dicom_series_uid = "1.2.826.0.1.3680043.2.1125.8";
  const ImageInfo info = read_image_info(dir.path(), options);
  EXPECT_EQ(info.geometry.size, (Size3{3, 4, 2}));
  EXPECT_NEAR(info.geometry.spacing.z, 3.0, 1e-9);
  EXPECT_TRUE(has_note(info, "1 other image series"));
  options.dicom_series_uid = SliceSpec{}.series_uid;
  expect_coded_values(std::get<Image<std::int16_t>>(read_image(dir.path(), options)), 1, 0);
}

TEST(DicomRead, RefusesPixelFormatsItCannotDecode) {
  auto message = [](const SliceSpec& s) {
    TempDir dir;
    test::write_slice(dir / "x.dcm", s);
    return std::string(error_of([&] { read_image_info(dir / "x.dcm", allow_2d()); }).what());
  };
  SliceSpec colour;
  colour.samples_per_pixel = 3;
  colour.photometric = "RGB";
  colour.bits_allocated = 8;
  colour.bits_stored = 8;
  EXPECT_NE(message(colour).find("colour image"), std::string::npos);
  SliceSpec palette;
  palette.photometric = "PALETTE COLOR";
  EXPECT_NE(message(palette).find("PhotometricInterpretation PALETTE COLOR"), std::string::npos);
  SliceSpec bits;
  bits.bits_stored = 16;
  bits.bits_allocated = 16;
  bits.slope = "0";
  EXPECT_NE(message(bits).find("RescaleSlope 0"), std::string::npos);
}

}  // namespace
}  // namespace modir::io
