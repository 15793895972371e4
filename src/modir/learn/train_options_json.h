#pragma once

// Training options as a JSON object, for callers other than the command line (Python's
// modir.segment_train): the keys are `segment train`'s options without their dashes, with
// underscores (batch_size for --batch-size, iterations for --iterations, init_from for
// --init-from), and the same checks apply to both.

#include <nlohmann/json.hpp>

#include "modir/learn/train.h"

namespace modir::learn {

/// The options of `object` over TrainOptions' defaults (manifest and out are left empty). Unknown
/// keys, wrong types and values out of range are usage errors naming the key.
TrainOptions train_options_from_json(const nlohmann::json& object);

/// The checks every way of starting training shares: fractions within their ranges, counts
/// positive, and nothing of the plan forced when fine-tuning (the plan comes with the weights).
void check_train_options(const TrainOptions& options);

/// A training run's outcome as JSON: the plan, per epoch the losses and validation Dice by organ
/// name, the final validation per scan (null where an organ is absent in both).
nlohmann::json train_result_to_json(const TrainResult& result);

}  // namespace modir::learn
