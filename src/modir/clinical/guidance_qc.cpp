#include "modir/clinical/guidance_qc.h"

#include <algorithm>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/learn/quality_check.h"

namespace modir::clinical {

namespace {

// One side's verdicts: its unreliable organs leave guidance.
nlohmann::json apply_side(const std::string& qc_file, const std::string& labels_path,
                          const std::optional<LabelMap>& labels, const char* side,
                          reg::RegistrationConfig& config) {
  if (qc_file.empty()) return nullptr;
  if (!labels) {
    throw usage_error("--{}-qc describes a label map: give it with --{}-labels", side, side);
  }
  const learn::QcVerdicts verdicts = learn::read_qc_verdicts(qc_file, *labels, labels_path);
  nlohmann::json dropped = nlohmann::json::object();
  std::vector<int>& ignored = config.guidance.ignore_labels;
  for (std::size_t i = 0; i < verdicts.unreliable.size(); ++i) {
    const auto& [id, reasons] = verdicts.unreliable[i];
    const std::string& name = verdicts.unreliable_names[i];
    dropped[name] = {{"label", id}, {"reasons", reasons}};
    if (std::find(ignored.begin(), ignored.end(), int(id)) == ignored.end())
      ignored.push_back(int(id));
    warn("label guidance: {} (label {}) left out: QC of the {} labels calls it unreliable ({})",
         name, id, side, reasons);
  }
  return {{"file", qc_file}, {"dropped", dropped}};
}

}  // namespace

nlohmann::json apply_label_qc(const LabelQcPaths& paths, const reg::RegistrationInputs& inputs,
                              reg::RegistrationConfig& config) {
  if (paths.fixed.empty() && paths.moving.empty()) return nullptr;
  nlohmann::json out = {
      {"fixed", apply_side(paths.fixed, paths.fixed_labels, inputs.fixed_labels, "fixed", config)},
      {"moving",
       apply_side(paths.moving, paths.moving_labels, inputs.moving_labels, "moving", config)}};
  // Nothing left to guide with: the registration goes on with the image and landmarks alone
  // rather than failing on "no organ shared".
  if (inputs.fixed_labels && inputs.moving_labels && config.guidance.label_weight > 0) {
    std::vector<char> in_fixed(65536, 0), in_moving(65536, 0);
    for (const std::uint16_t v : inputs.fixed_labels->buffer()) in_fixed[v] = 1;
    for (const std::uint16_t v : inputs.moving_labels->buffer()) in_moving[v] = 1;
    const std::vector<int>& ignored = config.guidance.ignore_labels;
    bool any = false;
    for (int v = 1; v < 65536 && !any; ++v)
      any = in_fixed[std::size_t(v)] && in_moving[std::size_t(v)] &&
            std::find(ignored.begin(), ignored.end(), v) == ignored.end();
    if (!any) {
      warn("label guidance off: QC leaves no organ present in both label maps");
      config.guidance.label_weight = 0;
      out["label_guidance_off"] = true;
    }
  }
  return out;
}

}  // namespace modir::clinical
