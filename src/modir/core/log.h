#pragma once

#include <cstdio>
#include <string_view>

#include <fmt/format.h>

namespace modir {

/// Prints "modir: warning: <message>" on stderr. Warnings are for conditions the user should
/// know about but that do not make the result wrong (those are errors).
template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "modir: warning: {}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace modir
