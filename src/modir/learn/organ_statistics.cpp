#include "modir/learn/organ_statistics.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include "modir/core/error.h"
#include "modir/filter/label_pieces.h"
#include "modir/io/output_file.h"

namespace modir::learn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int class_named(const std::vector<LabelClass>& classes, const std::string& name) {
  for (std::size_t c = 1; c < classes.size(); ++c)
    if (classes[c].name == name) return static_cast<int>(c);
  return -1;
}

json vec_json(const Vec3d& v) {
  return json::array({v.x, v.y, v.z});
}
Vec3d vec_from(const json& j) {
  return {j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>()};
}

}  // namespace

std::string position_reference(const std::vector<LabelClass>& classes) {
  if (class_named(classes, "bone") >= 0) return "bone";
  if (class_named(classes, "body") >= 0) return "body";
  return "foreground";
}

std::vector<OrganMeasure> measure_organs(const LabelMap& labels,
                                         const std::vector<LabelClass>& classes) {
  const Geometry& g = labels.geometry();
  const double voxel_ml = g.voxel_ml();
  const std::vector<std::vector<filter::VoxelMoments>> pieces = filter::label_pieces(labels);
  std::vector<filter::VoxelMoments> whole(classes.size());
  filter::VoxelMoments foreground;
  for (std::size_t c = 1; c < classes.size(); ++c) {
    if (classes[c].id < pieces.size()) whole[c] = filter::combined(pieces[classes[c].id]);
    foreground += whole[c];
  }
  const std::string reference = position_reference(classes);
  const int r = class_named(classes, reference);
  const filter::VoxelMoments& reference_moments = r >= 0 ? whole[std::size_t(r)] : foreground;
  const Vec3d reference_centre =
      reference_moments.voxels > 0 ? reference_moments.centroid(g) : Vec3d{kNaN, kNaN, kNaN};
  const int body = class_named(classes, "body");
  const double body_ml = body >= 0 ? double(whole[std::size_t(body)].voxels) * voxel_ml : 0.0;
  std::vector<OrganMeasure> out(classes.size());
  for (std::size_t c = 1; c < classes.size(); ++c) {
    OrganMeasure& m = out[c];
    m.volume_ml = double(whole[c].voxels) * voxel_ml;
    m.body_fraction = body_ml > 0 ? m.volume_ml / body_ml : kNaN;
    if (whole[c].voxels == 0) {
      m.offset_mm = {kNaN, kNaN, kNaN};
      continue;
    }
    m.offset_mm = whole[c].centroid(g) - reference_centre;
    m.components = static_cast<int>(
        filter::pieces_at_least(pieces[classes[c].id], 0.05, 0.5 / voxel_ml).size());
    m.cut_off = whole[c].touches_outer_layer;
  }
  return out;
}

StatisticsBuilder::StatisticsBuilder(std::vector<LabelClass> classes)
    : classes_(std::move(classes)), measures_(classes_.size()) {}

void StatisticsBuilder::add(const LabelMap& labels) {
  const std::vector<OrganMeasure> m = measure_organs(labels, classes_);
  for (std::size_t c = 1; c < classes_.size(); ++c)
    if (m[c].volume_ml > 0) measures_[c].push_back(m[c]);
  ++scans_;
}

ModelStatistics StatisticsBuilder::finish() const {
  ModelStatistics s;
  s.scans = scans_;
  s.reference = position_reference(classes_);
  for (std::size_t c = 1; c < classes_.size(); ++c) {
    OrganStatistics o;
    o.id = classes_[c].id;
    o.name = classes_[c].name;
    const auto& list = measures_[c];
    o.scans_present = static_cast<int>(list.size());
    if (!list.empty()) {
      o.volume_min_ml = std::numeric_limits<double>::max();
      double sum = 0, squares = 0;
      Vec3d offset_sum{0, 0, 0}, offset_squares{0, 0, 0};
      int with_offset = 0;
      for (const OrganMeasure& m : list) {
        o.volume_min_ml = std::min(o.volume_min_ml, m.volume_ml);
        o.volume_max_ml = std::max(o.volume_max_ml, m.volume_ml);
        sum += m.volume_ml;
        squares += m.volume_ml * m.volume_ml;
        o.max_components = std::max(o.max_components, m.components);
        if (std::isfinite(m.body_fraction))
          o.body_fraction_max = std::max(o.body_fraction_max, m.body_fraction);
        if (std::isfinite(m.offset_mm.x)) {
          ++with_offset;
          for (std::size_t a = 0; a < 3; ++a) {
            offset_sum[a] += m.offset_mm[a];
            offset_squares[a] += m.offset_mm[a] * m.offset_mm[a];
          }
        }
      }
      const double k = double(list.size());
      o.volume_mean_ml = sum / k;
      o.volume_sd_ml = std::sqrt(std::max(0.0, squares / k - o.volume_mean_ml * o.volume_mean_ml));
      if (with_offset > 0) {
        for (std::size_t a = 0; a < 3; ++a) {
          o.offset_mean_mm[a] = offset_sum[a] / with_offset;
          o.offset_sd_mm[a] = std::sqrt(std::max(
              0.0, offset_squares[a] / with_offset - o.offset_mean_mm[a] * o.offset_mean_mm[a]));
        }
      }
    }
    if (class_named(classes_, "body") < 0) o.body_fraction_max = kNaN;
    s.organs.push_back(o);
  }
  return s;
}

json statistics_to_json(const ModelStatistics& s) {
  json organs = json::array();
  for (const OrganStatistics& o : s.organs) {
    organs.push_back({{"id", o.id},
                      {"name", o.name},
                      {"scans_present", o.scans_present},
                      {"volume_ml",
                       {{"min", o.volume_min_ml},
                        {"max", o.volume_max_ml},
                        {"mean", o.volume_mean_ml},
                        {"sd", o.volume_sd_ml}}},
                      {"offset_from_reference_mm",
                       {{"mean", vec_json(o.offset_mean_mm)}, {"sd", vec_json(o.offset_sd_mm)}}},
                      {"max_components", o.max_components},
                      {"body_fraction_max",
                       std::isfinite(o.body_fraction_max) ? json(o.body_fraction_max) : json()}});
  }
  return {{"format", "modir-organ-statistics"},
          {"version", 1},
          {"scans", s.scans},
          {"reference", s.reference},
          {"organs", organs}};
}

ModelStatistics statistics_from_json(const json& j, const std::string& source) {
  try {
    if (j.at("format").get<std::string>() != "modir-organ-statistics")
      throw data_error("'{}' is not a modir organ statistics file", source);
    ModelStatistics s;
    s.scans = j.at("scans").get<int>();
    s.reference = j.at("reference").get<std::string>();
    for (const json& o : j.at("organs")) {
      OrganStatistics r;
      r.id = o.at("id").get<std::uint16_t>();
      r.name = o.at("name").get<std::string>();
      r.scans_present = o.at("scans_present").get<int>();
      const json& v = o.at("volume_ml");
      r.volume_min_ml = v.at("min").get<double>();
      r.volume_max_ml = v.at("max").get<double>();
      r.volume_mean_ml = v.at("mean").get<double>();
      r.volume_sd_ml = v.at("sd").get<double>();
      const json& p = o.at("offset_from_reference_mm");
      r.offset_mean_mm = vec_from(p.at("mean"));
      r.offset_sd_mm = vec_from(p.at("sd"));
      r.max_components = o.at("max_components").get<int>();
      const json& fraction = o.at("body_fraction_max");
      r.body_fraction_max = fraction.is_null() ? kNaN : fraction.get<double>();
      s.organs.push_back(r);
    }
    return s;
  } catch (const json::exception& e) {
    throw data_error("'{}' is not a valid organ statistics file: {}", source, e.what());
  }
}

void write_statistics(const ModelStatistics& statistics, const fs::path& model_dir) {
  io::write_text_file(model_dir / kStatisticsFile, statistics_to_json(statistics).dump(1) + "\n");
}

std::optional<ModelStatistics> read_statistics(const fs::path& model_dir) {
  const fs::path path = model_dir / kStatisticsFile;
  if (!fs::exists(path)) return std::nullopt;
  std::ifstream in(path);
  const json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) throw data_error("'{}' is not valid JSON", path.string());
  return statistics_from_json(j, path.string());
}

}  // namespace modir::learn
