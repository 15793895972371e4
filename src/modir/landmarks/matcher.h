#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/landmarks/consistency.h"
#include "modir/landmarks/keypoints.h"
#include "modir/learn/segmenter.h"

namespace modir::landmarks {

/// How keypoints and descriptors are found: Förstner keypoints and MIND-SSC descriptors
/// (classical), or a trained network's keypoint heat map and descriptors (learned,
/// learn/landmark_network.h). Matching, refinement and outlier rejection are the same; the
/// learned method's pairs are then polished on MIND-SSC (MatchOptions::polish_radius_mm).
enum class MatchMethod { kClassical, kLearned };

/// "classical" or "learned"; a usage error otherwise.
MatchMethod parse_match_method(const std::string& name);
const char* match_method_name(MatchMethod method);

/// The matcher's settings; the defaults were chosen on development phantom seeds
/// (bench/landmarks/README.md says which).
struct MatchOptions {
  MatchMethod method = MatchMethod::kClassical;
  /// The learned method's model folder; empty: the shipped models/landmarks.
  std::filesystem::path learned_model;
  /// Where the learned method's network runs (the classical method runs on the CPU).
  learn::Device device = learn::Device::kCpu;
  /// The classical method's working grid (the learned method's is its network's).
  double spacing_mm = 2.0;      ///< isotropic working grid of keypoints and descriptors
  double edge_margin_mm = 8.0;  ///< no keypoint this close to a scan's faces
  KeypointOptions fixed_keypoints{};
  KeypointOptions moving_keypoints{2.0, 3.0, 10.0, 5.0, 1200};
  /// A fixed keypoint's partner is sought within this distance of the same world point: the scans
  /// must share their frame to about this (as a patient's scans on one couch do, or after a rigid
  /// alignment).
  double search_radius_mm = 40.0;
  /// Scans further apart than that (a field of view centred elsewhere, another couch position):
  /// the keypoints vote on one shift among partners up to this far, and when most agree and the
  /// shift is larger than half the search radius, the search is centred on it.
  double shift_search_mm = 150.0;
  /// Lowe's ratio test: distance to the best candidate / distance to the second best must be
  /// below this (descriptor distances are square roots of the SSD).
  double max_ratio = 0.9;
  /// A matched moving keypoint is moved to the descriptor's best position within this distance.
  double refine_radius_mm = 4.0;
  /// The learned method only: each pair's moving point is then moved to where the fixed point's
  /// MIND-SSC descriptor fits best within this distance (to a quarter of the working spacing).
  /// The network's 16 values find the right structure; MIND-SSC's 492, sampled around the point,
  /// place it precisely. 0: no polishing.
  double polish_radius_mm = 4.0;
  /// Fixed keypoints left unmatched are searched for within this distance of where their
  /// consistent neighbours say they went.
  double guided_radius_mm = 6.0;
  /// The ratio test of that search for a keypoint of an organ held to its outlines (fewer matches
  /// of its own than the neighbour check needs; docs/landmarks.md, step 5). A filling bladder's
  /// wall looks alike along itself for several millimetres, so its best place in the window is
  /// rarely distinct from the second best, while the outlines' prediction already says where
  /// along the wall to look and the neighbour check then holds the pair to within
  /// ConsistencyOptions::outline_tolerance_mm of it. On the development pairs such pairs had the
  /// median error of the organ's pairs that passed `max_ratio` and a longer tail (docs/landmarks.md,
  /// step 6); only near-ties are refused. Their confidence stays that of a ratio at the limit or
  /// beyond (0.2 at most), so they guide a registration little.
  double outline_max_ratio = 0.99;
  ConsistencyOptions consistency{};
  /// With both label maps: a pair is kept only when the fixed point's label occurs within this
  /// distance of the moving point, and the moving point's label within it of the fixed point
  /// (measured to the labelled voxels' extent: label_within).
  double label_tolerance_mm = 2.0;
  std::size_t max_pairs = 0;  ///< keep the most confident; 0 = all
};

/// How a pair was found: mutual nearest neighbours past the ratio test, or by the guided search
/// where the keypoint's consistent neighbours said it went, or where its organ's outlines said
/// (an organ with too few matches of its own; MatchOptions::outline_max_ratio).
enum class FoundBy { kMutual, kNeighbours, kOutlines };

/// One correspondence, in world LPS mm.
struct LandmarkMatch {
  Vec3d fixed;
  Vec3d moving;
  /// In [0, 1]: (1 - ratio / max_ratio) scaled to [0, 1], times exp(-(residual / 2 mm)^2 / 2):
  /// distinctive and in agreement with its neighbours is near 1.
  double confidence = 0.0;
  double ratio = 1.0;        ///< descriptor distance ratio (best / second best)
  double residual_mm = 0.0;  ///< distance from the motion its neighbours predict
  FoundBy found_by = FoundBy::kMutual;
  int fixed_label = -1;      ///< label at the fixed point, -1 without labels
  int moving_label = -1;
};

/// What happened on the way, for the summary and report.json.
struct MatchCounts {
  std::size_t fixed_keypoints = 0;
  std::size_t moving_keypoints = 0;
  std::size_t mutual = 0;        ///< mutual nearest neighbours
  std::size_t passed_ratio = 0;  ///< ... of which passed the ratio test
  std::size_t guided_found = 0;  ///< pairs added by the guided search
  std::size_t inconsistent = 0;  ///< rejected by the neighbour check
  std::size_t label_disagreement = 0;
  std::size_t beyond_max = 0;  ///< dropped by max_pairs
  std::size_t kept = 0;
};

struct MatchResult {
  std::vector<LandmarkMatch> matches;  ///< most confident first
  MatchCounts counts;
  /// The shift the search was centred on (moving minus fixed, mm): zero unless the scans were
  /// found further apart than half the search radius.
  Vec3d prior_shift{0, 0, 0};
  double consistency_tolerance_mm = 0.0;
  /// Empty when matches were found; otherwise why there are none, in words for a user.
  std::string message;
};

/// Both methods: keypoints on both scans (classical: Förstner; learned: the network's heat map),
/// descriptors (classical: MIND-SSC; learned: the network's), then as follows. The classical
/// method: Förstner keypoints on both scans, MIND-SSC descriptors, mutual nearest neighbours with a
/// ratio test among keypoints within the search radius, each match refined on the moving descriptor
/// field (the learned method's then polished on MIND-SSC), then the neighbour check
/// (check_consistency); a guided search for fixed keypoints left
/// unmatched, checked again; with label maps (on their scans' grids), pairs whose labels disagree
/// are dropped. Scans without structure or without overlap give no matches and a message, not an
/// exception. Deterministic for any thread count.
MatchResult match_landmarks(const Image<float>& fixed, const Image<float>& moving,
                            const LabelMap* fixed_labels, const LabelMap* moving_labels,
                            const MatchOptions& options = {});

/// The keypoints of one scan (the first step of the matcher), in world LPS mm, strongest first.
std::vector<Keypoint> detect_scan_keypoints(const Image<float>& scan, const MatchOptions& options,
                                            const KeypointOptions& keypoints);

}  // namespace modir::landmarks
