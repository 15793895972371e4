#include "modir/review/safe_path.h"

#include <algorithm>

namespace modir::review {

namespace fs = std::filesystem;

namespace {

std::optional<fs::path> refuse(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return std::nullopt;
}

// Whether `inner` is `outer` or lies below it; both are canonical (absolute, no links or dots).
bool lies_within(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

std::optional<fs::path> resolve_inside(const fs::path& root, std::string_view relative,
                                       std::string* why) {
  if (relative.empty()) return refuse(why, "empty path");
  if (relative.front() == '/') return refuse(why, "absolute path");
  if (relative.find('\\') != std::string_view::npos ||
      relative.find('\0') != std::string_view::npos)
    return refuse(why, "backslash or NUL in the path");
  fs::path joined = root;
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t end = std::min(relative.find('/', start), relative.size());
    const std::string_view segment = relative.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      return refuse(why, "empty, '.' or '..' segment");
    joined /= fs::path(std::string(segment));
    start = end + 1;
  }
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return refuse(why, "the folder cannot be resolved");
  const fs::path real = fs::canonical(joined, ec);
  if (ec) return refuse(why, "no such file");
  if (!lies_within(real, real_root)) return refuse(why, "outside the folder");
  if (!fs::is_regular_file(real, ec)) return refuse(why, "not a regular file");
  return real;
}

}  // namespace modir::review
