// `modir info PATH`: what a file or DICOM folder holds, as text or --json.

#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "input_kind.h"
#include "modir/core/log.h"
#include "modir/io/dicom_series.h"
#include "summaries.h"

namespace modir::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct InfoOptions {
  std::string path;
  bool json_output = false;
  std::string series_uid;
  std::string array;
  std::string reference;
};

std::string numbers(const json& values, const char* separator) {
  std::string s;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) s += separator;
    s += fmt::format("{:.6g}", values[i].get<double>() + 0.0);  // + 0.0 prints -0 as 0
  }
  return s;
}

void print_image(const json& j) {
  const json& g = j["geometry"];
  fmt::print("{}\n", j["path"].get<std::string>());
  fmt::print("  format       {} ({}D in file, stored as {}, read as {}{})\n",
             j["format"].get<std::string>(), j["dimension_in_file"].get<int>(),
             j["stored_as"].get<std::string>(), j["pixel_type"].get<std::string>(),
             j["components"].get<int>() > 1
                 ? fmt::format(", {} components", j["components"].get<int>())
                 : "");
  fmt::print("  size         {} voxels\n",
             fmt::format("{} x {} x {}", g["size"][0].get<long>(), g["size"][1].get<long>(),
                         g["size"][2].get<long>()));
  fmt::print("  spacing      {} mm\n", numbers(g["spacing_mm"], " x "));
  fmt::print("  origin       ({}) mm, LPS\n", numbers(g["origin_mm"], ", "));
  const json& d = g["direction"];
  fmt::print("  direction    [{}; {}; {}]\n", numbers(d[0], " "), numbers(d[1], " "),
             numbers(d[2], " "));
  fmt::print("  orientation  {} (ITK code {})\n", g["orientation"].get<std::string>(),
             g["orientation_itk"].get<std::string>());
  fmt::print("  extent       {} mm\n", numbers(g["extent_mm"], " x "));
  const json* stats = j.contains("intensity")             ? &j["intensity"]
                      : j.contains("vector_magnitude_mm") ? &j["vector_magnitude_mm"]
                                                          : nullptr;
  if (stats != nullptr) {
    const char* what = j.contains("intensity") ? "intensity" : "|vector| mm";
    if ((*stats)["min"].is_null()) {
      fmt::print("  {:<12} no finite values\n", what);
    } else {
      fmt::print("  {:<12} {:.6g} .. {:.6g} (mean {:.6g})\n", what, (*stats)["min"].get<double>(),
                 (*stats)["max"].get<double>(), (*stats)["mean"].get<double>());
    }
    fmt::print("  non-finite   {} voxels\n", (*stats)["non_finite"].get<long>());
  }
  for (const auto& note : j["notes"]) fmt::print("  note         {}\n", note.get<std::string>());
}

void print_rtstruct(const json& j) {
  fmt::print("{}\n  RT Structure Set '{}'\n  drawn on series {} ({} referenced images)\n",
             j["path"].get<std::string>(), j["label"].get<std::string>(),
             j["referenced_series_uid"].get<std::string>(), j["referenced_images"].get<long>());
  fmt::print("  {:>4}  {:<24} {:<12} {:>8} {:>8}\n", "roi", "name", "type", "contours", "points");
  for (const auto& s : j["structures"]) {
    fmt::print("  {:>4}  {:<24} {:<12} {:>8} {:>8}\n", s["roi_number"].get<int>(),
               s["name"].get<std::string>(), s["type"].get<std::string>(),
               s["contours"].get<long>(), s["points"].get<long>());
  }
}

void print_dicom_folder(const json& j) {
  fmt::print("{}\n  DICOM folder: {} image series, {} other objects\n",
             j["path"].get<std::string>(), j["series"].size(), j["other_objects"].size());
  for (const auto& s : j["series"]) {
    fmt::print("  series {} {} '{}': {} slices\n", s["series_uid"].get<std::string>(),
               s["modality"].get<std::string>(), s["description"].get<std::string>(),
               s["slices"].get<long>());
  }
  for (const auto& o : j["other_objects"]) {
    fmt::print("  object {} {}\n", o["modality"].get<std::string>(), o["file"].get<std::string>());
  }
  if (j.contains("image")) print_image(j["image"]);
  if (j.contains("rtstructs")) {
    for (const auto& rs : j["rtstructs"]) print_rtstruct(rs);
  }
}

void print_points(const json& j) {
  fmt::print("{}\n  {} points ({})\n", j["path"].get<std::string>(), j["count"].get<long>(),
             j["frame"].get<std::string>());
  if (j.contains("bounds_min_mm")) {
    fmt::print("  bounds       ({}) .. ({})\n", numbers(j["bounds_min_mm"], ", "),
               numbers(j["bounds_max_mm"], ", "));
    std::string ids;
    for (const auto& id : j["first_ids"]) ids += (ids.empty() ? "" : ", ") + id.get<std::string>();
    fmt::print("  first ids    {}\n", ids);
  }
}

void print_numpy(const json& j) {
  fmt::print("{}\n  numpy arrays (no geometry stored: 1 mm spacing assumed)\n",
             j["path"].get<std::string>());
  for (const auto& a : j["arrays"]) {
    std::string shape;
    for (const auto& n : a["shape"])
      shape += (shape.empty() ? "" : " x ") + std::to_string(n.get<long>());
    fmt::print("  {:<12} {:<6} {}{}\n", a["name"].get<std::string>(), a["dtype"].get<std::string>(),
               shape, a["fortran_order"].get<bool>() ? " (Fortran order)" : "");
  }
}

json describe_dicom_folder(const fs::path& path, const InfoOptions& options) {
  const io::DicomScan scan = io::scan_dicom(path);
  json j = describe_dicom_scan(scan);
  j["path"] = path.string();
  j["kind"] = "dicom folder";
  if (scan.series.size() == 1 || !options.series_uid.empty()) {
    io::ReadOptions read;
    read.dicom_series_uid = options.series_uid;
    j["image"] = describe_image(path, read);
  }
  j["rtstructs"] = json::array();
  for (const io::DicomObject& o : scan.other_objects) {
    if (o.modality == "RTSTRUCT") j["rtstructs"].push_back(describe_rtstruct(o.file));
  }
  return j;
}

int run_info(const InfoOptions& options) {
  const fs::path path = options.path;
  io::ReadOptions read;
  read.dicom_series_uid = options.series_uid;
  read.npz_array = options.array;

  json j;
  switch (classify_input(path)) {
    case InputKind::kDicomFolder: j = describe_dicom_folder(path, options); break;
    case InputKind::kRtStruct: j = describe_rtstruct(path); break;
    case InputKind::kDeformableRegistration: j = describe_deformable_registration(path); break;
    case InputKind::kPoints: {
      std::optional<Geometry> reference;
      if (!options.reference.empty()) {
        io::ReadOptions reference_options;
        reference_options.allow_2d = true;
        reference = io::read_image_info(options.reference, reference_options).geometry;
      }
      j = describe_points(path, reference ? &*reference : nullptr);
      break;
    }
    case InputKind::kNumpy:
      j = describe_numpy(path);
      if (j["arrays"].size() == 1 || !options.array.empty())
        j["image"] = describe_image(path, read);
      break;
    case InputKind::kImage: j = describe_image(path, read); break;
  }

  if (options.json_output) {
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  const std::string kind = j["kind"];
  if (kind == "dicom folder")
    print_dicom_folder(j);
  else if (kind == "rtstruct")
    print_rtstruct(j);
  else if (kind == "points")
    print_points(j);
  else if (kind == "numpy") {
    print_numpy(j);
    if (j.contains("image")) print_image(j["image"]);
  } else
    print_image(j);

  const json& image = j.contains("image") ? j["image"] : j;
  for (const char* key : {"intensity", "vector_magnitude_mm"}) {
    if (image.contains(key) && image[key]["non_finite"].get<long>() > 0) {
      warn(
          "'{}' has {} NaN or infinite voxel(s); other commands refuse it unless asked to "
          "replace them (--replace-nonfinite)",
          path.string(), image[key]["non_finite"].get<long>());
    }
  }
  return 0;
}

}  // namespace

CommandAction add_info_command(CLI::App& app, const GlobalOptions&) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* command = app.add_subcommand(
      "info", "Describe an image, DICOM folder, RT Structure Set, point file or numpy file");
  command->add_option("path", options->path, "file or DICOM folder")->required();
  command->add_flag("--json", options->json_output, "machine-readable output on stdout");
  command->add_option("--series", options->series_uid, "DICOM: the series to describe (by UID)");
  command->add_option("--array", options->array, "numpy .npz: the array to describe as an image");
  command->add_option("--reference", options->reference,
                      "elastix index point files: the image the indices refer to");
  return [options] { return run_info(*options); };
}

}  // namespace modir::cli
