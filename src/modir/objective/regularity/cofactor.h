#pragma once

#include "modir/core/vec.h"

namespace modir::objective {

/// d det(J) / dJ: the cofactor matrix of J (the cyclic index pattern gives the signs). Shared by
/// the penalties that differentiate a Jacobian determinant.
inline Mat3 cofactor(const Mat3& j) {
  Mat3 c;
  for (int r = 0; r < 3; ++r) {
    const int r1 = (r + 1) % 3, r2 = (r + 2) % 3;
    for (int col = 0; col < 3; ++col) {
      const int c1 = (col + 1) % 3, c2 = (col + 2) % 3;
      c(r, col) = j(r1, c1) * j(r2, c2) - j(r1, c2) * j(r2, c1);
    }
  }
  return c;
}

}  // namespace modir::objective
