#pragma once

#include <cstdint>
#include <string>

#include "modir/core/image.h"

namespace modir::objective {

/// A voxel mask on the fixed grid: nonzero = the term is evaluated there.
using Mask = Image<std::uint8_t>;

/// An intensity dissimilarity between the fixed image and the warped moving image on the same
/// grid. Lower is better; its minimum is reached when the images agree. Values are normalised so
/// they do not grow with the number of voxels (means, not sums).
class Similarity {
 public:
  virtual ~Similarity() = default;
  virtual std::string name() const = 0;
  /// E(fixed, warped) over voxels where `mask` (may be null) is nonzero. When `dE_dwarped` is not
  /// null it is resized to the grid and filled with dE/dwarped per voxel (zero outside the mask).
  virtual double evaluate(const Image<float>& fixed, const Image<float>& warped, const Mask* mask,
                          Image<float>* dE_dwarped) = 0;
};

}  // namespace modir::objective
