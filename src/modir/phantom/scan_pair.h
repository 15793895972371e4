#pragma once

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/core/point_set.h"
#include "modir/phantom/phantom_options.h"

namespace modir::phantom {

/// One acquired scan: CT in HU and its exact labels.
struct PhantomScan {
  Image<std::int16_t> image;
  LabelMap labels;
};

/// Two scans of one synthetic patient with exact ground truth: the displacement on scan A's grid
/// mapping every A point x to its B point x + u(x), and corresponding landmarks.
struct PhantomPair {
  PhantomScan fixed;   ///< scan A
  PhantomScan moving;  ///< scan B
  DisplacementField ground_truth;
  PointSet fixed_landmarks;
  PointSet moving_landmarks;
  nlohmann::json meta;  ///< seed, parameters, organ volumes, displacement and Jacobian summary
};

/// Generates a pair; the same options give the same bytes on any machine and thread count.
PhantomPair generate_pair(const PhantomOptions& options);

}  // namespace modir::phantom
