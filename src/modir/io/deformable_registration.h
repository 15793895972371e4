#pragma once

// DICOM Deformable Spatial Registration objects (SOP class 1.2.840.10008.5.1.4.1.1.66.3,
// PS3.3 A.39): how planning systems (and 3D Slicer's SlicerRT, plastimatch) exchange a
// deformation between two frames of reference.
//
// modir writes its displacement field as the object's one deformable registration: the object's
// own Frame of Reference is the registered one (the fixed scan's: the daily CT), the item's
// Source Frame of Reference the moving scan's (the planning CT), the Deformable Registration
// Grid the field's grid, and each vector the displacement u(x) in mm in patient coordinates (LPS)
// that carries a registered point x to its source point x + u(x) — modir's own convention, which
// is also plastimatch's and SlicerRT's reading. The pre- and post-deformation matrices are the
// identity: u already holds the whole motion, its rigid and affine parts included.

#include <filesystem>
#include <string>

#include "modir/core/image.h"
#include "modir/io/dicom_series.h"

namespace modir::io {

/// What the object says about itself.
struct RegistrationText {
  std::string label = "MODIR_DIR";  ///< ContentLabel: upper case, digits, space, underscore
  std::string description;          ///< ContentDescription (what, from which scans, how)
};

/// Writes u (defined on the registered series' grid, or any grid in its frame of reference) as a
/// Deformable Spatial Registration object in the registered series' study. References every slice
/// of both series. Throws a data error when the two series share a frame of reference (a
/// deformation within one frame is not what this object is for) or a series has no slices.
/// Written atomically.
void write_deformable_registration(const DisplacementField& u, const DicomSeries& registered,
                                   const DicomSeries& source, const RegistrationText& text,
                                   const std::filesystem::path& out);

/// True when the file is a DICOM Deformable Spatial Registration object (by its SOP class).
bool is_deformable_registration(const std::filesystem::path& file);

/// What a Deformable Spatial Registration object holds, as modir uses it.
struct DeformableRegistration {
  DisplacementField displacement;  ///< on the grid the object defines; registered x -> x + u(x)
  std::string registered_frame_of_reference_uid;
  std::string source_frame_of_reference_uid;
};

/// Reads the object's deformable registration from another frame of reference. Objects whose
/// pre- or post-deformation matrix is not the identity, that hold several deformations, or
/// whose grid is damaged are data errors that say which.
DeformableRegistration read_deformable_registration(const std::filesystem::path& file);

}  // namespace modir::io
