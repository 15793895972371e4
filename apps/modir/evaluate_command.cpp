// `modir evaluate`: how good a registration is. Organ overlap and surface distances between the
// fixed label map and the warped moving one, the Jacobian of the displacement field, and the
// target registration error of landmarks; a table on stdout and everything in --json.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/core/log.h"
#include "modir/core/progress.h"
#include "modir/evaluate/field_error.h"
#include "modir/evaluate/grid_check.h"
#include "modir/evaluate/landmark_error.h"
#include "modir/io/image_format.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/label_names.h"
#include "modir/io/output_file.h"
#include "modir/io/point_io.h"
#include "modir/optimize/pareto/hypervolume.h"
#include "modir/register/front_file.h"
#include "modir/register/run_report.h"
#include "modir/report/evaluation.h"

namespace modir::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct EvaluateOptions {
  std::string fixed_labels;
  std::string warped_labels;
  std::string labels_json;
  std::string fixed_names;
  std::string warped_names;
  std::string displacement;
  std::string fixed_landmarks;
  std::string moving_landmarks;
  std::string front;
  std::string json_out;
  std::string true_displacement;
  std::string fixed_image;
  std::string moving_image;
  std::vector<int> bone_labels{2, 7};
};

void check_usage(const EvaluateOptions& o) {
  if (o.fixed_labels.empty() != o.warped_labels.empty()) {
    throw usage_error("--fixed-labels and --warped-labels go together: give both label maps");
  }
  if (o.fixed_image.empty() != o.moving_image.empty()) {
    throw usage_error("--fixed-image and --moving-image go together: give both scans");
  }
  if (!o.fixed_image.empty() && o.displacement.empty()) {
    throw usage_error("the scans' fiducial markers are carried by a field: add --displacement");
  }
  if (o.fixed_labels.empty() && o.displacement.empty() && o.front.empty()) {
    throw usage_error(
        "nothing to evaluate: give --fixed-labels with --warped-labels, or --displacement, or "
        "both, or --front");
  }
  if (o.fixed_landmarks.empty() != o.moving_landmarks.empty()) {
    throw usage_error("--fixed-landmarks and --moving-landmarks go together: give both files");
  }
  if (!o.fixed_landmarks.empty() && o.displacement.empty()) {
    throw usage_error("landmark errors need the field that maps them: add --displacement");
  }
  if (!o.true_displacement.empty() && o.displacement.empty()) {
    throw usage_error("--true-displacement is compared with --displacement: give both");
  }
  for (const int label : o.bone_labels) {
    if (label < 1 || label > 65535)
      throw usage_error("--bone-labels: {} is not a label 1..65535", label);
  }
  if ((!o.labels_json.empty() || !o.fixed_names.empty() || !o.warped_names.empty()) &&
      o.fixed_labels.empty()) {
    throw usage_error("names files name labels: they need --fixed-labels and --warped-labels");
  }
  if (!o.labels_json.empty() && (!o.fixed_names.empty() || !o.warped_names.empty())) {
    throw usage_error(
        "--labels-json names both maps (one numbering); --fixed-names and "
        "--warped-names name each its own: give one or the other");
  }
  if (!o.json_out.empty()) {
    io::refuse_overwriting_inputs(
        o.json_out, {o.fixed_labels, o.warped_labels, o.labels_json, o.fixed_names, o.warped_names,
                     o.displacement, o.fixed_landmarks, o.moving_landmarks, o.fixed_image,
                     o.moving_image, o.front.empty() ? fs::path() : fs::path(o.front) / "front.json"});
  }
}

// The names of each map's values: --labels-json names both (one numbering); otherwise each map
// its own names file beside it (its sidecar, or a phantom's meta.json), --fixed-names and
// --warped-names overriding. Without names, labels go by number.
struct MapNames {
  io::LabelNames names;
  std::string source;  // empty when there are none
};

MapNames names_of_map(const std::string& option, const std::string& map) {
  if (!option.empty()) return {io::read_label_names(option), option};
  if (auto beside = io::label_names_beside(map))
    return {std::move(beside->names), beside->path.string()};
  return {};
}

// A number for the table, or "-" where there is none (a label missing on one side).
std::string cell(double value, int width, int decimals) {
  if (std::isnan(value)) return fmt::format("{:>{}}", "-", width);
  return fmt::format("{:>{}.{}f}", value, width, decimals);
}

// Overlap and surface distances; the caller has read the fixed map inside the phase "reading
// label maps", which this ends.
json evaluate_labels(const EvaluateOptions& o, const LabelMap& fixed, Progress& progress) {
  LabelMap warped = io::read_label_map(o.warped_labels);
  progress.end_phase();
  evaluate::require_same_grid(fixed.geometry(), o.fixed_labels, warped.geometry(), o.warped_labels);
  MapNames fixed_names, warped_names;
  if (!o.labels_json.empty()) {
    fixed_names = warped_names = {io::read_label_names(o.labels_json), o.labels_json};
  } else {
    fixed_names = names_of_map(o.fixed_names, o.fixed_labels);
    warped_names = names_of_map(o.warped_names, o.warped_labels);
  }
  // Two maps numbered differently are compared organ by organ, paired by name.
  report::ComparedMaps maps =
      report::compare_by_name(fixed, std::move(warped), fixed_names.names, fixed_names.source,
                              warped_names.names, warped_names.source, o.fixed_labels,
                              o.warped_labels);
  if (!maps.pairing.is_null()) {
    fmt::print("labels paired by name (the maps are numbered differently):\n");
    for (const json& line : maps.pairing["lines"]) fmt::print("  {}\n", line.get<std::string>());
  }
  const std::string names_source =
      fixed_names.source.empty() ? warped_names.source : fixed_names.source;

  progress.begin_phase("overlap and surface distances", 1);
  const json labels = report::label_scores(fixed, maps.warped, maps.names);
  progress.end_phase();

  // A missing surface is NaN, which JSON writes as null; the table shows "-".
  const auto number = [](const json& v) { return v.is_number() ? v.get<double>() : NAN; };
  fmt::print("{:>5}  {:<20} {:>6} {:>8} {:>8} {:>8} {:>10} {:>10}\n", "label", "name", "Dice",
             "HD95 mm", "MSD mm", "HD mm", "fixed ml", "warped ml");
  for (const json& l : labels) {
    std::string note;
    if (l["missing_in_fixed"].get<bool>()) note = "  (missing in fixed)";
    if (l["missing_in_warped"].get<bool>()) note = "  (missing in warped)";
    fmt::print("{:>5}  {:<20} {} {} {} {} {} {}{}\n", l["value"].get<int>(),
               l["name"].get<std::string>(), cell(number(l["dice"]), 6, 3),
               cell(number(l["hd95_mm"]), 8, 2), cell(number(l["mean_surface_distance_mm"]), 8, 2),
               cell(number(l["hausdorff_mm"]), 8, 2), cell(number(l["fixed_ml"]), 10, 2),
               cell(number(l["warped_ml"]), 10, 2), note);
  }
  if (labels.empty()) fmt::print("  (no nonzero labels in either map)\n");
  return {{"labels", labels},
          {"label_names_from", names_source.empty() ? json(nullptr) : json(names_source)},
          {"label_pairing", maps.pairing}};
}

json evaluate_jacobian(const DisplacementField& field) {
  const json j = report::jacobian_scores(field);
  fmt::print(
      "Jacobian determinant: min {:.4f}, max {:.4f}, mean {:.4f}, std of log {:.4f}; "
      "{} folded voxel(s) ({:.4f}%)\n",
      j["min"].get<double>(), j["max"].get<double>(), j["mean"].get<double>(),
      j["std_log"].get<double>(), j["folded_voxels"].get<std::int64_t>(),
      100.0 * j["folded_fraction"].get<double>());
  return j;
}

json evaluate_landmarks(const EvaluateOptions& o, const DisplacementField& field) {
  // An elastix index file of fixed points refers to the fixed grid, which the field lives on.
  const PointSet fixed = io::read_points(o.fixed_landmarks, &field.geometry());
  const PointSet moving = io::read_points(o.moving_landmarks);
  evaluate::TargetRegistrationError tre;
  try {
    tre = evaluate::target_registration_error(field, fixed, moving);
  } catch (const Error& e) {
    throw data_error("'{}' and '{}': {}", o.fixed_landmarks, o.moving_landmarks, e.what());
  }
  if (tre.outside_field > 0) {
    warn("{} fixed landmark(s) lie outside the grid of '{}'; they were mapped with its edge value",
         tre.outside_field, o.displacement);
  }
  fmt::print(
      "Landmarks: {} pairs; TRE mean {:.3f}, median {:.3f}, p95 {:.3f}, max {:.3f} mm "
      "(before registration: mean {:.3f} mm)\n",
      tre.points.size(), tre.mean_mm, tre.median_mm, tre.p95_mm, tre.max_mm, tre.initial_mean_mm);
  return report::landmark_scores(tre);
}

// How rigidly the field moves each bone of the fixed labels (none when they hold no bone label).
json evaluate_bone_rigidity(const EvaluateOptions& o, const DisplacementField& field,
                            const LabelMap& fixed) {
  const std::vector<std::uint16_t> labels(o.bone_labels.begin(), o.bone_labels.end());
  json bones = report::bone_rigidity_scores(field, fixed, labels);
  if (!bones["bones"].empty()) {
    fmt::print(
        "Bone rigidity: {} bone piece(s); residual from the best rigid motion: worst RMS {:.3f} "
        "mm\n",
        bones["bones"].size(), bones["worst_rms_mm"].get<double>());
  }
  return bones;
}

json evaluate_field_error(const EvaluateOptions& o, const DisplacementField& field,
                          const LabelMap* body) {
  const DisplacementField truth = io::read_displacement_field(o.true_displacement);
  if (!truth.geometry().same_grid(field.geometry())) {
    throw data_error("'{}' is not on the grid of '{}' ({} vs {})", o.true_displacement,
                     o.displacement, evaluate::describe_grid(truth.geometry()),
                     evaluate::describe_grid(field.geometry()));
  }
  const evaluate::FieldError e = evaluate::field_error(field, truth, body);
  fmt::print("Field error against '{}' over {}: mean {:.3f}, p95 {:.3f}, max {:.3f} mm\n",
             o.true_displacement, body ? "the body (fixed labels > 0)" : "the whole grid",
             e.mean_mm, e.p95_mm, e.max_mm);
  return report::field_error_scores(e, body != nullptr);
}

// The gold markers both scans hold, carried by the field (null when neither scan holds one).
json evaluate_markers(const EvaluateOptions& o, const DisplacementField& field) {
  const Image<float> fixed_scan = io::read_image_as<float>(o.fixed_image);
  const Image<float> moving_scan = io::read_image_as<float>(o.moving_image);
  json markers = reg::fiducial_marker_report(fixed_scan, moving_scan, field);
  if (markers.is_null()) {
    fmt::print("Fiducial markers: none in either scan (small dense objects of a CT in HU)\n");
  } else {
    fmt::print("Fiducial markers: {} paired of {} (fixed) and {} (moving); residual mean {:.3f}, "
               "max {:.3f} mm\n",
               markers["paired"].get<int>(), markers["fixed_found"].get<int>(),
               markers["moving_found"].get<int>(), markers["mean_residual_mm"].get<double>(),
               markers["max_residual_mm"].get<double>());
  }
  return markers;
}

// A Pareto front of `modir register --pareto`: its figures recomputed from its solutions.
json evaluate_front(const std::string& dir) {
  const reg::Front front = reg::read_front(dir);
  const reg::FrontStatistics s = reg::front_statistics(front);
  fmt::print("Front {}: {} solutions ({} folded), {} mutually non-dominated, knee = solution {}\n",
             dir, s.solutions, s.folded, s.non_dominated, front.knee);
  if (s.hypervolume) {
    fmt::print(
        "  hypervolume {:.6f} (normalised by ideal and nadir, reference {}; front.json: {:.6f})\n",
        *s.hypervolume, optimize::pareto::kReportReference, front.hypervolume);
    if (std::abs(*s.hypervolume - front.hypervolume) > 1e-6 * std::max(1.0, front.hypervolume))
      warn(
          "the hypervolume recomputed from the solutions of '{}' ({:.6f}) differs from the one "
          "front.json records ({:.6f})",
          dir, *s.hypervolume, front.hypervolume);
  } else {
    fmt::print("  hypervolume: none (front.json has no normalisation: no unfolded solution)\n");
  }
  for (std::size_t i = 0; i < front.objectives.size(); ++i)
    fmt::print("  {:<12} {:.4g} .. {:.4g}\n", front.objectives[i], s.minimum[i], s.maximum[i]);
  if (s.best_tre_mean_mm)
    fmt::print("  best TRE mean {:.3f} mm (solution {})\n", s.best_tre_mean_mm->second,
               s.best_tre_mean_mm->first);
  if (s.best_mean_dice)
    fmt::print("  best mean Dice {:.3f} (solution {})\n", s.best_mean_dice->second,
               s.best_mean_dice->first);
  for (const auto& [organ, best] : s.best_dice)
    fmt::print("  best Dice of label {}: {:.3f} (solution {})\n", organ, best.second, best.first);
  return to_json(s, front);
}

int run_evaluate(const EvaluateOptions& o, const GlobalOptions& global) {
  check_usage(o);
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  json report = {{"inputs",
                  {{"fixed_labels", o.fixed_labels},
                   {"warped_labels", o.warped_labels},
                   {"displacement", o.displacement},
                   {"fixed_landmarks", o.fixed_landmarks},
                   {"moving_landmarks", o.moving_landmarks},
                   {"true_displacement", o.true_displacement},
                   {"fixed_image", o.fixed_image},
                   {"moving_image", o.moving_image},
                   {"front", o.front}}}};
  // Read once: the overlap, the bones and the body region of the field error all use it.
  std::optional<LabelMap> fixed;
  if (!o.fixed_labels.empty()) {
    progress.begin_phase("reading label maps", 2);
    fixed = io::read_label_map(o.fixed_labels);
    progress.advance();
    report.update(evaluate_labels(o, *fixed, progress));
  }
  if (!o.displacement.empty()) {
    progress.begin_phase("reading displacement field", 1);
    const DisplacementField field = io::read_displacement_field(o.displacement);
    progress.end_phase();
    if (!o.fixed_labels.empty()) {
      const Geometry fixed_grid = io::read_image_info(o.fixed_labels).geometry;
      if (!field.geometry().same_grid(fixed_grid)) {
        warn("'{}' is not on the grid of '{}' ({} vs {}); a field lives on the fixed grid",
             o.displacement, o.fixed_labels, evaluate::describe_grid(field.geometry()),
             evaluate::describe_grid(fixed_grid));
      }
    }
    progress.begin_phase("Jacobian determinant", 1);
    report["jacobian"] = evaluate_jacobian(field);
    progress.end_phase();
    if (!o.fixed_landmarks.empty()) report["landmarks"] = evaluate_landmarks(o, field);
    const bool labels_on_field = fixed && fixed->geometry().same_grid(field.geometry());
    if (labels_on_field) report["bone_rigidity"] = evaluate_bone_rigidity(o, field, *fixed);
    if (!o.true_displacement.empty())
      report["field_error"] = evaluate_field_error(o, field, labels_on_field ? &*fixed : nullptr);
    if (!o.fixed_image.empty()) report["fiducial_markers"] = evaluate_markers(o, field);
  }
  if (!o.front.empty()) report["front"] = evaluate_front(o.front);
  if (!o.json_out.empty()) io::write_text_file(o.json_out, report.dump(2) + "\n");
  return 0;
}

}  // namespace

CommandAction add_evaluate_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<EvaluateOptions>();
  CLI::App* command = app.add_subcommand(
      "evaluate",
      "Measure a registration: Dice and surface distances per organ, Jacobian of the field, "
      "landmark errors");
  command->add_option("--fixed-labels", options->fixed_labels, "label map of the fixed scan");
  command->add_option("--warped-labels", options->warped_labels,
                      "moving label map warped onto the fixed grid");
  command->add_option("--labels-json", options->labels_json,
                      "names of both maps' labels (one numbering): a label sidecar (modir "
                      "convert) or a phantom's meta.json");
  command->add_option("--fixed-names", options->fixed_names,
                      "names of the fixed map's labels (default: the names file beside it)");
  command->add_option("--warped-names", options->warped_names,
                      "names of the warped map's labels (default: the names file beside it); "
                      "maps numbered differently are paired by name");
  command->add_option("--displacement", options->displacement,
                      "displacement field on the fixed grid (x -> x + u(x), LPS mm)");
  command->add_option("--fixed-landmarks", options->fixed_landmarks,
                      "landmarks of the fixed scan (needs --displacement)");
  command->add_option("--moving-landmarks", options->moving_landmarks,
                      "the same landmarks in the moving scan, paired by id");
  command->add_option("--front", options->front,
                      "a Pareto front folder (modir register --pareto): hypervolume, spread, "
                      "non-dominated count, best truth scores");
  command->add_option("--true-displacement", options->true_displacement,
                      "the true field (e.g. a phantom's gt_displacement): error of the whole "
                      "field over the body (fixed labels > 0), or the whole grid without labels");
  command
      ->add_option("--bone-labels", options->bone_labels,
                   "labels that move rigidly: each piece's residual from its best rigid motion "
                   "(default 2,7: modir's bone and femoral heads)")
      ->delimiter(',');
  command->add_option("--fixed-image", options->fixed_image,
                      "the fixed CT: with --moving-image, its gold fiducial markers (small dense "
                      "objects) are carried by --displacement to their partners in the moving CT");
  command->add_option("--moving-image", options->moving_image, "the moving CT (see --fixed-image)");
  command->add_option("--json", options->json_out, "write every figure to this JSON file");
  return [options, &global] { return run_evaluate(*options, global); };
}

}  // namespace modir::cli
