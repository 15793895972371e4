#include "modir/register/registration_config.h"

#include <cmath>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/json_options.h"

namespace modir::reg {

namespace {

using nlohmann::json;

const json& section(const json& root, const std::string& name) {
  static const json empty = json::object();
  if (!root.contains(name)) return empty;
  const json& s = root.at(name);
  if (!s.is_object()) throw usage_error("config: '{}' must be an object", name);
  return s;
}

std::vector<int> integer_list(const json& object, const std::string& key, std::vector<int> fallback,
                              const std::string& where) {
  if (!object.contains(key)) return fallback;
  std::vector<int> out;
  for (const double v : io::get_number_list(object, key, {}, where)) {
    if (v != static_cast<int>(v))
      throw usage_error("config: {}.{} must hold whole numbers", where, key);
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::map<int, double> organ_weights(const json& object, const std::string& where) {
  std::map<int, double> out;
  if (!object.contains("organ_weights")) return out;
  const json& o = object.at("organ_weights");
  if (!o.is_object())
    throw usage_error("config: {}.organ_weights must map label numbers to weights", where);
  for (const auto& [key, value] : o.items()) {
    int label = 0;
    try {
      std::size_t used = 0;
      label = std::stoi(key, &used);
      if (used != key.size()) throw std::invalid_argument(key);
    } catch (const std::exception&) {
      throw usage_error("config: {}.organ_weights key '{}' is not a label number", where, key);
    }
    if (!value.is_number() || value.get<double>() < 0)
      throw usage_error("config: {}.organ_weights['{}'] must be a non-negative number", where, key);
    out[label] = value.get<double>();
  }
  return out;
}

void require(bool condition, const std::string& message) {
  if (!condition) throw usage_error("config: {}", message);
}

}  // namespace

RegistrationConfig parse_registration_config(const json& root) {
  if (!root.is_object()) throw usage_error("config: the file must hold a JSON object");
  io::check_known_keys(
      root,
      {"initialisation", "deformable", "image", "guidance", "regularity", "rigidity", "optimizer",
       "front"},
      "the config");
  RegistrationConfig c;

  const json& ini = section(root, "initialisation");
  io::check_known_keys(
      ini, {"mode", "file", "rigid", "affine", "metric", "level_spacings_mm", "iterations"},
      "initialisation");
  auto& i = c.initialisation;
  i.mode = io::get_choice(ini, "mode", i.mode, {"moments", "none", "file"}, "initialisation");
  i.file = io::get_string(ini, "file", i.file.string(), "initialisation");
  i.rigid = io::get_bool(ini, "rigid", i.rigid, "initialisation");
  i.affine = io::get_bool(ini, "affine", i.affine, "initialisation");
  i.metric =
      io::get_choice(ini, "metric", i.metric, {"ncc", "mi", "ssd", "lncc"}, "initialisation");
  i.level_spacings_mm =
      io::get_number_list(ini, "level_spacings_mm", i.level_spacings_mm, "initialisation");
  i.iterations = io::get_integer(ini, "iterations", i.iterations, "initialisation");

  const json& def = section(root, "deformable");
  io::check_known_keys(
      def, {"model", "levels", "grid_spacing_mm", "finest_image_spacing_mm", "iterations"},
      "deformable");
  auto& d = c.deformable;
  d.model = io::get_choice(def, "model", d.model, {"bspline", "svf", "none"}, "deformable");
  d.levels = io::get_integer(def, "levels", d.levels, "deformable");
  d.grid_spacing_mm = io::get_number(def, "grid_spacing_mm", d.grid_spacing_mm, "deformable");
  d.finest_image_spacing_mm =
      io::get_number(def, "finest_image_spacing_mm", d.finest_image_spacing_mm, "deformable");
  d.iterations = integer_list(def, "iterations", d.iterations, "deformable");

  const json& img = section(root, "image");
  io::check_known_keys(
      img, {"metric", "weight", "window", "radius_mm", "bins", "mind_radius", "mind_dilation"},
      "image");
  auto& m = c.image;
  m.metric = io::get_choice(img, "metric", m.metric, {"lncc", "ncc", "ssd", "mi", "mind"}, "image");
  m.weight = io::get_number(img, "weight", m.weight, "image");
  m.window = io::get_choice(img, "window", m.window, {"box", "gaussian"}, "image");
  m.radius_mm = io::get_number(img, "radius_mm", m.radius_mm, "image");
  m.bins = io::get_integer(img, "bins", m.bins, "image");
  m.mind_radius = io::get_integer(img, "mind_radius", m.mind_radius, "image");
  m.mind_dilation = io::get_integer(img, "mind_dilation", m.mind_dilation, "image");

  const json& gui = section(root, "guidance");
  io::check_known_keys(
      gui,
      {"label_weight", "band_mm", "sample_spacing_mm", "label_loss", "min_component_fraction",
       "organ_weights", "ignore_labels", "landmark_weight"},
      "guidance");
  auto& g = c.guidance;
  g.label_weight = io::get_number(gui, "label_weight", g.label_weight, "guidance");
  g.band_mm = io::get_number(gui, "band_mm", g.band_mm, "guidance");
  g.sample_spacing_mm = io::get_number(gui, "sample_spacing_mm", g.sample_spacing_mm, "guidance");
  g.label_loss = io::get_choice(gui, "label_loss", g.label_loss, {"tukey", "squared"}, "guidance");
  g.min_component_fraction =
      io::get_number(gui, "min_component_fraction", g.min_component_fraction, "guidance");
  g.organ_weights = organ_weights(gui, "guidance");
  g.ignore_labels = integer_list(gui, "ignore_labels", g.ignore_labels, "guidance");
  g.landmark_weight = io::get_number(gui, "landmark_weight", g.landmark_weight, "guidance");

  const json& reg = section(root, "regularity");
  io::check_known_keys(reg,
                       {"bending_weight", "elastic_weight", "elastic_mu", "elastic_lambda",
                        "jacobian_weight", "jacobian_threshold"},
                       "regularity");
  auto& r = c.regularity;
  r.bending_weight = io::get_number(reg, "bending_weight", r.bending_weight, "regularity");
  r.elastic_weight = io::get_number(reg, "elastic_weight", r.elastic_weight, "regularity");
  r.elastic_mu = io::get_number(reg, "elastic_mu", r.elastic_mu, "regularity");
  r.elastic_lambda = io::get_number(reg, "elastic_lambda", r.elastic_lambda, "regularity");
  r.jacobian_weight = io::get_number(reg, "jacobian_weight", r.jacobian_weight, "regularity");
  r.jacobian_threshold =
      io::get_number(reg, "jacobian_threshold", r.jacobian_threshold, "regularity");

  const json& rig = section(root, "rigidity");
  io::check_known_keys(rig,
                       {"weight", "mask", "labels", "hu_threshold", "min_component_ml",
                        "sample_spacing_mm", "orthonormality", "properness", "affinity"},
                       "rigidity");
  auto& b = c.rigidity;
  b.weight = io::get_number(rig, "weight", b.weight, "rigidity");
  b.mask = io::get_choice(rig, "mask", b.mask, {"auto", "labels", "intensity"}, "rigidity");
  b.labels = integer_list(rig, "labels", b.labels, "rigidity");
  b.hu_threshold = io::get_number(rig, "hu_threshold", b.hu_threshold, "rigidity");
  b.min_component_ml = io::get_number(rig, "min_component_ml", b.min_component_ml, "rigidity");
  b.sample_spacing_mm = io::get_number(rig, "sample_spacing_mm", b.sample_spacing_mm, "rigidity");
  b.orthonormality = io::get_number(rig, "orthonormality", b.orthonormality, "rigidity");
  b.properness = io::get_number(rig, "properness", b.properness, "rigidity");
  b.affinity = io::get_number(rig, "affinity", b.affinity, "rigidity");

  const json& opt = section(root, "optimizer");
  io::check_known_keys(opt, {"memory", "relative_tolerance", "patience"}, "optimizer");
  auto& o = c.optimizer;
  o.memory = io::get_integer(opt, "memory", o.memory, "optimizer");
  o.relative_tolerance =
      io::get_number(opt, "relative_tolerance", o.relative_tolerance, "optimizer");
  o.patience = io::get_integer(opt, "patience", o.patience, "optimizer");

  const json& fr = section(root, "front");
  io::check_known_keys(
      fr,
      {"solutions", "iterations", "polish_steps", "warm_curvature", "decades", "extra_fraction"},
      "front");
  auto& f = c.front;
  f.solutions = io::get_integer(fr, "solutions", f.solutions, "front");
  f.iterations = io::get_integer(fr, "iterations", f.iterations, "front");
  f.polish_steps = io::get_integer(fr, "polish_steps", f.polish_steps, "front");
  f.warm_curvature = io::get_bool(fr, "warm_curvature", f.warm_curvature, "front");
  f.decades = io::get_number(fr, "decades", f.decades, "front");
  f.extra_fraction = io::get_number(fr, "extra_fraction", f.extra_fraction, "front");

  validate(c);
  return c;
}

void validate(const RegistrationConfig& c) {
  const auto& i = c.initialisation;
  require(i.mode != "file" || !i.file.empty(),
          "initialisation.mode 'file' needs initialisation.file");
  require(!i.level_spacings_mm.empty(),
          "initialisation.level_spacings_mm needs at least one spacing");
  for (const double s : i.level_spacings_mm)
    require(s > 0, "initialisation.level_spacings_mm must be positive");
  require(i.iterations >= 0, "initialisation.iterations must be >= 0");
  const auto& d = c.deformable;
  require(d.levels >= 1 && d.levels <= 6, "deformable.levels must be between 1 and 6");
  require(d.grid_spacing_mm >= 2.0, "deformable.grid_spacing_mm must be at least 2 mm");
  require(d.finest_image_spacing_mm > 0, "deformable.finest_image_spacing_mm must be positive");
  require(
      d.iterations.size() == 1 || static_cast<int>(d.iterations.size()) == d.levels,
      fmt::format("deformable.iterations must hold one number or one per level ({})", d.levels));
  for (const int n : d.iterations) require(n >= 0, "deformable.iterations must be >= 0");
  const auto& m = c.image;
  require(m.weight >= 0, "image.weight must be >= 0");
  require(m.radius_mm > 0, "image.radius_mm must be positive");
  require(m.bins >= 8 && m.bins <= 256, "image.bins must be between 8 and 256");
  require(m.mind_radius >= 1 && m.mind_dilation >= 1,
          "image.mind_radius and image.mind_dilation must be >= 1");
  const auto& g = c.guidance;
  require(g.label_weight >= 0 && g.landmark_weight >= 0, "guidance weights must be >= 0");
  require(g.band_mm > 0, "guidance.band_mm must be positive");
  require(g.sample_spacing_mm >= 0, "guidance.sample_spacing_mm must be >= 0");
  require(g.min_component_fraction >= 0 && g.min_component_fraction <= 1,
          "guidance.min_component_fraction must lie in [0, 1] (0 keeps every component)");
  const auto& r = c.regularity;
  require(r.bending_weight >= 0 && r.elastic_weight >= 0 && r.jacobian_weight >= 0,
          "regularity weights must be >= 0");
  require(r.elastic_mu >= 0 && r.elastic_lambda >= 0,
          "regularity.elastic_mu and elastic_lambda must be >= 0");
  require(r.jacobian_threshold > 0 && r.jacobian_threshold < 1,
          "regularity.jacobian_threshold must lie in (0, 1)");
  const auto& b = c.rigidity;
  require(b.weight >= 0, "rigidity.weight must be >= 0");
  for (const int label : b.labels)
    require(label >= 1 && label <= 65535, "rigidity.labels must lie in 1..65535");
  require(b.mask != "labels" || !b.labels.empty(), "rigidity.mask 'labels' needs rigidity.labels");
  require(std::isfinite(b.hu_threshold), "rigidity.hu_threshold must be a number");
  require(b.min_component_ml >= 0, "rigidity.min_component_ml must be >= 0");
  require(b.sample_spacing_mm >= 0, "rigidity.sample_spacing_mm must be >= 0");
  require(b.orthonormality >= 0 && b.properness >= 0 && b.affinity >= 0,
          "rigidity.orthonormality, properness and affinity must be >= 0");
  const auto& o = c.optimizer;
  require(o.memory >= 1 && o.memory <= 50, "optimizer.memory must be between 1 and 50");
  require(o.relative_tolerance >= 0, "optimizer.relative_tolerance must be >= 0");
  require(o.patience >= 1, "optimizer.patience must be >= 1");
  const auto& f = c.front;
  require(f.solutions >= 2 && f.solutions <= 200, "front.solutions must be between 2 and 200");
  require(f.iterations >= 1, "front.iterations must be >= 1");
  require(f.polish_steps >= 0, "front.polish_steps must be >= 0");
  require(f.decades > 0 && f.decades <= 4, "front.decades must lie in (0, 4]");
  require(f.extra_fraction >= 0 && f.extra_fraction <= 2,
          "front.extra_fraction must lie in [0, 2]");
}

RegistrationConfig read_registration_config(const std::filesystem::path& path) {
  return parse_registration_config(io::read_json_file(path));
}

nlohmann::json to_json(const RegistrationConfig& c) {
  json organs = json::object();
  for (const auto& [label, weight] : c.guidance.organ_weights)
    organs[std::to_string(label)] = weight;
  const auto& i = c.initialisation;
  const auto& d = c.deformable;
  const auto& m = c.image;
  const auto& g = c.guidance;
  const auto& r = c.regularity;
  const auto& o = c.optimizer;
  return {
      {"initialisation",
       {{"mode", i.mode},
        {"file", i.file.string()},
        {"rigid", i.rigid},
        {"affine", i.affine},
        {"metric", i.metric},
        {"level_spacings_mm", i.level_spacings_mm},
        {"iterations", i.iterations}}},
      {"deformable",
       {{"model", d.model},
        {"levels", d.levels},
        {"grid_spacing_mm", d.grid_spacing_mm},
        {"finest_image_spacing_mm", d.finest_image_spacing_mm},
        {"iterations", d.iterations}}},
      {"image",
       {{"metric", m.metric},
        {"weight", m.weight},
        {"window", m.window},
        {"radius_mm", m.radius_mm},
        {"bins", m.bins},
        {"mind_radius", m.mind_radius},
        {"mind_dilation", m.mind_dilation}}},
      {"guidance",
       {{"label_weight", g.label_weight},
        {"band_mm", g.band_mm},
        {"sample_spacing_mm", g.sample_spacing_mm},
        {"label_loss", g.label_loss},
        {"min_component_fraction", g.min_component_fraction},
        {"organ_weights", organs},
        {"ignore_labels", g.ignore_labels},
        {"landmark_weight", g.landmark_weight}}},
      {"regularity",
       {{"bending_weight", r.bending_weight},
        {"elastic_weight", r.elastic_weight},
        {"elastic_mu", r.elastic_mu},
        {"elastic_lambda", r.elastic_lambda},
        {"jacobian_weight", r.jacobian_weight},
        {"jacobian_threshold", r.jacobian_threshold}}},
      {"rigidity",
       {{"weight", c.rigidity.weight},
        {"mask", c.rigidity.mask},
        {"labels", c.rigidity.labels},
        {"hu_threshold", c.rigidity.hu_threshold},
        {"min_component_ml", c.rigidity.min_component_ml},
        {"sample_spacing_mm", c.rigidity.sample_spacing_mm},
        {"orthonormality", c.rigidity.orthonormality},
        {"properness", c.rigidity.properness},
        {"affinity", c.rigidity.affinity}}},
      {"optimizer",
       {{"memory", o.memory},
        {"relative_tolerance", o.relative_tolerance},
        {"patience", o.patience}}},
      {"front",
       {{"solutions", c.front.solutions},
        {"iterations", c.front.iterations},
        {"polish_steps", c.front.polish_steps},
        {"warm_curvature", c.front.warm_curvature},
        {"decades", c.front.decades},
        {"extra_fraction", c.front.extra_fraction}}},
  };
}

}  // namespace modir::reg
