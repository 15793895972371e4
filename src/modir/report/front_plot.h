#pragma once

#include <cstddef>

#include "modir/io/png_io.h"
#include "modir/register/front_file.h"

namespace modir::report {

/// Size of one panel of a front plot, in pixels; panels sit side by side.
inline constexpr int kFrontPanelWidth = 300;
inline constexpr int kFrontPanelHeight = 280;

/// The pairwise projections of a front's objectives, one panel per pair (1 panel for 2
/// objectives, 3 for 3: image-guidance, image-deformation, guidance-deformation), first objective
/// of the pair across, second up. Each axis is labelled with its objective's name and its minimum
/// and maximum over the solutions. Every solution is a dot: dark blue when no other solution
/// dominates it in that projection, grey otherwise; solution `mark` is red with a red ring.
io::RgbPicture plot_front(const reg::Front& front, std::size_t mark);

}  // namespace modir::report
