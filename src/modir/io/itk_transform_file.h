#pragma once

#include <filesystem>

#include "modir/core/image.h"

namespace modir::io {

/// True for the file names write_itk_displacement_transform writes: .h5 and .hdf5 (ITK's HDF5
/// transform format, the one 3D Slicer, ANTs and ITK's TransformFileReader use for fields).
bool is_itk_transform_file(const std::filesystem::path& path);

/// Writes u as an ITK DisplacementFieldTransform<double, 3> in an HDF5 transform file. ITK's
/// transforms map points of the fixed (output) space to the moving space in LPS mm, x -> x + u(x),
/// exactly modir's convention, so the file means what the field means: ITK's ResampleImageFilter,
/// antsApplyTransforms and 3D Slicer (which converts to RAS itself) warp the moving image onto the
/// fixed grid with it. Written atomically.
void write_itk_displacement_transform(const DisplacementField& u,
                                      const std::filesystem::path& path);

/// Reads an HDF5 transform file holding one DisplacementFieldTransform (double or float, 3D) as a
/// displacement field. Any other transform (affine, composite, B-spline) is a data error that
/// names it: convert it with ITK or ANTs to a displacement field first.
DisplacementField read_itk_displacement_transform(const std::filesystem::path& path);

}  // namespace modir::io
