#include "modir/register/result_outputs.h"

#include <sys/resource.h>

#include <chrono>

#include "modir/core/convert_pixels.h"
#include "modir/io/image_io.h"
#include "modir/io/output_file.h"
#include "modir/register/run_report.h"
#include "modir/register/transform_file.h"
#include "modir/transform/warp.h"
#include "modir/transform/warp_labels.h"

namespace modir::reg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json terms_json(const std::vector<TermValue>& terms) {
  json out = json::array();
  for (const TermValue& t : terms) {
    out.push_back({{"name", t.name},
                   {"objective", objective::group_name(t.group)},
                   {"weight", t.weight},
                   {"value", t.value}});
  }
  return out;
}

}  // namespace

double peak_memory_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

json levels_to_json(const std::vector<LevelLog>& levels) {
  json out = json::array();
  for (const LevelLog& l : levels) {
    json j = {{"stage", l.stage},
              {"level", l.level},
              {"grid_size", {l.grid.size[0], l.grid.size[1], l.grid.size[2]}},
              {"grid_spacing_mm", {l.grid.spacing.x, l.grid.spacing.y, l.grid.spacing.z}},
              {"iterations", l.iterations},
              {"evaluations", l.evaluations},
              {"stop_reason", l.stop_reason},
              {"seconds", l.seconds},
              {"objective_history", l.history},
              {"terms_start", terms_json(l.start_terms)},
              {"terms_end", terms_json(l.end_terms)}};
    if (l.control_spacing_mm > 0) j["control_spacing_mm"] = l.control_spacing_mm;
    out.push_back(std::move(j));
  }
  return out;
}

ResultImages result_images(const RegistrationResult& result, const RegistrationInputs& inputs) {
  ResultImages images;
  images.displacement = displacement_on(result, inputs.fixed.geometry());
  transform::warp_linear(inputs.moving, images.displacement, images.warped);
  if (inputs.moving_labels)
    images.warped_labels = transform::warp_labels(*inputs.moving_labels, images.displacement);
  images.jacobian = transform::jacobian_determinant(images.displacement);
  return images;
}

ResultSummary write_result_images(const ResultImages& images, const RegistrationResult& result,
                                  PixelType moving_pixel_type, const fs::path& out_dir) {
  const auto start = std::chrono::steady_clock::now();
  fs::create_directories(out_dir);
  ResultSummary summary;
  io::write_displacement_field(images.displacement, out_dir / "displacement.nii.gz");
  io::write_image(convert_pixels(AnyImage(images.warped), moving_pixel_type),
                  out_dir / "warped.nii.gz");
  if (images.warped_labels) io::write_image(*images.warped_labels, out_dir / "warped_labels.nii.gz");
  summary.jacobian = transform::jacobian_statistics(images.jacobian);
  io::write_image(images.jacobian, out_dir / "jacobian.nii.gz");
  io::write_text_file(out_dir / "transform.json", transform_to_json(result).dump(1) + "\n");
  summary.seconds_writing =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

ResultSummary write_result_outputs(const RegistrationResult& result,
                                   const RegistrationInputs& inputs, PixelType moving_pixel_type,
                                   const fs::path& out_dir) {
  const auto start = std::chrono::steady_clock::now();
  const ResultImages images = result_images(result, inputs);
  ResultSummary summary = write_result_images(images, result, moving_pixel_type, out_dir);
  summary.fiducial_markers = fiducial_marker_report(inputs.fixed, inputs.moving, images.displacement);
  // Writing, as the report counts it, includes making the images.
  summary.seconds_writing =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace modir::reg
