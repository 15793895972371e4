#include "modir/review/review_volumes.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "modir/core/convert_pixels.h"
#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/register/registration.h"
#include "modir/register/transform_file.h"
#include "modir/review/derived_volumes.h"
#include "modir/review/safe_path.h"
#include "modir/transform/jacobian.h"
#include "modir/transform/warp.h"
#include "modir/transform/warp_labels.h"

namespace modir::review {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// NIfTI bytes kept for quick switching back and forth; beyond this the oldest are dropped.
constexpr std::size_t kMaxCachedBytes = std::size_t{1536} << 20;
// Solutions whose field and images are kept (a medium one holds about 150 MB).
constexpr std::size_t kMaxCachedSolutions = 3;

bool is_input(const std::string& id) {
  return id == "fixed" || id == "moving" || id == "fixed_labels" || id == "moving_labels";
}

void need_same_grid(const Image<float>& a, const Image<float>& b, const char* what) {
  if (!a.geometry().same_grid(b.geometry()))
    throw data_error("the {} needs the warped scan on the fixed scan's grid, and it is not", what);
}

}  // namespace

// A solution's field, and what has been asked of it so far (each computed on first request).
struct VolumeSource::SolutionImages {
  DisplacementField u;
  std::optional<Image<float>> warped;
  std::optional<LabelMap> warped_labels;
  std::optional<Image<float>> jacobian;
};

VolumeSource::VolumeSource(const ReviewFolder& folder, fs::path scratch)
    : folder_(folder), scratch_(std::move(scratch)) {}

std::optional<std::string> VolumeSource::unavailable_reason(const std::string& id) const {
  // A volume read from a file: the run's input or the folder's own output.
  const auto source = [&](const std::string& name) -> std::optional<std::string> {
    if (folder_.sources.count(name)) return std::nullopt;
    const auto it = folder_.unavailable.find(name);
    return it != folder_.unavailable.end() ? it->second : "not part of this result";
  };
  // A volume the folder may hold, or that is computed from the displacement.
  const auto derived = [&](const std::string& name,
                           const std::vector<std::string>& from) -> std::optional<std::string> {
    if (folder_.sources.count(name)) return std::nullopt;
    for (const std::string& f : from)
      if (auto why = source(f)) return f + ": " + *why;
    return std::nullopt;
  };
  if (is_input(id) || id == "warped_labels") return source(id);
  if (id == "warped") return derived("warped", {"displacement", "moving"});
  if (id == "jacobian" || id == "folded") return derived("jacobian", {"displacement"});
  if (id == "displacement_magnitude") return source("displacement");
  if (id == "difference" || id == "checkerboard") {
    if (auto why = source("fixed")) return "fixed: " + *why;
    return derived("warped", {"displacement", "moving"});
  }
  return "unknown volume";
}

bool VolumeSource::solution_exists(std::size_t solution) const {
  return folder_.front && folder_.front->contains("solutions") &&
         solution < folder_.front->at("solutions").size();
}

std::shared_ptr<const std::string> VolumeSource::nifti(const std::string& id,
                                                       std::optional<std::size_t> solution) {
  if (std::find(std::begin(kVolumeIds), std::end(kVolumeIds), id) == std::end(kVolumeIds))
    throw usage_error("unknown volume \"{}\"", id);
  if (solution && !solution_exists(*solution))
    throw usage_error("solution {} is not on this folder's front", *solution);
  // Inputs are the same whichever solution is shown.
  if (is_input(id)) solution.reset();
  const std::string key = solution ? fmt::format("{}@{}", id, *solution) : fmt::format("{}@-", id);
  std::lock_guard lock(mutex_);
  if (const auto it = bytes_.find(key); it != bytes_.end()) return it->second;
  auto bytes = produce(id, solution);
  bytes_[key] = bytes;
  bytes_order_.push_back(key);
  bytes_total_ += bytes->size();
  while (bytes_total_ > kMaxCachedBytes && bytes_order_.size() > 1) {
    const auto old = bytes_.find(bytes_order_.front());
    bytes_total_ -= old->second->size();
    bytes_.erase(old);
    bytes_order_.pop_front();
  }
  return bytes;
}

const Image<float>& VolumeSource::fixed_float() {
  if (!fixed_) {
    if (auto why = unavailable_reason("fixed")) throw data_error("the fixed scan is {}", *why);
    fixed_ = io::read_image_as<float>(folder_.sources.at("fixed"));
  }
  return *fixed_;
}

const Image<float>& VolumeSource::moving_float() {
  if (!moving_) {
    if (auto why = unavailable_reason("moving")) throw data_error("the moving scan is {}", *why);
    moving_ = io::read_image_as<float>(folder_.sources.at("moving"));
  }
  return *moving_;
}

VolumeSource::SolutionImages& VolumeSource::solution_images(std::size_t solution) {
  if (const auto it = solutions_.find(solution); it != solutions_.end()) return *it->second;
  const json& entry = folder_.front->at("solutions").at(solution);
  std::string why;
  const auto transform_path =
      resolve_inside(folder_.front_dir, entry.value("transform", std::string()), &why);
  if (!transform_path)
    throw data_error("the transform of solution {} cannot be read ({})", solution, why);
  std::ifstream stream(*transform_path);
  const json transform = json::parse(stream, nullptr, false);
  if (transform.is_discarded())
    throw data_error("the transform of solution {} is not valid JSON", solution);
  const reg::RegistrationResult result = reg::transform_from_json(transform);
  // The fixed grid: the folder's displacement field has it (the fixed scan may be unavailable).
  if (auto missing = unavailable_reason("displacement_magnitude"))
    throw data_error("the result's displacement field is {}", *missing);
  const Geometry grid = io::read_image_info(folder_.sources.at("displacement")).geometry;
  auto images = std::make_shared<SolutionImages>();
  images->u = reg::displacement_on(result, grid);
  solutions_[solution] = images;
  solution_order_.push_back(solution);
  if (solution_order_.size() > kMaxCachedSolutions) {
    solutions_.erase(solution_order_.front());
    solution_order_.pop_front();
  }
  return *images;
}

std::shared_ptr<const std::string> VolumeSource::produce(const std::string& id,
                                                         std::optional<std::size_t> solution) {
  const std::string key = solution ? fmt::format("{}_{}", id, *solution) : id;
  if (is_input(id)) {
    if (auto why = unavailable_reason(id)) throw data_error("the {} input is {}", id, *why);
    return encode(io::read_image(folder_.sources.at(id)), key);
  }
  if (solution) {
    SolutionImages& s = solution_images(*solution);
    const auto need_warped = [&]() -> const Image<float>& {
      if (!s.warped) {
        if (auto why = unavailable_reason("moving"))
          throw data_error("the moving scan is {}", *why);
        s.warped.emplace();
        transform::warp_linear(moving_float(), s.u, *s.warped);
      }
      return *s.warped;
    };
    const auto jacobian = [&]() -> const Image<float>& {
      if (!s.jacobian) s.jacobian = transform::jacobian_determinant(s.u);
      return *s.jacobian;
    };
    if (id == "warped") return encode(AnyImage(need_warped()), key);
    if (id == "warped_labels") {
      if (!s.warped_labels) {
        if (auto why = unavailable_reason("moving_labels"))
          throw data_error("the moving labels are {}", *why);
        if (!moving_labels_)
          moving_labels_ = io::read_label_map(folder_.sources.at("moving_labels"));
        s.warped_labels = transform::warp_labels(*moving_labels_, s.u);
      }
      return encode(AnyImage(*s.warped_labels), key);
    }
    if (id == "jacobian") return encode(AnyImage(jacobian()), key);
    if (id == "folded") return encode(AnyImage(folded(jacobian())), key);
    if (id == "displacement_magnitude") return encode(AnyImage(magnitude(s.u)), key);
    need_same_grid(need_warped(), fixed_float(), id.c_str());
    if (id == "difference") return encode(AnyImage(difference(need_warped(), fixed_float())), key);
    return encode(AnyImage(checkerboard(need_warped(), fixed_float())), key);
  }
  if (auto why = unavailable_reason(id)) throw data_error("the {} volume: {}", id, *why);
  if (id == "warped_labels") return encode(io::read_image(folder_.sources.at(id)), key);
  if (id == "displacement_magnitude") return encode(AnyImage(magnitude(own_field())), key);
  if (id == "jacobian") return encode(AnyImage(own_image("jacobian")), key);
  if (id == "folded") return encode(AnyImage(folded(own_image("jacobian"))), key);
  Image<float> warped = own_image("warped");
  if (id == "warped") return encode(AnyImage(std::move(warped)), key);
  need_same_grid(warped, fixed_float(), id.c_str());
  if (id == "difference") return encode(AnyImage(difference(warped, fixed_float())), key);
  return encode(AnyImage(checkerboard(warped, fixed_float())), key);
}

Image<float> VolumeSource::own_float(const std::string& id) {
  if (auto why = unavailable_reason(id)) throw data_error("the {} volume: {}", id, *why);
  std::lock_guard lock(mutex_);
  return own_image(id);
}

Image<float> VolumeSource::own_image(const std::string& id) {
  if (folder_.sources.count(id)) return io::read_image_as<float>(folder_.sources.at(id));
  if (id == "jacobian") return transform::jacobian_determinant(own_field());
  if (id == "warped") {
    Image<float> warped;
    transform::warp_linear(moving_float(), own_field(), warped);
    return warped;
  }
  throw usage_error("{} is not one of the result's own volumes", id);
}

const DisplacementField& VolumeSource::own_field() {
  if (!own_field_) own_field_ = io::read_displacement_field(folder_.sources.at("displacement"));
  return *own_field_;
}

std::shared_ptr<const std::string> VolumeSource::encode(const AnyImage& image,
                                                        const std::string& key) {
  const fs::path path = scratch_ / (key + ".nii");
  // Label maps with values below 256 travel as bytes: half the transfer and half the page's
  // memory for the same picture.
  if (const auto* labels = std::get_if<Image<std::uint16_t>>(&image)) {
    const bool small = std::all_of(labels->buffer().begin(), labels->buffer().end(),
                                   [](std::uint16_t v) { return v < 256; });
    if (small) {
      io::write_image(AnyImage(convert_pixels<std::uint8_t>(*labels)), path,
                      io::WriteOptions{.compress = false});
      return read_and_remove(path);
    }
  }
  io::write_image(image, path, io::WriteOptions{.compress = false});
  return read_and_remove(path);
}

std::shared_ptr<const std::string> VolumeSource::read_and_remove(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  auto bytes = std::make_shared<std::string>(std::istreambuf_iterator<char>(stream),
                                             std::istreambuf_iterator<char>());
  std::error_code ec;
  fs::remove(path, ec);
  return bytes;
}

std::set<std::uint16_t> VolumeSource::label_values(const std::string& id) {
  std::set<std::uint16_t> values;
  if (unavailable_reason(id)) return values;
  std::lock_guard lock(mutex_);
  // Read once: the manifest is asked for when the server starts and again by the page.
  if (const auto known = label_values_.find(id); known != label_values_.end()) return known->second;
  const LabelMap labels = io::read_label_map(folder_.sources.at(id));
  std::vector<bool> seen(65536, false);
  for (const std::uint16_t v : labels.buffer()) seen[v] = true;
  for (std::size_t v = 1; v < seen.size(); ++v)
    if (seen[v]) values.insert(static_cast<std::uint16_t>(v));
  label_values_[id] = values;
  return values;
}

}  // namespace modir::review
