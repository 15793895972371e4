#include "modir/evaluate/rigidity.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <Eigen/Dense>

#include "modir/core/error.h"
#include "modir/filter/connected_components.h"

namespace modir::evaluate {

RigidFit fit_rigid(std::span<const Vec3d> from, std::span<const Vec3d> to) {
  if (from.size() != to.size()) {
    throw data_error("rigid fit: {} points against {}", from.size(), to.size());
  }
  if (from.size() < 3)
    throw data_error("rigid fit: needs at least 3 point pairs, got {}", from.size());
  const double n = static_cast<double>(from.size());
  Vec3d mean_from{0, 0, 0}, mean_to{0, 0, 0};
  for (std::size_t i = 0; i < from.size(); ++i) {
    mean_from += from[i];
    mean_to += to[i];
  }
  mean_from = mean_from / n;
  mean_to = mean_to / n;
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
  Eigen::Matrix3d spread = Eigen::Matrix3d::Zero();
  for (std::size_t i = 0; i < from.size(); ++i) {
    const Vec3d a = from[i] - mean_from, b = to[i] - mean_to;
    const Eigen::Vector3d ea(a.x, a.y, a.z), eb(b.x, b.y, b.z);
    covariance += eb * ea.transpose();
    spread += ea * ea.transpose();
  }
  // Points on one line leave the rotation about that line undetermined.
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> extent(spread / n);
  if (extent.eigenvalues()(1) < 1e-9 * std::max(extent.eigenvalues()(2), 1e-300)) {
    throw data_error("rigid fit: the {} points lie on one line", from.size());
  }
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(covariance, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Matrix3d correction = Eigen::Matrix3d::Identity();
  // A reflection fits mirrored data better than any rotation; a motion is never one.
  if ((svd.matrixU() * svd.matrixV().transpose()).determinant() < 0) correction(2, 2) = -1.0;
  const Eigen::Matrix3d r = svd.matrixU() * correction * svd.matrixV().transpose();

  RigidFit fit;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) fit.rotation(i, j) = r(i, j);
  fit.translation = mean_to - fit.rotation * mean_from;
  double sum = 0.0;
  for (std::size_t i = 0; i < from.size(); ++i) {
    const double e = (fit.rotation * from[i] + fit.translation - to[i]).norm();
    sum += e * e;
    fit.max_mm = std::max(fit.max_mm, e);
  }
  fit.rms_mm = std::sqrt(sum / n);
  const double cosine = std::clamp((r.trace() - 1.0) / 2.0, -1.0, 1.0);
  fit.rotation_deg = std::acos(cosine) * 180.0 / std::numbers::pi;
  return fit;
}

std::vector<BoneRigidity> bone_rigidity(const DisplacementField& u, const LabelMap& labels,
                                        std::span<const std::uint16_t> bone_labels,
                                        double min_volume_ml, std::int64_t max_samples) {
  const Geometry& g = u.geometry();
  if (labels.size() != u.size()) {
    throw data_error(
        "bone rigidity: the label map ({}x{}x{}) is not on the field's grid ({}x{}x{})",
        labels.size()[0], labels.size()[1], labels.size()[2], g.size[0], g.size[1], g.size[2]);
  }
  const double voxel_ml = g.voxel_ml();
  std::vector<BoneRigidity> out;
  for (const std::uint16_t label : bone_labels) {
    const filter::Components pieces = filter::connected_components(labels, label);
    std::vector<std::size_t> order(pieces.sizes.size());
    for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return pieces.sizes[a] > pieces.sizes[b];
    });
    // Voxel lists of the pieces kept, in index order.
    std::vector<int> rank(pieces.sizes.size(), -1);
    int kept = 0;
    for (const std::size_t c : order) {
      if (double(pieces.sizes[c]) * voxel_ml < min_volume_ml) break;
      rank[c] = kept++;
    }
    if (kept == 0) continue;
    std::vector<std::vector<Vec3d>> from(static_cast<std::size_t>(kept)), to(from.size());
    std::vector<std::int64_t> seen(from.size(), 0), stride(from.size(), 1);
    for (std::size_t c = 0; c < pieces.sizes.size(); ++c) {
      if (rank[c] >= 0) {
        stride[static_cast<std::size_t>(rank[c])] =
            std::max<std::int64_t>(1, (pieces.sizes[c] + max_samples - 1) / max_samples);
      }
    }
    const std::int64_t nx = g.size[0], ny = g.size[1];
    for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
      const std::int32_t c = pieces.index[static_cast<std::size_t>(v)];
      if (c < 0 || rank[static_cast<std::size_t>(c)] < 0) continue;
      const auto r = static_cast<std::size_t>(rank[static_cast<std::size_t>(c)]);
      if (seen[r]++ % stride[r] != 0) continue;
      const Vec3d x =
          g.index_to_world({double(v % nx), double((v / nx) % ny), double(v / (nx * ny))});
      from[r].push_back(x);
      to[r].push_back(x + u.data()[v].cast<double>());
    }
    for (std::size_t r = 0; r < from.size(); ++r) {
      BoneRigidity bone;
      bone.label = label;
      bone.component = static_cast<int>(r);
      bone.voxels = seen[r];
      bone.volume_ml = double(seen[r]) * voxel_ml;
      Vec3d centroid{0, 0, 0};
      for (const Vec3d& x : from[r]) centroid += x;
      bone.centroid_mm = centroid / double(from[r].size());
      bone.fit = fit_rigid(from[r], to[r]);
      out.push_back(std::move(bone));
    }
  }
  return out;
}

}  // namespace modir::evaluate
