#include "modir/landmarks/matching_memory.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace modir::landmarks {

namespace {

// Voxels of the scan resampled to `spacing_mm` along the world axes: its bounding box in world
// space (an oblique scan needs a larger box) divided into cubes of that size.
double working_voxels(const Geometry& g, double spacing_mm) {
  Vec3d low{1e300, 1e300, 1e300}, high{-1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3d index{corner & 1 ? double(g.size[0]) - 0.5 : -0.5,
                      corner & 2 ? double(g.size[1]) - 0.5 : -0.5,
                      corner & 4 ? double(g.size[2]) - 0.5 : -0.5};
    const Vec3d p = g.index_to_world(index);
    low = {std::min(low.x, p.x), std::min(low.y, p.y), std::min(low.z, p.z)};
    high = {std::max(high.x, p.x), std::max(high.y, p.y), std::max(high.z, p.z)};
  }
  return std::ceil((high.x - low.x) / spacing_mm) * std::ceil((high.y - low.y) / spacing_mm) *
         std::ceil((high.z - low.z) / spacing_mm);
}

}  // namespace

double estimate_matching_memory_mib(const Geometry& fixed, const Geometry& moving,
                                    double spacing_mm, bool learned) {
  // Fitted (2026-12-05, 2 threads) to small (96x96x48 both), medium (256x256x96 / 93) and large
  // (512x512x160 / 151) phantom pairs: 143, 468 and 2047 MiB; a medium --variety pair (256x256x246
  // at 1.16 mm against 256x256x90 at 2.4 mm) measured 471 MiB against 429 estimated.
  const double full = double(fixed.voxel_count() + moving.voxel_count()) / 1e6;
  const double working =
      (working_voxels(fixed, spacing_mm) + working_voxels(moving, spacing_mm)) / 1e6;
  if (learned) {
    // Fitted (2026-12-05, 2 threads, the shipped model) to the same small, medium (s21:
    // 256x256x96 both) and large pairs: 490, 1273 and 3778 MiB measured; the estimates are 21 %
    // over, 10 % under and 3 % over. About 380 MiB are LibTorch and the network's code; per
    // working voxel, the network's features (freed blocks are kept for reuse while it runs) and
    // the 16 descriptor floats kept for each scan.
    return 380.0 + 1.26 * full + 160.0 * working;
  }
  return 17.5 + 1.26 * full + 93.5 * working;
}

}  // namespace modir::landmarks
