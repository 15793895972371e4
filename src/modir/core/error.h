#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace modir {

/// Why an operation failed; decides the exit status of the command line.
enum class ErrorKind {
  kUsage,  ///< the command line or configuration is wrong (exit status 2)
  kData,   ///< an input file is missing, unreadable or its content is unusable (exit status 1)
};

/// The one exception type modir throws for problems a user can fix. Its message is a single line
/// saying what is wrong, in which file, and what to do about it.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  int exit_code() const { return kind_ == ErrorKind::kUsage ? 2 : 1; }

 private:
  ErrorKind kind_;
};

template <typename... Args>
Error data_error(fmt::format_string<Args...> format, Args&&... args) {
  return Error(ErrorKind::kData, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
Error usage_error(fmt::format_string<Args...> format, Args&&... args) {
  return Error(ErrorKind::kUsage, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace modir
