#include <string>

#include "modir/core/error.h"
#include "modir/io/file_checks.h"

namespace modir::io::detail {

void check_nrrd_header(const std::filesystem::path& path) {
  // ITK's NRRD reader (teem) quotes a field it cannot parse in an error message built in a fixed
  // stack buffer: a 995-character "space:" line overflowed it and aborted the process (stack
  // smashing; found by fuzzing). Field lines that NRRD writers make are far shorter (three space
  // directions at full precision take about 250 characters); comments ('#') and key/value pairs
  // are stored, not parsed, and are left alone. teem takes a line for a key/value pair only when
  // its first ':=' comes before its first ': '; otherwise it parses a field name and quotes the
  // whole line when the name is unknown (a 973-character line with ': ' before ':=' overflowed the
  // buffer that way; found by fuzzing). The header ends at the first empty line.
  constexpr std::size_t kLongestField = 500;
  const auto is_key_value = [](const std::string& line) {
    const std::size_t assignment = line.find(":=");
    return assignment != std::string::npos && assignment < line.find(": ");
  };
  for_each_header_line(path, [&](std::string line, int number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() && number > 1) return false;
    if (line.size() > kLongestField && line.front() != '#' && !is_key_value(line)) {
      throw data_error(
          "'{}' has a damaged NRRD header: line {} is {} characters long (a field holds at most "
          "{})",
          path.string(), number, line.size(), kLongestField);
    }
    return true;
  });
}

}  // namespace modir::io::detail
