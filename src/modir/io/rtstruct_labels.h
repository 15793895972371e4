#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/geometry.h"
#include "modir/io/contour_raster.h"
#include "modir/io/dicom_series.h"
#include "modir/io/rtstruct.h"

namespace modir::io {

/// Rasterises the chosen structures (all when `names` is empty) onto `reference_grid`, the grid of
/// the image series `reference`, after checking that the structure set belongs to that series.
///
/// Throws a data error when the structure set was drawn on another series in another frame of
/// reference (a label map on the wrong scan is worse than none). A different series in the same
/// frame of reference, and image slices the structure set references but the series lacks, only
/// add warnings: contours on missing slices end up outside the grid and are reported there.
/// Warnings are returned in RasterizedLabels::warnings, not printed.
RasterizedLabels rasterize_rtstruct(const RtStructureSet& set, const DicomSeries& reference,
                                    const Geometry& reference_grid,
                                    const std::vector<std::string>& names);

/// The JSON sidecar written next to a label map made from a structure set, so that label values
/// can be traced back to structures: the RTSTRUCT file, its referenced series and frame of
/// reference, the warnings, and per label its value, name, ROI number, colour, interpreted type,
/// voxel count, voxel volume and contour volume (ml) and the voxels lost to smaller structures.
nlohmann::json rasterized_labels_sidecar(const RasterizedLabels& labels, const RtStructureSet& set);

}  // namespace modir::io
