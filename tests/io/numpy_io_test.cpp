#include "modir/io/numpy_io.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

static_assert(std::endian::native == std::endian::little, "the byte strings below assume it");

// ---------------------------------------------------------------------------------------------
// Building .npy files by hand, following the format description in numpy's
// numpy/lib/format.py: magic, version, header length, a padded Python dict, then the data.

// `dict` is the header's Python dict literal; the padding and lengths are added here.
std::string npy_with_header(std::string dict, const std::string& data, int major = 1) {
  const std::size_t prefix = 8 + (major == 1 ? 2 : 4);
  while ((prefix + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const std::uint32_t length = static_cast<std::uint32_t>(dict.size());
  for (std::size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>((length >> (8 * i)) & 0xff);
  return out + dict + data;
}

std::string npy_file(const std::string& descr, bool fortran, const std::string& shape,
                     const std::string& data, int major = 1) {
  return npy_with_header("{'descr': '" + descr + "', 'fortran_order': " +
                             (fortran ? "True" : "False") + ", 'shape': " + shape + ", }",
                         data, major);
}

template <typename S>
void put(std::string& out, S value, bool big_endian) {
  char raw[sizeof(S)];
  std::memcpy(raw, &value, sizeof(S));
  if (big_endian) std::reverse(raw, raw + sizeof(S));
  out.append(raw, sizeof(S));
}

fs::path write_file(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const fs::path path = dir / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

double voxel(const AnyImage& image, std::int64_t x, std::int64_t y, std::int64_t z) {
  return std::visit([&](const auto& img) { return static_cast<double>(img(x, y, z)); }, image);
}

using test::error_of;

void expect_message(const Error& e, ErrorKind kind, std::initializer_list<const char*> parts) {
  EXPECT_EQ(e.kind(), kind) << e.what();
  for (const char* p : parts)
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
}

// The value at array index [x][y][z] in the typed test files: distinct for every voxel of a
// 4x3x2 array and small enough for uint8.
int base_value(int x, int y, int z) {
  return 50 * x + 10 * y + z;
}

constexpr int kNx = 4, kNy = 3, kNz = 2;

// One dtype under test: its descr without the byte-order character, how each value is stored,
// the expected modir type, and the expected voxel value.
struct DtypeCase {
  const char* name;
  const char* descr;  // e.g. "i2"
  std::size_t size;
  PixelType read_as;
  const char* stored_as;  // ImageInfo::file_component_type
  std::function<void(std::string&, int, bool)> append;
  std::function<double(int)> expected;
};

std::vector<DtypeCase> dtype_cases() {
  return {
      {"bool", "b1", 1, PixelType::kUInt8, "bool",
       [](std::string& o, int v, bool) { o += static_cast<char>(v % 2); },
       [](int v) { return v % 2; }},
      {"uint8", "u1", 1, PixelType::kUInt8, "uint8",
       [](std::string& o, int v, bool b) { put<std::uint8_t>(o, static_cast<std::uint8_t>(v), b); },
       [](int v) { return v; }},
      {"int8", "i1", 1, PixelType::kInt16, "int8",
       [](std::string& o, int v, bool b) {
         put<std::int8_t>(o, static_cast<std::int8_t>(v - 100), b);
       },
       [](int v) { return v - 100; }},
      {"int16", "i2", 2, PixelType::kInt16, "int16",
       [](std::string& o, int v, bool b) {
         put<std::int16_t>(o, static_cast<std::int16_t>(100 * v - 9000), b);
       },
       [](int v) { return 100 * v - 9000; }},
      {"uint16", "u2", 2, PixelType::kUInt16, "uint16",
       [](std::string& o, int v, bool b) {
         put<std::uint16_t>(o, static_cast<std::uint16_t>(300 * v + 7), b);
       },
       [](int v) { return 300 * v + 7; }},
      {"int32", "i4", 4, PixelType::kInt32, "int32",
       [](std::string& o, int v, bool b) { put<std::int32_t>(o, -100000 * v + 12345, b); },
       [](int v) { return -100000.0 * v + 12345; }},
      {"uint32", "u4", 4, PixelType::kFloat64, "uint32",
       [](std::string& o, int v, bool b) {
         put<std::uint32_t>(o, 3000000000u + static_cast<unsigned>(v), b);
       },
       [](int v) { return 3000000000.0 + v; }},
      {"int64", "i8", 8, PixelType::kFloat64, "int64",
       [](std::string& o, int v, bool b) { put<std::int64_t>(o, -(std::int64_t{1} << 40) + v, b); },
       [](int v) { return -1099511627776.0 + v; }},
      {"uint64", "u8", 8, PixelType::kFloat64, "uint64",
       // Multiples of 2048 above 2^63 are exact doubles.
       [](std::string& o, int v, bool b) {
         put<std::uint64_t>(o, (std::uint64_t{1} << 63) + 2048u * static_cast<unsigned>(v), b);
       },
       [](int v) { return 9223372036854775808.0 + 2048.0 * v; }},
      {"float32", "f4", 4, PixelType::kFloat32, "float32",
       [](std::string& o, int v, bool b) { put<float>(o, static_cast<float>(v) + 0.25f, b); },
       [](int v) { return v + 0.25; }},
      {"float64", "f8", 8, PixelType::kFloat64, "float64",
       [](std::string& o, int v, bool b) { put<double>(o, v / 3.0, b); },
       [](int v) { return v / 3.0; }},
  };
}

// The 4x3x2 test array in C order (last index fastest) or Fortran order (first index fastest).
std::string array_bytes(const DtypeCase& c, bool fortran, bool big_endian) {
  std::string data;
  if (fortran) {
    for (int z = 0; z < kNz; ++z)
      for (int y = 0; y < kNy; ++y)
        for (int x = 0; x < kNx; ++x) c.append(data, base_value(x, y, z), big_endian);
  } else {
    for (int x = 0; x < kNx; ++x)
      for (int y = 0; y < kNy; ++y)
        for (int z = 0; z < kNz; ++z) c.append(data, base_value(x, y, z), big_endian);
  }
  return data;
}

// ---------------------------------------------------------------------------------------------
// .npy

TEST(NumpyIoNpy, EveryDtypeOrderAndByteOrder) {
  TempDir dir;
  for (const DtypeCase& c : dtype_cases()) {
    for (const bool fortran : {false, true}) {
      for (const bool big : {false, true}) {
        if (c.size == 1 && big) continue;  // one-byte types have no byte order ('|')
        const std::string descr = std::string(c.size == 1 ? "|" : (big ? ">" : "<")) + c.descr;
        SCOPED_TRACE(descr + (fortran ? " fortran" : " C"));
        const fs::path path = write_file(
            dir, "a.npy", npy_file(descr, fortran, "(4, 3, 2)", array_bytes(c, fortran, big)));

        const ImageInfo info = read_image_info(path);
        EXPECT_EQ(info.format, ImageFormat::kNumpy);
        EXPECT_EQ(info.file_dimension, 3);
        EXPECT_EQ(info.pixel_type, c.read_as);
        EXPECT_EQ(info.file_component_type, c.stored_as);
        EXPECT_EQ(info.geometry.size, (Size3{kNx, kNy, kNz}));

        const AnyImage image = read_image(path);
        ASSERT_EQ(pixel_type_of(image), c.read_as);
        ASSERT_EQ(geometry_of(image).size, (Size3{kNx, kNy, kNz}));
        for (int z = 0; z < kNz; ++z)
          for (int y = 0; y < kNy; ++y)
            for (int x = 0; x < kNx; ++x) {
              ASSERT_NEAR(voxel(image, x, y, z), c.expected(base_value(x, y, z)), 1e-6)
                  << "at (" << x << "," << y << "," << z << ")";
            }
      }
    }
  }
}

TEST(NumpyIoNpy, GeometryIsTheDocumentedDefault) {
  TempDir dir;
  const DtypeCase c = dtype_cases()[1];
  const fs::path path =
      write_file(dir, "a.npy", npy_file("|u1", false, "(4, 3, 2)", array_bytes(c, false, false)));
  const ImageInfo info = read_image_info(path);
  EXPECT_EQ(info.geometry.spacing, (Vec3d{1, 1, 1}));
  EXPECT_EQ(info.geometry.origin, (Vec3d{0, 0, 0}));
  EXPECT_EQ(info.geometry.direction, Mat3::identity());
  ASSERT_FALSE(info.notes.empty());
  EXPECT_NE(info.notes[0].find("no geometry"), std::string::npos) << info.notes[0];
}

TEST(NumpyIoNpy, HeaderVersionsTwoAndThreeAndPython2Shapes) {
  TempDir dir;
  const DtypeCase c = dtype_cases()[3];  // int16
  const std::string data = array_bytes(c, false, false);
  for (const auto& [major, shape] :
       {std::pair{2, "(4, 3, 2)"}, std::pair{3, "(4, 3, 2)"}, std::pair{1, "(4L, 3L, 2L)"}}) {
    SCOPED_TRACE(major);
    const fs::path path = write_file(dir, "v.npy", npy_file("<i2", false, shape, data, major));
    const AnyImage image = read_image(path);
    EXPECT_EQ(voxel(image, 3, 2, 1), 100 * base_value(3, 2, 1) - 9000);
    EXPECT_EQ(voxel(image, 1, 0, 1), 100 * base_value(1, 0, 1) - 9000);
  }
}

TEST(NumpyIoNpy, TwoDimensionalArrayIsOneSlice) {
  TempDir dir;
  // 3x2 float32 in C order: [x][y] = 10x + y.
  std::string data;
  for (int x = 0; x < 3; ++x)
    for (int y = 0; y < 2; ++y) put<float>(data, static_cast<float>(10 * x + y), false);
  const fs::path path = write_file(dir, "s.npy", npy_file("<f4", false, "(3, 2)", data));
  const ImageInfo info = read_image_info(path);
  EXPECT_EQ(info.file_dimension, 2);
  EXPECT_EQ(info.geometry.size, (Size3{3, 2, 1}));
  EXPECT_THROW(read_image(path), Error);  // a 3D command refuses it
  ReadOptions options;
  options.allow_2d = true;
  const AnyImage image = read_image(path, options);
  EXPECT_EQ(voxel(image, 2, 1, 0), 21);
  EXPECT_EQ(voxel(image, 1, 0, 0), 10);
  EXPECT_EQ(voxel(image, 0, 1, 0), 1);
}

TEST(NumpyIoNpy, TrailingUnitAxesAreDropped) {
  TempDir dir;
  const DtypeCase c = dtype_cases()[1];
  const fs::path path = write_file(
      dir, "c.npy", npy_file("|u1", false, "(4, 3, 2, 1)", array_bytes(c, false, false)));
  const AnyImage image = read_image(path);
  EXPECT_EQ(geometry_of(image).size, (Size3{kNx, kNy, kNz}));
  EXPECT_EQ(voxel(image, 3, 1, 1), base_value(3, 1, 1));
}

TEST(NumpyIoNpy, NonFiniteVoxelsFollowTheReadPolicy) {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 8; ++i) put<double>(data, i == 5 ? std::nan("") : i, false);
  const fs::path path = write_file(dir, "n.npy", npy_file("<f8", false, "(2, 2, 2)", data));
  EXPECT_THROW(read_image(path), Error);
  ReadOptions options;
  options.non_finite = NonFinitePolicy::kReplace;
  options.replacement = -1;
  // Element 5 in C order is [1][0][1].
  EXPECT_EQ(voxel(read_image(path, options), 1, 0, 1), -1);
}

TEST(NumpyIoNpy, ListsItsOneArray) {
  TempDir dir;
  const fs::path path =
      write_file(dir, "scan.npy", npy_file("<f4", true, "(2, 3, 4)", std::string(96, '\0')));
  const std::vector<NumpyArrayInfo> arrays = list_numpy_arrays(path);
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays[0].name, "scan");
  EXPECT_EQ(arrays[0].dtype, "<f4");
  EXPECT_EQ(arrays[0].shape, (std::vector<std::int64_t>{2, 3, 4}));
  EXPECT_TRUE(arrays[0].fortran_order);
}

struct BadNpy {
  const char* name;
  std::string bytes;
  const char* says;
};

// Test names in gtest's output instead of the struct's raw bytes.
void PrintTo(const BadNpy& c, std::ostream* os) {
  *os << c.name;
}

std::string good_int16() {
  return npy_file("<i2", false, "(4, 3, 2)", array_bytes(dtype_cases()[3], false, false));
}

class NumpyIoBadNpy : public ::testing::TestWithParam<BadNpy> {};

TEST_P(NumpyIoBadNpy, IsADataErrorNamingTheFile) {
  TempDir dir;
  const fs::path path = write_file(dir, "bad.npy", GetParam().bytes);
  const Error e = error_of([&] { read_image(path); });
  expect_message(e, ErrorKind::kData, {"bad.npy", GetParam().says});
  EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NumpyIoBadNpy,
    ::testing::Values(
        BadNpy{"TruncatedData", good_int16().substr(0, good_int16().size() - 3), "truncated"},
        BadNpy{"TruncatedHeader", good_int16().substr(0, 40), "truncated"},
        BadNpy{"TruncatedMagic", good_int16().substr(0, 7), "truncated"},
        BadNpy{"EmptyFile", "", "magic"},
        BadNpy{"BadMagic", "\x93NUMPZ" + good_int16().substr(6), "magic"},
        BadNpy{"NotNumpyAtAll", "P5\n4 3\n255\n" + std::string(12, 'x'), "magic"},
        BadNpy{"Version4",
               [] {
                 std::string s = good_int16();
                 s[6] = 4;
                 return s;
               }(),
               "version 4.0"},
        BadNpy{"FourDimensions", npy_file("<i2", false, "(2, 3, 4, 5)", std::string(240, '\0')),
               "4 dimensions"},
        BadNpy{"OneDimension", npy_file("<i2", false, "(5,)", std::string(10, '\0')),
               "1 dimensions"},
        BadNpy{"EmptyAxis", npy_file("<i2", false, "(4, 0, 2)", ""), "empty"},
        BadNpy{"Complex", npy_file("<c16", false, "(1, 1, 1)", std::string(16, '\0')),
               "'<c16' is not supported"},
        BadNpy{"Float16", npy_file("<f2", false, "(1, 1, 1)", std::string(2, '\0')),
               "not supported"},
        BadNpy{"Structured",
               npy_with_header("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, "
                               "'shape': (1, 1, 1), }",
                               std::string(8, '\0')),
               "not supported"},
        BadNpy{"NoShape",
               [] {
                 std::string s = good_int16();
                 const std::size_t at = s.find("'shape'");
                 return s.replace(at, 7, "'shapf'");
               }(),
               "no 'shape'"},
        BadNpy{"HeaderNotADict",
               [] {
                 std::string s = good_int16();
                 s[10] = '[';
                 return s;
               }(),
               "not a Python dict"}),
    [](const auto& test_case) { return std::string(test_case.param.name); });

TEST(NumpyIoNpy, MissingFileIsADataError) {
  TempDir dir;
  expect_message(error_of([&] { list_numpy_arrays(dir / "absent.npy"); }), ErrorKind::kData,
                 {"absent.npy"});
  expect_message(error_of([&] { read_image(dir / "absent.npz"); }), ErrorKind::kData,
                 {"absent.npz"});
}

// ---------------------------------------------------------------------------------------------
// .npz archives, written here with libzip

struct Member {
  std::string name;
  std::string bytes;
  bool deflate;
};

void write_npz(const fs::path& path, const std::vector<Member>& members) {
  int code = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  ASSERT_NE(zip, nullptr);
  for (const Member& m : members) {
    zip_source_t* source = zip_source_buffer(zip, m.bytes.data(), m.bytes.size(), 0);
    ASSERT_NE(source, nullptr);
    const zip_int64_t index = zip_file_add(zip, m.name.c_str(), source, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0);
    ASSERT_EQ(zip_set_file_compression(zip, static_cast<zip_uint64_t>(index),
                                       m.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0),
              0);
  }
  ASSERT_EQ(zip_close(zip), 0);
  // Check that the archive really holds the storage methods the test means to cover.
  zip_t* check = zip_open(path.c_str(), ZIP_RDONLY, &code);
  ASSERT_NE(check, nullptr);
  for (const Member& m : members) {
    zip_stat_t st;
    ASSERT_EQ(zip_stat(check, m.name.c_str(), 0, &st), 0);
    EXPECT_EQ(st.comp_method, m.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE) << m.name;
  }
  zip_discard(check);
}

class NumpyIoNpz : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<DtypeCase> cases = dtype_cases();
    int16_ = cases[3];
    float32_ = cases[9];
    write_npz(
        dir_ / "two.npz",
        {{"a.npy", npy_file("<i2", false, "(4, 3, 2)", array_bytes(int16_, false, false)), false},
         {"b.npy", npy_file(">f4", true, "(4, 3, 2)", array_bytes(float32_, true, true)), true},
         {"notes.txt", "not an array", false}});
  }
  TempDir dir_;
  DtypeCase int16_, float32_;
};

TEST_F(NumpyIoNpz, ListsArraysWithoutOtherMembers) {
  const std::vector<NumpyArrayInfo> arrays = list_numpy_arrays(dir_ / "two.npz");
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].name, "a");
  EXPECT_EQ(arrays[0].dtype, "<i2");
  EXPECT_FALSE(arrays[0].fortran_order);
  EXPECT_EQ(arrays[1].name, "b");
  EXPECT_EQ(arrays[1].dtype, ">f4");
  EXPECT_TRUE(arrays[1].fortran_order);
  EXPECT_EQ(arrays[1].shape, (std::vector<std::int64_t>{4, 3, 2}));
}

TEST_F(NumpyIoNpz, SeveralArraysNeedAChoice) {
  const Error e = error_of([&] { read_image_info(dir_ / "two.npz"); });
  expect_message(e, ErrorKind::kUsage,
                 {"two.npz", "a (<i2, shape (4, 3, 2))", "b (>f4", "--array NAME"});
  ReadOptions options;
  options.npz_array = "c";
  expect_message(error_of([&] { read_image(dir_ / "two.npz", options); }), ErrorKind::kUsage,
                 {"no array 'c'", "a (<i2"});
}

TEST_F(NumpyIoNpz, ReadsTheChosenStoredOrDeflatedArray) {
  ReadOptions options;
  options.npz_array = "a";
  const AnyImage a = read_image(dir_ / "two.npz", options);
  options.npz_array = "b";
  const ImageInfo info_b = read_image_info(dir_ / "two.npz", options);
  EXPECT_EQ(info_b.pixel_type, PixelType::kFloat32);
  const AnyImage b = read_image(dir_ / "two.npz", options);
  ASSERT_EQ(pixel_type_of(a), PixelType::kInt16);
  ASSERT_EQ(pixel_type_of(b), PixelType::kFloat32);
  for (int z = 0; z < kNz; ++z)
    for (int y = 0; y < kNy; ++y)
      for (int x = 0; x < kNx; ++x) {
        EXPECT_EQ(voxel(a, x, y, z), int16_.expected(base_value(x, y, z)));
        EXPECT_EQ(voxel(b, x, y, z), float32_.expected(base_value(x, y, z)));
      }
}

TEST_F(NumpyIoNpz, ASingleArrayNeedsNoChoice) {
  write_npz(
      dir_ / "one.npz",
      {{"vol.npy", npy_file("<i2", false, "(4, 3, 2)", array_bytes(int16_, false, false)), true}});
  const ImageInfo info = read_image_info(dir_ / "one.npz");
  EXPECT_EQ(info.geometry.size, (Size3{kNx, kNy, kNz}));
  EXPECT_EQ(voxel(read_image(dir_ / "one.npz"), 2, 1, 0), int16_.expected(base_value(2, 1, 0)));
}

TEST_F(NumpyIoNpz, DamagedArchivesAreDataErrors) {
  write_file(dir_, "junk.npz", "PK\x03\x04 this is not really a zip archive");
  expect_message(error_of([&] { read_image(dir_ / "junk.npz"); }), ErrorKind::kData,
                 {"junk.npz", "zip"});

  std::ifstream in(dir_ / "two.npz", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_file(dir_, "cut.npz", bytes.substr(0, bytes.size() / 2));
  expect_message(error_of([&] { list_numpy_arrays(dir_ / "cut.npz"); }), ErrorKind::kData,
                 {"cut.npz"});

  write_npz(dir_ / "empty.npz", {{"readme.txt", "nothing", false}});
  expect_message(error_of([&] { read_image(dir_ / "empty.npz"); }), ErrorKind::kData,
                 {"no numpy arrays"});

  std::string cut = npy_file("<i2", false, "(4, 3, 2)", array_bytes(int16_, false, false));
  write_npz(dir_ / "short.npz", {{"vol.npy", cut.substr(0, cut.size() - 10), true}});
  expect_message(error_of([&] { read_image(dir_ / "short.npz"); }), ErrorKind::kData,
                 {"short.npz", "array 'vol'", "truncated"});
}

// ---------------------------------------------------------------------------------------------
// The voxelmorph scan (shared data)

fs::path voxelmorph_scan() {
  return test::shared_data() / "segmentation" / "voxelmorph" / "test_scan.npz";
}

// The raw .npy bytes of one archive member, extracted with libzip.
std::string member_bytes(const fs::path& path, const char* name) {
  int code = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (zip == nullptr) return {};
  zip_stat_t st;
  std::string bytes;
  if (zip_stat(zip, name, 0, &st) == 0) {
    bytes.resize(st.size);
    zip_file_t* file = zip_fopen(zip, name, 0);
    if (file != nullptr) {
      const zip_int64_t got = zip_fread(file, bytes.data(), bytes.size());
      if (got != static_cast<zip_int64_t>(bytes.size())) bytes.clear();
      zip_fclose(file);
    }
  }
  zip_discard(zip);
  return bytes;
}

TEST(NumpyIoRealScan, ListsVolAndSeg) {
  const std::vector<NumpyArrayInfo> arrays = list_numpy_arrays(voxelmorph_scan());
  ASSERT_EQ(arrays.size(), 2u);
  for (const NumpyArrayInfo& a : arrays) {
    EXPECT_TRUE(a.name == "vol" || a.name == "seg") << a.name;
    EXPECT_EQ(a.dtype, "<f8");
    EXPECT_EQ(a.shape, (std::vector<std::int64_t>{160, 192, 224}));
    EXPECT_FALSE(a.fortran_order);
  }
  expect_message(error_of([] { read_image_info(voxelmorph_scan()); }), ErrorKind::kUsage,
                 {"vol (<f8, shape (160, 192, 224))", "seg (<f8", "--array"});
}

TEST(NumpyIoRealScan, VoxelsMatchAnIndependentDecode) {
  ReadOptions options;
  options.npz_array = "vol";
  const AnyImage vol = read_image(voxelmorph_scan(), options);
  ASSERT_EQ(pixel_type_of(vol), PixelType::kFloat64);
  ASSERT_EQ(geometry_of(vol).size, (Size3{160, 192, 224}));
  options.npz_array = "seg";
  const AnyImage seg = read_image(voxelmorph_scan(), options);

  // Values decoded with Python's zipfile and struct modules at byte offset
  // 128 + 8 * ((x * 192 + y) * 224 + z) of each member.
  EXPECT_EQ(voxel(vol, 80, 96, 112), 0.27058823529411763);
  EXPECT_EQ(voxel(vol, 100, 50, 150), 0.22352941176470587);
  EXPECT_EQ(voxel(vol, 70, 120, 100), 0.37254901960784315);
  EXPECT_EQ(voxel(vol, 90, 80, 60), 0.29411764705882354);
  EXPECT_EQ(voxel(vol, 159, 191, 223), 0.0);
  EXPECT_EQ(voxel(seg, 80, 96, 112), 10.0);
  EXPECT_EQ(voxel(seg, 100, 50, 150), 3.0);
  EXPECT_EQ(voxel(seg, 70, 120, 100), 16.0);

  // And at random voxels, decoding the member bytes here.
  const std::string raw = member_bytes(voxelmorph_scan(), "vol.npy");
  ASSERT_GT(raw.size(), 10u);
  const std::size_t data_offset =
      10 + static_cast<unsigned char>(raw[8]) + 256 * static_cast<unsigned char>(raw[9]);
  ASSERT_EQ(raw.size(), data_offset + 8u * 160 * 192 * 224);
  std::mt19937 rng(7);
  int nonzero = 0;
  for (int i = 0; i < 500; ++i) {
    const int x = static_cast<int>(rng() % 160), y = static_cast<int>(rng() % 192),
              z = static_cast<int>(rng() % 224);
    double expected = 0;
    std::memcpy(&expected, raw.data() + data_offset + 8 * ((std::size_t(x) * 192 + y) * 224 + z),
                8);
    ASSERT_EQ(voxel(vol, x, y, z), expected) << "(" << x << "," << y << "," << z << ")";
    nonzero += expected != 0;
  }
  EXPECT_GT(nonzero, 50);  // the sample reaches into the head, not only the background
}

}  // namespace
}  // namespace modir::io
