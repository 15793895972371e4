#include "support/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <cstdio>
#include <memory>
#include <sstream>

namespace modir::test {

namespace fs = std::filesystem;

fs::path shared_data() {
  return fs::path(MODIR_SHARED_DATA);
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("modir-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Geometry oblique_geometry(Size3 size) {
  Geometry g;
  g.size = size;
  g.spacing = {0.8, 1.3, 2.7};
  g.origin = {-120.25, 33.5, 1002.75};
  // A rotation of 20 degrees about z followed by 10 degrees about x, with the third axis flipped.
  const double a = 20.0 * M_PI / 180.0, b = 10.0 * M_PI / 180.0;
  const Mat3 rz =
      Mat3::from_columns({std::cos(a), std::sin(a), 0}, {-std::sin(a), std::cos(a), 0}, {0, 0, 1});
  const Mat3 rx =
      Mat3::from_columns({1, 0, 0}, {0, std::cos(b), std::sin(b)}, {0, -std::sin(b), std::cos(b)});
  g.direction = rx * rz * Mat3::diagonal({1, 1, -1});
  return g;
}

std::string quoted(const fs::path& path) {
  std::string s = "'";  // built with append: GCC 12 warns falsely about "'" + std::string
  s.append(path.string()).append("'");
  return s;
}

RunResult run_modir(const std::string& arguments, const std::string& environment) {
  static std::atomic<int> counter{0};
  const fs::path base = fs::temp_directory_path() / ("modir-run-" + std::to_string(::getpid()) +
                                                     "-" + std::to_string(counter++));
  const std::string out_file = base.string() + ".out", err_file = base.string() + ".err";
  const std::string launcher = environment.empty() ? "" : "env " + environment + " ";
  const std::string command = launcher + "'" + MODIR_BINARY + "' " + arguments + " >'" +
                              out_file + "' 2>'" + err_file + "' </dev/null";
  const int status = std::system(command.c_str());
  RunResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::string& f) {
    std::ifstream s(f);
    std::stringstream ss;
    ss << s.rdbuf();
    return ss.str();
  };
  result.out = slurp(out_file);
  result.err = slurp(err_file);
  fs::remove(out_file);
  fs::remove(err_file);
  return result;
}

DicomValidation dciodvfy(const fs::path& file, const std::string& expected_iod) {
  DicomValidation v;
  const std::string command = "dciodvfy " + quoted(file) + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return v;
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe.get())) v.report += buffer;
  v.ran = v.report.find(expected_iod) != std::string::npos;
  std::istringstream lines(v.report);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("Error", 0) == 0) v.errors.append(line).append("\n");  // no operator+: GCC 12 warns falsely
  return v;
}

}  // namespace modir::test
