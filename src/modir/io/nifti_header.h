#pragma once

// Internal to the ITK-based reader: the one place that reads a NIfTI header's bytes. modir looks
// at a header before ITK parses it (damage ITK does not survive, truncation it does not notice)
// and after (the non-finite voxels ITK 5.2 zeroes), and all of those read their fields here.

#include <zlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>

namespace modir::io::detail {

/// The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header that modir's checks use, in
/// the file's byte order undone. Values are as stored: a damaged header's may be NaN or absurd.
struct NiftiHeader {
  bool nifti2 = false;
  bool swapped = false;  ///< the file's byte order is not this machine's
  int datatype = 0;
  std::int64_t rank = 0;                 ///< dim[0]
  std::array<std::int64_t, 7> dims{};    ///< dim[1..7]
  std::array<double, 3> pixdim{};        ///< pixdim[1..3]: the spacing
  int qform_code = 0, sform_code = 0;
  std::array<double, 6> quaternion{};    ///< quatern_b, c, d, qoffset_x, y, z
  std::array<double, 12> srow{};         ///< srow_x, srow_y, srow_z
  double slope = 0.0, intercept = 0.0;   ///< scl_slope, scl_inter
  double vox_offset_real = 0.0;          ///< NIfTI-1 stores the voxels' offset as a float
  std::int64_t vox_offset_integer = 0;   ///< NIfTI-2 as an int64

  /// Where the voxels start, in bytes from the start of the (decompressed) file; nullopt when the
  /// stored offset is NaN, negative or vast (a cast of it would be undefined behaviour).
  std::optional<std::uint64_t> voxel_offset() const;
  /// Values in the file: the product of dim[1..rank] (each at least 1); 0 for a rank outside 1..7.
  std::uint64_t value_count() const;
};

/// Reads a header from `file`'s current position (plain or gzip-compressed alike). nullopt when
/// fewer bytes than a header are there, or sizeof_hdr is neither 348 nor 540 in either order.
std::optional<NiftiHeader> read_nifti_header(gzFile file);

/// The same from the start of `path`; nullopt also when the file cannot be opened (ITK then
/// reports it itself).
std::optional<NiftiHeader> read_nifti_header(const std::filesystem::path& path);

}  // namespace modir::io::detail
