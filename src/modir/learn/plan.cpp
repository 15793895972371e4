#include "modir/learn/plan.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "modir/core/error.h"
#include "modir/core/version.h"
#include "modir/io/output_file.h"

namespace modir::learn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// "0.1.0" -> "0.1": models are compatible within a minor version.
std::string major_minor(const std::string& version) {
  const auto first = version.find('.');
  if (first == std::string::npos) return version;
  const auto second = version.find('.', first + 1);
  return version.substr(0, second);
}

}  // namespace

json plan_to_json(const SegmentationPlan& plan) {
  json classes = json::array();
  for (const LabelClass& c : plan.classes)
    classes.push_back({{"id", c.id}, {"name", c.name}, {"fill_holes", c.fill_holes}});
  const Normalisation& n = plan.normalisation;
  return {{"format", "modir-segmentation-plan"},
          {"modir_version", plan.modir_version},
          {"classes", classes},
          {"spacing_mm", {plan.spacing.x, plan.spacing.y, plan.spacing.z}},
          {"normalisation",
           {{"scheme", n.scheme},
            {"clip_low", n.clip_low},
            {"clip_high", n.clip_high},
            {"mean", n.mean},
            {"std", n.std}}},
          {"patch_size", plan.patch_size},
          {"batch_size", plan.batch_size},
          {"network",
           {{"architecture", "unet3d"},
            {"levels", plan.levels},
            {"base_channels", plan.base_channels},
            {"max_channels", plan.max_channels},
            {"deep_supervision", plan.deep_supervision}}},
          {"mirror_axes", plan.mirror_axes},
          {"fingerprint", plan.fingerprint}};
}

SegmentationPlan plan_from_json(const json& j, const std::string& source) {
  try {
    if (j.value("format", "") != "modir-segmentation-plan")
      throw data_error(
          "'{}' is not a modir segmentation plan (no \"format\": "
          "\"modir-segmentation-plan\")",
          source);
    SegmentationPlan plan;
    plan.modir_version = j.at("modir_version").get<std::string>();
    // fill_holes is optional: plans written before it fill nothing.
    for (const json& c : j.at("classes"))
      plan.classes.push_back({c.at("id").get<std::uint16_t>(), c.at("name").get<std::string>(),
                              c.value("fill_holes", false)});
    const auto s = j.at("spacing_mm").get<std::vector<double>>();
    if (s.size() != 3 || !(s[0] > 0 && s[1] > 0 && s[2] > 0))
      throw data_error("'{}': spacing_mm must be three positive numbers", source);
    plan.spacing = {s[0], s[1], s[2]};
    const json& n = j.at("normalisation");
    plan.normalisation = {n.at("scheme").get<std::string>(), n.at("clip_low").get<double>(),
                          n.at("clip_high").get<double>(), n.at("mean").get<double>(),
                          n.at("std").get<double>()};
    plan.patch_size = j.at("patch_size").get<Size3>();
    plan.batch_size = j.at("batch_size").get<int>();
    const json& net = j.at("network");
    plan.levels = net.at("levels").get<int>();
    plan.base_channels = net.at("base_channels").get<int>();
    plan.max_channels = net.at("max_channels").get<int>();
    plan.deep_supervision = net.at("deep_supervision").get<int>();
    plan.mirror_axes = j.at("mirror_axes").get<std::vector<int>>();
    plan.fingerprint = j.value("fingerprint", json::object());
    if (plan.classes.size() < 2 || plan.levels < 1 || plan.base_channels < 1)
      throw data_error("'{}': a plan needs at least 2 classes, 1 level and 1 channel", source);
    const std::int64_t multiple = std::int64_t{1} << (plan.levels - 1);
    for (const std::int64_t p : plan.patch_size) {
      if (p < multiple || p % multiple != 0)
        throw data_error("'{}': patch sizes must be multiples of {} for {} levels", source,
                         multiple, plan.levels);
    }
    return plan;
  } catch (const json::exception& e) {
    throw data_error("'{}' is not a valid segmentation plan: {}", source, e.what());
  }
}

void apply_fill_holes(SegmentationPlan& plan, const std::string& spec) {
  if (spec == "auto") return;
  std::vector<std::string> wanted;
  if (spec != "none") {
    std::string name;
    for (std::size_t i = 0; i <= spec.size(); ++i) {
      if (i == spec.size() || spec[i] == ',') {
        if (name.empty()) throw usage_error("--fill-holes '{}': an empty class name", spec);
        wanted.push_back(name);
        name.clear();
      } else {
        name += spec[i];
      }
    }
  }
  std::string names;
  for (std::size_t c = 1; c < plan.classes.size(); ++c)
    names += (names.empty() ? "" : ", ") + plan.classes[c].name;
  for (const std::string& w : wanted) {
    const auto found = std::find_if(plan.classes.begin() + 1, plan.classes.end(),
                                    [&](const LabelClass& c) { return c.name == w; });
    if (found == plan.classes.end())
      throw usage_error(
          "--fill-holes: '{}' is not a class of this model (auto, none, or names among: {})", w,
          names);
  }
  for (std::size_t c = 0; c < plan.classes.size(); ++c)
    plan.classes[c].fill_holes =
        c > 0 && std::find(wanted.begin(), wanted.end(), plan.classes[c].name) != wanted.end();
}

fs::path shipped_model(const std::string& name) {
  if (const char* models = std::getenv("MODIR_MODELS")) return fs::path(models) / name;
  return fs::path(MODIR_SOURCE_MODELS) / name;
}

void write_plan(const SegmentationPlan& plan, const fs::path& model_dir) {
  io::write_text_file(model_dir / kPlanFile, plan_to_json(plan).dump(2) + "\n");
}

SegmentationPlan read_plan(const fs::path& model_dir) {
  const fs::path path = model_dir / kPlanFile;
  std::ifstream in(path);
  if (!in)
    throw data_error(
        "'{}' is not a modir model folder: it has no {} (train one with 'modir "
        "segment train')",
        model_dir.string(), kPlanFile);
  std::stringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded())
    throw data_error("'{}' is corrupt: not valid JSON; retrain the model or restore the file",
                     path.string());
  SegmentationPlan plan = plan_from_json(j, path.string());
  if (major_minor(plan.modir_version) != major_minor(kVersion))
    throw data_error(
        "the model in '{}' was trained by modir {} and this is modir {}; models are only "
        "compatible within a minor version: retrain it with 'modir segment train'",
        model_dir.string(), plan.modir_version, kVersion);
  return plan;
}

}  // namespace modir::learn
