#pragma once

#include <string>
#include <vector>

namespace modir::cli {

/// Runs the modir command line as a function: parses arguments, runs the chosen subcommand, and
/// returns the exit status (0 success, 1 bad data, 2 bad usage). Errors are reported on stderr as
/// one line, `modir: error: ...`; nothing escapes as an exception.
int run(int argc, char** argv);
int run(const std::vector<std::string>& arguments);

}  // namespace modir::cli
