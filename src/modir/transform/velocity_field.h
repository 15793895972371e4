#pragma once

#include <vector>

#include "modir/core/image.h"

namespace modir::transform {

// The stationary velocity field parametrisation: a velocity v on the fixed grid stands for the
// displacement exp(v), the time-1 flow of v, which is a diffeomorphism however large v is. The
// flow is computed by scaling and squaring (Arsigny et al. 2006): s_0 = v / 2^N, then N times
// s_{k+1}(x) = s_k(x) + s_k(x + s_k(x)), i.e. the map x -> x + s_k(x) composed with itself.
//
// Sampling s_k between voxels is trilinear in the continuous voxel index. Outside the grid the
// field is edge-clamped: the continuous index is clamped to [0, n - 1] on each axis, so a point
// beyond a face takes the value on that face (the field is extended as constant along the face
// normal) and its derivative with respect to the sample position along that axis is zero. The
// adjoint below differentiates exactly this discrete scheme, clamping included.

/// The number of squarings N for which max |v| / 2^N is below half the smallest voxel spacing,
/// so that the first step s_0 moves no point by more than half a voxel and each composition is of
/// near-identity maps, which keeps it invertible. At least 4, so that even a small velocity is
/// integrated as a flow rather than used almost directly as a displacement (the squarings'
/// error against the true exponential shrinks like 1 / 2^N); at most 12, since 2^12 already
/// brings a velocity of 2048 voxels below half a voxel and every squaring costs a pass over the
/// field and adds a little interpolation blur.
int squaring_steps_for(const DisplacementField& velocity);

/// displacement = exp(velocity) by `steps` squarings (steps = 0 returns the velocity itself);
/// the result takes the velocity's grid. When `intermediate` is not null it receives
/// s_0 .. s_{steps-1}, the fields exponentiate_adjoint needs. Parallel over slices.
/// Throws a usage error when steps is negative.
void exponentiate(const DisplacementField& velocity, int steps, DisplacementField& displacement,
                  std::vector<DisplacementField>* intermediate = nullptr);

/// The exact reverse-mode derivative of exponentiate: given dE/d(displacement) and the
/// intermediate fields s_0 .. s_{N-1} kept by exponentiate, writes dE/d(velocity) on the same grid.
/// Each squaring contributes the identity term, the derivative of the trilinear sample with
/// respect to its position (piecewise constant, zero along clamped axes) and the transposed
/// interpolation (each voxel's gradient scattered to the 8 corners it sampled). The scatter runs
/// in parallel over blocks of slices wide enough that concurrently processed blocks never write
/// the same voxel, in a fixed order, so the result does not depend on the thread count.
/// Throws a usage error when the grids of the inputs differ.
void exponentiate_adjoint(const std::vector<DisplacementField>& intermediate,
                          const DisplacementField& dE_ddisplacement,
                          DisplacementField& dE_dvelocity);

}  // namespace modir::transform
