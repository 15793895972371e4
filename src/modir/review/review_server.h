#pragma once

// The local web server behind `modir review`: the page, its assets, the folder's manifest and
// volumes, and the front choice, on 127.0.0.1 only and only for requests that carry the token.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "modir/review/review_folder.h"

namespace modir::review {

/// Records solution `index` as the folder's choice and returns what was written (the app layer
/// does it as `modir front pick DIR --index K --json` would).
using ChooseAction = std::function<nlohmann::json(std::size_t index)>;

class ReviewServer {
 public:
  /// `assets`: the folder holding the built page (index.html, review.js, niivue.umd.js, ...).
  /// `scratch`: an empty folder for temporary files, owned by the caller.
  ReviewServer(const ReviewFolder& folder, std::filesystem::path assets,
               std::filesystem::path scratch, ChooseAction choose);
  ~ReviewServer();
  ReviewServer(const ReviewServer&) = delete;
  ReviewServer& operator=(const ReviewServer&) = delete;

  /// Binds 127.0.0.1:`port` (0: a free port) and returns the port; a data error when it is taken.
  int bind(int port);
  /// The page's address, token included.
  std::string url() const;
  /// Answers requests until stop() (from another thread).
  void serve();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A random token of 32 hexadecimal digits (128 bits from the system's random source).
std::string random_token();

}  // namespace modir::review
