// `modir snapshot IMAGE OUT.png`: three orthogonal slices in world space (along L, P, S whatever
// the scan's direction) through a chosen point or organ, with label outlines, orientation
// letters, a scale bar and a legend.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "commands.h"
#include "modir/filter/resample.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/label_names.h"
#include "modir/io/output_file.h"
#include "modir/report/snapshot.h"
#include "modir/report/world_view.h"

namespace modir::cli {

namespace {

struct SnapshotOptions {
  std::string image;
  std::string out;
  std::string labels;
  std::vector<double> window;
  std::vector<std::int64_t> slice;
  std::vector<double> point;
  std::string organ;
};

// The label value `organ` names: a number, or a name in the labels' names file.
std::uint16_t organ_value(const std::string& organ, const io::LabelNames& names,
                          const std::string& labels_path) {
  if (!organ.empty() &&
      std::all_of(organ.begin(), organ.end(), [](unsigned char c) { return std::isdigit(c); }))
    return static_cast<std::uint16_t>(std::stoul(organ));
  std::string known;
  for (const auto& [value, name] : names) {
    if (name.name == organ) return value;
    known += (known.empty() ? "" : ", ") + name.name;
  }
  throw usage_error("--organ {}: no label of {} has that name{}", organ, labels_path,
                    known.empty() ? " (it has no names file: give the label's number)"
                                  : " (its labels: " + known + ")");
}

// The world point (LPS mm) the slices pass through.
Vec3d centre_point(const SnapshotOptions& o, const Image<float>& image, const LabelMap* labels,
                   const io::LabelNames& names) {
  const Geometry& g = image.geometry();
  const int given = !o.slice.empty() + !o.point.empty() + !o.organ.empty();
  if (given > 1) throw usage_error("give one of --slice, --point and --organ");
  if (!o.slice.empty()) {
    if (o.slice.size() != 3) throw usage_error("--slice needs three voxel indices i,j,k");
    for (int a = 0; a < 3; ++a)
      if (o.slice[a] < 0 || o.slice[a] >= g.size[a])
        throw usage_error("--slice index {} is outside 0..{}", o.slice[a], g.size[a] - 1);
    return g.index_to_world(Vec3d{static_cast<double>(o.slice[0]), static_cast<double>(o.slice[1]),
                                  static_cast<double>(o.slice[2])});
  }
  if (!o.point.empty()) {
    if (o.point.size() != 3) throw usage_error("--point needs x,y,z in LPS mm");
    const Vec3d p{o.point[0], o.point[1], o.point[2]};
    if (!g.contains_index(g.world_to_index(p)))
      throw usage_error("--point {:g},{:g},{:g} (LPS mm) lies outside {}", p.x, p.y, p.z, o.image);
    return p;
  }
  if (!o.organ.empty()) {
    if (labels == nullptr) throw usage_error("--organ needs --labels");
    const std::uint16_t value = organ_value(o.organ, names, o.labels);
    Vec3d sum{0, 0, 0};
    std::int64_t count = 0;
    const Size3 n = labels->size();
    for (std::int64_t z = 0; z < n[2]; ++z)
      for (std::int64_t y = 0; y < n[1]; ++y)
        for (std::int64_t x = 0; x < n[0]; ++x)
          if ((*labels)(x, y, z) == value) {
            sum =
                sum + Vec3d{static_cast<double>(x), static_cast<double>(y), static_cast<double>(z)};
            ++count;
          }
    if (count == 0)
      throw data_error("--organ {}: label {} is empty in {}", o.organ, value, o.labels);
    return g.index_to_world(sum * (1.0 / static_cast<double>(count)));
  }
  return g.index_to_world(
      Vec3d{(g.size[0] - 1) / 2.0, (g.size[1] - 1) / 2.0, (g.size[2] - 1) / 2.0});
}

int run_snapshot(const SnapshotOptions& o) {
  io::refuse_overwriting_inputs(o.out, {o.image, o.labels});
  io::ReadOptions read;
  read.allow_2d = true;
  const Image<float> image = io::read_image_as<float>(o.image, read);
  std::optional<LabelMap> labels;
  io::LabelNames names;
  if (!o.labels.empty()) {
    labels = io::read_label_map(o.labels, read);
    io::check_label_grid(*labels, image.geometry(), o.labels, o.image);
    if (auto file = io::label_names_beside(o.labels)) names = file->names;
  }
  report::Window window;
  if (!o.window.empty()) {
    if (o.window.size() != 2 || !(o.window[1] > 0)) {
      throw usage_error("--window needs CENTRE,WIDTH with a positive width");
    }
    window = {o.window[0], o.window[1]};
  }
  const Vec3d point = centre_point(o, image, labels ? &*labels : nullptr, names);

  // Slices along L, P and S: resampled when the scan's axes are not those.
  const Geometry grid = report::world_aligned_grid(image.geometry());
  const bool aligned = grid.same_grid(image.geometry(), 0.0);
  const float air = *std::min_element(image.buffer().begin(), image.buffer().end());
  const Image<float> view =
      aligned ? image : filter::resample(image, grid, filter::Interpolation::kLinear, air);
  std::optional<LabelMap> label_view;
  if (labels)
    label_view =
        aligned ? *labels : filter::resample(*labels, grid, filter::Interpolation::kNearest);
  const Vec3d index = grid.world_to_index(point);
  Size3 centre;
  for (int a = 0; a < 3; ++a)
    centre[a] = std::clamp<std::int64_t>(std::llround(index[a]), 0, grid.size[a] - 1);

  std::vector<report::Outlines> outlines;
  report::LabelColours colours;
  std::vector<report::LegendEntry> legend;
  if (label_view) {
    // The labels on the three slices, with the names file's colours where it has them.
    std::vector<bool> shown(65536, false);
    const Size3 n = grid.size;
    for (std::int64_t a = 0; a < n[0]; ++a)
      for (std::int64_t b = 0; b < n[1]; ++b) shown[(*label_view)(a, b, centre[2])] = true;
    for (std::int64_t a = 0; a < n[0]; ++a)
      for (std::int64_t c = 0; c < n[2]; ++c) shown[(*label_view)(a, centre[1], c)] = true;
    for (std::int64_t b = 0; b < n[1]; ++b)
      for (std::int64_t c = 0; c < n[2]; ++c) shown[(*label_view)(centre[0], b, c)] = true;
    std::uint16_t top = 0;
    for (std::size_t v = 1; v < shown.size(); ++v)
      if (shown[v]) top = static_cast<std::uint16_t>(v);
    colours.resize(top + 1u);
    for (std::uint16_t v = 1; v <= top; ++v) {
      const auto it = names.find(v);
      colours[v] = report::default_label_colour(v);
      if (it != names.end() && it->second.color)
        for (int c = 0; c < 3; ++c)
          colours[v][c] = static_cast<std::uint8_t>((*it->second.color)[c]);
      if (shown[v])
        legend.push_back(
            {it != names.end() ? it->second.name : fmt::format("label {}", v), colours[v]});
    }
    outlines.push_back({&*label_view, &colours});
  }
  io::RgbPicture picture =
      report::orthogonal_picture(view, report::grey_shade(window), outlines, centre);
  report::annotate_orthogonal(picture, report::orthogonal_layout(grid), legend);
  io::write_png(picture, o.out);
  return 0;
}

}  // namespace

CommandAction add_snapshot_command(CLI::App& app, const GlobalOptions&) {
  auto options = std::make_shared<SnapshotOptions>();
  CLI::App* command = app.add_subcommand(
      "snapshot",
      "Write axial, coronal and sagittal slices (world space, radiological view) as a PNG, with "
      "label outlines, orientation letters, a scale bar and a legend");
  command->add_option("image", options->image, "image file or DICOM folder")->required();
  command->add_option("out", options->out, "PNG file to write")->required();
  command->add_option("--labels", options->labels,
                      "label map on the image's grid: outlines in colour, named in the legend");
  command
      ->add_option("--window", options->window,
                   "display window CENTRE,WIDTH (default 40,400: soft tissue)")
      ->delimiter(',')
      ->expected(2);
  command
      ->add_option("--point", options->point,
                   "world point x,y,z (LPS mm) the three slices pass through (default: the centre)")
      ->delimiter(',')
      ->expected(3);
  command->add_option("--organ", options->organ,
                      "slices through the centre of this label (a name from the labels' names "
                      "file, or a number); needs --labels");
  command
      ->add_option("--slice", options->slice,
                   "voxel i,j,k of the image the three slices pass through")
      ->delimiter(',')
      ->expected(3);
  return [options] { return run_snapshot(*options); };
}

}  // namespace modir::cli
