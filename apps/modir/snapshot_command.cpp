// `modir snapshot IMAGE OUT.png`: three orthogonal slices as a picture, with label outlines.

#include <fmt/format.h>

#include "commands.h"
#include "modir/io/image_io.h"
#include "modir/io/output_file.h"
#include "modir/report/snapshot.h"

namespace modir::cli {

namespace {

struct SnapshotOptions {
  std::string image;
  std::string out;
  std::string labels;
  std::vector<double> window;
  std::vector<std::int64_t> slice;
};

int run_snapshot(const SnapshotOptions& options) {
  io::refuse_overwriting_inputs(options.out, {options.image, options.labels});
  io::ReadOptions read;
  read.allow_2d = true;
  const Image<float> image = io::read_image_as<float>(options.image, read);
  std::optional<LabelMap> labels;
  if (!options.labels.empty()) {
    labels = io::read_image_as<std::uint16_t>(options.labels, read);
    if (!labels->geometry().same_grid(image.geometry())) {
      throw data_error("'{}' is not on the grid of '{}'; resample it first (modir convert)",
                       options.labels, options.image);
    }
  }
  report::Window window;
  if (!options.window.empty()) {
    if (options.window.size() != 2 || !(options.window[1] > 0)) {
      throw usage_error("--window needs CENTRE,WIDTH with a positive width");
    }
    window = {options.window[0], options.window[1]};
  }
  std::optional<Size3> centre;
  if (!options.slice.empty()) {
    if (options.slice.size() != 3) throw usage_error("--slice needs three voxel indices i,j,k");
    centre = Size3{options.slice[0], options.slice[1], options.slice[2]};
    for (int a = 0; a < 3; ++a) {
      if ((*centre)[a] < 0 || (*centre)[a] >= image.size()[a]) {
        throw usage_error("--slice index {} is outside 0..{}", (*centre)[a], image.size()[a] - 1);
      }
    }
  }
  io::write_png(report::orthogonal_snapshot(image, labels ? &*labels : nullptr, window, centre),
                options.out);
  return 0;
}

}  // namespace

CommandAction add_snapshot_command(CLI::App& app, const GlobalOptions&) {
  auto options = std::make_shared<SnapshotOptions>();
  CLI::App* command = app.add_subcommand(
      "snapshot",
      "Write axial, coronal and sagittal slices of an image as a PNG, with label outlines");
  command->add_option("image", options->image, "image file or DICOM folder")->required();
  command->add_option("out", options->out, "PNG file to write")->required();
  command->add_option("--labels", options->labels,
                      "label map on the image's grid: outlines in colour");
  command
      ->add_option("--window", options->window,
                   "display window CENTRE,WIDTH (default 40,400: soft tissue)")
      ->delimiter(',')
      ->expected(2);
  command
      ->add_option("--slice", options->slice,
                   "voxel i,j,k the three slices pass through (default: the centre)")
      ->delimiter(',')
      ->expected(3);
  return [options] { return run_snapshot(*options); };
}

}  // namespace modir::cli
