// modir.phantom, modir.segment and modir.dataset_check: the synthetic patients, the
// segmentation network with its QC, and the collection checks.

#include "functions.h"

#include <optional>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/core/progress.h"
#include "modir/dataset/check.h"
#include "modir/dataset/split.h"
#include "modir/learn/plan.h"
#include "modir/learn/quality_check.h"
#include "modir/learn/segmenter.h"
#include "modir/phantom/scan_pair.h"

namespace modir::python {

namespace fs = std::filesystem;
using nlohmann::json;

py::dict phantom_pair(std::uint64_t seed, const std::string& size, const std::string& deformation,
                      bool variety, bool couch, bool metal, bool arms, bool calcifications,
                      bool markers) {
  phantom::PhantomOptions o;
  o.seed = seed;
  o.size = phantom::parse_size(size, "size");
  o.deformation = phantom::parse_deformation(deformation, "deformation");
  o.variety = variety;
  o.couch = couch;
  o.metal = metal;
  o.arms = arms;
  o.calcifications = calcifications;
  o.markers = markers;
  phantom::PhantomPair pair = [&] {
    const Working working;
    return phantom::generate_pair(o);
  }();
  py::dict d;
  d["fixed"] = image_pair(AnyImage(std::move(pair.fixed.image)));
  d["fixed_labels"] = image_pair(AnyImage(std::move(pair.fixed.labels)));
  d["moving"] = image_pair(AnyImage(std::move(pair.moving.image)));
  d["moving_labels"] = image_pair(AnyImage(std::move(pair.moving.labels)));
  d["true_displacement"] = field_pair(std::move(pair.ground_truth));
  d["fixed_landmarks"] = points_pair(pair.fixed_landmarks);
  d["moving_landmarks"] = points_pair(pair.moving_landmarks);
  d["meta"] = pair.meta.dump();
  return d;
}

// Organ labels on the image's grid from a segmentation model (the shipped pelvis model by
// default), with the quality check `segment predict` writes as .qc.json.
py::tuple segment(const py::tuple& image, const std::string& model_dir, bool qc,
                  const std::string& device, int threads, bool verbose) {
  const fs::path model = model_dir.empty() ? learn::shipped_model("pelvis") : fs::path(model_dir);
  const Image<float> scan = image_from<float>(image[0].cast<py::array>(),
                                              image[1].cast<py::dict>(), "image");
  std::string qc_text;
  LabelMap labels;
  {
    const Working working;
    set_thread_count(threads);
    Progress progress(verbose ? ProgressStyle::kLines : ProgressStyle::kQuiet);
    learn::require_networks();
    const learn::Segmenter segmenter(model, learn::parse_device(device));
    const learn::PredictOptions options;
    labels = segmenter.predict(scan, options, progress);
    if (qc) {
      const learn::QcReport report =
          learn::check_prediction(segmenter, model, scan, labels, options, progress);
      qc_text = learn::qc_to_json(report, "memory", "memory", model.string()).dump();
    }
  }
  py::object qc_json = qc_text.empty() ? py::object(py::none()) : py::object(py::str(qc_text));
  return py::make_tuple(image_pair(AnyImage(std::move(labels))), qc_json);
}

// `modir dataset check` on a manifest: the findings as JSON text (docs/dataset.md).
std::string dataset_check(const std::string& manifest, const std::string& split, int threads,
                          bool verbose) {
  const Working working;
  set_thread_count(threads);
  Progress progress(verbose ? ProgressStyle::kLines : ProgressStyle::kQuiet);
  std::optional<dataset::Split> chosen;
  if (!split.empty()) chosen = dataset::read_split(split);
  const dataset::CheckResult result =
      dataset::check_dataset(dataset::read_manifest(manifest), chosen, progress);
  json report = dataset::to_json(result);
  report["split"] = split.empty() ? json(nullptr) : json(split);  // as the command line says it
  return report.dump();
}

}  // namespace modir::python
