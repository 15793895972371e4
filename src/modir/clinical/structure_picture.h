#pragma once

// A picture per propagated structure, for the physicist who must accept it: three orthogonal
// slices of the daily scan through the structure's centre, its outline in its own colour.

#include "modir/clinical/propagation.h"
#include "modir/io/png_io.h"

namespace modir::clinical {

/// nullopt when the structure has no voxel on the daily scan (nothing to look at).
std::optional<io::RgbPicture> structure_picture(const Image<float>& daily,
                                                const PropagatedStructure& structure);

/// A file name for a structure's picture: its order, then its name with anything but letters,
/// digits, '-' and '_' replaced, so that "PTV 70/35" and "Blåse" make portable names.
std::string picture_file_name(std::size_t index, const std::string& structure_name);

}  // namespace modir::clinical
