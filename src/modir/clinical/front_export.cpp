#include "modir/clinical/front_export.h"

#include <algorithm>
#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modir/clinical/propagation_io.h"
#include "modir/core/error.h"
#include "modir/core/sha256.h"
#include "modir/core/version.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/register/input_files.h"
#include "modir/register/result_outputs.h"
#include "modir/register/transform_file.h"

namespace modir::clinical {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The registration inputs recorded in front.json, checked to be the same bytes as then.
reg::RegistrationPaths verified_inputs(const reg::Front& front) {
  reg::RegistrationPaths paths;
  for (const auto& [name, input] : front.inputs) {
    const auto field = std::find_if(std::begin(reg::kInputFields), std::end(reg::kInputFields),
                                    [&](const auto& f) { return name == f.first; });
    if (field == std::end(reg::kInputFields))
      throw data_error("{}: unknown input \"{}\" in front.json", front.dir.string(), name);
    std::error_code ec;
    if (!fs::exists(input.path, ec)) {
      throw data_error(
          "the {} input {} named in {}/front.json does not exist (paths are as given to 'modir "
          "register', relative to the folder it ran in)",
          name, input.path, front.dir.string());
    }
    const std::string now = sha256_of_path(input.path);
    if (now != input.sha256) {
      throw data_error(
          "the {} input {} has changed since the front was computed: its sha256 is {} but "
          "front.json records {}; restore the original file to rebuild this front's outputs",
          name, input.path, now, input.sha256);
    }
    paths.*(field->second) = input.path;
    if (name == "fixed") paths.fixed_series = input.series;
    if (name == "moving") paths.moving_series = input.series;
  }
  if (paths.fixed.empty() || paths.moving.empty())
    throw data_error("{}/front.json records no fixed and moving inputs to rebuild outputs from",
                     front.dir.string());
  return paths;
}

}  // namespace

reg::RegistrationResult read_solution_transform(const reg::Front& front, std::size_t index) {
  const fs::path file = front.dir / front.solutions[index].transform;
  std::ifstream stream(file);
  if (!stream)
    throw data_error("{} (solution {} of the front) cannot be opened", file.string(), index);
  const json j = json::parse(stream, nullptr, false);
  if (j.is_discarded()) throw data_error("{} is not valid JSON", file.string());
  try {
    return reg::transform_from_json(j);
  } catch (const Error& e) {
    throw data_error("{}: {}", file.string(), e.what());
  } catch (const json::exception& e) {
    throw data_error("{} is not a transform.json: {}", file.string(), e.what());
  }
}

// Writes the full outputs of solution `index` into `out`, as `modir register` would have.
void export_solution(const reg::Front& front, std::size_t index, const fs::path& out,
                     bool announce) {
  const auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  if (fs::exists(out, ec) && fs::equivalent(out, front.dir, ec))
    throw usage_error("--out {} is the front's own folder; choose a new folder", out.string());
  const reg::RegistrationPaths paths = verified_inputs(front);
  for (const auto& [name, input] : front.inputs) {
    if (fs::exists(out, ec) && fs::equivalent(out, input.path, ec))
      throw usage_error("--out {} is the {} input; choose a new folder", out.string(), name);
  }
  io::OutputFolder folder(out);  // removed again on Ctrl-C when this run created it
  const reg::RegistrationResult result = read_solution_transform(front, index);
  PixelType moving_type = PixelType::kFloat32;
  const reg::RegistrationInputs inputs = reg::read_registration_inputs(paths, &moving_type);
  const reg::ResultSummary summary = reg::write_result_outputs(result, inputs, moving_type, out);

  // A front of `modir propagate`: the planning structures carried by this solution as well.
  json rtstruct = nullptr;
  if (const auto propagation = propagation_folder_of(front)) {
    if (write_solution_rtstruct(*propagation, front, result, out / "RS_propagated.dcm"))
      rtstruct = "RS_propagated.dcm";
  }

  const reg::FrontEntry& entry = front.solutions[index];
  json objectives = json::object();
  for (std::size_t i = 0; i < front.objectives.size(); ++i)
    objectives[front.objectives[i]] = entry.objectives[i];
  json inputs_json = json::object();
  for (const auto& [name, input] : front.inputs)
    inputs_json[name] = {{"path", input.path}, {"sha256", input.sha256}};
  const auto& jac = summary.jacobian;
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const json report = {
      {"modir_version", kVersion},
      {"command", "front export"},
      {"front", (front.dir / "front.json").string()},
      {"index", index},
      {"transform", (front.dir / entry.transform).string()},
      {"model", result.model},
      {"objectives", objectives},
      {"weights", entry.raw.at("weights")},
      {"inputs", inputs_json},
      {"rtstruct", rtstruct},
      {"jacobian",
       {{"min", jac.min},
        {"max", jac.max},
        {"mean", jac.mean},
        {"std_log", jac.std_log},
        {"folded_voxels", jac.folded_voxels},
        {"folded_fraction", jac.folded_fraction}}},
      {"timings_s", {{"writing", summary.seconds_writing}, {"total", total}}},
  };
  io::write_text_file(out / "report.json", report.dump(2) + "\n");
  folder.finish();
  if (announce)
    fmt::print("wrote solution {} of {} to {}: folded fraction {:.3g}, Jacobian {:.3f}..{:.3f}\n",
               index, front.dir.string(), out.string(), jac.folded_fraction, jac.min, jac.max);
}

}  // namespace modir::clinical
