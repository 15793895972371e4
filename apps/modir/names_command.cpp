// `modir names`: how modir reads structure names as organ classes (the organ name table), for
// names given on the command line or every ROI of an RT Structure Set; and the built-in table
// written out to be edited.

#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/core/error.h"
#include "modir/io/organ_names.h"
#include "modir/io/organ_names_default.h"
#include "modir/io/output_file.h"
#include "modir/io/rtstruct.h"

namespace modir::cli {

namespace {

struct NamesOptions {
  std::vector<std::string> names;
  std::string rtstruct;
  std::string table;
  std::string export_to;
  bool json = false;
};

int run_names(const NamesOptions& options) {
  if (!options.export_to.empty()) {
    io::write_text_file(options.export_to, io::kDefaultOrganNamesJson);
    fmt::print("the built-in organ name table written to {}; edit it and pass it with "
               "--names-table\n",
               options.export_to);
    if (options.names.empty() && options.rtstruct.empty()) return 0;
  }
  std::vector<std::string> names = options.names;
  if (!options.rtstruct.empty()) {
    for (const io::RtStructure& s : io::read_rtstruct(options.rtstruct).structures)
      names.push_back(s.name);
  }
  if (names.empty()) throw usage_error("give structure names, --rtstruct RS.dcm, or --export FILE");
  const io::OrganNameTable table =
      options.table.empty() ? io::default_organ_names() : io::read_organ_names(options.table);
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& name : names) {
    const io::OrganNameMatch m = io::match_organ_name(name, table);
    if (options.json) {
      out.push_back({{"name", m.name},
                     {"organ", m.organ_class ? nlohmann::json(*m.organ_class) : nlohmann::json()},
                     {"reason", m.reason}});
    } else {
      fmt::print("{:<28} {:<16} {}\n", m.name, m.organ_class.value_or("-"), m.reason);
    }
  }
  if (options.json) fmt::print("{}\n", out.dump(2));
  return 0;
}

}  // namespace

CommandAction add_names_command(CLI::App& app, const GlobalOptions&) {
  auto options = std::make_shared<NamesOptions>();
  CLI::App* command = app.add_subcommand(
      "names", "Show which organ class each structure name means (the organ name table)");
  command->add_option("names", options->names, "structure names");
  command->add_option("--rtstruct", options->rtstruct, "every ROI name of this RT Structure Set");
  command->add_option("--names-table", options->table,
                      "an edited organ name table (default: the built-in one)");
  command->add_option("--export", options->export_to,
                      "write the built-in table to this JSON file, to edit");
  command->add_flag("--json", options->json, "print the matches as JSON");
  return [options] { return run_names(*options); };
}

}  // namespace modir::cli
