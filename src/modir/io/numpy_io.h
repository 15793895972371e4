#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace modir::io {

/// One array inside a .npy file or .npz archive.
struct NumpyArrayInfo {
  std::string name;   ///< the array's key in an .npz ("vol"), or the file stem for .npy
  std::string dtype;  ///< numpy descr, e.g. "<f8"
  std::vector<std::int64_t> shape;
  bool fortran_order = false;
};

/// Lists the arrays of a .npy or .npz file (headers only).
std::vector<NumpyArrayInfo> list_numpy_arrays(const std::filesystem::path& path);

}  // namespace modir::io
