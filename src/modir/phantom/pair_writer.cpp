#include "modir/phantom/pair_writer.h"

#include <system_error>

#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "modir/io/output_file.h"
#include "modir/io/point_io.h"

namespace modir::phantom {

namespace fs = std::filesystem;

void write_pair(const PhantomPair& pair, const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec)
    throw data_error("cannot create the output folder '{}': {}", folder.string(), ec.message());
  io::write_image(pair.fixed.image, folder / "fixed.nii.gz");
  io::write_image(pair.moving.image, folder / "moving.nii.gz");
  io::write_image(pair.fixed.labels, folder / "fixed_labels.nii.gz");
  io::write_image(pair.moving.labels, folder / "moving_labels.nii.gz");
  io::write_points(pair.fixed_landmarks, folder / "fixed_landmarks.csv");
  io::write_points(pair.moving_landmarks, folder / "moving_landmarks.csv");
  io::write_displacement_field(pair.ground_truth, folder / "gt_displacement.nii.gz");
  io::write_text_file(folder / "meta.json", pair.meta.dump(2) + "\n");
}

}  // namespace modir::phantom
