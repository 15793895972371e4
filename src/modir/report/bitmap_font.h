#pragma once

// Text on pictures without a font library: a 5x7 pixel font of letters, digits and the
// punctuation of structure names, for axis labels, orientation letters, legends and scale bars.

#include <array>
#include <cstdint>
#include <string>

#include "modir/io/png_io.h"

namespace modir::report {

inline constexpr int kGlyphWidth = 5, kGlyphHeight = 7, kGlyphAdvance = 6;

/// Width in pixels of `text` drawn at `scale` (each font pixel a scale x scale block).
int text_width(const std::string& text, int scale = 1);

/// Draws `text` with its top-left corner at (x, y), clipped to the picture. Characters the font
/// lacks (accents, symbols) are drawn as '?'.
void draw_text(io::RgbPicture& picture, int x, int y, const std::string& text,
               const std::array<std::uint8_t, 3>& colour, int scale = 1);

}  // namespace modir::report
