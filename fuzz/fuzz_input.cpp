#include "fuzz_input.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

namespace modir::fuzz {

namespace {

// One folder per process, made once: libFuzzer calls the target millions of times.
const std::filesystem::path& process_folder() {
  static const std::filesystem::path folder = [] {
    std::filesystem::path f =
        std::filesystem::temp_directory_path() / ("modir-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(f);
    return f;
  }();
  return folder;
}

}  // namespace

TempInput::TempInput(const std::uint8_t* data, std::size_t size, const std::string& extension)
    : path_(process_folder() / ("input" + extension)) {
  std::ofstream out(path_, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) throw std::runtime_error("fuzz harness: cannot write " + path_.string());
}

TempInput::~TempInput() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

}  // namespace modir::fuzz
