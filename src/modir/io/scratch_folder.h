#pragma once

// A private temporary folder for files a command needs only while it runs.

#include <filesystem>
#include <string>

#include "modir/core/interrupt.h"

namespace modir::io {

/// A new, uniquely named folder under the system's temporary folder (mkdtemp), removed with
/// everything in it when the object goes, and on Ctrl-C or SIGTERM.
class ScratchFolder {
 public:
  explicit ScratchFolder(const std::string& prefix);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  UnfinishedOutput guard_;
};

}  // namespace modir::io
