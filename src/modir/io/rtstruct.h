#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "modir/core/vec.h"

namespace modir::io {

/// One planar contour of a structure: a closed polygon in world LPS mm.
struct RtContour {
  std::string geometric_type;  ///< "CLOSED_PLANAR" (used), "POINT", "OPEN_PLANAR", ...
  std::vector<Vec3d> points;
  /// SOPInstanceUIDs of the image slices the contour references (ContourImageSequence).
  std::vector<std::string> referenced_sop_instance_uids;
};

/// One structure (ROI) of a structure set.
struct RtStructure {
  int roi_number = 0;
  std::string name;
  std::string interpreted_type;  ///< RTROIInterpretedType, e.g. "ORGAN", "EXTERNAL", "PTV"
  std::array<int, 3> color{255, 0, 0};
  std::vector<RtContour> contours;
};

/// A DICOM RT Structure Set.
struct RtStructureSet {
  std::filesystem::path file;
  std::string label;
  std::string frame_of_reference_uid;
  std::string referenced_series_uid;  ///< the image series the contours were drawn on
  std::vector<std::string> referenced_sop_instance_uids;
  std::vector<RtStructure> structures;
};

/// True when the file is a DICOM RT Structure Set (by its SOP class).
bool is_rtstruct(const std::filesystem::path& file);

/// Reads a structure set through DCMTK's RT module. Throws a data error for a file that is not an
/// RTSTRUCT or is damaged.
RtStructureSet read_rtstruct(const std::filesystem::path& file);

}  // namespace modir::io
