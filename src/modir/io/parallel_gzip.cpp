#include "modir/io/parallel_gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <memory>
#include <vector>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

// Large enough that a member's header and the restarted dictionary cost nothing measurable
// (about 0.01% of the size at 4 MiB), small enough that a round of blocks stays a few MiB.
constexpr std::size_t kBlockBytes = std::size_t{4} << 20;

// A member's header: the fixed ten bytes with FLG.FEXTRA set, XLEN, then one subfield 'M' 'd'
// of four bytes holding the whole member's size (header, deflate data and trailer).
constexpr std::size_t kHeaderBytes = 10 + 2 + 4 + 4;
constexpr std::size_t kTrailerBytes = 8;  // CRC-32 and ISIZE
constexpr unsigned char kFlagExtra = 0x04;
constexpr unsigned char kSubfield[2] = {'M', 'd'};

void put_le32(unsigned char* at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<unsigned char>(value >> (8 * i));
}

std::uint32_t get_le32(const unsigned char* at) {
  return std::uint32_t{at[0]} | std::uint32_t{at[1]} << 8 | std::uint32_t{at[2]} << 16 |
         std::uint32_t{at[3]} << 24;
}

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

// One complete gzip member holding `data`.
std::vector<unsigned char> gzip_member(const unsigned char* data, std::size_t size, int level) {
  const std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor(
      libdeflate_alloc_compressor(level));
  if (!compressor) throw data_error("libdeflate could not start a compressor");
  const std::size_t bound = libdeflate_deflate_compress_bound(compressor.get(), size);
  std::vector<unsigned char> out(kHeaderBytes + bound + kTrailerBytes);
  const std::size_t deflated = libdeflate_deflate_compress(compressor.get(), data, size,
                                                           out.data() + kHeaderBytes, bound);
  if (deflated == 0) throw data_error("libdeflate could not compress a block");
  const std::size_t member = kHeaderBytes + deflated + kTrailerBytes;
  unsigned char* h = out.data();
  h[0] = 0x1f;  // ID1, ID2, CM = deflate
  h[1] = 0x8b;
  h[2] = 8;
  h[3] = kFlagExtra;
  put_le32(h + 4, 0);                      // MTIME: none, so equal inputs give equal files
  h[8] = level >= 9 ? 2 : (level <= 1 ? 4 : 0);  // XFL: slowest / fastest compression
  h[9] = 3;                                // OS: Unix
  h[10] = 8;                               // XLEN, little-endian
  h[11] = 0;
  h[12] = kSubfield[0];
  h[13] = kSubfield[1];
  h[14] = 4;                               // subfield length, little-endian
  h[15] = 0;
  put_le32(h + 16, static_cast<std::uint32_t>(member));
  unsigned char* trailer = out.data() + kHeaderBytes + deflated;
  put_le32(trailer, libdeflate_crc32(0, data, size));
  put_le32(trailer + 4, static_cast<std::uint32_t>(size));  // ISIZE: a block is under 4 GiB
  out.resize(member);
  return out;
}

}  // namespace

void gzip_file(const fs::path& input, const fs::path& output, int level) {
  if (level < 0 || level > 9) throw usage_error("gzip level {} is not in 0..9", level);
  std::ifstream in(input, std::ios::binary);
  if (!in) throw data_error("cannot read '{}'", input.string());
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  if (!out) throw data_error("cannot write '{}'", output.string());

  const std::size_t blocks_per_round = static_cast<std::size_t>(std::max(1, thread_count())) * 2;
  std::vector<unsigned char> round(blocks_per_round * kBlockBytes);
  std::vector<std::vector<unsigned char>> members(blocks_per_round);
  bool wrote_any = false;
  while (true) {
    in.read(reinterpret_cast<char*>(round.data()), static_cast<std::streamsize>(round.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (in.bad()) throw data_error("cannot read '{}'", input.string());
    // An empty input still becomes a valid (empty) gzip file.
    if (got == 0 && wrote_any) break;
    const std::size_t blocks = got == 0 ? 1 : (got + kBlockBytes - 1) / kBlockBytes;
    parallel_for(static_cast<std::int64_t>(blocks), [&](std::int64_t b) {
      const std::size_t begin = static_cast<std::size_t>(b) * kBlockBytes;
      const std::size_t size = std::min(kBlockBytes, got - std::min(got, begin));
      members[static_cast<std::size_t>(b)] = gzip_member(round.data() + begin, size, level);
    });
    for (std::size_t b = 0; b < blocks; ++b)
      out.write(reinterpret_cast<const char*>(members[b].data()),
                static_cast<std::streamsize>(members[b].size()));
    wrote_any = true;
    if (got < round.size()) break;
  }
  out.close();
  if (!out) throw data_error("cannot write '{}' (disk full?)", output.string());
}

std::optional<BlockedGzipSize> blocked_gzip_size(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const auto file_bytes = static_cast<std::uint64_t>(in.tellg());
  BlockedGzipSize result;
  std::uint64_t offset = 0;
  while (offset < file_bytes) {
    std::array<unsigned char, kHeaderBytes> h{};
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(h.data()), static_cast<std::streamsize>(h.size()));
    if (static_cast<std::size_t>(in.gcount()) < h.size()) {
      // A header cut short: ours if it starts like one, and then incomplete.
      if (offset == 0) return std::nullopt;
      return result;
    }
    const bool marked = h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 && h[3] == kFlagExtra &&
                        h[10] == 8 && h[11] == 0 && h[12] == kSubfield[0] &&
                        h[13] == kSubfield[1] && h[14] == 4 && h[15] == 0;
    if (!marked) return std::nullopt;
    const std::uint32_t member = get_le32(h.data() + 16);
    if (member < kHeaderBytes + kTrailerBytes) return std::nullopt;
    if (offset + member > file_bytes) return result;  // the last member runs past the end
    std::array<unsigned char, 4> isize{};
    in.seekg(static_cast<std::streamoff>(offset + member - 4));
    in.read(reinterpret_cast<char*>(isize.data()), 4);
    if (in.gcount() != 4) return result;
    result.uncompressed_bytes += get_le32(isize.data());
    offset += member;
  }
  result.complete = true;
  return result;
}

}  // namespace modir::io
