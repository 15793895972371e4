#pragma once

#include <cstdint>

#include "modir/core/image.h"

namespace modir::filter {

/// Exact Euclidean distance in mm from every voxel centre to the nearest centre of a nonzero
/// voxel of `mask` (0 on the mask), honouring anisotropic spacing; the direction matrix plays no
/// part because it is orthonormal. Computed separably along the three axes with the lower envelope
/// of parabolas of Felzenszwalb and Huttenlocher (linear in the voxel count, parallel over lines).
///
/// An empty mask has no nearest voxel: every voxel is +infinity, which callers check with
/// std::isinf (no exception, because "nothing there" is a legitimate answer for a missing organ).
Image<float> distance_to_mask(const Image<std::uint8_t>& mask);

/// Signed distance in mm to the surface of one label: negative inside, positive outside.
///
/// The surface is sampled at the centres of the voxel faces that separate a voxel of `label` from
/// a 6-neighbour of another value; the region outside the grid counts as another value, so a label
/// touching the edge of the field of view is closed there. The value at a voxel is the distance to
/// the nearest such face centre, so the zero level lies halfway between voxel centres: two
/// neighbours across the surface along an axis of spacing s get -s/2 and +s/2, and linear
/// interpolation of the map crosses zero on the face. Exact (no chamfer approximation); each axis's
/// faces get their own separable transform.
///
/// Throws a data error naming the label when no voxel carries it.
Image<float> signed_distance(const LabelMap& labels, std::uint16_t label);

/// Distance in mm from every voxel centre to the nearest voxel of `label` on the grid's outer
/// layer: where the field of view cuts the organ off. signed_distance closes such an organ at the
/// cut, so near it the map measures to the cut, not to the organ; callers compare the two to know
/// where the map can be believed. Returns an empty image (no voxels) when the organ does not reach
/// the outer layer, i.e. when nothing is cut off.
Image<float> distance_to_cut(const LabelMap& labels, std::uint16_t label);

}  // namespace modir::filter
