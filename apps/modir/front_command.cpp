// `modir front`: work with the Pareto front written by `modir register --pareto N --out DIR`.
// `pick` chooses one solution by rules a clinician states, `export` writes the full outputs of a
// solution, `plot` draws the pairwise projections of the objectives.

#include <algorithm>
#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/clinical/front_export.h"
#include "modir/core/error.h"
#include "modir/core/sha256.h"
#include "modir/core/version.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/io/png_io.h"
#include "modir/register/front_file.h"
#include "modir/register/front_pick.h"
#include "modir/register/input_files.h"
#include "modir/register/result_outputs.h"
#include "modir/register/transform_file.h"
#include "modir/report/front_plot.h"
#include "pick_options.h"

namespace modir::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct PickOptions {
  std::string dir;
  reg::PickRules rules;
  std::string json_out;
  std::string export_dir;
};

struct ExportOptions {
  std::string dir;
  std::optional<std::size_t> index;
  std::string out;
};

struct PlotOptions {
  std::string dir;
  std::string out;
  std::optional<std::size_t> mark;
};

std::size_t checked_index(const reg::Front& front, std::size_t index, const std::string& option) {
  if (index >= front.solutions.size())
    throw usage_error("{} {} is not a solution of {}: it has {} (0..{})", option, index,
                      front.dir.string(), front.solutions.size(), front.solutions.size() - 1);
  return index;
}

std::string objectives_text(const reg::Front& front, const reg::FrontEntry& e) {
  std::string out;
  for (std::size_t i = 0; i < front.objectives.size(); ++i)
    out += fmt::format("{}{} {:.4g}{}", i ? ", " : "", front.objectives[i], e.objectives[i],
                       front.objectives[i] == "guidance" ? " mm" : "");
  return out;
}

void print_solution(const reg::Front& front, std::size_t k) {
  const reg::FrontEntry& e = front.solutions[k];
  fmt::print("picked solution {} of {}\n", k, (front.dir / "front.json").string());
  fmt::print("  objectives: {}\n", objectives_text(front, e));
  std::string weights;
  for (const auto& [name, w] : e.weights)
    weights += fmt::format("{}{} {:.4g}", weights.empty() ? "" : ", ", name, w);
  fmt::print("  weights: {}\n", weights);
  if (!e.organ_distance_mm.empty()) {
    std::string organs;
    for (const auto& [organ, mm] : e.organ_distance_mm)
      organs += fmt::format("{}{} {:.3g} mm", organs.empty() ? "" : ", ", organ, mm);
    fmt::print("  organ distances: {}\n", organs);
  }
  if (e.landmark_rms_mm) fmt::print("  landmark RMS: {:.3g} mm\n", *e.landmark_rms_mm);
  fmt::print("  folded fraction {:.3g}, Jacobian min {:.3f}\n", e.folded_fraction, e.jacobian_min);
  if (e.truth) {
    std::string dice;
    for (const auto& [organ, d] : e.truth->dice)
      dice += fmt::format("{}{} {:.3f}", dice.empty() ? "" : ", ", organ, d);
    fmt::print("  truth: TRE mean {:.3g} mm, p95 {:.3g} mm; Dice {}\n", e.truth->tre_mean_mm,
               e.truth->tre_p95_mm, dice.empty() ? "-" : dice);
  }
  fmt::print("  transform: {}\n", (front.dir / e.transform).string());
}

int run_pick(const PickOptions& o) {
  const reg::Front front = reg::read_front(o.dir);
  if (!o.json_out.empty()) io::refuse_overwriting_inputs(o.json_out, {front.dir / "front.json"});
  const reg::PickOutcome outcome = reg::pick_solution(front, o.rules);
  if (!outcome.chosen) throw data_error("{}", outcome.reason);
  const std::size_t k = *outcome.chosen;
  print_solution(front, k);
  fmt::print("why: {}\n", outcome.reason);
  if (!o.json_out.empty())
    io::write_text_file(o.json_out, reg::pick_record(front, o.rules, outcome).dump(2) + "\n");
  if (!o.export_dir.empty()) clinical::export_solution(front, k, o.export_dir);
  return 0;
}

int run_export(const ExportOptions& o) {
  const reg::Front front = reg::read_front(o.dir);
  const std::size_t k = checked_index(front, o.index.value_or(front.knee), "--index");
  clinical::export_solution(front, k, o.out);
  return 0;
}

int run_plot(const PlotOptions& o) {
  const reg::Front front = reg::read_front(o.dir);
  const std::size_t mark = checked_index(front, o.mark.value_or(front.knee), "--mark");
  const fs::path out = o.out.empty() ? front.dir / "front.png" : fs::path(o.out);
  io::refuse_overwriting_inputs(out, {front.dir / "front.json"});
  const io::RgbPicture picture = report::plot_front(front, mark);
  io::write_png(picture, out);
  fmt::print("wrote {} ({}x{} pixels): {} solutions, solution {} marked\n", out.string(),
             picture.width, picture.height, front.solutions.size(), mark);
  return 0;
}

}  // namespace

CommandAction add_front_command(CLI::App& app, const GlobalOptions& /*global*/) {
  CLI::App* front = app.add_subcommand(
      "front", "Work with a Pareto front written by 'modir register --pareto N --out DIR'");
  front->require_subcommand(1);

  auto pick = std::make_shared<PickOptions>();
  CLI::App* p = front->add_subcommand(
      "pick",
      "Choose one solution: the knee, or the smallest objective among those meeting limits");
  p->footer(
      "Examples:\n"
      "  the smallest deformation whose guidance error is below 2 mm:\n"
      "    modir front pick DIR --minimise deformation --max-guidance 2\n"
      "  the best image match with no organ worse than 3 mm:\n"
      "    modir front pick DIR --minimise image --max-organ-mm 3");
  p->fallthrough();
  p->add_option("dir", pick->dir, "front folder (holding front.json)")->required();
  add_pick_options(*p, pick->rules, "Options");
  p->add_option("--json", pick->json_out, "write the choice and the reason to this JSON file");
  p->add_option("--export", pick->export_dir,
                "also write the chosen solution's full outputs into this folder");

  auto exp = std::make_shared<ExportOptions>();
  CLI::App* e = front->add_subcommand(
      "export",
      "Write the full outputs of one solution (displacement, warped image and labels, Jacobian, "
      "transform, report) after checking the inputs are unchanged");
  e->fallthrough();
  e->add_option("dir", exp->dir, "front folder (holding front.json)")->required();
  e->add_option("--index", exp->index, "solution to export (default: the knee)");
  e->add_option("--out", exp->out, "output folder")->required();

  auto plot = std::make_shared<PlotOptions>();
  CLI::App* g = front->add_subcommand(
      "plot", "Draw the pairwise projections of the objectives as a PNG, the knee ringed");
  g->fallthrough();
  g->add_option("dir", plot->dir, "front folder (holding front.json)")->required();
  g->add_option("--out", plot->out, "PNG to write (default: DIR/front.png)");
  g->add_option("--mark", plot->mark, "solution to highlight (default: the knee)");

  return [=] {
    if (p->parsed()) return run_pick(*pick);
    if (e->parsed()) return run_export(*exp);
    return run_plot(*plot);
  };
}

}  // namespace modir::cli
