#include "modir/landmarks/match_outputs.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "modir/core/hounsfield.h"
#include "modir/core/statistics.h"
#include "modir/filter/resample.h"
#include "modir/io/output_file.h"
#include "modir/io/point_io.h"
#include "modir/report/canvas.h"
#include "modir/report/world_view.h"
#include "modir/transform/sample_field.h"

namespace modir::landmarks {

namespace {

// summary.json holds numbers: an empty set gives 0, not NaN (which JSON cannot hold).
double percentile_or_zero(const std::vector<double>& values, double p) {
  return values.empty() ? 0.0 : percentile(values, p);
}

// matches.csv's found_by column.
const char* found_by_name(FoundBy found_by) {
  switch (found_by) {
    case FoundBy::kMutual:
      return "mutual";
    case FoundBy::kNeighbours:
      return "guided";
    case FoundBy::kOutlines:
      return "outlines";
  }
  return "?";
}

report::Colour confidence_colour(double c) {
  // Red (0) through yellow to green (1).
  const double t = std::clamp(c, 0.0, 1.0);
  return {std::uint8_t(std::lround(255 * std::min(1.0, 2 * (1 - t)))),
          std::uint8_t(std::lround(255 * std::min(1.0, 2 * t))), 40};
}

io::RgbPicture match_picture(const Image<float>& fixed, const MatchResult& result) {
  // A world-aligned grid, so that projecting a world point onto a panel is a scaling.
  const Geometry grid = report::world_aligned_grid(fixed.geometry());
  const Image<float> view =
      grid.same_grid(fixed.geometry())
          ? fixed
          : filter::resample(fixed, grid, filter::Interpolation::kLinear, -1024.0);
  Vec3d centre =
      grid.index_to_world({0.5 * double(grid.size[0] - 1), 0.5 * double(grid.size[1] - 1),
                           0.5 * double(grid.size[2] - 1)});
  if (!result.matches.empty()) {
    centre = {0, 0, 0};
    for (const LandmarkMatch& m : result.matches) centre += m.fixed;
    centre = centre / double(result.matches.size());
  }
  const Vec3d ci = grid.world_to_index(centre);
  Size3 c;
  for (int a = 0; a < 3; ++a)
    c[a] = std::clamp<std::int64_t>(std::llround(ci[a]), 0, grid.size[a] - 1);
  const bool ct = !fixed.buffer().empty() &&
                  *std::min_element(fixed.buffer().begin(), fixed.buffer().end()) < kAirBelowHu;
  report::Window window;
  if (!ct) {
    const auto [lo, hi] = std::minmax_element(view.buffer().begin(), view.buffer().end());
    window = {0.5 * (*lo + *hi), std::max(1e-6, double(*hi - *lo))};
  }
  io::RgbPicture picture = report::orthogonal_picture(view, report::grey_shade(window), {}, c);
  const report::PanelLayout layout = report::orthogonal_layout(grid);
  // Panel pixel of a world point: axial (x, y), coronal (x, flipped z), sagittal (y, flipped z).
  const auto project = [&](int panel, const Vec3d& world) {
    const Vec3d i = grid.world_to_index(world);
    const auto px = [&](int axis, double index) {
      return (index + 0.5) * grid.spacing[axis] / layout.pixel_mm - 0.5;
    };
    const auto& box = layout.panels[std::size_t(panel)];
    const double flipped_z = double(grid.size[2] - 1) - i[2];
    switch (panel) {
      case 0: return std::pair{box[0] + px(0, i[0]), box[1] + px(1, i[1])};
      case 1: return std::pair{box[0] + px(0, i[0]), box[1] + px(2, flipped_z)};
      default: return std::pair{box[0] + px(1, i[1]), box[1] + px(2, flipped_z)};
    }
  };
  // Least confident first, so the confident ones are drawn on top.
  std::vector<const LandmarkMatch*> order;
  for (const LandmarkMatch& m : result.matches) order.push_back(&m);
  std::reverse(order.begin(), order.end());
  for (int panel = 0; panel < 3; ++panel) {
    report::Canvas canvas{picture, layout.panels[std::size_t(panel)]};
    for (const LandmarkMatch* m : order) {
      const auto colour = confidence_colour(m->confidence);
      const auto [x0, y0] = project(panel, m->fixed);
      const auto [x1, y1] = project(panel, m->moving);
      canvas.line(x0, y0, x1, y1, colour);
      // A 3x3 dot at the fixed point.
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          canvas.set(int(std::lround(x0)) + dx, int(std::lround(y0)) + dy, colour);
    }
  }
  report::annotate_orthogonal(
      picture, layout,
      {{"fixed point, confident (line: toward its moving partner)", confidence_colour(1.0)},
       {"fixed point, doubtful", confidence_colour(0.0)}});
  return picture;
}

}  // namespace

std::string match_id(std::size_t index) {
  return fmt::format("auto_{:04d}", index + 1);
}

std::vector<double> match_errors(const MatchResult& result, const DisplacementField& truth) {
  std::vector<double> errors;
  for (const LandmarkMatch& m : result.matches)
    errors.push_back((transform::map_point(truth, m.fixed) - m.moving).norm());
  return errors;
}

nlohmann::json match_summary(const MatchResult& result, const MatchOptions& options,
                             const std::vector<double>* errors) {
  const MatchCounts& c = result.counts;
  nlohmann::json j;
  j["method"] = match_method_name(options.method);
  if (options.method == MatchMethod::kLearned)
    j["model"] = options.learned_model.empty() ? "models/landmarks (shipped)"
                                               : options.learned_model.string();
  j["pairs"] = c.kept;
  j["counts"] = {{"fixed_keypoints", c.fixed_keypoints},
                 {"moving_keypoints", c.moving_keypoints},
                 {"mutual_nearest", c.mutual},
                 {"passed_ratio_test", c.passed_ratio},
                 {"guided_search_found", c.guided_found},
                 {"inconsistent_with_neighbours", c.inconsistent},
                 {"labels_disagree", c.label_disagreement},
                 {"beyond_max_pairs", c.beyond_max}};
  j["consistency_tolerance_mm"] = result.consistency_tolerance_mm;
  j["search_centred_on_shift_mm"] = {result.prior_shift.x, result.prior_shift.y,
                                     result.prior_shift.z};
  j["options"] = {{"spacing_mm", options.spacing_mm},
                  {"search_radius_mm", options.search_radius_mm},
                  {"shift_search_mm", options.shift_search_mm},
                  {"max_ratio", options.max_ratio},
                  {"outline_max_ratio", options.outline_max_ratio},
                  {"guided_radius_mm", options.guided_radius_mm},
                  {"max_pairs", options.max_pairs}};
  std::map<int, std::size_t> per_label;
  std::size_t guided = 0, held = 0;
  std::vector<double> confidence;
  for (const LandmarkMatch& m : result.matches) {
    if (m.fixed_label >= 0) ++per_label[m.fixed_label];
    guided += m.found_by != FoundBy::kMutual ? 1 : 0;
    held += m.found_by == FoundBy::kOutlines ? 1 : 0;
    confidence.push_back(m.confidence);
  }
  j["found_by_guided_search"] = guided;
  j["held_to_organ_outlines"] = held;
  j["confidence_median"] = percentile_or_zero(confidence, 50.0);
  if (!per_label.empty()) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [label, n] : per_label) labels[std::to_string(label)] = n;
    j["pairs_per_fixed_label"] = labels;
  }
  if (!result.message.empty()) j["message"] = result.message;
  if (errors) {
    const std::size_t within = std::size_t(
        std::count_if(errors->begin(), errors->end(), [](double e) { return e <= 3.0; }));
    j["error_against_truth_mm"] = {
        {"median", percentile_or_zero(*errors, 50.0)},
        {"p95", percentile_or_zero(*errors, 95.0)},
        {"max", errors->empty() ? 0.0 : *std::max_element(errors->begin(), errors->end())},
        {"share_within_3mm", errors->empty() ? 0.0 : double(within) / double(errors->size())}};
  }
  return j;
}

void write_match_outputs(const std::filesystem::path& folder, const Image<float>& fixed,
                         const MatchResult& result, const nlohmann::json& summary,
                         const std::vector<double>* errors) {
  PointSet f, m;
  std::string table =
      "id,fixed_x,fixed_y,fixed_z,moving_x,moving_y,moving_z,confidence,ratio,residual_mm,found_by,"
      "fixed_label,moving_label";
  table += errors ? ",error_mm\n" : "\n";
  for (std::size_t i = 0; i < result.matches.size(); ++i) {
    const LandmarkMatch& x = result.matches[i];
    const std::string id = match_id(i);
    f.points.push_back({id, x.fixed});
    m.points.push_back({id, x.moving});
    table += fmt::format(
        "{},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.4f},{:.4f},{:.3f},{},{},{}", id, x.fixed.x,
        x.fixed.y, x.fixed.z, x.moving.x, x.moving.y, x.moving.z, x.confidence, x.ratio,
        x.residual_mm, found_by_name(x.found_by), x.fixed_label, x.moving_label);
    table += errors ? fmt::format(",{:.3f}\n", (*errors)[i]) : "\n";
  }
  io::write_points(f, folder / "fixed_landmarks.csv");
  io::write_points(m, folder / "moving_landmarks.csv");
  io::write_text_file(folder / "matches.csv", table);
  io::write_text_file(folder / "summary.json", summary.dump(2) + "\n");
  io::write_png(match_picture(fixed, result), folder / "landmarks.png");
}

}  // namespace modir::landmarks
