#pragma once

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/core/point_set.h"
#include "modir/phantom/anatomy.h"
#include "modir/phantom/deformation_draw.h"
#include "modir/phantom/phantom_options.h"
#include "modir/phantom/random.h"
#include "modir/phantom/variety.h"

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

/// What a pair is drawn from before anything is rendered: the patient, the scans' protocols and
/// grids, and the random streams the rest of the generation continues. Cheap (no voxels), so
/// that the memory a pair needs is known before it is generated.
struct PairPlan {
  Sex sex;
  FillingPlan filling;
  Anatomy anatomy;
  Vec3d centre;
  std::optional<PairVariety> variety;
  Geometry fixed_grid, moving_grid;
  Rng root, deformation_rng, scanner_rng;
};
PairPlan plan_pair(const PhantomOptions& options);

/// Peak memory of generate_pair and writing the pair, in MiB, from its plan's grids (a model
/// fitted to measured peaks: bench/phantom_memory.md).
double estimate_pair_memory_mib(const PairPlan& plan);

/// Generates a pair; the same options give the same bytes on any machine and thread count.
PhantomPair generate_pair(const PhantomOptions& options);
/// The same, from a plan plan_pair made of these options.
PhantomPair generate_pair(const PhantomOptions& options, PairPlan plan);

}  // namespace modir::phantom
