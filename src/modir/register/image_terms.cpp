#include "modir/register/image_terms.h"

#include <algorithm>

#include "modir/objective/similarity/local_ncc.h"
#include "modir/objective/similarity/mind_ssc.h"
#include "modir/objective/similarity/mutual_information.h"
#include "modir/objective/similarity/ncc.h"
#include "modir/objective/similarity/ssd.h"
#include "modir/register/registration_config.h"

namespace modir::reg {

std::array<double, 2> intensity_range(const Image<float>& image) {
  const auto [lo, hi] = std::minmax_element(image.buffer().begin(), image.buffer().end());
  return {*lo, *hi};
}

std::unique_ptr<objective::ImageTerm> make_image_term(const std::string& metric,
                                                      const ImageTermConfig& config,
                                                      Image<float> fixed, Image<float> moving,
                                                      std::optional<objective::Mask> mask,
                                                      const std::array<double, 4>& ranges) {
  using namespace objective;
  std::vector<Image<float>> f, m;
  std::unique_ptr<Similarity> similarity;
  if (metric == "mind") {
    // Twelve self-similarity channels per image, compared by SSD: modality independent.
    f = mind_ssc_descriptors(fixed, config.mind_radius, config.mind_dilation);
    m = mind_ssc_descriptors(moving, config.mind_radius, config.mind_dilation);
    similarity = std::make_unique<SumOfSquaredDifferences>();
  } else {
    f.push_back(std::move(fixed));
    m.push_back(std::move(moving));
    if (metric == "lncc") {
      similarity = std::make_unique<LocalNcc>(
          config.window == "gaussian" ? WindowSum::Kind::kGaussian : WindowSum::Kind::kBox,
          config.radius_mm);
    } else if (metric == "ncc") {
      similarity = std::make_unique<NormalizedCrossCorrelation>();
    } else if (metric == "ssd") {
      similarity = std::make_unique<SumOfSquaredDifferences>();
    } else {
      similarity = std::make_unique<MattesMutualInformation>(ranges[0], ranges[1], ranges[2],
                                                             ranges[3], config.bins);
    }
  }
  return std::make_unique<ImageTerm>(std::move(f), std::move(m), std::move(similarity),
                                     std::move(mask));
}

}  // namespace modir::reg
