#include "modir/io/nifti_non_finite.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

#include "modir/core/error.h"
#include "modir/io/image_format.h"
#include "modir/io/nifti_header.h"

namespace modir::io::detail {

namespace fs = std::filesystem;

namespace {

template <typename T>
T load(const char* at, bool swap) {
  std::array<char, sizeof(T)> bytes;
  std::memcpy(bytes.data(), at, sizeof(T));
  if (swap) std::reverse(bytes.begin(), bytes.end());
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

}  // namespace

std::size_t restore_nifti_non_finite(const fs::path& path, std::vector<char>& buffer,
                                     std::size_t component_size, std::size_t components) {
  const std::string name = lower_case_name(path);
  if (!(name.ends_with(".nii") || name.ends_with(".nii.gz"))) return 0;
  if (component_size != 4 && component_size != 8) return 0;
  const std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) return 0;
  const std::optional<NiftiHeader> layout = read_nifti_header(file.get());
  if (!layout) return 0;
  const std::optional<std::uint64_t> voxel_offset = layout->voxel_offset();
  if (!voxel_offset) return 0;
  const std::size_t stored = layout->datatype == 16 ? 4 : (layout->datatype == 64 ? 8 : 0);
  if (stored == 0 || stored != component_size) return 0;
  const std::size_t total = buffer.size() / component_size;
  if (layout->value_count() < total || components == 0) return 0;
  const std::size_t voxels = total / components;
  if (gzseek(file.get(), static_cast<z_off_t>(*voxel_offset), SEEK_SET) < 0) return 0;
  // ITK applies the scaling unless the slope is 0 or not finite (NIfTI: "no scaling").
  const bool scaled = std::isfinite(layout->slope) && layout->slope != 0.0 &&
                      !(layout->slope == 1.0 && layout->intercept == 0.0);
  std::vector<char> chunk(std::size_t{1} << 20);
  std::size_t restored = 0, index = 0;
  while (index < total) {
    const std::size_t want = std::min(chunk.size() / stored, total - index) * stored;
    const int got = gzread(file.get(), chunk.data(), static_cast<unsigned>(want));
    if (got <= 0) break;
    const std::size_t values = static_cast<std::size_t>(got) / stored;
    for (std::size_t k = 0; k < values; ++k, ++index) {
      const double raw = stored == 4 ? double(load<float>(chunk.data() + k * 4, layout->swapped))
                                     : load<double>(chunk.data() + k * 8, layout->swapped);
      if (std::isfinite(raw)) continue;
      const double value = scaled ? raw * layout->slope + layout->intercept : raw;
      // The file holds components as its slowest axis; ITK interleaves them per voxel.
      const std::size_t at = (index % voxels) * components + index / voxels;
      if (component_size == 4) {
        const auto f = static_cast<float>(value);
        std::memcpy(buffer.data() + at * 4, &f, 4);
      } else {
        std::memcpy(buffer.data() + at * 8, &value, 8);
      }
      ++restored;
    }
    if (static_cast<std::size_t>(got) < want) break;
  }
  return restored;
}

}  // namespace modir::io::detail
