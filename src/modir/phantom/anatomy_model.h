#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "modir/phantom/anatomy.h"
#include "modir/phantom/arms.h"
#include "modir/phantom/body_outline.h"
#include "modir/phantom/calcifications.h"
#include "modir/phantom/fiducial_markers.h"
#include "modir/phantom/hip_prosthesis.h"
#include "modir/phantom/scene.h"

// The inside of Anatomy: the parts of one patient and the functions that build them, split by
// region (anatomy_bones.cpp, anatomy_soft.cpp, anatomy_organs.cpp, anatomy_bowel.cpp).

namespace modir::phantom::detail {

/// What a scene piece is made of, beyond its layer.
enum Tag : int {
  kTagBone,
  kTagBoneThin,   ///< iliac wings: thinner cortex
  kTagBoneThick,  ///< femoral shafts: thicker cortex
  kTagFemoralHead,
  kTagProstate,
  kTagSeminalVesicle,
  kTagUterus,
  kTagCervix,
  kTagRectum,
  kTagColon,
  kTagSmallBowel,
  kTagArtery,
  kTagVein,
  kTagMuscle,
  kTagDisc,
  kTagVagina,
};

/// Height range of the body (mm): from mid-thigh to the upper lumbar spine.
inline constexpr double kBodyZMin = -240.0;
inline constexpr double kBodyZMax = 260.0;

inline constexpr std::array<const char*, 2> kSideName{"right", "left"};
inline constexpr std::array<double, 2> kSideSign{-1.0, 1.0};  ///< +x is the patient's left

/// Proportions drawn once per patient and the bony landmarks later parts are placed against.
struct PelvisFrame {
  double scale = 1.0;    ///< overall size
  double lateral = 1.0;  ///< extra width (wider female pelvis)
  double height = 1.0;
  double depth = 1.0;
  std::array<Vec3d, 2> head{};  ///< femoral head centres, [0] right, [1] left
  std::array<double, 2> head_radius{};
  std::array<TubeSpec, 2> femoral_shaft;
  Vec3d symphysis_top, symphysis_bottom;
  double pubis_front_y = 0.0;  ///< most anterior y of the pubic bones
  TubeSpec sacral_curve;       ///< centre line of the sacrum, with its half thickness in radius_b
  double sacrum_back_y = 0.0;  ///< most posterior y of the sacral crest
  double spine_back_y = 0.0;   ///< most posterior y of the lumbar spinous processes
  double trochanter_lateral = 0.0;  ///< |x| of the greater trochanters' outer surface
  double crest_lateral = 0.0;       ///< |x| of the iliac crests' outer surface
  std::array<Blob, 2> iliac_wing;   ///< for the iliacus and gluteal muscles
  std::array<Vec3d, 2> lesser_trochanter{};
  std::array<Vec3d, 2> ischial_tuberosity{};

  /// Maps a point of the reference (male, left side) template in mm to this patient.
  Vec3d map(double sign, double x, double y, double z) const {
    return {sign * x * lateral * scale, y * depth * scale, z * height * scale};
  }
};

/// Every part of one patient. Built once by the constructor, then only read (thread-safe).
struct Model {
  Sex sex = Sex::kFemale;
  AnatomyState state;
  std::uint64_t salt = 0;  ///< texture seed
  PelvisFrame frame;
  BodyOutline outline;
  Scene scene;

  StarShape bladder;
  Box bladder_box;
  double bladder_wall = 3.0;
  double bladder_bottom_z = 0.0, bladder_top_z = 0.0;
  Vec3d bladder_neck;  ///< lowest point of the bladder

  TubeSpec rectum;
  std::vector<std::pair<Vec3d, double>> rectal_gas;
  double gut_wall = 3.0;
  std::vector<TubeSpec> obstacles;  ///< placed organs (uterus) the bowel must avoid

  double skin = 2.0;
  double fat = 20.0;  ///< mean subcutaneous fat thickness
  double muscle_wall = 8.0;
  double cortex = 2.5;
  double cortex_hu = 950.0;

  std::vector<std::pair<std::string, Vec3d>> points;
  std::optional<HipProstheses> prostheses;             ///< `--metal`: checked before the bones
  std::optional<PlacedArms> arms;                      ///< `--arms`: outside the trunk's outline
  std::optional<PlacedCalcifications> calcifications;  ///< `--calcifications`
  std::optional<PlacedFiducials> fiducials;            ///< `--markers`

  /// Centre lines where calcifications form (kept by build_vessels; nothing else reads them).
  std::vector<TubeSpec> iliac_arteries;        ///< common, external and internal, both sides
  std::vector<TubeSpec> internal_iliac_veins;  ///< both sides

  void add_point(const std::string& name, const Vec3d& p) { points.emplace_back(name, p); }
  /// The named point, or null (a woman has no "prostate_centre").
  const Vec3d* point(const std::string& name) const {
    for (const auto& [n, p] : points)
      if (n == name) return &p;
    return nullptr;
  }
  /// Subcutaneous fat thickness at p (thicker over the belly and buttocks, varying smoothly).
  double fat_thickness(const Vec3d& p) const;
};

/// Pelvic bones, femora and lumbar vertebrae; fills model.frame.
void build_bones(Model& model, Rng& rng);
/// Body outline (needs the bones) and the muscles.
void build_body(Model& model, Rng& rng);
/// Iliac vessels.
void build_vessels(Model& model, Rng& rng);
/// Bladder, rectum with gas, prostate and seminal vesicles or uterus and cervix.
void build_pelvic_organs(Model& model, Rng& rng);
/// Sigmoid and colon, small-bowel loops (placed above the bladder of this state).
void build_bowel(Model& model, Rng& rng);
/// Skin landmarks at the trunk's extremes.
void add_skin_points(Model& model);

/// Where the design's calcifications lie in this patient (anatomy_calcifications.cpp); those
/// that found no place in their attempts are left out.
std::vector<Calcification> place_calcifications(const Model& model,
                                                const CalcificationDesign& design);

/// Where the design's markers lie in this man's prostate (anatomy_markers.cpp); none in a woman.
std::vector<FiducialSeed> place_fiducials(const Model& model, const FiducialDesign& design);

/// Label and noise-free HU at p.
TissueSample sample_model(const Model& model, const Vec3d& p);

/// y of the sacrum's anterior surface at height z (clamped to the sacrum's extent).
double sacrum_front_y(const PelvisFrame& frame, double z);
/// Parameter t on a centre line whose z increases (or decreases) monotonically, at height z.
double tube_t_at_z(const TubeSpec& tube, double z);

}  // namespace modir::phantom::detail
