#include "modir/filter/body_mask.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modir::filter {
namespace {

// A CT slab: an elliptic "patient" (fat at -100 HU, skin and muscle at 40) with a gas pocket
// (-1000) inside, lying on a couch whose 3 mm carbon skin (300 HU) touches its back, a foam core
// (-900) under it, and a separate small dense object (a cable) in the air beside it.
Image<float> patient_on_couch() {
  Geometry g;
  g.size = {100, 90, 6};
  g.spacing = {2.0, 2.0, 4.0};
  g.origin = {-100.0, -90.0, 0.0};
  Image<float> ct(g, -1000.0f);
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        const double e = std::hypot(p.x / 80.0, p.y / 50.0);
        float& v = ct(i, j, k);
        if (e <= 1.0) v = e > 0.85 ? 40.0f : -100.0f;
        if (std::hypot(p.x - 20.0, p.y + 10.0) < 12.0) v = -1000.0f;  // gas
        if (p.y >= 50.0 && p.y < 53.0 && std::abs(p.x) < 95.0) v = 300.0f;  // couch skin
        if (p.y >= 53.0 && p.y < 70.0 && std::abs(p.x) < 95.0) v = -900.0f;  // couch core
        if (std::hypot(p.x + 90.0, p.y + 70.0) < 4.0) v = 200.0f;  // cable
      }
  return ct;
}

TEST(BodyMask, IsThePatientWithItsGasWithoutCouchOrCable) {
  const Image<float> ct = patient_on_couch();
  const Image<std::uint8_t> body = body_mask_from_ct(ct);
  const Geometry& g = ct.geometry();
  int wrong = 0, inside = 0;
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 0; i < g.size[0]; ++i) {
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        const double e = std::hypot(p.x / 80.0, p.y / 50.0);
        // The opening may shave a voxel off the outline. Where the couch skin touches the
        // patient along a broad contact, opening cannot separate them: a lip of skin within the
        // opening radius of the contact stays (a few mm, harmless for organs).
        if (std::abs(e - 1.0) < 0.06) continue;
        if (p.y >= 48.0 && p.y < 54.0 && std::abs(p.x) < 40.0) continue;
        const bool expected = e < 1.0;
        inside += expected;
        wrong += (body(i, j, k) != 0) != expected;
      }
  EXPECT_GT(inside, 5000);
  EXPECT_EQ(wrong, 0);
  // The gas pocket is filled; the couch skin and the cable are not the patient.
  EXPECT_EQ(body(60, 40, 3), 1);  // (20, -10) mm: the gas pocket's centre
  EXPECT_EQ(body(80, 70, 3), 0);  // (60, 50) mm: the couch skin, away from the contact
  EXPECT_EQ(body(5, 10, 3), 0);   // (-90, -70) mm: the cable
}

TEST(BodyMask, AirOnlyGivesAnEmptyMask) {
  Geometry g;
  g.size = {10, 10, 3};
  const Image<std::uint8_t> body = body_mask_from_ct(Image<float>(g, -1000.0f));
  for (const std::uint8_t v : body.buffer()) ASSERT_EQ(v, 0);
}

TEST(BodyMask, ABodyCutByTheFieldOfViewKeepsItsCutFaces) {
  // Soft tissue fills the whole grid: nothing is outside it, nothing is removed.
  Geometry g;
  g.size = {12, 11, 5};
  g.spacing = {2.0, 2.0, 3.0};
  const Image<std::uint8_t> body = body_mask_from_ct(Image<float>(g, 30.0f));
  for (const std::uint8_t v : body.buffer()) ASSERT_EQ(v, 1);
}

}  // namespace
}  // namespace modir::filter
