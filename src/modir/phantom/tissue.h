#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace modir::phantom {

/// Label ids of the phantom's label maps (docs/phantom.md). Fixed: tools and models rely on them.
enum Label : std::uint16_t {
  kBackground = 0,
  kBody = 1,            ///< everything inside the skin not listed below (fat, muscle, vessels)
  kBone = 2,            ///< pelvic bones (ilium, ischium, pubis, sacrum, coccyx) and femoral shafts
  kBladder = 3,         ///< bladder lumen and wall
  kRectum = 4,          ///< rectum, wall to wall, gas and faeces included
  kBowel = 5,           ///< sigmoid colon and small-bowel loops
  kUterusProstate = 6,  ///< uterus and cervix (female) or prostate and seminal vesicles (male)
  kFemoralHeads = 7,    ///< femoral heads and necks
};
inline constexpr int kLabelCount = 8;

/// Names as written in meta.json and label sidecars; index = label id.
inline constexpr std::array<std::string_view, kLabelCount> kLabelNames{
    "background", "body", "bone", "bladder", "rectum", "bowel", "uterus_prostate", "femoral_heads"};

/// What the anatomy holds at one point: a label and the noise-free CT value in HU.
struct TissueSample {
  std::uint16_t label = kBackground;
  float hu = -1000.0f;
};

}  // namespace modir::phantom
