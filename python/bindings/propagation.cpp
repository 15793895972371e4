// modir.propagate: a planning CT's structures carried onto a daily CT, as `modir propagate`
// carries them (the same library call), into a new output folder.

#include "functions.h"

#include <nlohmann/json.hpp>

#include "modir/clinical/propagation_run.h"
#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/core/progress.h"
#include "modir/io/organ_names.h"
#include "modir/landmarks/matcher.h"
#include "modir/learn/segmenter.h"
#include "modir/register/front_pick.h"
#include "modir/register/registration_config.h"

namespace modir::python {

using nlohmann::json;

std::string propagate(const std::string& planning, const std::string& structures,
                      const std::string& daily, const std::string& out,
                      const std::string& planning_series, const std::string& daily_series,
                      const std::string& model, const py::object& config_json,
                      const std::string& names_table, bool qc, int pareto,
                      const py::object& pick_json, bool auto_landmarks,
                      const std::string& landmark_method, const std::string& device,
                      const py::object& max_memory, int threads, bool verbose) {
  clinical::PropagationRequest request;
  request.planning = planning;
  request.planning_series = planning_series;
  request.daily = daily;
  request.daily_series = daily_series;
  request.structures = structures;
  request.out = out;
  request.model = model;
  if (!config_json.is_none())
    request.config = reg::parse_registration_config(json::parse(config_json.cast<std::string>()));
  if (!names_table.empty()) request.names = io::read_organ_names(names_table);
  request.quality_control = qc;
  request.pareto = pareto;
  if (!pick_json.is_none())
    request.pick = reg::parse_pick_rules(json::parse(pick_json.cast<std::string>()));
  request.auto_landmarks = auto_landmarks;
  request.landmark_method = landmarks::parse_match_method(landmark_method);
  learn::require_networks();  // the daily organs are predicted
  request.device = learn::parse_device(device);
  request.verbose = verbose;
  if (!max_memory.is_none()) {
    request.max_memory_mib = max_memory.cast<double>();
    request.max_memory_name = "max_memory";
    if (!(*request.max_memory_mib > 0))
      throw usage_error("max_memory must be a positive number of MiB");
  }
  const Working working;
  set_thread_count(threads);
  Progress progress(verbose ? ProgressStyle::kLines : ProgressStyle::kQuiet);
  return clinical::run_propagation(request, progress).report.dump();
}

}  // namespace modir::python
