#include "pick_options.h"

namespace modir::cli {

void add_pick_options(CLI::App& command, reg::PickRules& rules, const std::string& group) {
  command.add_flag("--knee", rules.knee, "the knee of the front (the default rule)")->group(group);
  command
      .add_option("--minimise", rules.minimise,
                  "objective to make smallest among the solutions meeting the limits")
      ->check(CLI::IsMember({"image", "guidance", "deformation"}))
      ->group(group);
  command.add_option("--max-guidance", rules.max_guidance, "guidance error at most MM")
      ->check(CLI::NonNegativeNumber)
      ->group(group);
  command.add_option("--max-organ-mm", rules.max_organ_mm, "every organ's distance at most MM")
      ->check(CLI::NonNegativeNumber)
      ->group(group);
  command.add_option("--max-image", rules.max_image, "image dissimilarity at most V")->group(group);
  command.add_option("--max-deformation", rules.max_deformation, "deformation at most V")
      ->group(group);
  command.add_option("--max-folded", rules.max_folded, "folded fraction at most F (default 0)")
      ->group(group);
  command
      .add_option("--index", rules.index,
                  "the solution with this number, chosen by looking at it (modir review); the "
                  "limits still apply")
      ->group(group);
}

}  // namespace modir::cli
