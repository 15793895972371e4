#pragma once

// How much memory automatic landmark matching needs (issue 19): `register --landmarks auto`
// matches before it registers, and on a large pair the matcher's peak exceeds the registration's.

#include "modir/core/geometry.h"

namespace modir::landmarks {

/// Peak resident memory of `modir landmarks match` on scans of these grids, in MiB: an empirical
/// model of the voxels read (full resolution) and of the isotropic working grids at `spacing_mm`
/// (MIND-SSC channels and the descriptor search live there), fitted to measured peaks of phantom
/// pairs of three sizes and checked on a fourth (docs/landmarks.md, "Memory").
/// `learned`: the learned method (LibTorch loaded, the network's features on the working grids).
double estimate_matching_memory_mib(const Geometry& fixed, const Geometry& moving,
                                    double spacing_mm = 2.0, bool learned = false);

}  // namespace modir::landmarks
