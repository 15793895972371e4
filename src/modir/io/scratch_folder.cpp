#include "modir/io/scratch_folder.h"

#include <stdlib.h>

#include <vector>

#include "modir/core/error.h"

namespace modir::io {

namespace fs = std::filesystem;

ScratchFolder::ScratchFolder(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr)
    throw data_error("cannot create a temporary folder under {}",
                     fs::temp_directory_path().string());
  path_ = name.data();
  guard_ = UnfinishedOutput(path_);
}

ScratchFolder::~ScratchFolder() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace modir::io
