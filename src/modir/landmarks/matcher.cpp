#include "modir/landmarks/matcher.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/resample.h"
#include "modir/landmarks/descriptors.h"
#include "modir/landmarks/label_reach.h"
#include "modir/landmarks/organ_prior.h"
#include "modir/landmarks/scan_features.h"
#include "modir/landmarks/working_image.h"

namespace modir::landmarks {

namespace {

std::vector<float> describe_all(const DescriptorField& field, const std::vector<Keypoint>& points) {
  const std::size_t length = field.length();
  std::vector<float> out(points.size() * length);
  parallel_for(std::int64_t(points.size()), [&](std::int64_t i) {
    field.describe(points[std::size_t(i)].position, out.data() + std::size_t(i) * length);
  });
  return out;
}

struct WindowResult {
  Vec3d position;
  float best = std::numeric_limits<float>::infinity();
  /// The lowest cost at least `exclusion` away from the best (infinity when none).
  float second = std::numeric_limits<float>::infinity();
};

/// Compares `target` with the moving descriptors at the points of a cubic lattice (step, up to
/// radius) around `centre`.
WindowResult search_window(const float* target, const DescriptorField& field, const Vec3d& centre,
                           double radius, double step, double exclusion) {
  const int reach = int(std::floor(radius / step + 1e-9));
  const std::size_t length = field.length();
  std::vector<float> candidate(length);
  std::vector<std::pair<Vec3d, float>> costs;
  WindowResult r;
  for (int k = -reach; k <= reach; ++k)
    for (int j = -reach; j <= reach; ++j)
      for (int i = -reach; i <= reach; ++i) {
        const Vec3d p = centre + Vec3d{double(i), double(j), double(k)} * step;
        field.describe(p, candidate.data());
        const float cost = descriptor_distance(target, candidate.data(), length);
        if (exclusion > 0.0) costs.push_back({p, cost});
        if (cost < r.best) {
          r.best = cost;
          r.position = p;
        }
      }
  if (exclusion > 0.0) {
    for (const auto& [p, cost] : costs) {
      const Vec3d d = p - r.position;
      if (d.dot(d) >= exclusion * exclusion) r.second = std::min(r.second, cost);
    }
  }
  return r;
}

/// The best position near `start` to a quarter of the working spacing: a lattice with the
/// working spacing, then one four times finer around its best point.
WindowResult refine(const float* target, const DescriptorField& field, const Vec3d& start,
                    double radius, double spacing, double exclusion) {
  WindowResult coarse = search_window(target, field, start, radius, spacing, exclusion);
  // The ratio is the coarse lattice's: the fine one's neighbours are all near the best.
  const WindowResult fine =
      search_window(target, field, coarse.position, spacing, spacing / 4.0, 0.0);
  coarse.position = fine.position;
  return coarse;
}

double confidence_of(double ratio, double residual, double max_ratio) {
  const double distinct = std::clamp(1.0 - ratio / max_ratio, 0.0, 1.0);
  // A ratio just under the limit still says something: map [0, max_ratio] onto [0.2, 1].
  return (0.2 + 0.8 * distinct) * std::exp(-0.5 * (residual / 2.0) * (residual / 2.0));
}

/// The nearest neighbour in descriptor distance of each `from` point among the `to` points within
/// the search radius, with the second-nearest distance for the ratio test.
struct Nearest {
  std::ptrdiff_t index = -1;
  float best = std::numeric_limits<float>::infinity();
  float second = std::numeric_limits<float>::infinity();
};

std::vector<Nearest> nearest_neighbours(const std::vector<Keypoint>& from,
                                        const std::vector<float>& from_descriptors,
                                        const std::vector<Keypoint>& to,
                                        const std::vector<float>& to_descriptors,
                                        std::size_t length, double radius, const Vec3d& shift) {
  const double r2 = radius * radius;
  std::vector<Nearest> out(from.size());
  parallel_for(std::int64_t(from.size()), [&](std::int64_t i) {
    Nearest& n = out[std::size_t(i)];
    for (std::size_t j = 0; j < to.size(); ++j) {
      const Vec3d d = to[j].position - (from[std::size_t(i)].position + shift);
      if (d.dot(d) > r2) continue;
      const float cost = descriptor_distance(from_descriptors.data() + std::size_t(i) * length,
                                             to_descriptors.data() + j * length, length);
      if (cost < n.best) {
        n.second = n.best;
        n.best = cost;
        n.index = std::ptrdiff_t(j);
      } else if (cost < n.second) {
        n.second = cost;
      }
    }
  });
  return out;
}

/// Lowe's ratio of two descriptor SSDs, as a ratio of distances; 1 when there is no second.
double distance_ratio(float best, float second) {
  return std::isfinite(second) && second > 0.0f ? std::sqrt(double(best) / double(second)) : 1.0;
}

/// The shift most fixed keypoints agree on: each votes with the displacement to its nearest
/// moving keypoint in descriptor space within `reach` (when it passes the ratio test); the vote
/// with the most others within 8 mm wins, refined to their mean. Zero when fewer than a quarter of
/// the votes (and fewer than 8) agree: then the scans share no clear offset.
Vec3d voted_shift(const std::vector<Keypoint>& kf, const std::vector<float>& desc_f,
                  const std::vector<Keypoint>& km, const std::vector<float>& desc_m,
                  std::size_t length, double reach, double max_ratio) {
  const std::vector<Nearest> nearest =
      nearest_neighbours(kf, desc_f, km, desc_m, length, reach, {0, 0, 0});
  std::vector<Vec3d> votes;
  for (std::size_t i = 0; i < kf.size(); ++i) {
    const Nearest& n = nearest[i];
    if (n.index < 0) continue;
    if (distance_ratio(n.best, n.second) >= max_ratio) continue;
    votes.push_back(km[std::size_t(n.index)].position - kf[i].position);
  }
  constexpr double kAgree = 8.0;
  std::size_t best_count = 0;
  Vec3d best{0, 0, 0};
  for (const Vec3d& v : votes) {
    std::size_t count = 0;
    Vec3d sum{0, 0, 0};
    for (const Vec3d& w : votes) {
      if ((w - v).norm() <= kAgree) {
        ++count;
        sum += w;
      }
    }
    if (count > best_count) {
      best_count = count;
      best = sum / double(count);
    }
  }
  if (best_count < std::max<std::size_t>(8, votes.size() / 4)) return {0, 0, 0};
  return best;
}

}  // namespace

std::vector<Keypoint> detect_scan_keypoints(const Image<float>& scan, const MatchOptions& options,
                                            const KeypointOptions& keypoints) {
  std::optional<learn::LandmarkNetwork> network;
  if (options.method == MatchMethod::kLearned)
    network.emplace(load_landmark_network(options.learned_model, options.device));
  const WorkingImage w = make_working_image(
      scan, network ? network->spec().spacing_mm : options.spacing_mm, options.edge_margin_mm);
  if (!network) return detect_keypoints(w.image, w.region, keypoints);
  const learn::LandmarkFeatures f = network->features(w.image);
  return select_keypoints(f.heat, w.region, keypoints);
}

namespace {

/// One matching in progress: the keypoints and descriptors of both scans, and the candidate
/// pairs with the fixed keypoint each came from, step by step.
class Matching {
 public:
  /// `polish`: the MIND-SSC fields of both scans (fixed, moving) on which the learned method's
  /// pairs are placed precisely; empty for the classical method, whose descriptors are those.
  /// `priors`: each organ's motion as its outlines in both label maps tell it (organ_priors),
  /// for organs with too few matches of their own; empty without both label maps.
  Matching(ScanFeatures fixed, ScanFeatures moving, const LabelMap* fixed_labels,
           const LabelMap* moving_labels, const MatchOptions& options, MatchResult& result,
           std::vector<DescriptorField> polish = {},
           std::vector<std::optional<OrganPrior>> priors = {})
      : kf_(std::move(fixed.keypoints)),
        km_(std::move(moving.keypoints)),
        df_(std::move(fixed.descriptors)),
        dm_(std::move(moving.descriptors)),
        desc_f_(describe_all(df_, kf_)),
        desc_m_(describe_all(dm_, km_)),
        fixed_labels_(fixed_labels),
        moving_labels_(moving_labels),
        options_(options),
        result_(result),
        polish_(std::move(polish)),
        priors_(std::move(priors)) {}

  /// Mutual nearest neighbours that pass the ratio test, each moved to the descriptor's best
  /// position near the moving keypoint (the moving corner was detected where the moving scan has
  /// it, not necessarily where the fixed point's descriptor fits best).
  void match_mutual() {
    // Scans far apart: the search follows the shift the keypoints agree on.
    const Vec3d voted = voted_shift(kf_, desc_f_, km_, desc_m_, df_.length(),
                                    options_.shift_search_mm, options_.max_ratio);
    if (voted.norm() > 0.5 * options_.search_radius_mm) result_.prior_shift = voted;
    const Vec3d shift = result_.prior_shift;
    const std::vector<Nearest> forward = nearest_neighbours(
        kf_, desc_f_, km_, desc_m_, df_.length(), options_.search_radius_mm, shift);
    const std::vector<Nearest> backward = nearest_neighbours(
        km_, desc_m_, kf_, desc_f_, df_.length(), options_.search_radius_mm, -shift);
    for (std::size_t i = 0; i < kf_.size(); ++i) {
      const Nearest& n = forward[i];
      if (n.index < 0 || backward[std::size_t(n.index)].index != std::ptrdiff_t(i)) continue;
      ++result_.counts.mutual;
      const double ratio = distance_ratio(n.best, n.second);
      if (ratio >= options_.max_ratio) continue;
      ++result_.counts.passed_ratio;
      LandmarkMatch m;
      m.fixed = kf_[i].position;
      m.moving = km_[std::size_t(n.index)].position;
      m.ratio = ratio;
      if (fixed_labels_) m.fixed_label = label_at(*fixed_labels_, m.fixed);
      candidates_.push_back(m);
      keypoint_.push_back(i);
    }
    parallel_for(std::int64_t(candidates_.size()), [&](std::int64_t c) {
      LandmarkMatch& m = candidates_[std::size_t(c)];
      m.moving = refine(descriptor_of(keypoint_[std::size_t(c)]), dm_, m.moving,
                        options_.refine_radius_mm, options_.spacing_mm, 0.0)
                     .position;
    });
    polish(0);
  }

  /// Candidates from `first` on, each moving point moved to where the fixed point's MIND-SSC
  /// descriptor fits best near it (learned method only).
  void polish(std::size_t first) {
    if (polish_.size() != 2 || options_.polish_radius_mm <= 0.0) return;
    const DescriptorField& pf = polish_[0];
    const DescriptorField& pm = polish_[1];
    const double step = pm.geometry().spacing.x;
    parallel_for(std::int64_t(candidates_.size() - first), [&](std::int64_t c) {
      LandmarkMatch& m = candidates_[first + std::size_t(c)];
      std::vector<float> target(pf.length());
      pf.describe(m.fixed, target.data());
      m.moving = refine(target.data(), pm, m.moving, options_.polish_radius_mm, step, 0.0).position;
    });
  }

  /// The neighbour check (check_consistency): the inconsistent candidates are dropped.
  void keep_consistent() {
    std::vector<Vec3d> f, m;
    std::vector<int> groups;
    std::vector<std::optional<Vec3d>> told_by_outlines;
    for (const LandmarkMatch& x : candidates_) {
      f.push_back(x.fixed);
      m.push_back(x.moving);
      groups.push_back(x.fixed_label);
      told_by_outlines.push_back(prior_at(x.fixed_label, x.fixed));
    }
    const ConsistencyResult check =
        check_consistency(f, m, options_.consistency, fixed_labels_ ? &groups : nullptr,
                          priors_.empty() ? nullptr : &told_by_outlines);
    result_.consistency_tolerance_mm = check.tolerance_mm;
    std::vector<LandmarkMatch> kept;
    std::vector<std::size_t> kept_keypoint;
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      candidates_[i].residual_mm = check.residual_mm[i];
      if (check.consistent[i]) {
        kept.push_back(candidates_[i]);
        kept_keypoint.push_back(keypoint_[i]);
      }
    }
    result_.counts.inconsistent += candidates_.size() - kept.size();
    candidates_ = std::move(kept);
    keypoint_ = std::move(kept_keypoint);
  }

  /// Fixed keypoints without a partner, sought where the consistent candidates (of their organ,
  /// with labels) say they went; returns how many were found.
  std::size_t search_guided() {
    if (candidates_.empty()) return 0;
    std::vector<bool> matched(kf_.size(), false);
    for (const std::size_t i : keypoint_) matched[i] = true;
    std::vector<Vec3d> f, d;
    std::vector<int> groups;
    for (const LandmarkMatch& m : candidates_) {
      f.push_back(m.fixed);
      d.push_back(m.moving - m.fixed);
      groups.push_back(m.fixed_label);
    }
    const std::vector<bool> usable(f.size(), true);
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < kf_.size(); ++i)
      if (!matched[i]) open.push_back(i);
    std::vector<LandmarkMatch> found(open.size());
    std::vector<bool> accepted(open.size(), false);
    parallel_for(std::int64_t(open.size()), [&](std::int64_t o) {
      const std::size_t i = open[std::size_t(o)];
      const int label = fixed_labels_ ? label_at(*fixed_labels_, kf_[i].position) : -1;
      // An organ with too few matches of its own: where its outlines say the point went, if
      // they can say.
      bool held = false;
      const Vec3d predicted =
          predict_in_organ(kf_[i].position, f, d, usable, &groups, label, std::size_t(-1),
                           prior_at(label, kf_[i].position), options_.consistency, &held);
      // The exclusion of 2 working voxels: the second best must be a different place, not the
      // best one's neighbour on the lattice.
      const WindowResult w =
          refine(descriptor_of(i), dm_, kf_[i].position + predicted, options_.guided_radius_mm,
                 options_.spacing_mm, 2.0 * options_.spacing_mm);
      const double ratio = distance_ratio(w.best, w.second);
      if (ratio >= (held ? options_.outline_max_ratio : options_.max_ratio)) return;
      LandmarkMatch& m = found[std::size_t(o)];
      m.fixed = kf_[i].position;
      m.moving = w.position;
      m.ratio = ratio;
      m.found_by = held ? FoundBy::kOutlines : FoundBy::kNeighbours;
      m.fixed_label = label;
      accepted[std::size_t(o)] = true;
    });
    std::size_t added = 0;
    const std::size_t first_found = candidates_.size();
    for (std::size_t o = 0; o < open.size(); ++o) {
      if (!accepted[o]) continue;
      candidates_.push_back(found[o]);
      keypoint_.push_back(open[o]);
      ++added;
    }
    polish(first_found);
    return added;
  }

  /// With both label maps, the pairs whose labels disagree are dropped (a bladder point must
  /// land in bladder); the rest get their confidence, most confident first.
  std::vector<LandmarkMatch> agreeing_pairs() {
    std::vector<LandmarkMatch> out;
    for (LandmarkMatch& m : candidates_) {
      if (fixed_labels_ && moving_labels_) {
        // fixed_label was read when the candidate was made.
        m.moving_label = label_at(*moving_labels_, m.moving);
        const double reach = options_.label_tolerance_mm;
        const bool agree = m.fixed_label >= 0 && m.moving_label >= 0 &&
                           label_within(*moving_labels_, m.moving, m.fixed_label, reach) &&
                           label_within(*fixed_labels_, m.fixed, m.moving_label, reach);
        if (!agree) {
          ++result_.counts.label_disagreement;
          continue;
        }
      }
      m.confidence = confidence_of(m.ratio, m.residual_mm, options_.max_ratio);
      out.push_back(m);
    }
    std::stable_sort(out.begin(), out.end(), [](const LandmarkMatch& a, const LandmarkMatch& b) {
      return a.confidence > b.confidence;
    });
    return out;
  }

 private:
  /// The displacement organ `label`'s outlines predict at `point`, where they can.
  std::optional<Vec3d> prior_at(int label, const Vec3d& point) const {
    if (label <= 0 || std::size_t(label) >= priors_.size() || !priors_[std::size_t(label)])
      return std::nullopt;
    return priors_[std::size_t(label)]->displacement(point);
  }

  const float* descriptor_of(std::size_t fixed_keypoint) const {
    return desc_f_.data() + fixed_keypoint * df_.length();
  }

  std::vector<Keypoint> kf_, km_;
  DescriptorField df_, dm_;
  std::vector<float> desc_f_, desc_m_;
  const LabelMap* fixed_labels_;
  const LabelMap* moving_labels_;
  const MatchOptions& options_;
  MatchResult& result_;
  std::vector<LandmarkMatch> candidates_;
  std::vector<std::size_t> keypoint_;              ///< the fixed keypoint of each candidate
  std::vector<DescriptorField> polish_;            ///< MIND-SSC of fixed and moving, or empty
  std::vector<std::optional<OrganPrior>> priors_;  ///< by label id; empty without both labels
};

}  // namespace

MatchResult match_landmarks(const Image<float>& fixed, const Image<float>& moving,
                            const LabelMap* fixed_labels, const LabelMap* moving_labels,
                            const MatchOptions& options) {
  MatchResult result;
  if (!world_box(fixed.geometry()).overlaps(world_box(moving.geometry()))) {
    result.message =
        "the scans do not overlap in world space: their fields of view share no point, so "
        "nothing can correspond (align them first, or check that they are of one patient)";
    return result;
  }
  // First, while little else is held: the outlines' pieces take 4 bytes a voxel for a moment.
  std::vector<std::optional<OrganPrior>> priors;
  if (fixed_labels && moving_labels) priors = organ_priors(*fixed_labels, *moving_labels);
  std::optional<learn::LandmarkNetwork> network;
  if (options.method == MatchMethod::kLearned)
    network.emplace(load_landmark_network(options.learned_model, options.device));
  // The learned method works on the grid its network was trained on.
  const double spacing = network ? network->spec().spacing_mm : options.spacing_mm;
  const WorkingImage wf = make_working_image(fixed, spacing, options.edge_margin_mm);
  const WorkingImage wm = make_working_image(moving, spacing, options.edge_margin_mm);
  // The fixed labels on the working grid spread the fixed keypoints over every organ.
  std::optional<LabelMap> working_labels;
  if (fixed_labels) {
    working_labels =
        filter::resample(*fixed_labels, wf.image.geometry(), filter::Interpolation::kNearest, 0.0);
  }
  const LabelMap* labels_on_grid = working_labels ? &*working_labels : nullptr;
  ScanFeatures ff = network
                        ? learned_features(*network, wf, options.fixed_keypoints, labels_on_grid)
                        : classical_features(wf, options.fixed_keypoints, labels_on_grid);
  ScanFeatures fm = network ? learned_features(*network, wm, options.moving_keypoints, nullptr)
                            : classical_features(wm, options.moving_keypoints, nullptr);
  result.counts.fixed_keypoints = ff.keypoints.size();
  result.counts.moving_keypoints = fm.keypoints.size();
  if (ff.keypoints.empty() || fm.keypoints.empty()) {
    result.message = fmt::format(
        "the {} scan shows no structure to match (no distinctive point: is it one value "
        "throughout, or empty?)",
        ff.keypoints.empty() ? "fixed" : "moving");
    return result;
  }

  std::vector<DescriptorField> polish;
  if (network && options.polish_radius_mm > 0.0) {
    polish.push_back(patient_mind_ssc(wf));
    polish.push_back(patient_mind_ssc(wm));
  }
  Matching matching(std::move(ff), std::move(fm), fixed_labels, moving_labels, options, result,
                    std::move(polish), std::move(priors));
  matching.match_mutual();
  matching.keep_consistent();
  result.counts.guided_found = matching.search_guided();
  if (result.counts.guided_found > 0) matching.keep_consistent();
  std::vector<LandmarkMatch> pairs = matching.agreeing_pairs();
  if (options.max_pairs > 0 && pairs.size() > options.max_pairs) {
    result.counts.beyond_max = pairs.size() - options.max_pairs;
    pairs.resize(options.max_pairs);
  }
  result.matches = std::move(pairs);
  result.counts.kept = result.matches.size();
  if (result.matches.empty()) {
    result.message = fmt::format(
        "no correspondence survived: {} and {} keypoints, {} mutual matches, {} past the ratio "
        "test, {} inconsistent with their neighbours, {} with disagreeing labels",
        result.counts.fixed_keypoints, result.counts.moving_keypoints, result.counts.mutual,
        result.counts.passed_ratio, result.counts.inconsistent, result.counts.label_disagreement);
  }
  return result;
}

}  // namespace modir::landmarks

namespace modir::landmarks {

MatchMethod parse_match_method(const std::string& name) {
  if (name == "classical") return MatchMethod::kClassical;
  if (name == "learned") return MatchMethod::kLearned;
  throw usage_error("the landmark method must be classical or learned, not '{}'", name);
}

const char* match_method_name(MatchMethod method) {
  return method == MatchMethod::kLearned ? "learned" : "classical";
}

}  // namespace modir::landmarks
