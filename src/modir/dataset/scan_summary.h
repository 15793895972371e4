#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "modir/core/geometry.h"
#include "modir/dataset/fingerprint.h"
#include "modir/dataset/intensity_profile.h"
#include "modir/dataset/manifest.h"

namespace modir::dataset {

/// One label of a label map: how much of it and where along the world superior axis.
struct LabelStat {
  std::int64_t voxels = 0;
  double ml = 0.0;
  double z_min_mm = 0.0;  ///< world z (LPS: + superior) of its lowest and highest voxel centre
  double z_max_mm = 0.0;
};

/// Everything the checks need to know about one scan, so that the images themselves need not
/// stay in memory: geometry, a fingerprint, intensity profile and label statistics.
struct ScanSummary {
  ScanEntry entry;
  std::string image_error;  ///< non-empty when the image could not be read (the reason)
  Geometry geometry;
  std::string voxel_hash;  ///< SHA-256 of grid and voxel values: equal means an exact copy
  Fingerprint fingerprint;
  IntensityProfile intensity;
  Vec3d world_min, world_max;  ///< world bounding box of the voxel centres (mm)
  /// Fraction of the voxels on the four side faces (x and y ends) inside the body (> -400 HU):
  /// a body cut by an in-plane field of view.
  double side_body_fraction = 0.0;

  bool has_labels = false;   ///< the manifest names a label map
  std::string labels_error;  ///< non-empty when it could not be read or is not a label map
  std::optional<Geometry> label_geometry;
  std::map<std::uint16_t, LabelStat> labels;  ///< nonzero labels present

  bool usable() const { return image_error.empty(); }
  bool labels_usable() const { return has_labels && labels_error.empty(); }
};

/// Reads the scan's image and label map and summarises them. Unreadable files do not throw:
/// their reason is kept in image_error / labels_error and becomes a finding.
ScanSummary summarise_scan(const ScanEntry& entry);

}  // namespace modir::dataset
