// `modir report DIR --out report.html`: the figures of a registration or a front in one HTML file
// that opens without a server or a network, to file or to mail.

#include <chrono>

#include <fmt/format.h>

#include "commands.h"
#include "modir/core/error.h"
#include "modir/io/output_file.h"
#include "modir/io/scratch_folder.h"
#include "modir/review/html_report.h"
#include "modir/review/review_folder.h"

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct ReportOptions {
  std::string dir;
  std::string out;
};

int run_report(const ReportOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const review::ReviewFolder folder = review::open_review_folder(o.dir);
  // Neither an input nor one of the folder's own files may be overwritten.
  for (const auto& [name, path] : folder.sources) io::refuse_overwriting_inputs(o.out, {path});
  for (const char* own : {"report.json", "front.json", "transform.json", "labels.json"})
    io::refuse_overwriting_inputs(o.out, {folder.dir / own});
  std::string html;
  {
    const io::ScratchFolder scratch("modir-report");
    html = review::html_report(folder, scratch.path());
  }
  io::write_text_file(o.out, html);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("wrote {} ({:.1f} MB) in {:.1f} s\n", o.out, html.size() / 1e6, seconds);
  return 0;
}

}  // namespace

CommandAction add_report_command(CLI::App& app, const GlobalOptions&) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* command = app.add_subcommand(
      "report",
      "Write the figures of a registration or a front as one self-contained HTML file: slices "
      "through every organ with its contours, a checkerboard, the Jacobian, the front, metrics");
  command
      ->add_option("dir", options->dir,
                   "output folder of 'modir register' (with or without --pareto)")
      ->required();
  command->add_option("--out", options->out, "HTML file to write")->required();
  return [options] { return run_report(*options); };
}

}  // namespace modir::cli
