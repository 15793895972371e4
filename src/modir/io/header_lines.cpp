// The line reader the MetaImage and NRRD header checks share (file_checks.h).

#include <fstream>

#include "modir/io/file_checks.h"

namespace modir::io::detail {

bool for_each_header_line(const std::filesystem::path& path,
                          const std::function<bool(const std::string&, int)>& visit) {
  // Headers are a few kilobytes of text; what follows them may be binary voxels without a line
  // break for megabytes, so reading stops after 64 KB whatever the visitor wants.
  constexpr std::size_t kLongestHeader = 1 << 16;
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return false;
  std::string line;
  std::size_t read = 0;
  for (int number = 1; read <= kLongestHeader && std::getline(stream, line); ++number) {
    read += line.size() + 1;
    if (!visit(line, number)) break;
  }
  return true;
}

}  // namespace modir::io::detail
