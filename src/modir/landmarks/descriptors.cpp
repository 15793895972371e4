#include "modir/landmarks/descriptors.h"

#include <algorithm>
#include <cmath>

#include "modir/core/parallel.h"
#include "modir/objective/similarity/mind_ssc.h"

namespace modir::landmarks {

const std::vector<Vec3d>& descriptor_offsets() {
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

std::size_t descriptor_length() {
  return descriptor_offsets().size() * DescriptorField::kChannels;
}

DescriptorField::DescriptorField(const Image<float>& working_image)
    : geometry_(working_image.geometry()) {
  const std::vector<Image<float>> mind =
      objective::mind_ssc_descriptors(working_image, /*radius=*/1, /*dilation=*/2);
  const std::int64_t count = geometry_.voxel_count();
  channels_.resize(std::size_t(count) * kChannels);
  parallel_for(count / 4096 + 1, [&](std::int64_t block) {
    const std::int64_t end = std::min(count, (block + 1) * 4096);
    for (std::int64_t i = block * 4096; i < end; ++i)
      for (int c = 0; c < kChannels; ++c)
        channels_[std::size_t(i) * kChannels + std::size_t(c)] = mind[std::size_t(c)].data()[i];
  });
}

void DescriptorField::describe(const Vec3d& point, float* out) const {
  const Size3& n = geometry_.size;
  const Vec3d base = geometry_.world_to_index(point);
  // Identity direction, isotropic spacing (make_working_image): an offset in mm is an offset in
  // index units divided by the spacing.
  const double inv = 1.0 / geometry_.spacing.x;
  for (const Vec3d& offset : descriptor_offsets()) {
    std::int64_t i0[3], i1[3];
    float f[3];
    for (int a = 0; a < 3; ++a) {
      const double q = std::clamp(base[a] + offset[a] * inv, 0.0, double(n[a] - 1));
      i0[a] = std::int64_t(q);
      i1[a] = std::min(i0[a] + 1, n[a] - 1);
      f[a] = float(q - double(i0[a]));
    }
    for (int c = 0; c < kChannels; ++c) out[c] = 0.0f;
    for (int corner = 0; corner < 8; ++corner) {
      const std::int64_t x = corner & 1 ? i1[0] : i0[0], y = corner & 2 ? i1[1] : i0[1],
                         z = corner & 4 ? i1[2] : i0[2];
      const float w = (corner & 1 ? f[0] : 1 - f[0]) * (corner & 2 ? f[1] : 1 - f[1]) *
                      (corner & 4 ? f[2] : 1 - f[2]);
      if (w == 0.0f) continue;
      const float* v = channels_.data() + std::size_t(x + n[0] * (y + n[1] * z)) * kChannels;
      for (int c = 0; c < kChannels; ++c) out[c] += w * v[c];
    }
    out += kChannels;
  }
}

float descriptor_distance(const float* a, const float* b) {
  const std::size_t length = descriptor_length();
  float sum = 0.0f;
  for (std::size_t i = 0; i < length; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

}  // namespace modir::landmarks
