#include "modir/io/parallel_gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

std::vector<unsigned char> some_bytes(std::size_t size, unsigned seed) {
  // Half noise, half runs: compressible like an image, not trivially so.
  std::mt19937 random(seed);
  std::vector<unsigned char> out(size);
  for (std::size_t i = 0; i < size; ++i)
    out[i] = (i / 4096) % 2 ? static_cast<unsigned char>(random()) : static_cast<unsigned char>(i / 8192);
  return out;
}

void write_bytes(const fs::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// zlib's own reader, as ITK and the NIfTI library read .gz files.
std::vector<unsigned char> gunzip(const fs::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  EXPECT_NE(file, nullptr);
  std::vector<unsigned char> out;
  std::vector<unsigned char> buffer(1 << 16);
  int got = 0;
  while ((got = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0)
    out.insert(out.end(), buffer.begin(), buffer.begin() + got);
  EXPECT_EQ(got, 0) << "gzread error";
  gzclose(file);
  return out;
}

std::size_t gzip_members(const fs::path& path) {
  // Count member headers by walking the file with inflate, one member at a time.
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), {});
  std::size_t members = 0, offset = 0;
  std::vector<unsigned char> sink(1 << 16);
  while (offset < data.size()) {
    z_stream s{};
    EXPECT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
    s.next_in = data.data() + offset;
    s.avail_in = static_cast<uInt>(data.size() - offset);
    int status = Z_OK;
    while (status == Z_OK) {
      s.next_out = sink.data();
      s.avail_out = static_cast<uInt>(sink.size());
      status = inflate(&s, Z_NO_FLUSH);
    }
    EXPECT_EQ(status, Z_STREAM_END);
    offset = data.size() - s.avail_in;
    inflateEnd(&s);
    ++members;
    if (status != Z_STREAM_END) break;
  }
  return members;
}

TEST(ParallelGzip, ManyMembersReadBackAsOneStream) {
  test::TempDir dir;
  // Over several rounds of blocks (4 MiB each, 2 per thread), with a partial last block.
  const auto bytes = some_bytes((std::size_t{37} << 20) + 12345, 3);
  write_bytes(dir.path() / "plain", bytes);
  gzip_file(dir.path() / "plain", dir.path() / "packed.gz", 1);
  EXPECT_EQ(gunzip(dir.path() / "packed.gz"), bytes);
  EXPECT_EQ(gzip_members(dir.path() / "packed.gz"), 10u);  // ceil(37.01 MiB / 4 MiB)
  EXPECT_LT(fs::file_size(dir.path() / "packed.gz"), bytes.size());
}

TEST(ParallelGzip, SameBytesWhateverTheThreadCount) {
  test::TempDir dir;
  const auto bytes = some_bytes((std::size_t{9} << 20) + 7, 5);
  write_bytes(dir.path() / "plain", bytes);
  const int threads = thread_count();
  set_thread_count(1);
  gzip_file(dir.path() / "plain", dir.path() / "one.gz", 6);
  set_thread_count(2);
  gzip_file(dir.path() / "plain", dir.path() / "two.gz", 6);
  set_thread_count(threads);
  std::ifstream a(dir.path() / "one.gz", std::ios::binary), b(dir.path() / "two.gz", std::ios::binary);
  EXPECT_EQ(std::vector<char>((std::istreambuf_iterator<char>(a)), {}),
            std::vector<char>((std::istreambuf_iterator<char>(b)), {}));
}

TEST(ParallelGzip, EmptyAndTinyFiles) {
  test::TempDir dir;
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{5000}}) {
    const auto bytes = some_bytes(size, 7);
    write_bytes(dir.path() / "plain", bytes);
    gzip_file(dir.path() / "plain", dir.path() / "packed.gz", 1);
    EXPECT_EQ(gunzip(dir.path() / "packed.gz"), bytes) << size << " bytes";
  }
}

TEST(ParallelGzip, BadLevelAndMissingInputAreErrors) {
  test::TempDir dir;
  write_bytes(dir.path() / "plain", some_bytes(10, 1));
  EXPECT_ANY_THROW(gzip_file(dir.path() / "plain", dir.path() / "x.gz", 10));
  EXPECT_ANY_THROW(gzip_file(dir.path() / "missing", dir.path() / "x.gz", 1));
}

TEST(ParallelGzip, LargeFieldWrittenAsNiftiGzReadsBackExactly) {
  // A displacement field bigger than one round of blocks: the multi-member file ITK reads back.
  test::TempDir dir;
  Geometry g;
  g.size = {96, 96, 80};
  g.spacing = {1.1, 0.9, 2.5};
  g.origin = {-50, 20, 7};
  DisplacementField u(g);
  std::mt19937 random(11);
  std::normal_distribution<float> normal(0.f, 3.f);
  for (Vec3f& v : u.buffer()) v = {normal(random), normal(random), normal(random)};
  write_displacement_field(u, dir.path() / "u.nii.gz");
  EXPECT_GT(gzip_members(dir.path() / "u.nii.gz"), 1u);
  const DisplacementField back = read_displacement_field(dir.path() / "u.nii.gz");
  ASSERT_EQ(back.geometry().size, g.size);
  for (std::size_t i = 0; i < u.buffer().size(); ++i) {
    ASSERT_EQ(back.buffer()[i].x, u.buffer()[i].x) << i;
    ASSERT_EQ(back.buffer()[i].y, u.buffer()[i].y) << i;
    ASSERT_EQ(back.buffer()[i].z, u.buffer()[i].z) << i;
  }
}

TEST(ParallelGzip, MembersSayTheirSizesSoTruncationShowsWithoutDecompressing) {
  test::TempDir dir;
  const auto bytes = some_bytes((std::size_t{9} << 20) + 4321, 9);
  write_bytes(dir / "plain", bytes);
  gzip_file(dir / "plain", dir / "packed.gz", 1);
  const auto whole = blocked_gzip_size(dir / "packed.gz");
  ASSERT_TRUE(whole.has_value());
  EXPECT_TRUE(whole->complete);
  EXPECT_EQ(whole->uncompressed_bytes, bytes.size());

  std::ifstream in(dir / "packed.gz", std::ios::binary);
  const std::vector<char> packed((std::istreambuf_iterator<char>(in)), {});
  // Cut inside the last member, inside a header, and exactly between two members.
  std::size_t first_member = 0;  // its size, from its own header (bytes 16-19, little-endian)
  for (int i = 0; i < 4; ++i)
    first_member |= std::size_t{static_cast<unsigned char>(packed[16 + i])} << (8 * i);
  ASSERT_LT(first_member, packed.size());
  for (const std::size_t keep : {packed.size() - 1, packed.size() - 100, first_member,
                                 first_member + 10, first_member / 2, std::size_t{15}}) {
    std::ofstream(dir / "cut.gz", std::ios::binary)
        .write(packed.data(), static_cast<std::streamsize>(keep));
    const auto cut = blocked_gzip_size(dir / "cut.gz");
    if (keep < 20) {
      EXPECT_FALSE(cut.has_value()) << keep;  // not even one header: not recognisably ours
      continue;
    }
    ASSERT_TRUE(cut.has_value()) << keep;
    EXPECT_TRUE(!cut->complete || cut->uncompressed_bytes < bytes.size()) << keep;
  }

  // A gzip file zlib wrote carries no sizes: the caller must decompress it to know.
  gzFile other = gzopen((dir / "zlib.gz").c_str(), "wb");
  ASSERT_NE(other, nullptr);
  gzwrite(other, bytes.data(), 1000);
  gzclose(other);
  EXPECT_FALSE(blocked_gzip_size(dir / "zlib.gz").has_value());
}

TEST(ParallelGzip, ATruncatedNiftiGzIsAClearDataError) {
  test::TempDir dir;
  Geometry g;
  g.size = {128, 128, 80};  // 5 MiB of floats: two members
  Image<float> image(g, 1.5f);
  write_image(image, dir / "whole.nii.gz");
  std::ifstream in(dir / "whole.nii.gz", std::ios::binary);
  const std::vector<char> packed((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir / "cut.nii.gz", std::ios::binary)
      .write(packed.data(), static_cast<std::streamsize>(packed.size() - 50));
  EXPECT_EQ(read_image_as<float>(dir / "whole.nii.gz").voxel_count(), image.voxel_count());
  try {
    read_image_as<float>(dir / "cut.nii.gz");
    FAIL() << "a truncated file was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace modir::io
