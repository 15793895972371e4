#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "modir/io/dicom_series.h"
#include "modir/io/image_io.h"

namespace modir::cli {

/// Machine-readable descriptions of inputs, shared by `modir info` (text and --json) and reports.
/// Text output is rendered from these, so the two views can never disagree.

/// Header, geometry and intensity statistics of a scalar or vector image.
nlohmann::json describe_image(const std::filesystem::path& path, const io::ReadOptions& options);

/// The image series and other objects of a DICOM folder.
nlohmann::json describe_dicom_scan(const io::DicomScan& scan);

/// The structures of an RT Structure Set.
nlohmann::json describe_rtstruct(const std::filesystem::path& path);

/// A DICOM Deformable Spatial Registration object: its grid, both frames of reference and the
/// displacement magnitudes, in the layout of describe_image.
nlohmann::json describe_deformable_registration(const std::filesystem::path& path);

/// Count, bounding box and first ids of a point file. An elastix `index` file is converted to
/// world mm on `reference` when given, and shown in voxel indices otherwise.
nlohmann::json describe_points(const std::filesystem::path& path,
                               const Geometry* reference = nullptr);

/// The arrays of a .npy / .npz file.
nlohmann::json describe_numpy(const std::filesystem::path& path);

/// Geometry as JSON: size, spacing, origin, direction (row-major), orientation codes, extent.
nlohmann::json describe_geometry(const Geometry& geometry);

}  // namespace modir::cli
