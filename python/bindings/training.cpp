// modir.segment_train: `modir segment train` from Python, with the same options (as a dict), the
// same memory estimate checked before any scan is resampled, and the same model folder.

#include "functions.h"

#include <optional>

#include "modir/core/memory_limit.h"
#include "modir/core/parallel.h"
#include "modir/core/progress.h"
#include "modir/io/output_file.h"
#include "modir/learn/plan.h"
#include "modir/learn/train.h"
#include "modir/learn/train_memory.h"
#include "modir/learn/train_options_json.h"

namespace modir::python {

using nlohmann::json;

namespace {

constexpr const char* kHowToReduce = "a smaller batch_size, patch_size or memory_budget";

json estimate_json(const learn::TrainMemoryEstimate& e, const std::optional<double>& max_memory) {
  return {{"estimated_peak_memory_mib", e.peak_mib},
          {"limit_mib", memory_limit_mib(max_memory)},
          {"network_megavoxels", e.network_megavoxels}};
}

}  // namespace

std::string segment_train(const std::string& manifest, const std::string& out,
                          const std::string& options_json, const py::object& max_memory,
                          bool dry_run, int threads, bool verbose) {
  learn::TrainOptions t = learn::train_options_from_json(json::parse(options_json));
  t.manifest = manifest;
  t.out = out;
  std::optional<double> limit;
  if (!max_memory.is_none()) {
    limit = max_memory.cast<double>();
    if (!(*limit > 0)) throw usage_error("max_memory must be a positive number of MiB");
  }
  io::refuse_overwriting_inputs(t.out / learn::kPlanFile, {t.manifest});
  const Working working;
  set_thread_count(threads);
  Progress progress(verbose ? ProgressStyle::kLines : ProgressStyle::kQuiet);
  if (dry_run) {
    // The plan as training would make it, and the estimate: nothing is written.
    learn::CaseSplit split =
        learn::training_split(t.manifest, t.validation_fold, t.validation_fraction, t.seed);
    const learn::SegmentationPlan plan = learn::training_plan(t, split, progress);
    const learn::TrainMemoryEstimate e = learn::estimate_train_memory(plan, split);
    json report = estimate_json(e, limit);
    const double limit_mib = report["limit_mib"].get<double>();
    report["fits"] = !(limit_mib > 0 && e.peak_mib > limit_mib);
    report["plan"] = learn::plan_to_json(plan);
    report["training_scans"] = split.training.size();
    report["validation_scans"] = split.validation.size();
    return report.dump();
  }
  json memory;
  t.before_training = [&](const learn::SegmentationPlan& plan, const learn::CaseSplit& split) {
    const learn::TrainMemoryEstimate e = learn::estimate_train_memory(plan, split);
    refuse_over_memory_limit(e.peak_mib, limit, "this training run", kHowToReduce, "max_memory");
    memory = estimate_json(e, limit);
  };
  json result = learn::train_result_to_json(learn::train_segmentation(t, progress));
  result.update(memory);
  return result.dump();
}

}  // namespace modir::python
