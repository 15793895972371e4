// NIfTI's checks before ITK reads a file (file_checks.h).

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <optional>

#include "modir/core/error.h"
#include "modir/core/geometry.h"
#include "modir/io/file_checks.h"
#include "modir/io/nifti_header.h"
#include "modir/io/parallel_gzip.h"

namespace modir::io::detail {

namespace fs = std::filesystem;

void throw_truncated(const fs::path& path, std::uint64_t expected, std::uint64_t found) {
  throw data_error(
      "'{}' is truncated: its header promises {} bytes of data but only {} are there; "
      "the file was cut short (copy or download again)",
      path.string(), expected, found);
}

void check_nifti_gz_complete(const fs::path& path, std::uint64_t data_bytes) {
  gzFile file = gzopen(path.string().c_str(), "rb");
  if (file == nullptr) return;
  // A header not understood (ITK has read it already, so that does not happen in practice) or a
  // damaged offset counts as 0: the check stays cautious.
  const std::optional<NiftiHeader> header = read_nifti_header(file);
  const std::uint64_t expected = (header ? header->voxel_offset().value_or(0) : 0) + data_bytes;

  // Fast path: the gzip trailer stores the uncompressed length modulo 2^32.
  std::uint32_t trailer_size = 0;
  {
    std::ifstream raw(path, std::ios::binary | std::ios::ate);
    const auto length = static_cast<std::uint64_t>(raw.tellg());
    if (length >= 4) {
      raw.seekg(static_cast<std::streamoff>(length - 4));
      raw.read(reinterpret_cast<char*>(&trailer_size), 4);  // little-endian by the gzip spec
    }
  }
  if (trailer_size == static_cast<std::uint32_t>(expected & 0xffffffffu)) {
    gzclose(file);
    return;
  }
  // A file modir wrote: its members say their sizes, so hop from one to the next.
  if (const auto blocked = blocked_gzip_size(path)) {
    gzclose(file);
    if (!blocked->complete || blocked->uncompressed_bytes < expected) {
      throw_truncated(path, expected, blocked->uncompressed_bytes);
    }
    return;
  }
  // Slow path (another program's multi-member gzip file, or damage): decompress and count.
  gzrewind(file);
  std::uint64_t total = 0;
  std::array<char, 1 << 16> buffer;
  int got = 0;
  while ((got = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) {
    total += static_cast<std::uint64_t>(got);
  }
  int error_number = Z_OK;
  gzerror(file, &error_number);
  gzclose(file);
  if (total < expected || got < 0 || (error_number != Z_OK && error_number != Z_STREAM_END)) {
    throw_truncated(path, expected, total);
  }
}

void check_nifti_complete(const fs::path& path, std::uint64_t data_bytes) {
  std::error_code ec;
  const std::uint64_t length = fs::file_size(path, ec);
  if (ec) return;  // ITK reports unreadable files itself
  const std::optional<NiftiHeader> header = read_nifti_header(path);
  const std::uint64_t offset = header ? header->voxel_offset().value_or(0) : 0;
  if (length < offset || length - offset < data_bytes) {
    throw_truncated(path, offset + data_bytes, length);
  }
}

void check_nifti_header(const fs::path& path) {
  const std::optional<NiftiHeader> h = read_nifti_header(path);
  if (!h) return;  // ITK reports unreadable files and headers itself
  // The fields ITK turns into spacing and direction, and whether each group is used (pixdim
  // always; the quaternion with qform_code > 0, the rows with sform_code > 0).
  const auto finite = [](const auto& values) {
    return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  };
  // No spacing, offset or rotation of a body's scan comes near a kilometre (Geometry::validate
  // refuses such an image after reading); this bound has to hold before ITK reads the header.
  const auto within_a_kilometre = [](const auto& values) {
    return std::all_of(values.begin(), values.end(),
                       [](double v) { return std::abs(v) <= Geometry::kFarthestMm; });
  };
  const struct {
    const char* name;
    bool used, finite, bounded;
  } groups[] = {{"pixdim", true, finite(h->pixdim), within_a_kilometre(h->pixdim)},
                {"quatern_b/c/d and qoffset", h->qform_code > 0, finite(h->quaternion),
                 within_a_kilometre(h->quaternion)},
                {"srow_x/y/z", h->sform_code > 0, finite(h->srow), within_a_kilometre(h->srow)}};
  for (const auto& g : groups) {
    if (g.used && !g.finite) {
      // ITK's orientation code asserts on them and aborts the process (found by fuzzing).
      throw data_error("'{}' has a damaged NIfTI header: its {} hold NaN or infinite values",
                       path.string(), g.name);
    }
  }
  for (const auto& g : groups) {
    if (g.used && !g.bounded) {
      // ITK 5.2 takes the singular values of the sform in float: with an element of 3e38 the
      // SVD never ended (found by fuzzing).
      throw data_error(
          "'{}' has a damaged NIfTI header: its {} hold values beyond a kilometre (1e6 mm)",
          path.string(), g.name);
    }
  }
}

}  // namespace modir::io::detail
