#pragma once

// Support for modir's fuzz targets (see fuzz/README.md).
//
// Most of modir's readers take a path, not bytes: a target writes its input to a temporary file
// with the extension the reader dispatches on and calls the reader on that. A reader passes when
// it returns or throws modir::Error (the clear, one-line error a user sees); anything else that
// escapes (another exception type, a crash, a sanitizer report) is a finding.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "modir/core/error.h"

namespace modir::fuzz {

/// The fuzz input as a file: created in a folder of its own under the system's temporary folder,
/// removed with the object.
class TempInput {
 public:
  TempInput(const std::uint8_t* data, std::size_t size, const std::string& extension);
  ~TempInput();
  TempInput(const TempInput&) = delete;
  TempInput& operator=(const TempInput&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Runs `read`; a modir::Error is the expected way to refuse bad bytes and is swallowed.
template <typename Read>
void refuse_clearly(Read&& read) {
  try {
    read();
  } catch (const modir::Error&) {
  }
}

}  // namespace modir::fuzz
