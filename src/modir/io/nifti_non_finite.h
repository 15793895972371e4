#pragma once

// Internal to the ITK-based reader: ITK 5.2's NIfTI library (nifti_read_buffer) silently turns
// every NaN and ±Inf voxel of a float NIfTI into 0, which would make non-finite voxels vanish
// instead of being reported (ITK fixed it only in ITK 6). This puts them back from the file's
// own bytes, so that the non-finite policy of image_io applies to NIfTI as to every format.

#include <cstddef>
#include <filesystem>
#include <vector>

namespace modir::io::detail {

/// For a single-file NIfTI (.nii, .nii.gz) of float32 or float64 voxels: rewrites, in `buffer`
/// (the voxels as ITK read them, components interleaved per voxel, of `component_size` bytes each),
/// every value whose stored bytes are NaN or infinite, scaled by scl_slope/scl_inter as ITK scales
/// (NaN stays NaN). Returns how many values it restored. Does nothing for other files and types.
std::size_t restore_nifti_non_finite(const std::filesystem::path& path, std::vector<char>& buffer,
                                     std::size_t component_size, std::size_t components);

}  // namespace modir::io::detail
