#pragma once

// Which file a request may read: `modir review` serves the files of one result folder and nothing
// else, whatever a page (or another program on this machine) asks for.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace modir::review {

/// The regular file that `relative` (a request's path, already percent-decoded, '/'-separated)
/// names inside `root`, or nullopt with `why` said. Refused: an empty path, an absolute one, a
/// "." or ".." segment, a backslash or a NUL byte, a file that does not exist or is not a regular
/// file, and a path whose real location (every symlink followed) lies outside root's real
/// location. The checks are on the segments first and the real path last, so that neither a
/// crafted name nor a link planted in the folder reaches outside it.
std::optional<std::filesystem::path> resolve_inside(const std::filesystem::path& root,
                                                    std::string_view relative, std::string* why);

}  // namespace modir::review
