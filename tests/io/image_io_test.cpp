#include "modir/io/image_io.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>

#include "modir/core/error.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

void expect_geometry_near(const Geometry& a, const Geometry& b, double tolerance) {
  EXPECT_EQ(a.size, b.size);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(a.spacing[i], b.spacing[i], tolerance) << "spacing " << i;
    EXPECT_NEAR(a.origin[i], b.origin[i], tolerance * 100) << "origin " << i;
  }
  EXPECT_LT(a.direction.max_abs_difference(b.direction), tolerance) << "direction";
}

// NIfTI stores geometry as float32, the text formats print it; both are exact to ~1e-6.
constexpr double kGeometryTolerance = 2e-6;

class RoundTrip : public ::testing::TestWithParam<std::string> {};

template <typename T>
void round_trip_type(const fs::path& file) {
  const Image<T> original = test::random_image<T>(test::oblique_geometry(), -100, 120, 7);
  write_image(original, file);
  ReadOptions options;
  const AnyImage read = read_image(file, options);
  ASSERT_EQ(pixel_type_of(read), pixel_type_of<T>()) << file;
  const Image<T>& back = std::get<Image<T>>(read);
  expect_geometry_near(back.geometry(), original.geometry(), kGeometryTolerance);
  EXPECT_EQ(back.buffer(), original.buffer()) << file;
}

TEST_P(RoundTrip, EveryPixelTypeWithObliqueGeometry) {
  test::TempDir dir;
  const std::string ext = GetParam();
  round_trip_type<std::int16_t>(dir / ("a_int16" + ext));
  round_trip_type<std::uint16_t>(dir / ("a_uint16" + ext));
  round_trip_type<std::int32_t>(dir / ("a_int32" + ext));
  round_trip_type<float>(dir / ("a_float" + ext));
  round_trip_type<double>(dir / ("a_double" + ext));
  // uint8 from values clamped into range by random_image's cast: use 0..250.
  const Image<std::uint8_t> bytes =
      test::random_image<std::uint8_t>(test::oblique_geometry(), 0, 250);
  write_image(bytes, dir / ("b" + ext));
  EXPECT_EQ(read_image_as<std::uint8_t>(dir / ("b" + ext)).buffer(), bytes.buffer());
}

TEST_P(RoundTrip, DisplacementFieldKeepsComponentsAndGeometry) {
  test::TempDir dir;
  const fs::path file = dir / ("field" + GetParam());
  DisplacementField field(test::oblique_geometry());
  for (std::int64_t i = 0; i < field.voxel_count(); ++i) {
    field.data()[i] = {0.5f * static_cast<float>(i), -1.25f, static_cast<float>(i % 7) - 3.0f};
  }
  write_displacement_field(field, file);
  const ImageInfo info = read_image_info(file);
  EXPECT_EQ(info.components, 3);
  const DisplacementField back = read_displacement_field(file);
  expect_geometry_near(back.geometry(), field.geometry(), kGeometryTolerance);
  for (std::int64_t i = 0; i < field.voxel_count(); ++i) {
    EXPECT_EQ(back.data()[i], field.data()[i]) << "voxel " << i;
  }
  // A vector image is not a scalar image.
  EXPECT_THROW(read_image(file), Error);
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundTrip,
                         ::testing::Values(".nii", ".nii.gz", ".mha", ".mhd", ".nrrd", ".nhdr"),
                         [](const auto& param_info) {
                           std::string name = param_info.param.substr(1);
                           for (char& c : name)
                             if (c == '.') c = '_';
                           return name;
                         });

// --- NIfTI headers written byte by byte, to check how qform and sform are interpreted ----------

struct NiftiHeader {
  std::array<char, 352> bytes{};
  template <typename T>
  void put(std::size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof(T));
  }
};

// A 2x2x2 int16 volume with voxel (i,j,k) = i + 2j + 4k; geometry set by `configure`.
template <typename Configure>
fs::path write_nifti(const fs::path& file, std::array<short, 8> dim, Configure configure) {
  NiftiHeader h;
  h.put<int>(0, 348);
  for (int i = 0; i < 8; ++i) h.put<short>(40 + 2 * i, dim[i]);
  h.put<short>(70, 4);   // datatype int16
  h.put<short>(72, 16);  // bitpix
  h.put<float>(108, 352.0f);
  h.put<float>(112, 1.0f);  // scl_slope
  h.put<char>(123, 2);      // xyzt_units: mm
  std::memcpy(h.bytes.data() + 344, "n+1\0", 4);
  configure(h);
  std::ofstream out(file, std::ios::binary);
  out.write(h.bytes.data(), h.bytes.size());
  std::int64_t count = 1;
  for (int i = 1; i <= dim[0]; ++i) count *= dim[i];
  for (std::int64_t v = 0; v < count; ++v) {
    const auto value = static_cast<std::int16_t>(v);
    out.write(reinterpret_cast<const char*>(&value), 2);
  }
  return file;
}

// The expected LPS geometry of both hand-made headers below: spacing (2,3,4), origin (5,-7,9),
// index x along +P, index y along -L (= R), index z along +S.
Geometry expected_rotated_geometry() {
  Geometry g;
  g.size = {2, 2, 2};
  g.spacing = {2, 3, 4};
  g.origin = {5, -7, 9};
  g.direction = Mat3::from_columns({0, 1, 0}, {-1, 0, 0}, {0, 0, 1});
  return g;
}

TEST(NiftiHeader, SformOnlyIsConvertedFromRasToLps) {
  test::TempDir dir;
  // RAS affine = diag(-1,-1,1) * LPS affine: columns (0,-2,0), (3,0,0), (0,0,4), offset (-5,7,9).
  const fs::path file =
      write_nifti(dir / "sform.nii", {3, 2, 2, 2, 1, 1, 1, 1}, [](NiftiHeader& h) {
        for (int i = 0; i < 4; ++i)
          h.put<float>(76 + 4 * i, i == 0 ? 1.0f : static_cast<float>(i + 1));
        h.put<short>(252, 0);  // qform_code
        h.put<short>(254, 2);  // sform_code: aligned
        const float srow[3][4] = {{0, 3, 0, -5}, {-2, 0, 0, 7}, {0, 0, 4, 9}};
        for (int r = 0; r < 3; ++r)
          for (int c = 0; c < 4; ++c) h.put<float>(280 + 16 * r + 4 * c, srow[r][c]);
      });
  const Image<std::int16_t> image = read_image_as<std::int16_t>(file);
  expect_geometry_near(image.geometry(), expected_rotated_geometry(), 1e-6);
  EXPECT_EQ(image(1, 0, 0), 1);
  EXPECT_EQ(image(0, 1, 0), 2);
  EXPECT_EQ(image(1, 1, 1), 7);
}

TEST(NiftiHeader, QformOnlyIsConvertedFromRasToLps) {
  test::TempDir dir;
  // RAS rotation [[0,1,0],[-1,0,0],[0,0,1]] is -90 degrees about z: quaternion (cos 45, 0, 0, -sin
  // 45).
  const fs::path file =
      write_nifti(dir / "qform.nii", {3, 2, 2, 2, 1, 1, 1, 1}, [](NiftiHeader& h) {
        const float pixdim[4] = {1, 2, 3, 4};  // pixdim[0] = qfac = +1
        for (int i = 0; i < 4; ++i) h.put<float>(76 + 4 * i, pixdim[i]);
        h.put<short>(252, 1);  // qform_code: scanner
        h.put<short>(254, 0);  // sform_code
        h.put<float>(256, 0.0f);
        h.put<float>(260, 0.0f);
        h.put<float>(264, static_cast<float>(-std::sqrt(0.5)));
        h.put<float>(268, -5.0f);
        h.put<float>(272, 7.0f);
        h.put<float>(276, 9.0f);
      });
  const Image<std::int16_t> image = read_image_as<std::int16_t>(file);
  expect_geometry_near(image.geometry(), expected_rotated_geometry(), 1e-6);
  EXPECT_EQ(image(1, 1, 0), 3);
}

TEST(NiftiHeader, TwoDimensionalNeedsPermission) {
  test::TempDir dir;
  const fs::path file =
      write_nifti(dir / "slice.nii", {2, 2, 2, 1, 1, 1, 1, 1}, [](NiftiHeader& h) {
        for (int i = 0; i < 4; ++i) h.put<float>(76 + 4 * i, 1.0f);
      });
  EXPECT_THROW(read_image(file), Error);
  ReadOptions options;
  options.allow_2d = true;
  const Image<std::int16_t> image = read_image_as<std::int16_t>(file, options);
  EXPECT_EQ(image.size(), (Size3{2, 2, 1}));
  EXPECT_EQ(image(1, 1, 0), 3);
}

TEST(NiftiHeader, FourDimensionalIsRefusedButSingleVolumeAccepted) {
  test::TempDir dir;
  auto unit = [](NiftiHeader& h) {
    for (int i = 0; i < 5; ++i) h.put<float>(76 + 4 * i, 1.0f);
  };
  const fs::path series = write_nifti(dir / "series.nii", {4, 2, 2, 2, 3, 1, 1, 1}, unit);
  try {
    read_image(series);
    FAIL() << "a 4D image must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("4 dimensions"), std::string::npos) << e.what();
  }
  const fs::path single = write_nifti(dir / "single.nii", {4, 2, 2, 2, 1, 1, 1, 1}, unit);
  EXPECT_EQ(read_image_as<float>(single).size(), (Size3{2, 2, 2}));
}

// --- MetaImage headers by hand, for geometry and voxel errors ------------------------------------

fs::path write_mha(const fs::path& file, const std::string& geometry_lines, const std::string& type,
                   const std::string& data) {
  std::ofstream out(file, std::ios::binary);
  out << "ObjectType = Image\nNDims = 3\nDimSize = 2 1 1\n"
      << geometry_lines << "ElementType = " << type << "\nElementDataFile = LOCAL\n";
  out << data;
  return file;
}

std::string floats(std::initializer_list<float> values) {
  std::string s;
  for (float v : values) s.append(reinterpret_cast<const char*>(&v), sizeof(float));
  return s;
}

std::string error_of(const std::function<void()>& f) {
  return test::error_of(f).what();
}

TEST(BadInput, ZeroSpacingAndShearedDirection) {
  test::TempDir dir;
  const auto zero =
      write_mha(dir / "zero.mha", "ElementSpacing = 1 0 1\n", "MET_FLOAT", floats({1, 2}));
  EXPECT_NE(error_of([&] { read_image(zero); }).find("spacing"), std::string::npos);
  const auto sheared = write_mha(dir / "sheared.mha",
                                 "TransformMatrix = 1 0 0 0.4 1 0 0 0 1\nElementSpacing = 1 1 1\n",
                                 "MET_FLOAT", floats({1, 2}));
  EXPECT_NE(error_of([&] { read_image(sheared); }).find("orthonormal"), std::string::npos);
  // Finite but absurd: world coordinates from them overflow.
  const auto vast = write_mha(dir / "vast_spacing.mha", "ElementSpacing = 1 3e38 1\n", "MET_FLOAT",
                              floats({1, 2}));
  EXPECT_NE(error_of([&] { read_image(vast); }).find("beyond a kilometre"), std::string::npos);
  const auto far = write_mha(dir / "far.mha", "Offset = 0 0 -4e9\n", "MET_FLOAT", floats({1, 2}));
  EXPECT_NE(error_of([&] { read_image(far); }).find("beyond a kilometre"), std::string::npos);
}

TEST(BadInput, NonFiniteVoxelsAreRefusedUnlessReplaced) {
  test::TempDir dir;
  const auto file = write_mha(dir / "nan.mha", "ElementSpacing = 1 1 1\n", "MET_FLOAT",
                              floats({std::nanf(""), 3.0f}));
  const std::string message = error_of([&] { read_image(file); });
  EXPECT_NE(message.find("NaN"), std::string::npos);
  EXPECT_NE(message.find("nan.mha"), std::string::npos);
  ReadOptions options;
  options.non_finite = NonFinitePolicy::kReplace;
  options.replacement = -1000;
  const Image<float> image = read_image_as<float>(file, options);
  EXPECT_EQ(image(0, 0, 0), -1000.0f);
  EXPECT_EQ(image(1, 0, 0), 3.0f);
  options.non_finite = NonFinitePolicy::kKeep;
  EXPECT_TRUE(std::isnan(read_image_as<float>(file, options)(0, 0, 0)));
}

// shared/reliability: a MetaImage whose header lost a line break, so that a field runs into the
// compressed voxels, made ITK's MetaIO overflow a 255-character buffer and abort modir.
TEST(BadInput, DamagedMetaImageHeadersAreDataErrorsNotCrashes) {
  const fs::path damaged =
      test::shared_data().parent_path() / "reliability" / "metaimage_long_header_field.mha";
  const std::string message = error_of([&] { read_image(damaged); });
  EXPECT_NE(message.find("damaged MetaImage header"), std::string::npos) << message;
  test::TempDir dir;
  std::ofstream(dir / "nodata.mha") << "ObjectType = Image\nNDims = 3\nDimSize = 2 1 1\n"
                                       "ElementType = MET_FLOAT\n";
  EXPECT_NE(error_of([&] { read_image(dir / "nodata.mha"); }).find("ElementDataFile"),
            std::string::npos);
}

TEST(BadInput, MissingUnknownTruncatedAndCorruptFiles) {
  test::TempDir dir;
  EXPECT_NE(error_of([&] { read_image(dir / "missing.nii.gz"); }).find("does not exist"),
            std::string::npos);
  std::ofstream(dir / "scan.xyz") << "hello";
  EXPECT_NE(error_of([&] { read_image(dir / "scan.xyz"); }).find("unknown image format"),
            std::string::npos);
  std::ofstream(dir / "garbage.nii") << "this is not a NIfTI header at all";
  EXPECT_NE(error_of([&] { read_image(dir / "garbage.nii"); }).find("garbage.nii"),
            std::string::npos);

  const Image<float> image = test::random_image<float>(test::oblique_geometry({40, 40, 20}), 0, 1);
  for (const std::string name : {"whole.nii.gz", "whole.mha", "whole.nrrd"}) {
    write_image(image, dir / name);
    const auto size = fs::file_size(dir / name);
    fs::copy_file(dir / name, dir / ("cut-" + name));
    fs::resize_file(dir / ("cut-" + name), size / 2);
    EXPECT_NE(error_of([&] { read_image(dir / ("cut-" + name)); }), "") << name;
  }
}

// Found by fuzzing (fuzz/corpus/image_nifti/crash_vast_header.nii): a 514-byte .nii whose header
// claimed 17 GB of voxels made modir allocate them, and more, until the system killed it. The
// header must be checked against the file before anything is allocated.
TEST(BadInput, HeadersClaimingMoreVoxelsThanTheFileHoldsAreRefusedBeforeAllocating) {
  test::TempDir dir;
  const fs::path nifti =
      write_nifti(dir / "vast.nii", {3, 2, 2, 2, 1, 1, 1, 1}, [](NiftiHeader&) {});
  {
    std::fstream patch(nifti, std::ios::binary | std::ios::in | std::ios::out);
    const short vast[3] = {3000, 3000, 1000};  // 18 GB of int16
    patch.seekp(42);
    patch.write(reinterpret_cast<const char*>(vast), sizeof(vast));
  }
  EXPECT_EQ(read_image_info(nifti).geometry.size[0], 3000);  // the header itself reads
  const std::string nifti_error = error_of([&] { read_image(nifti); });
  EXPECT_NE(nifti_error.find("truncated"), std::string::npos) << nifti_error;

  std::ofstream(dir / "vast.mha", std::ios::binary)
      << "ObjectType = Image\nNDims = 3\nDimSize = 3000 3000 1000\nElementType = MET_SHORT\n"
         "CompressedData = True\nElementDataFile = LOCAL\n"
      << std::string(100, 'x');
  const std::string meta_error = error_of([&] { read_image(dir / "vast.mha"); });
  EXPECT_NE(meta_error.find("damaged header"), std::string::npos) << meta_error;
}

// The bytes of `image` as modir writes it to `file`: a compressed .mha with CompressedDataSize,
// which the tests below alter one field at a time.
std::string written_mha(const Image<float>& image, const fs::path& file) {
  write_image(image, file);
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ITK's MetaIO reports a damaged compressed stream only on stderr ("Uncompress failed") and
// returns zeros where it could not inflate: a silently wrong image. Every damage must be an error.
TEST(BadInput, DamagedCompressedMetaImageVoxelsAreRefused) {
  test::TempDir dir;
  const Image<float> image = test::random_image<float>(test::oblique_geometry({30, 20, 10}), 0, 1);
  const std::string bytes = written_mha(image, dir / "good.mha");
  ASSERT_NE(bytes.find("CompressedData = True"), std::string::npos);
  const std::size_t data = bytes.find("ElementDataFile = LOCAL\n") + 24;
  const auto damaged = [&](const std::string& name, std::string content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return error_of([&] { read_image(dir / name); });
  };
  std::string flipped = bytes;
  for (std::size_t i = data + 200; i < data + 260; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  EXPECT_NE(damaged("flipped.mha", flipped).find("compressed voxels are damaged"),
            std::string::npos);
  std::string header = bytes;
  header[data] = header[data + 1] = 0;  // the zlib header itself
  EXPECT_NE(damaged("header.mha", header).find("compressed voxels are damaged"), std::string::npos);
  // A CompressedDataSize smaller than the stream: the voxels end early.
  const std::size_t size_at = bytes.find("CompressedDataSize = ") + 21;
  std::string smaller = bytes;
  smaller.replace(size_at, bytes.find('\n', size_at) - size_at, "300");
  EXPECT_NE(damaged("smaller.mha", smaller).find("end after"), std::string::npos);
  // The undamaged file still reads, voxel for voxel.
  const Image<float> back = read_image_as<float>(dir / "good.mha");
  EXPECT_EQ(back.buffer(), image.buffer());
}

// The check before ITK reads a compressed MetaImage must read CompressedData and
// CompressedDataSize exactly as MetaIO does, or ITK allocates what the check did not see (a fuzz
// finding: "Tr" and "244444444444 -0 x" made MetaIO ask for 244 GB).
TEST(BadInput, CompressedMetaImageFieldsAreReadAsMetaIOReadsThem) {
  test::TempDir dir;
  const Image<float> image = test::random_image<float>(test::oblique_geometry({12, 10, 8}), 0, 1);
  const std::string bytes = written_mha(image, dir / "good.mha");
  const auto with = [&](const std::string& key, const std::string& value) {
    const std::size_t at = bytes.find(key + " = ") + key.size() + 3;
    std::string changed = bytes;
    changed.replace(at, bytes.find('\n', at) - at, value);
    return changed;
  };
  const auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return dir / name;
  };
  // MetaIO takes the first character: "1" and "Tr" say compressed as "True" does.
  for (const std::string flag : {"1", "Tr", "true"}) {
    const Image<float> back = read_image_as<float>(write("flag.mha", with("CompressedData", flag)));
    EXPECT_EQ(back.buffer(), image.buffer()) << flag;
  }
  // MetaIO reads the size's leading number, as a double: words after it count for nothing, and
  // "1e9" is a billion bytes.
  const std::size_t size_at = bytes.find("CompressedDataSize = ") + 21;
  const std::string size = bytes.substr(size_at, bytes.find('\n', size_at) - size_at);
  for (const std::string value : {size + " -0 x", size + ".0", size + "e0"}) {
    const Image<float> back =
        read_image_as<float>(write("size.mha", with("CompressedDataSize", value)));
    EXPECT_EQ(back.buffer(), image.buffer()) << value;
  }
  const auto error = [&](const std::string& value) {
    return error_of([&] { read_image(write("bad_size.mha", with("CompressedDataSize", value))); });
  };
  EXPECT_NE(error("1e9").find("truncated"), std::string::npos) << error("1e9");
  EXPECT_NE(error("244444444444 -0 x").find("truncated"), std::string::npos);
  for (const std::string value : {"-5", "1e300"}) {
    EXPECT_NE(error(value).find("CompressedDataSize is '" + value + "'"), std::string::npos)
        << error(value);
  }
  // No number at all: MetaIO's own header parser fails, and the error names the file.
  EXPECT_NE(error("x12").find("bad_size.mha"), std::string::npos) << error("x12");
  // Zero or no size makes MetaIO inflate the whole file, header and all: ITK 5.2 returned
  // zeros for the voxels of such a LOCAL file. It is refused, with the line that mends it.
  const std::string zero = error("0");
  EXPECT_NE(zero.find("gives no CompressedDataSize"), std::string::npos) << zero;
  std::string unsized = bytes;
  unsized.erase(bytes.find("CompressedDataSize = "),
                bytes.find('\n', size_at) + 1 - bytes.find("CompressedDataSize = "));
  const std::string missing = error_of([&] { read_image(write("unsized.mha", unsized)); });
  EXPECT_NE(missing.find("'CompressedDataSize = " + size + "'"), std::string::npos) << missing;
  // In a separate data file the whole file is the stream, and the same voxels read.
  std::string detached = unsized.substr(0, unsized.find("ElementDataFile = LOCAL"));
  detached += "ElementDataFile = voxels.zraw\n";
  write("voxels.zraw", unsized.substr(unsized.find("ElementDataFile = LOCAL\n") + 24));
  EXPECT_EQ(read_image_as<float>(write("detached.mhd", detached)).buffer(), image.buffer());
}

// What MetaIO reads, modir's checks must let through: "Local" and "local" for voxels after the
// header, and a missing data file NAME whose NAME.gz is there (MetaIO inflates it). Both were
// refused as "data file missing" before.
TEST(Reading, MetaImageSpellingsAndGzippedDataFilesReadAsInMetaIO) {
  test::TempDir dir;
  const Image<float> image = test::random_image<float>(test::oblique_geometry({9, 7, 5}), 0, 1);
  const std::string bytes = written_mha(image, dir / "good.mha");
  for (const std::string spelling : {"Local", "local"}) {
    std::string respelt = bytes;
    respelt.replace(bytes.find("ElementDataFile = LOCAL") + 18, 5, spelling);
    std::ofstream(dir / "respelt.mha", std::ios::binary) << respelt;
    EXPECT_EQ(read_image_as<float>(dir / "respelt.mha").buffer(), image.buffer()) << spelling;
  }
  std::ofstream(dir / "packed.mhd") << "ObjectType = Image\nNDims = 3\nDimSize = 3 2 1\n"
                                       "ElementType = MET_UCHAR\nElementDataFile = packed.raw\n";
  gzFile packed = gzopen((dir / "packed.raw.gz").string().c_str(), "wb");
  ASSERT_NE(packed, nullptr);
  const unsigned char voxels[6] = {1, 2, 3, 4, 5, 6};
  gzwrite(packed, voxels, sizeof voxels);
  gzclose(packed);
  const Image<std::uint8_t> unpacked = read_image_as<std::uint8_t>(dir / "packed.mhd");
  EXPECT_EQ(unpacked(2, 1, 0), 6);
  EXPECT_EQ(unpacked(0, 0, 0), 1);
}

// More inputs fuzzing found (fuzz/corpus/<target>/crash_*), each now a one-line error that says
// what is wrong. A .nii whose vox_offset is NaN (crash_nan_vox_offset.nii) reached float-to-integer
// casts (undefined behaviour; the debug preset's UBSan sees it); the file itself is readable, as
// ITK takes the voxels from 0, so it is only read here.
TEST(BadInput, FuzzFindingsAreClearErrors) {
  const fs::path corpus = MODIR_FUZZ_CORPUS;
  try {
    read_image(corpus / "image_nifti" / "crash_nan_vox_offset.nii");
  } catch (const Error&) {
  }
  struct Finding {
    const char* target;
    const char* file;
    bool header_only;  ///< read_image_info rather than read_image
    const char* says;  ///< what the message holds; the file's name when null
  };
  const Finding findings[] = {
      // ITK's MetaIO threw std::length_error, which escaped as an internal error.
      {"image_metaimage", "crash_length_error_pattern.mha", false, nullptr},
      // A NaN in the sform: ITK's orientation code asserted and aborted the process.
      {"image_nifti", "crash_nan_orientation.nii", true, "damaged NIfTI header"},
      // An ElementDataFile slice pattern with a zero step: MetaIO divided by it (SIGFPE).
      {"image_metaimage", "crash_zero_pattern_step.mha", false, "slice pattern"},
      // Header lines with NUL and other control bytes: MetaIO read past its buffers (ASan).
      {"image_metaimage", "crash_overflow_garbled_header.mha", false, "control character"},
      // NaN rows again, in a header whose sizeof_hdr is neither 348 nor 540: ITK's reader takes
      // it by its magic, so modir's check must read it too (ITK aborted the process).
      {"image_nifti", "crash_nan_rows_odd_sizeof_hdr.nii", true, "srow_x/y/z hold NaN"},
      // The same NaN rows behind a sizeof_hdr whose bytes, swapped, read 540: the checks took
      // the 479-byte file for a NIfTI-2 header too short to read and skipped it; ITK read it by
      // its NIfTI-1 magic and aborted.
      {"image_nifti", "crash_abort_sizeof_hdr_reads_540_swapped.nii", true, "srow_x/y/z hold NaN"},
      // Finite but vast: srow elements of 3e38 (and a qoffset of 1e20) kept ITK 5.2's float SVD
      // of the sform looping for ever.
      {"image_nifti", "crash_timeout_svd_of_vast_sform.nii", true, "beyond a kilometre"},
      // An empty ElementDataFile with compressed data: MetaIO asked for 2^63 bytes.
      {"image_metaimage", "crash_vast_alloc_empty_data_file.mha", false,
       "ElementDataFile is empty"},
      // A line without '=': MetaIO reads the next line's key into it, and so another header than
      // the one modir checked (2^63 bytes again).
      {"image_metaimage", "crash_vast_alloc_key_across_lines.mha", false, "is not 'Key = value'"},
      // An ElementDataFile name holding "%.n": MetaIO used it as a printf format (SIGSEGV).
      {"image_metaimage", "crash_format_string_data_file.mha", true, "printf format"},
      // A 995-character NRRD field: teem quoted it into a fixed stack buffer (stack smashing).
      {"image_nrrd", "crash_stack_smash_long_field.nrrd", true, "damaged NRRD header: line 3"},
      // A 973-character line with ': ' before ':=': teem takes it for a field, not a key/value
      // pair, and quoted it into the same buffer.
      {"image_nrrd", "crash_stack_smash_field_before_keyvalue.nrrd", true,
       "damaged NRRD header: line 3"},
      // CompressedData "Tr" and CompressedDataSize "244444444444 -0 ...": MetaIO allocated
      // 244 GB (BadInput.CompressedMetaImageFieldsAreReadAsMetaIOReadsThem has the rules).
      {"image_metaimage", "crash_oom_compressed_size_trailing_words.mha", false, "truncated"},
      // A slice LIST with blank lines among its names: MetaIO's trimming of an empty name ran
      // before its buffer (SIGSEGV). Reading.SliceListsAreReadAsMetaIOReadsThem has the rules.
      {"image_metaimage", "crash_segv_blank_slice_list_line.mha", false,
       "line 2 of its slice LIST"},
      {"image_metaimage", "crash_segv_blank_slice_list_line_2.mha", false, "slice LIST is blank"},
      {"image_metaimage", "crash_segv_blank_first_slice_list_line.mha", false,
       "line 1 of its slice LIST is blank"},
  };
  for (const Finding& f : findings) {
    const fs::path input = corpus / f.target / f.file;
    const std::string message = error_of([&] {
      if (f.header_only)
        read_image_info(input);
      else
        read_image(input);
    });
    EXPECT_NE(message.find(f.says ? f.says : f.file), std::string::npos)
        << f.file << ": " << message;
  }
  // NDims of 10^100 (crash_timeout_vast_ndims.mha): MetaIO read per-axis fields for minutes.
  // That file has other damage too, so the check is shown on an otherwise sound header.
  test::TempDir dir;
  std::ofstream(dir / "ndims.mha") << "ObjectType = Image\nNDims = 1" << std::string(100, '0')
                                   << "\nDimSize = 2 2 2\nElementType = MET_UCHAR\n"
                                      "ElementDataFile = LOCAL\n"
                                   << std::string(8, '\0');
  const std::string ndims_message = error_of([&] { read_image_info(dir / "ndims.mha"); });
  EXPECT_NE(ndims_message.find("NDims is"), std::string::npos) << ndims_message;
}

// The header checks above refuse only what crashes the readers: a slice pattern with one integer
// conversion and an NRRD with long comments and key/value pairs still read.
TEST(Reading, HeaderChecksLeaveWellFormedHeadersToTheReader) {
  test::TempDir dir;
  std::ofstream(dir / "pattern.mhd") << "ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\n"
                                        "ElementType = MET_UCHAR\n"
                                        "ElementDataFile = slice%03d.raw 1 2 1\n";
  std::ofstream(dir / "slice001.raw", std::ios::binary) << std::string(4, '\x01');
  std::ofstream(dir / "slice002.raw", std::ios::binary) << std::string(4, '\x02');
  const Image<std::uint8_t> slices = read_image_as<std::uint8_t>(dir / "pattern.mhd");
  EXPECT_EQ(slices(1, 1, 0), 1);
  EXPECT_EQ(slices(1, 1, 1), 2);
  std::ofstream(dir / "long.nrrd", std::ios::binary)
      << "NRRD0004\n# " << std::string(900, 'c') << "\ntype: unsigned char\ndimension: 3\n"
      << "sizes: 2 2 2\nencoding: raw\nnote:=" << std::string(900, 'v') << ": x\n\n"
      << std::string(8, '\x07');
  const ImageInfo info = read_image_info(dir / "long.nrrd");
  EXPECT_EQ(info.geometry.size, (Size3{2, 2, 2}));
  EXPECT_NO_THROW(read_image(dir / "long.nrrd"));
}

// MetaIO reads a slice pattern or a LIST whose files are missing or short with a message on stderr
// and zeros in their place, and a pattern naming more files than DimSize has slices past its
// buffer: modir refuses all three before ITK reads.
TEST(Reading, SliceFilesMustAllBeThereAndHoldTheirShare) {
  test::TempDir dir;
  const std::string head =
      "ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_UCHAR\n";
  std::ofstream(dir / "pattern.mhd") << head << "ElementDataFile = slice%03d.raw 1 2 1\n";
  std::ofstream(dir / "list.mhd") << head << "ElementDataFile = LIST\nslice001.raw\nslice002.raw\n";
  std::ofstream(dir / "list2d.mhd") << head
                                    << "ElementDataFile = LIST 2D\nslice001.raw\n"
                                       "slice002.raw\n";
  // MetaIO takes any name beginning with LIST for a LIST (found by fuzzing: modir's check read
  // "LIST_UCHAR" as a pattern and indexed words it did not have).
  std::ofstream(dir / "list_prefix.mhd") << head
                                         << "ElementDataFile = LIST_UCHAR\nslice001.raw\n"
                                            "slice002.raw\n";
  std::ofstream(dir / "short_list.mhd") << head << "ElementDataFile = LIST\nslice001.raw\n";
  std::ofstream(dir / "three.mhd") << head << "ElementDataFile = slice%03d.raw 1 3 1\n";
  std::ofstream(dir / "vast.mhd") << head << "ElementDataFile = slice%03d.raw 1 2000000000 1\n";
  std::ofstream(dir / "slice001.raw", std::ios::binary) << std::string(4, '\x01');
  for (const char* name : {"pattern.mhd", "list.mhd", "list2d.mhd", "list_prefix.mhd"}) {
    const std::string missing = error_of([&] { read_image(dir / name); });
    EXPECT_NE(missing.find("slice002.raw' is missing"), std::string::npos) << name << missing;
  }
  const std::string three = error_of([&] { read_image(dir / "three.mhd"); });
  EXPECT_NE(three.find("names 3 slice files, but its DimSize needs 2"), std::string::npos) << three;
  const std::string vast = error_of([&] { read_image(dir / "vast.mhd"); });
  EXPECT_NE(vast.find("names 2000000000 slice files"), std::string::npos) << vast;
  const std::string short_list = error_of([&] { read_image(dir / "short_list.mhd"); });
  EXPECT_NE(short_list.find("names 1 slice files, but its DimSize needs 2"), std::string::npos)
      << short_list;
  std::ofstream(dir / "slice002.raw", std::ios::binary) << std::string(3, '\x02');
  const std::string cut = error_of([&] { read_image(dir / "list.mhd"); });
  EXPECT_NE(cut.find("truncated"), std::string::npos) << cut;
  std::ofstream(dir / "slice002.raw", std::ios::binary) << std::string(4, '\x02');
  for (const char* name : {"pattern.mhd", "list.mhd", "list2d.mhd", "list_prefix.mhd"}) {
    const Image<std::uint8_t> image = read_image_as<std::uint8_t>(dir / name);
    EXPECT_EQ(image(0, 0, 0), 1) << name;
    EXPECT_EQ(image(1, 1, 1), 2) << name;
  }
}

// MetaIO reads the names of a LIST line by line, blank lines included, and leaves out a last line
// without a line end; where it cannot open a name it says so on the console and returns zeros for
// that slice. Each way a list can differ from what it seems to name is refused before ITK reads.
TEST(Reading, SliceListsAreReadAsMetaIOReadsThem) {
  test::TempDir dir;
  std::ofstream(dir / "slice001.raw", std::ios::binary) << std::string(4, '\x01');
  std::ofstream(dir / "slice002.raw", std::ios::binary) << std::string(4, '\x02');
  const auto header = [&](const char* name, const std::string& dim_size, const std::string& list) {
    std::ofstream(dir / name, std::ios::binary)
        << "ObjectType = Image\nNDims = 3\nDimSize = " << dim_size
        << "\nElementType = MET_UCHAR\nElementDataFile = LIST\n"
        << list;
  };
  struct Case {
    const char* name;
    const char* dim_size;
    std::string list;
    const char* says;
  };
  const Case cases[] = {
      // An empty line crashed MetaIO (found by fuzzing).
      {"blank.mhd", "2 2 2", "\nslice001.raw\nslice002.raw\n", "line 1 of its slice LIST is blank"},
      {"spaces.mhd", "2 2 2", "slice001.raw\n \t\r\nslice002.raw\n", "line 2 of its slice LIST"},
      // MetaIO reads three sizes for NDims 3; the trailing 0 once made modir's count of the
      // files needed 0, and a missing slice was read as zeros (found by fuzzing).
      {"extra_size.mhd", "2 2 2 0 x", "slice001.raw\nnothere.raw\n", "/nothere.raw' is missing"},
      // MetaIO keeps leading blanks in a name.
      {"leading.mhd", "2 2 2", "slice001.raw\n slice002.raw\n", "/ slice002.raw' is missing"},
      {"no_line_end.mhd", "2 2 2", "slice001.raw\nslice002.raw", "has no line end"},
      {"long.mhd", "2 2 2", "slice001.raw\n" + std::string(300, 's') + "\n", "300 characters"},
  };
  for (const Case& c : cases) {
    header(c.name, c.dim_size, c.list);
    const std::string message = error_of([&] { read_image(dir / c.name); });
    EXPECT_NE(message.find(c.says), std::string::npos) << c.name << ": " << message;
  }
  // Trailing blanks and a Windows line end are dropped, as MetaIO drops them.
  header("windows.mhd", "2 2 2", "slice001.raw \r\nslice002.raw\t\r\n");
  const Image<std::uint8_t> image = read_image_as<std::uint8_t>(dir / "windows.mhd");
  EXPECT_EQ(image(1, 1, 1), 2);
}

TEST(Writing, IsAtomicAndRefusesUnknownFormats) {
  test::TempDir dir;
  const Image<float> image = test::random_image<float>(test::oblique_geometry(), 0, 1);
  EXPECT_THROW(write_image(image, dir / "out.png"), Error);
  EXPECT_THROW(write_image(image, dir / "no-such-folder" / "out.nii"), Error);
  Image<float> bad = image;
  Geometry g = bad.geometry();
  g.spacing.x = -1;
  bad.set_geometry(g);
  EXPECT_THROW(write_image(bad, dir / "bad.nii"), Error);
  write_image(image, dir / "ok.mhd");
  // Nothing but the output (and its data file) is left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename().string().find(".modir-tmp"), std::string::npos);
  }
  EXPECT_EQ(files, 2);  // ok.mhd + ok.zraw
}

// --- Real files from ../shared/data
// ---------------------------------------------------------------

TEST(SharedData, NrrdWithNegativeDirectionsMatchesItsHeader) {
  const fs::path file =
      test::shared_data() / "segmentation/pyradiomics/prostate_phantom_subvolume.nrrd";
  // Header: sizes 82 67 13; space directions (-0.5,0,0) (0,-0.5,0) (0,0,3); LPS space.
  const ImageInfo info = read_image_info(file);
  EXPECT_EQ(info.geometry.size, (Size3{82, 67, 13}));
  EXPECT_NEAR(info.geometry.spacing.x, 0.5, 1e-12);
  EXPECT_NEAR(info.geometry.spacing.z, 3.0, 1e-12);
  EXPECT_NEAR(info.geometry.origin.x, 15.683382511138916, 1e-9);
  EXPECT_NEAR(info.geometry.origin.z, -52.776130676269538, 1e-9);
  EXPECT_LT(info.geometry.direction.max_abs_difference(Mat3::diagonal({-1, -1, 1})), 1e-12);
  EXPECT_EQ(info.pixel_type, PixelType::kUInt16);
  EXPECT_EQ(info.geometry.orientation_toward(), "RAS");
}

TEST(SharedData, BigEndianNiftiAnd2DMetaImage) {
  const fs::path nifti = test::shared_data() / "registration/nibabel_anatomical/anatomical.nii";
  const Image<std::int16_t> anatomical = read_image_as<std::int16_t>(nifti);
  EXPECT_EQ(anatomical.size(), (Size3{33, 41, 25}));
  EXPECT_NEAR(anatomical.geometry().spacing.y, 2.0, 1e-6);
  std::int64_t nonzero = 0;
  for (auto v : anatomical.buffer()) nonzero += v != 0;
  EXPECT_GT(nonzero,
            anatomical.voxel_count() / 4);  // byte-swapped garbage would not look like this

  const fs::path head = test::shared_data() / "registration/ct2d_head/CT_2D_head_fixed.mha";
  EXPECT_THROW(read_image(head), Error);
  ReadOptions options;
  options.allow_2d = true;
  const Image<std::int16_t> slice = read_image_as<std::int16_t>(head, options);
  EXPECT_EQ(slice.size(), (Size3{256, 256, 1}));
  // PROVENANCE.md: values -2..217.
  const auto [lo, hi] = std::minmax_element(slice.buffer().begin(), slice.buffer().end());
  EXPECT_EQ(*lo, -2);
  EXPECT_EQ(*hi, 217);
}

}  // namespace
}  // namespace modir::io
