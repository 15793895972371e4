#pragma once

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "modir/core/pixel_type.h"
#include "modir/core/point_set.h"
#include "modir/register/pareto_front.h"

namespace modir::reg {

/// Ground truth to score every front solution with (e.g. a `modir phantom` pair's folder).
struct FrontTruth {
  LabelMap fixed_labels, moving_labels;
  PointSet fixed_landmarks, moving_landmarks;
};

struct FrontSummary {
  std::size_t knee = 0;
  double hypervolume = 0.0;
  std::size_t non_dominated = 0;
  double seconds_writing = 0.0;
  nlohmann::json knee_fiducial_markers = nullptr;  ///< the knee's (run_report.h)
};

/// Writes a front into `out_dir`: front.json (per solution its objectives, weights, per-organ
/// distances, folded fraction and Jacobian minimum on the fixed grid, and with `truth` its TRE and
/// Dice), solutions/solution_KK.json (each a transform.json), and the full outputs of the knee
/// solution (as `modir register` writes them). Dominated or folded runs are listed with
/// "dominated": true / "folded" and left out of the knee, the hypervolume and the count.
/// Hypervolume: objectives normalised to [0, 1] by the ideal and nadir points of the kept
/// solutions, reference point 1.1 in every objective.
FrontSummary write_front_outputs(const ParetoFront& front, const RegistrationConfig& config,
                                 const RegistrationInputs& inputs, PixelType moving_pixel_type,
                                 const nlohmann::json& inputs_description,
                                 const std::optional<FrontTruth>& truth,
                                 const std::filesystem::path& out_dir);

}  // namespace modir::reg
