#include "modir/learn/predict_memory.h"

#include <algorithm>

#include "modir/learn/preprocess.h"

namespace modir::learn {

namespace {

// Fitted by least squares on `segment predict` peaks (2026-12-04, 2 cores, /usr/bin/time, the
// shipped model): phantom scans of 0.44, 6.29 and 41.9 million voxels and the real abdominal CT of
// ../shared/data/real_ct (1.38 million, at the network's 3 mm already), with and without QC.
// Residuals within 3 %; an unseen medium phantom scan (s305, 6.0 million) came out 4 % low
// without QC and 0.2 % high with it. The constant is the process with LibTorch and the network
// loaded; per scan voxel the float scan, its labels and the resampling buffers (with QC also its
// mirrored, shifted and rescaled copies and their labels); per network voxel the class scores.
struct Coefficients {
  double constant_mib, mib_per_scan_megavoxel, mib_per_network_megavoxel;
};
constexpr Coefficients kWithoutQc{264.5, 2.14, 82.0};
constexpr Coefficients kWithQc{291.1, 18.8, 55.5};
// The patient outline (CT models) runs after the network's scores are freed, on the scan's own
// grid: a byte mask, a distance map and then connected components (7 bytes a scan voxel beside
// the scan and its labels). Its own peak, fitted the same way on the medium and large phantom
// scans (6.29 and 41.9 million voxels, 2026-12-04, with the outline): on large scans it, not the
// network, sets the peak. Residuals on the other two scans: the small phantom +1 %; the real
// abdominal CT (where the network part decides) +14 % without QC and -8 % with it.
constexpr Coefficients kOutlineWithoutQc{281.7, 15.1, 0.0};
constexpr Coefficients kOutlineWithQc{282.5, 28.7, 0.0};

double peak_of(const Coefficients& c, const PredictMemoryEstimate& e) {
  return c.constant_mib + c.mib_per_scan_megavoxel * e.scan_megavoxels +
         c.mib_per_network_megavoxel * e.network_megavoxels;
}

}  // namespace

PredictMemoryEstimate estimate_predict_memory(const Geometry& scan, const SegmentationPlan& plan,
                                              bool quality_check, bool body_outline) {
  PredictMemoryEstimate e;
  e.quality_check = quality_check;
  e.scan_megavoxels = static_cast<double>(scan.voxel_count()) / 1e6;
  e.network_megavoxels =
      static_cast<double>(network_grid(scan, plan.spacing).voxel_count()) / 1e6;
  e.peak_mib = peak_of(quality_check ? kWithQc : kWithoutQc, e);
  if (body_outline && plan.normalisation.scheme == "ct")
    e.peak_mib = std::max(e.peak_mib, peak_of(quality_check ? kOutlineWithQc : kOutlineWithoutQc, e));
  return e;
}

}  // namespace modir::learn
