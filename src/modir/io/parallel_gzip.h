#pragma once

// gzip compression spread over threads, for the large float volumes registration writes.

#include <cstdint>
#include <filesystem>
#include <optional>

namespace modir::io {

/// Compresses the file `input` into the gzip file `output` (replacing it). The data is cut into
/// blocks that are compressed in parallel (libdeflate, about four times zlib's speed at level 1),
/// each as its own gzip member; a gzip file may hold several members one after another (RFC 1952,
/// 2.2), and every reader decompresses them as one stream: zlib's gzread (used by ITK and the
/// NIfTI library), gunzip, Python's gzip. Each member's header carries its own compressed size in
/// an extra field (subfield 'M' 'd', as BGZF does with 'B' 'C'), so that blocked_gzip_size can
/// check the file without decompressing it. Memory stays at a few blocks per thread whatever the
/// file's size. `level` is 0 (store) to 9.
void gzip_file(const std::filesystem::path& input, const std::filesystem::path& output, int level);

/// The compression level modir writes .gz images with. Level 1: registration outputs are float
/// fields whose low mantissa bits are noise, and on them level 6 saved under 1% of the size for
/// 1.5x the time of level 1 (a 75 MB displacement field: 64.5 against 65.0 MB; a CT image: 6.67
/// against 6.70 MB).
inline constexpr int kImageCompressionLevel = 1;

/// What hopping over the members of a file gzip_file wrote found.
struct BlockedGzipSize {
  std::uint64_t uncompressed_bytes = 0;  // the sum of the complete members' sizes
  bool complete = false;                 // false: the last member runs past the end of the file
};

/// The uncompressed size of a gzip file whose members all carry their compressed size (every
/// file gzip_file writes), read from the member headers and trailers alone: a few bytes per
/// 4 MiB. nullopt when a member lacks that mark (a file some other program wrote): then only
/// decompressing the file tells its size.
std::optional<BlockedGzipSize> blocked_gzip_size(const std::filesystem::path& path);

}  // namespace modir::io
