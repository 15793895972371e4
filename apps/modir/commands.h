#pragma once

#include <functional>
#include <memory>

#include <CLI/CLI.hpp>

namespace modir::cli {

/// Options every subcommand understands.
struct GlobalOptions {
  bool quiet = false;  ///< no progress output
  int threads = 0;     ///< worker threads; 0 = all cores
};

/// What a subcommand does once its arguments are parsed; returns the exit status.
using CommandAction = std::function<int()>;

/// Each subcommand lives in its own file and adds itself to the application: it declares its
/// options on a new CLI11 subcommand and returns the action that runs it.
CommandAction add_info_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_convert_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_phantom_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_snapshot_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_evaluate_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_warp_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_register_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_front_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_dataset_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_segment_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_invert_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_names_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_propagate_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_review_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_report_command(CLI::App& app, const GlobalOptions& global);
CommandAction add_landmarks_command(CLI::App& app, const GlobalOptions& global);

/// Adds --quiet, --threads and --version to a (sub)command, so they work in any position.
void add_common_flags(CLI::App& command, GlobalOptions& global);

}  // namespace modir::cli
