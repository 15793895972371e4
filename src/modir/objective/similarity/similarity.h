#pragma once

#include <cstdint>
#include <string>

#include "modir/core/image.h"

namespace modir::objective {

/// A voxel mask on the fixed grid: nonzero = the term is evaluated there.
using Mask = Image<std::uint8_t>;

/// How much each voxel of the fixed grid counts in a similarity, in [0, 1]: 0 leaves it out, 1
/// counts it fully. Registration passes the moving scan's overlap here (transform::OverlapWeights),
/// which falls continuously to 0 at the scan's edge so that the energy has no jumps when a voxel's
/// sample crosses it.
using VoxelWeights = Image<float>;

/// Voxel i's weight from VoxelWeights' data, or 1 without weights (`weights` null).
inline double voxel_weight(const float* weights, std::int64_t i) {
  return weights != nullptr ? double(weights[i]) : 1.0;
}

/// An intensity dissimilarity between the fixed image and the warped moving image on the same
/// grid. Lower is better; its minimum is reached when the images agree. Values are normalised so
/// they do not grow with the number of voxels (weighted means, not sums).
class Similarity {
 public:
  virtual ~Similarity() = default;
  virtual std::string name() const = 0;
  /// E(fixed, warped), each voxel counted with its weight in `weights` (null: all count fully).
  /// When `dE_dwarped` is not null it is resized to the grid and filled with dE/dwarped per voxel
  /// (zero where the weight is zero). When `dE_dweight` is not null it receives dE/dweight per
  /// voxel: how the value changes as a voxel's weight does, which a caller whose weights depend on
  /// the deformation needs for an exact gradient.
  virtual double evaluate(const Image<float>& fixed, const Image<float>& warped,
                          const VoxelWeights* weights, Image<float>* dE_dwarped,
                          Image<float>* dE_dweight = nullptr) = 0;
};

/// Resizes `image` to `like`'s grid unless it already has it (scratch reused between calls).
inline void shape_like(const Image<float>& like, Image<float>& image) {
  if (image.size() == like.size()) {
    image.set_geometry(like.geometry());
  } else {
    image = Image<float>(like.geometry());
  }
}

}  // namespace modir::objective
