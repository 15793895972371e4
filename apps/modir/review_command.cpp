// `modir review DIR`: the result of a registration (or a Pareto front) in the browser. A local
// server on 127.0.0.1 serves the review page (built with modir, no network needed) and the
// folder's volumes; "choose" on a front records the choice as `modir front pick --index` does.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>

#include <fmt/format.h>

#include "commands.h"
#include "modir/clinical/front_export.h"
#include "modir/core/error.h"
#include "modir/io/output_file.h"
#include "modir/io/scratch_folder.h"
#include "modir/register/front_file.h"
#include "modir/register/front_pick.h"
#include "modir/review/review_folder.h"
#include "modir/review/review_server.h"
#include "pick_options.h"

extern char** environ;

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct ReviewOptions {
  std::string dir;
  int port = 0;
  bool no_open = false;
};

// Where the built page lies: $MODIR_REVIEW_ASSETS, the installed layout (bin/modir,
// share/modir/review), or the build tree this program came from.
fs::path review_assets() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("MODIR_REVIEW_ASSETS"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "modir" / "review");
#ifdef MODIR_BUILD_REVIEW_ASSETS
    candidates.emplace_back(MODIR_BUILD_REVIEW_ASSETS);
#endif
  }
  for (const fs::path& dir : candidates) {
    std::error_code ec;
    if (fs::exists(dir / "index.html", ec) && fs::exists(dir / "niivue.umd.js", ec)) return dir;
  }
  throw data_error(
      "the review page was not built with this modir (no index.html and niivue.umd.js under {}); "
      "run scripts/setup (it installs the page's npm packages from web's lockfile) and "
      "build again, or set MODIR_REVIEW_ASSETS",
      candidates.empty() ? std::string("?") : candidates.front().string());
}

// Opens the page in the desktop's browser when there is a desktop; failing that, the printed
// address is enough.
void open_browser(const std::string& url) {
  if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) return;
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  pid_t pid = 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (posix_spawnp(&pid, "xdg-open", &actions, nullptr, const_cast<char**>(argv), environ) == 0)
    waitpid(pid, nullptr, WNOHANG);
  posix_spawn_file_actions_destroy(&actions);
}

int run_review(const ReviewOptions& o) {
  const review::ReviewFolder folder = review::open_review_folder(o.dir);
  const fs::path assets = review_assets();
  // Scratch space for the volumes as NIfTI, removed on exit and on Ctrl-C.
  const io::ScratchFolder scratch("modir-review");

  // The front as `modir front pick` is given it: DIR, or DIR/front for a propagation.
  const fs::path front_dir =
      folder.kind == review::FolderKind::kPropagation ? fs::path(o.dir) / "front" : fs::path(o.dir);
  review::ChooseAction choose = [&](std::size_t index) {
    const reg::Front front = reg::read_front(front_dir);
    reg::PickRules rules;
    rules.index = index;
    const reg::PickOutcome outcome = reg::pick_solution(front, rules);
    if (!outcome.chosen) throw data_error("{}", outcome.reason);
    const nlohmann::json record = reg::pick_record(front, rules, outcome);
    io::write_text_file(review::choice_file(folder), record.dump(2) + "\n");
    nlohmann::json answer = record;
    if (folder.kind == review::FolderKind::kPropagation) {
      // The chosen solution's outputs, its propagated RT Structure Set among them, beside the
      // front as `modir front export` writes them (kept when chosen again).
      const std::string name = fmt::format("solution_{:02}", index);
      const fs::path out = front_dir / name;
      std::error_code ec;
      try {
        if (!fs::exists(out / "report.json", ec))
          clinical::export_solution(front, index, out, false);
        answer["exported"] = (fs::path("front") / name).string();
        if (fs::exists(out / "RS_propagated.dcm", ec))
          answer["rtstruct"] = (fs::path("front") / name / "RS_propagated.dcm").string();
      } catch (const Error& e) {
        // The choice stands; what kept its structures from being written is said.
        answer["export_error"] = e.what();
      }
    }
    return answer;
  };
  review::ReviewServer server(folder, assets, scratch.path(), choose);
  server.bind(o.port);
  // The address only: the folder's name may carry a patient's.
  fmt::print("modir review: {} (Ctrl-C stops)\n", server.url());
  std::fflush(stdout);
  if (!o.no_open) open_browser(server.url());
  server.serve();
  return 0;
}

}  // namespace

CommandAction add_review_command(CLI::App& app, const GlobalOptions&) {
  auto options = std::make_shared<ReviewOptions>();
  CLI::App* command = app.add_subcommand(
      "review",
      "Look at a registration or a Pareto front in the browser: scans, warped scan, labels, "
      "Jacobian, the front as a plot; choose a solution");
  command
      ->add_option("dir", options->dir,
                   "output folder of 'modir register' (with or without --pareto)")
      ->required();
  command->add_option("--port", options->port, "port on 127.0.0.1 (default: a free one)")
      ->check(CLI::Range(0, 65535));
  command->add_flag("--no-open", options->no_open, "do not open a browser; only print the address");
  command->footer(
      "The page is served on 127.0.0.1 only, with a random token in the address that every "
      "request must carry; it shows the files of DIR and the scans the run recorded, nothing "
      "else.");
  return [options] { return run_review(*options); };
}

}  // namespace modir::cli
