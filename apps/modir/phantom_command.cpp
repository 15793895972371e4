// `modir phantom`: synthetic pelvic CT pairs (and cohorts) with exact ground truth.

#include <fmt/format.h>

#include "commands.h"
#include "memory_limit.h"
#include "modir/core/progress.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/phantom/cohort.h"
#include "modir/phantom/pair_writer.h"
#include "modir/phantom/scan_pair.h"

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct PhantomCommandOptions {
  phantom::PhantomOptions pair;
  std::string out;
  std::string size = "small";
  std::string deformation = "moderate";
  std::string sex;
  std::optional<double> fixed_bladder_ml;
  std::optional<double> moving_bladder_ml;
  std::optional<int> cohort;
  phantom::CohortOptions cohort_options;
  bool dry_run = false;
  std::optional<double> max_memory_mib;
};

int run_phantom(PhantomCommandOptions& options, const GlobalOptions& global) {
  phantom::PhantomOptions& o = options.pair;
  o.size = phantom::parse_size(options.size, "--size");
  o.deformation = phantom::parse_deformation(options.deformation, "--deformation");
  if (!options.sex.empty()) o.sex = phantom::parse_sex(options.sex, "--sex");
  for (const auto& [volume, name] : {std::pair{options.fixed_bladder_ml, "--fixed-bladder-ml"},
                                     std::pair{options.moving_bladder_ml, "--moving-bladder-ml"}}) {
    if (volume && (*volume < 30.0 || *volume > 900.0)) {
      throw usage_error("{} must be between 30 and 900 ml, got {}", name, *volume);
    }
  }
  o.fixed_bladder_ml = options.fixed_bladder_ml;
  o.moving_bladder_ml = options.moving_bladder_ml;
  if (options.cohort && o.arms)
    throw usage_error("--arms is for a pair; a cohort takes --arms-down FRACTION (of its scans)");
  if (!options.cohort && options.cohort_options.arms_down != 0.0)
    throw usage_error("--arms-down is for a cohort; a pair takes --arms");
  if (options.cohort && o.calcifications)
    throw usage_error(
        "--calcifications is for a pair; a cohort takes --calcified FRACTION (of its patients)");
  if (!options.cohort && options.cohort_options.calcified != 0.0)
    throw usage_error("--calcified is for a cohort; a pair takes --calcifications");
  if (options.cohort && o.markers)
    throw usage_error(
        "--markers is for a pair; a cohort takes --marked FRACTION (of its patients)");
  if (!options.cohort && options.cohort_options.marked != 0.0)
    throw usage_error("--marked is for a cohort; a pair takes --markers");
  if (options.cohort && o.metal)
    throw usage_error(
        "--metal is for a pair; a cohort takes --hip-replacements FRACTION (of its patients)");

  // A pair's memory is known from its plan (the scans' grids, drawn before any voxel): refused
  // before it starts when it does not fit, printed with --dry-run.
  std::optional<phantom::PairPlan> plan;
  if (!options.cohort) {
    plan = phantom::plan_pair(o);
    const Size3 f = plan->fixed_grid.size, m = plan->moving_grid.size;
    check_memory_limit(phantom::estimate_pair_memory_mib(*plan), options.max_memory_mib,
                       options.dry_run, "this phantom pair",
                       fmt::format("scans of {}x{}x{} and {}x{}x{} voxels{}", f[0], f[1], f[2],
                                   m[0], m[1], m[2], plan->variety ? ", with --variety" : ""),
                       "choose a smaller --size");
    if (options.dry_run) return 0;
  } else {
    // A cohort renders one scan at a time: its peak is one scan's, for any number of patients.
    const Size3 g = phantom::fixed_scan_grid(o.size, Vec3d{0.0, 0.0, 0.0}).size;
    check_memory_limit(phantom::estimate_cohort_memory_mib(o.size), options.max_memory_mib,
                       options.dry_run, "this cohort",
                       fmt::format("{} patients, scans of {}x{}x{} voxels, one at a time",
                                   *options.cohort, g[0], g[1], g[2]),
                       "choose a smaller --size");
    if (options.dry_run) return 0;
  }

  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  // Removed again on Ctrl-C when this run created it (a pair or a cohort half written is no
  // patient); locked against a second run into it; an existing folder gets the new files only
  // when all are written.
  io::OutputFolder folder(options.out, /*staged=*/true);
  if (options.cohort) {
    phantom::CohortOptions& c = options.cohort_options;
    c.seed = o.seed;
    c.patients = *options.cohort;
    c.size = o.size;
    c.couch = o.couch;
    for (const double f : {c.label_noise, c.missing_structure, c.merged_labels, c.other_scanner,
                           c.truncated, c.hip_replacements, c.arms_down, c.calcified, c.marked}) {
      if (!(f >= 0.0 && f <= 1.0))
        throw usage_error("cohort fractions must lie in [0, 1], got {}", f);
    }
    const auto truth = phantom::write_cohort(c, folder.write_path(), progress);
    fmt::print(
        "cohort of {} patients (seed {}) written to {}: manifest.csv, truth.json, {} issues "
        "recorded\n",
        c.patients, c.seed, options.out, truth["issues"].size());
    folder.finish();
    return 0;
  }
  progress.begin_phase("generating phantom pair", 1);
  const phantom::PhantomPair pair = phantom::generate_pair(o, std::move(*plan));
  progress.end_phase();
  progress.begin_phase("writing", 1);
  phantom::write_pair(pair, folder.write_path());
  progress.end_phase();
  folder.finish();

  const auto& volumes = pair.meta["organ_volumes_ml"];
  fmt::print("phantom seed {} ({}, {}, {} deformation) written to {}\n", o.seed,
             pair.meta["sex"].get<std::string>(), options.size, options.deformation, options.out);
  fmt::print(
      "  bladder {:.0f} ml (fixed) / {:.0f} ml (moving); max displacement {:.1f} mm; "
      "{} landmarks; min Jacobian {:.3f}\n",
      volumes["fixed"]["bladder"].get<double>(), volumes["moving"]["bladder"].get<double>(),
      pair.meta["displacement"]["max_mm"].get<double>(), pair.fixed_landmarks.size(),
      pair.meta["jacobian"]["min"].get<double>());
  return 0;
}

}  // namespace

CommandAction add_phantom_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<PhantomCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "phantom", "Generate a synthetic pelvic CT pair of one patient with exact ground truth");
  command->add_option("--seed", options->pair.seed,
                      "patient (or cohort) seed: same seed, same files (default 1)");
  command->add_option("--out", options->out, "output folder")->required();
  command->add_option("--size", options->size,
                      "small (96x96x48, 2x2x3 mm), medium (256x256x96, 1x1x3 mm) or large "
                      "(512x512x160, 0.9x0.9x2.5 mm)");
  command->add_option("--deformation", options->deformation,
                      "none, moderate or large (e.g. bladder 150 vs 450 ml)");
  command->add_option("--sex", options->sex, "female or male (default: drawn from the seed)");
  command->add_option("--fixed-bladder-ml", options->fixed_bladder_ml,
                      "bladder volume in the fixed scan (default: drawn)");
  command->add_option("--moving-bladder-ml", options->moving_bladder_ml,
                      "bladder volume in the moving scan (default: drawn)");
  command
      ->add_option("--bone-margin", options->pair.bone_margin_mm,
                   "mm over which soft-tissue motion fades out towards bone, which moves rigidly "
                   "(0: soft motion acts on bone too)")
      ->check(CLI::Range(0.0, 100.0));
  command->add_flag(
      "--variety", options->pair.variety,
      "draw each scan's protocol from the seed: slice thickness 1-5 mm, scanned range, "
      "field-of-view offset, kernel, noise level and texture, contrast, calibration");
  command->add_flag("--couch", options->pair.couch,
                    "a patient couch under the patient (tabletop, mattress, rails drawn from the "
                    "seed), background in the labels; for a cohort, in every scan");
  command->add_flag("--arms", options->pair.arms,
                    "both forearms beside the hips and thighs (arms down; drawn from the seed): "
                    "body in the labels, seen by the large size's field of view");
  command->add_flag("--metal", options->pair.metal,
                    "total hip replacements (one or both hips, drawn from the seed) and the "
                    "beam-hardening and photon-starvation streaks their metal casts");
  command->add_flag("--calcifications", options->pair.calcifications,
                    "phleboliths in the pelvic veins, plaques on the iliac arteries and (men) "
                    "calcified foci in the prostate, drawn from the seed; labelled by the organ "
                    "they lie in");
  command->add_flag("--markers", options->pair.markers,
                    "three or four gold fiducial markers in a man's prostate (drawn from the "
                    "seed; none in a woman) and the streaks they cast; prostate in the labels");
  add_memory_options(*command, options->dry_run, options->max_memory_mib,
                     "the pair's estimated peak memory");
  command->add_option("--hu-offset", options->pair.moving_hu_offset,
                      "intensity offset of the moving scan's scanner, HU");
  command
      ->add_option("--cohort", options->cohort,
                   "generate N patients with 2-4 scans each, manifest.csv and truth.json")
      ->check(CLI::PositiveNumber);
  phantom::CohortOptions& c = options->cohort_options;
  command->add_option("--label-noise", c.label_noise,
                      "cohort: fraction of scans with jittered label boundaries (default 0.2)");
  command->add_option("--missing-structure", c.missing_structure,
                      "cohort: fraction of scans missing one structure (0.1)");
  command->add_option("--merged-labels", c.merged_labels,
                      "cohort: fraction of patients with another label convention (0.15)");
  command->add_option("--other-scanner", c.other_scanner,
                      "cohort: fraction of scans from another scanner (0.2)");
  command->add_option("--truncated", c.truncated,
                      "cohort: fraction of scans with a truncated field of view (0.15)");
  command->add_option("--hip-replacements", c.hip_replacements,
                      "cohort: fraction of patients with one or both hips replaced, metal "
                      "streaks in every scan of theirs (0)");
  command->add_option("--arms-down", c.arms_down,
                      "cohort: fraction of scans with both forearms beside the hips and thighs, "
                      "drawn per scan; seen by the large size's field of view (0)");
  command->add_option("--calcified", c.calcified,
                      "cohort: fraction of patients with phleboliths, arterial plaques and "
                      "prostatic calcifications, the same in every scan of theirs (0)");
  command->add_option("--marked", c.marked,
                      "cohort: fraction of patients given gold fiducial markers in the prostate "
                      "(men only), with their streaks in every scan of theirs (0)");
  command->add_option(
      "--duplicates", c.duplicates,
      "cohort: scans filed again under a new patient id (default patients/10, at least 1)");
  return [options, &global] { return run_phantom(*options, global); };
}

}  // namespace modir::cli
