#include "modir/landmarks/descriptors.h"

#include <algorithm>
#include <cmath>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/objective/similarity/mind_ssc.h"

namespace modir::landmarks {

const std::vector<Vec3d>& mind_descriptor_offsets() {
  static const std::vector<Vec3d> offsets = [] {
    std::vector<Vec3d> o;
    for (int z = -1; z <= 1; ++z)
      for (int y = -1; y <= 1; ++y)
        for (int x = -1; x <= 1; ++x) o.push_back(Vec3d{double(x), double(y), double(z)} * 4.0);
    for (int z = -1; z <= 1; ++z)
      for (int y = -1; y <= 1; ++y)
        for (int x = -1; x <= 1; ++x) {
          const int nonzero = (x != 0) + (y != 0) + (z != 0);
          if (nonzero == 1 || nonzero == 3) {
            const Vec3d d{double(x), double(y), double(z)};
            o.push_back(d * (12.0 / d.norm()));
          }
        }
    return o;
  }();
  return offsets;
}

DescriptorField DescriptorField::mind_ssc(const Image<float>& working_image) {
  const std::vector<Image<float>> mind =
      objective::mind_ssc_descriptors(working_image, /*radius=*/1, /*dilation=*/2);
  const int channels = int(mind.size());
  const std::int64_t count = working_image.voxel_count();
  std::vector<float> values(std::size_t(count) * std::size_t(channels));
  parallel_for(count / 4096 + 1, [&](std::int64_t block) {
    const std::int64_t end = std::min(count, (block + 1) * 4096);
    for (std::int64_t i = block * 4096; i < end; ++i)
      for (int c = 0; c < channels; ++c)
        values[std::size_t(i) * std::size_t(channels) + std::size_t(c)] =
            mind[std::size_t(c)].data()[i];
  });
  return DescriptorField(working_image.geometry(), std::move(values), channels,
                         mind_descriptor_offsets());
}

DescriptorField::DescriptorField(const Geometry& geometry, std::vector<float> values, int channels,
                                 std::vector<Vec3d> offsets)
    : geometry_(geometry),
      values_(std::move(values)),
      channels_(channels),
      offsets_(std::move(offsets)) {
  if (channels_ <= 0 ||
      values_.size() != std::size_t(geometry_.voxel_count()) * std::size_t(channels_))
    throw data_error("descriptor field: {} values for {} voxels of {} channels", values_.size(),
                     geometry_.voxel_count(), channels_);
}

void DescriptorField::describe(const Vec3d& point, float* out) const {
  const Size3& n = geometry_.size;
  const Vec3d base = geometry_.world_to_index(point);
  // Identity direction, isotropic spacing (make_working_image): an offset in mm is an offset in
  // index units divided by the spacing.
  const double inv = 1.0 / geometry_.spacing.x;
  const std::size_t channels = std::size_t(channels_);
  for (const Vec3d& offset : offsets_) {
    std::int64_t i0[3], i1[3];
    float f[3];
    for (int a = 0; a < 3; ++a) {
      const double q = std::clamp(base[a] + offset[a] * inv, 0.0, double(n[a] - 1));
      i0[a] = std::int64_t(q);
      i1[a] = std::min(i0[a] + 1, n[a] - 1);
      f[a] = float(q - double(i0[a]));
    }
    for (std::size_t c = 0; c < channels; ++c) out[c] = 0.0f;
    for (int corner = 0; corner < 8; ++corner) {
      const std::int64_t x = corner & 1 ? i1[0] : i0[0], y = corner & 2 ? i1[1] : i0[1],
                         z = corner & 4 ? i1[2] : i0[2];
      const float w = (corner & 1 ? f[0] : 1 - f[0]) * (corner & 2 ? f[1] : 1 - f[1]) *
                      (corner & 4 ? f[2] : 1 - f[2]);
      if (w == 0.0f) continue;
      const float* v = values_.data() + std::size_t(x + n[0] * (y + n[1] * z)) * channels;
      for (std::size_t c = 0; c < channels; ++c) out[c] += w * v[c];
    }
    out += channels;
  }
}

float descriptor_distance(const float* a, const float* b, std::size_t length) {
  float sum = 0.0f;
  for (std::size_t i = 0; i < length; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

}  // namespace modir::landmarks
