#include "modir/landmarks/training_pairs.h"

#include "modir/core/error.h"
#include "modir/filter/resample.h"
#include "modir/io/image_io.h"
#include "modir/landmarks/working_image.h"

namespace modir::landmarks {

namespace fs = std::filesystem;

namespace {

/// The same margin as matching: descriptors near a scan's faces read replicated values.
constexpr double kEdgeMarginMm = 8.0;

DisplacementField resample_field(const DisplacementField& field, const Geometry& target) {
  DisplacementField out(target, Vec3f{0, 0, 0});
  for (int a = 0; a < 3; ++a) {
    Image<float> component(field.geometry());
    for (std::int64_t i = 0; i < field.voxel_count(); ++i) component.data()[i] = field.data()[i][a];
    const Image<float> r = filter::resample(component, target, filter::Interpolation::kLinear, 0.0);
    for (std::int64_t i = 0; i < out.voxel_count(); ++i) out.data()[i][a] = r.data()[i];
  }
  return out;
}

}  // namespace

std::vector<learn::LandmarkTrainingPair> read_landmark_training_pairs(
    const std::vector<fs::path>& folders, double spacing_mm) {
  std::vector<learn::LandmarkTrainingPair> pairs;
  for (const fs::path& folder : folders) {
    for (const char* file : {kPairFixedFile, kPairMovingFile, kPairTruthFile}) {
      if (!fs::is_regular_file(folder / file))
        throw data_error(
            "'{}' is not a training pair folder: it has no {} (pairs are folders as 'modir "
            "phantom' writes them: {}, {}, {})",
            folder.string(), file, kPairFixedFile, kPairMovingFile, kPairTruthFile);
    }
    const Image<float> fixed = io::read_image_as<float>(folder / kPairFixedFile);
    const Image<float> moving = io::read_image_as<float>(folder / kPairMovingFile);
    const DisplacementField truth = io::read_displacement_field(folder / kPairTruthFile);
    if (!truth.geometry().same_grid(fixed.geometry()))
      throw data_error("'{}': {} is not on the grid of {}", folder.string(), kPairTruthFile,
                       kPairFixedFile);
    WorkingImage wf = make_working_image(fixed, spacing_mm, kEdgeMarginMm);
    WorkingImage wm = make_working_image(moving, spacing_mm, kEdgeMarginMm);
    if (!wf.looks_like_ct || !wm.looks_like_ct)
      throw data_error(
          "'{}': the landmark network learns from CT in HU, and this pair's scans "
          "do not span air to soft tissue",
          folder.string());
    learn::LandmarkTrainingPair p;
    p.name = folder.filename().string();
    p.truth = resample_field(truth, wf.image.geometry());
    p.fixed = std::move(wf.image);
    p.fixed_region = std::move(wf.region);
    p.moving = std::move(wm.image);
    p.moving_region = std::move(wm.region);
    pairs.push_back(std::move(p));
  }
  return pairs;
}

}  // namespace modir::landmarks
