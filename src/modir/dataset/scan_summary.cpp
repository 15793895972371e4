#include "modir/dataset/scan_summary.h"

#include <algorithm>
#include <cmath>

#include "modir/core/error.h"
#include "modir/core/sha256.h"
#include "modir/io/image_io.h"

namespace modir::dataset {

namespace {

std::string hash_of(const Image<float>& image) {
  Sha256 sha;
  const Geometry& g = image.geometry();
  sha.update(g.size.data(), sizeof(g.size));
  for (int a = 0; a < 3; ++a) {
    // Rounded to a micrometre: re-written headers may differ in the last float digit.
    const double values[] = {std::round(g.spacing[a] * 1e3), std::round(g.origin[a] * 1e3)};
    sha.update(values, sizeof(values));
    for (int b = 0; b < 3; ++b) {
      const double d = std::round(g.direction(a, b) * 1e6);
      sha.update(&d, sizeof(d));
    }
  }
  sha.update(image.data(), image.buffer().size() * sizeof(float));
  return sha.hex_digest();
}

double side_body_fraction(const Image<float>& image) {
  const Size3 n = image.size();
  std::int64_t total = 0, body = 0;
  for (std::int64_t z = 0; z < n[2]; ++z) {
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (const std::int64_t x : {std::int64_t{0}, n[0] - 1}) {
        ++total;
        body += image(x, y, z) > -400.0f;
      }
    for (std::int64_t x = 0; x < n[0]; ++x)
      for (const std::int64_t y : {std::int64_t{0}, n[1] - 1}) {
        ++total;
        body += image(x, y, z) > -400.0f;
      }
  }
  return total > 0 ? double(body) / double(total) : 0.0;
}

void summarise_labels(const LabelMap& labels, ScanSummary& s) {
  const Geometry& g = labels.geometry();
  const double voxel_ml = g.voxel_ml();
  const Mat3 m = g.index_to_world_matrix();
  const Size3 n = g.size;
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j)
      for (std::int64_t i = 0; i < n[0]; ++i) {
        const std::uint16_t l = labels(i, j, k);
        if (l == 0) continue;
        const double z =
            g.origin.z + m(2, 0) * double(i) + m(2, 1) * double(j) + m(2, 2) * double(k);
        auto [it, inserted] = s.labels.try_emplace(l);
        LabelStat& stat = it->second;
        if (inserted) stat.z_min_mm = stat.z_max_mm = z;
        ++stat.voxels;
        stat.z_min_mm = std::min(stat.z_min_mm, z);
        stat.z_max_mm = std::max(stat.z_max_mm, z);
      }
  for (auto& [l, stat] : s.labels) stat.ml = double(stat.voxels) * voxel_ml;
}

}  // namespace

ScanSummary summarise_scan(const ScanEntry& entry) {
  ScanSummary s;
  s.entry = entry;
  try {
    const Image<float> image = io::read_image_as<float>(entry.image);
    s.geometry = image.geometry();
    s.voxel_hash = hash_of(image);
    s.fingerprint = make_fingerprint(image);
    s.intensity = intensity_profile(image);
    s.side_body_fraction = side_body_fraction(image);
    s.world_min = {1e300, 1e300, 1e300};
    s.world_max = {-1e300, -1e300, -1e300};
    const Geometry& g = s.geometry;
    for (int corner = 0; corner < 8; ++corner) {
      const Vec3d w = g.index_to_world({(corner & 1) ? double(g.size[0] - 1) : 0.0,
                                        (corner & 2) ? double(g.size[1] - 1) : 0.0,
                                        (corner & 4) ? double(g.size[2] - 1) : 0.0});
      for (int a = 0; a < 3; ++a) {
        s.world_min[a] = std::min(s.world_min[a], w[a]);
        s.world_max[a] = std::max(s.world_max[a], w[a]);
      }
    }
  } catch (const Error& e) {
    s.image_error = e.what();
  }
  s.has_labels = !entry.labels.empty();
  if (!s.has_labels) return s;
  try {
    ConversionLoss loss;
    const LabelMap labels = io::read_image_as<std::uint16_t>(entry.labels, {}, &loss);
    s.label_geometry = labels.geometry();
    if (loss.clamped + loss.non_finite > 0) {
      s.labels_error =
          fmt::format("{} voxel(s) are negative, above 65535 or not finite: not a label map",
                      loss.clamped + loss.non_finite);
    } else {
      summarise_labels(labels, s);
    }
  } catch (const Error& e) {
    s.labels_error = e.what();
  }
  return s;
}

}  // namespace modir::dataset
