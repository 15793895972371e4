// The link between a structure set and the image series it is rasterised on: the checks that the
// contours belong to that series, and the sidecar that records what each label value means.

#include "modir/io/rtstruct_labels.h"

#include <set>

#include "modir/core/error.h"

namespace modir::io {

namespace {

// Every image slice the structure set references, at the top level or per contour.
std::set<std::string> referenced_slices(const RtStructureSet& set) {
  std::set<std::string> uids(set.referenced_sop_instance_uids.begin(),
                             set.referenced_sop_instance_uids.end());
  for (const RtStructure& structure : set.structures) {
    for (const RtContour& contour : structure.contours) {
      uids.insert(contour.referenced_sop_instance_uids.begin(),
                  contour.referenced_sop_instance_uids.end());
    }
  }
  return uids;
}

// Checks that the structure set was drawn on `reference`; returns the warnings for the doubtful
// cases it lets through.
std::vector<std::string> check_reference(const RtStructureSet& set, const DicomSeries& reference) {
  const std::string file = set.file.string();
  std::vector<std::string> warnings;
  const bool same_series =
      !set.referenced_series_uid.empty() && set.referenced_series_uid == reference.series_uid;
  const bool same_frame = !set.frame_of_reference_uid.empty() &&
                          set.frame_of_reference_uid == reference.frame_of_reference_uid;
  if (!same_series && !same_frame) {
    if (set.referenced_series_uid.empty() && set.frame_of_reference_uid.empty()) {
      warnings.push_back(fmt::format(
          "'{}' names neither the series nor the frame of reference it was drawn on; it cannot "
          "be checked against series {}",
          file, reference.series_uid));
    } else if (set.referenced_series_uid.empty()) {
      throw data_error(
          "'{}' was drawn in frame of reference {}, but the reference folder holds "
          "series {} in frame of reference {}; pass the CT series the structures "
          "were drawn on",
          file, set.frame_of_reference_uid, reference.series_uid, reference.frame_of_reference_uid);
    } else {
      throw data_error(
          "'{}' was drawn on series {}, but the reference folder holds series {} "
          "(in another frame of reference); pass the CT series the structures were "
          "drawn on",
          file, set.referenced_series_uid, reference.series_uid);
    }
  } else if (!same_series && !set.referenced_series_uid.empty()) {
    // Same frame of reference (same patient position, e.g. a re-export of the planning CT): the
    // world coordinates still hold. A set naming no series at all is normal and needs no note.
    warnings.push_back(fmt::format(
        "'{}' was drawn on series {}, but the reference folder holds series {}; both share frame "
        "of reference {}, so the contours are placed by their world coordinates",
        file, set.referenced_series_uid, reference.series_uid, set.frame_of_reference_uid));
  }

  const std::set<std::string> present(reference.sop_instance_uids.begin(),
                                      reference.sop_instance_uids.end());
  const std::set<std::string> wanted = referenced_slices(set);
  std::size_t missing = 0;
  for (const std::string& uid : wanted) {
    if (present.count(uid) == 0) ++missing;
  }
  if (missing > 0) {
    warnings.push_back(
        fmt::format("'{}' references {} image slice(s) that are not in series {} ({} of them are); "
                    "contours on those slices may fall outside the grid",
                    file, missing, reference.series_uid, wanted.size() - missing));
  }
  return warnings;
}

}  // namespace

RasterizedLabels rasterize_rtstruct(const RtStructureSet& set, const DicomSeries& reference,
                                    const Geometry& reference_grid,
                                    const std::vector<std::string>& names) {
  std::vector<std::string> warnings = check_reference(set, reference);
  RasterizedLabels labels = rasterize_structures(set, names, reference_grid);
  warnings.insert(warnings.end(), labels.warnings.begin(), labels.warnings.end());
  labels.warnings = std::move(warnings);
  return labels;
}

nlohmann::json rasterized_labels_sidecar(const RasterizedLabels& labels,
                                         const RtStructureSet& set) {
  nlohmann::json entries = nlohmann::json::array();
  for (const RasterizedStructure& s : labels.structures) {
    std::string interpreted_type;
    for (const RtStructure& structure : set.structures) {
      if (structure.roi_number == s.roi_number && structure.name == s.name) {
        interpreted_type = structure.interpreted_type;
        break;
      }
    }
    entries.push_back({
        {"value", s.label},
        {"name", s.name},
        {"roi_number", s.roi_number},
        {"color", {s.color[0], s.color[1], s.color[2]}},
        {"interpreted_type", interpreted_type},
        {"voxels", s.voxel_count},
        {"volume_ml", s.volume_ml},
        {"contour_volume_ml", s.contour_volume_ml},
        {"overlap_voxels_lost", s.overlap_voxels_lost},
    });
  }
  return {
      {"rtstruct", set.file.string()},
      {"structure_set_label", set.label},
      {"referenced_series_uid", set.referenced_series_uid},
      {"frame_of_reference_uid", set.frame_of_reference_uid},
      {"labels", entries},
      {"warnings", labels.warnings},
  };
}

}  // namespace modir::io
