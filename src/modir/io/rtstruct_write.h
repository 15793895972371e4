#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/io/dicom_series.h"
#include "modir/io/rtstruct.h"

namespace modir::io {

/// The closed planar contours of a structure given as a (possibly fractional) mask on a grid: per
/// slice of the grid, the iso-lines at `level` (filter::iso_contours: sub-voxel vertices, holes as
/// polygons of their own), in world LPS mm. Filling them by the even-odd rule at the voxel centres
/// gives back the voxels whose value is >= level. Contours carry no referenced slices yet.
std::vector<RtContour> mask_contours(const Image<float>& mask, float level = 0.5f);

/// What a written structure set says about itself.
struct RtStructureSetText {
  std::string label;        ///< StructureSetLabel; at most 16 characters (longer is cut)
  std::string name;         ///< StructureSetName; at most 64 characters
  std::string description;  ///< StructureSetDescription: where the structures come from
  /// ROIGenerationAlgorithm of every ROI: AUTOMATIC, SEMIAUTOMATIC or MANUAL.
  std::string generation_algorithm = "AUTOMATIC";
};

/// A new DICOM UID under the UUID root 2.25 (ISO/IEC 9834-8, DICOM PS3.5 B.2): "2.25." and a
/// random 128-bit number in decimal. Needs no registered organisation root and does not collide.
std::string new_dicom_uid();

/// Writes `structures` as a DICOM RT Structure Set (SOP class 1.2.840.10008.5.1.4.1.1.481.3) on
/// the image series `series`: it references the series' study, series and frame of reference, lists
/// every slice in the ContourImageSequence, and every contour names the slice it lies on. Patient
/// and study attributes are copied from the series' first slice. ROI numbers, names, colours and
/// interpreted types are the structures'; a structure without contours is still listed, without a
/// ContourSequence (DICOM allows none, not an empty one). The frame of reference is the series'.
/// New SOP instance and series UIDs come from new_dicom_uid().
///
/// Throws a data error when a contour does not lie in one of the series' slice planes (within 0.05
/// of a slice spacing), when two structures share an ROI number, and when there is no structure.
/// The file appears atomically.
void write_rtstruct(const std::vector<RtStructure>& structures, const DicomSeries& series,
                    const RtStructureSetText& text, const std::filesystem::path& out);

}  // namespace modir::io
