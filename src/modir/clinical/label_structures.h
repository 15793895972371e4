#pragma once

// A label map drawn as RT structures on a DICOM series (`modir convert LABELS RS.dcm`): what each
// structure is called, numbered and coloured, and its contours on the series' grid.

#include <array>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/core/progress.h"
#include "modir/io/label_names.h"
#include "modir/io/rtstruct.h"

namespace modir::clinical {

/// Display colour of the organ class a structure name means (the organ name table), so that
/// structures drawn from label maps look alike in every planning system; red for anything else.
std::array<int, 3> organ_colour(const std::string& name);

/// One structure per nonzero label, ascending: its mask carried onto `series_grid` (linear
/// interpolation when the grids differ, contoured per slice at 0.5). Names, ROI numbers, colours
/// and interpreted types come from `names` where it has them (an RTSTRUCT's own, through convert
/// --rtstruct), else "label_<value>", the value, organ_colour and ORGAN (EXTERNAL for the body).
/// A map without labels is a data error naming `source`; a map off the grid and a label with no
/// voxel on it are warned about (`series` names the series, e.g. "series 1.2.3").
std::vector<io::RtStructure> structures_from_labels(const LabelMap& labels,
                                                    const io::LabelNames& names,
                                                    const Geometry& series_grid,
                                                    const std::string& source,
                                                    const std::string& series, Progress& progress);

}  // namespace modir::clinical
