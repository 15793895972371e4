#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "modir/core/error.h"
#include "modir/core/large_blocks.h"
#include "modir/core/parallel.h"
#include "modir/core/version.h"
#include "modir_cli.h"

namespace modir::cli {

namespace {

int report_error(const std::string& message, int code) {
  fmt::print(stderr, "modir: error: {}\n", message);
  return code;
}

// CLI11's messages can span lines; keep the one-line contract.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

void add_common_flags(CLI::App& command, GlobalOptions& global) {
  command.add_flag("-q,--quiet", global.quiet, "no progress output on stderr");
  command.add_option("--threads", global.threads, "worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  command.set_version_flag("--version", std::string("modir ") + kVersion);
}

int run(int argc, char** argv) {
  GlobalOptions global;
  CLI::App app{
      "modir: multi-objective deformable image registration for radiotherapy scans.\n"
      "World coordinates are LPS millimetres; displacement fields map fixed points x to x + u(x).",
      "modir"};
  app.require_subcommand(1);
  add_common_flags(app, global);

  // A command that works and ends keeps the freed images it can reuse (KeepLargeBlocks): they
  // cost nothing once it ends. A server waits for hours between requests and gives memory back.
  enum class Runs { kUntilDone, kUntilStopped };
  struct Command {
    CLI::App* app;
    CommandAction action;
    Runs runs;
  };
  std::vector<Command> commands;
  auto add = [&](CommandAction action, Runs runs = Runs::kUntilDone) {
    CLI::App* command = app.get_subcommands({}).back();
    add_common_flags(*command, global);
    commands.push_back({command, std::move(action), runs});
  };
  add(add_info_command(app, global));
  add(add_convert_command(app, global));
  add(add_phantom_command(app, global));
  add(add_snapshot_command(app, global));
  add(add_evaluate_command(app, global));
  add(add_register_command(app, global));
  add(add_front_command(app, global));
  add(add_dataset_command(app, global));
  add(add_segment_command(app, global));
  add(add_warp_command(app, global));
  add(add_invert_command(app, global));
  add(add_names_command(app, global));
  add(add_propagate_command(app, global));
  add(add_review_command(app, global), Runs::kUntilStopped);
  add(add_report_command(app, global));
  add(add_landmarks_command(app, global));

  const bool known = argc > 1 && std::any_of(commands.begin(), commands.end(), [&](const auto& c) {
                       return c.app->get_name() == argv[1];
                     });
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::string names;
    for (const Command& c : commands) names += (names.empty() ? "" : ", ") + c.app->get_name();
    return report_error(
        fmt::format("unknown command '{}'; the commands are {} (see 'modir --help')", argv[1],
                    names),
        2);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where = "modir";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    return report_error(fmt::format("{}; see '{} --help'", one_line(e.what()), where), 2);
  }

  try {
    set_thread_count(global.threads);
    for (Command& c : commands) {
      if (!c.app->parsed()) continue;
      std::optional<KeepLargeBlocks> keep;
      if (c.runs == Runs::kUntilDone) keep.emplace();
      return c.action();
    }
    return report_error("no command given; see 'modir --help'", 2);
  } catch (const Error& e) {
    return report_error(e.what(), e.exit_code());
  } catch (const std::bad_alloc&) {
    return report_error("out of memory; try a smaller image or fewer threads", 1);
  } catch (const std::exception& e) {
    return report_error(fmt::format("unexpected failure: {}", e.what()), 1);
  }
}

int run(const std::vector<std::string>& arguments) {
  std::vector<std::string> copy = arguments;
  std::vector<char*> argv;
  std::string name = "modir";
  argv.push_back(name.data());
  for (std::string& a : copy) argv.push_back(a.data());
  return run(static_cast<int>(argv.size()), argv.data());
}

}  // namespace modir::cli
