#include "modir/register/image_terms.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/core/error.h"

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

namespace {

using objective::Similarity;
using SimilarityFactory = std::unique_ptr<Similarity> (*)(const ImageTermConfig&,
                                                         const std::array<double, 4>&);

// One entry per metric: its name, and how its similarity is made. "mind" compares descriptor
// channels (made in make_image_term) by SSD.
struct MetricEntry {
  const char* name;
  SimilarityFactory make;
  bool on_mind_descriptors;
};

const std::vector<MetricEntry>& metric_table() {
  using namespace objective;
  static const std::vector<MetricEntry> table = {
      {"lncc",
       [](const ImageTermConfig& c, const std::array<double, 4>&) -> std::unique_ptr<Similarity> {
         return std::make_unique<LocalNcc>(
             c.window == "gaussian" ? WindowSum::Kind::kGaussian : WindowSum::Kind::kBox,
             c.radius_mm);
       },
       false},
      {"ncc",
       [](const ImageTermConfig&, const std::array<double, 4>&) -> std::unique_ptr<Similarity> {
         return std::make_unique<NormalizedCrossCorrelation>();
       },
       false},
      {"ssd",
       [](const ImageTermConfig&, const std::array<double, 4>&) -> std::unique_ptr<Similarity> {
         return std::make_unique<SumOfSquaredDifferences>();
       },
       false},
      {"mi",
       [](const ImageTermConfig& c, const std::array<double, 4>& r) -> std::unique_ptr<Similarity> {
         return std::make_unique<MattesMutualInformation>(r[0], r[1], r[2], r[3], c.bins);
       },
       false},
      {"mind",
       [](const ImageTermConfig&, const std::array<double, 4>&) -> std::unique_ptr<Similarity> {
         return std::make_unique<SumOfSquaredDifferences>();
       },
       true},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& image_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const MetricEntry& e : metric_table()) out.emplace_back(e.name);
    return out;
  }();
  return names;
}

std::unique_ptr<objective::ImageTerm> make_image_term(const std::string& metric,
                                                      const ImageTermConfig& config,
                                                      Image<float> fixed, Image<float> moving,
                                                      std::optional<objective::Mask> mask,
                                                      const std::array<double, 4>& ranges) {
  const auto& table = metric_table();
  const auto entry = std::find_if(table.begin(), table.end(),
                                  [&](const MetricEntry& e) { return metric == e.name; });
  if (entry == table.end()) {
    throw usage_error("image metric '{}' is not one of {}", metric,
                      fmt::join(image_metric_names(), ", "));
  }
  std::vector<Image<float>> f, m;
  if (entry->on_mind_descriptors) {
    // Twelve self-similarity channels per image, compared by SSD: modality independent.
    f = objective::mind_ssc_descriptors(fixed, config.mind_radius, config.mind_dilation);
    m = objective::mind_ssc_descriptors(moving, config.mind_radius, config.mind_dilation);
  } else {
    f.push_back(std::move(fixed));
    m.push_back(std::move(moving));
  }
  return std::make_unique<objective::ImageTerm>(std::move(f), std::move(m),
                                                entry->make(config, ranges), std::move(mask));
}

}  // namespace modir::reg
