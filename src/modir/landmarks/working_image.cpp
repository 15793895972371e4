#include "modir/landmarks/working_image.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "modir/core/hounsfield.h"
#include "modir/core/parallel.h"
#include "modir/filter/body_mask.h"
#include "modir/filter/gaussian_blur.h"
#include "modir/filter/resample.h"
#include "modir/report/world_view.h"

namespace modir::landmarks {

bool WorldBox::overlaps(const WorldBox& other) const {
  for (int a = 0; a < 3; ++a)
    if (high[a] <= other.low[a] || other.high[a] <= low[a]) return false;
  return true;
}

WorldBox world_box(const Geometry& g) {
  WorldBox box{{1e300, 1e300, 1e300}, {-1e300, -1e300, -1e300}};
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3d index{corner & 1 ? double(g.size[0]) - 0.5 : -0.5,
                      corner & 2 ? double(g.size[1]) - 0.5 : -0.5,
                      corner & 4 ? double(g.size[2]) - 0.5 : -0.5};
    const Vec3d p = g.index_to_world(index);
    for (int a = 0; a < 3; ++a) {
      box.low[a] = std::min(box.low[a], p[a]);
      box.high[a] = std::max(box.high[a], p[a]);
    }
  }
  return box;
}

WorkingImage make_working_image(const Image<float>& scan, double spacing_mm,
                                double edge_margin_mm) {
  // Anti-aliasing: blur each axis by half the new spacing where the scan is finer than that.
  Image<float> smoothed = scan;
  Vec3d sigma{0, 0, 0};
  for (int a = 0; a < 3; ++a) {
    const double s = scan.geometry().spacing[a];
    if (s < spacing_mm) sigma[a] = 0.5 * std::sqrt(spacing_mm * spacing_mm - s * s);
  }
  filter::gaussian_blur(smoothed, sigma);

  WorkingImage out;
  // Along the world axes over the scan's box, then resampled to the spacing (same box, centred).
  const Geometry grid = filter::geometry_with_spacing(report::world_aligned_grid(scan.geometry()),
                                                      {spacing_mm, spacing_mm, spacing_mm});
  const auto [lowest, highest] = std::minmax_element(scan.buffer().begin(), scan.buffer().end());
  out.looks_like_ct = !scan.buffer().empty() && looks_like_ct_in_hu(*lowest, *highest);
  // Outside the scan the working image continues with the scan's lowest value (air on a CT).
  out.image = filter::resample(smoothed, grid, filter::Interpolation::kLinear,
                               scan.buffer().empty() ? 0.0 : double(*lowest));

  if (out.looks_like_ct) {
    out.region = filter::body_mask_from_ct(out.image);
  } else {
    std::vector<float> values = out.image.buffer();
    const std::size_t k = values.size() / 20;
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    const float floor = values.empty() ? 0.0f : values[k];
    out.region = Image<std::uint8_t>(grid, 0);
    for (std::size_t i = 0; i < values.size(); ++i)
      out.region.buffer()[i] = out.image.buffer()[i] > floor ? 1 : 0;
  }
  // Only where the scan itself has data, away from its faces.
  const Geometry& sg = scan.geometry();
  const Vec3d margin_index = {edge_margin_mm / sg.spacing[0], edge_margin_mm / sg.spacing[1],
                              edge_margin_mm / sg.spacing[2]};
  parallel_for_slices(grid.size[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < grid.size[1]; ++y) {
      for (std::int64_t x = 0; x < grid.size[0]; ++x) {
        std::uint8_t& r = out.region(x, y, z);
        if (!r) continue;
        const Vec3d index =
            sg.world_to_index(grid.index_to_world({double(x), double(y), double(z)}));
        for (int a = 0; a < 3; ++a) {
          // A single-voxel axis (a 2D-like scan) has no room for any margin.
          const double lo = std::min(margin_index[a], 0.5 * double(sg.size[a] - 1));
          if (index[a] < lo || index[a] > double(sg.size[a] - 1) - lo) r = 0;
        }
      }
    }
  });
  return out;
}

}  // namespace modir::landmarks
