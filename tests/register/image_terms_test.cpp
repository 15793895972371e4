// The image metrics by name: every name the config accepts builds a term, and a name outside the
// table is an error naming the valid ones (it once became mutual information silently).

#include "modir/register/image_terms.h"

#include <gtest/gtest.h>

#include "modir/register/registration_config.h"
#include "support/test_support.h"

namespace modir::reg {
namespace {

Image<float> ramp() {
  Geometry g;
  g.size = {8, 8, 8};
  Image<float> image(g);
  for (std::int64_t i = 0; i < image.voxel_count(); ++i)
    image.buffer()[static_cast<std::size_t>(i)] = static_cast<float>(i % 17);
  return image;
}

TEST(ImageTerms, EveryListedMetricBuildsATerm) {
  const ImageTermConfig config;
  for (const std::string& name : image_metric_names()) {
    EXPECT_NE(make_image_term(name, config, ramp(), ramp(), std::nullopt, {0, 16, 0, 16}), nullptr)
        << name;
  }
  EXPECT_EQ(image_metric_names(), (std::vector<std::string>{"lncc", "ncc", "ssd", "mi", "mind"}));
}

TEST(ImageTerms, AnUnknownMetricIsAnErrorNamingTheValidOnes) {
  const Error e = test::error_of([] {
    make_image_term("nmi", ImageTermConfig{}, ramp(), ramp(), std::nullopt, {0, 16, 0, 16});
  });
  EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  EXPECT_NE(std::string(e.what()).find("'nmi' is not one of lncc, ncc, ssd, mi, mind"),
            std::string::npos)
      << e.what();
}

}  // namespace
}  // namespace modir::reg
