#include "modir/clinical/propagation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modir::clinical {
namespace {

// A soft-tissue box with a bright ball ("bladder") at `centre` (index), on a 2 mm grid.
Image<float> scan(const Geometry& g, const Vec3d& centre) {
  Image<float> image(g, -1000.0f);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const Vec3d d{x - centre.x, y - centre.y, z - centre.z};
        const bool body = x > 2 && x < g.size[0] - 3 && y > 2 && y < g.size[1] - 3;
        image(x, y, z) = std::sqrt(d.x * d.x + d.y * d.y + d.z * d.z) < 6.0 ? 300.0f
                            : body                                          ? 40.0f
                                                                            : -1000.0f;
      }
  return image;
}

Image<std::uint8_t> ball(const Image<float>& image) {
  Image<std::uint8_t> mask(image.geometry(), 0);
  for (std::int64_t v = 0; v < image.voxel_count(); ++v) mask.data()[v] = image.data()[v] > 200.0f;
  return mask;
}

PropagationInputs inputs_with_shift() {
  Geometry g;
  g.size = {32, 32, 16};
  g.spacing = {2.0, 2.0, 2.0};
  PropagationInputs in;
  in.planning = scan(g, {15, 15, 8});
  in.daily = scan(g, {17, 15, 8});
  io::RtStructure bladder;
  bladder.roi_number = 1;
  bladder.name = "Blaas";
  in.structures.push_back(bladder);
  in.planning_masks.push_back(ball(in.planning));
  LabelMap daily_labels(g, 0);
  const Image<std::uint8_t> daily_ball = ball(in.daily);
  for (std::int64_t v = 0; v < daily_labels.voxel_count(); ++v)
    daily_labels.data()[v] = daily_ball.data()[v] ? 1 : 0;
  in.daily_labels = daily_labels;
  in.daily_label_classes = {"", "bladder"};
  return in;
}

reg::RegistrationConfig quick() {
  reg::RegistrationConfig config;
  config.deformable.levels = 1;
  config.deformable.iterations = {20};
  return config;
}

TEST(Propagation, AnOrganWhoseDailyLabelFailedQcDoesNotGuide) {
  PropagationInputs in = inputs_with_shift();
  const PropagationResult guided = propagate(in, quick(), io::default_organ_names());
  ASSERT_EQ(guided.structures.size(), 1u);
  EXPECT_TRUE(guided.structures[0].guided) << guided.structures[0].why;
  EXPECT_EQ(guided.guiding_classes, std::vector<std::string>{"bladder"});

  in.unreliable_classes["bladder"] = "confidence 0.41 < 0.90";
  const PropagationResult unguided = propagate(in, quick(), io::default_organ_names());
  EXPECT_FALSE(unguided.structures[0].guided);
  EXPECT_NE(unguided.structures[0].why.find("failed QC"), std::string::npos)
      << unguided.structures[0].why;
  EXPECT_NE(unguided.structures[0].why.find("0.41"), std::string::npos);
  EXPECT_TRUE(unguided.guiding_classes.empty());
}

TEST(Propagation, NothingIsDrawnWhereTheDailyScanReachesBeyondThePlanningScan) {
  PropagationInputs in = inputs_with_shift();
  // The planning scan ends 4 slices before the ball's far side: the daily scan (longer) shows
  // slices the planning scan never saw.
  Geometry short_grid = in.planning.geometry();
  short_grid.size[2] = 11;
  Image<float> planning(short_grid);
  Image<std::uint8_t> mask(short_grid, 0);
  for (std::int64_t v = 0; v < planning.voxel_count(); ++v) {
    planning.data()[v] = in.planning.data()[v];
    mask.data()[v] = in.planning_masks[0].data()[v];
  }
  in.planning = planning;
  in.planning_masks[0] = mask;
  in.daily_labels.reset();
  const PropagationResult result = propagate(in, quick(), io::default_organ_names());
  const PropagatedStructure& s = result.structures[0];
  EXPECT_GT(s.beyond_planning_ml, 0.0);
  const Geometry& dg = s.fraction.geometry();
  for (std::int64_t z = 12; z < dg.size[2]; ++z)
    for (std::int64_t y = 0; y < dg.size[1]; ++y)
      for (std::int64_t x = 0; x < dg.size[0]; ++x)
        ASSERT_EQ(s.fraction(x, y, z), 0) << x << " " << y << " " << z;
}

}  // namespace
}  // namespace modir::clinical
