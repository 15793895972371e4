#include "modir/report/snapshot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

namespace modir::report {

namespace {

constexpr std::array<std::array<std::uint8_t, 3>, 9> kLabelColours{{
    {0, 0, 0},
    {110, 110, 110},
    {255, 255, 120},
    {255, 210, 0},
    {200, 80, 40},
    {80, 200, 80},
    {255, 80, 200},
    {0, 200, 255},
    {255, 255, 255},
}};

std::array<std::uint8_t, 3> colour_of(std::uint16_t label) {
  return kLabelColours[std::min<std::size_t>(label, kLabelColours.size() - 1)];
}

// One panel: pixel (u, v) of the panel shows voxel index(u, v) of the volume.
struct Panel {
  int width = 0, height = 0;
  // Maps panel pixel coordinates to a voxel index (nearest voxel).
  std::function<Size3(int, int)> voxel;
};

}  // namespace

Shade grey_shade(const Window& window) {
  const double lo = window.centre - 0.5 * window.width, width = window.width;
  return [lo, width](float value) {
    const auto grey =
        static_cast<std::uint8_t>(std::lround(std::clamp((value - lo) / width, 0.0, 1.0) * 255.0));
    return std::array<std::uint8_t, 3>{grey, grey, grey};
  };
}

io::RgbPicture orthogonal_snapshot(const Image<float>& image, const LabelMap* labels,
                                   const Window& window, std::optional<Size3> centre_index,
                                   const LabelColours* colours) {
  const Outlines outlines[] = {{labels, colours}};
  return orthogonal_picture(
      image, grey_shade(window),
      labels ? std::span<const Outlines>(outlines) : std::span<const Outlines>(), centre_index);
}

io::RgbPicture orthogonal_picture(const Image<float>& image, const Shade& shade,
                                  std::span<const Outlines> outlines,
                                  std::optional<Size3> centre_index) {
  const Geometry& g = image.geometry();
  const Size3 n = g.size;
  const Size3 c = centre_index.value_or(Size3{n[0] / 2, n[1] / 2, n[2] / 2});
  const PanelLayout layout = orthogonal_layout(g);
  const double pixel_mm = layout.pixel_mm;
  auto pixels = [&](int axis) {
    return std::max(1, static_cast<int>(std::lround(n[axis] * g.spacing[axis] / pixel_mm)));
  };
  auto index_of = [&](int axis, int p) {
    return std::clamp<std::int64_t>(
        static_cast<std::int64_t>((p + 0.5) * pixel_mm / g.spacing[axis]), 0, n[axis] - 1);
  };

  std::array<Panel, 3> panels;
  panels[0] = {pixels(0), pixels(1), [&](int u, int v) {
                 return Size3{index_of(0, u), index_of(1, v), c[2]};
               }};
  panels[1] = {pixels(0), pixels(2), [&](int u, int v) {
                 return Size3{index_of(0, u), c[1], n[2] - 1 - index_of(2, v)};
               }};
  panels[2] = {pixels(1), pixels(2), [&](int u, int v) {
                 return Size3{c[0], index_of(1, u), n[2] - 1 - index_of(2, v)};
               }};

  constexpr int kGap = 4;
  io::RgbPicture picture;
  picture.height = std::max({panels[0].height, panels[1].height, panels[2].height});
  picture.width = panels[0].width + panels[1].width + panels[2].width + 2 * kGap;
  picture.rgb.assign(3u * static_cast<std::size_t>(picture.width) * picture.height, 0);

  int left = 0;
  for (const Panel& panel : panels) {
    for (int v = 0; v < panel.height; ++v) {
      for (int u = 0; u < panel.width; ++u) {
        const Size3 at = panel.voxel(u, v);
        std::uint8_t* out = picture.pixel(left + u, v);
        const auto colour = shade(image(at[0], at[1], at[2]));
        std::copy(colour.begin(), colour.end(), out);
        for (const Outlines& set : outlines) {
          const LabelMap& labels = *set.labels;
          const std::uint16_t label = labels(at[0], at[1], at[2]);
          if (label == 0) continue;
          // An outline pixel: a 4-neighbour in the panel shows another label.
          bool edge = false;
          for (const auto& [du, dv] :
               {std::pair{1, 0}, std::pair{-1, 0}, std::pair{0, 1}, std::pair{0, -1}}) {
            const int uu = std::clamp(u + du, 0, panel.width - 1),
                      vv = std::clamp(v + dv, 0, panel.height - 1);
            const Size3 other = panel.voxel(uu, vv);
            edge = edge || labels(other[0], other[1], other[2]) != label;
          }
          if (!edge) continue;
          const auto line = set.colours == nullptr ? colour_of(label)
                            : label < set.colours->size()
                                ? (*set.colours)[label]
                                : std::array<std::uint8_t, 3>{255, 255, 255};
          std::copy(line.begin(), line.end(), out);
        }
      }
    }
    left += panel.width + kGap;
  }
  return picture;
}

std::array<std::uint8_t, 3> default_label_colour(std::uint16_t label) {
  return colour_of(label);
}

PanelLayout orthogonal_layout(const Geometry& g) {
  PanelLayout layout;
  layout.pixel_mm = std::min({g.spacing.x, g.spacing.y, g.spacing.z});
  auto pixels = [&](int axis) {
    return std::max(
        1, static_cast<int>(std::lround(g.size[axis] * g.spacing[axis] / layout.pixel_mm)));
  };
  constexpr int kGap = 4;  // as orthogonal_picture
  const int sizes[3][2] = {{pixels(0), pixels(1)}, {pixels(0), pixels(2)}, {pixels(1), pixels(2)}};
  int left = 0;
  for (int p = 0; p < 3; ++p) {
    layout.panels[p] = {left, 0, sizes[p][0], sizes[p][1]};
    left += sizes[p][0] + kGap;
  }
  return layout;
}

}  // namespace modir::report
