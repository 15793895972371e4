#include "modir/register/overlap.h"

#include <cstdint>

namespace modir::reg {

double overlap_fraction(const Geometry& fixed, const Geometry& moving,
                        const transform::AffineTransform& affine) {
  constexpr std::int64_t kStride = 4;
  std::int64_t total = 0, inside = 0;
  for (std::int64_t k = 0; k < fixed.size[2]; k += kStride)
    for (std::int64_t j = 0; j < fixed.size[1]; j += kStride)
      for (std::int64_t i = 0; i < fixed.size[0]; i += kStride) {
        const Vec3d x = fixed.index_to_world({double(i), double(j), double(k)});
        const Vec3d index = moving.world_to_index(affine.apply(x));
        bool in = true;
        for (std::size_t a = 0; a < 3; ++a)
          in = in && index[a] >= -0.5 && index[a] <= double(moving.size[a]) - 0.5;
        ++total;
        inside += in;
      }
  return total > 0 ? double(inside) / double(total) : 0.0;
}

}  // namespace modir::reg
