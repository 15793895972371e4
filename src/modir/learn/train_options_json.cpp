#include "modir/learn/train_options_json.h"

#include <cmath>
#include <string>
#include <vector>

#include "modir/core/error.h"
#include "modir/io/json_options.h"
#include "modir/learn/plan.h"

namespace modir::learn {

using nlohmann::json;

namespace {

// One number for all three axes, or three.
std::vector<double> get_triple(const json& object, const std::string& key) {
  const std::vector<double> values = io::get_number_list(object, key, {}, "");
  if (values.size() == 1) return {values[0], values[0], values[0]};
  if (values.size() != 3)
    throw usage_error("{} takes one number or three (x, y, z), got {}", key, values.size());
  for (const double v : values)
    if (!(v > 0)) throw usage_error("{} must be positive, got {}", key, v);
  return values;
}

void require_positive(int value, const char* key) {
  if (value <= 0) throw usage_error("{} must be positive, got {}", key, value);
}

}  // namespace

TrainOptions train_options_from_json(const json& o) {
  io::check_known_keys(o,
                       {"validation_fold",
                        "validation_fraction",
                        "seed",
                        "device",
                        "mixed_precision",
                        "memory_budget",
                        "spacing",
                        "patch_size",
                        "base_channels",
                        "levels",
                        "batch_size",
                        "epochs",
                        "iterations",
                        "max_minutes",
                        "learning_rate",
                        "resume",
                        "init_from",
                        "appearance",
                        "truncation",
                        "stop_after_epochs",
                        "label_names",
                        "fill_holes",
                        "validation_patches"},
                       "");
  TrainOptions t;
  if (o.contains("validation_fold"))
    t.validation_fold = io::get_integer(o, "validation_fold", 0, "");
  t.validation_fraction = io::get_number(o, "validation_fraction", t.validation_fraction, "");
  const int seed = io::get_integer(o, "seed", static_cast<int>(t.seed), "");
  if (seed < 0) throw usage_error("seed must not be negative, got {}", seed);
  t.seed = static_cast<std::uint64_t>(seed);
  t.device = parse_device(io::get_choice(o, "device", "cpu", {"cpu", "cuda"}, ""));
  t.mixed_precision = io::get_bool(o, "mixed_precision", t.mixed_precision, "");
  t.planning.memory_budget_mb = io::get_number(o, "memory_budget", t.planning.memory_budget_mb, "");
  if (o.contains("spacing")) {
    const auto s = get_triple(o, "spacing");
    t.planning.spacing = Vec3d{s[0], s[1], s[2]};
  }
  if (o.contains("patch_size")) {
    const auto p = get_triple(o, "patch_size");
    for (const double v : p)
      if (v != std::floor(v)) throw usage_error("patch_size takes whole voxels, got {}", v);
    t.planning.patch_size = Size3{std::int64_t(p[0]), std::int64_t(p[1]), std::int64_t(p[2])};
  }
  if (o.contains("base_channels"))
    t.planning.base_channels = io::get_integer(o, "base_channels", 0, "");
  if (o.contains("levels")) t.planning.levels = io::get_integer(o, "levels", 0, "");
  if (o.contains("batch_size")) t.planning.batch_size = io::get_integer(o, "batch_size", 0, "");
  t.epochs = io::get_integer(o, "epochs", t.epochs, "");
  t.iterations_per_epoch = io::get_integer(o, "iterations", t.iterations_per_epoch, "");
  t.max_minutes = io::get_number(o, "max_minutes", t.max_minutes, "");
  t.learning_rate = io::get_number(o, "learning_rate", t.learning_rate, "");
  t.resume = io::get_bool(o, "resume", t.resume, "");
  t.initial_model = io::get_string(o, "init_from", "", "");
  t.appearance_probability = io::get_number(o, "appearance", t.appearance_probability, "");
  t.truncation_probability = io::get_number(o, "truncation", t.truncation_probability, "");
  t.stop_after_epochs = io::get_integer(o, "stop_after_epochs", t.stop_after_epochs, "");
  t.label_names = io::get_string(o, "label_names", t.label_names, "");
  t.fill_holes = io::get_string(o, "fill_holes", t.fill_holes, "");
  t.validation_patches = io::get_integer(o, "validation_patches", t.validation_patches, "");
  check_train_options(t);
  return t;
}

void check_train_options(const TrainOptions& t) {
  if (!(t.validation_fraction > 0 && t.validation_fraction < 1))
    throw usage_error("the validation fraction must lie in (0, 1), got {}", t.validation_fraction);
  if (!(t.planning.memory_budget_mb > 0))
    throw usage_error("the memory budget must be positive, got {}", t.planning.memory_budget_mb);
  if (t.planning.base_channels) require_positive(*t.planning.base_channels, "base_channels");
  if (t.planning.batch_size) require_positive(*t.planning.batch_size, "batch_size");
  if (t.planning.levels && (*t.planning.levels < 2 || *t.planning.levels > 6))
    throw usage_error("levels must lie in 2..6, got {}", *t.planning.levels);
  require_positive(t.epochs, "epochs");
  require_positive(t.iterations_per_epoch, "iterations");
  require_positive(t.validation_patches, "validation_patches");
  if (t.stop_after_epochs < 0)
    throw usage_error("stop_after_epochs must not be negative, got {}", t.stop_after_epochs);
  if (!(t.max_minutes >= 0)) throw usage_error("max_minutes must not be negative");
  if (!(t.learning_rate > 0)) throw usage_error("the learning rate must be positive");
  for (const auto& [name, p] : {std::pair{"appearance", t.appearance_probability},
                                std::pair{"truncation", t.truncation_probability}})
    if (!(p >= 0 && p <= 1)) throw usage_error("{} must lie in [0, 1], got {}", name, p);
  if (t.resume && t.fill_holes != "auto")
    throw usage_error(
        "fill_holes cannot be set with resume: a resumed training keeps the plan it began with");
  if (!t.initial_model.empty()) {
    const PlanningOptions& p = t.planning;
    if (p.spacing || p.patch_size || p.base_channels || p.levels || p.batch_size || t.resume)
      throw usage_error(
          "fine-tuning (init_from) takes the plan with the weights: spacing, patch_size, "
          "base_channels, levels, batch_size and resume cannot be set with it");
  }
}

json train_result_to_json(const TrainResult& result) {
  const std::vector<LabelClass>& classes = result.plan.classes;
  // Per organ by name; the background (class 0) has no Dice.
  const auto by_organ = [&](const std::vector<double>& dice) {
    json out = json::object();
    for (std::size_t c = 1; c < classes.size() && c - 1 < dice.size(); ++c)
      out[classes[c].name] = std::isfinite(dice[c - 1]) ? json(dice[c - 1]) : json(nullptr);
    return out;
  };
  json history = json::array();
  for (const EpochRecord& e : result.history)
    history.push_back({{"epoch", e.epoch},
                       {"seconds", e.seconds},
                       {"learning_rate", e.learning_rate},
                       {"train_loss", e.train_loss},
                       {"validation_loss", e.validation_loss},
                       {"validation_dice", by_organ(e.validation_dice)}});
  json validation = json::array();
  for (const ValidationRow& row : result.validation)
    validation.push_back(
        {{"patient_id", row.patient_id}, {"scan_id", row.scan_id}, {"dice", by_organ(row.dice)}});
  return {{"plan", plan_to_json(result.plan)},
          {"training_scans", result.training_scans},
          {"validation_scans", result.validation_scans},
          {"history", history},
          {"validation", validation}};
}

}  // namespace modir::learn
