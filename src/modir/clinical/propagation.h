#pragma once

// Contour propagation, the everyday job of adaptive radiotherapy: the planning CT's structures
// carried onto a new (daily) CT of the same patient by a registration guided by the organs both
// scans show.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/io/organ_names.h"
#include "modir/io/rtstruct.h"
#include "modir/register/registration.h"

namespace modir::clinical {

struct PropagationInputs {
  Image<float> planning;  ///< the scan the structures were drawn on (the moving image)
  Image<float> daily;     ///< the scan they are carried to (the fixed image)
  /// Every planning structure as a mask on the planning grid (1 inside), with its ROI metadata.
  std::vector<io::RtStructure> structures;
  std::vector<Image<std::uint8_t>> planning_masks;
  /// Organ labels on the daily grid (e.g. predicted by the segmentation model) and the organ
  /// class name of each label value (index = value; "" for values that are not organs).
  std::optional<LabelMap> daily_labels;
  std::vector<std::string> daily_label_classes;
  /// Organ classes whose daily label failed quality control, with the reasons: they do not
  /// guide (a wrong label would steer the registration), and the report says why.
  std::map<std::string, std::string> unreliable_classes;
};

/// The quantised fraction at which a voxel is inside a propagated structure: round(255 f) >= 128
/// exactly when f >= 0.5.
inline constexpr std::uint8_t kInsideFraction = 128;

struct PropagatedStructure {
  io::RtStructure structure;            ///< name, ROI number, colour, type (no contours)
  std::optional<std::string> organ_class;  ///< what the organ name table reads in its name
  bool guided = false;                  ///< its organ guided the registration
  std::string why;                      ///< why it guided or not
  double planning_ml = 0.0;             ///< volume on the planning scan
  double daily_ml = 0.0;                ///< volume of the propagated mask (fraction >= 0.5)
  /// Volume the structure would have where the daily scan's points map beyond the planning
  /// scan (its last slice continued); not drawn, since the planning scan does not show it.
  double beyond_planning_ml = 0.0;
  /// The mask warped onto the daily grid (linear), in steps of 1/255: kInsideFraction and above
  /// is inside (a fraction >= 0.5). One byte a voxel rather than a float's four, since a
  /// clinical structure set holds dozens of structures and all are kept to the end.
  Image<std::uint8_t> fraction;
};

struct PropagationResult {
  reg::RegistrationResult registration;
  DisplacementField displacement;  ///< on the daily grid: daily x -> planning x + u(x)
  std::vector<PropagatedStructure> structures;
  std::vector<std::string> guiding_classes;  ///< organ classes used as guidance
};

/// Registers the planning scan onto the daily one and warps every structure's mask on its own
/// (so that nested structures such as a CTV inside a PTV both survive). Structures whose names
/// the table reads as an organ class that the daily labels also hold guide the registration:
/// the planning masks of a class (e.g. left and right femoral heads) become one label, matched
/// to the daily label of that class; the others are carried along, and `why` says so. Without
/// any such pair the registration runs on the images alone.
///
/// `registrar` runs the registration on the inputs propagate prepared (daily fixed, planning
/// moving, guiding organs as labels); by default reg::register_images with `config`. A caller
/// that wants a Pareto front and a pick rule passes its own.
using Registrar = std::function<reg::RegistrationResult(const reg::RegistrationInputs&)>;
PropagationResult propagate(const PropagationInputs& inputs, const reg::RegistrationConfig& config,
                            const io::OrganNameTable& names,
                            const reg::LevelCallback& on_level = {},
                            const Registrar& registrar = {});

/// An exclusive label map of the propagated structures on the daily grid (1..N in structure
/// order; where masks overlap, the smaller structure keeps the voxel), for NIfTI outputs.
LabelMap propagated_label_map(const PropagationResult& result);

}  // namespace modir::clinical
