#pragma once

// Small dense objects in a CT: gold fiducial markers (three or four in the prostate of most
// image-guided prostate patients), surgical clips, brachytherapy seeds. Two uses:
//  - segmentation (learn/preprocess.h network_input): a network trained without them reads the
//    clipped bright blob as bone and calls a halo of gland around it body (on the phantom's marked
//    men, bench/segmentation set "markers", the shipped model's prostate fell from 0.947 to 0.926
//    on the mean and to 0.894 on the worst scan, the loss the blob's, not its streaks'). Such an
//    object is a few cubic millimetres that no organ's outline depends on, so the network reads
//    the scan with it filled by the tissue around it (image-domain inpainting, the first step of
//    metal artefact reduction);
//  - registration QA (evaluate/fiducial_markers.h): markers move with the gland, so where both
//    scans hold them the distance between each carried fixed marker and its partner is an error
//    measured without any ground truth.
// Large metal (a hip replacement, a rod) is not such an object: it replaces anatomy instead of
// sitting in it, and segmentation QC reports it (learn/metal_check.h).

#include <cstdint>
#include <optional>
#include <vector>

#include "modir/core/hounsfield.h"
#include "modir/core/image.h"
#include "modir/core/vec.h"

namespace modir::filter {

struct DenseObjectOptions {
  float threshold_hu = kMetalHu;  ///< an object's core: voxels at or above (core/hounsfield.h)
  /// Cores larger than this are implants, not markers or clips: left as they are. A gold seed's
  /// core holds 0.02-0.1 ml on a 1 x 1 x 3 mm grid, a hip replacement tens of millilitres.
  double max_core_ml = 1.0;
  /// The blur around a core (the scanner's point spread, partial volume) that is filled with it:
  /// voxels within this distance of the core, connected to it through voxels brighter than the
  /// surroundings by `halo_excess_hu`.
  double halo_mm = 4.0;
  float halo_excess_hu = 150.0f;
  /// The surroundings: the median of the voxels this far beyond the halo is the fill value.
  double surroundings_mm = 3.0;
  /// Only objects in soft tissue are filled: surroundings denser than this are bone or metal (a
  /// femoral stem's pieces inside the femur: 900-2200 HU on the phantom's hip replacements; gold
  /// markers in the prostate: 10-45 HU).
  float max_surroundings_hu = 300.0f;
};

/// One object found and filled.
struct DenseObject {
  Vec3d centre_mm;                 ///< the core's centroid, world (LPS) mm
  double core_ml = 0.0;            ///< voxels at or above the threshold
  std::int64_t filled_voxels = 0;  ///< core and halo
  float fill_hu = 0.0f;            ///< the surroundings' median (written there when filled)
};

/// Finds the small dense objects of a CT in HU (26-connected cores at or above the threshold, no
/// larger than max_core_ml, clear of larger ones, in soft tissue) and overwrites each one's core
/// and halo with the median of its surroundings, in place. A scan without such an object is left
/// bit for bit as it was. Distances are physical (spacing honoured); the objects are listed in
/// raster order of their first voxel.
std::vector<DenseObject> fill_small_dense_objects(Image<float>& ct,
                                                  const DenseObjectOptions& options = {});

/// A copy of `ct` with its small dense objects filled as fill_small_dense_objects does, or
/// nothing (and no copy made) when it holds none: the objects are found once.
std::optional<Image<float>> with_small_dense_objects_filled(const Image<float>& ct,
                                                            const DenseObjectOptions& options = {});

/// The same objects, found but not filled (for reports; filled_voxels stays 0).
std::vector<DenseObject> find_small_dense_objects(const Image<float>& ct,
                                                  const DenseObjectOptions& options = {});

}  // namespace modir::filter
