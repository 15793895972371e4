#include "modir/learn/quality_check.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/core/error.h"
#include "modir/core/sha256.h"
#include "modir/learn/learning_curves.h"
#include "modir/learn/metal_check.h"

namespace modir::learn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The index axis closest to the patient's left-right axis (world x): mirroring along it is the
// symmetry the network was trained with.
std::size_t left_right_axis(const Geometry& g) {
  std::size_t best = 0;
  for (std::size_t a = 1; a < 3; ++a)
    if (std::abs(g.direction(0, int(a))) > std::abs(g.direction(0, int(best)))) best = a;
  return best;
}

template <typename T>
Image<T> mirrored(const Image<T>& image, std::size_t axis) {
  Image<T> out(image.geometry());
  const Size3& n = image.size();
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x < n[0]; ++x) {
        std::int64_t i[3] = {x, y, z};
        i[axis] = n[axis] - 1 - i[axis];
        out(x, y, z) = image(i[0], i[1], i[2]);
      }
  return out;
}

// The same voxels on a grid 10 % coarser about the scan's centre: the anatomy looks 10 % larger
// to the network, and the labels come back on the same voxel indices.
Geometry rescaled(const Geometry& g, double factor) {
  Geometry out = g;
  const Vec3d centre_index{double(g.size[0] - 1) / 2, double(g.size[1] - 1) / 2,
                           double(g.size[2] - 1) / 2};
  const Vec3d centre = g.index_to_world(centre_index);
  out.spacing = g.spacing * factor;
  out.origin = centre - out.index_to_world_matrix() * centre_index;
  return out;
}

std::string mm(double v) {
  return fmt::format("{:.0f}", v);
}

}  // namespace

std::string label_map_digest(const LabelMap& labels) {
  const Geometry& g = labels.geometry();
  std::string header = fmt::format("modir-label-map size {} {} {} spacing {:.6g} {:.6g} {:.6g} "
                                   "origin {:.6g} {:.6g} {:.6g} direction",
                                   g.size[0], g.size[1], g.size[2], g.spacing.x, g.spacing.y,
                                   g.spacing.z, g.origin.x, g.origin.y, g.origin.z);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) header += fmt::format(" {:.6g}", g.direction(r, c));
  Sha256 hash;
  hash.update(header.data(), header.size());
  hash.update(labels.data(), static_cast<std::size_t>(labels.voxel_count()) * sizeof(std::uint16_t));
  return hash.hex_digest();
}

std::vector<std::string> qc_variant_names() {
  return {"mirror", "intensity", "scale"};
}

std::vector<LabelMap> predict_variants(const Segmenter& segmenter, const Image<float>& image,
                                       const PredictOptions& prediction, Progress& progress) {
  PredictOptions options = prediction;
  options.mirror = false;
  std::vector<LabelMap> out;
  // Mirrored left-right: predicted, then mirrored back.
  const std::size_t axis = left_right_axis(image.geometry());
  out.push_back(mirrored(segmenter.predict(mirrored(image, axis), options, progress), axis));
  // Another calibration and contrast: 8 % more contrast and 40 HU lower (within what scanners
  // differ by).
  Image<float> shifted = image;
  for (float& v : shifted.buffer()) v = v * 1.08f - 40.0f;
  out.push_back(segmenter.predict(shifted, options, progress));
  // A 10 % larger patient.
  Image<float> larger(rescaled(image.geometry(), 1.1));
  std::copy(image.buffer().begin(), image.buffer().end(), larger.buffer().begin());
  LabelMap back = segmenter.predict(larger, options, progress);
  LabelMap on_grid(image.geometry());
  std::copy(back.buffer().begin(), back.buffer().end(), on_grid.buffer().begin());
  out.push_back(std::move(on_grid));
  return out;
}

QcReport check_prediction(const Segmenter& segmenter, const std::filesystem::path& model,
                          const Image<float>& image, const LabelMap& labels,
                          const PredictOptions& options, Progress& progress) {
  const std::optional<ModelStatistics> statistics = read_statistics(model);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<LabelMap> variants = predict_variants(segmenter, image, options, progress);
  QcReport report = assess_prediction(labels, variants, segmenter.plan().classes, statistics);
  if (segmenter.plan().normalisation.scheme == "ct") {
    add_metal_findings(report, image, labels, segmenter.plan().classes);
    if (options.fill_dense_objects) report.dense_objects = filter::find_small_dense_objects(image);
  }
  report.variants = qc_variant_names();
  report.seconds_variants =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

QcReport assess_prediction(const LabelMap& labels, const std::vector<LabelMap>& variants,
                           const std::vector<LabelClass>& classes,
                           const std::optional<ModelStatistics>& statistics,
                           const QcThresholds& t) {
  QcReport report;
  report.labels_digest = label_map_digest(labels);
  report.has_statistics = statistics.has_value();
  const std::vector<OrganMeasure> measures = measure_organs(labels, classes);
  // Per variant, every class's Dice against the prediction in one pass.
  std::vector<std::vector<double>> agreement;
  for (const LabelMap& v : variants) agreement.push_back(dice_per_class(labels, v, classes));
  for (std::size_t c = 1; c < classes.size(); ++c) {
    OrganQc o;
    o.id = classes[c].id;
    o.name = classes[c].name;
    o.measure = measures[c];
    double sum = 0;
    int count = 0;
    for (const std::vector<double>& per_class : agreement) {
      const double d = per_class[c - 1];
      if (std::isfinite(d)) {
        sum += d;
        ++count;
      }
    }
    o.confidence = count > 0 ? sum / count : kNaN;
    const OrganStatistics* s = nullptr;
    bool expected = true;  // without statistics every organ is expected
    if (statistics) {
      for (const OrganStatistics& candidate : statistics->organs)
        if (candidate.id == o.id && candidate.scans_present > 0) s = &candidate;
      expected = s && s->scans_present * 2 >= statistics->scans;
    }
    if (o.measure.volume_ml == 0) {
      // Absent: a finding where most training scans had the organ.
      if (expected) o.reasons.push_back("not found");
      report.organs.push_back(o);
      continue;
    }
    if (o.confidence < t.min_confidence) {
      o.reasons.push_back(fmt::format("test-time augmentation agrees only to Dice {:.2f} (< {:.2f})",
                                      o.confidence, t.min_confidence));
    }
    if (s) {
      const double lo = t.volume_low_factor * s->volume_min_ml;
      const double hi = t.volume_high_factor * s->volume_max_ml;
      // A scan's end or field of view may cut an organ short: then only too much is a finding.
      const bool too_small = o.measure.volume_ml < lo && !o.measure.cut_off;
      if (too_small || o.measure.volume_ml > hi) {
        o.reasons.push_back(fmt::format("volume {:.0f} ml outside {:.0f}-{:.0f} ml (training "
                                        "{:.0f}-{:.0f} ml)",
                                        o.measure.volume_ml, lo, hi, s->volume_min_ml,
                                        s->volume_max_ml));
      }
      if (std::isfinite(o.measure.offset_mm.x)) {
        static const char* kAxis[3] = {"left-right", "anterior-posterior", "head-feet"};
        for (std::size_t a = 0; a < 3; ++a) {
          const double off = o.measure.offset_mm[a] - s->offset_mean_mm[a];
          const double allowed = std::max(t.position_sd * s->offset_sd_mm[a], t.position_floor_mm);
          if (std::abs(off) > allowed) {
            o.reasons.push_back(fmt::format("centre {} mm {} from where training had it (allowed "
                                            "{})",
                                            mm(std::abs(off)), kAxis[a], mm(allowed)));
          }
        }
      } else {
        o.reasons.push_back(fmt::format("no {} to place it against", statistics->reference));
      }
      // Against the body: a "bone" or "bladder" larger than training ever had relative to the
      // body is implausible whatever the field of view cut off (a few slices, another region).
      if (std::isfinite(s->body_fraction_max) && std::isfinite(o.measure.body_fraction) &&
          o.measure.body_fraction > t.body_fraction_factor * s->body_fraction_max) {
        o.reasons.push_back(fmt::format("{:.0f} % of the body's volume (training at most {:.0f} %)",
                                        100 * o.measure.body_fraction,
                                        100 * s->body_fraction_max));
      }
      if (o.measure.components > s->max_components + t.extra_components) {
        o.reasons.push_back(fmt::format("{} pieces (training at most {})", o.measure.components,
                                        s->max_components));
      }
    }
    report.organs.push_back(o);
  }
  return report;
}

void add_metal_findings(QcReport& report, const Image<float>& image, const LabelMap& labels,
                        const std::vector<LabelClass>& classes, const QcThresholds& t) {
  const MetalFinding metal = find_metal(image, labels, classes);
  report.metal_ml = metal.total_ml;
  for (OrganQc& o : report.organs) {
    for (std::size_t c = 1; c < classes.size(); ++c)
      if (classes[c].id == o.id) o.metal_ml = metal.near_class_ml[c];
    if (o.measure.volume_ml > 0.0 && o.metal_ml > t.metal_share * o.measure.volume_ml) {
      o.reasons.push_back(fmt::format(
          "{:.0f} ml of metal (an implant?) within {:.0f} mm, {:.0f} % of its {:.0f} ml",
          o.metal_ml, MetalOptions{}.reach_mm, 100.0 * o.metal_ml / o.measure.volume_ml,
          o.measure.volume_ml));
    }
  }
}

json qc_to_json(const QcReport& report, const std::string& image, const std::string& labels,
                const std::string& model) {
  json organs = json::object();
  for (const OrganQc& o : report.organs) {
    const auto finite = [](double v) { return std::isfinite(v) ? json(v) : json(); };
    organs[o.name] = {
        {"id", o.id},
        {"verdict", o.reliable() ? "reliable" : "unreliable"},
        {"reasons", o.reasons},
        {"confidence", finite(o.confidence)},
        {"volume_ml", o.measure.volume_ml},
        {"components", o.measure.components},
        {"cut_off_by_field_of_view", o.measure.cut_off},
        {"metal_ml_within_3mm", o.metal_ml},
        {"offset_from_reference_mm",
         {finite(o.measure.offset_mm.x), finite(o.measure.offset_mm.y),
          finite(o.measure.offset_mm.z)}},
    };
  }
  json dense_objects = json::array();
  for (const filter::DenseObject& d : report.dense_objects)
    dense_objects.push_back({{"centre_mm", {d.centre_mm.x, d.centre_mm.y, d.centre_mm.z}},
                             {"core_ml", d.core_ml}});
  return {{"format", "modir-segmentation-qc"},
          {"version", 1},
          {"image", image},
          {"labels", labels},
          {"labels_digest", report.labels_digest},
          {"model", model},
          {"test_time_variants", report.variants},
          {"seconds_test_time_augmentation", report.seconds_variants},
          {"plausibility_checked", report.has_statistics},
          {"metal_ml", report.metal_ml},
          {"small_dense_objects_filled", dense_objects},
          {"organs", organs}};
}

fs::path qc_path_for(const fs::path& labels) {
  std::string name = labels.filename().string();
  for (const char* ext : {".nii.gz", ".nii", ".mha", ".mhd", ".nrrd", ".nhdr"}) {
    const std::string e = ext;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      name.resize(name.size() - e.size());
      break;
    }
  }
  return labels.parent_path() / (name + ".qc.json");
}

QcVerdicts read_qc_verdicts(const fs::path& qc_file, const LabelMap& labels,
                            const std::string& labels_path) {
  std::ifstream in(qc_file);
  if (!in) throw data_error("cannot read the QC file '{}'", qc_file.string());
  const json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "modir-segmentation-qc")
    throw data_error("'{}' is not a modir segmentation QC file (.qc.json of segment predict)",
                     qc_file.string());
  QcVerdicts v;
  try {
    const std::string digest = j.at("labels_digest").get<std::string>();
    if (digest != label_map_digest(labels)) {
      throw data_error(
          "the QC file '{}' was made for other labels than '{}' (their voxels or grid differ); "
          "give the .qc.json that segment predict wrote beside these labels",
          qc_file.string(), labels_path);
    }
    for (const auto& [name, organ] : j.at("organs").items()) {
      if (organ.at("verdict").get<std::string>() == "reliable") continue;
      std::vector<std::string> reasons = organ.at("reasons").get<std::vector<std::string>>();
      v.unreliable.emplace_back(organ.at("id").get<std::uint16_t>(),
                                fmt::format("{}", fmt::join(reasons, "; ")));
      v.unreliable_names.push_back(name);
    }
  } catch (const json::exception& e) {
    throw data_error("'{}' is not a valid QC file: {}", qc_file.string(), e.what());
  }
  return v;
}

}  // namespace modir::learn
