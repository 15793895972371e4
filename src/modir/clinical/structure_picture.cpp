#include "modir/clinical/structure_picture.h"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "modir/report/snapshot.h"

namespace modir::clinical {

std::optional<io::RgbPicture> structure_picture(const Image<float>& daily,
                                                const PropagatedStructure& structure) {
  const Geometry& g = structure.fraction.geometry();
  LabelMap outline(g, 0);
  double sx = 0, sy = 0, sz = 0;
  std::int64_t count = 0;
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        if (structure.fraction(x, y, z) < kInsideFraction) continue;
        outline(x, y, z) = 1;
        sx += double(x);
        sy += double(y);
        sz += double(z);
        ++count;
      }
  if (count == 0) return std::nullopt;
  const Size3 centre{std::llround(sx / double(count)), std::llround(sy / double(count)),
                     std::llround(sz / double(count))};
  const auto& c = structure.structure.color;
  const report::LabelColours colours{
      {0, 0, 0},
      {static_cast<std::uint8_t>(c[0]), static_cast<std::uint8_t>(c[1]),
       static_cast<std::uint8_t>(c[2])}};
  return report::orthogonal_snapshot(daily, &outline, report::Window{}, centre, &colours);
}

std::string picture_file_name(std::size_t index, const std::string& structure_name) {
  std::string safe;
  for (const unsigned char ch : structure_name)
    safe.push_back(std::isalnum(ch) || ch == '-' || ch == '_' ? static_cast<char>(ch) : '_');
  return fmt::format("{:02d}_{}.png", index + 1, safe.substr(0, 48));
}

}  // namespace modir::clinical
