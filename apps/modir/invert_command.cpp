// `modir invert`: the inverse of a displacement field. register writes u on the fixed grid
// (x -> x + u(x) in the moving scan); the inverse v, on the moving grid, carries moving points and
// images the other way (y -> y + v(y) in the fixed scan), e.g. contours drawn on the daily scan
// back to the planning scan.

#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/core/log.h"
#include "modir/core/progress.h"
#include "modir/core/version.h"
#include "modir/io/image_io.h"
#include "modir/io/output_file.h"
#include "modir/transform/invert_field.h"

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct InvertOptions {
  std::string displacement;
  std::string out;
  std::string reference;
  std::string report;
  int iterations = 30;
  double tolerance_mm = 1e-3;
};

nlohmann::json residual_json(const transform::InverseResidual& r) {
  return {{"mean_mm", r.mean_mm}, {"p95_mm", r.p95_mm}, {"max_mm", r.max_mm}, {"points", r.points}};
}

int run_invert(const InvertOptions& options, const GlobalOptions& global) {
  if (options.iterations < 1) throw usage_error("--iterations must be at least 1");
  if (!(options.tolerance_mm > 0.0)) throw usage_error("--tolerance must be positive (mm)");
  const fs::path report_path =
      options.report.empty() ? fs::path(io::strip_image_extension(options.out).string() + ".json")
                             : fs::path(options.report);
  io::refuse_overwriting_inputs(options.out, {options.displacement, options.reference});
  io::refuse_overwriting_inputs(report_path, {options.displacement, options.reference});
  io::output_image_format(options.out);
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  progress.begin_phase("reading", 1);
  const DisplacementField u = io::read_displacement_field(options.displacement);
  const Geometry grid = options.reference.empty()
                            ? u.geometry()
                            : io::read_image_info(options.reference).geometry;
  progress.end_phase();
  progress.begin_phase("inverting", 1);
  transform::InversionOptions inversion;
  inversion.max_iterations = options.iterations;
  inversion.tolerance_mm = options.tolerance_mm;
  const transform::InversionResult result = transform::invert_displacement(u, grid, inversion);
  const transform::InverseResidual back = transform::inverse_consistency(u, result.inverse);
  progress.end_phase();
  progress.begin_phase("writing", 1);
  io::write_displacement_field(result.inverse, options.out);
  const double outside = double(result.outside_points) / double(grid.voxel_count());
  const nlohmann::json report = {
      {"modir_version", kVersion},
      {"command", "invert"},
      {"displacement", options.displacement},
      {"inverse", options.out},
      {"grid", options.reference.empty() ? "the field's" : options.reference},
      // |v(y) + u(y + v(y))|: how exactly each inverse point was solved.
      {"residual_on_inverse_grid", residual_json(result.residual)},
      // |u(x) + v(x + u(x))|: how well v undoes u, including v's interpolation.
      {"residual_on_field_grid", residual_json(back)},
      {"points_outside_field", result.outside_points},
      {"fraction_outside_field", outside},
      {"unconverged_points", result.unconverged_points},
  };
  io::write_text_file(report_path, report.dump(2) + "\n");
  progress.end_phase();
  if (result.unconverged_points > 0) {
    warn("{} point(s) did not reach {} mm (the field folds or nearly folds there); see {}",
         result.unconverged_points, options.tolerance_mm, report_path.string());
  }
  if (outside > 0.01) {
    warn("{:.1f}% of the inverse's points come from outside the field's grid, where the field is "
         "only its edge value continued",
         100.0 * outside);
  }
  fmt::print("inverse: {}\n|u(x) + v(x + u(x))| mean {:.4f} mm, p95 {:.4f} mm, max {:.4f} mm\n"
             "|v(y) + u(y + v(y))| mean {:.5f} mm, max {:.5f} mm\nreport: {}\n",
             options.out, back.mean_mm, back.p95_mm, back.max_mm, result.residual.mean_mm,
             result.residual.max_mm, report_path.string());
  return 0;
}

}  // namespace

CommandAction add_invert_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<InvertOptions>();
  CLI::App* command = app.add_subcommand(
      "invert", "The inverse of a displacement field (Newton's method per point), with residuals");
  command
      ->add_option("--displacement", options->displacement,
                   "displacement field u (LPS mm, x -> x + u(x))")
      ->required();
  command->add_option("--out", options->out, "the inverse field v (y -> y + v(y))")->required();
  command->add_option("--reference", options->reference,
                      "grid of the inverse: usually the moving image (default: u's grid)");
  command->add_option("--report", options->report,
                      "residuals as JSON (default: OUT with .json instead of the image extension)");
  command->add_option("--iterations", options->iterations, "Newton steps per point (default 30)");
  command->add_option("--tolerance", options->tolerance_mm,
                      "stop a point below this residual in mm (default 0.001)");
  return [options, &global] { return run_invert(*options, global); };
}

}  // namespace modir::cli
