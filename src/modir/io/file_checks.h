#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace modir::io::detail {

/// Checks of an image file made before ITK reads it, each a data error naming the file. ITK does
/// not notice every truncated file (a cut .nii.gz or a compressed .mha reads "fine" with the
/// missing voxels left as zeros, seen with ITK 5.2): the completeness checks compare the file
/// sizes the headers promise with what is there, cheaply. And some damaged headers crash ITK's
/// parsers: the header checks refuse them first (found by fuzzing). NIfTI: nifti_checks.cpp;
/// MetaImage: metaimage_checks.cpp.

/// "'FILE' is truncated: its header promises EXPECTED bytes of data but only FOUND are there".
[[noreturn]] void throw_truncated(const std::filesystem::path& path, std::uint64_t expected,
                                  std::uint64_t found);

/// For a gzip-compressed NIfTI file holding `data_bytes` of voxels after its header.
void check_nifti_gz_complete(const std::filesystem::path& path, std::uint64_t data_bytes);

/// For an uncompressed NIfTI file (.nii): the voxels must be in the file after its vox_offset.
/// Called before the voxel buffer is allocated, so that a damaged header claiming gigabytes is
/// refused by its file's size, not by running out of memory (found by fuzzing).
void check_nifti_complete(const std::filesystem::path& path, std::uint64_t data_bytes);

/// Before ITK's NIfTI reader parses a header (.nii or .nii.gz): the spacing and the qform or sform
/// it uses must be finite, since ITK's orientation code asserts on NaN and aborts the process.
/// Throws a data error naming the fields.
void check_nifti_header(const std::filesystem::path& path);

/// Before ITK's MetaIO parses a MetaImage header (.mha or .mhd): MetaIO copies each field value
/// into a fixed buffer of 255 characters with strcpy, so a damaged header whose value runs on (a
/// lost line break before compressed data) overflows it and aborts the process. Throws a data
/// error naming the line instead, and for a header without an ElementDataFile line.
void check_metaimage_header(const std::filesystem::path& path);

/// Before ITK's NRRD reader (teem) parses a header (.nrrd or .nhdr): a field line longer than 500
/// characters is refused, since teem quotes a field it cannot parse into a fixed stack buffer.
/// Comments and key/value pairs may be longer. nrrd_checks.cpp.
void check_nrrd_header(const std::filesystem::path& path);

/// Calls `visit(line, number)` for the lines of a text header at the start of `path` (each as
/// read, a trailing '\r' kept; numbered from 1) until `visit` returns false or 64 KB have been
/// read. Returns false when the file cannot be opened: ITK reports that itself. header_lines.cpp.
bool for_each_header_line(const std::filesystem::path& path,
                          const std::function<bool(const std::string&, int)>& visit);

/// For a MetaImage header (.mha or .mhd) whose voxels take `data_bytes` uncompressed, on a grid
/// of `dim_sizes` voxels per axis as MetaIO read them (a slice LIST or pattern must name one file
/// per slice of that grid, and a damaged DimSize can hold more words than MetaIO reads).
void check_metaimage_complete(const std::filesystem::path& path, std::uint64_t data_bytes,
                              const std::vector<std::uint64_t>& dim_sizes);

}  // namespace modir::io::detail
