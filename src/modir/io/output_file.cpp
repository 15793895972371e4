#include "modir/io/output_file.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <system_error>
#include <vector>

#include "modir/core/error.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  std::random_device random;
  return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(random() % 100000);
}

}  // namespace

AtomicOutput::AtomicOutput(const fs::path& destination, const std::string& temp_name)
    : destination_(destination) {
  if (destination_.filename().empty()) {
    throw usage_error("output path '{}' names a folder, not a file", destination.string());
  }
  fs::path folder = destination_.parent_path();
  if (folder.empty()) folder = ".";
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw data_error("cannot write '{}': folder '{}' does not exist; create it first",
                     destination.string(), folder.string());
  }
  temp_dir_ = folder / (".modir-tmp-" + unique_suffix());
  if (!fs::create_directory(temp_dir_, ec) || ec) {
    throw data_error("cannot write '{}': no permission to create files in '{}'",
                     destination.string(), folder.string());
  }
  unfinished_ = UnfinishedOutput(temp_dir_);
  temp_path_ = temp_dir_ / (temp_name.empty() ? destination_.filename() : fs::path(temp_name));
}

AtomicOutput::~AtomicOutput() {
  std::error_code ec;
  fs::remove_all(temp_dir_, ec);
}

void AtomicOutput::commit() {
  if (committed_) return;
  std::error_code ec;
  if (!fs::exists(temp_path_, ec)) {
    throw data_error("writing '{}' produced no file", destination_.string());
  }
  // Data files first, the named (header) file last, so a reader never finds a header whose data
  // file is missing.
  std::vector<fs::path> others;
  for (const auto& entry : fs::directory_iterator(temp_dir_)) {
    if (entry.path() != temp_path_) others.push_back(entry.path());
  }
  const fs::path folder =
      destination_.parent_path().empty() ? fs::path(".") : destination_.parent_path();
  for (const fs::path& p : others) {
    fs::rename(p, folder / p.filename(), ec);
    if (ec) throw data_error("cannot move '{}' into place: {}", p.string(), ec.message());
  }
  fs::rename(temp_path_, destination_, ec);
  if (ec) {
    throw data_error("cannot move the written file into place as '{}': {}", destination_.string(),
                     ec.message());
  }
  committed_ = true;
}

void write_text_file(const fs::path& path, const std::string& text) {
  AtomicOutput output(path);
  {
    std::ofstream stream(output.temp_path(), std::ios::binary);
    stream << text;
    stream.close();
    if (!stream) throw data_error("cannot write '{}' (disk full?)", path.string());
  }
  output.commit();
}

void refuse_overwriting_inputs(const fs::path& output, std::initializer_list<fs::path> inputs) {
  std::error_code ec;
  const fs::path out = fs::weakly_canonical(output, ec);
  for (const fs::path& input : inputs) {
    if (input.empty()) continue;
    const fs::path in = fs::weakly_canonical(input, ec);
    if (out == in || (fs::exists(output, ec) && fs::equivalent(output, input, ec))) {
      throw usage_error(
          "output '{}' is the same file as input '{}'; modir never overwrites its "
          "inputs: choose another output path",
          output.string(), input.string());
    }
  }
}

}  // namespace modir::io
