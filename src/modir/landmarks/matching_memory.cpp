#include "modir/landmarks/matching_memory.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace modir::landmarks {

namespace {

// Voxels of the scan resampled to `spacing_mm` along the world axes: its bounding box in world
// space (an oblique scan needs a larger box) divided into cubes of that size. With
// `patient_cap`, the box is held to at most 400 mm left-right and 300 mm front-back: the part
// the learned method works on is the patient's box, and a wide field of view is mostly air.
double working_voxels(const Geometry& g, double spacing_mm, bool patient_cap = false) {
  Vec3d low{1e300, 1e300, 1e300}, high{-1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3d index{corner & 1 ? double(g.size[0]) - 0.5 : -0.5,
                      corner & 2 ? double(g.size[1]) - 0.5 : -0.5,
                      corner & 4 ? double(g.size[2]) - 0.5 : -0.5};
    const Vec3d p = g.index_to_world(index);
    low = {std::min(low.x, p.x), std::min(low.y, p.y), std::min(low.z, p.z)};
    high = {std::max(high.x, p.x), std::max(high.y, p.y), std::max(high.z, p.z)};
  }
  const double x = patient_cap ? std::min(high.x - low.x, 400.0) : high.x - low.x;
  const double y = patient_cap ? std::min(high.y - low.y, 300.0) : high.y - low.y;
  return std::ceil(x / spacing_mm) * std::ceil(y / spacing_mm) *
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
    // Refitted (2026-12-06, 2 threads, the shipped model, descriptors polished on MIND-SSC) to
    // 13 measured peaks: small s5, medium s301 and large s303 without labels (544, 1329 and
    // 2957 MiB) and the ten medium --variety pairs 401-410 of bench/landmarks with predicted
    // labels (986-1360 MiB); every estimate lies within -10 % .. +15 % of its peak
    // (docs/landmarks.md, "Memory"). The network's features and the MIND-SSC polish live on the
    // patient's box of each working grid, hence the capped working voxels.
    const double patient = (working_voxels(fixed, spacing_mm, /*patient_cap=*/true) +
                            working_voxels(moving, spacing_mm, /*patient_cap=*/true)) /
                           1e6;
    return 235.0 + 1.26 * full + 235.0 * patient;
  }
  return 17.5 + 1.26 * full + 93.5 * working;
}

}  // namespace modir::landmarks
