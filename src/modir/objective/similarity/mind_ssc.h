#pragma once

#include <array>
#include <vector>

#include "modir/core/image.h"

namespace modir::objective {

/// Two of the six face neighbours of a voxel that lie sqrt(2) apart, as unit index offsets (the
/// descriptor scales them by its dilation). MIND-SSC channel c compares the patches around
/// kMindSscPairs[c].first and kMindSscPairs[c].second.
struct MindSscPair {
  std::array<int, 3> first;
  std::array<int, 3> second;
};

/// The twelve neighbour pairs, in channel order: every pair of face neighbours except the three
/// opposite ones (those are 2 apart, not sqrt(2)).
inline constexpr std::array<MindSscPair, 12> kMindSscPairs{{
    {{1, 0, 0}, {0, 1, 0}},
    {{1, 0, 0}, {0, -1, 0}},
    {{1, 0, 0}, {0, 0, 1}},
    {{1, 0, 0}, {0, 0, -1}},
    {{-1, 0, 0}, {0, 1, 0}},
    {{-1, 0, 0}, {0, -1, 0}},
    {{-1, 0, 0}, {0, 0, 1}},
    {{-1, 0, 0}, {0, 0, -1}},
    {{0, 1, 0}, {0, 0, 1}},
    {{0, 1, 0}, {0, 0, -1}},
    {{0, -1, 0}, {0, 0, 1}},
    {{0, -1, 0}, {0, 0, -1}},
}};

/// MIND-SSC descriptors (Heinrich et al. 2013, "Towards realtime multimodal fusion for
/// image-guided interventions using self-similarity context"): twelve channels on the image's
/// grid describing local structure in a way that does not depend on how intensities are mapped,
/// so a multi-modal pair can be registered by comparing channels with SSD.
///
/// For channel c with neighbours a, b (kMindSscPairs[c] times `dilation` voxels):
///   D_c(x) = mean over the cube of half-width `radius` around x of (I(y + a) - I(y + b))^2,
///   V(x)   = mean over c of D_c(x), clamped to [0.001 m, 1000 m] with m the image mean of V,
///   out_c(x) = exp(-D_c(x) / V(x)) / max_c' exp(-D_c'(x) / V(x)),
/// so every voxel's largest channel is exactly 1 and all values lie in (0, 1] (a value can only
/// underflow to 0 where V was clamped from above, i.e. where the local variation exceeds 1000
/// times its mean). Outside the grid the image is edge-replicated, and so are the squared
/// differences when the patch mean reaches past the edge. A constant image (m = 0) gives 1
/// everywhere.
///
/// The result is unchanged by I -> alpha I + beta (alpha != 0). Parallel over slices. Throws a
/// usage error when radius < 0 or dilation < 1.
std::vector<Image<float>> mind_ssc_descriptors(const Image<float>& image, int radius = 1,
                                               int dilation = 2);

}  // namespace modir::objective
