#pragma once

// The volumes the review page shows, as NIfTI bytes: the folder's own files and inputs, converted
// whatever format they were written in, and what is derived from them (difference, checkerboard,
// displacement magnitude, folded voxels), for the folder's result or for any solution of its
// front (computed from the solution's transform on first request, then kept).

#include <cstddef>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "modir/core/image.h"
#include "modir/core/pixel_type.h"
#include "modir/review/derived_volumes.h"
#include "modir/review/review_folder.h"

namespace modir::review {

/// Every volume id the page may ask for.
inline constexpr const char* kVolumeIds[] = {"fixed",
                                             "moving",
                                             "warped",
                                             "difference",
                                             "checkerboard",
                                             "fixed_labels",
                                             "moving_labels",
                                             "warped_labels",
                                             "jacobian",
                                             "folded",
                                             "displacement_magnitude"};

class VolumeSource {
 public:
  /// `scratch`: an empty folder for the NIfTI files it writes on the way (owned by the caller).
  VolumeSource(const ReviewFolder& folder, std::filesystem::path scratch);

  /// Whether `id` can be produced, and if not why (for the manifest).
  std::optional<std::string> unavailable_reason(const std::string& id) const;

  /// The NIfTI-1 bytes (uncompressed) of volume `id`: of the folder's own result without
  /// `solution`, else of that front solution. Throws modir::Error for an unknown id, a solution
  /// that is not on the front, or a volume that cannot be produced.
  std::shared_ptr<const std::string> nifti(const std::string& id,
                                           std::optional<std::size_t> solution);

  /// The folder's own result as a float image: "fixed", "warped" or "jacobian", read from its
  /// file or, where the folder has none (a propagation), computed from the displacement, as
  /// nifti() serves it. Throws modir::Error when it cannot be had.
  Image<float> own_float(const std::string& id);

  /// The label values present in label map `id` ("fixed_labels", "moving_labels",
  /// "warped_labels"); empty when it is not available.
  std::set<std::uint16_t> label_values(const std::string& id);

 private:
  struct SolutionImages;  // one solution's field and what is computed from it
  std::shared_ptr<const std::string> produce(const std::string& id,
                                             std::optional<std::size_t> solution);
  SolutionImages& solution_images(std::size_t solution);
  const Image<float>& fixed_float();
  const Image<float>& moving_float();
  const DisplacementField& own_field();           // the folder's displacement, read once
  Image<float> own_image(const std::string& id);  // own_float without the lock
  std::shared_ptr<const std::string> encode(const AnyImage& image, const std::string& key);
  static std::shared_ptr<const std::string> read_and_remove(const std::filesystem::path& path);
  bool solution_exists(std::size_t solution) const;

  const ReviewFolder& folder_;
  std::filesystem::path scratch_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const std::string>> bytes_;  // by "id@solution"
  std::list<std::string> bytes_order_;                               // oldest first
  std::size_t bytes_total_ = 0;
  std::optional<Image<float>> fixed_, moving_;
  std::optional<LabelMap> moving_labels_;
  std::optional<DisplacementField> own_field_;
  std::map<std::string, std::set<std::uint16_t>> label_values_;  // by label map id
  std::map<std::size_t, std::shared_ptr<SolutionImages>> solutions_;
  std::list<std::size_t> solution_order_;
};

}  // namespace modir::review
