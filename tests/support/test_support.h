#pragma once

#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "modir/core/error.h"
#include "modir/core/geometry.h"
#include "modir/core/image.h"

namespace modir::test {

/// ../shared/data, the real scans and DICOM files the tests read.
std::filesystem::path shared_data();

/// A fresh empty folder under the system temp folder, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// An oblique, anisotropic, off-centre geometry: the case most likely to expose axis mix-ups.
Geometry oblique_geometry(Size3 size = {7, 5, 4});

/// An image filled with seeded random values in [lo, hi].
template <typename T>
Image<T> random_image(const Geometry& geometry, double lo, double hi, unsigned seed = 1) {
  Image<T> image(geometry);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  for (T& v : image.buffer()) v = static_cast<T>(dist(rng));
  return image;
}

/// Runs f and returns the modir::Error it throws; records a test failure when it throws nothing.
template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a modir::Error";
  return Error(ErrorKind::kData, "");
}

/// A path in single quotes, for the shell command lines of run_modir.
std::string quoted(const std::filesystem::path& path);

/// Result of running the modir binary.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the modir binary built with the tests, with the given arguments (shell-quoted here).
/// `environment`, when given, is put before the binary as arguments of env(1), e.g.
/// "-u OMP_WAIT_POLICY OMP_DISPLAY_ENV=verbose".
RunResult run_modir(const std::string& arguments, const std::string& environment = "");

/// dciodvfy (Debian package dicom3tools) on a DICOM file: the lines starting with "Error", and
/// its whole report. `ran` is false when dciodvfy did not run (its report lacks the IOD name).
struct DicomValidation {
  bool ran = false;
  std::string errors;
  std::string report;
};
DicomValidation dciodvfy(const std::filesystem::path& file, const std::string& expected_iod);

}  // namespace modir::test
