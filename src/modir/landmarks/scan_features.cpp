#include "modir/landmarks/scan_features.h"

#include <algorithm>

#include "modir/filter/index_box.h"
#include "modir/learn/plan.h"

namespace modir::landmarks {

ScanFeatures classical_features(const WorkingImage& w, const KeypointOptions& keypoints,
                                const LabelMap* working_labels) {
  return {detect_keypoints(w.image, w.region, keypoints, working_labels),
          DescriptorField::mind_ssc(w.image)};
}

namespace {

/// The box of the region's voxels, grown by `margin_mm`: everything the matcher reads lies in it
/// (keypoints inside the region, searches a few mm around them).
filter::IndexBox region_box(const Image<std::uint8_t>& region, double margin_mm) {
  const Size3& n = region.size();
  filter::IndexBox box{{n[0], n[1], n[2]}, {0, 0, 0}};
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x < n[0]; ++x) {
        if (!region(x, y, z)) continue;
        const std::int64_t v[3] = {x, y, z};
        for (int a = 0; a < 3; ++a) {
          box.lo[a] = std::min(box.lo[a], v[a]);
          box.hi[a] = std::max(box.hi[a], v[a] + 1);
        }
      }
  if (box.empty()) return {};
  return filter::grown(box, region.geometry(), margin_mm);
}

}  // namespace

ScanFeatures learned_features(const learn::LandmarkNetwork& network, const WorkingImage& w,
                              const KeypointOptions& keypoints, const LabelMap* working_labels) {
  const filter::IndexBox box = region_box(w.region, 16.0);
  Image<float> heat(w.image.geometry(), 0.0f);
  if (box.empty()) {
    // No patient: no heat, so no keypoints; a descriptor field of one voxel keeps the type whole.
    Geometry one = w.image.geometry();
    one.size = {1, 1, 1};
    const int channels = network.spec().descriptor_channels;
    return {{},
            DescriptorField(one, std::vector<float>(std::size_t(channels), 0.0f), channels,
                            {Vec3d{0, 0, 0}})};
  }
  learn::LandmarkFeatures f = network.features(filter::crop(w.image, box));
  filter::paste(f.heat, box, heat);
  std::vector<Keypoint> points = select_keypoints(heat, w.region, keypoints, working_labels);
  // The descriptors stay on the box: a copy on the whole working grid held 16 floats for every
  // voxel of the air around the patient too.
  return {std::move(points), DescriptorField(f.heat.geometry(), std::move(f.descriptors),
                                             f.channels, {Vec3d{0, 0, 0}})};
}

DescriptorField patient_mind_ssc(const WorkingImage& w) {
  const filter::IndexBox box = region_box(w.region, 16.0);
  if (box.empty()) return DescriptorField::mind_ssc(w.image);
  return DescriptorField::mind_ssc(filter::crop(w.image, box));
}

learn::LandmarkNetwork load_landmark_network(const std::filesystem::path& model,
                                             learn::Device device) {
  return learn::LandmarkNetwork(model.empty() ? learn::shipped_model("landmarks") : model, device);
}

}  // namespace modir::landmarks
